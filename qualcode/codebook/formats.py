"""Codebooks teams bring that are not YAML or REFI-QDA: spreadsheets, QualCoder's plain-text list, Taguette CSV.

A spreadsheet (.xlsx or .csv) names each code by a path column (`Parent > Child` as
MAXQDA and NVivo write it, or `Parent\\Child`) or by a name column with a parent
column; description (or memo, definition), colour and GUID columns are read where
present, and the columns qualcode's own codebook sheet writes (id, include, exclude,
examples, keywords) come back whole. Taguette's CSV (`tag`, `description`) is such a
spreadsheet. QualCoder's list has one code per line, its categories before it joined
by `>>`, and an optional memo after a tab. Parent codes a path names but no row
defines are made, with no definition.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from unidecode import unidecode

from ..errors import CodebookError
from ..words import count
from .model import COLOUR_PATTERN, GUID_PATTERN, ID_PATTERN, Code, Codebook

PATH_COLUMNS = ("code path", "path", "code", "tag", "name", "code name", "label", "codes")
PARENT_COLUMNS = ("parent", "parent code", "category")
TEXT_COLUMNS = {
    "definition": ("definition", "description", "memo", "code memo", "comment"),
    "include": ("include",),
    "exclude": ("exclude",),
    "examples": ("examples", "example"),
    "keywords": ("keywords",),
}
OTHER_COLUMNS = {"id": ("id", "code id"), "colour": ("colour", "color"), "guid": ("guid",)}
PATH_SEPARATOR = re.compile(r"\s*(?:>>|>|\\)\s*")
FORMULA_QUOTED = re.compile(r"^'[=+\-@\t\r]")
SHEET_COLUMNS = ["code", "id", "definition", "include", "exclude", "examples", "keywords", "colour", "guid"]


@dataclass
class ReadCodebook:
    """A codebook read from a team's file, with what reading had to repair or leave out."""

    codebook: Codebook
    notes: list[str] = field(default_factory=list)


@dataclass
class _Row:
    path: list[str]
    line: int
    fields: dict[str, str]


def read_spreadsheet(path: str | Path, name: str | None = None) -> ReadCodebook:
    """A codebook from an .xlsx or .csv with a path (or name and parent) column."""
    path = Path(path)
    tables = _xlsx_tables(path) if path.suffix.lower() == ".xlsx" else [("", _csv_rows(path))]
    usable = [(sheet, rows, _columns(rows[0])) for sheet, rows in tables if rows]
    usable = [(sheet, rows, columns) for sheet, rows, columns in usable if "path" in columns]
    if not usable:
        raise CodebookError(
            f"{path}: has no column naming the codes; give the first row a `Code` column "
            "(paths such as `Parent > Child`) or `Name` and `Parent` columns."
        )
    sheet, rows, columns = max(usable, key=lambda found: len(found[2]))
    where = f"{path}" + (f" (sheet {sheet})" if sheet and len(tables) > 1 else "")
    parsed = [
        _Row(_path_of(row, columns), line, {key: _cell(row, index) for key, index in columns.items()})
        for line, row in enumerate(rows[1:], start=2)
        if _cell(row, columns["path"])
    ]
    if "parent" in columns:
        parents = {row.fields["path"]: row.fields.get("parent", "") for row in parsed}
        for row in parsed:
            row.path = _ancestry(row.fields["path"], parents)
    return _build(parsed, name or path.stem, where)


def read_qualcoder_list(path: str | Path, name: str | None = None) -> ReadCodebook:
    """A codebook from QualCoder's plain-text list: `category>>code`, a tab, then an optional memo."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise CodebookError(f"{path}: is not UTF-8 text; save the code list as UTF-8 and import it again.") from None
    rows = []
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        code_path, _, memo = raw.partition("\t")
        rows.append(
            _Row([part.strip() for part in code_path.split(">>") if part.strip()], line, {"definition": memo.strip()})
        )
    if not rows:
        raise CodebookError(f"{path}: holds no codes; write one code per line, categories before it joined by `>>`.")
    return _build(rows, name or path.stem, str(path))


def looks_like_qualcoder_list(text: str) -> bool:
    """Whether a text reads as QualCoder's code list (no YAML mapping, `>>` paths or single names per line)."""
    lines = [line for line in text.splitlines() if line.strip()]
    return bool(lines) and not any(
        re.match(r"^\s*[A-Za-z_]+\s*:(\s|$)", line) or line.lstrip().startswith("- ") for line in lines
    )


def spreadsheet_rows(codebook: Codebook) -> list[dict[str, Any]]:
    """The codebook as rows of qualcode's codebook sheet (path, id and every field), parents first."""
    rows = []
    for theme in codebook.themes():
        for code in [theme, *codebook.descendants(theme.id)]:
            rows.append(
                {
                    "code": code_path(codebook, code.id),
                    "id": code.id,
                    "definition": code.definition,
                    "include": code.include,
                    "exclude": code.exclude,
                    "examples": "\n".join(code.examples),
                    "keywords": "\n".join(code.keywords),
                    "colour": code.colour or "",
                    "guid": code.guid or "",
                }
            )
    return rows


def taguette_rows(codebook: Codebook) -> list[dict[str, Any]]:
    """The codebook as Taguette's codebook CSV rows: `tag` (the code's path) and `description`."""
    return [{"tag": row["code"], "description": row["definition"]} for row in spreadsheet_rows(codebook)]


def code_path(codebook: Codebook, code_id: str) -> str:
    """A code's labels from its theme down, joined by ` > ` (a `>` inside a label is written `›`)."""
    labels = []
    current: str | None = code_id
    while current:
        code = codebook.get(current)
        labels.append(code.label.replace(">", "›").replace("\\", "/"))
        current = code.parent
    return " > ".join(reversed(labels))


def duplicate_labels(codebook: Codebook) -> dict[str, list[str]]:
    """Labels (compared without case) that more than one code carries, with the ids of those codes."""
    found: dict[str, list[str]] = {}
    for code in codebook.codes:
        found.setdefault((code.label or code.id).strip().casefold(), []).append(code.id)
    return {codebook.get(ids[0]).label: ids for ids in found.values() if len(ids) > 1}


# -- reading helpers ---------------------------------------------------------------------------
def _xlsx_tables(path: Path) -> list[tuple[str, list[list[Any]]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise CodebookError(
            f"{path}: is not an Excel workbook (.xlsx) qualcode can open; save it again as .xlsx or .csv."
        ) from None
    try:
        return [
            (
                sheet.title,
                [list(row) for row in sheet.iter_rows(values_only=True) if any(c not in (None, "") for c in row)],
            )
            for sheet in workbook.worksheets
        ]
    finally:
        workbook.close()


def _csv_rows(path: Path) -> list[list[Any]]:
    """A codebook spreadsheet saved as CSV: UTF-8, else Windows-1252 (as Excel saves it), else refused."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise CodebookError(
                f"{path}: cannot tell its text encoding (not UTF-8 or Windows-1252); "
                "save it from the spreadsheet as CSV UTF-8 and import it again."
            ) from None
    dialect: type[csv.Dialect] = csv.excel
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        pass
    return [row for row in csv.reader(io.StringIO(text), dialect) if any(cell.strip() for cell in row)]


def _columns(header: list[Any]) -> dict[str, int]:
    """Which column holds what, by header name (case and spacing ignored; the first match wins)."""
    names = [re.sub(r"\s+", " ", str(cell or "")).strip().lower() for cell in header]
    found: dict[str, int] = {}
    wanted = {"path": PATH_COLUMNS, "parent": PARENT_COLUMNS, **TEXT_COLUMNS, **OTHER_COLUMNS}
    for key, options in wanted.items():
        index = next((names.index(option) for option in options if option in names), None)
        if index is not None and index not in found.values():
            found[key] = index
    return found


def _cell(row: list[Any], index: int | None) -> str:
    if index is None or index >= len(row) or row[index] is None:
        return ""
    value = str(row[index]).replace("\r\n", "\n").strip()
    return value[1:] if FORMULA_QUOTED.match(value) else value


def _path_of(row: list[Any], columns: dict[str, int]) -> list[str]:
    return [part for part in PATH_SEPARATOR.split(_cell(row, columns["path"])) if part]


def _ancestry(name: str, parents: dict[str, str]) -> list[str]:
    """A code's path through a parent column (a loop is cut where it closes)."""
    chain = [name]
    while parents.get(chain[0]) and parents[chain[0]] not in chain:
        chain.insert(0, parents[chain[0]])
    return chain


def _build(rows: Iterable[_Row], name: str, where: str) -> ReadCodebook:
    """Codes from rows of paths and fields: ids from the id column or the label, parents made when missing."""
    notes: list[str] = []
    codes: dict[tuple[str, ...], Code] = {}
    used: set[str] = set()
    made: list[tuple[str, ...]] = []
    for row in rows:
        path = tuple(row.path)
        if not path:
            continue
        for depth in range(1, len(path)):
            if path[:depth] not in codes:
                codes[path[:depth]] = _code(path[:depth], {}, codes, used, where, row.line, notes)
                made.append(path[:depth])
        if path in made:  # a parent made from an earlier path, defined by this row
            made.remove(path)
            used.discard(codes[path].id)
            codes[path] = replace(_code(path, row.fields, codes, used, where, row.line, notes), id=codes[path].id)
            used.add(codes[path].id)
        elif path in codes:
            notes.append(f"{where}, line {row.line}: repeats the code `{' > '.join(path)}`; kept once (the first row)")
        else:
            codes[path] = _code(path, row.fields, codes, used, where, row.line, notes)
    if made:
        shown = ", ".join(" > ".join(path) for path in made[:5]) + (" …" if len(made) > 5 else "")
        notes.append(
            f"{count(len(made), 'parent code')} named only in paths {'was' if len(made) == 1 else 'were'} made with no definition: {shown}"
        )
    return ReadCodebook(Codebook(name=name, codes=list(codes.values())), notes)


def _code(
    path: tuple[str, ...],
    fields: dict[str, str],
    codes: dict[tuple[str, ...], Code],
    used: set[str],
    where: str,
    line: int,
    notes: list[str],
) -> Code:
    parent = codes[path[:-1]].id if len(path) > 1 else None
    wanted = fields.get("id", "")
    code_id = wanted if ID_PATTERN.match(wanted) and wanted not in used else unique_id(path[-1], used)
    used.add(code_id)
    colour = fields.get("colour") or None
    if colour and not COLOUR_PATTERN.match(colour):
        notes.append(f"{where}, line {line}: colour `{colour}` is not #RGB or #RRGGBB; left out")
        colour = None
    guid = fields.get("guid") or None
    return Code(
        id=code_id,
        label=path[-1],
        parent=parent,
        colour=colour,
        guid=guid if guid and GUID_PATTERN.match(guid) else None,
        definition=fields.get("definition", ""),
        include=fields.get("include", ""),
        exclude=fields.get("exclude", ""),
        examples=_items(fields.get("examples", "")),
        keywords=_items(fields.get("keywords", "")),
    )


def _items(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split("\n") if item.strip())


def unique_id(name: str, used: set[str]) -> str:
    """A lower_snake_case id made from a name (transliterated), not yet in `used`."""
    base = re.sub(r"[^a-z0-9]+", "_", unidecode(name).lower()).strip("_")[:60].rstrip("_") or "code"
    if not base[0].isalpha():
        base = f"code_{base}"
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}_{n}", n + 1
    return candidate
