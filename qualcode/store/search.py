"""The text-search index: which transcript turns hold the words of a query, answered by the database.

A table `turn_search` holds one row per turn (its document, position and text): on
SQLite an FTS5 table (tokens as its unicode61 tokenizer reads them), on PostgreSQL a
table with the turn's words as a tsvector (`to_tsvector('simple', text)`) under a GIN
index. It is brought up to date before a search for the documents imported, replaced
or re-read since (a fingerprint of each document's text and turns tells). The index
only narrows the candidates: the caller finds the exact hits in the text.

A query reaches this module as groups: every group must match, a group matches when
one of its phrases does, and a phrase is a list of lower-case word tokens.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import Connection

from . import schema as t

Groups = list[list[list[str]]]
TABLE = "turn_search"
PG_CONFIG = "simple"


def candidate_turns(
    store: Any, groups: Groups | None, document_ids: list[str] | None = None, kinds: list[str] | None = None
) -> list[dict[str, Any]]:
    """Turns (document_id, position, start, end, speaker, kind, attributes, text) that may hold the query, in document order.

    `groups` None (a regular expression) gives every turn. `document_ids` limits the documents, `kinds` the turns.
    A read-only SQLite store, whose index cannot be brought up to date, is read in full.
    """
    with store.engine.connect() as connection:
        if groups is None or (connection.dialect.name == "sqlite" and store.readonly):
            return _turns(connection, document_ids, kinds)
    refresh(store)
    with store.engine.connect() as connection:
        found = _matches(connection, groups)
    wanted, allowed = set(document_ids or ()), set(kinds or ())
    return [
        turn
        for turn in found
        if (document_ids is None or turn["document_id"] in wanted) and (kinds is None or turn["kind"] in allowed)
    ]


COLUMNS = ("document_id", "position", "start", "end", "speaker", "kind", "attributes", "text")


def _matches(connection: Connection, groups: Groups) -> list[dict[str, Any]]:
    if connection.dialect.name == "postgresql":
        # The planner cannot tell that reading every turn's words is dear: have it use the index.
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        condition, query = f"s.words @@ to_tsquery('{PG_CONFIG}', :query)", tsquery(groups)
    else:
        condition, query = f"{TABLE} MATCH :query", fts5_query(groups)
    rows = connection.execute(
        text(
            f'SELECT s.document_id, s.position, t.start, t."end", t.speaker, t.kind, t.attributes, s.text FROM {TABLE} s '
            f"JOIN turns t ON t.document_id = s.document_id AND t.position = s.position "
            f"WHERE {condition} ORDER BY s.document_id, s.position"
        ),
        {"query": query},
    )
    return [dict(zip(COLUMNS, row)) for row in rows]


def _turns(connection: Connection, document_ids: list[str] | None, kinds: list[str] | None) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if document_ids is not None and not document_ids:
        return found
    documents = select(t.documents.c.id, t.documents.c.text)
    turns = select(
        t.turns.c.document_id,
        t.turns.c.position,
        t.turns.c.start,
        t.turns.c.end,
        t.turns.c.speaker,
        t.turns.c.kind,
        t.turns.c.attributes,
    ).order_by(t.turns.c.document_id, t.turns.c.position)
    if document_ids is not None:
        documents, turns = (
            documents.where(t.documents.c.id.in_(document_ids)),
            turns.where(t.turns.c.document_id.in_(document_ids)),
        )
    if kinds is not None:
        turns = turns.where(t.turns.c.kind.in_(kinds))
    texts: dict[str, str] = {str(row[0]): str(row[1]) for row in connection.execute(documents)}
    for row in connection.execute(turns).all():
        found.append(dict(zip(COLUMNS, (*row, texts[row[0]][row[2] : row[3]]))))
    return found


def segment_spans(store: Any, document_ids: list[str]) -> dict[str, list[tuple[int, int, int]]]:
    """Per document, its participant segments as (start, end, id), in order: which segment a hit lies in."""
    found: dict[str, list[tuple[int, int, int]]] = {d: [] for d in document_ids}
    s = t.segments.c
    query = select(s.document_id, s.start, s.end, s.id).order_by(s.document_id, s.position)
    if len(document_ids) <= 500:
        query = query.where(s.document_id.in_(document_ids))
    with store.engine.connect() as connection:
        for document_id, start, end, segment_id in connection.execute(query).all():
            if document_id in found:
                found[document_id].append((start, end, segment_id))
    return found


def fts5_query(groups: Groups) -> str:
    """An FTS5 MATCH expression: groups joined by AND, phrases of a group by OR."""

    def phrase(tokens: list[str]) -> str:
        return '"' + " ".join(token.replace('"', '""') for token in tokens) + '"'

    return " AND ".join("(" + " OR ".join(phrase(p) for p in group) + ")" for group in groups)


def tsquery(groups: Groups) -> str:
    """A PostgreSQL tsquery: groups joined by &, phrases of a group by |, tokens of a phrase by <->."""

    def phrase(tokens: list[str]) -> str:
        return "(" + " <-> ".join("'" + token.replace("'", "''").replace("\\", "") + "'" for token in tokens) + ")"

    return " & ".join("(" + " | ".join(phrase(p) for p in group) + ")" for group in groups)


def refresh(store: Any) -> int:
    """Bring the index up to date with the documents' text and turns; returns how many documents were (re)indexed."""
    with store.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE"))  # one refresh at a time
        else:
            connection.execute(text(f"DELETE FROM {TABLE} WHERE rowid = -1"))  # take the write lock before reading
        wanted = _fingerprints(connection)
        held = dict(connection.execute(text(f"SELECT document_id, fingerprint FROM {TABLE} WHERE position = -1")).all())
        stale = [d for d in held if wanted.get(d) != held[d]]
        for document_id in stale:
            connection.execute(text(f"DELETE FROM {TABLE} WHERE document_id = :d"), {"d": document_id})
        missing = [d for d in wanted if held.get(d) != wanted[d]]
        for document_id in missing:
            _index_document(connection, document_id, wanted[document_id])
        return len(missing)


def _fingerprints(connection: Connection) -> dict[str, str]:
    rows = connection.execute(
        text(
            'SELECT d.id, d.content_hash, count(t.position), coalesce(sum(t."end" * 7 + t.start * 3), 0) '
            "FROM documents d LEFT JOIN turns t ON t.document_id = d.id GROUP BY d.id, d.content_hash"
        )
    )
    return {str(row[0]): f"{row[1]}:{row[2]}:{row[3]}" for row in rows}


def _index_document(connection: Connection, document_id: str, fingerprint: str) -> None:
    body: str = connection.execute(select(t.documents.c.text).where(t.documents.c.id == document_id)).scalar_one()
    spans = connection.execute(
        select(t.turns.c.position, t.turns.c.start, t.turns.c.end).where(t.turns.c.document_id == document_id)
    ).all()
    rows = [{"d": document_id, "p": span[0], "f": "", "x": body[int(span[1]) : int(span[2])]} for span in spans]
    rows.append({"d": document_id, "p": -1, "f": fingerprint, "x": ""})
    if connection.dialect.name == "postgresql":
        statement = f"INSERT INTO {TABLE} (document_id, position, fingerprint, text, words) VALUES (:d, :p, :f, :x, to_tsvector('{PG_CONFIG}', :x))"
    else:
        statement = f"INSERT INTO {TABLE} (document_id, position, fingerprint, text) VALUES (:d, :p, :f, :x)"
    connection.execute(text(statement), rows)
