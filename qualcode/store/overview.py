"""Summaries the app shows on every page load, each one aggregate query.

Documents with their coding progress and counts per code, computed in SQL so a page stays
fast with hundreds of transcripts and hundreds of thousands of codings.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, distinct, func, select

from . import schema as t


def document_overview(store: Any, coder: str | None = None) -> list[dict[str, Any]]:
    """Every document with its attributes, participant segments, segments with an accepted coding, accepted and pending codings.

    With `coder` (blind coding), accepted codings count only when they are that
    coder's, so nobody sees a colleague's progress.
    """
    c, d = t.codings.c, t.documents.c
    mine = (c.coder == coder) | (c.status == "pending") if coder is not None else c.id.is_not(None)
    progress = (
        select(
            c.document_id,
            func.count(distinct(case((c.status == "accepted", c.segment_id)))).label("coded_segments"),
            func.sum(case((c.status == "accepted", 1), else_=0)).label("accepted"),
            func.sum(case((c.status == "pending", 1), else_=0)).label("pending"),
        )
        .where(mine)
        .group_by(c.document_id)
        .subquery()
    )
    segments = select(t.segments.c.document_id, func.count().label("n")).group_by(t.segments.c.document_id).subquery()
    query = (
        select(
            d.id,
            d.word_count,
            func.coalesce(segments.c.n, 0),
            func.coalesce(progress.c.coded_segments, 0),
            func.coalesce(progress.c.accepted, 0),
            func.coalesce(progress.c.pending, 0),
        )
        .outerjoin(segments, segments.c.document_id == d.id)
        .outerjoin(progress, progress.c.document_id == d.id)
        .order_by(d.id)
    )
    attributes: dict[str, dict[str, str]] = {}
    with store.engine.connect() as connection:
        for document_id, name, value in connection.execute(
            select(t.attributes.c.document_id, t.attributes.c.name, t.attributes.c.value)
        ):
            attributes.setdefault(document_id, {})[name] = value
        rows = connection.execute(query).all()
    return [
        {
            "id": i,
            "attributes": attributes.get(i, {}),
            "words": words,
            "segments": n,
            "coded_segments": coded,
            "accepted": accepted,
            "pending": pending,
        }
        for i, words, n, coded, accepted, pending in rows
    ]


def code_counts(store: Any) -> dict[str, dict[str, int]]:
    """Per code id: how many codings have each status."""
    c = t.codings.c
    query = select(c.code_id, c.status, func.count()).group_by(c.code_id, c.status)
    found: dict[str, dict[str, int]] = {}
    with store.engine.connect() as connection:
        for code_id, status, n in connection.execute(query):
            found.setdefault(code_id, {})[status] = n
    return found
