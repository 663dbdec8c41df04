"""What the coding says: theme frequency by participant attribute, and illustrative quotes.

The app's dashboard and the report exports (`qualcode export frequencies`,
`qualcode export quotes --per-cell N`) both call these functions, so a report and
the dashboard always show the same counts and pick the same quotes.

Vocabulary: a *participant* is a document's `participant` attribute when it has
one (two interviews of one person), else the document id. A *theme* is a top-level
code of the current codebook; a code's theme is its top-level ancestor.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..codebook import Codebook
from ..errors import UnknownAttributeError, UnknownCodeError
from ..store import Store
from ..store.reports import coded_quote_rows

if TYPE_CHECKING:  # pandas and numpy load when a table is made, not when the CLI starts
    import numpy as np
    import pandas as pd

DEFAULT_STATUSES = ("accepted",)
NOT_SET = "(not set)"
ALL_PARTICIPANTS = (
    "all participants"  # the role group when no document has a role (no participants.csv, no front matter)
)
ALL = "All"
SIMILAR = 0.8  # TF-IDF cosine above which two quotes count as near-duplicates
SHORT_WORDS = 6  # quotes shorter than this are chosen only after longer ones
FREQUENCY_COLUMNS = [
    "code_id",
    "label",
    "theme_id",
    "depth",
    "segments",
    "participants",
    "participants_total",
    "n_of_m",
]


def participant_of(document_id: str, attributes: dict[str, str]) -> str:
    """The participant a document belongs to: its `participant` attribute, else its id."""
    return attributes.get("participant") or document_id


def select_documents(store: Store, where: dict[str, list[str]] | None = None) -> dict[str, dict[str, str]]:
    """Documents (id -> attributes) whose attributes match every `where` entry (any of its values).

    An attribute name or value that no document has raises UnknownAttributeError
    listing the valid ones, so a typo in `--role` never yields a silently empty table.
    The value "(not set)" matches documents without the attribute, as in `theme_frequencies`.
    """
    ids = sorted(store.document_hashes())
    attributes = store.attributes()
    everything = {document_id: attributes.get(document_id, {}) for document_id in ids}
    documents = dict(everything)
    for name, values in (where or {}).items():
        if (
            name == "role"
            and set(values) == {ALL_PARTICIPANTS}
            and not any(name in attrs for attrs in everything.values())
        ):
            continue  # no document has a role: the group "all participants" is every document
        if not any(name in attrs for attrs in everything.values()):
            names = sorted({n for attrs in everything.values() for n in attrs})
            raise UnknownAttributeError(
                f"no document in {store.location} has an attribute `{name}`; the attributes are: {', '.join(names) or 'none'}."
            )
        known = sorted({attrs.get(name, NOT_SET) for attrs in everything.values()})
        unknown = [value for value in values if value not in known]
        if unknown:
            raise UnknownAttributeError(
                f"no document in {store.location} has {name} `{unknown[0]}`; the {name} values are: {'; '.join(known)}."
            )
        documents = {d: attrs for d, attrs in documents.items() if attrs.get(name, NOT_SET) in set(values)}
    return documents


def check_attributes(store: Store, names: Iterable[str]) -> None:
    """Raise UnknownAttributeError for an attribute name no document has (e.g. a mistyped `--by`)."""
    held = sorted({name for attrs in store.attributes().values() for name in attrs})
    for name in names:
        if name not in held:
            raise UnknownAttributeError(
                f"no document in {store.location} has an attribute `{name}`; the attributes are: {', '.join(held) or 'none'}."
            )


def codes_under(codebook: Codebook, ids: Iterable[str], kind: str = "code") -> set[str]:
    """The given codes and all their descendants; an unknown id raises UnknownCodeError listing valid ones.

    With kind "theme" every id must be a top-level code.
    """
    valid = [c.id for c in codebook.themes()] if kind == "theme" else codebook.ids()
    found: set[str] = set()
    for code_id in ids:
        if code_id not in valid:
            raise UnknownCodeError(
                f"`{code_id}` is not a {kind} of codebook `{codebook.name}`; the {kind}s are: {', '.join(valid)}."
            )
        found.add(code_id)
        found.update(code.id for code in codebook.descendants(code_id))
    return found


def coded_quotes(
    store: Store,
    theme_ids: Iterable[str] | None = None,
    code_ids: Iterable[str] | None = None,
    where: dict[str, list[str]] | None = None,
    statuses: Iterable[str] | None = DEFAULT_STATUSES,
    coders: Iterable[str] | None = None,
    min_confidence: float | None = None,
    *,
    codebook: Codebook | None = None,
) -> list[dict[str, Any]]:
    """Every coded quote matching the filters, one dict per coding, in codebook order then document order.

    `theme_ids` and `code_ids` select those codes and all their descendants (the
    union of both); None selects every code. `where` keeps documents whose
    attributes match ({"role": ["Social worker"]}). `statuses` None means every
    status. Codings of codes no longer in the codebook are left out. Each dict has
    the keys listed in `quote_record`. `codebook` saves reading the current one again.
    """
    codebook = codebook or store.codebook()
    wanted = None
    if theme_ids or code_ids:
        wanted = codes_under(codebook, theme_ids or (), "theme") | codes_under(codebook, code_ids or ())
    documents = select_documents(store, where)
    rows = coded_quote_rows(
        store,
        document_ids=list(documents) if where else None,
        code_ids=sorted(wanted) if wanted is not None else None,
        coders=list(coders) if coders else None,
        statuses=list(statuses) if statuses else None,
        min_confidence=min_confidence,
    )
    order = {code_id: i for i, code_id in enumerate(codebook.ids())}
    labels = {code.id: (code.label, codebook.theme_of(code.id)) for code in codebook}
    records = [quote_record(row, labels, documents[row[1]]) for row in rows if row[6] in order and row[1] in documents]
    records.sort(key=lambda r: order[r["theme_id"]])
    return records


def quote_record(row: tuple, labels: dict[str, tuple[str, str]], attributes: dict[str, str]) -> dict[str, Any]:
    """One coding (a `coded_quote_rows` tuple) as a report row: who said it, where, which code and theme, the decision."""
    coding_id, document_id, segment_id, turn, start, end, code_id, coder, status, confidence, source, quote = row
    code_label, theme_id = labels[code_id]
    return {
        "coding_id": coding_id,
        "document_id": document_id,
        "participant": participant_of(document_id, attributes),
        "role": attributes.get("role", ""),
        "code_id": code_id,
        "code_label": code_label,
        "theme_id": theme_id,
        "theme_label": labels[theme_id][0],
        "quote": quote,
        "start": start,
        "end": end,
        "segment_id": segment_id,
        "turn": None if turn is None else turn + 1,  # counted from 1, as a reader counts the turns of a transcript
        "coder": coder,
        "status": status,
        "confidence": confidence,
        "source": source,
    }


def theme_frequencies(
    store: Store,
    by: list[str] = ["role"],  # noqa: B006  (read only)
    level: str = "theme",
    statuses: Iterable[str] | None = DEFAULT_STATUSES,
    coders: Iterable[str] | None = None,
    code_ids: Iterable[str] | None = None,
    where: dict[str, list[str]] | None = None,
    totals: bool = False,
) -> pd.DataFrame:
    """How often each theme (or code) was raised, per group of documents sharing the `by` attributes.

    One row per (group values..., code) with columns: the `by` attributes, then
    `code_id`, `label`, `theme_id`, `depth` (0 for a theme), `segments` (participant
    segments coded with the code or any of its descendants, each segment counted
    once), `participants` (participants in the group who raised it),
    `participants_total` (m: participants in the group) and `n_of_m` ("3 of 6").

    level "theme": one row per theme, sub-codes rolled up to their top-level ancestor.
    level "code": one row per code of the codebook, and each code's counts include its
    descendants (so a theme's row equals its row at level "theme" and a parent's
    counts are never below a child's).
    Every code appears in every group, zeros included. A document without a `by`
    attribute falls in the group "(not set)"; no documents selected, no rows. `totals` appends rows for the group
    "All" (every selected document); `by=[]` gives only that one group, without
    attribute columns. Grouped by `role` when no document has one, every document
    is in the group "all participants". `code_ids` keeps only those rows (themes at level "theme").
    `where` and `statuses`/`coders` filter documents and codings as in `coded_quotes`.
    """
    import pandas as pd

    by = list(by)
    codebook = store.codebook()
    held = {name for attrs in store.attributes().values() for name in attrs}
    unset = (
        ALL_PARTICIPANTS if "role" in by and "role" not in held else NOT_SET
    )  # no roles given: everyone is one group
    check_attributes(store, [name for name in by if name != "role" or unset == NOT_SET])
    targets = _targets(codebook, level, code_ids)
    documents = select_documents(store, where)
    group_of = {
        d: tuple(attrs.get(name, unset if name == "role" else NOT_SET) for name in by) for d, attrs in documents.items()
    }
    rows = coded_quote_rows(
        store, coders=list(coders) if coders else None, statuses=list(statuses) if statuses else None
    )
    raised = _raised(rows, codebook, level, documents)
    if not documents:
        frames = []
    elif by:
        frames = [
            _frequency_rows(
                codebook, targets, by, group, [d for d in documents if group_of[d] == group], documents, raised
            )
            for group in sorted(set(group_of.values()))
        ]
        if totals:
            frames.append(
                _frequency_rows(codebook, targets, by, tuple(ALL for _ in by), list(documents), documents, raised)
            )
    else:
        frames = [_frequency_rows(codebook, targets, by, (), list(documents), documents, raised)]
    return pd.DataFrame([row for frame in frames for row in frame], columns=[*by, *FREQUENCY_COLUMNS])


def _targets(codebook: Codebook, level: str, code_ids: Iterable[str] | None) -> list[str]:
    if level not in ("theme", "code"):
        raise ValueError(f"level must be 'theme' or 'code', not {level!r}")
    ids = [c.id for c in codebook.themes()] if level == "theme" else codebook.ids()
    if code_ids:
        wanted = list(code_ids)
        codes_under(codebook, wanted, level)
        ids = [code_id for code_id in ids if code_id in set(wanted)]
    return ids


def _raised(
    rows: list[tuple], codebook: Codebook, level: str, documents: dict[str, dict[str, str]]
) -> dict[str, dict[str, set]]:
    """Per target code: per document, the set of segment keys coded with it (or a descendant)."""
    raised: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    lineage: dict[str, list[str]] = {}
    for _, document_id, segment_id, _, start, end, code_id, *_ in rows:
        if code_id not in codebook or document_id not in documents:
            continue
        if code_id not in lineage:
            lineage[code_id] = [codebook.theme_of(code_id)] if level == "theme" else _ancestry(codebook, code_id)
        unit = segment_id if segment_id is not None else (start, end)
        for target in lineage[code_id]:
            raised[target][document_id].add(unit)
    return raised


def _ancestry(codebook: Codebook, code_id: str) -> list[str]:
    found, code = [code_id], codebook.get(code_id)
    while code.parent:
        found.append(code.parent)
        code = codebook.get(code.parent)
    return found


def _frequency_rows(
    codebook: Codebook,
    targets: list[str],
    by: list[str],
    group: tuple,
    members: list[str],
    documents: dict[str, dict[str, str]],
    raised: dict[str, dict[str, set]],
) -> list[dict[str, Any]]:
    everyone = {participant_of(d, documents[d]) for d in members}
    member_set = set(members)
    rows = []
    for code_id in targets:
        coded = {d: units for d, units in raised.get(code_id, {}).items() if d in member_set}
        participants = {participant_of(d, documents[d]) for d in coded}
        rows.append(
            {
                **dict(zip(by, group)),
                "code_id": code_id,
                "label": codebook.get(code_id).label,
                "theme_id": codebook.theme_of(code_id),
                "depth": codebook.depth(code_id),
                "segments": sum(len(units) for units in coded.values()),
                "participants": len(participants),
                "participants_total": len(everyone),
                "n_of_m": f"{len(participants)} of {len(everyone)}",
            }
        )
    return rows


def illustrative_quotes(
    store: Store,
    theme_or_code_id: str,
    group: dict[str, str] | None = None,
    n: int = 5,
    statuses: Iterable[str] | None = DEFAULT_STATUSES,
    coders: Iterable[str] | None = None,
    min_confidence: float | None = None,
) -> list[dict[str, Any]]:
    """Up to `n` quotes that illustrate a theme or code, typical of it and spread across participants.

    Candidates are the codings of the code or any descendant, in documents matching
    `group` ({"role": "Social worker"}), filtered like `coded_quotes`. They are
    ranked by `pick_illustrative` (see there); the result is deterministic. Each
    dict has the keys of `quote_record` plus `score` (typicality, 0..1).
    """
    where = {name: [value] for name, value in (group or {}).items()}
    candidates = coded_quotes(
        store, code_ids=[theme_or_code_id], where=where, statuses=statuses, coders=coders, min_confidence=min_confidence
    )
    return pick_illustrative(candidates, n)


def pick_illustrative(candidates: list[dict[str, Any]], n: int, similar: float = SIMILAR) -> list[dict[str, Any]]:
    """Choose `n` representative and diverse quotes from coded-quote dicts, most typical first.

    Representative: each quote's TF-IDF vector (scikit-learn, English stop words)
    is compared by cosine with the centroid of all candidates; accepted codings rank
    before pending ones, a pending one's score is scaled by its confidence, and
    quotes under six words come after longer ones. Diverse: participants take turns
    (every participant's best quote before anyone's second), the same span coded
    twice is taken once, and a quote overlapping a chosen one in the same document,
    or whose cosine with a chosen quote exceeds `similar`, is skipped. Ties break
    on document, offsets and coding id, so the choice is deterministic.
    """
    if n <= 0 or not candidates:
        return []
    unique = _one_per_span(candidates)
    matrix, scores = _typicality([c["quote"] for c in unique])
    order = sorted(range(len(unique)), key=lambda i: _rank(unique[i], scores[i]))
    chosen: list[int] = []
    per_participant: Counter = Counter()
    skipped: set[int] = set()
    round_ = 0
    while len(chosen) < n:
        round_ += 1
        before = len(chosen)
        for i in order:
            if len(chosen) == n:
                break
            if i in skipped or i in chosen or per_participant[unique[i]["participant"]] >= round_:
                continue
            if any(_duplicate(unique[i], unique[j], matrix, i, j, similar) for j in chosen):
                skipped.add(i)
                continue
            chosen.append(i)
            per_participant[unique[i]["participant"]] += 1
        if len(chosen) == before:
            break
    return [{**unique[i], "score": round(float(scores[i]), 4)} for i in chosen]


def _one_per_span(candidates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[tuple, dict[str, Any]] = {}
    for candidate in sorted(
        candidates, key=lambda c: (c["status"] != "accepted", -(c["confidence"] or 0), c["coding_id"])
    ):
        seen.setdefault((candidate["document_id"], candidate["start"], candidate["end"]), candidate)
    return list(seen.values())


def _typicality(quotes: list[str]) -> tuple[Any, np.ndarray]:
    """TF-IDF matrix of the quotes (rows L2-normalised) and each quote's cosine with their centroid."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    for stop_words in ("english", None):
        try:
            matrix = TfidfVectorizer(sublinear_tf=True, stop_words=stop_words).fit_transform(quotes)
            break
        except ValueError:  # no usable words at all
            matrix = None
    if matrix is None:
        return None, np.zeros(len(quotes))
    centroid = np.asarray(matrix.mean(axis=0)).ravel()
    norm = np.linalg.norm(centroid)
    scores = matrix @ centroid / norm if norm else np.zeros(len(quotes))
    return matrix, np.asarray(scores).ravel()


def _rank(candidate: dict[str, Any], score: Any) -> tuple:
    accepted = candidate["status"] == "accepted"
    weight = 1.0 if accepted or candidate["confidence"] is None else float(candidate["confidence"])
    short = len(candidate["quote"].split()) < SHORT_WORDS
    return (
        short,
        not accepted,
        -round(score * weight, 9),
        candidate["document_id"],
        candidate["start"],
        candidate["coding_id"],
    )


def _duplicate(a: dict[str, Any], b: dict[str, Any], matrix: Any, i: int, j: int, similar: float) -> bool:
    if a["document_id"] == b["document_id"] and a["start"] < b["end"] and b["start"] < a["end"]:
        return True
    if matrix is None:
        return a["quote"].strip().lower() == b["quote"].strip().lower()
    return float(matrix[i].multiply(matrix[j]).sum()) > similar
