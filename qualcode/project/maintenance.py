"""Looking after the store itself: check it, back it up, restore a backup, recover a damaged file.

The work is the store's (`qualcode.store.maintenance`, `qualcode.store.recover`); the
service adds what a user expects of any file qualcode writes (a backup goes through the
same guard as an export), and is the one door the faces use.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import StoreError
from ..export.writer import check_target
from ..store import Store
from ..store import maintenance as kept
from ..store.recover import TableRecovery, recover

__all__ = ["TableRecovery", "backup", "check_location", "recover", "restore_location"]


def check_location(location: str) -> list[str]:
    """Every problem found in the store at `location` (empty when it is sound), one sentence each."""
    return kept.check_location(location)


def backup(store: Store, target: str | Path) -> Path:
    """Write a consistent snapshot of a SQLite store to a new file (safe while others use the store)."""
    target = Path(target)
    if target.exists():
        raise StoreError(f"{target}: already exists; choose a new file name for the backup.")
    check_target(target)  # a missing or read-only folder is named in one sentence
    return kept.backup(store, target)


def restore_location(location: str | Path, source: str | Path) -> Path | None:
    """Put a backup in place of the store at `location` (missing or damaged is fine); returns where the old one went."""
    return kept.restore_location(location, source)
