"""The project's identifiers: names (people, places, councils, providers) that exports must mask.

An identifier is kept once, compared without regard to case; its kind decides the
placeholder an export writes in its place.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, func, insert, select

from . import schema as t


def add_identifiers(store: Any, entries: Iterable[tuple[str, str]]) -> list[str]:
    """Add (identifier, kind) pairs in one transaction; returns those that were new (case-insensitively)."""
    from . import now

    with store.engine.begin() as connection:
        return add_identifier_rows(connection, entries, now())


def add_identifier_rows(connection: Any, entries: Iterable[tuple[str, str]], stamp: str) -> list[str]:
    """Add (identifier, kind) pairs inside the caller's transaction; returns those that were new."""
    added: list[str] = []
    held = {name.casefold() for name in connection.execute(select(t.identifiers.c.identifier)).scalars()}
    rows = []
    for identifier, kind in entries:
        key = identifier.casefold()
        if key in held:
            continue
        held.add(key)
        rows.append({"identifier": identifier, "kind": kind, "added_at": stamp})
        added.append(identifier)
    if rows:
        connection.execute(insert(t.identifiers), rows)
    return added


def remove_identifiers(store: Any, names: Iterable[str]) -> int:
    """Remove identifiers by name (any case); returns how many were removed."""
    keys = [name.casefold() for name in names]
    with store.engine.begin() as connection:
        result = connection.execute(delete(t.identifiers).where(func.lower(t.identifiers.c.identifier).in_(keys)))
    return result.rowcount


def list_identifiers(store: Any) -> list[dict[str, Any]]:
    """Every identifier with its kind and when it was added, by kind then name."""
    query = select(t.identifiers.c.identifier, t.identifiers.c.kind, t.identifiers.c.added_at).order_by(
        t.identifiers.c.kind, func.lower(t.identifiers.c.identifier)
    )
    with store.engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]
