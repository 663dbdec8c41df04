"""Quote tables as files: CSV (with an about sidecar), XLSX, Markdown and Word.

Each writer takes a QuoteTable (rows already selected, masked and shortened) and
records the table's provenance in the way its format allows.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...errors import ReportError
from ..writer import safe_row
from .formats import (
    EMPTY,
    add_about_sheet,
    attribution,
    docx_table,
    md_escape,
    new_document,
    quote_block,
    report_attribution,
    report_note,
    sheet_title,
    write_front_matter,
    write_report,
)
from .sheet_rows import fill_sheets
from .tables import QuoteTable, describe_filters, shorten

DOCX_WORDS = 60  # a Word report's quotes end with an ellipsis after this many words unless a length was chosen
XLSX_CELL_LIMIT = 32_767  # characters a spreadsheet cell holds
XLSX_ROW_LIMIT = 1_048_576  # rows a sheet holds, its header included
XLSX_WIDTHS = {
    "theme_id": 18,
    "theme": 24,
    "code_id": 22,
    "code": 28,
    "quote": 80,
    "participant": 12,
    "role": 20,
    "speaker": 16,
    "media_time": 10,
    "document_id": 12,
    "unit_id": 12,
    "turn": 6,
    "start": 8,
    "end": 8,
    "coder": 12,
    "status": 10,
    "confidence": 10,
    "masked": 8,
}


def write_quotes(table: QuoteTable, fmt: str, path: str | Path, protect: Sequence[str] = ()) -> None:
    """Write a quote table in `fmt` (csv, xlsx, md or docx), whole or not at all, never over the store."""
    write_report(
        path,
        fmt,
        {"csv": _csv, "xlsx": _xlsx, "md": _markdown, "docx": _docx},
        (table,),
        table.about,
        empty=not table.rows,
        protect=protect,
    )


def _by_theme(table: QuoteTable) -> list[tuple[str, str, list[dict[str, Any]]]]:
    groups: dict[str, list[dict[str, Any]]] = {theme_id: [] for theme_id, _ in table.themes}
    for row in table.rows:
        groups.setdefault(row["theme_id"], []).append(row)
    labels = dict(table.themes)
    return [(theme_id, labels.get(theme_id, theme_id), rows) for theme_id, rows in groups.items() if rows]


def _csv(table: QuoteTable, path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(table.columns)
        keys = table.keys
        writer.writerows(safe_row([row[k] for k in keys]) for row in table.rows)


def _xlsx(table: QuoteTable, path: Path) -> None:
    """One sheet per theme (header frozen, quote column wrapped, widths set) and an About sheet.

    openpyxl writes the workbook with each theme sheet's header; the rows are then
    streamed in by sheet_rows, which is several times faster for large tables.
    """
    from openpyxl import Workbook

    themes = _by_theme(table)
    for _, label, rows in themes:  # refused before a workbook is begun
        _fits_a_sheet(rows, label, path)
        for row in rows:
            _fits_a_cell(row, path)
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    filled: dict[str, tuple[list[list[Any]], list[int | None]]] = {}
    columns, keys = table.columns, table.keys
    for _, label, rows in themes:
        title = sheet_title(label, used)
        filled[title] = ([[row[k] for k in keys] for row in rows], _quote_sheet(workbook, title, columns))
    if not table.rows:
        sheet = workbook.create_sheet("No quotes")
        sheet.column_dimensions["A"].width = 100
        sheet.append(safe_row([EMPTY.format(what="quotes", filters=describe_filters(table.about["filters"]))]))
    add_about_sheet(workbook, table.about)
    headers_only = path.with_name(path.name + ".headers")
    try:
        workbook.save(headers_only)
        fill_sheets(headers_only, filled, path)
    finally:
        headers_only.unlink(missing_ok=True)


def _quote_sheet(workbook: Any, title: str, columns: list[str]) -> list[int | None]:
    """Add a theme's sheet with its bold, frozen header and column widths; the style id of each column's cells."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    for i, column in enumerate(columns):
        sheet.column_dimensions[_letter(i)].width = XLSX_WIDTHS[column]
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, column)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    quote = WriteOnlyCell(sheet, "")
    quote.alignment = Alignment(wrap_text=True, vertical="top")
    return [quote.style_id if column == "quote" else None for column in columns]


def _fits_a_sheet(rows: list[dict[str, Any]], label: str, path: Path) -> None:
    if len(rows) >= XLSX_ROW_LIMIT:
        raise ReportError(
            f"{path}: the theme “{label}” has {len(rows):,} quotes, more than a spreadsheet sheet holds "
            f"({XLSX_ROW_LIMIT - 1:,} below its header); export as csv, or narrow the selection by role, "
            "attribute or code.",
            hint="filters",
        )


def _fits_a_cell(row: dict[str, Any], path: Path) -> None:
    if len(row["quote"]) > XLSX_CELL_LIMIT:
        raise ReportError(
            f"{path}: the quote of coding {row['coding_id']} ({row['document_id']}, {row['start']}-{row['end']}) "
            f"has {len(row['quote']):,} characters, more than a spreadsheet cell holds; "
            "shorten the quotes or export as csv, md or docx.",
            hint="max_words",
        )


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _markdown(table: QuoteTable, path: Path) -> None:
    lines = write_front_matter(table.about)
    lines += ["# Quotes", ""]
    if not table.rows:
        lines += [md_escape(EMPTY.format(what="quotes", filters=describe_filters(table.about["filters"]))), ""]
    for theme_id, label, rows in _by_theme(table):
        lines += [f"## {md_escape(label)} (`{theme_id}`)", ""]
        for row in rows:
            lines += quote_block(row["quote"])
            lines += [">", f"> — {md_escape(attribution(row))}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def _docx(table: QuoteTable, path: Path) -> None:
    """A report table: per theme a heading, per role a subheading, then quote (wide) and attribution (narrow);
    rows never split across pages; provenance in the document's properties and a short closing note."""
    document = new_document("Quotes")
    properties = document.core_properties
    properties.title, properties.author = "Quotes", table.about["made_with"]
    about = table.about
    masked = about.get("masking", {}).get("masked", 0)
    properties.comments = (
        f"codebook “{about['codebook']}” version {about['codebook_version']}; made {about['made_at']}; "
        f"store {Path(str(about['store'])).name}; identifiers masked: {masked}"
    )[:255]  # Word's limit; no folder
    properties.subject = describe_filters(about["filters"])[:255]
    words = None if table.about["filters"].get("max_words") else DOCX_WORDS
    if not table.rows:
        document.add_paragraph(EMPTY.format(what="quotes", filters=describe_filters(table.about["filters"])))
    for _, label, rows in _by_theme(table):
        document.add_heading(label, level=1)
        roles: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            roles.setdefault(row["role"] or "All participants", []).append(row)
        for role, members in roles.items():
            document.add_heading(role, level=2)
            docx_table(
                document,
                ["Quote", "Attribution"],
                [(shorten(row["quote"], words), report_attribution(row)) for row in members],
                widths=(5.2, 1.3),
                whole_rows=True,
            )
    document.add_paragraph(report_note(table.about))
    document.save(path)
