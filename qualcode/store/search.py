"""The text-search index: which transcript turns hold the words of a query, answered by the database.

SQLite keeps an FTS5 table `turn_search` (one row per turn: its document, position and
text, tokens as FTS5's unicode61 reads them), brought up to date before a search for
the documents imported, replaced or re-read since (a fingerprint of each document's
text and turns tells). PostgreSQL answers from a GIN index on `to_tsvector('simple',
text)` of each document, which the database keeps current itself. Either way the index
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


def candidate_turns(store: Any, groups: Groups | None, document_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """Turns (document_id, position, start, end, speaker, kind, text) that may hold the query, in document order.

    `groups` None (a regular expression) gives every turn. `document_ids` limits the documents.
    """
    with store.engine.connect() as connection:
        if groups is not None and connection.dialect.name == "sqlite" and not store.readonly:
            keys = _sqlite_matches(store, connection, groups)
        elif groups is not None and connection.dialect.name == "postgresql":
            keys = None
            documents = _postgres_documents(connection, groups)
            document_ids = [d for d in documents if document_ids is None or d in set(document_ids)]
        else:
            keys = None
        return _turns(connection, keys, document_ids)


def _sqlite_matches(store: Any, connection: Connection, groups: Groups) -> set[tuple[str, int]]:
    refresh(store)
    rows = connection.execute(text(f"SELECT document_id, position FROM {TABLE} WHERE {TABLE} MATCH :query"),
                              {"query": fts5_query(groups)})
    return {(document_id, int(position)) for document_id, position in rows}


def _postgres_documents(connection: Connection, groups: Groups) -> list[str]:
    query = text(f"SELECT id FROM documents WHERE to_tsvector('{PG_CONFIG}', text) @@ to_tsquery('{PG_CONFIG}', :query)")
    return [row[0] for row in connection.execute(query, {"query": tsquery(groups)})]


def _turns(connection: Connection, keys: set[tuple[str, int]] | None, document_ids: list[str] | None) -> list[dict[str, Any]]:
    wanted = sorted({d for d, _ in keys}) if keys is not None else document_ids
    if keys is not None and document_ids is not None:
        wanted = [d for d in wanted if d in set(document_ids)]
    found: list[dict[str, Any]] = []
    if wanted is not None and not wanted:
        return found
    documents = select(t.documents.c.id, t.documents.c.text)
    turns = select(t.turns.c.document_id, t.turns.c.position, t.turns.c.start, t.turns.c.end, t.turns.c.speaker,
                   t.turns.c.kind, t.turns.c.attributes).order_by(t.turns.c.document_id, t.turns.c.position)
    if wanted is not None:
        documents, turns = documents.where(t.documents.c.id.in_(wanted)), turns.where(t.turns.c.document_id.in_(wanted))
    texts = dict(connection.execute(documents).all())
    for document_id, position, start, end, speaker, kind, attributes in connection.execute(turns):
        if keys is None or (document_id, position) in keys:
            found.append({"document_id": document_id, "position": position, "start": start, "end": end, "speaker": speaker,
                          "kind": kind, "attributes": attributes, "text": texts[document_id][start:end]})
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
    """Bring the SQLite index up to date with the documents' turns; returns how many documents were (re)indexed."""
    with store.engine.begin() as connection:
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
    rows = connection.execute(text(
        'SELECT d.id, d.content_hash, count(t.position), coalesce(sum(t."end" * 7 + t.start * 3 + length(t.kind)), 0) '
        "FROM documents d LEFT JOIN turns t ON t.document_id = d.id GROUP BY d.id, d.content_hash"))
    return {document_id: f"{content_hash}:{count}:{total}" for document_id, content_hash, count, total in rows}


def _index_document(connection: Connection, document_id: str, fingerprint: str) -> None:
    body = connection.execute(select(t.documents.c.text).where(t.documents.c.id == document_id)).scalar_one()
    spans = connection.execute(select(t.turns.c.position, t.turns.c.start, t.turns.c.end)
                               .where(t.turns.c.document_id == document_id)).all()
    rows = [{"d": document_id, "p": position, "f": "", "x": body[start:end]} for position, start, end in spans]
    rows.append({"d": document_id, "p": -1, "f": fingerprint, "x": ""})
    connection.execute(text(f"INSERT INTO {TABLE} (document_id, position, fingerprint, text) VALUES (:d, :p, :f, :x)"), rows)
