"""participants.csv: attributes (role, site, ...) for documents, matched by participant id."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..errors import ParticipantsError
from .encoding import decode

ID_COLUMNS = ("id", "participant_id", "participant", "document_id")


def read_participants(path: str | Path) -> dict[str, dict[str, str]]:
    """Map participant id -> {attribute: value}; empty cells are left out."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ParticipantsError(f"{path}: no such participants file; check the path given to --meta.") from None
    text, _ = decode(data, path)
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in (reader.fieldnames or [])]
    id_column = next((c for c in (reader.fieldnames or []) if c.strip().lower() in ID_COLUMNS), None)
    if id_column is None:
        raise ParticipantsError(f"{path}, line 1: needs an `id` column naming each participant; found {', '.join(columns) or 'no header'}.")
    found: dict[str, dict[str, str]] = {}
    for row in reader:
        line = reader.line_num
        participant = (row.get(id_column) or "").strip()
        if not participant:
            raise ParticipantsError(f"{path}, line {line}: the `{id_column.strip()}` cell is empty; give every row a participant id.")
        if participant in found:
            raise ParticipantsError(f"{path}, line {line}: participant `{participant}` appears twice; keep one row per participant.")
        found[participant] = {
            key.strip(): value.strip() for key, value in row.items()
            if key and key != id_column and value is not None and value.strip()
        }
    return found
