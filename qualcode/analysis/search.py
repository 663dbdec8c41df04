"""Text search across transcripts: hits with keyword in context, filterable by attribute.

A query is read in one of three ways:
- words (the default): every word, and every "phrase in quotes", must occur in a turn;
  each occurrence is a hit. Case and accents are ignored; a word matches whole words only.
- lemma: each word matches every form of its lemma ("child" finds "children").
- regex: a Python regular expression, case-insensitive, matched within a turn.

Only participant speech is searched unless `speech` is "all" (interviewers and notes too).
The store's full-text index picks the turns that may match; the hits are found here in
the text itself, so the index never decides what counts as a hit.
"""

from __future__ import annotations

import bisect
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from .. import nlp
from ..errors import SearchQueryError
from ..ingest.model import PARTICIPANT, media_time
from ..store import Store
from ..store import search as index
from . import participant_of, select_documents

MODES = ("words", "lemma", "regex")
SPEECH = ("participant", "all")
CONTEXT = 60  # characters of context shown each side of a hit
_WORD = re.compile(r"\w+")
_QUOTED = re.compile(r'"([^"]*)"')
_ONE_LINE = str.maketrans({"\n": " ", "\r": " ", "\t": " ", "\u2028": " ", "\u2029": " "})


@dataclass
class Query:
    """What to look for and how to read it."""

    text: str
    mode: str = "words"
    speech: str = "participant"

    def groups(self) -> index.Groups | None:
        """The query as the index reads it (see qualcode.store.search); None for a regex."""
        if self.mode == "regex":
            return None
        if self.mode == "lemma":
            forms = nlp.word_forms()
            table = nlp.lemma_table()
            words = [_fold(w) for w in _WORD.findall(self.text)]
            return [[[form] for form in sorted(forms.get(table.get(w, w), {w}) | {w})] for w in words]
        return [[phrase] for phrase in _phrases(self.text)]

    def pattern(self) -> re.Pattern:
        """A regular expression finding every hit in a turn's text (accents and case folded for words)."""
        if self.mode == "regex":
            try:
                return re.compile(self.text, re.IGNORECASE)
            except re.error as error:
                raise SearchQueryError(
                    f"the search `{self.text}` is not a valid regular expression ({error}); "
                    "fix it, or search for words instead."
                ) from None
        alternatives = [
            r"\W+".join(re.escape(token) for token in phrase) for group in self.groups() or [] for phrase in group
        ]
        return re.compile(
            r"(?<!\w)(?:" + "|".join(sorted(alternatives, key=len, reverse=True)) + r")(?!\w)", re.IGNORECASE
        )


def _phrases(text: str) -> list[list[str]]:
    phrases = [[_fold(w) for w in _WORD.findall(quoted)] for quoted in _QUOTED.findall(text)]
    phrases += [[_fold(w)] for w in _WORD.findall(_QUOTED.sub(" ", text))]
    return [p for p in phrases if p]


def _fold(word: str) -> str:
    """Lower case without accents, as the index reads a word."""
    return "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c))


def check_query(query: Query) -> None:
    """Refuse an empty query or an unknown mode or speech in one sentence."""
    if query.mode not in MODES:
        raise SearchQueryError(f"unknown search mode `{query.mode}`; use one of: {', '.join(MODES)}.")
    if query.speech not in SPEECH:
        raise SearchQueryError(f"unknown speech `{query.speech}`; use participant (participants' answers) or all.")
    if not query.text.strip() or (query.mode != "regex" and not query.groups()):
        raise SearchQueryError("give at least one word to search for.")
    query.pattern()


def search(
    store: Store, query: Query, where: dict[str, list[str]] | None = None, context: int = CONTEXT
) -> list[dict[str, Any]]:
    """Every hit of `query` in documents matching `where`, in document order, each with its keyword in context.

    A hit has document_id, participant, role, speaker, kind, media_time, start and end
    (document offsets), segment_id (the participant segment holding it, None outside
    one), left, keyword and right (the KWIC line), and the document's attributes.
    """
    check_query(query)
    documents = select_documents(store, where)
    groups, pattern = query.groups(), query.pattern()
    kinds = [PARTICIPANT] if query.speech == "participant" else None
    turns = index.candidate_turns(store, groups, sorted(documents) if where else None, kinds)
    segments = index.segment_spans(store, sorted({turn["document_id"] for turn in turns}))
    hits = []
    for turn in turns:
        if turn["document_id"] not in documents or (query.speech == "participant" and turn["kind"] != PARTICIPANT):
            continue
        found = list(pattern.finditer(turn["text"]))
        if not found or (
            groups is not None and query.mode == "words" and len(groups) > 1 and not _every_group(found, groups)
        ):
            continue
        turn["media_time"] = media_time(json.loads(turn["attributes"] or "{}"))
        for match in found:
            if match.end() > match.start():
                hits.append(_hit(turn, match, documents[turn["document_id"]], segments, context))
    return hits


def _every_group(found: list[re.Match], groups: index.Groups) -> bool:
    seen = {tuple(_fold(w) for w in _WORD.findall(m.group(0))) for m in found}
    return all(any(tuple(phrase) in seen for phrase in group) for group in groups)


def _hit(
    turn: dict[str, Any],
    match: re.Match,
    attributes: dict[str, str],
    segments: dict[str, list[tuple[int, int, int]]],
    context: int,
) -> dict[str, Any]:
    text, document_id = turn["text"], turn["document_id"]
    start, end = turn["start"] + match.start(), turn["start"] + match.end()
    spans = segments.get(document_id, [])
    place = bisect.bisect_right(spans, (start, float("inf"), 0)) - 1
    segment_id = spans[place][2] if place >= 0 and spans[place][0] <= start < spans[place][1] else None
    left = text[max(0, match.start() - context) : match.start()]
    right = text[match.end() : match.end() + context]
    return {
        "document_id": document_id,
        "participant": participant_of(document_id, attributes),
        "role": attributes.get("role", ""),
        "speaker": turn["speaker"],
        "kind": turn["kind"],
        "media_time": turn["media_time"],
        "start": start,
        "end": end,
        "segment_id": segment_id,
        "left": ("…" if match.start() > context else "") + left.translate(_ONE_LINE),
        "keyword": match.group(0).translate(_ONE_LINE),
        "right": right.translate(_ONE_LINE) + ("…" if match.end() + context < len(text) else ""),
        "attributes": attributes,
    }
