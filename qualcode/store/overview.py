"""Summaries the app shows on every page load, each one aggregate query.

Coding progress per document and counts per code, computed in SQL so a page stays
fast with hundreds of transcripts and hundreds of thousands of codings.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, distinct, func, select

from . import schema as t


def document_progress(store: Any) -> dict[str, dict[str, int]]:
    """Per document: participant segments, segments with an accepted coding, accepted and pending codings."""
    c = t.codings.c
    coded = (
        select(c.document_id,
               func.count(distinct(case((c.status == "accepted", c.segment_id)))).label("coded_segments"),
               func.sum(case((c.status == "accepted", 1), else_=0)).label("accepted"),
               func.sum(case((c.status == "pending", 1), else_=0)).label("pending"))
        .group_by(c.document_id)
    )
    segments = select(t.segments.c.document_id, func.count().label("segments")).group_by(t.segments.c.document_id)
    found: dict[str, dict[str, int]] = {}
    with store.engine.connect() as connection:
        for document_id, n in connection.execute(segments):
            found[document_id] = {"segments": n, "coded_segments": 0, "accepted": 0, "pending": 0}
        for document_id, coded_segments, accepted, pending in connection.execute(coded):
            row = found.setdefault(document_id, {"segments": 0})
            row.update(coded_segments=coded_segments or 0, accepted=accepted or 0, pending=pending or 0)
    return found


def code_counts(store: Any) -> dict[str, dict[str, int]]:
    """Per code id: how many codings have each status."""
    c = t.codings.c
    query = select(c.code_id, c.status, func.count()).group_by(c.code_id, c.status)
    found: dict[str, dict[str, int]] = {}
    with store.engine.connect() as connection:
        for code_id, status, n in connection.execute(query):
            found.setdefault(code_id, {})[status] = n
    return found


def codebook_versions(store: Any) -> list[dict[str, Any]]:
    """Every codebook version, oldest first: number, name, author, message and time."""
    v = t.codebook_versions.c
    query = select(v.version, v.name, v.author, v.message, v.created_at).order_by(v.version)
    with store.engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]
