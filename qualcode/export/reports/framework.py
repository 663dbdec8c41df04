"""The framework matrix as a file for a write-up: Markdown, Excel or Word, masked, with its provenance.

Markdown and Excel lay the matrix out as it is read: one row per group, one column per
theme, each cell its summary and counts. Word, whose pages are narrow, gives each theme
a table of its groups (group narrow, summary wide). The provenance sits in the file (front
matter, an About sheet, the document's properties and a short closing note), never a local path.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...analysis.framework import Framework
from ..masking import Masker
from .formats import add_about_sheet, docx_table, md_escape, new_document, write_front_matter, write_report

FORMATS = ("md", "xlsx", "docx")


def cell_text(matrix: Framework, row: str, code_id: str, masker: Masker) -> str:
    """A cell as it is printed: its summary (masked), then "n passages, m participants" and who edited it."""
    cell = matrix.cells[(row, code_id)]
    if not cell.count and not cell.edit:
        return ""
    counts = f"[{cell.count} passage{'s' * (cell.count != 1)}, {cell.participants} participant{'s' * (cell.participants != 1)}]"
    edited = f" [summary by {cell.edit['author']}, {cell.edit['edited_at'][:10]}]" if cell.edit else ""
    return f"{masker.mask(cell.summary)[0]} {counts}{edited}".strip()


def write_framework(
    matrix: Framework, about: dict[str, Any], masker: Masker, fmt: str, path: str | Path, protect: Sequence[str] = ()
) -> None:
    """Write the matrix whole or not at all."""
    writers = {"md": _markdown, "xlsx": _xlsx, "docx": _docx}
    write_report(path, fmt, writers, (matrix, about, masker), about, not matrix.rows, protect)


def _row_name(matrix: Framework, row: str, masker: Masker) -> str:
    return masker.mask(row)[0] if matrix.by == "participant" else row


def _markdown(matrix: Framework, about: dict[str, Any], masker: Masker, target: Path) -> None:
    lines = write_front_matter(about) + [f"# Framework matrix by {matrix.by}", ""]
    lines.append("| " + " | ".join([md_escape(matrix.by), *(md_escape(label) for _, label in matrix.columns)]) + " |")
    lines.append("|" + "---|" * (len(matrix.columns) + 1))
    for row in matrix.rows:
        cells = [md_escape(cell_text(matrix, row, code_id, masker)).replace("\n", " ") for code_id, _ in matrix.columns]
        lines.append("| " + " | ".join([md_escape(_row_name(matrix, row, masker)), *cells]) + " |")
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _xlsx(matrix: Framework, about: dict[str, Any], masker: Masker, target: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from ..writer import safe_row

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Framework"
    sheet.append(safe_row([matrix.by, *(label for _, label in matrix.columns)]))
    for row in matrix.rows:
        sheet.append(
            safe_row([_row_name(matrix, row, masker), *(cell_text(matrix, row, c, masker) for c, _ in matrix.columns)])
        )
    sheet.column_dimensions["A"].width = 22
    for index in range(len(matrix.columns)):
        sheet.column_dimensions[sheet.cell(1, index + 2).column_letter].width = 60
    for line in sheet.iter_rows():
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B2"
    add_about_sheet(workbook, about)
    workbook.save(target)


def _docx(matrix: Framework, about: dict[str, Any], masker: Masker, target: Path) -> None:
    document = new_document(f"Framework matrix by {matrix.by}")
    properties = document.core_properties
    properties.title, properties.author = about["title"], about["made_with"]
    properties.comments = (
        f"codebook “{about['codebook']}” version {about['codebook_version']}; made {about['made_at']}; "
        f"rows {matrix.by}, columns {matrix.level}s; identifiers masked: {masker.total}"
    )[:255]
    for code_id, label in matrix.columns:
        rows = [(_row_name(matrix, row, masker), cell_text(matrix, row, code_id, masker)) for row in matrix.rows]
        rows = [r for r in rows if r[1]]
        if not rows:
            continue
        document.add_heading(label, level=1)
        docx_table(document, [matrix.by.capitalize(), "Summary"], rows, (1.5, 5.0))
    document.add_paragraph(
        f"Made {about['made_at'][:10]} with {about['made_with']}, codebook “{about['codebook']}” "
        f"version {about['codebook_version']}; summaries are sentences from the cell's coded passages "
        "unless marked as written by a researcher."
    )
    document.save(target)
