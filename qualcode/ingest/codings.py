"""Codings CSV files (`document_id, start, end, code_id[, quote]`): a human coding or a gold standard."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from ..errors import CodingsFileError
from .csvfile import read_csv_file

REQUIRED = ("document_id", "start", "end", "code_id")


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


def read_codings_csv(path: str | Path) -> list[CodingRow]:
    """Rows of a codings CSV; a malformed row is refused naming its line."""
    return read_csv_file(Path(path), CodingsFileError, "codings file", "check the path.", _rows)


def _rows(reader: csv.DictReader, path: Path) -> list[CodingRow]:
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise CodingsFileError(
            f"{path}, line 1: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
            f"a codings file needs {', '.join(REQUIRED)} (and optionally quote)."
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
