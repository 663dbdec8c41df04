"""Speakers of a stored document and their roles: re-segmenting a document when a speaker's role changes.

Codings are never deleted here: each is linked to the new segment its span overlaps
most, or to none when its text is now interviewer speech (it stays, and is listed).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select, update

from ..ingest.anchoring import segment_for_span
from . import schema as t

if TYPE_CHECKING:
    from ..ingest.segments import SegmentSpan


class SpeakersMixin:
    """Speaker operations of the Store (mixed into qualcode.store.Store)."""

    engine: Any

    def turn_spans(
        self, document_ids: list[str] | None = None
    ) -> dict[str, list[tuple[int, int, str, dict[str, Any]]]]:
        """Each document's turns as (start, end, speaker, attributes), in order: who spoke where, and when."""
        query = select(
            t.turns.c.document_id, t.turns.c.start, t.turns.c.end, t.turns.c.speaker, t.turns.c.attributes
        ).order_by(t.turns.c.document_id, t.turns.c.position)
        if document_ids is not None:
            query = query.where(t.turns.c.document_id.in_(document_ids))
        found: dict[str, list[tuple[int, int, str, dict[str, Any]]]] = {}
        with self.engine.connect() as connection:
            for document_id, start, end, speaker, attributes in connection.execute(query):
                found.setdefault(document_id, []).append((start, end, speaker, json.loads(attributes or "{}")))
        return found

    def set_turn_kinds(self, document_id: str, kinds: dict[int, str], spans: list[SegmentSpan]) -> list[int]:
        """Give turns (by position) new kinds and replace the document's segments with `spans`, in one transaction.

        Returns the ids of codings whose span lies in no new segment (now interviewer
        speech); they are kept, with no segment.
        """
        with self.engine.begin() as connection:
            text = connection.execute(select(t.documents.c.text).where(t.documents.c.id == document_id)).scalar_one()
            turns = {
                row.position: row
                for row in connection.execute(select(t.turns).where(t.turns.c.document_id == document_id))
            }
            for position, kind in kinds.items():
                connection.execute(
                    update(t.turns)
                    .where((t.turns.c.document_id == document_id) & (t.turns.c.position == position))
                    .values(kind=kind)
                )
            old = {
                row.id: (row.start, row.end)
                for row in connection.execute(
                    select(t.segments.c.id, t.segments.c.start, t.segments.c.end).where(
                        t.segments.c.document_id == document_id
                    )
                )
            }
            memos = connection.execute(
                select(t.memos.c.id, t.memos.c.segment_id).where(
                    (t.memos.c.document_id == document_id) & t.memos.c.segment_id.is_not(None)
                )
            ).all()
            connection.execute(delete(t.segments).where(t.segments.c.document_id == document_id))
            rows = [
                {
                    "document_id": document_id,
                    "turn_position": span.turn_index,
                    "position": i,
                    "start": span.start,
                    "end": span.end,
                    "speaker": turns[span.turn_index].speaker,
                    "text": text[span.start : span.end],
                }
                for i, span in enumerate(spans)
            ]
            if rows:
                connection.execute(insert(t.segments), rows)
            new = connection.execute(
                select(t.segments.c.id, t.segments.c.start, t.segments.c.end).where(
                    t.segments.c.document_id == document_id
                )
            ).all()
            for memo_id, segment_id in memos:
                if segment_id in old:
                    connection.execute(
                        update(t.memos)
                        .where(t.memos.c.id == memo_id)
                        .values(segment_id=segment_for_span(new, *old[segment_id]))
                    )
            outside = []
            for coding_id, start, end in connection.execute(
                select(t.codings.c.id, t.codings.c.start, t.codings.c.end).where(t.codings.c.document_id == document_id)
            ).all():
                segment_id = segment_for_span(new, start, end)
                connection.execute(update(t.codings).where(t.codings.c.id == coding_id).values(segment_id=segment_id))
                if segment_id is None:
                    outside.append(coding_id)
        return outside
