"""Frequency tables as files: how many participants in each group raised each theme and code.

CSV holds the long table (one row per group and code, every count); XLSX, Markdown
and Word show it wide, as a report prints it: a row per theme and code, a column
per group ("n of m"), the total last.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..writer import safe_row
from .formats import (
    EMPTY,
    add_about_sheet,
    docx_table,
    md_escape,
    new_document,
    provenance_sentence,
    write_front_matter,
    write_report,
)
from .tables import describe_filters

if TYPE_CHECKING:
    import pandas as pd

PARTICIPANTS = "Participants raising each theme and code (n of m)"
SEGMENTS = "Segments coded with each theme and code"


def write_frequencies(
    frame: pd.DataFrame, by: list[str], about: dict[str, Any], fmt: str, path: str | Path, protect: Sequence[str] = ()
) -> None:
    """Write a frequency table (from `theme_frequencies(level="code", totals=True)`) in `fmt`, whole or not at all."""
    write_report(
        path,
        fmt,
        {"csv": _csv, "xlsx": _xlsx, "md": _markdown, "docx": _docx},
        (frame, by, about),
        about,
        empty=frame.empty,
        protect=protect,
    )


def wide(frame: pd.DataFrame, by: list[str], value: str) -> tuple[list[str], list[list[Any]]]:
    """(header, rows) with a row per code and a column per group holding `value`."""
    groups = list(dict.fromkeys(tuple(row) for row in frame[by].itertuples(index=False))) if by else [()]
    cells = {(tuple(r[b] for b in by), r["code_id"]): r[value] for r in frame.to_dict("records")}
    codes = list(dict.fromkeys(zip(frame["code_id"], frame["label"], frame["depth"])))
    header = ["theme or code", "id", "level", *[" / ".join(map(str, g)) or "All" for g in groups]]
    rows = [
        [label, code_id, "theme" if depth == 0 else "code", *[cells.get((g, code_id), "") for g in groups]]
        for code_id, label, depth in codes
    ]
    return header, rows


def _empty_note(about: dict[str, Any]) -> str:
    return EMPTY.format(what="documents", filters=describe_filters(about["filters"]))


def _csv(frame: pd.DataFrame, by: list[str], about: dict[str, Any], path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(safe_row(frame.columns))
        writer.writerows(safe_row(row) for row in frame.itertuples(index=False))


def _xlsx(frame: pd.DataFrame, by: list[str], about: dict[str, Any], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    if frame.empty:
        workbook.create_sheet("No data").append(safe_row([_empty_note(about)]))
    sheets = (
        [
            ("Participants", *wide(frame, by, "n_of_m")),
            ("Segments", *wide(frame, by, "segments")),
            ("Table", list(frame.columns), frame.values.tolist()),
        ]
        if not frame.empty
        else []
    )
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append(safe_row(header))
        for row in rows:
            sheet.append(safe_row(row))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        sheet.column_dimensions["A"].width = 45
        for column in range(2, len(header) + 1):
            sheet.column_dimensions[sheet.cell(1, column).column_letter].width = max(
                12, min(30, len(str(header[column - 1])) + 2)
            )
    add_about_sheet(workbook, about)
    workbook.save(path)


def _markdown_table(header: list[str], rows: list[list[Any]]) -> list[str]:
    def cell(value: Any) -> str:
        return md_escape(str(value)).replace("\n", " ")

    lines = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        text = [cell(v) for v in row]
        text[1] = f"`{row[1]}`"
        if row[2] == "theme":
            text[0] = f"**{text[0]}**"
        lines.append("| " + " | ".join(text) + " |")
    return lines


def _markdown(frame: pd.DataFrame, by: list[str], about: dict[str, Any], path: Path) -> None:
    lines = write_front_matter(about) + ["# Theme frequencies", ""]
    if frame.empty:
        lines += [md_escape(_empty_note(about)), ""]
    else:
        lines += [f"## {PARTICIPANTS}", "", *_markdown_table(*wide(frame, by, "n_of_m")), ""]
        lines += [f"## {SEGMENTS}", "", *_markdown_table(*wide(frame, by, "segments")), ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def _docx(frame: pd.DataFrame, by: list[str], about: dict[str, Any], path: Path) -> None:
    from docx.enum.section import WD_ORIENT

    document = new_document("Theme frequencies")
    section = document.sections[0]
    section.orientation, section.page_width, section.page_height = (
        WD_ORIENT.LANDSCAPE,
        section.page_height,
        section.page_width,
    )
    if frame.empty:
        document.add_paragraph(_empty_note(about))
    for title, value in ((PARTICIPANTS, "n_of_m"), (SEGMENTS, "segments")):
        if frame.empty:
            break
        header, rows = wide(frame, by, value)
        document.add_heading(title, level=1)
        groups = len(header) - 3
        docx_table(
            document,
            header,
            rows,
            widths=(2.6, 1.6, 0.7, *[max(0.6, 4.5 / max(groups, 1))] * groups),
            italic_first=False,
        )
    document.add_paragraph(provenance_sentence(about))
    document.save(path)
