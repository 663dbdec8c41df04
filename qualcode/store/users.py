"""The project's users: everyone it knows by name, with the GUID another tool gave them, and who brought each transcript in (and when).

Coders are known by their work (the `coder` of each coding); a .qdpx also lists users
who made no coding and names who brought each source in. Both are kept here so an
export names them again: a user once, by name, keeping the first GUID a file gave them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from . import schema as t


@dataclass
class SourceOrigin:
    """Who brought a transcript into the tool it came from, and when (either may be unknown)."""

    creator: str | None = None
    created_at: str | None = None


def save_users(
    connection: Connection, users: dict[str, str | None], origins: dict[str, SourceOrigin], stamp: str
) -> None:
    """Add users not yet held (a held user without a GUID gets the one given), and each document's origin where unset."""
    held: dict[str, str | None] = {row.name: row.guid for row in connection.execute(select(t.users))}
    wanted = dict(users)
    for origin in origins.values():
        if origin.creator:
            wanted.setdefault(origin.creator, None)
    new = [{"name": name, "guid": guid, "added_at": stamp} for name, guid in wanted.items() if name not in held]
    if new:
        connection.execute(insert(t.users), new)
    for name, guid in wanted.items():
        if name in held and held[name] is None and guid:
            connection.execute(update(t.users).where(t.users.c.name == name).values(guid=guid))
    documents = t.documents.c
    for document_id, origin in origins.items():
        for column, value in ((documents.creator, origin.creator), (documents.created_at, origin.created_at)):
            if value:
                connection.execute(
                    update(t.documents)
                    .where((documents.id == document_id) & column.is_(None))
                    .values({column.name: value})
                )


def users(store: Any) -> dict[str, str | None]:
    """Every user the store holds by name, with the GUID another tool gave them (or None), in name order."""
    with store.engine.connect() as connection:
        rows = connection.execute(select(t.users.c.name, t.users.c.guid).order_by(t.users.c.name))
        return {name: guid for name, guid in rows}


def creators(store: Any) -> dict[str, str]:
    """Who brought each transcript in, by document id, where the tool it came from said so."""
    with store.engine.connect() as connection:
        query = select(t.documents.c.id, t.documents.c.creator).where(t.documents.c.creator.is_not(None))
        return {document_id: creator for document_id, creator in connection.execute(query)}
