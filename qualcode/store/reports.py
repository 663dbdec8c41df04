"""Coded quotes for reports and the dashboard, in one lean query.

Only the columns a quote table shows, with each coding's turn position joined in,
as plain tuples: exporting hundreds of thousands of quotes stays close to the cost
of reading the rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select

from . import schema as t

QUOTE_FIELDS = (
    "id",
    "document_id",
    "segment_id",
    "turn",
    "start",
    "end",
    "code_id",
    "coder",
    "status",
    "confidence",
    "source",
    "quote",
)


def coded_quote_rows(
    store: Any,
    document_ids: Iterable[str] | None = None,
    code_ids: Iterable[str] | None = None,
    coders: Iterable[str] | None = None,
    statuses: Iterable[str] | None = None,
    min_confidence: float | None = None,
) -> list[tuple]:
    """Codings matching every filter given, as tuples in QUOTE_FIELDS order, by document and position."""
    c = t.codings.c
    query = (
        select(
            c.id,
            c.document_id,
            c.segment_id,
            t.segments.c.turn_position,
            c.start,
            c.end,
            c.code_id,
            c.coder,
            c.status,
            c.confidence,
            c.source,
            c.quote,
        )
        .select_from(t.codings.outerjoin(t.segments, t.segments.c.id == c.segment_id))
        .order_by(c.document_id, c.start, c.code_id, c.id)
    )
    for column, values in (
        (c.document_id, document_ids),
        (c.code_id, code_ids),
        (c.coder, coders),
        (c.status, statuses),
    ):
        if values is not None:
            query = query.where(column.in_(list(values)))
    if min_confidence is not None:
        query = query.where(func.coalesce(c.confidence, 1.0) >= min_confidence)
    with store.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]
