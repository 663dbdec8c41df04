"""REFI-QDA project exchange (.qdpx): a zip of `project.qde` (XML) and `sources/` plain texts.

What qualcode writes and reads: the codebook as Codes (hierarchy, colour, isCodable,
and the definition, include, exclude, examples and keywords folded into Description),
each document as a TextSource whose text is `sources/<guid>.txt` (UTF-8), accepted
codings as PlainTextSelections (one per coder per span, the selection and each Coding
stamped with that coder, as QualCoder reads them), coders as Users, memos as Notes,
code groups and document sets as Sets, and document attributes as Variables with their
values both on a Case per document and inside the TextSource (QualCoder links only the
latter). Times are written in UTC with `Z`. Positions are code point offsets (the
standard, end exclusive) unless UTF-16 units are asked for (NVivo); on reading, the
unit is judged from the file. GUIDs that came from another tool are written back;
others are derived from qualcode's ids, so exporting twice gives the same GUIDs.
Reading is lenient about what it cannot use (it lists what it left out or skipped,
such as a text missing from the file) and strict about what is broken (it names the
XML line and column).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from ... import __version__
from ...codebook import Codebook
from ...codebook.formats import duplicate_labels
from ...errors import ProjectFileError, where
from ...limits import read_member
from ...words import count as counted
from .common import child, children, code_guid, local, norm_guid, parse_xml, read_codes, stable_guid, write_codes
from .positions import CODE_POINTS, UTF16, Offsets, judge_unit

NS = "urn:QDA-XML:project:1.0"
QDE_NAME = "project.qde"
SET_ATTRIBUTE = "document set"
IDENTIFIERS_NOTE = "qualcode identifiers"  # the project Note holding the names the project masks, as `name,kind` lines
OWNER = "qualcode"  # the user a source is credited to when the store does not know who brought it in
TEXT_EXTENSIONS = (".txt", ".md", ".docx", ".doc", ".rtf", ".pdf", ".odt", ".vtt", ".srt")


@dataclass
class ExchangeDocument:
    """A document as the exchange file carries it: id (the source name), text and attributes."""

    id: str
    text: str
    title: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    created: str | None = None
    guid: str | None = None
    creator: str | None = None
    rich: bool = False  # the file also held it as formatted text, which is not kept


@dataclass
class ExchangeCoding:
    """One code applied to a span of a document by a coder (offsets in code points, end exclusive)."""

    document_id: str
    start: int
    end: int
    code_id: str
    coder: str
    created: str | None = None
    guid: str | None = None
    selection_guid: str | None = None
    selection: SelectionStamp | None = None  # who made and last changed its selection, and when


@dataclass
class SelectionStamp:
    """Who made a selection (the span a coding sits on) and when, and who changed it last, as the file said."""

    creator: str | None = None
    created: str | None = None
    modifier: str | None = None
    modified: str | None = None

    def as_dict(self) -> dict[str, str]:
        """The stamp's known parts, for keeping beside the selection's GUID."""
        return {key: value for key, value in vars(self).items() if value}

    @classmethod
    def from_dict(cls, found: dict) -> SelectionStamp | None:
        """A stamp kept by `as_dict`, or None when nothing was kept."""
        stamp = cls(*(found.get(key) for key in ("creator", "created", "modifier", "modified")))
        return stamp if stamp.as_dict() else None


@dataclass
class ExchangeMemo:
    """A memo carried as a REFI-QDA Note: on the project, a document, a span (segment or coding) or a code."""

    key: str
    text: str
    author: str
    created: str | None = None
    document_id: str | None = None
    span: tuple[int, int] | None = None
    code_id: str | None = None
    guid: str | None = None  # the Note's GUID in the tool it came from, written back unchanged


@dataclass
class ExchangeProject:
    """Everything a .qdpx carries that qualcode uses, plus notes on what reading left out.

    `users` holds every user by name with the GUID the file gave them (or None), so it
    goes back unchanged (codes keep theirs in the codebook).
    `skipped` names each item that could not be read (a missing text) while the rest was.
    """

    name: str
    codebook: Codebook
    documents: list[ExchangeDocument] = field(default_factory=list)
    codings: list[ExchangeCoding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    memos: list[ExchangeMemo] = field(default_factory=list)
    users: dict[str, str | None] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    origin: str = ""
    positions: str = CODE_POINTS
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # (name, kind) the project masks
    coder_selections: bool = False  # stamp every selection with its coder (QualCoder takes the coder from there)

    def user_guid(self, name: str) -> str:
        """The GUID a user is written with: the one they came with, else one made from their name."""
        return self.users.get(name) or stable_guid("user", name)

    def code_guid(self, code_id: str) -> str:
        """The GUID a code is written with (its original one when it came from another tool)."""
        return code_guid(self.codebook.get(code_id)) if code_id in self.codebook else stable_guid("code", code_id)


# -- writing ---------------------------------------------------------------------------
def write_qdpx(
    project: ExchangeProject,
    path: str | Path,
    protect: Iterable[str | Path | None] = (),
    positions: str = CODE_POINTS,
    names: dict[str, str] | None = None,
) -> None:
    """Write a .qdpx file through the guarded writer: whole or not at all, never over the store.

    `positions` is the unit selections are counted in (code points, the standard, or
    UTF-16 units for NVivo); `names` replaces code labels (to keep duplicates apart).
    """
    from ..writer import atomic_target

    root = project_element(project, positions, names)
    ET.indent(root, space=" ")
    xml = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    with atomic_target(path, protect) as temporary:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(QDE_NAME, xml)
            for document in project.documents:
                archive.writestr(f"sources/{_source_guid(document)}.txt", document.text.encode("utf-8"))


def _source_guid(document: ExchangeDocument) -> str:
    return document.guid or stable_guid("source", document.id)


def utc_z(value: str | None) -> str | None:
    """A time as UTC ending in `Z` (the form every tool reads back), or None when it is not a time."""
    if not value:
        return None
    text = value.strip()
    text = text[:-1] if re.search(r"[+-]\d\d:?\d\dZ$", text) else text  # `+00:00Z`, as QualCoder writes back
    try:
        moment = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def distinct_names(codebook: Codebook) -> dict[str, str]:
    """Names that keep duplicate labels apart: `Label (Parent label)`, numbered if that is not enough."""
    names: dict[str, str] = {}
    used = {(code.label or code.id).casefold() for code in codebook.codes}
    for ids in duplicate_labels(codebook).values():
        for code_id in ids[1:]:
            code = codebook.get(code_id)
            parent = codebook.get(code.parent).label if code.parent else "top level"
            base = candidate = f"{code.label} ({parent})"
            n = 2
            while candidate.casefold() in used:
                candidate, n = f"{base} {n}", n + 1
            used.add(candidate.casefold())
            names[code_id] = candidate
    return names


def project_element(
    project: ExchangeProject, positions: str = CODE_POINTS, names: dict[str, str] | None = None
) -> ET.Element:
    """The <Project> element of project.qde, in the order Project.xsd requires."""
    root = ET.Element("Project", {"xmlns": NS, "name": project.name, "origin": f"qualcode {__version__}"})
    coders = sorted(
        {c.coder for c in project.codings}
        | {m.author for m in project.memos}
        | set(project.users)
        | {d.creator or OWNER for d in project.documents}
        | selection_users(project.codings)
        | ({OWNER} if project.identifiers else set())
    )
    if coders:
        users = ET.SubElement(root, _q("Users"))
        for coder in coders:
            ET.SubElement(users, _q("User"), guid=project.user_guid(coder), name=coder)
    codes = ET.SubElement(ET.SubElement(root, _q("CodeBook")), _q("Codes"))
    write_codes(codes, project.codebook, names=names)
    _code_note_refs(codes, project)
    types = variable_types(project.documents)
    if types:
        variables = ET.SubElement(root, _q("Variables"))
        for name, kind in types.items():
            ET.SubElement(variables, _q("Variable"), guid=stable_guid("variable", name), name=name, typeOfVariable=kind)
        _write_cases(ET.SubElement(root, _q("Cases")), project.documents, types)
    if project.documents:
        _write_sources(ET.SubElement(root, _q("Sources")), project, types, positions)
    if project.memos or project.identifiers:
        _write_notes(ET.SubElement(root, _q("Notes")), project)
    _write_sets(root, project)
    if project.codebook.description:
        ET.SubElement(root, _q("Description")).text = project.codebook.description
    for memo in project.memos:
        if memo.document_id is None and memo.code_id is None:
            ET.SubElement(root, _q("NoteRef"), targetGUID=_note_guid(memo))
    if project.identifiers:
        ET.SubElement(root, _q("NoteRef"), targetGUID=stable_guid("note", IDENTIFIERS_NOTE))
    return root


def selection_users(codings: Iterable[ExchangeCoding]) -> set[str]:
    """Everyone named as having made or changed a selection the codings sit on."""
    return {name for c in codings if c.selection for name in (c.selection.creator, c.selection.modifier) if name}


def _write_sets(root: ET.Element, project: ExchangeProject) -> None:
    """The codebook's code groups as Sets of codes, and each `document set` attribute value as a Set of sources."""
    groups = {name: [c for c in members if c in project.codebook] for name, members in project.codebook.groups.items()}
    documents: dict[str, list[ExchangeDocument]] = {}
    for document in project.documents:
        for name in filter(None, (part.strip() for part in document.attributes.get(SET_ATTRIBUTE, "").split(";"))):
            documents.setdefault(name, []).append(document)
    if not groups and not documents:
        return
    sets = ET.SubElement(root, _q("Sets"))
    for name, code_ids in groups.items():
        element = ET.SubElement(sets, _q("Set"), guid=stable_guid("set", name), name=name)
        for code_id in code_ids:
            ET.SubElement(element, _q("MemberCode"), targetGUID=project.code_guid(code_id))
    for name, sources in documents.items():
        element = ET.SubElement(sets, _q("Set"), guid=stable_guid("document set", name), name=name)
        for document in sources:
            ET.SubElement(element, _q("MemberSource"), targetGUID=_source_guid(document))


def _note_guid(memo: ExchangeMemo) -> str:
    return memo.guid or stable_guid("note", memo.key)


def _write_notes(notes: ET.Element, project: ExchangeProject) -> None:
    """Each memo as a Note (a text source holding the memo), with its author and time."""
    for memo in project.memos:
        attributes = {
            "guid": _note_guid(memo),
            "name": _snippet(memo.text, 60),
            "creatingUser": project.user_guid(memo.author),
        }
        if stamp := utc_z(memo.created):
            attributes["creationDateTime"] = stamp
        note = ET.SubElement(notes, _q("Note"), attributes)
        ET.SubElement(note, _q("PlainTextContent")).text = memo.text
    if project.identifiers:
        attributes = {
            "guid": stable_guid("note", IDENTIFIERS_NOTE),
            "name": IDENTIFIERS_NOTE,
            "creatingUser": project.user_guid(OWNER),
        }
        note = ET.SubElement(notes, _q("Note"), attributes)
        ET.SubElement(note, _q("PlainTextContent")).text = _identifier_lines(project.identifiers)


def _identifier_lines(identifiers: list[tuple[str, str]]) -> str:
    """The identifiers list as CSV `name,kind` lines (a name with a comma quoted), as an identifiers file holds it."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(identifiers)
    return buffer.getvalue()


def _read_identifier_lines(text: str) -> list[tuple[str, str]]:
    """The (name, kind) pairs of an identifiers Note; a line without a kind gets an empty one."""
    rows = csv.reader(io.StringIO(text))
    return [(row[0].strip(), (row[1] if len(row) > 1 else "").strip()) for row in rows if row and row[0].strip()]


def _code_note_refs(codes: ET.Element, project: ExchangeProject) -> None:
    """NoteRefs of code memos inside their Code, after its Description and before its sub-codes."""
    by_code: dict[str, list[ExchangeMemo]] = {}
    for memo in project.memos:
        if memo.code_id is not None:
            by_code.setdefault(project.code_guid(memo.code_id), []).append(memo)
    for code in codes.iter(_q("Code")):
        found = by_code.get(code.get("guid") or "", [])
        position = 1 if len(code) and code[0].tag == _q("Description") else 0
        for offset, memo in enumerate(found):
            reference = ET.Element(_q("NoteRef"), targetGUID=_note_guid(memo))
            code.insert(position + offset, reference)


def variable_types(documents: list[ExchangeDocument]) -> dict[str, str]:
    """Each attribute name with its REFI-QDA type: Integer or Date when every value is one, else Text."""
    values: dict[str, list[str]] = {}
    for document in documents:
        for name, value in document.attributes.items():
            values.setdefault(name, []).append(str(value))
    return {name: _type_of(found) for name, found in sorted(values.items())}


def _type_of(values: list[str]) -> str:
    if all(re.fullmatch(r"-?(0|[1-9][0-9]*)", v) for v in values):
        return "Integer"
    if all(_is_iso_date(v) for v in values):
        return "Date"
    return "Text"


def _is_iso_date(value: str) -> bool:
    try:
        return dt.date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def _write_cases(cases: ET.Element, documents: list[ExchangeDocument], types: dict[str, str]) -> None:
    for document in documents:
        if not document.attributes:
            continue
        case = ET.SubElement(cases, _q("Case"), guid=stable_guid("case", document.id), name=document.id)
        _write_values(case, document, types)
        ET.SubElement(case, _q("SourceRef"), targetGUID=_source_guid(document))


def _write_values(holder: ET.Element, document: ExchangeDocument, types: dict[str, str]) -> None:
    for name, value in sorted(document.attributes.items()):
        element = ET.SubElement(holder, _q("VariableValue"))
        ET.SubElement(element, _q("VariableRef"), targetGUID=stable_guid("variable", name))
        ET.SubElement(element, _q(f"{types[name]}Value")).text = str(value)


Span = tuple[str, int, int, str, str]  # document, start, end, coder, the selection GUID it came with ("" if none)


def _write_sources(sources: ET.Element, project: ExchangeProject, types: dict[str, str], positions: str) -> None:
    """Each document as a TextSource: one PlainTextSelection per coder per span, then its memos and attributes.

    Codings that came in separate selections of another tool (NVivo writes one per coding)
    go back in them, so every selection keeps its GUID.

    Attributes are written inside the TextSource as well as on its Case: QualCoder links
    only those, NVivo and ATLAS.ti read the Case.
    """
    spans: dict[Span, list[ExchangeCoding]] = {}
    for coding in sorted(project.codings, key=lambda c: (c.document_id, c.start, c.end, c.coder, c.code_id)):
        origin = (coding.selection_guid or "").lower()
        spans.setdefault((coding.document_id, coding.start, coding.end, coding.coder, origin), []).append(coding)
    span_memos: dict[Span, list[ExchangeMemo]] = {}
    for memo in project.memos:
        if memo.document_id is not None and memo.span is not None and memo.code_id is None:
            key = next(
                (k for k in spans if k[:3] == (memo.document_id, *memo.span) and k[3] == memo.author),
                next(
                    (k for k in spans if k[:3] == (memo.document_id, *memo.span)),
                    (memo.document_id, *memo.span, memo.author, ""),
                ),
            )
            span_memos.setdefault(key, []).append(memo)
            spans.setdefault(key, [])
    used: set[str] = set()
    by_document: dict[str, list[Span]] = {}
    for key in sorted(spans):
        by_document.setdefault(key[0], []).append(key)
    for document in project.documents:
        guid = _source_guid(document)
        attributes = {
            "guid": guid,
            "name": document.id,
            "plainTextPath": f"internal://{guid}.txt",
            "creatingUser": project.user_guid(document.creator or OWNER),
        }
        if stamp := utc_z(document.created):
            attributes["creationDateTime"] = stamp
        source = ET.SubElement(sources, _q("TextSource"), attributes)
        if document.title and document.title != document.id:
            ET.SubElement(source, _q("Description")).text = document.title
        offsets = Offsets(document.text) if positions == UTF16 else None
        for key in by_document.get(document.id, []):
            _write_selection(source, project, document, key, spans[key], span_memos.get(key, []), offsets, used)
        for memo in project.memos:
            if memo.document_id == document.id and memo.span is None and memo.code_id is None:
                ET.SubElement(source, _q("NoteRef"), targetGUID=_note_guid(memo))
        _write_values(source, document, types)


def _write_selection(
    source: ET.Element,
    project: ExchangeProject,
    document: ExchangeDocument,
    key: Span,
    codings: list[ExchangeCoding],
    memos: list[ExchangeMemo],
    offsets: Offsets | None,
    used: set[str],
) -> None:
    """One coder's codings of one span, the selection and each coding stamped with that coder.

    The selection keeps the GUID it had in the tool it came from, unless another selection took it first."""
    _, start, end, author, _ = key
    written = (offsets.to_utf16(start), offsets.to_utf16(end)) if offsets else (start, end)
    original = next((c.selection_guid for c in codings if c.selection_guid), None)
    guid = original if original and original.lower() not in used else stable_guid("selection", *key[:4])
    used.add(guid.lower())
    attributes = {
        "guid": guid,
        "name": _snippet(document.text[start:end]),
        "startPosition": str(written[0]),
        "endPosition": str(written[1]),
        "creatingUser": project.user_guid(author),
    }
    created = utc_z(
        min((c.created for c in codings if c.created), default=None) or (memos[0].created if memos else None)
    )
    if created:
        attributes["creationDateTime"] = created
    made = next((c.selection for c in codings if c.selection and guid == original), None)
    if made is not None and not project.coder_selections:
        _stamp_selection(attributes, project, made)
    selection = ET.SubElement(source, _q("PlainTextSelection"), attributes)
    for coding in codings:
        coding_attributes = {
            "guid": coding.guid or stable_guid("coding", document.id, start, end, coding.code_id, coding.coder),
            "creatingUser": project.user_guid(coding.coder),
        }
        if stamp := utc_z(coding.created):
            coding_attributes["creationDateTime"] = stamp
        element = ET.SubElement(selection, _q("Coding"), coding_attributes)
        ET.SubElement(element, _q("CodeRef"), targetGUID=project.code_guid(coding.code_id))
    for memo in memos:
        ET.SubElement(selection, _q("NoteRef"), targetGUID=_note_guid(memo))


def _stamp_selection(attributes: dict[str, str], project: ExchangeProject, stamp: SelectionStamp) -> None:
    """A selection from another tool gets back its own maker and times, not those of its codings."""
    if stamp.creator:
        attributes["creatingUser"] = project.user_guid(stamp.creator)
    if created := utc_z(stamp.created):
        attributes["creationDateTime"] = created
    if stamp.modifier:
        attributes["modifyingUser"] = project.user_guid(stamp.modifier)
    if modified := utc_z(stamp.modified):
        attributes["modifiedDateTime"] = modified


def _snippet(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _q(tag: str) -> str:
    """Tags are written unqualified under the root's default namespace (xmlns)."""
    return tag


# -- reading ---------------------------------------------------------------------------
def read_qdpx(path: str | Path, positions: str | None = None, codebook_only: bool = False) -> ExchangeProject:
    """Read the text sources, codebook, codings, coders, memos and attributes of a .qdpx file.

    `positions` forces the unit selections are counted in; by default it is judged from
    the file. With `codebook_only`, only the codebook (and its code groups) is read.
    """
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise ProjectFileError(f"{path}: no such file; check the path.") from None
    except (zipfile.BadZipFile, OSError):
        raise ProjectFileError(
            f"{path}: is not a .qdpx project (a zip file); export the project from its tool again."
        ) from None
    with archive:
        members = _members(archive, path)
        qde = members.get(QDE_NAME) or next((members[n] for n in members if n.endswith(".qde") and "/" not in n), None)
        if qde is None:
            raise ProjectFileError(f"{path}: holds no project.qde; it is not a REFI-QDA project export.")
        label = f"{path} ({qde})"
        reader = _Reader(label, archive, members, ET.Element("Project"), {})
        reader.root, reader.lines = parse_xml(reader.read(qde), label)
        return reader.run(positions, codebook_only)


def _members(archive: zipfile.ZipFile, path: Path) -> dict[str, str]:
    """Member names by lower-case name; two members whose names differ only in case are refused, not guessed between."""
    members: dict[str, str] = {}
    for name in archive.namelist():
        if name.lower() in members:
            raise ProjectFileError(
                f"{path}: holds both {members[name.lower()]} and {name}; "
                "keep one of them (names differing only in case are ambiguous) and zip it again."
            )
        members[name.lower()] = name
    return members


class _Reader:
    """Walks a parsed project.qde and collects what qualcode can use."""

    def __init__(
        self,
        label: str,
        archive: zipfile.ZipFile,
        members: dict[str, str],
        root: ET.Element,
        lines: dict[int, tuple[int, int]],
    ) -> None:
        self.label, self.archive, self.members, self.root, self.lines = label, archive, members, root, lines
        self.notes: list[str] = []
        self.skipped: list[str] = []
        self.users: dict[str, str] = {}
        self.code_ids: dict[str, str] = {}
        self.variables: dict[str, str] = {}
        self.sources: dict[str, ExchangeDocument] = {}
        self.selections: list[tuple[ExchangeDocument, ET.Element, int, int]] = []
        self.codings: list[ExchangeCoding] = []
        self.memos: list[ExchangeMemo] = []
        self.note_refs: dict[str, tuple[str | None, tuple[int, int] | None, str | None]] = {}
        self.budget = [0]
        self.identifiers: list[tuple[str, str]] = []

    def read(self, member: str) -> bytes:
        """A member's bytes, decompressed under the size limits."""
        return read_member(self.archive, member, str(self.label).split(" (")[0], ProjectFileError, self.budget)

    def at(self, element: ET.Element) -> str:
        return where(self.label, *self.lines.get(id(element), (None, None)))

    def fail(self, element: ET.Element, message: str) -> NoReturn:
        raise ProjectFileError(f"{self.at(element)}: {message}; export the project again or repair the file.")

    def run(self, positions: str | None = None, codebook_only: bool = False) -> ExchangeProject:
        if local(self.root) != "Project":
            self.fail(self.root, f"the root element is <{local(self.root)}>, not <Project>")
        names: dict[str, str | None] = {}
        for user in children(child(self.root, "Users"), "User"):
            name = user.get("name") or user.get("id") or f"user-{norm_guid(user.get('guid'))[:8]}"
            self.users[norm_guid(user.get("guid"))] = name
            names.setdefault(name, (user.get("guid") or "").strip() or None)
        codes, self.code_ids = read_codes(child(child(self.root, "CodeBook"), "Codes"))
        origin = (self.root.get("origin") or "").strip()
        unit = CODE_POINTS
        if not codebook_only:
            for variable in children(child(self.root, "Variables"), "Variable"):
                self.variables[norm_guid(variable.get("guid"))] = variable.get("name") or "variable"
            self._sources()
            self._cases()
            unit = positions or self._judge_unit(origin)
            self._place_selections(unit)
            self._notes()
        groups = self._sets(codebook_only)
        for part in ("Links", "Graphs"):
            if child(self.root, part) is not None:
                self.notes.append(f"{part} in the file are not imported (qualcode has no place for them).")
        description = child(self.root, "Description")
        codebook = Codebook(
            name=(self.root.get("name") or "Imported codebook").strip() or "Imported codebook",
            codes=codes,
            description=(description.text or "").strip() if description is not None else "",
            groups=groups,
        )
        return ExchangeProject(
            codebook.name,
            codebook,
            list(self.sources.values()),
            self.codings,
            self.notes,
            self.memos,
            names,
            self.skipped,
            origin,
            unit,
            self.identifiers,
        )

    def _sources(self) -> None:
        skipped: dict[str, int] = {}
        used: set[str] = set()
        for source in list(child(self.root, "Sources") or []):
            kind = local(source)
            if kind != "TextSource":
                skipped[kind] = skipped.get(kind, 0) + 1
                continue
            text = self._text_of(source)
            if text is None:
                continue
            document = ExchangeDocument(
                id=_document_id(source, used),
                text=text,
                created=source.get("creationDateTime"),
                guid=(source.get("guid") or "").strip() or None,
                creator=self.users.get(norm_guid(source.get("creatingUser"))),
                rich=bool(source.get("richTextPath")),
            )
            used.add(document.id)
            description = child(source, "Description")
            document.title = (description.text or "").strip() if description is not None else ""
            document.attributes.update(self._values(source))
            self.sources[norm_guid(source.get("guid"))] = document
            self._collect(source, document)
        for kind, count in sorted(skipped.items()):
            self.skipped.append(
                f"{count} {kind} element{'s' if count != 1 else ''} (qualcode holds text transcripts only)"
            )
        rich = sum(1 for d in self.sources.values() if d.rich)
        if rich:
            self.notes.append(
                f"{counted(rich, 'source')} also came as formatted text (richTextPath); {'its' if rich == 1 else 'their'} plain text is imported, "
                "the formatting is not kept."
            )

    def _text_of(self, source: ET.Element) -> str | None:
        """The source's text, or None (with the reason in `skipped`) when the file does not hold it readably."""
        content = child(source, "PlainTextContent")
        if content is not None:
            return content.text or ""
        name = source.get("name") or norm_guid(source.get("guid"))
        path = source.get("plainTextPath") or ""
        if not path.startswith("internal://"):
            self.skipped.append(
                f"source `{name}` ({self.at(source)}): its text is a file outside the .qdpx ({path or 'no path'})"
            )
            return None
        member = self.members.get(f"sources/{path[len('internal://') :]}".lower())
        if member is None:
            self.skipped.append(
                f"source `{name}` ({self.at(source)}): its text {path} is not in the file's sources/ folder"
            )
            return None
        try:
            return self.read(member).decode("utf-8-sig")
        except UnicodeDecodeError:
            self.skipped.append(f"source `{name}` ({self.at(source)}): its text {member} is not UTF-8")
        return None

    def _collect(self, source: ET.Element, document: ExchangeDocument) -> None:
        """Note each selection with its raw positions; they are placed once the file's unit is known."""
        for coding in children(source, "Coding"):
            self._coding(coding, document, 0, len(document.text), [source])
        self._note_refs(source, (document.id, None, None))
        for selection in children(source, "PlainTextSelection"):
            self.selections.append(
                (
                    document,
                    selection,
                    self._position(selection, "startPosition"),
                    self._position(selection, "endPosition"),
                )
            )

    def _judge_unit(self, origin: str) -> str:
        texts = {document.id: document.text for document in self.sources.values()}
        spans: dict[str, list[tuple[int, int]]] = {}
        for document, _, start, end in self.selections:
            spans.setdefault(document.id, []).append((start, end))
        return judge_unit(origin, texts, spans)

    def _place_selections(self, unit: str) -> None:
        offsets: dict[str, Offsets] = {}
        converted = 0
        for document, selection, start, end in self.selections:
            if unit == UTF16:
                if document.id not in offsets:  # one table per source: building it reads the whole text
                    offsets[document.id] = Offsets(document.text)
                table = offsets[document.id]
                if not 0 <= start <= end <= table.utf16_length():
                    self.fail(
                        selection,
                        f"selection {start}-{end} lies outside source `{document.id}` ({table.utf16_length()} UTF-16 units)",
                    )
                moved = (table.from_utf16(start), table.from_utf16(end))
                converted += moved != (start, end)
                start, end = moved
            elif not 0 <= start <= end <= len(document.text):
                self.fail(
                    selection,
                    f"selection {start}-{end} lies outside source `{document.id}` ({len(document.text)} characters)",
                )
            self._selection(document, selection, start, end)
        if unit == UTF16:
            self.notes.append(
                f"selection positions were counted in UTF-16 units (as NVivo writes them) and converted to "
                f"characters; {converted} of {len(self.selections)} selections moved."
            )

    def _selection(self, document: ExchangeDocument, selection: ET.Element, start: int, end: int) -> None:
        for coding in children(selection, "Coding"):
            if start == end:
                self.notes.append(f"{self.at(selection)}: an empty selection's coding was not imported.")
                continue
            self._coding(coding, document, start, end, [selection])
        author = self._coder([selection])
        description = child(selection, "Description")
        if description is not None and (description.text or "").strip():
            self.memos.append(
                ExchangeMemo(
                    f"selection-{norm_guid(selection.get('guid'))}",
                    (description.text or "").strip(),
                    author,
                    selection.get("creationDateTime"),
                    document.id,
                    (start, end),
                )
            )
        self._note_refs(selection, (document.id, (start, end), None))

    def _position(self, selection: ET.Element, name: str) -> int:
        try:
            return int(selection.get(name, ""))
        except ValueError:
            self.fail(selection, f"{name} `{selection.get(name)}` is not a whole number")
            return 0

    def _coder(self, holders: list[ET.Element]) -> str:
        creators = [*(h.get("creatingUser") for h in holders), self.root.get("creatingUserGUID")]
        guid = next((norm_guid(c) for c in creators if c), "")
        return self.users.get(guid) or (f"user-{guid[:8]}" if guid else "imported")

    def _coding(
        self, coding: ET.Element, document: ExchangeDocument, start: int, end: int, holders: list[ET.Element]
    ) -> None:
        reference = child(coding, "CodeRef")
        code_id = self.code_ids.get(norm_guid(reference.get("targetGUID") if reference is not None else None))
        if code_id is None:
            self.fail(coding, "a coding refers to a code that is not in the file's CodeBook")
        created = coding.get("creationDateTime") or next(
            (h.get("creationDateTime") for h in holders if h.get("creationDateTime")), None
        )
        selection = next((h for h in holders if local(h) == "PlainTextSelection"), None)
        self.codings.append(
            ExchangeCoding(
                document.id,
                start,
                end,
                code_id,
                self._coder([coding, *holders]),
                created,
                (coding.get("guid") or "").strip() or None,
                (selection.get("guid") or "").strip() or None if selection is not None else None,
                self._stamp(selection) if selection is not None else None,
            )
        )

    def _stamp(self, selection: ET.Element) -> SelectionStamp | None:
        """Who made and last changed a selection, and when, as the file says (None when it says nothing)."""
        stamp = SelectionStamp(
            self._user(selection.get("creatingUser")),
            utc_z(selection.get("creationDateTime")),
            self._user(selection.get("modifyingUser")),
            utc_z(selection.get("modifiedDateTime")),
        )
        return stamp if stamp.as_dict() else None

    def _user(self, guid: str | None) -> str | None:
        """The name of the user a GUID stands for (a made-up one for a GUID the file does not list)."""
        found = norm_guid(guid)
        return (self.users.get(found) or f"user-{found[:8]}") if found else None

    def _note_refs(self, holder: ET.Element, target: tuple[str | None, tuple[int, int] | None, str | None]) -> None:
        for reference in children(holder, "NoteRef"):
            self.note_refs.setdefault(norm_guid(reference.get("targetGUID")), target)

    def _notes(self) -> None:
        """Notes as memos on what refers to them: a span, a document, a code, else the project."""
        for code in self.root.iter():
            if local(code) == "Code" and norm_guid(code.get("guid")) in self.code_ids:
                self._note_refs(code, (None, None, self.code_ids[norm_guid(code.get("guid"))]))
        for note in children(child(self.root, "Notes"), "Note"):
            content = child(note, "PlainTextContent")
            text = (content.text or "").strip() if content is not None else ""
            if (note.get("name") or "").strip() == IDENTIFIERS_NOTE and norm_guid(
                note.get("guid")
            ) not in self.note_refs:
                self.identifiers += _read_identifier_lines(text)  # the list a qualcode project masks, not a memo
                continue
            if not text:
                described = child(note, "Description")
                text = (described.text or "").strip() if described is not None else ""
            if not text:
                self.skipped.append(
                    f"note `{note.get('name') or norm_guid(note.get('guid'))}`: its text is a file qualcode does not read"
                )
                continue
            document_id, span, code_id = self.note_refs.get(norm_guid(note.get("guid")), (None, None, None))
            self.memos.append(
                ExchangeMemo(
                    f"note-{norm_guid(note.get('guid'))}",
                    text,
                    self._coder([note]),
                    note.get("creationDateTime"),
                    document_id,
                    span,
                    code_id,
                    (note.get("guid") or "").strip() or None,
                )
            )

    def _sets(self, codebook_only: bool) -> dict[str, list[str]]:
        """Sets of codes become code groups; sets of documents become each member's `document set` attribute."""
        groups: dict[str, list[str]] = {}
        for member_set in children(child(self.root, "Sets"), "Set"):
            name = (member_set.get("name") or "").strip() or f"set-{norm_guid(member_set.get('guid'))[:8]}"
            codes = [
                self.code_ids[g]
                for g in (norm_guid(m.get("targetGUID")) for m in children(member_set, "MemberCode"))
                if g in self.code_ids
            ]
            if codes:
                groups[name] = list(dict.fromkeys(codes))
            for member in children(member_set, "MemberSource") if not codebook_only else ():
                document = self.sources.get(norm_guid(member.get("targetGUID")))
                if document is not None:
                    held = [
                        part.strip() for part in document.attributes.get(SET_ATTRIBUTE, "").split(";") if part.strip()
                    ]
                    document.attributes[SET_ATTRIBUTE] = "; ".join(dict.fromkeys([*held, name]))
            if any(True for _ in children(member_set, "MemberNote")):
                self.notes.append(
                    f"set `{name}`: its notes are imported as memos but not grouped (qualcode has no note sets)."
                )
        return groups

    def _values(self, holder: ET.Element) -> dict[str, str]:
        values: dict[str, str] = {}
        for value in children(holder, "VariableValue"):
            reference = child(value, "VariableRef")
            name = self.variables.get(norm_guid(reference.get("targetGUID") if reference is not None else None))
            if name is None:
                self.fail(value, "a variable value refers to a Variable the file does not declare")
            content = next((c for c in value if local(c) != "VariableRef"), None)
            text = (content.text or "").strip() if content is not None else ""
            if text:
                values[name] = text
        return values

    def _cases(self) -> None:
        by_id = {document.id: document for document in self.sources.values()}
        for case in children(child(self.root, "Cases"), "Case"):
            values = self._values(case)
            targets = [self.sources.get(norm_guid(ref.get("targetGUID"))) for ref in children(case, "SourceRef")]
            name = case.get("name")
            if not targets and name in by_id:
                targets = [by_id[name]]
            for document in targets:
                if document is not None:
                    document.attributes.update(values)


def _document_id(source: ET.Element, used: set[str]) -> str:
    name = (source.get("name") or "").strip()
    if name.lower().endswith(TEXT_EXTENSIONS):
        name = name.rsplit(".", 1)[0].strip()
    base = name or f"source-{norm_guid(source.get('guid'))[:8]}"
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    return candidate
