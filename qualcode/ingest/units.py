"""Tables of units (survey answers, passages already cut): a CSV row per unit, read as one transcript per document.

A units table has a `text` column and a document column (`document_id`, `respondent`,
...). Each document becomes a transcript whose units, in file order, are participant
turns (a unit's line breaks become spaces, so a unit is one passage); a `question`
column becomes the interviewer turn before the answer (written once while it stays
the same), so suggestions read the answer with its question. A role column gives the
document's role; any other column with one value per document becomes a document
attribute, and one that differs between a document's units is kept on each unit. The
unit id (`unit_id`) is kept on its turn, so a coding file that names units finds them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UnitsTableError
from ..limits import SAFE_ID, read_bytes
from ..words import listed
from .csvfile import read_csv_file
from .encoding import detect_encoding
from .model import INTERVIEWER, PARTICIPANT, ParsedDocument, TextBuilder

TEXT_COLUMNS = ("text", "answer", "response")
DOCUMENT_COLUMNS = (
    "document_id",
    "document",
    "respondent_id",
    "respondent",
    "participant_id",
    "participant",
    "case_id",
    "case",
)
ROLE_COLUMNS = ("role", "speaker_or_role")  # with both, `speaker_or_role` is an attribute like any other
QUESTION_COLUMNS = ("question", "prompt")
UNIT_COLUMNS = ("unit_id", "unit")
RESPONDENT = "Respondent"  # the speaker of every unit
QUESTION = "Question"  # the speaker of a question turn
UNITS_SUFFIX = ".csv"
UNITS_FORMAT = "csv"  # the format a document read from a units table is stored with
LAYOUT = "table of units (one turn a unit)"
NEEDS = "a table of units needs a `text` column and a document column (document_id, respondent or participant)"
SHOWN_LINES = 5


@dataclass
class Columns:
    """Which header cell plays which part; `others` become attributes."""

    text: str
    document: str
    role: str | None = None
    question: str | None = None
    unit: str | None = None
    others: list[str] = field(default_factory=list)


@dataclass
class _Unit:
    """One row of the table with text: where it is, what it says, and its other cells."""

    line: int
    text: str
    unit_id: str
    question: str
    role: str
    values: dict[str, str]


def units_columns(header: list[str]) -> Columns | None:
    """The parts a header's cells play, or None when it is not a units table (no text or no document column)."""
    by_name = {name.strip().lower(): name for name in header if name and name.strip()}

    def first(names: tuple[str, ...]) -> str | None:
        return next((by_name[n] for n in names if n in by_name), None)

    text, document = first(TEXT_COLUMNS), first(DOCUMENT_COLUMNS)
    if text is None or document is None:
        return None
    columns = Columns(text, document, first(ROLE_COLUMNS), first(QUESTION_COLUMNS), first(UNIT_COLUMNS))
    used = {text, document, columns.role, columns.question, columns.unit}
    columns.others = [name for name in header if name and name.strip() and name not in used]
    return columns


def read_units_table(path: str | Path) -> list[ParsedDocument]:
    """The documents of a units table, in the order each first appears; what was skipped is in their notes."""
    path = Path(path)
    documents = read_csv_file(path, UnitsTableError, "table of units", "check the path.", _documents)
    encoding = detect_encoding(read_bytes(path, UnitsTableError, "table of units"), path)
    for document in documents:
        document.encoding = "utf-8" if encoding == "utf-8-replaced" else encoding
    return documents


def _documents(reader: csv.DictReader, path: Path) -> list[ParsedDocument]:
    header = list(reader.fieldnames or [])
    columns = units_columns(header)
    if columns is None:
        raise _not_units(path, header)
    grouped: dict[str, list[_Unit]] = {}
    empty: list[int] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if row.get(None):
            raise UnitsTableError(
                f"{path}, line {line}: has more cells than the header has columns; "
                "check the quotes around text that holds commas."
            )
        document_id = (row.get(columns.document) or "").strip()
        text = " ".join((row.get(columns.text) or "").split())
        unit_id = (row.get(columns.unit) or "").strip() if columns.unit else ""
        if not document_id:
            if not text:
                continue  # a blank row
            raise UnitsTableError(
                f"{path}, line {line}: the `{columns.document.strip()}` cell is empty; "
                "give every unit the document (respondent) it belongs to."
            )
        _check_id(document_id, path, line)
        if unit_id:
            if unit_id in seen:
                raise UnitsTableError(
                    f"{path}, line {line}: unit `{unit_id}` appears twice (first on line {seen[unit_id]}); "
                    "give every unit its own id."
                )
            seen[unit_id] = line
        if not text:
            empty.append(line)
            continue
        grouped.setdefault(document_id, []).append(
            _Unit(
                line,
                text,
                unit_id,
                " ".join((row.get(columns.question) or "").split()) if columns.question else "",
                (row.get(columns.role) or "").strip() if columns.role else "",
                {name.strip(): (row.get(name) or "").strip() for name in columns.others},
            )
        )
    if not grouped:
        raise UnitsTableError(f"{path}: holds no unit with text; check it is the table you meant.")
    per_unit = _per_unit(grouped, columns)
    documents = [_document(document_id, units, per_unit, path) for document_id, units in grouped.items()]
    if per_unit:
        documents[0].notes.insert(0, _varying_note(path, per_unit))
    if empty:
        documents[0].notes.insert(0, _empty_note(path, empty))
    return documents


def _not_units(path: Path, header: list[str]) -> UnitsTableError:
    """The refusal of a CSV that is not a units table, naming what it looks like instead."""
    names = {name.strip().lower() for name in header if name}
    if names & {"code", "code_id"} and names & {"unit_id", "start"}:
        return UnitsTableError(
            f"{path}: is a codings file, not a table of units; import it as codings.", "import_codings"
        )
    if names & {"id", "participant_id", "participant", "document_id"}:
        return UnitsTableError(
            f"{path}: has no `text` column, so it is not a table of units; if it gives participants' attributes, "
            "give it as the participants file.",
            "meta",
        )
    found = ", ".join(name.strip() for name in header if name and name.strip()) or "no header"
    return UnitsTableError(f"{path}, line 1: is not a table qualcode reads; {NEEDS} (found {found}).")


def _check_id(document_id: str, path: Path, line: int) -> None:
    if not SAFE_ID.fullmatch(document_id) or not document_id.strip(". "):
        shown = document_id.encode("unicode_escape").decode("ascii")[:80]
        raise UnitsTableError(
            f"{path}, line {line}: the document id `{shown}` is not usable (it must be 1 to 200 characters, "
            "with no slash, backslash or control character, and not only dots); change it in the table."
        )


def _per_unit(grouped: dict[str, list[_Unit]], columns: Columns) -> list[str]:
    """The other columns whose value differs between the units of some document: kept with each unit, in every document."""
    names = [name.strip() for name in columns.others]
    return [
        name
        for name in names
        if any(len({unit.values[name] for unit in units if unit.values.get(name)}) > 1 for units in grouped.values())
    ]


def _document(document_id: str, units: list[_Unit], per_unit: list[str], path: Path) -> ParsedDocument:
    """One document's units as a transcript: a question turn where the question changes, then the answer."""
    builder = TextBuilder()
    asked = ""
    for unit in units:
        if unit.question and unit.question != asked:
            builder.add_turn(QUESTION, INTERVIEWER, unit.question)
        asked = unit.question or asked
        kept = {name: unit.values[name] for name in per_unit if unit.values.get(name)}
        builder.add_turn(RESPONDENT, PARTICIPANT, unit.text, kept | ({"unit_id": unit.unit_id} if unit.unit_id else {}))
    attributes, notes = _attributes(document_id, units, per_unit, path)
    return ParsedDocument(
        id=document_id,
        text=builder.text(),
        turns=builder.turns,
        source_path=str(path),
        format=UNITS_FORMAT,
        title=document_id,
        attributes=attributes,
        layout=LAYOUT,
        notes=notes,
    )


def _attributes(
    document_id: str, units: list[_Unit], per_unit: list[str], path: Path
) -> tuple[dict[str, str], list[str]]:
    """(attributes, notes) of a document: its role, and each other column's one value (those kept per unit aside)."""
    attributes: dict[str, str] = {}
    notes: list[str] = []
    roles = list(dict.fromkeys(unit.role for unit in units if unit.role))
    if roles:
        attributes["role"] = roles[0]
    if len(roles) > 1:
        lines = ", ".join(f"{role} (line {next(u.line for u in units if u.role == role)})" for role in roles)
        notes.append(
            f"{path}: the units of document `{document_id}` give different roles ({lines}); "
            f"its role is `{roles[0]}`; correct the table if that is wrong."
        )
    for name in units[0].values:
        value = next((unit.values[name] for unit in units if unit.values.get(name)), "")
        if value and name not in per_unit:
            attributes[name] = value
    return attributes, notes


def _varying_note(path: Path, names: list[str]) -> str:
    """The columns kept with each unit rather than as an attribute of its document."""
    shown = ", ".join(f"`{name}`" for name in names)
    return (
        f"{path}: {shown} differ{'s' if len(names) == 1 else ''} between the units of one document, so "
        f"{'it is' if len(names) == 1 else 'they are'} kept with each unit, not as an attribute of the document."
    )


def _empty_note(path: Path, lines: list[int]) -> str:
    """The units skipped for having no text, by line."""
    shown = listed([str(line) for line in lines], SHOWN_LINES)
    count = f"{len(lines)} units have" if len(lines) > 1 else "1 unit has"
    return f"{path}: {count} no text and {'were' if len(lines) > 1 else 'was'} skipped (line{'s' if len(lines) > 1 else ''} {shown})."
