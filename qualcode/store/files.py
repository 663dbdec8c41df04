"""The store as a file: what is at a --db path, building a new store whole, and database errors as sentences.

A SQLite store is created in a temporary file beside its place and linked into
place only when whole, so a killed `init` leaves either no store or a complete one.
A path that is a folder, or a file that is not SQLite, is named as such before
SQLite is asked to open it; a file without write permission is opened read-only.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.engine import make_url

from ..errors import StoreError

SQLITE_HEADER = b"SQLite format 3\x00"
SIDE_FILES = ("-wal", "-shm", "-journal")


def is_sqlite_file(path: Path) -> bool:
    """True when the file starts with SQLite's header (an empty file counts: SQLite treats it as a new database)."""
    with open(path, "rb") as handle:
        head = handle.read(len(SQLITE_HEADER))
    return head == SQLITE_HEADER or head == b""


def refuse_foreign(path: Path) -> None:
    """Refuse a --db path that is a folder or a file that is not a SQLite database, before SQLite opens it."""
    if path.is_dir():
        raise StoreError(
            f"{path}: is a folder, not a qualcode store; point the store location at a .db file inside it."
        )
    try:
        sqlite = is_sqlite_file(path)
    except OSError as error:
        raise StoreError(f"{path}: cannot be read ({error.strerror}); check its permissions.") from None
    if not sqlite:
        raise StoreError(
            f"{path}: is not a qualcode store (not a SQLite database file); point the store location at "
            "the project's .db file, or run `qualcode recover` if this was a store that got damaged."
        )


def sqlite_url(path: Path) -> tuple[str, bool]:
    """(SQLAlchemy URL, read-only?) for a store file: read-only when the file has no write permission bits
    (or its folder cannot be written, when SQLite could not create its side files)."""
    mode = path.stat().st_mode
    file_readonly = not (mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)) or not os.access(path, os.W_OK)
    folder_readonly = not os.access(path.parent, os.W_OK)
    if not (file_readonly or folder_readonly):
        return f"sqlite:///{path}", False
    flags = "immutable=1" if folder_readonly else "mode=ro"
    return f"sqlite:///file:{quote(str(path.resolve()))}?{flags}&uri=true", True


@contextmanager
def building(path: Path) -> Iterator[Path]:
    """A temporary file beside `path` to build a new store in; linked into place when the block ends without error."""
    _refuse_existing(path)
    if not path.parent.is_dir():  # a mistyped folder is said, not made: exports refuse it the same way
        raise StoreError(f"{path.parent}: no such folder; create it first, or choose another place for the store.")
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    _remove(partial)
    try:
        yield partial
        _publish(partial, path)
    finally:
        _remove(partial)


def _refuse_existing(path: Path) -> None:
    if path.is_dir():
        raise StoreError(f"{path}: is a folder; choose a file name for the store.")
    if path.exists() and path.stat().st_size > 0 and not is_empty_store(path):
        raise StoreError(
            f"{path}: a file already exists there; choose another place for the store or delete the old one first.",
            hint="store",
        )


def is_empty_store(path: Path) -> bool:
    """True for a store with a schema but no codebook and no documents (left by a stopped init of an older qualcode)."""
    try:
        connection = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
        try:
            codebooks = connection.execute("SELECT count(*) FROM codebook_versions").fetchone()[0]
            documents = connection.execute("SELECT count(*) FROM documents").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.Error:
        return False
    return codebooks == 0 and documents == 0


def _publish(partial: Path, path: Path) -> None:
    """Move a whole store file into place, never over another store."""
    for suffix in SIDE_FILES:
        if Path(f"{partial}{suffix}").exists():
            raise StoreError(f"{partial}: the new store was not closed cleanly; try again.")
    if path.exists():
        if path.stat().st_size > 0 and not is_empty_store(path):
            raise StoreError(
                f"{path}: another store appeared there while this one was being made; nothing was changed."
            )
        for suffix in ("", *SIDE_FILES):
            _remove(Path(f"{path}{suffix}"))
    _fsync(partial)
    try:
        os.link(partial, path)
    except FileExistsError:
        raise StoreError(
            f"{path}: another store appeared there while this one was being made; nothing was changed."
        ) from None
    except OSError:  # a file system without hard links
        os.replace(partial, path)
    _fsync(path.parent)


def _fsync(path: Path) -> None:
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _remove(path: Path) -> None:
    for suffix in ("", *SIDE_FILES):
        try:
            os.remove(f"{path}{suffix}")
        except FileNotFoundError:
            pass


def explain(error: BaseException | None, location: str) -> None:
    """Raise a StoreError naming the store for a database error a user can act on; return for anything else (a bug)."""
    text = str(error or "")
    shown = _shown(location)
    if "readonly database" in text or "read-only" in text:
        raise StoreError(
            f"{shown}: is read-only here (no write permission), so it can be read but not changed; "
            "ask for write access or work on a copy."
        ) from None
    if "database is locked" in text or "database table is locked" in text:
        raise StoreError(
            f"{shown}: stayed busy with another qualcode process for over 30 seconds; "
            "try again when that process has finished."
        ) from None
    if "malformed" in text or "file is not a database" in text or "disk I/O error" in text:
        raise StoreError(
            f"{shown}: is damaged ({text.splitlines()[0]}); run `qualcode check` to see what is wrong, "
            "then restore a backup or copy what can be read into a new store with `qualcode recover`."
        ) from None
    if "unable to open database file" in text:
        raise StoreError(
            f"{shown}: cannot be opened (its folder does not exist or cannot be written); check the store location."
        ) from None
    if type(error).__module__.startswith("psycopg") and type(error).__name__ == "OperationalError":
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        reason = lines[0].removeprefix("connection failed: ") if lines else "no answer"
        raise StoreError(
            f"{shown}: the database server cannot be reached or refused the connection ({reason}); "
            "check the server is running and the address, user and database name are right."
        ) from None


def _shown(location: str) -> str:
    """A store location fit to print: a server URL without its password."""
    if "://" in location and not location.startswith("sqlite"):
        try:
            return make_url(location).render_as_string(hide_password=True)
        except Exception:
            return location.split("@")[-1]
    return location
