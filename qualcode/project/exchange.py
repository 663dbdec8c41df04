"""Move a coded project to and from other tools as a REFI-QDA project (.qdpx).

Export writes every document with its text and attributes, the current codebook, and
the accepted codings with their coders (pending suggestions and rejected decisions
have no place in the standard and stay behind). Import reads the same subset into a
store, creating the store with the file's codebook when there is none; into an
existing store it adds the codes the codebook lacks as a new codebook version. The
whole file is checked before anything is written, and everything is written in one
transaction, so a file that cannot be used, or a failure while writing, changes nothing.
Speaker roles and the identifiers list travel too (`exchange_own`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..codebook import Codebook
from ..codebook.formats import duplicate_labels
from ..errors import DocumentChangedError, ProjectFileError
from ..export.refi.positions import CODE_POINTS
from ..export.refi.qdpx import (
    ExchangeCoding,
    ExchangeDocument,
    ExchangeMemo,
    ExchangeProject,
    SelectionStamp,
    distinct_names,
    read_qdpx,
    selection_users,
    utc_z,
    write_qdpx,
)
from ..export.writer import output_format, store_files
from ..ingest import ParsedDocument, SpeakerRules
from ..ingest.layouts import split_turns
from ..limits import check_document_id, refuse_long_paragraphs, refuse_surrogates
from ..store import NewCoding, NewMemo, Store, files
from ..store.identifiers import list_identifiers as stored_identifiers
from ..store.users import SourceOrigin
from ..store.users import users as stored_users
from ..team.coders import require_coders
from . import exchange_own as own

SOURCE_GUID = re.compile(r"\(source \{?([0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12})\}?\)$")


@dataclass
class ProjectExport:
    """What `export project` wrote."""

    path: str
    documents: int
    codes: int
    codings: int
    coders: list[str]
    left_out: list[str] = field(default_factory=list)
    not_carried: list[str] = field(default_factory=list)
    duplicate_labels: dict[str, list[str]] = field(default_factory=dict)
    renamed: dict[str, str] = field(default_factory=dict)
    carried: list[str] = field(default_factory=list)  # qualcode's own parts, and where in the file they went


@dataclass
class ProjectImport:
    """What `import project` did."""

    created_store: bool = False
    documents_added: list[str] = field(default_factory=list)
    documents_unchanged: list[str] = field(default_factory=list)
    codes_added: list[str] = field(default_factory=list)
    codebook_version: int | None = None
    codings_added: int = 0
    codings_already_there: int = 0
    coders: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    memos_added: int = 0
    positions: str = CODE_POINTS
    identifiers: int = 0  # names of the file's identifiers list (the store keeps those it lacked)
    roles_kept: int = 0  # transcripts whose speaker roles came from the file


def export_project(
    store: Store,
    path: str | Path,
    coders: Iterable[str] | None = None,
    positions: str = CODE_POINTS,
    distinct_labels: bool = False,
    coder_selections: bool = False,
) -> ProjectExport:
    """Write the project (documents, attributes, codebook, accepted codings) as a .qdpx file.

    `positions` counts selections in code points (the standard) or UTF-16 units (what
    NVivo reads); `distinct_labels` names codes whose labels repeat `Label (Parent)`,
    since QualCoder merges codes of the same name; `coder_selections` stamps each selection
    with its coder, not the user who made it in the tool it came from, since QualCoder reads
    the coder from the selection.
    """
    output_format(path, None, ("qdpx",), default=None, protect=store_files(store))
    names = require_coders(store, coders) if coders else None
    codebook = store.codebook()
    used: set[str] = set()
    documents = [_exchange_document(store, row["id"], used) for row in store.documents()]
    codings, left_out = [], []
    for row in store.codings(coders=names, statuses=["accepted"]):
        if row["code_id"] not in codebook:
            left_out.append(f"coding {row['id']} uses `{row['code_id']}`, which the current codebook no longer has")
            continue
        origin = (row["evidence"] or {}).get("origin") or {}
        codings.append(
            ExchangeCoding(
                row["document_id"],
                row["start"],
                row["end"],
                row["code_id"],
                row["coder"],
                row["decided_at"] or row["created_at"],
                origin.get("guid"),
                origin.get("selection"),
                SelectionStamp.from_dict(origin.get("selection_stamp") or {}),
            )
        )
    renamed = distinct_names(codebook) if distinct_labels else {}
    identifiers = [(row["identifier"], row["kind"]) for row in stored_identifiers(store)]
    write_qdpx(
        ExchangeProject(
            codebook.name,
            codebook,
            documents,
            codings,
            memos=_exchange_memos(store, codebook),
            users=stored_users(store),
            identifiers=identifiers,
            coder_selections=coder_selections,
        ),
        path,
        store_files(store),
        positions=positions,
        names=renamed,
    )
    return ProjectExport(
        str(path),
        len(documents),
        len(codebook),
        len(codings),
        sorted({c.coder for c in codings}),
        left_out,
        _not_carried(store, names),
        duplicate_labels(codebook),
        renamed,
        own.carried(documents, identifiers) + _makers_not_written(codings, coder_selections),
    )


def _not_carried(store: Store, coders: list[str] | None) -> list[str]:
    """What the store holds that a .qdpx has no place for, so the user is told what stays behind."""
    counts = {status: len(store.codings(coders=coders, statuses=[status])) for status in ("pending", "rejected")}
    found = [f"{counts['pending']} pending codings or suggestions"] if counts["pending"] else []
    found += [f"{counts['rejected']} rejected decisions"] if counts["rejected"] else []
    return found


def _makers_not_written(codings: list[ExchangeCoding], coder_selections: bool) -> list[str]:
    """Selections stamped with their coder for QualCoder lose who made them in their own tool: say how many."""
    made = {c.selection_guid for c in codings if c.selection and c.selection.creator not in (None, c.coder)}
    if not (coder_selections and made):
        return []
    return [
        f"each selection is stamped with its coder, as QualCoder reads it, so who made {len(made)} selections "
        "in the tool they came from is not written."
    ]


def _exchange_memos(store: Store, codebook: Any) -> list[ExchangeMemo]:
    """Every memo as a Note for the .qdpx, its text masked like every export; a segment or coding memo points at its span."""
    from ..export.masking import masked_texts

    memos = store.memos()
    texts = masked_texts(store, [m["text"] for m in memos])
    segments = (
        {s["id"]: (s["start"], s["end"]) for s in store.segments()} if any(m["segment_id"] for m in memos) else {}
    )
    codings = {c["id"]: (c["start"], c["end"]) for c in store.codings()} if any(m["coding_id"] for m in memos) else {}
    found, used = [], set()
    for memo, text in zip(memos, texts):
        span = codings.get(memo["coding_id"]) or segments.get(memo["segment_id"])
        code = memo["code_id"] if memo["code_id"] in codebook else None
        guid = memo["guid"] if memo["guid"] and memo["guid"].lower() not in used else None  # its Note's, once
        used.add((guid or "").lower())
        found.append(
            ExchangeMemo(
                f"memo-{memo['id']}", text, memo["coder"], memo["created_at"], memo["document_id"], span, code, guid
            )
        )
    return found


def _exchange_document(store: Store, document_id: str, used: set[str]) -> ExchangeDocument:
    """A stored document for the .qdpx, with the GUID its source had in the file it came from (once per file)."""
    document = store.document(document_id)
    found = SOURCE_GUID.search(document["source_path"] or "") if document["format"] == "qdpx" else None
    guid = found.group(1) if found and found.group(1).lower() not in used else None
    used.add((guid or "").lower())
    return ExchangeDocument(
        document_id,
        document["text"],
        document["title"],
        {**document["attributes"], **own.roles_attribute(document_id, document["text"], document["turns"])},
        document["created_at"] or document["imported_at"],
        guid,
        document["creator"],
    )


def import_project(
    location: str | Path,
    path: str | Path,
    author: str = "",
    interviewer_labels: list[str] | None = None,
    positions: str | None = None,
) -> ProjectImport:
    """Read a .qdpx into the store at `location` (created when absent), all or nothing.

    A text the file lacks or cannot give is skipped (and named in the report) while the
    rest comes in; `positions` forces the unit of selection offsets (judged by default).
    """
    exchange = read_qdpx(path, positions)
    created = not _store_exists(location)
    if created and not exchange.codebook.codes:
        raise ProjectFileError(
            f"{path}: has no codes; create a store with a codebook first, then import the project into it.",
            hint="create_store",
        )
    if created:
        return _import_new(location, exchange, Path(path), author, interviewer_labels)
    store = Store.open(location)
    try:
        return _import_into(store, exchange, Path(path), author, interviewer_labels, created)
    finally:
        store.close()


def _import_new(
    location: str | Path, exchange: ExchangeProject, path: Path, author: str, interviewer_labels: list[str] | None
) -> ProjectImport:
    """Import into a new store: a SQLite file is built beside its place and moved there whole; on a server
    the codebook is written with the schema, so a stopped import never leaves a store without one."""
    target = _sqlite_path(location)
    if target is None:
        store = Store.create(location, exchange.codebook, author, f"codebook of {path.name}")
        try:
            report = _import_into(store, exchange, path, author, interviewer_labels, created=True, codebook_stored=True)
        finally:
            store.close()
        return report
    with files.building(target) as partial:
        store = Store.create(partial)
        try:
            report = _import_into(store, exchange, path, author, interviewer_labels, created=True)
        finally:
            store.close()
    report.created_store = True
    return report


def _import_into(
    store: Store,
    exchange: ExchangeProject,
    path: Path,
    author: str,
    interviewer_labels: list[str] | None,
    created: bool,
    codebook_stored: bool = False,
) -> ProjectImport:
    report = ProjectImport(
        created_store=created, notes=list(exchange.notes), skipped=list(exchange.skipped), positions=exchange.positions
    )
    codebook, report.codes_added = _merged_codebook(store, exchange.codebook, created)
    if codebook_stored:
        codebook, report.codebook_version = None, 1
    new_documents, unchanged = _sort_documents(store, exchange, path)
    rules = SpeakerRules.with_interviewers(interviewer_labels)
    roles = {d.id: d.attributes.pop(own.ROLES_ATTRIBUTE, None) for d in exchange.documents}
    parsed = [_parsed(document, path, rules, roles[document.id]) for document in new_documents]
    identifiers, unknown = own.identifiers(exchange.identifiers)
    report.skipped += unknown
    codings = _new_codings(store, exchange.codings, {d.id for d in unchanged})
    report.codings_already_there = len(exchange.codings) - len(codings)
    memos = _new_memos(store, exchange, codings)
    report.notes += _users_kept(exchange, codings, memos)
    message = f"codebook of {path.name}" if created else f"codes added by importing {path.name}"
    from ..ingest.segments import segment_documents  # spaCy loads only when documents are imported

    report.codebook_version = store.save_imported_project(
        codebook,
        parsed,
        segment_documents(parsed),
        codings,
        attributes={d.id: d.attributes for d in unchanged},
        author=author,
        message=message,
        memos=memos,
        users=exchange.users,
        origins={d.id: SourceOrigin(d.creator, store_time(d.created)) for d in [*new_documents, *unchanged]},
        identifiers=identifiers,
    )
    report.identifiers = len(identifiers)
    report.roles_kept = sum(1 for d in new_documents if roles[d.id] is not None)
    report.notes += own.kept_from_file(report.roles_kept, identifiers)
    report.memos_added = len(memos)
    report.documents_added = [d.id for d in new_documents]
    report.documents_unchanged = [d.id for d in unchanged]
    report.codings_added = len(codings)
    report.coders = sorted({c.coder for c in codings})
    return report


def _merged_codebook(store: Store, imported: Codebook, created: bool) -> tuple[Codebook | None, list[str]]:
    """The codebook to store as a new version (None when nothing changes) and the codes it adds."""
    if created:
        return imported, [code.id for code in imported.codes]
    current = store.codebook()
    missing = [code for code in imported.codes if code.id not in current]
    if not missing:
        return None, []
    merged = Codebook(current.name, current.codes + missing, current.version, current.description, current.groups)
    return merged, [code.id for code in missing]


def _sort_documents(
    store: Store, exchange: ExchangeProject, path: Path
) -> tuple[list[ExchangeDocument], list[ExchangeDocument]]:
    """(documents new to the store, documents it already holds with the same text); other text is refused."""
    known = set(store.document_hashes())
    new, unchanged = [], []
    for document in exchange.documents:
        if document.id not in known:
            new.append(document)
        elif store.document(document.id)["text"] == document.text:
            unchanged.append(document)
        else:
            raise DocumentChangedError(
                f"{path}: document `{document.id}` is already in {store.location} with different text; "
                "import the project into a new store instead.",
                hint="new_store",
            )
    return new, unchanged


def _parsed(document: ExchangeDocument, path: Path, rules: SpeakerRules, roles: str | None) -> ParsedDocument:
    check_document_id(document.id, path, ProjectFileError)
    refuse_surrogates(document.text, path, ProjectFileError)
    refuse_long_paragraphs(document.text, path, ProjectFileError)
    turns = own.with_roles(split_turns(document.text, 0, rules, document.id), roles)
    source = f"{path} (source {document.guid})" if document.guid else str(path)  # the GUID goes back on export
    return ParsedDocument(
        id=document.id,
        text=document.text,
        turns=turns,
        source_path=source,
        format="qdpx",
        title=document.title or document.id,
        encoding="utf-8",
        attributes=dict(document.attributes),
    )


def _new_codings(store: Store, codings: list[ExchangeCoding], unchanged: set[str]) -> list[NewCoding]:
    """The file's codings as accepted decisions, leaving out those the store already has."""
    existing = {
        (r["document_id"], r["start"], r["end"], r["code_id"], r["coder"])
        for r in (store.codings(document_ids=sorted(unchanged), statuses=["accepted"]) if unchanged else [])
    }
    found: list[NewCoding] = []
    for coding in codings:
        key = (coding.document_id, coding.start, coding.end, coding.code_id, coding.coder)
        if key in existing:
            continue
        existing.add(key)
        found.append(
            NewCoding(
                coding.document_id,
                coding.start,
                coding.end,
                coding.code_id,
                coding.coder,
                source="imported",
                status="accepted",
                evidence=_origin(coding),
                created_at=store_time(coding.created),
            )
        )
    return found


def _origin(coding: ExchangeCoding) -> dict:
    """The GUIDs a coding and its selection had in the file, and who made the selection when, kept to write back."""
    stamp = coding.selection.as_dict() if coding.selection else None
    found = (("guid", coding.guid), ("selection", coding.selection_guid), ("selection_stamp", stamp))
    origin = {key: value for key, value in found if value}
    return {"origin": origin} if origin else {}


def store_time(value: str | None) -> str | None:
    """A time from another tool in the store's form (UTC, seconds), or None when it is not a time."""
    moment = utc_z(value)
    return moment[:-1] + "+00:00" if moment else None


def _new_memos(store: Store, exchange: ExchangeProject, codings: list[NewCoding]) -> list[NewMemo]:
    """The file's memos: a span's memo on the coding there (the memo author's first), else on its document."""
    held = {(m["document_id"], m["code_id"], m["coder"], m["text"]) for m in store.memos()}
    at: dict[tuple[str, int, int], list[int]] = {}
    for index, coding in enumerate(codings):
        at.setdefault((coding.document_id, coding.start, coding.end), []).append(index)
    found = []
    for memo in exchange.memos:
        if (memo.document_id, memo.code_id, memo.author, memo.text) in held:
            continue
        held.add((memo.document_id, memo.code_id, memo.author, memo.text))
        there = at.get((memo.document_id, *memo.span), []) if memo.span and memo.document_id else []
        mine = [i for i in there if codings[i].coder == memo.author] or there
        found.append(
            NewMemo(
                memo.text,
                memo.author,
                memo.document_id,
                mine[0] if mine else None,
                memo.code_id,
                store_time(memo.created),
                memo.guid,
            )
        )
    return found


def _users_kept(exchange: ExchangeProject, codings: list[NewCoding], memos: list[NewMemo]) -> list[str]:
    """A note naming the users kept who bring no coding, selection or memo in, so the report says where they went."""
    working = {c.coder for c in codings} | {m.coder for m in memos} | {c.coder for c in exchange.codings}
    idle = sorted(
        set(exchange.users) - working - {m.author for m in exchange.memos} - selection_users(exchange.codings)
    )
    return (
        [f"users with no codings, selections or memos kept as users of the project: {', '.join(idle)}."] if idle else []
    )


def _store_exists(location: str | Path) -> bool:
    path = _sqlite_path(location)
    if path is None:
        return Store.on_server(str(location))
    return path.exists() and (path.is_dir() or path.stat().st_size > 0) and not files.is_empty_store(path)


def _sqlite_path(location: str | Path) -> Path | None:
    text = str(location)
    if "://" in text and not text.startswith("sqlite:///"):
        return None
    return Path(text.split("///", 1)[1]) if text.startswith("sqlite:///") else Path(text).expanduser()
