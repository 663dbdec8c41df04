"""Integrity check, consistent snapshots and restore of a SQLite coding store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select, text

from ..errors import StoreError
from . import Store, copy_sqlite
from . import schema as t


def check(store: Store) -> list[str]:
    """Every problem found in the store, as sentences (empty when all is well)."""
    problems: list[str] = []
    with store.engine.connect() as connection:
        if store.engine.dialect.name == "sqlite":
            verdict = connection.execute(text("PRAGMA integrity_check")).scalar()
            if verdict != "ok":
                problems.append(f"SQLite integrity check: {verdict}")
            for table, rowid, parent, _ in connection.execute(text("PRAGMA foreign_key_check")):
                problems.append(f"row {rowid} of {table} points at a missing row of {parent}")
        texts = dict(connection.execute(select(t.documents.c.id, t.documents.c.text)).all())
        for segment_id, document_id, start, end, segment_text in connection.execute(
                select(t.segments.c.id, t.segments.c.document_id, t.segments.c.start, t.segments.c.end, t.segments.c.text)):
            if texts.get(document_id, "")[start:end] != segment_text:
                problems.append(f"segment {segment_id} of {document_id} no longer matches the document text at {start}-{end}")
        for coding_id, document_id, start, end, quote in connection.execute(
                select(t.codings.c.id, t.codings.c.document_id, t.codings.c.start, t.codings.c.end, t.codings.c.quote)):
            if texts.get(document_id, "")[start:end] != quote:
                problems.append(f"coding {coding_id} of {document_id} no longer matches its quote at {start}-{end}")
    return problems


def backup(store: Store, target: str | Path) -> Path:
    """Write a consistent snapshot of a SQLite store to a new file (safe while others use the store)."""
    from ..reports.writer import check_target

    target = Path(target)
    if target.exists():
        raise StoreError(f"{target}: already exists; choose a new file name for the backup.")
    source = _sqlite_path(store)
    check_target(target)  # a missing or read-only folder is named in one sentence
    copy_sqlite(source, target)
    return target


def restore(store: Store, source: str | Path) -> Path:
    """Replace the store's contents with a snapshot; the current contents are kept in a .bak file first."""
    source = Path(source)
    if not source.is_file():
        raise StoreError(f"{source}: no such backup file; check the path.")
    Store.open(source).close()  # refuses anything that is not a qualcode store this version can read
    current = _sqlite_path(store)
    safety = current.with_name(f"{current.name}.before-restore.{dt.datetime.now():%Y%m%d-%H%M%S}.bak")
    copy_sqlite(current, safety)
    store.engine.dispose()
    copy_sqlite(source, current)
    return safety


def _sqlite_path(store: Store) -> Path:
    if store.engine.dialect.name != "sqlite" or not store.engine.url.database:
        raise StoreError(f"{store.location}: backup and restore work on SQLite stores; use pg_dump and pg_restore for PostgreSQL.")
    return Path(store.engine.url.database)
