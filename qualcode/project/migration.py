"""Upgrading a store's schema when the user asks (`qualcode migrate`).

A SQLite store is also upgraded as it opens, after a backup copy of the file; a store on a
database server is upgraded only here, once the user has been told to back it up.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from ..credentials import hide_password
from ..store import Store

log = logging.getLogger(__name__)


@dataclass
class Migration:
    """What upgrading did: the schema before (None when it was already current) and after, and any backup made."""

    location: str
    before: str | None
    after: str | None
    backup: Path | None = None


def migrate_store(location: str) -> Migration:
    """Upgrade the store at `location` to this qualcode's schema; a store already current is left as it is."""
    log.info("Opening %s to upgrade its schema", hide_password(location))
    store = Store.open(location, upgrade_server=True)
    try:
        done = Migration(store.location, store.opened.upgraded_from, store.schema_revision(), store.opened.backup)
    finally:
        store.close()
    log.info("%s is at schema %s", done.location, done.after)
    return done
