"""Copy every readable row of a damaged SQLite store into a new store, and say what was lost.

Each table is read in rowid order; where SQLite stops at a damaged page, the rest of
the table is read row by row, so one bad page costs the rows on it and no more. Rows
go into a new store made at the current schema; rows whose parent row was lost (a
segment whose document is gone) are left out too, and counted, so the new store
passes `check`. The damaged file is only read, never changed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ..errors import StoreError
from . import Store, files
from . import schema as t

PROBE_PAST_END = 10_000  # rowids tried past the last readable one when the table's end cannot be read


@dataclass
class TableRecovery:
    """What happened to one table: rows copied, rows that could not be read, rows left out for a lost parent."""

    table: str
    copied: int = 0
    unreadable: int = 0
    orphaned: int = 0
    end_unreadable: bool = False  # the table's last rows could not be reached, so how many were lost is unknown

    @property
    def lost(self) -> int:
        return self.unreadable + self.orphaned


def recover(damaged: str | Path, target: str | Path) -> list[TableRecovery]:
    """Build a new store at `target` from the readable rows of `damaged`; one TableRecovery per table."""
    damaged, target = Path(damaged), Path(target)
    if not damaged.is_file():
        raise StoreError(f"{damaged}: no such store file; check the path.")
    files.refuse_foreign(damaged)
    source = sqlite3.connect(f"file:{quote(str(damaged.resolve()))}?immutable=1", uri=True)
    try:
        tables = _source_tables(source, damaged)
        with files.building(target) as partial:
            Store.create(partial).close()
            report = _copy(source, partial, tables)
    finally:
        source.close()
    return report


def _source_tables(source: sqlite3.Connection, path: Path) -> set[str]:
    try:
        return {row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise StoreError(
            f"{path}: is damaged beyond what can be read (its table list is unreadable: {error}); "
            "restore a backup instead."
        ) from None


def _copy(source: sqlite3.Connection, partial: Path, tables: set[str]) -> list[TableRecovery]:
    target = sqlite3.connect(partial)
    try:
        target.execute("PRAGMA foreign_keys=OFF")
        report = []
        for table in t.metadata.sorted_tables:
            if table.name in tables:
                report.append(_copy_table(source, target, table.name))
        target.commit()
        orphans = _drop_orphans(target)
        target.commit()
    finally:
        target.close()
    for item in report:
        item.orphaned = orphans.get(item.table, 0)
        item.copied -= item.orphaned
    return report


def _copy_table(source: sqlite3.Connection, target: sqlite3.Connection, table: str) -> TableRecovery:
    wanted = [row[1] for row in target.execute(f'PRAGMA table_info("{table}")')]
    try:
        present = {row[1] for row in source.execute(f'PRAGMA table_info("{table}")')}
    except sqlite3.DatabaseError:
        present = set(wanted)
    columns = [c for c in wanted if c in present]
    names = ", ".join(f'"{c}"' for c in columns)
    rows, unreadable, end_unreadable = _readable_rows(source, table, names)
    result = TableRecovery(table, unreadable=unreadable, end_unreadable=end_unreadable)
    insert = f'INSERT OR IGNORE INTO "{table}" ({names}) VALUES ({", ".join("?" for _ in columns)})'
    for row in rows:
        try:
            result.copied += target.execute(insert, row).rowcount
        except sqlite3.Error:
            result.unreadable += 1
    return result


def _readable_rows(source: sqlite3.Connection, table: str, names: str) -> tuple[list[tuple], int, bool]:
    """The rows SQLite can read (in rowid order), how many rowids in the table's range could not be read,
    and whether the table's end could not be found (so more may be lost than counted)."""
    rows: list[tuple] = []
    last = 0
    try:
        for rowid, *values in source.execute(f'SELECT rowid, {names} FROM "{table}" ORDER BY rowid'):
            rows.append(tuple(values))
            last = rowid
        return rows, 0, False
    except sqlite3.DatabaseError:
        pass
    try:
        end, end_unreadable = source.execute(f'SELECT max(rowid) FROM "{table}"').fetchone()[0] or last, False
    except sqlite3.DatabaseError:
        end, end_unreadable = last + PROBE_PAST_END, True
    unreadable = 0
    for rowid in range(last + 1, end + 1):
        try:
            found = source.execute(f'SELECT {names} FROM "{table}" WHERE rowid = ?', (rowid,)).fetchone()
        except sqlite3.DatabaseError:
            unreadable += 1
            continue
        if found is not None:
            rows.append(tuple(found))
    return rows, (0 if end_unreadable else unreadable), end_unreadable


def _drop_orphans(target: sqlite3.Connection) -> dict[str, int]:
    """Delete rows pointing at a parent row that was lost, until none is left; count them per table."""
    dropped: dict[str, int] = {}
    while True:
        found = target.execute("PRAGMA foreign_key_check").fetchall()
        if not found:
            return dropped
        for table, rowid, _parent, _ in found:
            if rowid is None:
                continue
            target.execute(f'DELETE FROM "{table}" WHERE rowid = ?', (rowid,))
            dropped[table] = dropped.get(table, 0) + 1
