"""participants.csv: attributes (role, site, ...) for documents, matched by participant id."""

from __future__ import annotations

import csv
from pathlib import Path

from ..errors import ParticipantsError
from .csvfile import read_csv_file

ID_COLUMNS = ("id", "participant_id", "participant", "document_id")


def read_participants(path: str | Path) -> dict[str, dict[str, str]]:
    """Map participant id -> {attribute: value}; empty cells are left out."""
    return read_csv_file(
        Path(path), ParticipantsError, "participants file", "check the path to the participants file.", _rows
    )


def _rows(reader: csv.DictReader, path: Path) -> dict[str, dict[str, str]]:
    columns = [c.strip() for c in (reader.fieldnames or [])]
    id_column = next((c for c in (reader.fieldnames or []) if c.strip().lower() in ID_COLUMNS), None)
    if id_column is None and "unit_id" in [c.lower() for c in columns]:
        raise ParticipantsError(
            f"{path}, line 1: gives attributes of units (a `unit_id` column), not of participants; put its "
            "columns in the table of units, on the rows with the same unit_id."
        )
    if id_column is None:
        raise ParticipantsError(
            f"{path}, line 1: needs an `id` column naming each participant; found {', '.join(columns) or 'no header'}."
        )
    found: dict[str, dict[str, str]] = {}
    for row in reader:
        line = reader.line_num
        _refuse_ragged(row, path, line, len(columns))
        participant = (row.get(id_column) or "").strip()
        if not participant:
            raise ParticipantsError(
                f"{path}, line {line}: the `{id_column.strip()}` cell is empty; give every row a participant id."
            )
        if participant in found:
            raise ParticipantsError(
                f"{path}, line {line}: participant `{participant}` appears twice; keep one row per participant."
            )
        found[participant] = {
            key.strip(): value.strip()
            for key, value in row.items()
            if key and key != id_column and value is not None and value.strip()
        }
    return found


def _refuse_ragged(row: dict, path: Path, line: int, columns: int) -> None:
    """A row with more or fewer cells than the header is refused: its values would land under the wrong names."""
    extra = row.get(None)
    missing = sum(1 for key, value in row.items() if key is not None and value is None)
    if extra or missing:
        cells = columns + len(extra or []) - missing
        raise ParticipantsError(
            f"{path}, line {line}: has {cells} cells but the header has {columns}; "
            "give every row one cell per column (leave a cell empty rather than out)."
        )
