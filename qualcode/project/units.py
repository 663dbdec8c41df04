"""Codings by unit: a row naming a unit of an imported table of units codes that unit's whole passage.

The unit ids are kept on the turns the table's rows became (see ingest/units.py), so a
codings file that names units needs nothing but the store.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import CodingsFileError
from ..ingest.codings import CodingRow
from ..store import Store

Span = tuple[str, int, int]  # document id, start, end


def place_units(store: Store, rows: list[CodingRow], path: str | Path) -> list[CodingRow]:
    """The rows with each unit's document and span filled in; an unknown or ambiguous unit refuses the file."""
    spans = unit_spans(store)
    return [_placed(row, spans, path) if row.unit_id else row for row in rows]


def unit_spans(store: Store) -> dict[str, list[Span]]:
    """Where each unit of the imported tables of units is: its document and the span of its text."""
    found: dict[str, list[Span]] = {}
    for document_id, turns in store.turn_spans().items():
        for start, end, _speaker, attributes in turns:
            if attributes.get("unit_id"):
                found.setdefault(str(attributes["unit_id"]), []).append((document_id, start, end))
    return found


def add_unit_ids(store: Store, rows: list[dict[str, Any]]) -> None:
    """Give each row (with document_id and start) the unit its start lies in, as `unit_id`, when the store holds a
    table of units, so an export joins back to the researcher's own table; rows of transcripts get an empty one."""
    starts: dict[str, tuple[list[int], list[tuple[int, str]]]] = {}
    for document_id, turns in store.turn_spans().items():
        units = [(start, end, str(a["unit_id"])) for start, end, _, a in turns if a.get("unit_id")]
        if units:
            starts[document_id] = ([start for start, _, _ in units], [(end, unit) for _, end, unit in units])
    if not starts:
        return
    for row in rows:
        found = starts.get(row["document_id"])
        index = bisect_right(found[0], row["start"]) - 1 if found else -1
        row["unit_id"] = found[1][index][1] if found and index >= 0 and row["start"] < found[1][index][0] else ""


def _placed(row: CodingRow, spans: dict[str, list[Span]], path: str | Path) -> CodingRow:
    where = f"{path}, line {row.line}"
    found = spans.get(row.unit_id or "", [])
    if not found and not spans:
        raise CodingsFileError(
            f"{where}: unit `{row.unit_id}` is not in the store, which holds no table of units; import the table "
            "of units this file codes (a CSV with unit_id, document_id and text columns) first."
        )
    if not found:
        raise CodingsFileError(
            f"{where}: unit `{row.unit_id}` is not in the store; import the table of units that holds it first "
            "(a unit with no text is not imported, so it cannot be coded)."
        )
    if len(found) > 1:
        documents = ", ".join(f"`{document_id}`" for document_id, _, _ in found)
        raise CodingsFileError(
            f"{where}: unit `{row.unit_id}` is in more than one document ({documents}); "
            "give units ids that differ across the tables imported."
        )
    document_id, start, end = found[0]
    return replace(row, document_id=document_id, start=start, end=end)
