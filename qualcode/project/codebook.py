"""A project's codebook over time, and codebook files in and out.

Every change to the codebook (an edit in the app, `qualcode codebook import`, a merge)
is stored as a new version with its author, time and message; codings keep the
version they were made under. A new version may rename, move or redefine any code,
but may not silently drop a code that codings still use.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..codebook import Codebook, load_codebook
from ..codebook.diff import diff_codebooks
from ..errors import CodebookError, CodesInUseError, StoreError
from ..export.refi.qdc import codebook_to_qdc, read_qdc
from ..store import Store
from ..words import count

VERSION_REF = re.compile(r"^[vV]?([0-9]+)$")
FORMATS = {".qdc": "qdc", ".yaml": "yaml", ".yml": "yaml", ".xlsx": "xlsx", ".csv": "csv"}
READ = (
    "YAML (.yaml, .yml), REFI-QDA codebooks and projects (.qdc, .qdpx), spreadsheets with a Code, Tag or Name "
    "column (.xlsx, .csv) and QualCoder code lists (.txt)"
)


@dataclass
class CodebookFile:
    """A codebook read from a file or a store version, with its YAML text and a name for messages."""

    codebook: Codebook
    text: str
    label: str
    notes: list[str] = field(default_factory=list)


def update_codebook(
    store: Store, codebook: Codebook, author: str = "", message: str = "", source: str | None = None
) -> int:
    """Store `codebook` as the next version and return its number (the current number when nothing changed).

    Refuses, naming the codes and how many codings use them, a codebook that leaves
    out codes which accepted or pending codings still use.
    """
    try:
        current = store.codebook()
    except StoreError:
        return store.add_codebook_version(codebook, author=author, message=message)
    if not diff_codebooks(current, codebook):
        return store.codebook_version()
    removed = [code.id for code in current.codes if code.id not in codebook]
    if removed:
        used = Counter(row["code_id"] for row in store.codings(code_ids=removed, statuses=["accepted", "pending"]))
        if used:
            listed = ", ".join(
                f"`{code_id}` ({n} coding{'s' if n != 1 else ''})" for code_id, n in sorted(used.items())
            )
            raise CodesInUseError(
                f"{source or 'the new codebook'}: leaves out {listed}, still used by accepted or pending codings; "
                "keep those ids (to rename a code change its label, not its id) or recode those codings first."
            )
    return store.add_codebook_version(codebook, author=author, message=message)


def codebook_history(store: Store) -> list[dict[str, Any]]:
    """Every version, oldest first, with its code count and the changes from the version before it."""
    history = store.codebook_versions()
    previous: Codebook | None = None
    for row in history:
        book = store.codebook(row["version"])
        row["changes"] = diff_codebooks(previous, book) if previous is not None else []
        previous = book
    return history


def version_number(ref: str) -> int | None:
    """The store version a reference such as `3` or `v3` names; None when it is a file path."""
    match = VERSION_REF.match(ref.strip())
    return int(match.group(1)) if match and not Path(ref).exists() else None


def stored_codebook(store: Store, version: int | None = None) -> CodebookFile:
    """A store version (default: the current one) with its YAML text."""
    number = version or store.codebook_version()
    book = store.codebook(number)
    return CodebookFile(book, book.to_yaml(), f"version {number}")


def read_codebook_file(path: str | Path, name: str | None = None, allow_empty: bool = False) -> CodebookFile:
    """A codebook from a REFI-QDA .qdc file (by its extension) or else a YAML file, validated.

    With `allow_empty`, an empty file is an empty codebook (git gives a merge driver an
    empty ancestor when both sides added the file).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".csv", ".txt", ".qdpx"):
        return _team_codebook(path, suffix, name)
    if suffix == ".qdc":
        imported = read_qdc(path, name)
        notes = [*imported.notes]
        if imported.categories:
            notes.append(
                f"{imported.categories} folder{'s' if imported.categories != 1 else ''} that could not be coded kept as parent codes, marked not codable"
            )
        if imported.sets:
            notes.append(f"{imported.sets} set{'s' if imported.sets != 1 else ''} kept as code groups")
        return CodebookFile(imported.codebook, imported.codebook.to_yaml(), str(path), notes)
    if allow_empty and path.is_file() and not path.read_bytes().strip():
        return CodebookFile(Codebook(name="", codes=[]), "", str(path))
    if suffix not in (".yaml", ".yml") and path.is_file() and not _is_utf8(path):
        raise CodebookError(f"{path}: is not a codebook qualcode reads; it reads {READ}.")
    try:
        codebook = load_codebook(path)
    except CodebookError as problem:
        if suffix in (".yaml", ".yml") or "must be a mapping" not in str(problem):
            raise
        raise CodebookError(f"{path}: is not a codebook qualcode reads; it reads {READ}.") from None
    return CodebookFile(codebook, path.read_text(encoding="utf-8-sig"), str(path))


def _team_codebook(path: Path, suffix: str, name: str | None) -> CodebookFile:
    """A codebook from a spreadsheet, a QualCoder list or a .qdpx project (its codebook only)."""
    from ..codebook.formats import read_qualcoder_list, read_spreadsheet
    from ..export.refi.qdpx import read_qdpx

    if not path.is_file():
        raise CodebookError(f"{path}: no such file; check the path.")
    if suffix == ".qdpx":
        project = read_qdpx(path, codebook_only=True)
        book = project.codebook if name is None else dataclasses.replace(project.codebook, name=name)
        notes = [*project.notes] + (
            [f"{count(len(book.groups), 'set')} of codes kept as code groups"] if book.groups else []
        )
        return CodebookFile(book, book.to_yaml(), str(path), notes)
    read = read_qualcoder_list(path, name) if suffix == ".txt" else read_spreadsheet(path, name)
    return CodebookFile(read.codebook, read.codebook.to_yaml(), str(path), read.notes)


def _is_utf8(path: Path) -> bool:
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def label_problems(codebook: Codebook, tool: str) -> list[str]:
    """What a tool would get wrong about this codebook (QualCoder merges codes that share a label)."""
    from ..codebook.formats import duplicate_labels

    if tool != "qualcoder":
        return []
    return [
        f"the label `{label}` names {len(ids)} codes ({', '.join(ids)}); QualCoder would merge them, so rename all but one"
        for label, ids in duplicate_labels(codebook).items()
    ]


def export_format(output: str | Path, fmt: str | None) -> str:
    """The format to write: the one asked for, else the one the output file's extension names (never over a store)."""
    from ..export.writer import check_target

    check_target(output)
    if fmt:
        return fmt
    kind = FORMATS.get(Path(output).suffix.lower())
    if kind is None:
        raise CodebookError(
            f"{output}: qualcode cannot write a codebook as {Path(output).suffix or 'a file with no suffix'}; "
            "name a file ending in .qdc, .yaml, .yml, .xlsx or .csv (Taguette's tag, description)."
        )
    return kind


def write_codebook(codebook: Codebook, output: str | Path, fmt: str, protect: Iterable[str | Path | None] = ()) -> None:
    """Write a codebook as REFI-QDA .qdc, qualcode YAML, an editable .xlsx sheet or Taguette's CSV, through the guarded writer."""
    from ..export.writer import write_bytes

    if fmt in ("xlsx", "csv"):
        from ..codebook.formats import SHEET_COLUMNS, spreadsheet_rows, taguette_rows
        from ..export.writer import write_table

        rows, columns = (
            (spreadsheet_rows(codebook), SHEET_COLUMNS)
            if fmt == "xlsx"
            else (taguette_rows(codebook), ["tag", "description"])
        )
        write_table(rows, columns, fmt, output, protect)
        return
    data = codebook_to_qdc(codebook) if fmt == "qdc" else codebook.to_yaml().encode("utf-8")
    write_bytes(output, data, protect)
