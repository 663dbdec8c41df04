"""The coding store: every document, segment, codebook version and coding decision.

SQLAlchemy Core over SQLite by default (WAL, foreign keys on) or PostgreSQL for a
team; the schema is created and upgraded by the Alembic migrations beside this
file. Every write happens in one transaction, so a failure leaves the store as it was.
No SQL lives outside this package.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import create_engine, delete, event, func, insert, inspect, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import NoSuchModuleError

from ..codebook import Codebook, parse_codebook
from ..credentials import hide_password
from ..errors import StoreError, StoreUpgradeError, StoreVersionError, UnknownDocumentError
from ..ingest import ParsedDocument
from . import decisions, files
from . import schema as t
from .codings import (
    CodingsMixin,
    MemosMixin,
    NewCoding,
    NewMemo,
    SuggestionSync,
    UnknownCodingError,
    _current_version,
    _insert_codings,
    _insert_memos,
)
from .identifiers import add_identifier_rows
from .speakers import SpeakersMixin
from .users import SourceOrigin, save_users

if TYPE_CHECKING:
    from ..ingest.segments import SegmentSpan

__all__ = ["NewCoding", "NewMemo", "OpenResult", "Store", "SuggestionSync", "UnknownCodingError", "now"]

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger(__name__)


def now() -> str:
    """The current time as an ISO string in UTC, the store's time format."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


@dataclass
class OpenResult:
    """What opening a store did: the backup made before a migration, if any."""

    backup: Path | None = None
    upgraded_from: str | None = None


class Store(CodingsMixin, MemosMixin, SpeakersMixin):
    """A connection to one coding store; open it with `Store.open` or `Store.create`."""

    def __init__(self, engine: Engine, location: str) -> None:
        self.engine = engine
        self.location = hide_password(location)  # shown in messages and provenance, never with a password
        self.readonly = False
        self.opened = OpenResult()
        self._codebooks: dict[int, Codebook] = {}

    # -- opening -----------------------------------------------------------------
    @classmethod
    def open(cls, location: str | Path, upgrade_server: bool = False) -> Store:
        """Open an existing store, upgrading an older SQLite schema (after a backup) as it opens.

        A store on a database server is upgraded only with `upgrade_server` (the user has
        been told to back it up first); otherwise an older one is refused with a sentence.
        A SQLite file without write permission is opened read-only: it can be read,
        and a write is refused with a sentence.
        """
        url, path = _url(location)
        readonly = False
        if path is not None:
            if not path.exists():
                raise StoreError(
                    f"{path}: no qualcode store here; create one with a codebook first.", hint="create_store"
                )
            files.refuse_foreign(path)
            url, readonly = files.sqlite_url(path)
        store = cls(_engine(url, str(location), readonly), str(location))
        store.readonly = readonly
        store.opened = store._migrate(path, creating=False, upgrade_server=upgrade_server)
        return store

    @staticmethod
    def on_server(location: str) -> bool:
        """Whether the database at a server address already holds a qualcode store (it is only read)."""
        url, _ = _url(location)
        engine = _engine(url, location)
        try:
            return _revision(engine) is not None
        finally:
            engine.dispose()

    @classmethod
    def create(
        cls, location: str | Path, codebook: Codebook | None = None, author: str = "", message: str = ""
    ) -> Store:
        """Create a new store (holding `codebook` as version 1 when given); an existing store is never overwritten.

        A SQLite store is built in a temporary file beside its place and moved there
        whole; on a server, the schema and the codebook are written in one transaction.
        So a store that exists always has its codebook, even if creating it was killed.
        """
        url, path = _url(location)
        if path is None:
            store = cls(_engine(url, str(location)), str(location))
            if _revision(store.engine) is not None:
                raise StoreError(
                    f"{hide_password(location)}: already holds a qualcode store; open it instead of creating it again."
                )
            store._migrate(None, creating=True, codebook=codebook, author=author, message=message)
            return store
        with files.building(path) as partial:
            building = cls(_engine(f"sqlite:///{partial}", str(location)), str(location))
            try:
                building._migrate(None, creating=True, codebook=codebook, author=author, message=message)
            finally:
                building.close()
        return cls.open(path)

    def close(self) -> None:
        self.engine.dispose()

    def _migrate(
        self,
        path: Path | None,
        creating: bool,
        codebook: Codebook | None = None,
        author: str = "",
        message: str = "",
        upgrade_server: bool = False,
    ) -> OpenResult:
        config = _alembic_config()
        script = ScriptDirectory.from_config(config)
        head = script.get_current_head()
        current = _revision(self.engine)
        if current == head:
            return OpenResult()
        if current is None and not creating:
            if inspect(self.engine).get_table_names():
                raise StoreError(
                    f"{self.location}: is a database but not a qualcode store; give the location of a qualcode store.",
                    hint="store",
                )
            raise StoreError(
                f"{self.location}: is empty; create a store there with a codebook first.", hint="create_store"
            )
        try:
            script.get_revision(current) if current else None
        except CommandError:
            raise StoreVersionError(
                f"{self.location}: was made by a newer qualcode (schema {current}); upgrade qualcode to open it."
            ) from None
        if getattr(self, "readonly", False):
            raise StoreError(
                f"{self.location}: was made by an older qualcode and is read-only here, so it cannot be upgraded; "
                "open a writable copy of it once to upgrade it."
            )
        if path is None and current is not None and not upgrade_server:
            raise StoreUpgradeError(
                f"{self.location}: was made by an older qualcode (schema {current}, this one uses {head}); "
                "back it up first (pg_dump), then upgrade it with `qualcode migrate`."
            )
        backup = _backup_sqlite(path, current) if (path is not None and current is not None) else None
        if current is None:
            log.info("Creating the schema of %s at %s", self.location, head)
        else:
            log.info("Upgrading the schema of %s from %s to %s", self.location, current, head)
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            if codebook is not None:
                _insert_codebook_version(connection, codebook, author, message)
        return OpenResult(backup=backup, upgraded_from=current)

    def schema_revision(self) -> str | None:
        return _revision(self.engine)

    # -- codebook versions ----------------------------------------------------------
    def add_codebook_version(self, codebook: Codebook, author: str = "", message: str = "") -> int:
        """Store a codebook as the next version; returns the new version number."""
        with self.engine.begin() as connection:
            return _insert_codebook_version(connection, codebook, author, message)

    def codebook_version(self) -> int:
        """The number of the current (latest) codebook version."""
        with self.engine.connect() as connection:
            version = connection.execute(select(func.max(t.codebook_versions.c.version))).scalar()
        if version is None:
            raise StoreError(
                f"{self.location}: holds no codebook; give it one as a new codebook version.", hint="codebook_update"
            )
        return version

    def codebook(self, version: int | None = None) -> Codebook:
        """The codebook of a version (default: the current one); versions never change, so each is parsed once."""
        version = version or self.codebook_version()
        if version in self._codebooks:
            return self._codebooks[version]
        with self.engine.connect() as connection:
            text = connection.execute(
                select(t.codebook_versions.c.yaml).where(t.codebook_versions.c.version == version)
            ).scalar()
        if text is None:
            raise StoreError(
                f"{self.location}: has no codebook version {version}; choose one of the versions it lists.",
                hint="codebook_log",
            )
        self._codebooks[version] = parse_codebook(text, f"{self.location} (codebook version {version})")
        return self._codebooks[version]

    def codebook_versions(self) -> list[dict[str, Any]]:
        """Every codebook version, oldest first: version, name, author, message, created_at and its number of codes."""
        v = t.codebook_versions.c
        counts = select(t.codes.c.version, func.count().label("codes")).group_by(t.codes.c.version).subquery()
        query = (
            select(
                v.version, v.name, v.author, v.message, v.created_at, func.coalesce(counts.c.codes, 0).label("codes")
            )
            .outerjoin(counts, counts.c.version == v.version)
            .order_by(v.version)
        )
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    # -- documents ----------------------------------------------------------------
    def speaker_labels(self) -> list[str]:
        """Every speaker label the transcripts use (notes aside), once each."""
        c = t.turns.c
        with self.engine.connect() as connection:
            return sorted(connection.execute(select(c.speaker).where(c.kind != "note").distinct()).scalars())

    def document_hashes(self) -> dict[str, str]:
        with self.engine.connect() as connection:
            return dict(connection.execute(select(t.documents.c.id, t.documents.c.content_hash)).all())

    def save_documents(
        self,
        documents: list[ParsedDocument],
        segments: list[list[SegmentSpan]],
        replace: Iterable[str] = (),
        attributes: dict[str, dict[str, Any]] | None = None,
    ) -> int:
        """Insert parsed documents with their turns and segments, and set attributes, in one transaction.

        Documents whose id is in `replace` are replaced; their codings move to where
        their quote is found in the new text, and those whose quote is gone are
        dropped. Returns how many codings were dropped.
        """
        replace = set(replace)
        dropped = 0
        with self.engine.begin() as connection:
            for document in documents:
                if document.id in replace:
                    _clear_for_replacement(connection, document)
            _insert_documents(connection, documents, segments, replace)
            for document in documents:
                if document.id in replace:
                    dropped += _reanchor_codings(connection, document)
            _set_attributes(connection, attributes or {})
        log.info("Saved %d transcripts to %s; %d codings dropped", len(documents), self.location, dropped)
        return dropped

    def save_imported_project(
        self,
        codebook: Codebook | None,
        documents: list[ParsedDocument],
        segments: list[list[SegmentSpan]],
        codings: list[NewCoding],
        attributes: dict[str, dict[str, Any]] | None = None,
        author: str = "",
        message: str = "",
        memos: list[NewMemo] | None = None,
        users: dict[str, str | None] | None = None,
        origins: dict[str, SourceOrigin] | None = None,
        identifiers: list[tuple[str, str]] | None = None,
    ) -> int | None:
        """Write an imported project in one transaction, so a failure part way leaves the store as it was.

        Stores `codebook` (when given) as the next version, adds the new documents with
        their segments, sets `attributes` of documents already held, and adds the
        codings under the current version, then the `memos` (a memo's `coding` indexes
        `codings`), the `users` (name: GUID), each document's origin and the names to mask. Returns the new
        codebook version, if any.
        """
        with self.engine.begin() as connection:
            version = _insert_codebook_version(connection, codebook, author, message) if codebook is not None else None
            _insert_documents(connection, documents, segments)
            _set_attributes(connection, attributes or {})
            ids = _insert_codings(connection, codings, _current_version(connection)) if codings else []
            if memos:
                _insert_memos(connection, memos, ids)
            if users or origins:
                save_users(connection, users or {}, origins or {}, now())
            if identifiers:
                add_identifier_rows(connection, identifiers, now())
        return version

    def set_attributes(self, attributes: dict[str, dict[str, Any]]) -> None:
        """Set attributes (role, site, ...) of documents by id, replacing values of the same name."""
        with self.engine.begin() as connection:
            _set_attributes(connection, attributes)

    def attributes(self, only: str | None = None) -> dict[str, dict[str, str]]:
        """Every document's attributes (or only one document's): {document id: {name: value}}."""
        found: dict[str, dict[str, str]] = {}
        query = select(t.attributes.c.document_id, t.attributes.c.name, t.attributes.c.value)
        if only is not None:
            query = query.where(t.attributes.c.document_id == only)
        with self.engine.connect() as connection:
            for document_id, name, value in connection.execute(query):
                found.setdefault(document_id, {})[name] = value
        return found

    def documents(self) -> list[dict[str, Any]]:
        """Documents with their attributes and counts of participant segments and codings."""
        segment_counts = (
            select(t.segments.c.document_id, func.count().label("n")).group_by(t.segments.c.document_id).subquery()
        )
        coding_counts = (
            select(t.codings.c.document_id, func.count().label("n"))
            .where(t.codings.c.status != "rejected")
            .group_by(t.codings.c.document_id)
            .subquery()
        )
        query = (
            select(
                t.documents.c.id,
                t.documents.c.title,
                t.documents.c.format,
                t.documents.c.encoding,
                t.documents.c.word_count,
                t.documents.c.source_path,
                func.coalesce(segment_counts.c.n, 0).label("segments"),
                func.coalesce(coding_counts.c.n, 0).label("codings"),
            )
            .outerjoin(segment_counts, segment_counts.c.document_id == t.documents.c.id)
            .outerjoin(coding_counts, coding_counts.c.document_id == t.documents.c.id)
            .order_by(t.documents.c.id)
        )
        attributes = self.attributes()
        with self.engine.connect() as connection:
            rows = [dict(row._mapping) for row in connection.execute(query)]
        for row in rows:
            row["attributes"] = attributes.get(row["id"], {})
        return rows

    def document(self, document_id: str) -> dict[str, Any]:
        """One document with its text, attributes and turns."""
        with self.engine.connect() as connection:
            row = connection.execute(select(t.documents).where(t.documents.c.id == document_id)).first()
            if row is None:
                raise UnknownDocumentError(
                    f"no document `{document_id}` in {self.location}; check the id against the list of transcripts."
                )
            turns = connection.execute(
                select(t.turns).where(t.turns.c.document_id == document_id).order_by(t.turns.c.position)
            ).all()
        document = dict(row._mapping)
        document["attributes"] = self.attributes(document_id).get(document_id, {})
        document["turns"] = [dict(turn._mapping) | {"attributes": json.loads(turn.attributes)} for turn in turns]
        return document

    def segments(self, document_id: str | None = None) -> list[dict[str, Any]]:
        """Participant segments (all documents, or one), in document order."""
        query = select(t.segments).order_by(t.segments.c.document_id, t.segments.c.position)
        if document_id is not None:
            self.document_ids_exist([document_id])
            query = query.where(t.segments.c.document_id == document_id)
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query).all()]

    def questions(self, segments: list[dict[str, Any]]) -> list[str]:
        """For each segment, the text of the last interviewer turn before it ('' if none)."""
        wanted = {s["document_id"] for s in segments}
        asked: dict[str, list[tuple[int, str]]] = {}
        query = (
            select(t.turns.c.document_id, t.turns.c.position, t.turns.c.start, t.turns.c.end)
            .where(t.turns.c.kind == "interviewer")
            .order_by(t.turns.c.document_id, t.turns.c.position)
        )
        with self.engine.connect() as connection:
            texts = dict(
                connection.execute(
                    select(t.documents.c.id, t.documents.c.text).where(t.documents.c.id.in_(wanted))
                ).all()
            )
            for document_id, position, start, end in connection.execute(query):
                if document_id in texts:
                    asked.setdefault(document_id, []).append((position, texts[document_id][start:end]))
        found = []
        for segment in segments:
            earlier = [
                q for position, q in asked.get(segment["document_id"], []) if position < segment["turn_position"]
            ]
            found.append(earlier[-1] if earlier else "")
        return found

    def document_ids_exist(self, document_ids: Iterable[str]) -> None:
        """Raise UnknownDocumentError naming the first id the store does not hold."""
        known = set(self.document_hashes())
        for document_id in document_ids:
            if document_id not in known:
                raise UnknownDocumentError(
                    f"no document `{document_id}` in {self.location}; check the id against the list of transcripts."
                )

    def counts(self) -> dict[str, int]:
        """How many documents, segments and codings the store holds."""
        with self.engine.connect() as connection:
            return {
                name: connection.execute(select(func.count()).select_from(table)).scalar()
                for name, table in (("documents", t.documents), ("segments", t.segments), ("codings", t.codings))
            }


def _url(location: str | Path) -> tuple[str, Path | None]:
    text = str(location)
    if "://" in text:
        return text, (Path(text.split("///", 1)[1]) if text.startswith("sqlite:///") else None)
    path = Path(text).expanduser()
    return f"sqlite:///{path}", path


BUSY_TIMEOUT = 30  # seconds a SQLite writer waits for another to finish before saying so


def _engine(url: str, location: str = "", readonly: bool = False) -> Engine:
    """An engine whose database errors become sentences naming the store (see files.explain)."""
    sqlite = url.startswith("sqlite")
    try:
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT} if sqlite else {})
    except ModuleNotFoundError as missing:
        raise StoreError(
            f"{location or hide_password(url)}: the database driver `{missing.name}` is not installed; "
            "install it (for PostgreSQL, qualcode's `postgres` extra) and try again."
        ) from None
    except NoSuchModuleError:
        raise StoreError(
            f"{location or hide_password(url)}: is not a kind of database qualcode can open; give a SQLite "
            "file or a postgresql+psycopg:// address."
        ) from None
    if sqlite:
        event.listen(engine, "connect", _sqlite_pragmas_readonly if readonly else _sqlite_pragmas)
    event.listen(engine, "handle_error", lambda context: files.explain(context.original_exception, location or url))
    return engine


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_pragmas_readonly(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA foreign_keys=ON")


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _backup_sqlite(path: Path, revision: str) -> Path:
    """Copy a SQLite store (consistently, through SQLite's backup API) before it is upgraded."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.schema-{revision}.{stamp}.bak")
    copy_sqlite(path, backup)
    return backup


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy one SQLite database into another through SQLite's online backup API (consistent while in use)."""
    reader = sqlite3.connect(source)
    try:
        writer = sqlite3.connect(target)
        with writer:
            reader.backup(writer)
        writer.close()
    finally:
        reader.close()


def _insert_codebook_version(connection: Connection, codebook: Codebook, author: str, message: str) -> int:
    """Write a codebook and its codes as the version after the latest; returns its number."""
    latest = connection.execute(select(func.max(t.codebook_versions.c.version))).scalar() or 0
    version = latest + 1
    connection.execute(
        insert(t.codebook_versions).values(
            version=version,
            name=codebook.name,
            description=codebook.description,
            yaml=codebook.to_yaml(),
            author=author,
            message=message,
            created_at=now(),
        )
    )
    rows = [
        {
            "version": version,
            "code_id": code.id,
            "label": code.label,
            "parent_id": code.parent,
            "theme_id": codebook.theme_of(code.id),
            "colour": codebook.colour_of(code.id),
            "position": i,
        }
        for i, code in enumerate(codebook.codes)
    ]
    connection.execute(insert(t.codes), rows)
    return version


def _set_attributes(connection: Connection, attributes: dict[str, dict[str, Any]]) -> None:
    for document_id, values in attributes.items():
        for name, value in values.items():
            connection.execute(
                delete(t.attributes).where((t.attributes.c.document_id == document_id) & (t.attributes.c.name == name))
            )
            if value is not None and str(value) != "":
                connection.execute(insert(t.attributes).values(document_id=document_id, name=name, value=str(value)))


def _clear_for_replacement(connection: Connection, document: ParsedDocument) -> None:
    """Remove a replaced document's turns, segments and the attributes its new file sets.

    The document row stays (codings and memos point at it), and so do attributes the
    new file does not set, such as a role from participants.csv.
    """
    for table in (t.segments, t.turns):
        connection.execute(delete(table).where(table.c.document_id == document.id))
    names = [str(name) for name in document.attributes]
    if names:
        connection.execute(
            delete(t.attributes).where((t.attributes.c.document_id == document.id) & t.attributes.c.name.in_(names))
        )


def _insert_documents(
    connection: Connection,
    documents: list[ParsedDocument],
    segments: list[list[SegmentSpan]],
    replacing: Iterable[str] = (),
) -> None:
    """Write documents with their attributes, turns and segments; rows of ids in `replacing` are updated."""
    stamp = now()
    if not documents:
        return
    replacing = set(replacing)
    rows = [
        {
            "id": d.id,
            "title": d.title,
            "source_path": d.source_path,
            "format": d.format,
            "encoding": d.encoding,
            "content_hash": d.content_hash,
            "text": d.text,
            "word_count": d.word_count,
            "imported_at": stamp,
        }
        for d in documents
    ]
    new_rows = [row for row in rows if row["id"] not in replacing]
    if new_rows:
        connection.execute(insert(t.documents), new_rows)
    for row in rows:
        if row["id"] in replacing:
            connection.execute(t.documents.update().where(t.documents.c.id == row["id"]).values(**row))
    attribute_rows = [
        {"document_id": d.id, "name": str(name), "value": str(value)}
        for d in documents
        for name, value in d.attributes.items()
        if value is not None and str(value) != ""
    ]
    if attribute_rows:
        connection.execute(insert(t.attributes), attribute_rows)
    turn_rows = [
        {
            "document_id": d.id,
            "position": i,
            "speaker": turn.speaker,
            "kind": turn.kind,
            "start": turn.start,
            "end": turn.end,
            "attributes": json.dumps(turn.attributes),
        }
        for d in documents
        for i, turn in enumerate(d.turns)
    ]
    if turn_rows:
        connection.execute(insert(t.turns), turn_rows)
    segment_rows = [
        {
            "document_id": d.id,
            "turn_position": span.turn_index,
            "position": i,
            "start": span.start,
            "end": span.end,
            "speaker": d.turns[span.turn_index].speaker,
            "text": d.text[span.start : span.end],
        }
        for d, spans in zip(documents, segments)
        for i, span in enumerate(spans)
    ]
    if segment_rows:
        connection.execute(insert(t.segments), segment_rows)


def _reanchor_codings(connection: Connection, document: ParsedDocument) -> int:
    """Move a replaced document's codings to their quote in the new text; drop those not found."""
    from ..ingest.anchoring import find_quote, segment_for_span

    rows = connection.execute(
        select(t.codings.c.id, t.codings.c.start, t.codings.c.quote).where(t.codings.c.document_id == document.id)
    ).all()
    spans = connection.execute(
        select(t.segments.c.id, t.segments.c.start, t.segments.c.end).where(t.segments.c.document_id == document.id)
    ).all()
    dropped, batch, stamp = 0, decisions.new_batch(), now()
    for row in rows:
        coding_id, start, quote = int(row[0]), int(row[1]), str(row[2])
        found = find_quote(document.text, quote, near=start)
        before = decisions.coding_state(connection, coding_id)
        if found is None:
            connection.execute(delete(t.codings).where(t.codings.c.id == coding_id))
            decisions.log(connection, batch, "remove", decisions.SUGGESTER, stamp, coding_id=coding_id, before=before)
            dropped += 1
            continue
        segment_id = segment_for_span(spans, *found)
        connection.execute(
            t.codings.update()
            .where(t.codings.c.id == coding_id)
            .values(start=found[0], end=found[1], segment_id=segment_id)
        )
        after = decisions.coding_state(connection, coding_id)
        if after != before:
            decisions.log(
                connection,
                batch,
                "edit_span",
                decisions.SUGGESTER,
                stamp,
                coding_id=coding_id,
                before=before,
                after=after,
            )
    return dropped
