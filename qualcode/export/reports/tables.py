"""The tables behind report files: which quotes, masked and shortened, and where they came from.

Nothing here knows a file format; the writers beside this module take these tables.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ... import __version__
from ...analysis import DEFAULT_STATUSES, coded_quotes, codes_under, pick_illustrative, theme_frequencies
from ...codebook import Codebook
from ...credentials import hide_password
from ...errors import ReportError, UnmaskedExportError
from ...ingest.model import speaker_at
from ...store import Store
from ..masking import Masker, masker_for

if TYPE_CHECKING:
    import pandas as pd

QUOTE_COLUMNS = [
    "theme_id",
    "theme",
    "code_id",
    "code",
    "quote",
    "participant",
    "role",
    "speaker",
    "media_time",
    "document_id",
    "turn",
    "start",
    "end",
    "coder",
    "status",
    "confidence",
    "masked",
]
ELLIPSIS = "…"
MASKED_FIELDS = ("participant", "document_id", "unit_id", "role", "coder", "theme_label", "code_label", "speaker")


@dataclass
class QuoteSelection:
    """Which quotes a report holds: filters as given on the command line."""

    theme_ids: list[str] = field(default_factory=list)
    code_ids: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    where: dict[str, list[str]] = field(default_factory=dict)
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    coders: list[str] = field(default_factory=list)
    per_cell: int | None = None
    min_confidence: float | None = None
    max_words: int | None = None

    def documents_where(self) -> dict[str, list[str]]:
        """The attribute filter, with --role folded in."""
        where = {name: list(values) for name, values in self.where.items()}
        if self.roles:
            where.setdefault("role", []).extend(self.roles)
        return where


@dataclass
class QuoteTable:
    """Quote rows in report order (theme, then document or cell), masked and shortened.

    Each row is a `coded_quotes` dict (quote replaced by its masked, shortened text)
    plus `masked`, the number of identifiers masked in it; `keys` reads it in `columns` order.
    """

    rows: list[dict[str, Any]]
    themes: list[tuple[str, str]]  # (theme id, label) in codebook order, those selected
    about: dict[str, Any]
    masker: Masker

    @property
    def columns(self) -> list[str]:
        """QUOTE_COLUMNS, with `unit_id` after `document_id` when quotes come from a table of units (to join back)."""
        if not any(row.get("unit_id") for row in self.rows):
            return QUOTE_COLUMNS
        at = QUOTE_COLUMNS.index("document_id") + 1
        return [*QUOTE_COLUMNS[:at], "unit_id", *QUOTE_COLUMNS[at:]]

    @property
    def keys(self) -> list[str]:
        """The row dict's key of each column."""
        return [{"theme": "theme_label", "code": "code_label"}.get(c, c) for c in self.columns]


def quote_table(store: Store, selection: QuoteSelection, mask: bool = True, checked: bool = False) -> QuoteTable:
    """Select, mask and shorten quotes for a report; refuses to leave names unmasked unless checked."""
    if not mask and not checked:
        raise UnmaskedExportError(
            "an export without masking may show participants' names; confirm that you have "
            "read every quote, or keep the masking.",
            hint="checked",
        )
    if selection.max_words is not None and selection.max_words < 1:
        raise ReportError("a quote's length limit must be 1 word or more.", hint="max_words")
    codebook = store.codebook()
    records = coded_quotes(
        store,
        selection.theme_ids,
        selection.code_ids,
        selection.documents_where() or None,
        selection.statuses,
        selection.coders or None,
        selection.min_confidence,
        codebook=codebook,
    )
    if selection.per_cell is not None:
        records = _per_cell(records, selection, codebook)
    masker = masker_for(store, mask)
    turns = store.turn_spans(sorted({record["document_id"] for record in records})) if records else {}
    for record in records:
        held = turns.get(record["document_id"], [])
        speaker, record["media_time"] = speaker_at(held, record["start"])
        record["unit_id"] = _unit_at(held, record["start"])
        record["speaker"] = masker.mask(speaker)[0] if speaker else ""
        record["quote"], record["masked"] = masker.mask(record["quote"])
        record["quote"] = shorten(record["quote"], selection.max_words)
    _mask_attribution(records, masker)
    themes = [(c.id, c.label) for c in codebook.themes()]
    if selection.theme_ids or selection.code_ids:
        wanted = {codebook.theme_of(i) for i in [*selection.theme_ids, *selection.code_ids]}
        themes = [theme for theme in themes if theme[0] in wanted]
    about = masker.mask_about(provenance(store, "Quotes", _filters(selection), len(records), codebook))
    about["masking"] = {"masked": masker.total, "identifiers": len(masker.identifiers), "applied": mask}
    about["selection"] = (
        f"{selection.per_cell} illustrative quotes per theme and role (representative and diverse, as in the app)"
        if selection.per_cell is not None
        else "every matching quote"
    )
    return QuoteTable(records, themes, about, masker)


def _unit_at(turns: list[tuple[int, int, str, dict[str, Any]]], offset: int) -> str:
    """The unit id of the turn holding `offset` (a row of a table of units), or '' in a transcript."""
    return next((str(a.get("unit_id") or "") for start, end, _, a in turns if start <= offset < end), "")


def _mask_attribution(records: list[dict[str, Any]], masker: Masker) -> None:
    """Who said a quote and where, masked as the quote is; each distinct value is looked at once (they repeat)."""
    present = [key for key in MASKED_FIELDS if records and key in records[0]]
    for key in present:
        distinct = set(map(itemgetter(key), records))
        holding = {value for value in distinct if value.__class__ is str and masker.mask(value, count=False)[1]}
        if not holding:
            continue
        for record in records:
            if record[key] in holding:
                record[key], hits = masker.mask(record[key])
                record["masked"] += hits


def _per_cell(records: list[dict[str, Any]], selection: QuoteSelection, codebook: Codebook) -> list[dict[str, Any]]:
    """N illustrative quotes per (selected theme or code) x role, chosen as the app's dashboard does."""
    per_cell = selection.per_cell or 0
    if per_cell < 1:
        raise ReportError("the number of quotes per group must be 1 or more.", hint="per_cell")
    units = [*selection.theme_ids, *selection.code_ids] or [c.id for c in codebook.themes()]
    members = {unit: codes_under(codebook, [unit]) for unit in units}
    chosen: list[dict[str, Any]] = []
    for unit in units:
        cells: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for record in records:
            if record["code_id"] in members[unit]:
                cells[record["role"]].append(record)
        for role in sorted(cells):
            chosen.extend(pick_illustrative(cells[role], per_cell))
    return chosen


def shorten(text: str, max_words: int | None) -> str:
    """The text cut after `max_words` whole words with an ellipsis, or unchanged when it is short enough or no limit is set."""
    if max_words is None:
        return text
    match = re.match(rf"\s*(?:\S+\s+){{{max_words - 1}}}\S+", text)
    if match is None or not text[match.end() :].strip():
        return text
    return match.group(0).strip() + " " + ELLIPSIS


def frequency_table(
    store: Store,
    by: list[str],
    statuses: tuple[str, ...] | None,
    coders: list[str] | None,
    where: dict[str, list[str]] | None,
    mask: bool = True,
    checked: bool = False,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Themes and codes (codes rolled up into their ancestors) per group with an "All" total, and its provenance; names masked."""
    _require_checked(mask, checked)
    frame = theme_frequencies(store, by=by, level="code", statuses=statuses, coders=coders, where=where, totals=True)
    filters = {"by": by, "status": list(statuses or ["any"]), "coder": coders or [], "where": where or {}}
    from pandas.api.types import is_string_dtype

    masker = masker_for(store, mask)
    for column in frame.columns:
        if (
            is_string_dtype(frame[column]) or frame[column].dtype == object
        ):  # group names (such as participants' names), labels
            frame[column] = frame[column].map(masker.mask_value)
    about = masker.mask_about(provenance(store, "Theme frequencies", filters, len(frame)))
    about["masking"] = {"masked": masker.total, "identifiers": len(masker.identifiers), "applied": mask}
    return frame, about


def _require_checked(mask: bool, checked: bool) -> None:
    if not mask and not checked:
        raise UnmaskedExportError(
            "an export without masking may show participants' names; confirm that you have "
            "read every row, or keep the masking.",
            hint="checked",
        )


def provenance(
    store: Store, title: str, filters: dict[str, Any], rows: int, codebook: Codebook | None = None
) -> dict[str, Any]:
    """What a report was made from: store, codebook version, filters and time."""
    codebook = codebook or store.codebook()
    location = hide_password(store.location) if "://" in str(store.location) else str(Path(store.location).resolve())
    return {
        "title": title,
        "store": location,
        "codebook": codebook.name,
        "codebook_version": store.codebook_version(),
        "filters": filters,
        "rows": rows,
        "made_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "made_with": f"qualcode {__version__}",
    }


def _filters(selection: QuoteSelection) -> dict[str, Any]:
    data = asdict(selection)
    data["statuses"] = list(selection.statuses or ["any"])
    return {key: value for key, value in data.items() if value not in (None, [], {})}


def describe_filters(filters: dict[str, Any]) -> str:
    """Filters as one readable phrase for a closing paragraph or an empty-report note."""
    parts = []
    for key, value in filters.items():
        if isinstance(value, dict):
            value = "; ".join(f"{k} = {', '.join(v)}" for k, v in value.items())
        elif isinstance(value, list):
            value = ", ".join(map(str, value))
        if value not in ("", None):
            parts.append(f"{key.replace('_', ' ')}: {value}")
    return "; ".join(parts) or "none"
