"""REFI-QDA project exchange (.qdpx): a zip of `project.qde` (XML) and `sources/` plain texts.

What qualcode writes and reads: the codebook as Codes (hierarchy, colour, and the
definition, include, exclude, examples and keywords folded into Description), each
document as a TextSource whose text is `sources/<guid>.txt` (UTF-8), accepted codings
as PlainTextSelections (startPosition and endPosition are code point offsets into that
text, end exclusive) carrying Codings with a CodeRef and the coder as creatingUser,
coders as Users, and document attributes as Variables with one Case per document.
GUIDs are derived from qualcode's ids, so exporting the same project twice gives the
same GUIDs. Reading is lenient about what it cannot use (it lists what it left out)
and strict about what is broken (it names the XML line and column).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ... import __version__
from ...codebook import Codebook
from ...errors import ProjectFileError, where
from ...limits import read_member
from .common import child, children, local, norm_guid, parse_xml, read_codes, stable_guid, write_codes

NS = "urn:QDA-XML:project:1.0"
QDE_NAME = "project.qde"
TEXT_EXTENSIONS = (".txt", ".md", ".docx", ".doc", ".rtf", ".pdf", ".odt", ".vtt", ".srt")


@dataclass
class ExchangeDocument:
    """A document as the exchange file carries it: id (the source name), text and attributes."""

    id: str
    text: str
    title: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    created: str | None = None


@dataclass
class ExchangeCoding:
    """One code applied to a span of a document by a coder (offsets in code points, end exclusive)."""

    document_id: str
    start: int
    end: int
    code_id: str
    coder: str
    created: str | None = None


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


@dataclass
class ExchangeProject:
    """Everything a .qdpx carries that qualcode uses, plus notes on what reading left out."""

    name: str
    codebook: Codebook
    documents: list[ExchangeDocument] = field(default_factory=list)
    codings: list[ExchangeCoding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    memos: list[ExchangeMemo] = field(default_factory=list)


# -- writing ---------------------------------------------------------------------------
def write_qdpx(project: ExchangeProject, path: str | Path, protect: Iterable[str | Path | None] = ()) -> None:
    """Write a .qdpx file through the guarded writer: whole or not at all, never over the store."""
    from ..writer import atomic_target

    root = project_element(project)
    ET.indent(root, space=" ")
    xml = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    with atomic_target(path, protect) as temporary:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(QDE_NAME, xml)
            for document in project.documents:
                archive.writestr(f"sources/{stable_guid('source', document.id)}.txt", document.text.encode("utf-8"))


def project_element(project: ExchangeProject) -> ET.Element:
    """The <Project> element of project.qde, in the order Project.xsd requires."""
    root = ET.Element("Project", {"xmlns": NS, "name": project.name, "origin": f"qualcode {__version__}"})
    coders = sorted({c.coder for c in project.codings} | {m.author for m in project.memos})
    if coders:
        users = ET.SubElement(root, _q("Users"))
        for coder in coders:
            ET.SubElement(users, _q("User"), guid=stable_guid("user", coder), name=coder)
    codes = ET.SubElement(ET.SubElement(root, _q("CodeBook")), _q("Codes"))
    write_codes(codes, project.codebook)
    _code_note_refs(codes, project.memos)
    types = variable_types(project.documents)
    if types:
        variables = ET.SubElement(root, _q("Variables"))
        for name, kind in types.items():
            ET.SubElement(variables, _q("Variable"), guid=stable_guid("variable", name), name=name, typeOfVariable=kind)
        _write_cases(ET.SubElement(root, _q("Cases")), project.documents, types)
    if project.documents:
        _write_sources(ET.SubElement(root, _q("Sources")), project)
    if project.memos:
        _write_notes(ET.SubElement(root, _q("Notes")), project.memos)
    if project.codebook.description:
        ET.SubElement(root, _q("Description")).text = project.codebook.description
    for memo in project.memos:
        if memo.document_id is None and memo.code_id is None:
            ET.SubElement(root, _q("NoteRef"), targetGUID=_note_guid(memo))
    return root


def _note_guid(memo: ExchangeMemo) -> str:
    return stable_guid("note", memo.key)


def _write_notes(notes: ET.Element, memos: list[ExchangeMemo]) -> None:
    """Each memo as a Note (a text source holding the memo), with its author and time."""
    for memo in memos:
        attributes = {"guid": _note_guid(memo), "name": _snippet(memo.text, 60), "creatingUser": stable_guid("user", memo.author)}
        if memo.created:
            attributes["creationDateTime"] = memo.created
        note = ET.SubElement(notes, _q("Note"), attributes)
        ET.SubElement(note, _q("PlainTextContent")).text = memo.text


def _code_note_refs(codes: ET.Element, memos: list[ExchangeMemo]) -> None:
    """NoteRefs of code memos inside their Code, after its Description and before its sub-codes."""
    by_code: dict[str, list[ExchangeMemo]] = {}
    for memo in memos:
        if memo.code_id is not None:
            by_code.setdefault(stable_guid("code", memo.code_id), []).append(memo)
    for code in codes.iter(_q("Code")):
        found = by_code.get(code.get("guid"), [])
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
        for name, value in sorted(document.attributes.items()):
            holder = ET.SubElement(case, _q("VariableValue"))
            ET.SubElement(holder, _q("VariableRef"), targetGUID=stable_guid("variable", name))
            ET.SubElement(holder, _q(f"{types[name]}Value")).text = str(value)
        ET.SubElement(case, _q("SourceRef"), targetGUID=stable_guid("source", document.id))


def _write_sources(sources: ET.Element, project: ExchangeProject) -> None:
    spans: dict[tuple[str, int, int], list[ExchangeCoding]] = {}
    for coding in sorted(project.codings, key=lambda c: (c.document_id, c.start, c.end, c.code_id, c.coder)):
        spans.setdefault((coding.document_id, coding.start, coding.end), []).append(coding)
    span_memos: dict[tuple[str, int, int], list[ExchangeMemo]] = {}
    for memo in project.memos:
        if memo.document_id is not None and memo.span is not None and memo.code_id is None:
            span_memos.setdefault((memo.document_id, *memo.span), []).append(memo)
            spans.setdefault((memo.document_id, *memo.span), [])
    spans = dict(sorted(spans.items()))
    for document in project.documents:
        guid = stable_guid("source", document.id)
        attributes = {"guid": guid, "name": document.id, "plainTextPath": f"internal://{guid}.txt"}
        if document.created:
            attributes["creationDateTime"] = document.created
        source = ET.SubElement(sources, _q("TextSource"), attributes)
        if document.title and document.title != document.id:
            ET.SubElement(source, _q("Description")).text = document.title
        for (document_id, start, end), codings in spans.items():
            if document_id == document.id:
                _write_selection(source, document, start, end, codings, span_memos.get((document_id, start, end), []))
        for memo in project.memos:
            if memo.document_id == document.id and memo.span is None and memo.code_id is None:
                ET.SubElement(source, _q("NoteRef"), targetGUID=_note_guid(memo))


def _write_selection(source: ET.Element, document: ExchangeDocument, start: int, end: int, codings: list[ExchangeCoding],
                     memos: list[ExchangeMemo] = ()) -> None:
    first = codings[0] if codings else None
    author = first.coder if first else memos[0].author
    attributes = {"guid": stable_guid("selection", document.id, start, end), "name": _snippet(document.text[start:end]),
                  "startPosition": str(start), "endPosition": str(end), "creatingUser": stable_guid("user", author)}
    created = first.created if first else memos[0].created
    if created:
        attributes["creationDateTime"] = created
    selection = ET.SubElement(source, _q("PlainTextSelection"), attributes)
    for coding in codings:
        coding_attributes = {"guid": stable_guid("coding", document.id, start, end, coding.code_id, coding.coder),
                             "creatingUser": stable_guid("user", coding.coder)}
        if coding.created:
            coding_attributes["creationDateTime"] = coding.created
        element = ET.SubElement(selection, _q("Coding"), coding_attributes)
        ET.SubElement(element, _q("CodeRef"), targetGUID=stable_guid("code", coding.code_id))
    for memo in memos:
        ET.SubElement(selection, _q("NoteRef"), targetGUID=_note_guid(memo))


def _snippet(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _q(tag: str) -> str:
    """Tags are written unqualified under the root's default namespace (xmlns)."""
    return tag


# -- reading ---------------------------------------------------------------------------
def read_qdpx(path: str | Path) -> ExchangeProject:
    """Read the text sources, codebook, codings, coders and attributes of a .qdpx file."""
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise ProjectFileError(f"{path}: no such file; check the path.") from None
    except (zipfile.BadZipFile, OSError):
        raise ProjectFileError(f"{path}: is not a .qdpx project (a zip file); export the project from its tool again.") from None
    with archive:
        members = _members(archive, path)
        qde = members.get(QDE_NAME) or next((members[n] for n in members if n.endswith(".qde") and "/" not in n), None)
        if qde is None:
            raise ProjectFileError(f"{path}: holds no project.qde; it is not a REFI-QDA project export.")
        label = f"{path} ({qde})"
        reader = _Reader(label, archive, members, ET.Element("Project"), {})
        reader.root, reader.lines = parse_xml(reader.read(qde), label)
        return reader.run()


def _members(archive: zipfile.ZipFile, path: Path) -> dict[str, str]:
    """Member names by lower-case name; two members whose names differ only in case are refused, not guessed between."""
    members: dict[str, str] = {}
    for name in archive.namelist():
        if name.lower() in members:
            raise ProjectFileError(f"{path}: holds both {members[name.lower()]} and {name}; "
                                   "keep one of them (names differing only in case are ambiguous) and zip it again.")
        members[name.lower()] = name
    return members


class _Reader:
    """Walks a parsed project.qde and collects what qualcode can use."""

    def __init__(self, label: str, archive: zipfile.ZipFile, members: dict[str, str], root: ET.Element,
                 lines: dict[int, tuple[int, int]]) -> None:
        self.label, self.archive, self.members, self.root, self.lines = label, archive, members, root, lines
        self.notes: list[str] = []
        self.users: dict[str, str] = {}
        self.code_ids: dict[str, str] = {}
        self.variables: dict[str, str] = {}
        self.sources: dict[str, ExchangeDocument] = {}
        self.codings: list[ExchangeCoding] = []
        self.budget = [0]

    def read(self, member: str) -> bytes:
        """A member's bytes, decompressed under the size limits."""
        return read_member(self.archive, member, str(self.label).split(" (")[0], ProjectFileError, self.budget)

    def at(self, element: ET.Element) -> str:
        return where(self.label, *self.lines.get(id(element), (None, None)))

    def fail(self, element: ET.Element, message: str) -> None:
        raise ProjectFileError(f"{self.at(element)}: {message}; export the project again or repair the file.")

    def run(self) -> ExchangeProject:
        if local(self.root) != "Project":
            self.fail(self.root, f"the root element is <{local(self.root)}>, not <Project>")
        for user in children(child(self.root, "Users"), "User"):
            self.users[norm_guid(user.get("guid"))] = user.get("name") or user.get("id") or f"user-{norm_guid(user.get('guid'))[:8]}"
        codes, self.code_ids = read_codes(child(child(self.root, "CodeBook"), "Codes"))
        for variable in children(child(self.root, "Variables"), "Variable"):
            self.variables[norm_guid(variable.get("guid"))] = variable.get("name") or "variable"
        self._sources()
        self._cases()
        for part in ("Notes", "Links", "Sets", "Graphs"):
            if child(self.root, part) is not None:
                self.notes.append(f"{part} in the file are not imported (qualcode keeps memos and code groups its own way).")
        description = child(self.root, "Description")
        codebook = Codebook(name=(self.root.get("name") or "Imported codebook").strip() or "Imported codebook", codes=codes,
                            description=(description.text or "").strip() if description is not None else "")
        return ExchangeProject(codebook.name, codebook, list(self.sources.values()), self.codings, self.notes)

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
            document = ExchangeDocument(id=_document_id(source, used), text=text, created=source.get("creationDateTime"))
            used.add(document.id)
            description = child(source, "Description")
            document.title = (description.text or "").strip() if description is not None else ""
            document.attributes.update(self._values(source))
            self.sources[norm_guid(source.get("guid"))] = document
            self._selections(source, document)
        for kind, count in sorted(skipped.items()):
            self.notes.append(f"{count} {kind} element(s) not imported (qualcode holds text transcripts only).")

    def _text_of(self, source: ET.Element) -> str | None:
        content = child(source, "PlainTextContent")
        if content is not None:
            return content.text or ""
        path = source.get("plainTextPath") or ""
        if not path.startswith("internal://"):
            self.notes.append(f"source `{source.get('name')}` refers to a file outside the .qdpx ({path or 'no path'}); not imported.")
            return None
        member = self.members.get(f"sources/{path[len('internal://'):]}".lower())
        if member is None:
            self.fail(source, f"source `{source.get('name')}` points to {path}, which is not in the file's sources/ folder")
        try:
            return self.read(member).decode("utf-8-sig")
        except UnicodeDecodeError:
            self.fail(source, f"the text of source `{source.get('name')}` ({member}) is not UTF-8")
        return None

    def _selections(self, source: ET.Element, document: ExchangeDocument) -> None:
        for coding in children(source, "Coding"):
            self._coding(coding, document, 0, len(document.text), [source])
        for selection in children(source, "PlainTextSelection"):
            start, end = self._position(selection, "startPosition"), self._position(selection, "endPosition")
            if not 0 <= start <= end <= len(document.text):
                self.fail(selection, f"selection {start}-{end} lies outside source `{document.id}` ({len(document.text)} characters)")
            for coding in children(selection, "Coding"):
                if start == end:
                    self.notes.append(f"{self.at(selection)}: an empty selection's coding was not imported.")
                    continue
                self._coding(coding, document, start, end, [selection, source])

    def _position(self, selection: ET.Element, name: str) -> int:
        try:
            return int(selection.get(name, ""))
        except ValueError:
            self.fail(selection, f"{name} `{selection.get(name)}` is not a whole number")
            return 0

    def _coding(self, coding: ET.Element, document: ExchangeDocument, start: int, end: int, holders: list[ET.Element]) -> None:
        reference = child(coding, "CodeRef")
        code_id = self.code_ids.get(norm_guid(reference.get("targetGUID") if reference is not None else None))
        if code_id is None:
            self.fail(coding, "a coding refers to a code that is not in the file's CodeBook")
        creators = [coding.get("creatingUser"), *(h.get("creatingUser") for h in holders), self.root.get("creatingUserGUID")]
        guid = next((norm_guid(c) for c in creators if c), "")
        coder = self.users.get(guid) or (f"user-{guid[:8]}" if guid else "imported")
        self.codings.append(ExchangeCoding(document.id, start, end, code_id, coder, coding.get("creationDateTime")))

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
            if not targets and case.get("name") in by_id:
                targets = [by_id[case.get("name")]]
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
