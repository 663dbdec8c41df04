"""Fast worksheet rows for large XLSX quote tables.

openpyxl builds the workbook (sheets, styles, frozen header, widths, the About sheet)
but spends about six microseconds on every cell it writes, a quarter of a minute for
a store of 200,000 codings. So the quote sheets are saved by openpyxl with their
header only, and their data rows are then streamed into a copy of the saved file as
the same XML openpyxl writes (inline strings, numbers, the quote column's wrap
style), as the Word writer does for its table rows.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from defusedxml import ElementTree as SafeTree

from ..writer import FORMULA_LEADS, PLAIN_NUMBER
from .formats import XML_ILLEGAL

FORMULA_START = frozenset(FORMULA_LEADS)

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"\s*/>')
CHUNK_ROWS = 2000


def column_letters(count: int) -> list[str]:
    """Spreadsheet column names A, B, ... for `count` columns."""
    letters = []
    for index in range(1, count + 1):
        name = ""
        while index:
            index, remainder = divmod(index - 1, 26)
            name = chr(65 + remainder) + name
        letters.append(name)
    return letters


def cell_xml(reference: str, value: Any, style: int | None = None) -> str:
    """One `<c>` element: numbers as numbers, text as an inline string; empty for None."""
    if value is None:
        return ""
    styled = f' s="{style}"' if style is not None else ""
    if isinstance(value, bool):
        return f'<c r="{reference}"{styled} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{reference}"{styled} t="n"><v>{value!r}</v></c>'
    text = str(value)
    if text[:1] in FORMULA_START and not PLAIN_NUMBER.fullmatch(text):  # kept as text a spreadsheet will not run
        text = "'" + text
    if not text.isprintable():  # a fast test; most text needs no cleaning
        text = XML_ILLEGAL.sub("", text)
    text = text.translate(_ESCAPES)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{reference}"{styled} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def rows_xml(rows: Iterable[Sequence[Any]], first_row: int, styles: Sequence[int | None]) -> Iterator[str]:
    """`<row>` elements for `rows`, numbered from `first_row`, in chunks of text."""
    letters = column_letters(len(styles))
    chunk: list[str] = []
    for number, values in enumerate(rows, start=first_row):
        cells = "".join(
            cell_xml(f"{letter}{number}", value, style) for letter, value, style in zip(letters, values, styles)
        )
        chunk.append(f'<row r="{number}">{cells}</row>')
        if len(chunk) == CHUNK_ROWS:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def fill_sheets(
    saved: Path, sheets: Mapping[str, tuple[Sequence[Sequence[Any]], Sequence[int | None]]], path: Path
) -> None:
    """Write `path`: the workbook `saved` with data rows appended below the header of named sheets.

    `sheets` maps a sheet name to (rows, style id per column); a style id is a cell's
    `style_id` taken before the workbook was saved, so the style is in the file.
    `path` is the temporary file of the guarded writer, which moves it into place when
    complete, so a failure leaves no half-written workbook at the target.
    """
    parts = _sheet_parts(saved)
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for item in source.infolist():
            name = next((sheet for sheet, part in parts.items() if part == item.filename and sheet in sheets), None)
            if name is None:
                target.writestr(item, source.read(item.filename))
            else:
                rows, styles = sheets[name]
                _write_sheet(source.read(item.filename), rows, styles, target, item.filename)


def _write_sheet(
    header_only: bytes, rows: Sequence[Sequence[Any]], styles: Sequence[int | None], target: zipfile.ZipFile, name: str
) -> None:
    """The sheet's XML with the rows inserted before `</sheetData>` and its dimension widened."""
    last = column_letters(len(styles))[-1]
    head, tail = header_only.split(b"</sheetData>", 1)
    head = _DIMENSION.sub(f'<dimension ref="A1:{last}{len(rows) + 1}"/>'.encode(), head, count=1)
    with target.open(name, "w", force_zip64=True) as handle:
        handle.write(head)
        for text in rows_xml(rows, 2, styles):
            handle.write(text.encode("utf-8"))
        handle.write(b"</sheetData>" + tail)


def _sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name -> its part in the package (xl/worksheets/sheetN.xml), read from the workbook's relationships."""
    with zipfile.ZipFile(path) as package:
        workbook = SafeTree.fromstring(package.read("xl/workbook.xml"))
        relations = SafeTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target") for rel in relations.iter(f"{{{PACKAGE_REL_NS}}}Relationship")}
    parts = {}
    for sheet in workbook.iter(f"{{{MAIN_NS}}}sheet"):
        target = targets[sheet.get(f"{{{REL_NS}}}id")]
        parts[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    return parts
