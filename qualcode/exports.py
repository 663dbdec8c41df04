"""Write a plain table (a list of row dicts) as CSV, XLSX or Markdown.

Data exports (segments, suggestions, codings) are plain UTF-8 CSV whose first row is
the header, so any tool reads them.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Any, Iterable


def write_table(rows: Iterable[dict[str, Any]], columns: list[str], fmt: str, output: str | Path) -> None:
    """Write rows in `fmt` (csv, xlsx or md) to a file, or to stdout when output is '-'."""
    rows = list(rows)
    if fmt == "xlsx":
        _write_xlsx(rows, columns, Path(output))
        return
    text = _csv_text(rows, columns) if fmt == "csv" else _markdown_text(rows, columns)
    if str(output) == "-":
        sys.stdout.write(text)
    else:
        Path(output).write_text(text, encoding="utf-8", newline="")


def _csv_text(rows: list[dict[str, Any]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _markdown_text(rows: list[dict[str, Any]], columns: list[str]) -> str:
    def cell(value: Any) -> str:
        return str("" if value is None else value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(row.get(c)) for c in columns) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _write_xlsx(rows: list[dict[str, Any]], columns: list[str], path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(c) for c in columns])
    workbook.save(path)
