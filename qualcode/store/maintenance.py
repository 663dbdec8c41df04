"""Integrity check, consistent snapshots and restore of a SQLite coding store."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import func, select, text

from ..errors import StoreError
from . import Store, copy_sqlite
from . import schema as t
from .files import refuse_foreign


def check_location(location: str) -> list[str]:
    """Every problem found in the store at `location`, including a file that is damaged, foreign or not a store at all."""
    from . import _url

    _, path = _url(location)
    if path is not None:
        problems = _file_problems(path)
        if problems:
            return problems
    try:
        store = Store.open(location)
    except StoreError as error:
        return [str(error)]
    try:
        return check(store)
    finally:
        store.close()


def _file_problems(path: Path) -> list[str]:
    """What is wrong with a SQLite store file itself, read through SQLite alone (no schema upgrade, no writes)."""
    if not path.exists():
        return [f"{path}: there is no store here; create one with a codebook, or restore a backup to this place."]
    try:
        refuse_foreign(path)
    except StoreError as error:
        return [str(error)]
    try:
        connection = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
        try:
            verdicts = [row[0] for row in connection.execute("PRAGMA integrity_check(20)")]
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        verdicts = [str(error)]
    if verdicts != ["ok"]:
        return [
            f"{path}: the database file is damaged (SQLite: {'; '.join(verdicts[:3])}); restore a backup with "
            "`qualcode restore`, or copy every readable row into a new store with `qualcode recover`."
        ]
    return []


def check(store: Store) -> list[str]:
    """Every problem found in the store, as sentences (empty when all is well)."""
    problems: list[str] = []
    with store.engine.connect() as connection:
        if connection.execute(select(func.count()).select_from(t.codebook_versions)).scalar() == 0:
            problems.append(
                f"{store.location}: holds no codebook (an init or project import that was stopped part way); "
                "delete the file and create the store again with `qualcode init`."
            )
        if store.engine.dialect.name == "sqlite":
            verdict = connection.execute(text("PRAGMA integrity_check")).scalar()
            if verdict != "ok":
                problems.append(f"SQLite integrity check: {verdict}")
            for table, rowid, parent, _ in connection.execute(text("PRAGMA foreign_key_check")):
                problems.append(f"row {rowid} of {table} points at a missing row of {parent}")
        texts = dict(connection.execute(select(t.documents.c.id, t.documents.c.text)).all())
        for segment_id, document_id, start, end, segment_text in connection.execute(
            select(t.segments.c.id, t.segments.c.document_id, t.segments.c.start, t.segments.c.end, t.segments.c.text)
        ):
            if texts.get(document_id, "")[start:end] != segment_text:
                problems.append(
                    f"segment {segment_id} of {document_id} no longer matches the document text at {start}-{end}"
                )
        for coding_id, document_id, start, end, quote in connection.execute(
            select(t.codings.c.id, t.codings.c.document_id, t.codings.c.start, t.codings.c.end, t.codings.c.quote)
        ):
            if texts.get(document_id, "")[start:end] != quote:
                problems.append(f"coding {coding_id} of {document_id} no longer matches its quote at {start}-{end}")
    return problems


def backup(store: Store, target: str | Path) -> Path:
    """Write a consistent snapshot of a SQLite store to a new file (safe while others use the store)."""
    target = Path(target)
    if target.exists():
        raise StoreError(f"{target}: already exists; choose a new file name for the backup.")
    copy_sqlite(_sqlite_path(store), target)
    return target


def restore(store: Store, source: str | Path) -> Path:
    """Replace the store's contents with a snapshot; the current contents are kept in a .bak file first."""
    current = _sqlite_path(store)
    store.engine.dispose()
    safety = restore_location(current, source)
    assert safety is not None
    return safety


def restore_location(location: str | Path, source: str | Path) -> Path | None:
    """Put a backup in place of the SQLite store at `location`, which may be missing or damaged.

    Whatever was there is kept first: a readable store as a consistent copy, a
    damaged file as it is (moved aside, with its side files). Returns where it was
    kept (None when there was nothing). The backup is checked before anything moves.
    """
    from . import _url

    source = Path(source)
    _, current = _url(location)
    if current is None:
        raise StoreError(
            f"{location}: backup and restore work on SQLite stores; use pg_dump and pg_restore for PostgreSQL."
        )
    if not source.is_file():
        raise StoreError(f"{source}: no such backup file; check the path.")
    problems = _file_problems(source)
    if problems:
        raise StoreError(
            f"{source}: is not a usable backup ({problems[0].split(': ', 1)[1].split(';')[0]}); choose another backup file."
        )
    Store.open(source).close()  # refuses anything that is not a qualcode store this version can read
    partial = current.with_name(f".{current.name}.{os.getpid()}.restoring")
    copy_sqlite(source, partial)
    safety = _set_aside(current)
    os.replace(partial, current)
    return safety


def _set_aside(current: Path) -> Path | None:
    """Keep the store about to be replaced: a consistent copy when it reads, else the damaged file itself."""
    if not current.exists():
        return None
    stamp = f"{dt.datetime.now():%Y%m%d-%H%M%S}"
    if current.is_dir():
        raise StoreError(f"{current}: is a folder; restore to a file path instead.")
    if not _file_problems(current):
        safety = current.with_name(f"{current.name}.before-restore.{stamp}.bak")
        copy_sqlite(current, safety)
        for suffix in ("-wal", "-shm"):
            Path(f"{current}{suffix}").unlink(missing_ok=True)
        return safety
    safety = current.with_name(f"{current.name}.damaged.{stamp}")
    for suffix in ("", "-wal", "-shm", "-journal"):
        if Path(f"{current}{suffix}").exists():
            os.replace(f"{current}{suffix}", f"{safety}{suffix}")
    return safety


def _sqlite_path(store: Store) -> Path:
    if store.engine.dialect.name != "sqlite" or not store.engine.url.database:
        raise StoreError(
            f"{store.location}: backup and restore work on SQLite stores; use pg_dump and pg_restore for PostgreSQL."
        )
    return Path(store.engine.url.database)
