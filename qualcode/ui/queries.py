"""Cached reads for the pages: each takes (location, stamp) first, so a write refreshes it."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from qualcode.codebook import Codebook
from qualcode.project import history as decision_history
from qualcode.project import overview
from qualcode.ui.state import opened

Stamp = tuple[Any, ...]
cached = st.cache_data(show_spinner=False, max_entries=64)


@cached
def codebook(location: str, stamp: Stamp) -> Codebook:
    """The current codebook (parsed once per version)."""
    return codebook_version(location, overview.codebook_version(opened(location)))


@cached
def codebook_version(location: str, version: int) -> Codebook:
    """One codebook version, parsed from its YAML."""
    return overview.codebook(opened(location), version)


@cached
def codebook_versions(location: str, stamp: Stamp) -> list[dict[str, Any]]:
    """Every codebook version (number, author, message, time), oldest first."""
    return overview.codebook_versions(opened(location))


@cached
def documents(location: str, stamp: Stamp, coder: str | None = None) -> pd.DataFrame:
    """One row per transcript: id, attributes, participant segments and coding progress (only `coder`'s, when blind)."""
    rows = [
        {
            "id": row["id"],
            **row["attributes"],
            "segments": row["segments"],
            "coded_segments": row["coded_segments"],
            "accepted": row["accepted"],
            "pending": row["pending"],
            "progress": row["coded_segments"] / row["segments"] if row["segments"] else 0.0,
            "words": row["words"],
        }
        for row in overview.document_progress(opened(location), coder)
    ]
    frame = pd.DataFrame(rows)
    if frame.empty:
        frame = pd.DataFrame(
            columns=["id", "role", "segments", "coded_segments", "accepted", "pending", "progress", "words"]
        )
    return frame


@cached
def attributes(location: str, stamp: Stamp) -> pd.DataFrame:
    """One row per transcript: its id and attributes (role, site, ...)."""
    found = overview.attributes(opened(location))
    frame = pd.DataFrame([{"id": i, **values} for i, values in found.items()])
    return frame if not frame.empty else pd.DataFrame(columns=["id", "role"])


@cached
def document(location: str, stamp: Stamp, document_id: str) -> dict[str, Any]:
    """A transcript with its turns, participant segments, codings (not rejected) and memos."""
    return overview.transcript(opened(location), document_id)


@cached
def coders(location: str, stamp: Stamp) -> list[str]:
    """Everyone who has made a coding decision."""
    return overview.coders(opened(location))


@cached
def code_counts(location: str, stamp: Stamp) -> dict[str, dict[str, int]]:
    """Codings per code and status."""
    return overview.code_counts(opened(location))


@cached
def frequencies(
    location: str,
    stamp: Stamp,
    by: str,
    level: str,
    statuses: tuple[str, ...],
    coders_: tuple[str, ...] | None,
    code_ids: tuple[str, ...] | None,
) -> pd.DataFrame:
    """Theme (or code) frequency by an attribute: coded segments and participants, n of m."""
    return overview.theme_frequencies(
        opened(location),
        by=[by],
        level=level,
        statuses=statuses,
        coders=list(coders_) if coders_ else None,
        code_ids=list(code_ids) if code_ids else None,
    )


@cached
def quotes(
    location: str,
    stamp: Stamp,
    code_id: str,
    by: str,
    value: str,
    statuses: tuple[str, ...],
    coders_: tuple[str, ...] | None,
    n: int = 5,
) -> list[dict[str, Any]]:
    """Illustrative quotes for one theme or code in one group (e.g. one role)."""
    return overview.illustrative_quotes(
        opened(location), code_id, group={by: value}, n=n, statuses=statuses, coders=list(coders_) if coders_ else None
    )


@cached
def history(location: str, stamp: Stamp, document_id: str, coder: str | None = None, last: int = 50) -> pd.DataFrame:
    """The last decisions on a transcript (only `coder`'s, when blind), newest first."""
    rows = decision_history(opened(location), document_id, coder, last)
    columns = ["time", "coder", "action", "code_id", "status", "text"]
    return pd.DataFrame(list(reversed(rows)), columns=columns)
