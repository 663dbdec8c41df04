"""Codings CSV files (`document_id, start, end, code_id[, quote]`, or `unit_id, code` for a table of units):
a human coding or a gold standard."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from ..errors import CodingsFileError
from .csvfile import read_csv_file

REQUIRED = ("document_id", "start", "end", "code_id")
UNIT_COLUMNS = ("unit_id", "unit")  # a coding of a whole unit of an imported table of units
CODE_COLUMNS = ("code_id", "code")


@dataclass(frozen=True)
class CodingRow:
    """One row of a codings file, with the line it came from."""

    line: int
    document_id: str
    start: int
    end: int
    code_id: str
    quote: str | None
    coder: str | None = None
    unit_id: str | None = None  # set (and document_id, start, end left empty) when the row codes a whole unit


def read_codings_csv(path: str | Path) -> list[CodingRow]:
    """Rows of a codings CSV; a malformed row is refused naming its line."""
    return read_csv_file(Path(path), CodingsFileError, "codings file", "check the path.", _rows)


def _rows(reader: csv.DictReader, path: Path) -> list[CodingRow]:
    header = [name.strip() for name in reader.fieldnames or []]
    by_unit = _unit_columns(header)
    if by_unit:
        return _unit_rows(reader, path, *by_unit)
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise CodingsFileError(
            f"{path}, line 1: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
            f"a codings file needs {', '.join(REQUIRED)} (and optionally quote), "
            "or unit_id and code for units of an imported table."
        )
    rows = []
    for raw in reader:
        row = {(k or "").strip(): (v or "") for k, v in raw.items()}
        line = reader.line_num
        try:
            start, end = int(row["start"]), int(row["end"])
        except ValueError:
            raise CodingsFileError(
                f"{path}, line {line}: start and end must be whole numbers (got `{row['start']}`, `{row['end']}`)."
            ) from None
        if start < 0 or end <= start:
            raise CodingsFileError(f"{path}, line {line}: end ({end}) must be greater than start ({start}).")
        if not row["document_id"].strip() or not row["code_id"].strip():
            raise CodingsFileError(f"{path}, line {line}: document_id and code_id must not be empty.")
        rows.append(
            CodingRow(
                line,
                row["document_id"].strip(),
                start,
                end,
                row["code_id"].strip(),
                row.get("quote") or None,
                (row.get("coder") or "").strip() or None,
            )
        )
    return rows


def _unit_columns(header: list[str]) -> tuple[str, str] | None:
    """(unit column, code column) of a file that codes whole units (no start and end), else None."""
    lower = {name.lower(): name for name in header}
    unit = next((lower[n] for n in UNIT_COLUMNS if n in lower), None)
    code = next((lower[n] for n in CODE_COLUMNS if n in lower), None)
    if unit is None or code is None or {"start", "end"} <= set(lower):
        return None
    return unit, code


def _unit_rows(reader: csv.DictReader, path: Path, unit: str, code: str) -> list[CodingRow]:
    """Rows that each code a whole unit, by its id in a table of units imported before."""
    rows = []
    for raw in reader:
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        if not any(row.values()):
            continue
        if not row[unit] or not row[code]:
            raise CodingsFileError(f"{path}, line {reader.line_num}: {unit} and {code} must not be empty.")
        rows.append(CodingRow(reader.line_num, "", 0, 0, row[code], None, row.get("coder") or None, row[unit]))
    return rows
