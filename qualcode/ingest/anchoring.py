"""Find where a quote sits in a document, so codings survive offset drift.

A coding keeps its quote beside its offsets (as Taguette keeps a snippet); when the
offsets no longer hold the quote, the quote is looked for again, whitespace-tolerant,
and the occurrence nearest the old position wins.
"""

from __future__ import annotations

import re
from collections.abc import Sequence


def find_quote(text: str, quote: str, near: int = 0) -> tuple[int, int] | None:
    """(start, end) of the occurrence of `quote` nearest `near`, ignoring whitespace differences."""
    words = quote.split()
    if not words:
        return None
    pattern = re.compile(r"\s+".join(re.escape(word) for word in words))
    best: tuple[int, int] | None = None
    for match in pattern.finditer(text):
        if best is None or abs(match.start() - near) < abs(best[0] - near):
            best = (match.start(), match.end())
    return best


def segment_for_span(segments: Sequence[tuple[int, int, int]], start: int, end: int) -> int | None:
    """Id of the segment (id, start, end) that overlaps the span most, or None."""
    best_id, best_overlap = None, 0
    for segment_id, seg_start, seg_end in segments:
        overlap = min(end, seg_end) - max(start, seg_start)
        if overlap > best_overlap:
            best_id, best_overlap = segment_id, overlap
    return best_id
