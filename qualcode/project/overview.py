"""What the project holds, read for the pages and listings: progress per transcript, counts, and the dashboard.

Each function is one question a page asks; the SQL lives in the store and the counting
rules in `qualcode.analysis`, so the app and the CLI read the same figures.
"""

from __future__ import annotations

from typing import Any

from .. import analysis
from ..codebook import Codebook
from ..store import Store, overview


def codebook(store: Store, version: int | None = None) -> Codebook:
    """The codebook in force (or one earlier version of it)."""
    return store.codebook(version)


def codebook_version(store: Store) -> int:
    """The number of the codebook version in force."""
    return store.codebook_version()


def codebook_versions(store: Store) -> list[dict[str, Any]]:
    """Every codebook version, oldest first: number, name, author, message, time and its number of codes."""
    return store.codebook_versions()


def document_progress(store: Store, coder: str | None = None) -> list[dict[str, Any]]:
    """Every transcript with its attributes, segments and coding progress (only `coder`'s, when coding blind)."""
    return overview.document_overview(store, coder)


def attributes(store: Store) -> dict[str, dict[str, str]]:
    """Each transcript's attributes (role, site, ...), by transcript id."""
    return store.attributes()


def transcript(store: Store, document_id: str) -> dict[str, Any]:
    """A transcript with its turns, participant segments, codings (not rejected) and memos: what the Code page draws."""
    found = store.document(document_id)
    found["segments"] = store.segments(document_id)
    found["codings"] = store.codings(document_ids=[document_id], statuses=["accepted", "pending"])
    found["memos"] = store.memos(document_id)
    return found


def coders(store: Store) -> list[str]:
    """Everyone who has made a coding decision."""
    return store.coders()


def code_counts(store: Store) -> dict[str, dict[str, int]]:
    """Codings per code and status."""
    return overview.code_counts(store)


theme_frequencies = analysis.theme_frequencies
illustrative_quotes = analysis.illustrative_quotes
