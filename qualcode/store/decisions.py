"""The decision log: every decision on a coding or memo appended, never overwritten, and undo.

The current state of a coding stays in `codings` (so every reader keeps working);
each change to it is written in the same transaction as its log row, which holds the
coding before and after as JSON. An undo restores the `before` of a coder's last
action (all rows of its batch) and is logged itself, so the log only ever grows.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection

from ..errors import NothingToUndoError, UndoConflictError
from . import schema as t

SUGGESTER = "qualcode"
ACTIONS = ("suggest", "withdraw", "import", "add", "accept", "reject", "remove", "edit_span", "resolve", "memo", "undo")
CREATED_BY = {"suggested": "suggest", "manual": "add", "imported": "import"}


def new_batch() -> str:
    """An id shared by the decisions one action makes (a bulk accept is one batch)."""
    return uuid.uuid4().hex


def coding_state(connection: Connection, coding_id: int) -> dict[str, Any] | None:
    """A coding's row exactly as stored (None when it does not exist)."""
    row = connection.execute(select(t.codings).where(t.codings.c.id == coding_id)).first()
    return dict(row._mapping) if row is not None else None


def memo_state(connection: Connection, memo_id: int) -> dict[str, Any] | None:
    """A memo's row exactly as stored (None when it does not exist)."""
    row = connection.execute(select(t.memos).where(t.memos.c.id == memo_id)).first()
    return dict(row._mapping) if row is not None else None


def current_version(connection: Connection) -> int | None:
    """The codebook version in force now."""
    return connection.execute(select(func.max(t.codebook_versions.c.version))).scalar()


def log(
    connection: Connection,
    batch: str,
    action: str,
    coder: str,
    stamp: str,
    *,
    coding_id: int | None = None,
    memo_id: int | None = None,
    document_id: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    undoes: int | None = None,
    version: int | None = None,
) -> None:
    """Append one decision to the log."""
    log_many(
        connection,
        [
            entry(
                batch,
                action,
                coder,
                stamp,
                coding_id=coding_id,
                memo_id=memo_id,
                document_id=document_id,
                before=before,
                after=after,
                undoes=undoes,
                version=version,
            )
        ],
    )


def entry(
    batch: str,
    action: str,
    coder: str,
    stamp: str,
    *,
    coding_id: int | None = None,
    memo_id: int | None = None,
    document_id: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    undoes: int | None = None,
    version: int | None = None,
) -> dict[str, Any]:
    """One log row, ready to insert."""
    document_id = document_id or (after or before or {}).get("document_id")
    return {
        "batch": batch,
        "coding_id": coding_id,
        "memo_id": memo_id,
        "document_id": document_id,
        "action": action,
        "coder": coder,
        "decided_at": stamp,
        "codebook_version": version,
        "before": _dump(before),
        "after": _dump(after),
        "undoes": undoes,
    }


def log_many(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Append several decisions to the log, in order."""
    if rows:
        connection.execute(insert(t.decisions), rows)


def history(
    connection: Connection, document_id: str | None = None, coder: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Log rows (newest last) for a document and/or coder, with before/after parsed."""
    d = t.decisions.c
    query = select(t.decisions).order_by(d.id)
    if document_id is not None:
        query = query.where(d.document_id == document_id)
    if coder is not None:
        query = query.where(d.coder == coder)
    if limit is not None:
        query = query.order_by(None).order_by(d.id.desc()).limit(limit)
    rows = [dict(row._mapping) for row in connection.execute(query)]
    if limit is not None:
        rows.reverse()
    for row in rows:
        row["before"], row["after"] = _load(row["before"]), _load(row["after"])
    return rows


def last_batch(connection: Connection, coder: str) -> list[dict[str, Any]]:
    """The log rows of `coder`'s last action not yet undone (empty when there is none)."""
    d = t.decisions.c
    undone = select(d.undoes).where(d.undoes.is_not(None)).scalar_subquery()
    last = connection.execute(
        select(d.batch)
        .where((d.coder == coder) & (d.action != "undo") & d.id.not_in(undone))
        .order_by(d.id.desc())
        .limit(1)
    ).scalar()
    if last is None:
        return []
    rows = connection.execute(select(t.decisions).where(d.batch == last).order_by(d.id.desc())).all()
    return [dict(row._mapping) | {"before": _load(row.before), "after": _load(row.after)} for row in rows]


def undo_last(connection: Connection, coder: str, stamp: str) -> list[dict[str, Any]]:
    """Revert `coder`'s last action, logging one undo row per decision reverted; returns the reverted rows."""
    rows = last_batch(connection, coder)
    if not rows:
        raise NothingToUndoError(f"{coder} has no decision left to undo.")
    batch, version = new_batch(), current_version(connection)
    for row in rows:
        table, key, state = _target(connection, row)
        if _same(state, row["after"]) is False:
            raise UndoConflictError(
                f"{'coding' if table is t.codings else 'memo'} {key} was changed after {coder}'s {row['action']} "
                f"(see the history); undoing it would overwrite that later decision, so nothing was undone."
            )
        _restore(connection, table, key, state, row["before"])
        log(
            connection,
            batch,
            "undo",
            coder,
            stamp,
            coding_id=row["coding_id"],
            memo_id=row["memo_id"],
            document_id=row["document_id"],
            before=state,
            after=row["before"],
            undoes=row["id"],
            version=version,
        )
    return rows


def _target(connection: Connection, row: dict[str, Any]) -> tuple[Any, int, dict[str, Any] | None]:
    if row["memo_id"] is not None:
        return t.memos, row["memo_id"], memo_state(connection, row["memo_id"])
    return t.codings, row["coding_id"], coding_state(connection, row["coding_id"])


def _same(state: dict[str, Any] | None, expected: dict[str, Any] | None) -> bool:
    return _load(_dump(state)) == expected


def _restore(
    connection: Connection, table: Any, key: int, state: dict[str, Any] | None, wanted: dict[str, Any] | None
) -> None:
    if wanted is None:
        connection.execute(delete(table).where(table.c.id == key))
    elif state is None:
        connection.execute(insert(table).values(**wanted))
    else:
        connection.execute(
            update(table).where(table.c.id == key).values(**{k: v for k, v in wanted.items() if k != "id"})
        )


def _dump(row: dict[str, Any] | None) -> str | None:
    return json.dumps(row, sort_keys=True) if row is not None else None


def _load(text: str | None) -> dict[str, Any] | None:
    return json.loads(text) if text else None
