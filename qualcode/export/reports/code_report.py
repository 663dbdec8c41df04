"""The code report (what NVivo calls a node report): every passage coded with one code or theme.

Across documents, with speaker, role, coder and the memos on the coding or its
segment; identifiers masked in quotes, speakers and memos like every export. Written
as CSV (with FILE.about.json), XLSX, Markdown or Word by the shared report pieces.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...analysis import coded_quotes
from ...codebook import did_you_mean
from ...errors import UnknownCodeError
from ...store import Store
from ..masking import Masker, masker_for
from ..writer import safe_row
from .formats import (
    add_about_sheet,
    docx_table,
    md_escape,
    new_document,
    provenance_sentence,
    quote_block,
    write_front_matter,
    write_report,
)
from .tables import describe_filters, provenance

COLUMNS = ["document_id", "role", "speaker", "code_id", "code", "coder", "status", "quote", "memos"]
WIDTHS = {
    "document_id": 12,
    "role": 18,
    "speaker": 12,
    "code_id": 20,
    "code": 26,
    "coder": 10,
    "status": 10,
    "quote": 80,
    "memos": 50,
}


@dataclass
class CodeReport:
    """The passages of a code report, what it was made from, and what was masked."""

    title: str
    rows: list[dict[str, Any]]
    about: dict[str, Any]
    masker: Masker


def code_report(
    store: Store,
    code_id: str,
    where: dict[str, list[str]] | None = None,
    coders: list[str] | None = None,
    statuses: tuple[str, ...] = ("accepted",),
    mask: bool = True,
) -> CodeReport:
    """Every passage coded with `code_id` or a code under it, in document order, masked."""
    codebook = store.codebook()
    if code_id not in codebook:
        raise UnknownCodeError(f"code `{code_id}` is not in the codebook{did_you_mean(code_id, codebook.ids())}.")
    records = coded_quotes(
        store, code_ids=[code_id], where=where or None, statuses=statuses, coders=coders or None, codebook=codebook
    )
    records.sort(key=lambda r: (r["document_id"], r["start"], r["code_id"]))
    wanted = {r["document_id"] for r in records}  # one read of the segments, not one per document
    speakers = {s["id"]: s["speaker"] for s in store.segments() if s["document_id"] in wanted}
    notes = _memos_by_target(store)
    masker = masker_for(store, mask)
    rows = []
    for record in records:
        memos = notes.get(("coding", record["coding_id"]), []) + notes.get(("segment", record["segment_id"]), [])
        rows.append(
            {
                key: masker.mask_value(value)
                for key, value in {  # who, where and what: all masked
                    "document_id": record["document_id"],
                    "role": record["role"],
                    "speaker": speakers.get(record["segment_id"], ""),
                    "code_id": record["code_id"],
                    "code": record["code_label"],
                    "coder": record["coder"],
                    "status": record["status"],
                    "quote": record["quote"],
                    "memos": "\n".join(memos),
                }.items()
            }
        )
    title = f"Code report: {codebook.get(code_id).label}"
    filters = {"code": code_id, "status": list(statuses), "coder": coders or [], "where": where or {}}
    about = masker.mask_about(provenance(store, title, filters, len(rows), codebook))
    about["masking"] = {"masked": masker.total, "identifiers": len(masker.identifiers), "applied": mask}
    return CodeReport(title, rows, about, masker)


def _memos_by_target(store: Store) -> dict[tuple[str, int], list[str]]:
    found: dict[tuple[str, int], list[str]] = {}
    for memo in store.memos():
        text = f"{memo['coder']} ({memo['created_at'][:10]}): {memo['text']}"
        if memo["coding_id"] is not None:
            found.setdefault(("coding", memo["coding_id"]), []).append(text)
        elif memo["segment_id"] is not None:
            found.setdefault(("segment", memo["segment_id"]), []).append(text)
    return found


def write_code_report(report: CodeReport, fmt: str, path: str | Path, protect: Sequence[str] = ()) -> None:
    """Write the report as csv, xlsx, md or docx through the guarded writer (whole or not at all, never over the store)."""
    write_report(
        path,
        fmt,
        {"csv": _csv, "xlsx": _xlsx, "md": _markdown, "docx": _docx},
        (report,),
        report.about,
        empty=not report.rows,
        protect=protect,
    )


def _csv(report: CodeReport, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(safe_row([row.get(c) for c in COLUMNS]) for row in report.rows)


def _xlsx(report: CodeReport, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Passages"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in report.rows:
        sheet.append(safe_row([row[c] for c in COLUMNS]))
    for i, column in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + i)].width = WIDTHS[column]
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    add_about_sheet(workbook, report.about)
    workbook.save(path)


def _markdown(report: CodeReport, path: Path) -> None:
    lines = [*write_front_matter(report.about), f"# {md_escape(report.title)}", ""]
    if not report.rows:
        lines.append(f"No passages match this selection (filters: {describe_filters(report.about['filters'])}).")
    document = None
    for row in report.rows:
        if row["document_id"] != document:
            document = row["document_id"]
            lines += [f"## {md_escape(document)}" + (f" · {md_escape(row['role'])}" if row["role"] else ""), ""]
        lines += quote_block(row["quote"])
        lines += [
            "",
            f"*{md_escape(row['speaker'])} · {md_escape(row['code'])} · {md_escape(row['coder'])}, {row['status']}*",
            "",
        ]
        for memo in row["memos"].split("\n") if row["memos"] else []:
            lines += [f"Memo: {md_escape(memo)}", ""]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _docx(report: CodeReport, path: Path) -> None:
    document = new_document(report.title)
    header = ["Quote", "Document", "Speaker", "Role", "Code", "Coder", "Memos"]
    rows = [
        [r["quote"], r["document_id"], r["speaker"], r["role"], r["code"], r["coder"], r["memos"]] for r in report.rows
    ]
    if rows:
        docx_table(document, header, rows, [2.6, 0.7, 0.7, 0.9, 1.0, 0.6, 1.4])
    else:
        document.add_paragraph(
            f"No passages match this selection (filters: {describe_filters(report.about['filters'])})."
        )
    document.add_paragraph(provenance_sentence(report.about))
    document.save(path)
