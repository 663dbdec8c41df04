"""Inter-coder agreement on a project: per code, and overall with one code per unit.

Units are the participant segments (`segment`), their sentences (`sentence`, from
qualcode.nlp.sentence_bounds) or their characters (`character`). A coder applied a
code to a unit when any of their accepted codings with that code overlaps it; at
`--level theme` a code counts as its theme (top-level ancestor). Only documents that
every named coder coded (made at least one decision in) count; the others are listed
as left out, so a half-coded transcript cannot pass for disagreement.

Per code, each coder's rating of a unit is 1 (applied) or 0, giving percent agreement,
Cohen's kappa (two coders) and Krippendorff's alpha. The overall row treats the codes
at that level as one nominal variable: a unit's value for a coder is the one code
they gave it; a unit they gave several codes at that level, or none, is missing for
that coder (with `uncoded="value"` an uncoded unit carries the value `(uncoded)`).
Intervals are described in qualcode.team.statistics.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..codebook import Codebook
from ..errors import AgreementError, UnknownCodeError
from ..store import Store
from ..words import listed
from .coders import require_coders
from .statistics import RESAMPLES, SEED, Bootstrap, Estimate, reliability

UNITS = ("segment", "sentence", "character")
LEVELS = ("code", "theme")
UNCODED = ("missing", "value")
OVERALL = "(all)"
UNCODED_VALUE = "(uncoded)"
LEFT_OUT_SHOWN = 10  # documents named in a left-out sentence before "and N more"


@dataclass
class UnitTable:
    """The units of the counted documents and which categories each coder applied to each."""

    documents: list[str]
    doc: np.ndarray  # index into documents, per unit
    start: np.ndarray
    end: np.ndarray
    cluster: np.ndarray  # index into segments, per unit
    segments: list[dict[str, Any]]
    categories: list[str]
    applied: np.ndarray  # coders x units x categories, bool


@dataclass
class AgreementReport:
    """Per-code and overall agreement, with what was counted and what was left out."""

    coders: list[str]
    unit: str
    level: str
    documents: list[str]
    left_out: dict[str, list[str]]
    units: int
    rows: list[dict[str, Any]]
    resamples: int = RESAMPLES
    seed: int = SEED
    notes: list[str] = field(default_factory=list)

    def left_out_lines(self, shown: int = LEFT_OUT_SHOWN) -> list[str]:
        """One sentence per set of missing coders naming the documents left out (the first `shown`, then how many more)."""
        groups: dict[tuple[str, ...], list[str]] = {}
        for document_id, missing in self.left_out.items():
            groups.setdefault(tuple(missing), []).append(document_id)
        lines = []
        for coders, documents in groups.items():
            names = listed(documents, shown)
            what = names if len(documents) == 1 else f"{len(documents):,} documents ({names})"
            lines.append(f"{what} left out: not coded by {', '.join(coders)}.")
        return lines

    def columns(self) -> list[str]:
        """The columns of `rows`, in reading order."""
        return [
            "code_id",
            "label",
            "units",
            "units_coded",
            *(f"units_{c}" for c in self.coders),
            "agreement_pct",
            "kappa",
            "kappa_low",
            "kappa_high",
            "alpha",
            "alpha_low",
            "alpha_high",
        ]


def _compared(store: Store, coders: Iterable[str], unit: str, level: str, documents: Iterable[str] | None):
    """(coders, documents counted, documents left out, codebook, unit table): what both views compare."""
    _check_choice("unit", unit, UNITS)
    _check_choice("level", level, LEVELS)
    coders = require_coders(store, coders, at_least=2)
    counted, left_out = coded_documents(store, coders, documents)
    codebook = store.codebook()
    return coders, counted, left_out, codebook, build_units(store, coders, unit, level, counted, codebook)


def agreement(
    store: Store,
    coders: Iterable[str],
    unit: str = "segment",
    level: str = "code",
    documents: Iterable[str] | None = None,
    uncoded: str = "missing",
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> AgreementReport:
    """Agreement of the named coders per code and overall, over the documents they all coded."""
    _check_choice("uncoded", uncoded, UNCODED)
    names, counted, left_out, codebook, table = _compared(store, coders, unit, level, documents)
    if not table.categories:
        raise AgreementError(
            f"none of {', '.join(names)} accepted a coding on a participant {unit} of the documents they all coded; there is nothing to compare yet."
        )
    bootstrap = Bootstrap(len(table.segments), resamples, seed)
    rows = [_code_row(table, k, codebook, names, bootstrap) for k in range(len(table.categories))]
    overall, notes = _overall_row(table, names, uncoded, bootstrap)
    return AgreementReport(
        names, unit, level, counted, left_out, len(table.start), rows + [overall], resamples, seed, notes
    )


def coded_documents(
    store: Store, coders: list[str], documents: Iterable[str] | None = None
) -> tuple[list[str], dict[str, list[str]]]:
    """(documents every coder made a decision in, {left-out document: coders who did not code it})."""
    coded: dict[str, set[str]] = {}
    for row in store.codings(coders=coders):
        coded.setdefault(row["document_id"], set()).add(row["coder"])
    wanted = _document_list(documents)
    if wanted is not None:
        store.document_ids_exist(wanted)
    candidates = wanted if wanted is not None else sorted(coded)
    counted = [d for d in candidates if coded.get(d, set()) >= set(coders)]
    left_out = {d: [c for c in coders if c not in coded.get(d, set())] for d in candidates if d not in counted}
    if not counted:
        raise AgreementError(
            f"no document in {store.location} was coded by all of {', '.join(coders)}; each coder needs decisions in the same transcripts."
        )
    return counted, left_out


def build_units(
    store: Store, coders: list[str], unit: str, level: str, documents: list[str], codebook: Codebook
) -> UnitTable:
    """Units of the documents and, per coder and category, whether an accepted coding overlaps each unit."""
    wanted = set(documents)
    segments = [s for s in store.segments() if s["document_id"] in wanted]
    index = {d: i for i, d in enumerate(documents)}
    spans = _unit_spans(segments, unit)
    spans.sort(key=lambda s: (index[segments[s[0]]["document_id"]], s[1]))
    cluster = np.array([s[0] for s in spans], dtype=int)
    doc = np.array([index[segments[s[0]]["document_id"]] for s in spans], dtype=int)
    start = np.array([s[1] for s in spans], dtype=int)
    end = np.array([s[2] for s in spans], dtype=int)
    codings = store.codings(document_ids=documents, coders=coders, statuses=["accepted"])
    categories = _categories(codings, level, codebook)
    applied = np.zeros((len(coders), len(spans), len(categories)), dtype=bool)
    bounds = np.searchsorted(doc, np.arange(len(documents) + 1))
    position = {c: i for i, c in enumerate(categories)}
    for row in codings:
        lo, hi = bounds[index[row["document_id"]]], bounds[index[row["document_id"]] + 1]
        first = lo + np.searchsorted(end[lo:hi], row["start"], side="right")
        last = lo + np.searchsorted(start[lo:hi], row["end"], side="left")
        applied[coders.index(row["coder"]), first:last, position[_category(row["code_id"], level, codebook)]] = True
    used = np.asarray(applied.any(axis=(0, 1)))
    return UnitTable(
        documents,
        doc,
        start,
        end,
        cluster,
        segments,
        [c for c, u in zip(categories, used.tolist()) if u],
        applied[:, :, used],
    )


def disagreements(
    store: Store,
    coders: Iterable[str],
    unit: str = "segment",
    level: str = "code",
    documents: Iterable[str] | None = None,
    code: str | None = None,
) -> list[dict[str, Any]]:
    """Units where the coders differ on a code, with each coder's yes/no and the unit's text.

    Neighbouring characters of one segment that share a pattern are joined into one span.
    """
    names, counted, _, codebook, table = _compared(store, coders, unit, level, documents)
    wanted = list(range(len(table.categories)))
    if code is not None:
        if code not in table.categories:
            raise UnknownCodeError(
                f"no coder applied `{code}` at the {level} level in these documents; codes applied: {', '.join(table.categories) or 'none'}."
            )
        wanted = [table.categories.index(code)]
    texts = {d: store.document(d)["text"] for d in counted}
    rows = []
    for k in wanted:
        ratings = table.applied[:, :, k]
        differ = np.flatnonzero(ratings.any(axis=0) & ~ratings.all(axis=0))
        for first, last in _runs(table, ratings, differ):
            rows.append(_disagreement_row(table, codebook, names, texts, ratings, k, first, last))
    return sorted(rows, key=lambda r: (r["document_id"], r["start"], r["code_id"]))


def _unit_spans(segments: list[dict[str, Any]], unit: str) -> list[tuple[int, int, int]]:
    """(segment index, start, end) of every unit."""
    if unit == "segment":
        return [(i, s["start"], s["end"]) for i, s in enumerate(segments)]
    if unit == "sentence":
        from .. import nlp  # spaCy loads only when sentences are the unit

        found = nlp.sentence_bounds(s["text"] for s in segments)
        return [
            (i, s["start"] + a, s["start"] + b) for i, (s, bounds) in enumerate(zip(segments, found)) for a, b in bounds
        ]
    return [(i, p, p + 1) for i, s in enumerate(segments) for p in range(s["start"], s["end"])]


def _category(code_id: str, level: str, codebook: Codebook) -> str:
    return codebook.theme_of(code_id) if level == "theme" and code_id in codebook else code_id


def _categories(codings: list[dict[str, Any]], level: str, codebook: Codebook) -> list[str]:
    found = {_category(row["code_id"], level, codebook) for row in codings}
    order = {code_id: i for i, code_id in enumerate(codebook.ids())}
    return sorted(found, key=lambda c: (order.get(c, len(order)), c))


def _code_row(table: UnitTable, k: int, codebook: Codebook, coders: list[str], bootstrap: Bootstrap) -> dict[str, Any]:
    ratings = table.applied[:, :, k].astype(np.int8)
    result = reliability(ratings, 2, table.cluster, bootstrap)
    code_id = table.categories[k]
    counts = {f"units_{c}": int(ratings[i].sum()) for i, c in enumerate(coders)}
    label = codebook.get(code_id).label if code_id in codebook else ""
    return {
        "code_id": code_id,
        "label": label,
        "units": result.units,
        "units_coded": int(ratings.any(axis=0).sum()),
        **counts,
        **_statistics(result.percent, result.kappa, result.alpha),
    }


def _overall_row(
    table: UnitTable, coders: list[str], uncoded: str, bootstrap: Bootstrap
) -> tuple[dict[str, Any], list[str]]:
    given = table.applied.sum(axis=2)
    values = np.where(given == 1, table.applied.argmax(axis=2), -1)
    categories = len(table.categories)
    if uncoded == "value":
        values = np.where(given == 0, categories, values)
        categories += 1
    result = reliability(values, categories, table.cluster, bootstrap)
    notes = [
        f"{coder} gave {n} units more than one code at this level; they count as missing in the overall row."
        for coder, n in zip(coders, (given > 1).sum(axis=1))
        if n
    ]
    counts = {f"units_{c}": int((values[i] >= 0).sum()) for i, c in enumerate(coders)}
    label = "one code per unit (nominal)" + ("; uncoded is a value" if uncoded == "value" else "; uncoded is missing")
    row = {
        "code_id": OVERALL,
        "label": label,
        "units": result.units,
        "units_coded": int((given > 0).any(axis=0).sum()),
        **counts,
        **_statistics(result.percent, result.kappa, result.alpha),
    }
    return row, notes


def _statistics(percent: Estimate, kappa: Estimate, alpha: Estimate) -> dict[str, Any]:
    return {
        "agreement_pct": _round(percent.value * 100 if percent.value is not None else None, 1),
        "kappa": _round(kappa.value),
        "kappa_low": _round(kappa.low),
        "kappa_high": _round(kappa.high),
        "alpha": _round(alpha.value),
        "alpha_low": _round(alpha.low),
        "alpha_high": _round(alpha.high),
    }


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits) + 0.0  # no negative zero


def _runs(table: UnitTable, ratings: np.ndarray, units: np.ndarray) -> list[tuple[int, int]]:
    """Consecutive units (same segment, touching, same ratings) joined; one unit each otherwise."""
    runs: list[tuple[int, int]] = []
    for u in units:
        if runs and _joins(table, ratings, runs[-1][1], u):
            runs[-1] = (runs[-1][0], u)
        else:
            runs.append((u, u))
    return runs


def _joins(table: UnitTable, ratings: np.ndarray, previous: int, unit: int) -> bool:
    return (
        table.end[previous] - table.start[previous] == 1
        and table.cluster[previous] == table.cluster[unit]
        and table.end[previous] == table.start[unit]
        and bool((ratings[:, previous] == ratings[:, unit]).all())
    )


def _disagreement_row(
    table: UnitTable,
    codebook: Codebook,
    coders: list[str],
    texts: dict[str, str],
    ratings: np.ndarray,
    k: int,
    first: int,
    last: int,
) -> dict[str, Any]:
    document_id = table.documents[table.doc[first]]
    start, end = int(table.start[first]), int(table.end[last])
    code_id = table.categories[k]
    return {
        "span": f"{document_id}:{start}-{end}",
        "document_id": document_id,
        "segment_id": table.segments[table.cluster[first]]["id"],
        "start": start,
        "end": end,
        "code_id": code_id,
        "label": codebook.get(code_id).label if code_id in codebook else "",
        **{coder: ("yes" if ratings[i, first] else "no") for i, coder in enumerate(coders)},
        "text": texts[document_id][start:end],
    }


def _document_list(documents: Iterable[str] | None) -> list[str] | None:
    if documents is None:
        return None
    found = [d.strip() for item in documents for d in str(item).split(",") if d.strip()]
    return found or None


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise AgreementError(f"unknown {name} `{value}`; use one of {', '.join(choices)}.")
