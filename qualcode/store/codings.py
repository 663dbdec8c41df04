"""Codings in the store: add, decide, query, and keep suggestions in step with the suggester.

A coding is a span of a document tagged with a code by a coder, with its source
(manual, suggested, imported), status (pending, accepted, rejected), confidence and
evidence. Rejected suggestions are data and are never deleted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection

from ..errors import (
    SpanError,
    StoreError,
    UnknownCodeError,
    UnknownCodingError,
    UnknownDecisionError,
    UnknownDocumentError,
)
from ..ingest.anchoring import segment_for_span
from . import decisions as log_
from . import schema as t

SOURCES = ("manual", "suggested", "imported")
STATUSES = ("pending", "accepted", "rejected")
SUGGESTER = log_.SUGGESTER


@dataclass
class NewCoding:
    """A coding to add: where, which code, by whom, and how sure."""

    document_id: str
    start: int
    end: int
    code_id: str
    coder: str
    source: str = "manual"
    status: str = "accepted"
    confidence: float | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    segment_id: int | None = None
    created_at: str | None = None  # when it was made, for a coding brought from another tool; else now


@dataclass
class NewMemo:
    """A memo brought in with a project: on the project, a document, a code, or the coding at `coding` (an index)."""

    text: str
    coder: str
    document_id: str | None = None
    coding: int | None = None
    code_id: str | None = None
    created_at: str | None = None
    guid: str | None = None  # its GUID in the tool it came from


@dataclass
class SuggestionSync:
    """What re-running suggest changed: new, updated and withdrawn pending suggestions."""

    added: int = 0
    updated: int = 0
    withdrawn: int = 0
    kept_decisions: int = 0


class CodingsMixin:
    """Coding operations of the Store (mixed into qualcode.store.Store)."""

    engine: Any
    location: str

    def add_codings(
        self, codings: Iterable[NewCoding], action: str | None = None, coder: str | None = None
    ) -> list[int]:
        """Add codings in one transaction, each logged (as `action` by `coder` when given); quotes and segments are filled in."""
        codings = list(codings)
        with self.engine.begin() as connection:
            return _insert_codings(connection, codings, _current_version(connection), action, coder)

    def decide(self, coding_ids: Iterable[int], status: str, coder: str) -> int:
        """Accept or reject codings as `coder`'s decisions; returns how many were decided."""
        return len(self.decide_codings(coding_ids, status, coder))

    def decide_codings(self, coding_ids: Iterable[int], status: str, coder: str) -> list[int]:
        """Accept or reject codings as one logged action; returns the ids of the codings carrying `coder`'s decisions.

        A pending suggestion, or a coding of `coder`'s own, is decided in place. A coding
        another coder decided is never changed: `coder` gets (or updates) a coding of
        their own on the same span and code, so both decisions stay.
        """
        if status not in ("accepted", "rejected"):
            raise UnknownDecisionError(f"unknown decision `{status}`; use accepted or rejected.")
        ids = list(dict.fromkeys(coding_ids))
        with self.engine.begin() as connection:
            known = {row[0] for row in connection.execute(select(t.codings.c.id).where(t.codings.c.id.in_(ids)))}
            missing = [i for i in ids if i not in known]
            if missing:
                raise UnknownCodingError(
                    f"no coding with id {missing[0]} in {self.location}; check the id against the list of codings.",
                    hint="list_codings",
                )
            version, stamp, batch = _current_version(connection), _now(), log_.new_batch()
            return [_decide_one(connection, coding_id, status, coder, version, stamp, batch) for coding_id in ids]

    def remove_coding(self, coding_id: int, coder: str = SUGGESTER) -> None:
        """Delete a coding added by mistake, logged as `coder`'s with the coding as it was (so undo can bring it back)."""
        with self.engine.begin() as connection:
            before = log_.coding_state(connection, coding_id)
            if before is None:
                raise UnknownCodingError(
                    f"no coding with id {coding_id} in {self.location}; check the id against the list of codings.",
                    hint="list_codings",
                )
            connection.execute(delete(t.codings).where(t.codings.c.id == coding_id))
            log_.log(
                connection,
                log_.new_batch(),
                "remove",
                coder,
                _now(),
                coding_id=coding_id,
                before=before,
                version=_current_version(connection),
            )

    def edit_span(self, coding_id: int, start: int, end: int, coder: str) -> None:
        """Move a coding to another span of its document (a logged decision)."""
        with self.engine.begin() as connection:
            before = log_.coding_state(connection, coding_id)
            if before is None:
                raise UnknownCodingError(
                    f"no coding with id {coding_id} in {self.location}; check the id against the list of codings.",
                    hint="list_codings",
                )
            text = connection.execute(
                select(t.documents.c.text).where(t.documents.c.id == before["document_id"])
            ).scalar_one()
            if not (0 <= start < end <= len(text)):
                raise SpanError(f"span {start}-{end} is outside document `{before['document_id']}` (0-{len(text)}).")
            spans = connection.execute(
                select(t.segments.c.id, t.segments.c.start, t.segments.c.end).where(
                    t.segments.c.document_id == before["document_id"]
                )
            ).all()
            version, stamp = _current_version(connection), _now()
            connection.execute(
                update(t.codings)
                .where(t.codings.c.id == coding_id)
                .values(
                    start=start,
                    end=end,
                    quote=text[start:end],
                    segment_id=segment_for_span(spans, start, end),
                    decided_at=stamp,
                    codebook_version=version,
                )
            )
            log_.log(
                connection,
                log_.new_batch(),
                "edit_span",
                coder,
                stamp,
                coding_id=coding_id,
                before=before,
                after=log_.coding_state(connection, coding_id),
                version=version,
            )

    def history(
        self, document_id: str | None = None, coder: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """The decision log, oldest first, for a document and/or a coder (the last `limit` rows when given)."""
        with self.engine.connect() as connection:
            return log_.history(connection, document_id, coder, limit)

    def undo(self, coder: str) -> list[dict[str, Any]]:
        """Revert `coder`'s last action not yet undone (itself logged); returns the decisions reverted."""
        with self.engine.begin() as connection:
            return log_.undo_last(connection, coder, _now())

    def codings(
        self,
        document_ids: Iterable[str] | None = None,
        code_ids: Iterable[str] | None = None,
        coders: Iterable[str] | None = None,
        statuses: Iterable[str] | None = None,
        sources: Iterable[str] | None = None,
        min_confidence: float | None = None,
        segment_ids: Iterable[int] | None = None,
        ids: Iterable[int] | None = None,
    ) -> list[dict[str, Any]]:
        """Codings matching every filter given, ordered by document and position."""
        c = t.codings.c
        query = select(t.codings).order_by(c.document_id, c.start, c.code_id, c.id)
        for column, values in (
            (c.id, ids),
            (c.document_id, document_ids),
            (c.code_id, code_ids),
            (c.coder, coders),
            (c.status, statuses),
            (c.source, sources),
            (c.segment_id, segment_ids),
            (c.id, ids),
        ):
            if values is not None:
                query = query.where(column.in_(list(values)))
        if min_confidence is not None:
            query = query.where(func.coalesce(c.confidence, 1.0) >= min_confidence)
        with self.engine.connect() as connection:
            rows = [dict(row._mapping) for row in connection.execute(query)]
        for row in rows:
            row["evidence"] = json.loads(row["evidence"] or "{}")
        return rows

    def coders(self) -> list[str]:
        """Everyone who has made a coding decision (not the suggester)."""
        with self.engine.connect() as connection:
            found = connection.execute(select(t.codings.c.coder).distinct().order_by(t.codings.c.coder)).scalars().all()
        return [coder for coder in found if coder != SUGGESTER]

    def decided_pairs(self, document_ids: list[str]) -> set[tuple[int, str]]:
        """(segment id, code) pairs in these transcripts that carry a coding other than a pending suggestion:
        what a suggestion is never made for (read at once, two columns: a big project holds 200,000)."""
        c = t.codings.c
        query = select(c.segment_id, c.code_id).where(
            c.segment_id.is_not(None), ~((c.source == "suggested") & (c.status == "pending"))
        )
        found: set[tuple[int, str]] = set()
        with self.engine.connect() as connection:
            if len(document_ids) > 50:  # most of the project: one pass over the codings
                wanted = set(document_ids)
                rows = connection.execute(query.add_columns(c.document_id)).all()
                return {(r[0], r[1]) for r in rows if r[2] in wanted}
            for i in range(0, len(document_ids), 900):
                found.update(connection.execute(query.where(c.document_id.in_(document_ids[i : i + 900]))).all())
        return {(r[0], r[1]) for r in found}

    def sync_suggestions(
        self, suggestions: list[NewCoding], segment_ids: Iterable[int], code_ids: Iterable[str]
    ) -> SuggestionSync:
        """Make the pending suggestions on these segments and codes equal to `suggestions`.

        A segment and code that already carry a decision or a manual coding get no
        suggestion; an existing pending suggestion is updated in place (same id);
        one the suggester no longer makes is withdrawn. All in one transaction.
        """
        segment_ids, code_ids = set(segment_ids), set(code_ids)
        sync = SuggestionSync()
        with self.engine.begin() as connection:
            lock_codings(
                connection
            )  # read and write under one lock: no duplicate from a concurrent run, no decision undone
            existing = _codings_on(connection, segment_ids, {s.segment_id for s in suggestions} - {None})
            decided = {(r["segment_id"], r["code_id"]) for r in existing if not _is_pending_suggestion(r)}
            pending = {(r["segment_id"], r["code_id"]): r for r in existing if _is_pending_suggestion(r)}
            wanted: dict[tuple[int | None, str], NewCoding] = {}
            for suggestion in suggestions:
                key = (suggestion.segment_id, suggestion.code_id)
                if key in decided:
                    sync.kept_decisions += 1
                elif key not in wanted or (suggestion.confidence or 0) > (wanted[key].confidence or 0):
                    wanted[key] = suggestion
            gone = [row["id"] for key, row in pending.items() if key[1] in code_ids and key not in wanted]
            sync.withdrawn = _withdraw(connection, gone)
            new = []
            shown = _shown(connection, [pending[key]["id"] for key in wanted if key in pending])
            for key, suggestion in wanted.items():
                if key not in pending:
                    new.append(suggestion)
                    continue
                evidence = json.dumps(suggestion.evidence)
                if shown.get(pending[key]["id"]) != (suggestion.confidence, json.loads(evidence)):
                    connection.execute(
                        update(t.codings)
                        .where(t.codings.c.id == pending[key]["id"])
                        .values(confidence=suggestion.confidence, evidence=evidence)
                    )
                    sync.updated += 1  # only a suggestion whose confidence or evidence changed counts as updated
            _insert_codings(connection, new, _current_version(connection))
            sync.added = len(new)
        return sync


def _withdraw(connection: Connection, coding_ids: list[int]) -> int:
    """Delete pending suggestions the suggester no longer makes, each logged with its row as it was (one batch,
    read and deleted 900 at a time: after many decisions a run withdraws thousands)."""
    states: dict[int, dict[str, Any]] = {}
    for i in range(0, len(coding_ids), 900):
        chunk = coding_ids[i : i + 900]
        states.update(
            (row.id, dict(row._mapping))
            for row in connection.execute(select(t.codings).where(t.codings.c.id.in_(chunk)))
        )
        connection.execute(delete(t.codings).where(t.codings.c.id.in_(chunk)))
    batch, stamp = log_.new_batch(), _now()
    log_.log_many(
        connection,
        [log_.entry(batch, "withdraw", SUGGESTER, stamp, coding_id=i, before=states.get(i)) for i in coding_ids],
    )
    return len(coding_ids)


def lock_codings(connection: Connection) -> None:
    """Take the write lock before reading codings that a write will depend on.

    SQLite: BEGIN IMMEDIATE (waits for other writers, then holds them off until
    commit); PostgreSQL: a table lock that writers of codings wait for, and that
    two suggestion runs cannot hold at once.
    """
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql("LOCK TABLE codings IN SHARE ROW EXCLUSIVE MODE")


def _shown(connection: Connection, coding_ids: list[int]) -> dict[int, tuple[float | None, Any]]:
    """(confidence, evidence) of pending suggestions as stored, by id, to tell which a run really changes."""
    found: dict[int, tuple[float | None, Any]] = {}
    c = t.codings.c
    for i in range(0, len(coding_ids), 900):
        query = select(c.id, c.confidence, c.evidence).where(c.id.in_(coding_ids[i : i + 900]))
        found.update(
            (row.id, (row.confidence, json.loads(str(row.evidence)) if row.evidence else None))
            for row in connection.execute(query)
        )
    return found


def _is_pending_suggestion(row: dict[str, Any]) -> bool:
    return row["source"] == "suggested" and row["status"] == "pending"


def _codings_on(connection: Connection, segment_ids: set[int], suggested: set[Any]) -> list[dict[str, Any]]:
    """The pending suggestions on `segment_ids`, and every coding on the `suggested` ones (the segments a suggestion
    is made for): all a sync reads, not the decisions on every segment (a big project holds 200,000)."""
    c = t.codings.c
    query = select(c.id, c.segment_id, c.code_id, c.source, c.status)
    keys = ("id", "segment_id", "code_id", "source", "status")  # plain tuples, not mappings
    found: dict[int, dict[str, Any]] = {}
    pending = (c.source == "suggested") & (c.status == "pending")
    for ids, condition in ((sorted(segment_ids), pending), (sorted(suggested), None)):
        for i in range(0, len(ids), 900):
            chosen = c.segment_id.in_(ids[i : i + 900])
            where = chosen if condition is None else chosen & condition
            found.update((r[0], dict(zip(keys, r))) for r in connection.execute(query.where(where)).all())
    return list(found.values())


def _current_version(connection: Connection) -> int:
    version = connection.execute(select(func.max(t.codebook_versions.c.version))).scalar()
    if version is None:
        raise StoreError("the store holds no codebook; create the store again with a codebook.", hint="create_store")
    return version


def _decide_one(
    connection: Connection, coding_id: int, status: str, coder: str, version: int, stamp: str, batch: str
) -> int:
    """Decide one coding for `coder` (in place, or on their own copy when another coder decided it); logged.

    Deciding again what the coder already decided (accepting their own accepted coding) changes and logs nothing.
    """
    row = log_.coding_state(connection, coding_id)
    assert row is not None
    target = coding_id
    if row["coder"] not in (coder, SUGGESTER):
        c = t.codings.c
        own = connection.execute(
            select(c.id)
            .where(
                (c.document_id == row["document_id"])
                & (c.start == row["start"])
                & (c.end == row["end"])
                & (c.code_id == row["code_id"])
                & (c.coder == coder)
            )
            .order_by(c.id)
        ).scalar()
        if own is None:
            copy = {k: v for k, v in row.items() if k != "id"} | {"coder": coder, "created_at": stamp}
            target = connection.execute(insert(t.codings).returning(t.codings.c.id).values(**copy)).scalar_one()
            before = None
        else:
            target, before = own, log_.coding_state(connection, own)
    else:
        before = row
    if before is not None and before["coder"] == coder and before["status"] == status:
        return target
    connection.execute(
        update(t.codings)
        .where(t.codings.c.id == target)
        .values(status=status, coder=coder, decided_at=stamp, codebook_version=version)
    )
    log_.log(
        connection,
        batch,
        "accept" if status == "accepted" else "reject",
        coder,
        stamp,
        coding_id=target,
        before=before,
        after=log_.coding_state(connection, target),
        version=version,
    )
    return target


def _insert_codings(
    connection: Connection, codings: list[NewCoding], version: int, action: str | None = None, coder: str | None = None
) -> list[int]:
    if not codings:
        return []
    known_codes: set[str] = set(
        connection.execute(select(t.codes.c.code_id).where(t.codes.c.version == version)).scalars()
    )
    documents = {c.document_id for c in codings}
    texts: dict[str, str] = {
        row.id: row.text
        for row in connection.execute(
            select(t.documents.c.id, t.documents.c.text).where(t.documents.c.id.in_(documents))
        )
    }
    spans: dict[str, list[tuple[int, int, int]]] = {}
    for row in connection.execute(
        select(t.segments.c.document_id, t.segments.c.id, t.segments.c.start, t.segments.c.end).where(
            t.segments.c.document_id.in_(documents)
        )
    ):
        spans.setdefault(row[0], []).append((row[1], row[2], row[3]))
    stamp = _now()
    rows: list[dict[str, Any]] = []
    for coding in codings:
        _check_coding(coding, known_codes, texts)
        segment_id = coding.segment_id or segment_for_span(spans.get(coding.document_id, []), coding.start, coding.end)
        made = coding.created_at or stamp
        decided = made if coding.status != "pending" else None
        rows.append(
            {
                "document_id": coding.document_id,
                "segment_id": segment_id,
                "start": coding.start,
                "end": coding.end,
                "code_id": coding.code_id,
                "coder": coding.coder,
                "source": coding.source,
                "status": coding.status,
                "confidence": coding.confidence,
                "evidence": json.dumps(coding.evidence),
                "codebook_version": version,
                "quote": texts[coding.document_id][coding.start : coding.end],
                "created_at": made,
                "decided_at": decided,
            }
        )
    inserted: list[int] = list(
        connection.execute(insert(t.codings).returning(t.codings.c.id, sort_by_parameter_order=True), rows).scalars()
    )
    batch = log_.new_batch()
    log_.log_many(
        connection,
        [
            log_.entry(
                batch,
                action or log_.CREATED_BY[row["source"]],
                coder or row["coder"],
                stamp,
                coding_id=coding_id,
                after={"id": coding_id, **row},
                version=version,
            )
            for coding_id, row in zip(inserted, rows)
        ],
    )
    return inserted


def _check_coding(coding: NewCoding, known_codes: set[str], texts: dict[str, str]) -> None:
    if coding.code_id not in known_codes:
        raise UnknownCodeError(
            f"code `{coding.code_id}` is not in the current codebook; check the id against the codebook.",
            hint="list_codes",
        )
    text = texts.get(coding.document_id)
    if text is None:
        raise UnknownDocumentError(
            f"no document `{coding.document_id}` in the store; check the id against the list of transcripts."
        )
    if not (0 <= coding.start < coding.end <= len(text)):
        raise SpanError(f"span {coding.start}-{coding.end} is outside document `{coding.document_id}` (0-{len(text)}).")
    if coding.source not in SOURCES or coding.status not in STATUSES:
        raise ValueError(f"a coding needs source in {SOURCES} and status in {STATUSES}.")  # a bug, not the user's input


def _now() -> str:
    from . import now

    return now()


def _insert_memos(connection: Connection, memos: list[NewMemo], coding_ids: list[int]) -> None:
    """Add memos brought in with a project (their own times kept), each logged as its author's."""
    stamp = _now()
    batch = log_.new_batch()
    for memo in memos:
        coding_id = coding_ids[memo.coding] if memo.coding is not None else None
        memo_id: int = connection.execute(
            insert(t.memos)
            .returning(t.memos.c.id)
            .values(
                document_id=memo.document_id,
                coding_id=coding_id,
                code_id=memo.code_id,
                coder=memo.coder,
                text=memo.text,
                created_at=memo.created_at or stamp,
                guid=memo.guid,
            )
        ).scalar_one()
        after = log_.memo_state(connection, memo_id)
        log_.log(
            connection,
            batch,
            "memo",
            memo.coder,
            stamp,
            memo_id=memo_id,
            document_id=memo.document_id,
            after=after,
            version=log_.current_version(connection),
        )


class MemosMixin:
    """Memos of the Store: a coder's notes on a document, segment or coding."""

    engine: Any

    def add_memo(
        self,
        document_id: str | None,
        text: str,
        coder: str,
        segment_id: int | None = None,
        coding_id: int | None = None,
        code_id: str | None = None,
    ) -> int:
        """Save a memo (on the project, a document, a segment, a coding or a code), logged as `coder`'s."""
        with self.engine.begin() as connection:
            memo_id = connection.execute(
                insert(t.memos)
                .returning(t.memos.c.id)
                .values(
                    document_id=document_id,
                    segment_id=segment_id,
                    coding_id=coding_id,
                    code_id=code_id,
                    coder=coder,
                    text=text,
                    created_at=_now(),
                )
            ).scalar_one()
            after = log_.memo_state(connection, memo_id)
            assert after is not None  # just written in this transaction
            log_.log(
                connection,
                log_.new_batch(),
                "memo",
                coder,
                after["created_at"],
                memo_id=memo_id,
                document_id=document_id,
                after=after,
                version=log_.current_version(connection),
            )
            return memo_id

    def memos(
        self, document_id: str | None = None, code_id: str | None = None, search: str | None = None
    ) -> list[dict[str, Any]]:
        """Memos, oldest first: all, or those of one document or code, or those whose text holds `search`."""
        query = select(t.memos).order_by(t.memos.c.id)
        if document_id is not None:
            query = query.where(t.memos.c.document_id == document_id)
        if code_id is not None:
            query = query.where(t.memos.c.code_id == code_id)
        if search:
            query = query.where(func.lower(t.memos.c.text).contains(search.lower(), autoescape=True))
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]
