"""Suggestions kept current as coders decide: after a decision, the pending suggestions it affects
are suggested again, and no others.

A decision on a code is learned by that code's model (and its theme's, where theme models
are learned; see suggest/learned.py) and checks the codebook-only confidence of the codes
beside it, so it can move the confidence of every code in the theme; it is
felt most in the transcript being coded, where a passage passed over also becomes a
negative for the codes not given. So the update rescores that transcript only, and
rewrites the pending suggestions of the decided codes' themes only: the others, and
every other transcript's, are left as they are until the next suggest run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..store import Store, suggest_cache
from ..store.codings import SUGGESTER

if TYPE_CHECKING:
    from ..suggest.run import SuggestRun


def affected_codes(store: Store, coding_ids: list[int]) -> tuple[list[str], list[str]]:
    """(transcripts, codes) whose pending suggestions the decisions on these codings may change:
    the codings' transcripts, and every code of each decided code's theme."""
    codebook = store.codebook()
    decided = store.codings(ids=coding_ids, statuses=["accepted", "rejected"])
    themes = {codebook.theme_of(c["code_id"]) for c in decided if c["code_id"] in codebook}
    codes = sorted(code for code in codebook.ids() if codebook.theme_of(code) in themes)
    return sorted({c["document_id"] for c in decided}), codes


def after_decision(store: Store, coding_ids: list[int], blind_coder: str | None = None) -> SuggestRun | None:
    """Suggest again, after a decision on these codings, for the pending suggestions it affects
    (`affected_codes`), at the lowest confidence among them (0.5 at most), so none goes
    merely for a threshold. None, doing nothing, when their transcripts hold no pending
    suggestion (suggesting is not in use there) or no suggest run has learned from
    decisions yet (the next run learns from them all).

    Only the models the decision touched are refitted (the rest are taken as they were), and
    a process that suggested before starts from its kept suggester (suggest/run.py), reading
    only the decided transcripts' decisions again: well under a second on a big project."""
    document_ids, codes = affected_codes(store, coding_ids)
    pending = [
        c
        for c in store.codings(document_ids=document_ids, statuses=["pending"], sources=["suggested"])
        if c["coder"] == SUGGESTER
    ]
    if not codes or not pending or not suggest_cache.learned_before(store):
        return None
    from ..suggest.run import suggest_store  # loads spaCy: only when there is something to update

    lowest = min([0.5, *(c["confidence"] for c in pending if c["confidence"] is not None)])
    return suggest_store(
        store, store.codebook(), None, document_ids, None, lowest, blind_coder=blind_coder, sync_codes=codes
    )
