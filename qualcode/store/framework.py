"""The researcher's own framework-matrix summaries: each edit appended with its author and time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert, select

from . import schema as t


def add_edit(store: Any, rows_by: str, row_value: str, code_id: str, summary: str, author: str) -> int:
    """Keep a researcher's summary of one cell; returns its id."""
    stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    with store.engine.begin() as connection:
        result = connection.execute(
            insert(t.framework_edits).values(
                rows_by=rows_by, row_value=row_value, code_id=code_id, summary=summary, author=author, edited_at=stamp
            )
        )
        return int(result.inserted_primary_key[0])


def latest_edits(store: Any, rows_by: str) -> dict[tuple[str, str], dict[str, Any]]:
    """The summary in force per (row value, code id) for rows grouped by `rows_by`: the newest edit of each cell."""
    e = t.framework_edits.c
    found: dict[tuple[str, str], dict[str, Any]] = {}
    with store.engine.connect() as connection:
        for row in connection.execute(select(t.framework_edits).where(e.rows_by == rows_by).order_by(e.id)):
            found[(row.row_value, row.code_id)] = dict(row._mapping)
    return found
