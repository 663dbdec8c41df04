"""Recognise speaker labels (`Interviewer:`, `I:`, `P1:`, `[00:01:02] Sarah:`) and split text into turns.

A line-initial `Label:` starts a turn when the label is a known interviewer or
participant label, looks like a participant id (`P1`, `SW02`), or is used as a label
at least twice in the document; a one-off `Honestly:` inside an answer stays speech.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .model import INTERVIEWER, NOTE, PARTICIPANT, Turn

DEFAULT_INTERVIEWER_LABELS = frozenset(
    {"interviewer", "i", "int", "q", "researcher", "facilitator", "moderator", "interviewer 1", "interviewer 2", "iv"}
)
PARTICIPANT_LABELS = frozenset({"respondent", "r", "a", "p", "participant", "interviewee", "resp"})
ID_LIKE = re.compile(r"^[a-z]{1,4}\s?\d{1,4}$")
TIMESTAMP = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
LABEL_LINE = re.compile(
    rf"^[ \t]*(?:[\[(]?(?P<stamp>{TIMESTAMP})[\])]?[ \t]+)?"
    r"(?P<label>[\w\[(][\w\[\]()'’.\- ]{0,39}?)[ \t]*:(?:[ \t]+|$)"
)


@dataclass(frozen=True)
class SpeakerRules:
    """Which labels mean the interviewer; everything else that is a label is a participant."""

    interviewer_labels: frozenset[str] = DEFAULT_INTERVIEWER_LABELS
    extra_participant_labels: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def with_interviewers(cls, labels: list[str] | None) -> "SpeakerRules":
        if not labels:
            return cls()
        return cls(interviewer_labels=DEFAULT_INTERVIEWER_LABELS | {normalise_label(x) for x in labels})

    def kind(self, label: str) -> str:
        key = normalise_label(label)
        if key in self.interviewer_labels or key.startswith("interviewer"):
            return INTERVIEWER
        return PARTICIPANT

    def is_known(self, label: str, document_id: str = "") -> bool:
        key = normalise_label(label)
        return (
            key in self.interviewer_labels
            or key in PARTICIPANT_LABELS
            or key in self.extra_participant_labels
            or bool(ID_LIKE.match(key))
            or (bool(document_id) and key == document_id.lower())
        )


def normalise_label(label: str) -> str:
    return " ".join(label.strip().lower().split())


def match_label(line: str) -> re.Match | None:
    """The speaker-label match at the start of a line, if its shape is a label's."""
    found = LABEL_LINE.match(line)
    if not found:
        return None
    label = found.group("label").strip()
    if len(label.split()) > 5 or re.search(r"[.!?]\s", label) or label.replace(" ", "").isdigit():
        return None
    return found


def accepted_labels(lines: list[str], rules: SpeakerRules, document_id: str = "") -> set[str]:
    """Labels that count as speakers in this document."""
    counts = Counter()
    for line in lines:
        found = match_label(line)
        if found:
            counts[normalise_label(found.group("label"))] += 1
    return {label for label, n in counts.items() if n >= 2 or rules.is_known(label, document_id)}


def split_turns(text: str, offset: int, rules: SpeakerRules, document_id: str = "") -> list[Turn]:
    """Turns of a body of text that starts at `offset` in its document.

    A file without any speaker label is one participant turn. Lines before the first
    label (a heading, a note on the recording) become a `note` turn.
    """
    lines = text.split("\n")
    speakers = accepted_labels(lines, rules, document_id)
    turns: list[Turn] = []
    position = offset
    for line in lines:
        found = match_label(line)
        label = normalise_label(found.group("label")) if found else None
        if found and label in speakers:
            speaker = found.group("label").strip()
            attributes = {"timestamp": found.group("stamp")} if found.group("stamp") else {}
            start = position + found.end()
            turns.append(Turn(speaker, rules.kind(speaker), start, start, attributes))
            _grow(turns[-1], line[found.end():], start)
        elif line.strip():
            if not turns:
                kind = NOTE if speakers else PARTICIPANT
                speaker = "" if speakers else "Participant"
                turns.append(Turn(speaker, kind, position, position))
            _grow(turns[-1], line, position)
        position += len(line) + 1
    return [turn for turn in turns if turn.end > turn.start]


def _grow(turn: Turn, content: str, content_start: int) -> None:
    """Extend a turn over the non-blank content of one line."""
    if not content.strip():
        return
    if turn.end == turn.start:
        turn.start = content_start + len(content) - len(content.lstrip())
    turn.end = content_start + len(content.rstrip())
