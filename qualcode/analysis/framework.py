"""The framework matrix (Ritchie and Spencer): rows are groups of interviews, columns themes or codes.

Each cell holds the cell's coded passages, a count (passages and participants) and an
extractive summary: up to three sentences taken from the cell's own passages, the most
central to the cell first (TF-IDF cosine with the cell's centroid), none repeating a
chosen one, each ending with its participant in brackets. A summary the researcher
wrote for a cell (kept in the store with author and time) is shown instead, and a
recomputation never replaces it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..errors import AnalysisError
from ..store import Store
from ..store import framework as edits
from . import ALL_PARTICIPANTS, DEFAULT_STATUSES, NOT_SET, check_attributes, coded_quotes

SENTENCES = 3
MIN_WORDS = 5  # shorter sentences are chosen only when a cell has nothing longer
REPEAT = 0.5  # cosine above which a sentence repeats one already chosen


@dataclass
class Cell:
    """One cell: its passages, counts and summary (the researcher's when they wrote one)."""

    row: str
    code_id: str
    passages: list[dict[str, Any]] = field(default_factory=list)
    computed: list[dict[str, str]] = field(default_factory=list)  # [{"sentence", "participant"}]
    edit: dict[str, Any] | None = None

    @property
    def count(self) -> int:
        return len(self.passages)

    @property
    def participants(self) -> int:
        return len({p["participant"] for p in self.passages})

    @property
    def computed_text(self) -> str:
        return " ".join(f"{s['sentence']} ({s['participant']})" for s in self.computed)

    @property
    def summary(self) -> str:
        return self.edit["summary"] if self.edit else self.computed_text


@dataclass
class Framework:
    """The matrix: rows grouped by an attribute, columns the themes (or codes), and a cell per pair."""

    by: str
    level: str
    rows: list[str]
    columns: list[tuple[str, str]]  # (code id, label)
    cells: dict[tuple[str, str], Cell]

    def cell(self, row: str, code_id: str) -> Cell:
        """The cell at a row and column; an unknown one is named in one sentence."""
        if (row, code_id) not in self.cells:
            raise AnalysisError(
                f"the framework has no cell for {self.by} `{row}` and `{code_id}`; "
                f"the rows are: {', '.join(self.rows)}; the columns: {', '.join(c for c, _ in self.columns)}."
            )
        return self.cells[(row, code_id)]


def framework(
    store: Store,
    by: str = "role",
    level: str = "theme",
    statuses: Iterable[str] | None = DEFAULT_STATUSES,
    sentences: int = SENTENCES,
) -> Framework:
    """Build the matrix from the accepted codings: rows are the values of attribute `by` ("participant": one row per person)."""
    if level not in ("theme", "code"):
        raise AnalysisError(f"unknown level `{level}`; use theme or code.")
    codebook = store.codebook()
    held = {name for attrs in store.attributes().values() for name in attrs}
    if by != "participant" and (by != "role" or "role" in held):
        check_attributes(store, [by])
    columns = [(c.id, c.label) for c in (codebook.themes() if level == "theme" else codebook)]
    quotes = coded_quotes(store, statuses=statuses, codebook=codebook)
    attributes = store.attributes()
    cells: dict[tuple[str, str], Cell] = {}
    for quote in _one_per_span(quotes, level):
        row = _row_of(quote, by, attributes.get(quote["document_id"], {}))
        column = quote["theme_id"] if level == "theme" else quote["code_id"]
        cells.setdefault((row, column), Cell(row, column)).passages.append(quote)
    rows = sorted({row for row, _ in cells} | _all_rows(store, by))
    for row in rows:
        for code_id, _ in columns:
            cells.setdefault((row, code_id), Cell(row, code_id))
    kept = edits.latest_edits(store, _edit_key(by, level))
    for key, cell in cells.items():
        cell.computed = summarise(cell.passages, sentences)
        cell.edit = kept.get(key)
    return Framework(by, level, rows, columns, cells)


def _edit_key(by: str, level: str) -> str:
    return by if level == "theme" else f"{by}/code"


def _row_of(quote: dict[str, Any], by: str, attributes: dict[str, str]) -> str:
    if by == "participant":
        return quote["participant"]
    if by == "role":
        return quote["role"] or ALL_PARTICIPANTS
    return attributes.get(by) or NOT_SET


def _all_rows(store: Store, by: str) -> set[str]:
    from . import participant_of

    attributes = store.attributes()
    ids = store.document_hashes()
    if by == "participant":
        return {participant_of(d, attributes.get(d, {})) for d in ids}
    unset = ALL_PARTICIPANTS if by == "role" else NOT_SET
    return {attributes.get(d, {}).get(by) or unset for d in ids}


def _one_per_span(quotes: list[dict[str, Any]], level: str) -> list[dict[str, Any]]:
    """One passage per span and column (two coders agreeing on a span is one passage)."""
    seen, kept = set(), []
    for quote in quotes:
        key = (
            quote["document_id"],
            quote["start"],
            quote["end"],
            quote["theme_id"] if level == "theme" else quote["code_id"],
        )
        if key not in seen:
            seen.add(key)
            kept.append(quote)
    return kept


def summarise(passages: list[dict[str, Any]], n: int = SENTENCES) -> list[dict[str, str]]:
    """Up to `n` sentences from `passages`, central to them and not repeating each other, each with its participant."""
    from .. import nlp

    texts = [p["quote"] for p in passages]
    sentences = [
        (" ".join(text[s:e].split()), p["participant"])
        for p, text, bounds in zip(passages, texts, nlp.sentence_bounds(texts))
        for s, e in (bounds or [(0, len(text))])
    ]
    sentences = [(s, who) for s, who in dict.fromkeys(sentences) if s]
    if not sentences or n <= 0:
        return []
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    try:
        vectors = TfidfVectorizer(stop_words="english").fit_transform([s for s, _ in sentences])
    except ValueError:  # only stop words: keep the first sentences as they are
        return [{"sentence": s, "participant": who} for s, who in sentences[:n]]
    centre = vectors.mean(axis=0)
    centrality = cosine_similarity(vectors, centre.A if hasattr(centre, "A") else centre).ravel()
    order = sorted(range(len(sentences)), key=lambda i: (len(sentences[i][0].split()) < MIN_WORDS, -centrality[i], i))
    chosen: list[int] = []
    for i in order:
        if len(chosen) == n:
            break
        if chosen and cosine_similarity(vectors[i], vectors[chosen]).max() > REPEAT:
            continue
        chosen.append(i)
    return [{"sentence": sentences[i][0], "participant": sentences[i][1]} for i in chosen]


def keep_edit(store: Store, matrix: Framework, row: str, code_id: str, summary: str, author: str) -> int:
    """Keep the researcher's summary of a cell (with author and time); returns the edit's id."""
    matrix.cell(row, code_id)
    if not summary.strip():
        raise AnalysisError("a cell summary needs some text; to go back to the computed one, paste it in.")
    if not author.strip():
        raise AnalysisError("say who wrote the summary (a coder name) so the edit can be attributed.")
    return edits.add_edit(store, _edit_key(matrix.by, matrix.level), row, code_id, summary.strip(), author.strip())
