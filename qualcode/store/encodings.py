"""Segment encodings kept in the store: a segment's meaning vector is computed once per embedder.

Each vector is stored with a hash of the text it was computed from, so a segment whose
text changed is encoded again rather than trusted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import numpy as np
from sqlalchemy import delete, insert, select

from .schema import segment_encodings

BATCH = 500


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stored(store: Any, embedder: str) -> dict[int, tuple[str, np.ndarray]]:
    """Segment id -> (text hash, vector) for every segment encoded by `embedder`."""
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(segment_encodings.c.segment_id, segment_encodings.c.text_hash, segment_encodings.c.vector).where(
                segment_encodings.c.embedder == embedder
            )
        ).all()
    return {row.segment_id: (row.text_hash, np.frombuffer(row.vector, dtype=np.float32)) for row in rows}


def meanings(
    store: Any, segments: list[dict[str, Any]], embedder_name: str, embed: Callable[[list[str]], np.ndarray]
) -> np.ndarray:
    """Segments x dimensions: stored vectors where the text is unchanged, the rest encoded now and stored."""
    known = stored(store, embedder_name)
    hashes = [text_hash(s["text"]) for s in segments]
    missing = [i for i, (s, h) in enumerate(zip(segments, hashes)) if known.get(s["id"], ("",))[0] != h]
    fresh = embed([segments[i]["text"] for i in missing]) if missing else np.zeros((0, 0), np.float32)
    if missing:
        with store.engine.begin() as connection:
            ids = [segments[i]["id"] for i in missing]
            for begin in range(0, len(ids), BATCH):
                connection.execute(
                    delete(segment_encodings).where(
                        segment_encodings.c.embedder == embedder_name,
                        segment_encodings.c.segment_id.in_(ids[begin : begin + BATCH]),
                    )
                )
            connection.execute(
                insert(segment_encodings),
                [
                    {
                        "segment_id": segments[i]["id"],
                        "embedder": embedder_name,
                        "text_hash": hashes[i],
                        "vector": np.asarray(vector, dtype=np.float32).tobytes(),
                    }
                    for i, vector in zip(missing, fresh)
                ],
            )
        for i, vector in zip(missing, fresh):
            known[segments[i]["id"]] = (hashes[i], vector)
    if not segments:
        return np.zeros((0, 1), dtype=np.float32)
    return np.vstack([known[s["id"]][1] for s in segments]).astype(np.float32)
