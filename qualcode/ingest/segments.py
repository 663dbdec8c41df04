"""Segmentation: participant turns become the segments suggestions are made for.

A segment is a paragraph of a participant's turn; a paragraph longer than
`max_words` is split into groups of whole sentences of about equal length, never
mid-sentence. Offsets are into the document text: `text[start:end]` is the segment.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass

from .. import nlp
from . import PARTICIPANT, ParsedDocument

MAX_WORDS = 90
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SegmentSpan:
    """Where a segment is: its document's turn and char offsets."""

    turn_index: int
    start: int
    end: int


def segment_documents(
    documents: list[ParsedDocument], max_words: int = MAX_WORDS, model: str | None = None
) -> list[list[SegmentSpan]]:
    """Segments of each document, sentences found in one batched pass over long paragraphs."""
    pieces: list[tuple[int, int, int, int]] = []  # document index, turn index, start, end
    for d, document in enumerate(documents):
        for t, turn in enumerate(document.turns):
            if turn.kind == PARTICIPANT:
                pieces.extend((d, t, s, e) for s, e in _paragraphs(document.text, turn.start, turn.end))
    long_pieces = [p for p in pieces if _words(documents[p[0]].text, p[2], p[3]) > max_words]
    log.info(
        "Segmenting %d transcripts: %d paragraphs, %d long enough to split at sentences",
        len(documents),
        len(pieces),
        len(long_pieces),
    )
    texts = (documents[d].text[s:e] for d, _, s, e in long_pieces)
    split = {p: bounds for p, bounds in zip(long_pieces, nlp.sentence_bounds(texts, model))}
    result: list[list[SegmentSpan]] = [[] for _ in documents]
    for piece in pieces:
        d, t, s, e = piece
        if piece not in split:
            result[d].append(SegmentSpan(t, s, e))
            continue
        sentences = [(s + a, s + b) for a, b in split[piece]]
        result[d].extend(SegmentSpan(t, a, b) for a, b in group_sentences(documents[d].text, sentences, max_words))
    return result


def group_sentences(text: str, sentences: list[tuple[int, int]], max_words: int) -> list[tuple[int, int]]:
    """Join consecutive sentences into groups of about equal size, each under max_words where possible."""
    counts = [_words(text, a, b) for a, b in sentences]
    total = sum(counts)
    groups = max(1, math.ceil(total / max_words))
    target = total / groups
    groups_of: list[list[tuple[int, int]]] = []
    size = 0
    for sentence, count in zip(sentences, counts):
        if groups_of and size > 0 and size + count / 2 <= target:
            groups_of[-1].append(sentence)
            size += count
        else:
            groups_of.append([sentence])
            size = count
    spans = [(group[0][0], group[-1][1]) for group in groups_of]
    return spans


def _paragraphs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    position = start
    for match in PARAGRAPH_BREAK.finditer(text, start, end):
        spans.append((position, match.start()))
        position = match.end()
    spans.append((position, end))
    return [trimmed for a, b in spans if (trimmed := nlp.trim_span(text, a, b))[1] > trimmed[0]]


def _words(text: str, start: int, end: int) -> int:
    return len(text[start:end].split())
