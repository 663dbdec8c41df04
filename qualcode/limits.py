"""Bounds on what qualcode reads, so hostile or broken input is refused in one sentence, not by the machine.

Every file a researcher hands over (transcript, codebook, CSV, .docx, .qdpx) is
checked against a size limit before it is read whole, archive members are read with
a cap while they are decompressed, YAML is read without anchors and aliases (the
"billion laughs" of YAML) and with a nesting limit, and text is checked for what a
store cannot hold (lone surrogates, NUL bytes). Each limit has a default that no real
interview reaches and an environment variable that raises it; the error names both.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import yaml

from .errors import QualcodeError, SettingError

MB = 1024 * 1024
FILE_LIMIT = ("QUALCODE_MAX_FILE_MB", 20)  # one transcript, CSV, codebook, or one member of a .docx / .qdpx
PROJECT_LIMIT = ("QUALCODE_MAX_PROJECT_MB", 500)  # everything read from one .qdpx
PARAGRAPH_LIMIT = ("QUALCODE_MAX_PARAGRAPH_CHARS", 1_000_000)  # spaCy's own limit on one text
DEPTH_LIMIT = ("QUALCODE_MAX_DEPTH", 100)  # nesting of YAML, XML and codebook parent chains
CSV_FIELD_LIMIT = ("QUALCODE_MAX_CSV_FIELD_KB", 1024)
SAFE_ID = re.compile(r"[^\x00-\x1f\x7f/\\]{1,200}")
BINARY_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"%PDF",
    b"PK\x03\x04",
    b"\x7fELF",
    b"MZ",
    b"\x1f\x8b",
    b"BZh",
    b"7z\xbc\xaf",
    b"Rar!",
    b"SQLite format 3\x00",
    b"\xd0\xcf\x11\xe0",
)


def limit(setting: tuple[str, int]) -> int:
    """The value of a limit: its environment variable when set to a positive number, else its default."""
    name, default = setting
    try:
        value = int(os.environ.get(name, "") or default)
    except ValueError:
        raise SettingError(
            f"the environment variable {name} must be a whole number (it is `{os.environ[name]}`)."
        ) from None
    return value if value > 0 else default


def raise_hint(setting: tuple[str, int], unit: str = "") -> str:
    """How to raise a limit, for the end of an error sentence."""
    return f"the limit is {limit(setting)}{unit}; set the environment variable {setting[0]} to raise it"


def check_file_size(path: str | Path, error: type[QualcodeError], what: str = "file") -> None:
    """Refuse a file larger than the file limit before any of it is read."""
    size = Path(path).stat().st_size
    if size > limit(FILE_LIMIT) * MB:
        raise error(
            f"{path}: the {what} is {size / MB:.0f} MB, too large to read ({raise_hint(FILE_LIMIT, ' MB')}), "
            "or split it into smaller files."
        )


def read_bytes(path: str | Path, error: type[QualcodeError], what: str = "file") -> bytes:
    """The bytes of a file, refused when it is over the size limit."""
    check_file_size(path, error, what)
    return Path(path).read_bytes()


def refuse_binary(data: bytes, path: str | Path, error: type[QualcodeError]) -> None:
    """Refuse bytes that are an image, archive, program or other non-text file, whatever the file is called."""
    if any(data.startswith(magic) for magic in BINARY_MAGIC):
        raise error(
            f"{path}: is not a text file (its content is binary, such as an image or archive); "
            "export the interview as plain text and import that."
        )
    sample = data[:8192]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return
    if b"\x00" in sample and not (
        sample.count(b"\x00") > len(sample) // 4
    ):  # UTF-16 is full of zero bytes; stray NULs are binary
        raise error(
            f"{path}: holds NUL bytes, so it is not a text file; export the interview as plain text and import that."
        )


def refuse_surrogates(text: str, path: str | Path, error: type[QualcodeError]) -> None:
    """Refuse text holding a lone UTF-16 surrogate, which no store can save."""
    match = re.search("[\ud800-\udfff]", text)
    if match:
        line = text.count("\n", 0, match.start()) + 1
        raise error(
            f"{path}, line {line}: holds a broken character (a lone UTF-16 surrogate, U+{ord(match.group()):04X}); "
            "remove it or re-save the file as UTF-8."
        )


def refuse_long_paragraphs(text: str, path: str | Path, error: type[QualcodeError]) -> None:
    """Refuse a paragraph longer than the language pipeline can read at once."""
    most = limit(PARAGRAPH_LIMIT)
    if len(text) <= most:
        return
    start = 0
    for match in re.finditer(r"\n[ \t]*\n", text):
        if match.start() - start > most:
            break
        start = match.end()
    else:
        if len(text) - start <= most:
            return
    line = text.count("\n", 0, start) + 1
    raise error(
        f"{path}, line {line}: a paragraph is over {most:,} characters without a blank line "
        f"({raise_hint(PARAGRAPH_LIMIT, ' characters')}); break it into paragraphs."
    )


def check_document_id(document_id: str, path: str | Path, error: type[QualcodeError]) -> str:
    """A document id as given, refused when it holds a path separator, a control character or `..` alone."""
    if not SAFE_ID.fullmatch(document_id) or document_id.strip(". ") == "" or document_id != document_id.strip():
        shown = document_id.encode("unicode_escape").decode("ascii")[:80]
        raise error(
            f"{path}: the document id `{shown}` is not usable (it must be 1 to 200 characters, with no slash, "
            "backslash, line break or control character, and not only dots); give the file another name or `id:`."
        )
    return document_id


# -- YAML ---------------------------------------------------------------------------------
REFUSED_ALIAS = "uses an anchor or alias (&name, *name), which qualcode does not read (they can expand without end); write each value out in full"


class _BoundedLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses anchors and aliases and nesting deeper than the depth limit."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _YamlRefusal(event.start_mark, REFUSED_ALIAS)
        event = self.peek_event()
        if getattr(event, "anchor", None):
            raise _YamlRefusal(event.start_mark, REFUSED_ALIAS)
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > limit(DEPTH_LIMIT):
                raise _YamlRefusal(event.start_mark, f"nests deeper than {raise_hint(DEPTH_LIMIT, ' levels')}")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _YamlRefusal(Exception):
    def __init__(self, mark: Any, reason: str) -> None:
        super().__init__(reason)
        self.mark, self.reason = mark, reason


def compose_yaml(
    text: str, label: str, error: type[QualcodeError], first_line: int = 1, construct: bool = False
) -> Any:
    """The YAML node tree of a text (or its data, with `construct`), refusing aliases, anchors and deep nesting
    with a sentence naming the file and line; a MarkedYAMLError passes through for the caller's line report."""
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        return loader.construct_document(node) if (construct and node is not None) else node
    except _YamlRefusal as refusal:
        raise error(f"{label}, line {refusal.mark.line + first_line}: the YAML {refusal.reason}.") from None
    except RecursionError:
        raise error(f"{label}: the YAML nests too deeply to read ({raise_hint(DEPTH_LIMIT, ' levels')}).") from None
    finally:
        loader.dispose()


def load_yaml(text: str, label: str, error: type[QualcodeError], first_line: int = 1) -> Any:
    """Plain data from YAML text, read with the bounded loader (MarkedYAMLError passes through for line reports)."""
    return compose_yaml(text, label, error, first_line, construct=True)


# -- archives -------------------------------------------------------------------------------
def read_member(
    archive: zipfile.ZipFile, name: str, label: str, error: type[QualcodeError], budget: list[int] | None = None
) -> bytes:
    """One archive member's bytes, decompressed with a cap so a zip bomb is refused before it fills memory."""
    cap = limit(FILE_LIMIT) * MB
    info = archive.getinfo(name)
    if info.file_size > cap:
        raise error(
            f"{label}: the member {name} expands to {info.file_size / MB:.0f} MB ({raise_hint(FILE_LIMIT, ' MB')})."
        )
    try:
        with archive.open(info) as stream:
            data = stream.read(cap + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError, RuntimeError) as problem:
        raise error(
            f"{label}: the member {name} cannot be read ({problem}); the file is damaged, export it again."
        ) from None
    except MemoryError:
        raise
    except Exception as problem:  # zlib.error and other decompressor failures
        raise error(
            f"{label}: the member {name} cannot be read ({type(problem).__name__}); the file is damaged, export it again."
        ) from None
    if len(data) > cap:
        raise error(
            f"{label}: the member {name} expands past {limit(FILE_LIMIT)} MB ({raise_hint(FILE_LIMIT, ' MB')})."
        )
    if budget is not None:
        budget[0] += len(data)
        if budget[0] > limit(PROJECT_LIMIT) * MB:
            raise error(
                f"{label}: its members expand past {limit(PROJECT_LIMIT)} MB in all "
                f"({raise_hint(PROJECT_LIMIT, ' MB')})."
            )
    return data


def check_archive(path: str | Path, error: type[QualcodeError], what: str) -> None:
    """Refuse a zip (.docx) whose members would expand past the limits, before a library reads it whole."""
    try:
        with zipfile.ZipFile(path) as archive:
            total = 0
            for info in archive.infolist():
                if info.file_size > limit(FILE_LIMIT) * MB:
                    raise error(
                        f"{path}: the {what} holds {info.filename}, which expands to {info.file_size / MB:.0f} MB "
                        f"({raise_hint(FILE_LIMIT, ' MB')})."
                    )
                total += info.file_size
            if total > limit(PROJECT_LIMIT) * MB:
                raise error(f"{path}: the {what} expands to {total / MB:.0f} MB ({raise_hint(PROJECT_LIMIT, ' MB')}).")
            for info in archive.infolist():
                if info.filename.endswith(".xml") or info.filename.endswith(".rels"):
                    head = read_member(archive, info.filename, str(path), error)[
                        :4096
                    ]  # every member decompresses, with a cap
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise error(
                            f"{path}: its {info.filename} declares XML entities (a DOCTYPE), which Word never writes "
                            "and qualcode refuses to read; open and re-save the file in Word."
                        )
    except (zipfile.BadZipFile, OSError) as problem:
        raise error(f"{path}: is not a readable {what} ({problem}); open and re-save it.") from None


# -- CSV ------------------------------------------------------------------------------------
UNCLOSED_QUOTE = "unexpected end of data"  # what the csv module says of a quoted cell never closed


class CsvRows(csv.DictReader):
    """A strict DictReader that remembers the line where the row it is reading starts (where a bad quote opens)."""

    row_start = 1

    def __next__(self) -> dict[Any, Any]:
        self.row_start = self.reader.line_num + 1
        _ = self.fieldnames  # the header is read first, so the row's start is known
        self.row_start = self.reader.line_num + 1
        return super().__next__()


def csv_rows(text: str, path: str | Path, error: type[QualcodeError]) -> CsvRows:
    """A DictReader over CSV text with the field size limit set from the environment (a cell over it raises csv.Error).

    Strict, so a quoted cell that is never closed raises csv.Error instead of swallowing every later row.
    """
    csv.field_size_limit(limit(CSV_FIELD_LIMIT) * 1024)
    return CsvRows(io.StringIO(text), strict=True)


def csv_error_line(problem: csv.Error, reader: CsvRows) -> int:
    """The line to name for a CSV error: where the row opens for an unclosed quote, else the line being read."""
    return reader.row_start if UNCLOSED_QUOTE in str(problem) else reader.line_num + 1


def csv_field_error(problem: csv.Error, path: str | Path, line: int, error: type[QualcodeError]) -> QualcodeError:
    """The sentence for a CSV the csv module could not split (a field over the limit, a NUL)."""
    if "field larger than field limit" in str(problem):
        return error(
            f"{path}, line {line}: a cell is longer than {limit(CSV_FIELD_LIMIT)} KB "
            f"({raise_hint(CSV_FIELD_LIMIT, ' KB')}); check the quotes in that row are closed."
        )
    if UNCLOSED_QUOTE in str(problem):
        return error(
            f"{path}, line {line}: a quoted cell that opens in this row is never closed, so every later row "
            'would be read into it; close the quote (a quote inside a cell is written twice, "") and save the file again.'
        )
    return error(
        f"{path}, line {line}: the CSV cannot be read ({problem}); check its quoting and save it again as CSV."
    )


def refuse_surrogates_in(data: Any, label: str, error: type[QualcodeError]) -> None:
    """Refuse parsed YAML data (strings in lists and mappings, already depth-limited) holding a lone surrogate."""
    if isinstance(data, str):
        found = re.search("[\ud800-\udfff]", data)
        if found:
            raise error(
                f"{label}: a value holds a broken character (a lone UTF-16 surrogate, U+{ord(found.group()):04X}, "
                f"in `{data[:40].encode('unicode_escape').decode('ascii')}`); remove it."
            )
    elif isinstance(data, dict):
        for key, value in data.items():
            refuse_surrogates_in(key, label, error)
            refuse_surrogates_in(value, label, error)
    elif isinstance(data, list):
        for value in data:
            refuse_surrogates_in(value, label, error)
