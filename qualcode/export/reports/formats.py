"""Pieces shared by the report writers: provenance in each format, escaping, fast Word tables."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from .tables import describe_filters

EMPTY = "No {what} match this selection (filters: {filters}); this report is empty."
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MD_ACTIVE = "\\`*_[]<>|~&"
_MD_LINE_START = re.compile(r"^(\s*)(?:([#+=-])|(\d+)([.)]))")
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SHEET_ILLEGAL = re.compile(r"[\[\]:*?/\\]")


def about_path(path: Path) -> Path:
    """The sidecar that records a CSV's provenance: FILE.about.json."""
    return path.with_name(path.name + ".about.json")


def write_report(
    path: str | Path,
    fmt: str,
    writers: dict[str, Callable[..., None]],
    data: tuple[Any, ...],
    about: dict[str, Any],
    empty: bool,
    protect: Sequence[str] = (),
) -> None:
    """Write a report with `writers[fmt](*data, file)`, whole or not at all; a CSV gets its provenance sidecar."""
    from ..writer import atomic_target

    path = Path(path)
    with atomic_target(path, protect) as temporary:
        writers[fmt](*data, temporary)
    if fmt == "csv":
        write_about_json(path, about, empty=empty, protect=protect)


def write_about_json(path: Path, about: dict[str, Any], empty: bool, protect: Sequence[str] = ()) -> None:
    """Write FILE.about.json beside a CSV (whole or not at all), saying so when the table is empty."""
    from ..writer import write_text

    data = dict(about, empty=empty)
    if empty:
        data["note"] = EMPTY.format(what=about["title"].lower(), filters=describe_filters(about["filters"]))
    write_text(about_path(path), json.dumps(data, indent=2, ensure_ascii=False) + "\n", protect)


def write_front_matter(about: dict[str, Any]) -> list[str]:
    """YAML front matter lines (between `---`) recording a Markdown report's provenance."""
    text = yaml.safe_dump(about, sort_keys=False, allow_unicode=True, width=1000)
    return ["---", *text.rstrip("\n").split("\n"), "---", ""]


def provenance_sentence(about: dict[str, Any]) -> str:
    """The closing paragraph of a Word report: store, codebook version, filters, time, masking."""
    text = (
        f"Made {about['made_at']} with {about['made_with']} from the store {about['store']}, codebook "
        f"“{about['codebook']}” version {about['codebook_version']}. Filters: {describe_filters(about['filters'])}. "
    )
    if "selection" in about:
        text += f"Selection: {about['selection']}. "
    text += f"Rows: {about['rows']}."
    masking = about.get("masking")
    if masking:
        text += (
            f" Identifiers masked: {masking['masked']} (from a list of {masking['identifiers']})."
            if masking["applied"]
            else " Identifiers were not masked; the quotes were checked by hand."
        )
    return text


def attribution(row: dict[str, Any]) -> str:
    """Who said a quote and when: participant, role and media time (else the turn and characters), code, coder and status."""
    who = ", ".join(part for part in (row["participant"], row["role"], row.get("media_time")) if part)
    if row.get("media_time"):
        where = ""
    else:
        where = (
            f"unit {row['unit_id']}, "
            if row.get("unit_id")
            else f"turn {row['turn']}, "
            if row["turn"] is not None
            else ""
        )
        where += f"characters {row['start']}–{row['end']}"
    if row["participant"] != row["document_id"]:
        where = f"{row['document_id']}, {where}" if where else row["document_id"]
    decision = f"{row['coder']}, {row['status']}"
    if row["confidence"] is not None:
        decision += f", confidence {row['confidence']:.2f}"
    return " · ".join(part for part in (who, where, row["code_label"], decision) if part)


def report_attribution(row: dict[str, Any]) -> str:
    """Who said a quote, as a report prints it: participant, role and media time (when the transcript has times)."""
    return ", ".join(part for part in (row["participant"], row["role"], row.get("media_time")) if part)


def report_note(about: dict[str, Any]) -> str:
    """The short closing note of a report: what was chosen and masked, the codebook and the day, never a local path."""
    text = f"{about['rows']} quotes"
    if "selection" in about:
        text += f"; {about['selection']}"
    masking = about.get("masking")
    if masking:
        text += (
            f". Identifiers masked: {masking['masked']}"
            if masking["applied"]
            else ". Identifiers were not masked; the quotes were checked by hand"
        )
    return (
        text + f". Codebook “{about['codebook']}” version {about['codebook_version']}; made {about['made_at'][:10]} "
        f"with {about['made_with']}."
    )


def md_escape(text: str) -> str:
    """Text with Markdown's active characters escaped, so it renders as written."""
    for character in _MD_ACTIVE:  # the backslash first, so added ones are not escaped again
        if character in text:
            text = text.replace(character, "\\" + character)
    first = text.lstrip()[:1]
    if first and (first in "#+=-" or first.isdigit()):
        text = _MD_LINE_START.sub(_escape_line_start, text, count=1)
    return text


def _escape_line_start(match: re.Match) -> str:
    """`# x` -> `\\# x`, `12. x` -> `12\\. x`: what would start a heading or list reads as text."""
    indent, mark, number, dot = match.groups()
    return f"{indent}\\{mark}" if mark else f"{indent}{number}\\{dot}"


def quote_block(text: str) -> list[str]:
    """A quote as Markdown block-quote lines, one per line of the quote (indentation dropped)."""
    return [f"> {md_escape(line.strip())}".rstrip() for line in text.split("\n")]


def sheet_title(label: str, used: set[str]) -> str:
    """A worksheet name from a label: legal characters, at most 31, cut between words, unique."""
    words = _SHEET_ILLEGAL.sub(" ", label).split()
    title = ""
    for word in words:
        if len(f"{title} {word}".strip()) > 28:
            break
        title = f"{title} {word}".strip()
    title = title or (words[0][:28] if words else "Theme")
    candidate, n = title, 2
    while candidate.lower() in used or candidate.lower() == "about":
        candidate, n = f"{title} {n}", n + 1
    used.add(candidate.lower())
    return candidate


def add_about_sheet(workbook: Any, about: dict[str, Any]) -> None:
    """An "About" worksheet: one row per provenance field (text that would start a formula kept as text)."""
    from ..writer import safe_row

    sheet = workbook.create_sheet("About")
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 100
    for key, value in about.items():
        if isinstance(value, dict):
            value = describe_filters(value) if key == "filters" else json.dumps(value, ensure_ascii=False)
        sheet.append(safe_row([key, value if isinstance(value, (int, float, str)) else str(value)]))
    if not about.get("rows"):
        sheet.append(
            safe_row(["note", EMPTY.format(what=about["title"].lower(), filters=describe_filters(about["filters"]))])
        )


def new_document(title: str) -> Any:
    """A Word document with a title."""
    from docx import Document

    document = Document()
    document.add_heading(title, level=0)
    return document


def docx_table(
    document: Any,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[float],
    italic_first: bool = True,
    whole_rows: bool = False,
) -> None:
    """Add a bordered table (header row repeated on each page); rows are built as XML in one pass, for speed.

    `whole_rows` keeps each row on one page (a quote is never split across a page break).
    """
    from docx.oxml import parse_xml
    from docx.shared import Inches

    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text, width in zip(table.rows[0].cells, header, widths):
        cell.width = Inches(width)
        cell.paragraphs[0].add_run(text).bold = True
    table.rows[0]._tr.get_or_add_trPr().append(parse_xml(f'<w:tblHeader xmlns:w="{W_NS}"/>'))
    openings = [f'<w:tc><w:tcPr><w:tcW w:w="{int(width * 1440)}" w:type="dxa"/></w:tcPr><w:p><w:r>' for width in widths]
    if italic_first:
        openings[0] += "<w:rPr><w:i/></w:rPr>"
    body = "".join(_row_xml(row, openings, whole_rows) for row in rows)
    if body:
        table._tbl.extend(list(parse_xml(f'<w:tbl xmlns:w="{W_NS}">{body}</w:tbl>')))


def _row_xml(values: Sequence[Any], openings: Sequence[str], whole: bool = False) -> str:
    """One table row: each value in its cell (opened by `openings`), line breaks kept; `whole`: never split by a page break."""
    cells = ["<w:tr><w:trPr><w:cantSplit/></w:trPr>" if whole else "<w:tr>"]
    for value, opening in zip(values, openings):
        text = _xml_text("" if value is None else str(value))
        if "\n" in text:
            text = '</w:t><w:br/><w:t xml:space="preserve">'.join(text.split("\n"))
        cells.append(f'{opening}<w:t xml:space="preserve">{text}</w:t></w:r></w:p></w:tc>')
    cells.append("</w:tr>")
    return "".join(cells)


def _xml_text(text: str) -> str:
    return XML_ILLEGAL.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
