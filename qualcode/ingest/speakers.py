"""Recognise speaker labels (`Interviewer:`, `I:`, `P1:`, `[00:01:02] Sarah:`) and split text into turns.

A line-initial `Label:` starts a turn when the label is a known interviewer or
participant label, looks like a participant id (`P1`, `SW02`), or is used as a label
at least twice in the document; a one-off `Honestly:` inside an answer stays speech.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import INTERVIEWER, PARTICIPANT

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
    pattern: str | None = None  # a researcher's regular expression for a layout nothing else reads

    @classmethod
    def with_interviewers(cls, labels: list[str] | None, pattern: str | None = None) -> SpeakerRules:
        """The default rules, with more interviewer labels and a speaker pattern when given."""
        if not labels:
            return cls(pattern=pattern or None)
        return cls(
            interviewer_labels=DEFAULT_INTERVIEWER_LABELS | {normalise_label(x) for x in labels},
            pattern=pattern or None,
        )

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
