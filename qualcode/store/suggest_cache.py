"""What suggesting learned, kept in the store so no run repeats work another run did.

- Text analyses: a passage's lemmas and keyword matches, by the hash of its text and the
  signature of the pipeline and keyword set that read it; a passage is read once.
- Fitted models and corpus statistics: opaque bytes under a key that digests everything
  they were fitted on (for a model: the decisions it saw), so a run whose decisions did
  not change finds its models here and fits nothing.
These are caches: deleting them loses no decision, only time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import delete, func, insert, select

from .schema import fitted_models, text_analyses

BATCH = 500
KEEP = {
    "corpus": 2,
    "model": 200,
    "index": 2,
    "nearness": 100,  # per code, every passage's nearness to its decisions: about three whole runs' worth
}  # entries kept per signature and kind (newest first); older ones are pruned


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def analyses(
    store: Any, texts: list[str], signature: str, compute: Callable[[list[str]], list[tuple[str, dict[str, Any]]]]
) -> list[tuple[str, dict[str, Any]]]:
    """(lemmas, keyword matches) per text: stored ones where the text was read before, the rest read now and stored."""
    hashes = [text_hash(text) for text in texts]
    known: dict[str, tuple[str, dict[str, Any]]] = {}
    wanted = sorted(set(hashes))
    with store.engine.connect() as connection:
        for begin in range(0, len(wanted), BATCH):
            query = select(text_analyses.c.text_hash, text_analyses.c.lemmas, text_analyses.c.rules).where(
                text_analyses.c.signature == signature, text_analyses.c.text_hash.in_(wanted[begin : begin + BATCH])
            )
            known.update((h, (lemmas, json.loads(rules))) for h, lemmas, rules in connection.execute(query).all())
    missing = {h: text for h, text in zip(hashes, texts) if h not in known}
    if missing:
        fresh = compute(list(missing.values()))
        rows = [
            {"signature": signature, "text_hash": h, "lemmas": lemmas, "rules": json.dumps(rules)}
            for h, (lemmas, rules) in zip(missing, fresh)
        ]
        with store.engine.begin() as connection:
            for begin in range(0, len(rows), 5000):
                connection.execute(_insert_new(connection, text_analyses), rows[begin : begin + 5000])
        known.update(zip(missing, fresh))
    return [known[h] for h in hashes]


def prune_analyses(store: Any, signature: str, texts: Iterable[str]) -> int:
    """Delete the stored analyses no passage or question among `texts` uses any more (a passage edited, a
    transcript replaced or removed), and those read by another pipeline or keyword set; returns how many."""
    used = {text_hash(text) for text in texts}
    c = text_analyses.c
    with store.engine.begin() as connection:
        stale = [(row.signature, row.text_hash) for row in connection.execute(select(c.signature, c.text_hash))]
        stale = [(sig, h) for sig, h in stale if sig != signature or h not in used]
        for sig in {sig for sig, _ in stale}:
            hashes = [h for other, h in stale if other == sig]
            for begin in range(0, len(hashes), BATCH):
                chunk = hashes[begin : begin + BATCH]
                connection.execute(delete(text_analyses).where(c.signature == sig, c.text_hash.in_(chunk)))
    return len(stale)


def fitted(store: Any, keys: Iterable[str]) -> dict[str, bytes]:
    """The stored entries among `keys`."""
    keys = sorted(set(keys))
    found: dict[str, bytes] = {}
    with store.engine.connect() as connection:
        for begin in range(0, len(keys), BATCH):
            query = select(fitted_models.c.key, fitted_models.c.data).where(
                fitted_models.c.key.in_(keys[begin : begin + BATCH])
            )
            found.update((row.key, bytes(row.data)) for row in connection.execute(query))
    return found


def learned_before(store: Any) -> bool:
    """True once a suggest run has learned from decisions (it left an index of its models)."""
    query = select(fitted_models.c.key).where(fitted_models.c.kind == "index").limit(1)
    with store.engine.connect() as connection:
        return connection.execute(query).first() is not None


def latest(store: Any, signature: str, kind: str) -> tuple[str, bytes] | None:
    """The newest entry of a kind for a signature, as (key, data)."""
    query = (
        select(fitted_models.c.key, fitted_models.c.data)
        .where(fitted_models.c.signature == signature, fitted_models.c.kind == kind)
        .order_by(fitted_models.c.created_at.desc(), fitted_models.c.key)
        .limit(1)
    )
    with store.engine.connect() as connection:
        row = connection.execute(query).first()
    return (row.key, bytes(row.data)) if row else None


def keep(store: Any, signature: str, kind: str, entries: dict[str, bytes]) -> None:
    """Store new entries (keys already stored are left alone), then prune the oldest beyond KEEP[kind]."""
    if not entries:
        return
    stamp = datetime.now(timezone.utc).isoformat(timespec="microseconds")
    with store.engine.begin() as connection:
        present = set()
        keys = sorted(entries)
        for begin in range(0, len(keys), BATCH):
            present.update(
                connection.execute(
                    select(fitted_models.c.key).where(fitted_models.c.key.in_(keys[begin : begin + BATCH]))
                ).scalars()
            )
        rows = [
            {"key": key, "kind": kind, "signature": signature, "created_at": stamp, "data": data}
            for key, data in entries.items()
            if key not in present
        ]
        for row in rows:
            connection.execute(_insert_new(connection, fitted_models), row)
        mine = (fitted_models.c.signature == signature) & (fitted_models.c.kind == kind)
        count = connection.execute(select(func.count()).select_from(fitted_models).where(mine)).scalar_one()
        if count > KEEP[kind]:
            old = select(fitted_models.c.key).where(mine).order_by(fitted_models.c.created_at.desc()).offset(KEEP[kind])
            stale = list(connection.execute(old).scalars())
            for begin in range(0, len(stale), BATCH):
                connection.execute(delete(fitted_models).where(fitted_models.c.key.in_(stale[begin : begin + BATCH])))


def _insert_new(connection: Any, table: Any) -> Any:
    """An insert that leaves a row already there (another run stored the same key meanwhile) as it is."""
    if connection.dialect.name == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(table).on_conflict_do_nothing()
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table).on_conflict_do_nothing()
    return insert(table)


def learning_decisions(
    store: Any, coder: str | None = None, document_ids: list[str] | None = None
) -> list[dict[str, Any]]:
    """What the learner reads of each decision (span, code, status), lean: coders' accepted and rejected
    codings, not the suggester's; with `coder` (blind coding), that coder's only; with `document_ids`,
    those transcripts' only."""
    from .codings import SUGGESTER
    from .schema import codings

    c = codings.c
    query = (
        select(c.document_id, c.start, c.end, c.code_id, c.status)
        .where(c.status.in_(["accepted", "rejected"]), c.coder != SUGGESTER)
        .order_by(c.id)
    )
    if coder is not None:
        query = query.where(c.coder == coder)
    if document_ids is not None:
        query = query.where(c.document_id.in_(document_ids))
    with store.engine.connect() as connection:
        return [
            {"document_id": d, "start": s, "end": e, "code_id": code, "status": status}
            for d, s, e, code, status in connection.execute(query).all()  # fetched at once: 200,000 rows
        ]


@dataclass
class Decided:
    """Every coding but a pending suggestion, read in one pass for a whole run: what the learner reads
    (`learning`, as learning_decisions gives it) and the (segment id, code) pairs that get no suggestion
    (`pairs`, as Store.decided_pairs gives them for every transcript)."""

    learning: list[dict[str, Any]]
    pairs: set[tuple[int, str]]


def decided(store: Any, coder: str | None = None) -> Decided:
    """The project's decisions read once (a big project holds 200,000), for learning and for leaving
    decided pairs alone; with `coder` (blind coding), only that coder's decisions are learned from."""
    from .codings import SUGGESTER
    from .schema import codings

    c = codings.c
    query = (
        select(c.segment_id, c.document_id, c.start, c.end, c.code_id, c.status, c.coder)
        .where(~((c.source == "suggested") & (c.status == "pending")))
        .order_by(c.id)
    )
    with store.engine.connect() as connection:
        rows = connection.execute(query).all()
    learned = ("accepted", "rejected")
    return Decided(
        [
            {"document_id": d, "start": s, "end": e, "code_id": code, "status": status}
            for _, d, s, e, code, status, who in rows
            if status in learned and who != SUGGESTER and (coder is None or who == coder)
        ],
        {(r[0], r[4]) for r in rows if r[0] is not None},
    )


def corpus_mark(store: Any, passages: list[dict[str, Any]] | None = None) -> str:
    """A digest of every participant segment's place (id, transcript, span) and every transcript's content:
    it changes when a transcript is imported, replaced or removed, or its speakers' roles change. Read lean,
    without the texts; or, given the segments `passages` as read, of those."""
    from .schema import documents, segments

    s, d = segments.c, documents.c
    digest = hashlib.sha256()
    with store.engine.connect() as connection:
        places = (
            connection.execute(select(s.id, s.document_id, s.turn_position, s.start, s.end).order_by(s.id)).all()
            if passages is None
            else sorted((p["id"], p["document_id"], p["turn_position"], p["start"], p["end"]) for p in passages)
        )
        contents = connection.execute(select(d.id, d.content_hash).order_by(d.id)).all()
    for row in [*places, *contents]:
        digest.update(("\x00".join(map(str, row)) + "\n").encode("utf-8"))
    return digest.hexdigest()


def decision_mark(store: Any) -> tuple[int, str]:
    """The decision log's last entry (id and time): where a later `decided_since` starts."""
    from .schema import decisions

    with store.engine.connect() as connection:
        row = connection.execute(select(decisions.c.id, decisions.c.decided_at).order_by(decisions.c.id.desc())).first()
    return (int(row[0]), str(row[1])) if row else (0, "")


def decided_since(store: Any, mark: tuple[int, str]) -> set[str] | None:
    """The transcripts whose codings coders (not the suggester) changed after `mark` (decision_mark);
    None when the log no longer holds that entry as it was (the store was restored or recovered)."""
    from .codings import SUGGESTER
    from .schema import decisions

    c = decisions.c
    with store.engine.connect() as connection:
        if mark[0]:
            kept = connection.execute(select(c.decided_at).where(c.id == mark[0])).scalar()
            if kept is None or str(kept) != mark[1]:
                return None
        found = connection.execute(
            select(c.document_id, c.coding_id).where(c.id > mark[0], c.coder != SUGGESTER).distinct()
        ).all()
    if any(document_id is None and coding_id is not None for document_id, coding_id in found):
        return None
    return {str(document_id) for document_id, _ in found if document_id is not None}
