"""What the learner learns from: segment x code labels taken from coders' decisions.

A segment is a positive for a code when an accepted coding with that code (by a
coder, not the suggester) overlaps it; a negative when a suggestion of the code on
it was rejected, or when it lies in a document a coder is working through, at or
before the last segment they coded, without that code (a passage they passed over).
Everything else is unknown and not learned from.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

import numpy as np

POSITIVE, NEGATIVE, UNKNOWN = 1, 0, -1


@dataclass
class Labels:
    """Labels for corpus segments (rows, in corpus order) x codes (columns)."""

    values: np.ndarray  # int8, POSITIVE / NEGATIVE / UNKNOWN
    code_ids: list[str]

    def trained_rows(self) -> np.ndarray:
        """Rows that carry any known label."""
        return np.flatnonzero((self.values != UNKNOWN).any(axis=1))


def segment_labels(segments: list[dict[str, Any]], codings: list[dict[str, Any]], code_ids: list[str],
                   exclude_documents: set[str] = frozenset()) -> Labels:
    """Labels from decided codings, ignoring the documents in `exclude_documents`."""
    column = {code_id: i for i, code_id in enumerate(code_ids)}
    values = np.full((len(segments), len(code_ids)), UNKNOWN, dtype=np.int8)
    rows_by_document = _rows_by_document(segments)
    last_coded: dict[str, int] = {}
    for coding in codings:
        document_id = coding["document_id"]
        if document_id in exclude_documents or document_id not in rows_by_document or coding["code_id"] not in column:
            continue
        rows = _overlapping(rows_by_document[document_id], segments, coding["start"], coding["end"])
        col = column[coding["code_id"]]
        if coding["status"] == "accepted":
            values[rows, col] = POSITIVE
            if rows:
                last_coded[document_id] = max(last_coded.get(document_id, -1), max(rows))
        elif coding["status"] == "rejected":
            for row in rows:
                if values[row, col] != POSITIVE:
                    values[row, col] = NEGATIVE
    for document_id, last in last_coded.items():
        passed = [row for row in rows_by_document[document_id][0] if row <= last]
        block = values[passed]
        block[block == UNKNOWN] = NEGATIVE
        values[passed] = block
    return Labels(values, code_ids)


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
MAX_POSITIVES = 1000
NEGATIVES_PER_POSITIVE = 2
MIN_NEGATIVES = 300


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


def _priority(segment_ids: np.ndarray, salt: int) -> np.ndarray:
    """A fixed pseudo-random rank per segment and column (a multiplicative hash, the same in every process)."""
    mixed = (segment_ids.astype(np.uint64) * np.uint64(2654435761) + np.uint64(salt) * np.uint64(40503)) % np.uint64(2 ** 32)
    return (mixed * np.uint64(2246822519)) % np.uint64(2 ** 32)
