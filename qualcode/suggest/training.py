"""What the learner learns from: segment x code labels taken from coders' decisions.

A segment is a positive for a code when an accepted coding with that code (by a
coder, not the suggester) overlaps it; a negative when a suggestion of the code on
it was rejected, or when it lies in a document a coder is working through, at or
before the last segment they coded, without that code (a passage they passed over).
Everything else is unknown and not learned from.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np

POSITIVE, NEGATIVE, UNKNOWN = 1, 0, -1


@dataclass
class Labels:
    """Labels for corpus segments (rows, in corpus order) x codes (columns)."""

    values: np.ndarray  # int8, POSITIVE / NEGATIVE / UNKNOWN
    code_ids: list[str]
    explicit: np.ndarray | None = None  # bool: labels a decision on the passage gave (not a passage passed over)

    def decided(self) -> np.ndarray:
        """Where a decision on the passage itself gave the label (accepted or rejected there), as a bool matrix."""
        return self.explicit if self.explicit is not None else self.values != UNKNOWN

    def trained_rows(self) -> np.ndarray:
        """Rows that carry any known label."""
        return np.flatnonzero((self.values != UNKNOWN).any(axis=1))


def segment_labels(
    segments: list[dict[str, Any]],
    codings: list[dict[str, Any]],
    code_ids: list[str],
    exclude_documents: Collection[str] = frozenset(),
) -> Labels:
    """Labels from decided codings, ignoring the documents in `exclude_documents`.

    Worked out on arrays (a project holds hundreds of thousands of decisions): each
    coding's span is found among its document's segments by binary search.
    """
    column = {code_id: i for i, code_id in enumerate(code_ids)}
    values = np.full((len(segments), len(code_ids)), UNKNOWN, dtype=np.int8)
    document_of: dict[str, int] = {}
    for segment in segments:
        document_of.setdefault(segment["document_id"], len(document_of))
    kept = [
        c
        for c in codings
        if c["document_id"] in document_of
        and c["code_id"] in column
        and c["document_id"] not in exclude_documents
        and c["status"] in ("accepted", "rejected")
    ]
    if not kept or not len(segments):
        return Labels(values, code_ids)
    span = np.int64(2**32)
    seg_doc = np.array([document_of[s["document_id"]] for s in segments], dtype=np.int64)
    seg_start = seg_doc * span + np.array([s["start"] for s in segments], dtype=np.int64)
    seg_end = seg_doc * span + np.array([s["end"] for s in segments], dtype=np.int64)
    order = np.argsort(seg_start, kind="stable")
    starts, ends = seg_start[order], seg_end[order]
    doc = np.array([document_of[c["document_id"]] for c in kept], dtype=np.int64)
    start = doc * span + np.array([c["start"] for c in kept], dtype=np.int64)
    end = doc * span + np.array([c["end"] for c in kept], dtype=np.int64)
    col = np.array([column[c["code_id"]] for c in kept])
    accepted = np.array([c["status"] == "accepted" for c in kept])
    first = np.maximum(np.searchsorted(starts, start, side="right") - 1, 0)
    stop = np.searchsorted(starts, end, side="left")
    hit_coding, hit_row = [], []
    for offset in range(int((stop - first).max(initial=0))):
        at = first + offset
        live = at < stop
        at_live = at[live]
        overlap = np.minimum(end[live], ends[at_live]) > np.maximum(start[live], starts[at_live])
        hit_coding.append(np.flatnonzero(live)[overlap])
        hit_row.append(order[at_live[overlap]])
    coding_hit, row_hit = np.concatenate(hit_coding), np.concatenate(hit_row)
    rejected = ~accepted[coding_hit]
    values[row_hit[rejected], col[coding_hit[rejected]]] = NEGATIVE
    values[row_hit[~rejected], col[coding_hit[~rejected]]] = POSITIVE
    explicit = values != UNKNOWN
    last = np.full(len(document_of), -1, dtype=np.int64)
    np.maximum.at(last, seg_doc[row_hit[~rejected]], row_hit[~rejected])
    passed = np.arange(len(segments)) <= last[seg_doc]
    block = values[passed]
    block[block == UNKNOWN] = NEGATIVE
    values[passed] = block
    return Labels(values, code_ids, explicit)


def _rows_by_document(segments: list[dict[str, Any]]) -> dict[str, tuple[list[int], list[int]]]:
    """Per document: corpus rows sorted by start, and their starts (for bisect)."""
    found: dict[str, list[int]] = {}
    for row, segment in enumerate(segments):
        found.setdefault(segment["document_id"], []).append(row)
    result = {}
    for document_id, rows in found.items():
        rows.sort(key=lambda r: segments[r]["start"])
        result[document_id] = (rows, [segments[r]["start"] for r in rows])
    return result


def _overlapping(index: tuple[list[int], list[int]], segments: list[dict[str, Any]], start: int, end: int) -> list[int]:
    rows, starts = index
    found = []
    i = max(0, bisect.bisect_right(starts, start) - 1)
    while i < len(rows) and starts[i] < end:
        segment = segments[rows[i]]
        if min(end, segment["end"]) > max(start, segment["start"]):
            found.append(rows[i])
        i += 1
    return found


# A model learns from every positive of its code (up to MAX_POSITIVES) and a sample of its
# negatives: NEGATIVES_PER_POSITIVE times as many, at least MIN_NEGATIVES. Which negatives is
# fixed per passage and code (a hash of the segment id), so one more decision leaves every
# other model's sample, and so its cached fit, as it was unless it enters that sample.
# 1,200 keeps every decision of a project the size of the shipped sample (1,013 passages);
# beyond it, fitting time grows with the sample, not with the project.
MAX_POSITIVES = 1000
NEGATIVES_PER_POSITIVE = 2
MIN_NEGATIVES = 1200
# The passages a code's nearness features compare with (learned.References): up to
# REFERENCE_POSITIVES of its coded passages, and up to REFERENCE_NEGATIVES passed-over
# ones drawn in one order shared by every code, so all codes together compare with a
# few thousand passages however many are decided (the sample keeps every one).
REFERENCE_POSITIVES = 200
REFERENCE_NEGATIVES = 1200
SHARED = 999_983  # the salt of the order shared by every code


def stratified_sample(column: np.ndarray, segment_ids: np.ndarray, salt: int) -> np.ndarray:
    """Rows to learn one label column from: its positives, and a bounded sample of its negatives (sorted)."""
    positives = np.flatnonzero(column == POSITIVE)
    negatives = np.flatnonzero(column == NEGATIVE)
    order = _priority(segment_ids, salt)
    if len(positives) > MAX_POSITIVES:
        positives = positives[np.argsort(order[positives], kind="stable")[:MAX_POSITIVES]]
    wanted = max(MIN_NEGATIVES, NEGATIVES_PER_POSITIVE * len(positives))
    if len(negatives) > wanted:
        negatives = negatives[np.argsort(order[negatives], kind="stable")[:wanted]]
    return np.sort(np.concatenate([positives, negatives]))


def reference_sample(column: np.ndarray, segment_ids: np.ndarray, salt: int) -> np.ndarray:
    """Rows a code's nearness features compare with: a bounded share of its positives (by its own order)
    and of its negatives (by an order shared by every code), sorted."""
    positives = np.flatnonzero(column == POSITIVE)
    negatives = np.flatnonzero(column == NEGATIVE)
    if len(positives) > REFERENCE_POSITIVES:
        positives = positives[np.argsort(_priority(segment_ids[positives], salt), kind="stable")[:REFERENCE_POSITIVES]]
    if len(negatives) > REFERENCE_NEGATIVES:
        negatives = negatives[
            np.argsort(_priority(segment_ids[negatives], SHARED), kind="stable")[:REFERENCE_NEGATIVES]
        ]
    return np.sort(np.concatenate([positives, negatives]))


def _priority(segment_ids: np.ndarray, salt: int) -> np.ndarray:
    """A fixed pseudo-random rank per segment and column (a multiplicative hash, the same in every process)."""
    mixed = (segment_ids.astype(np.uint64) * np.uint64(2654435761) + np.uint64(salt) * np.uint64(40503)) % np.uint64(
        2**32
    )
    return (mixed * np.uint64(2246822519)) % np.uint64(2**32)
