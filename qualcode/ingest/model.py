"""What every transcript format is parsed into: one text and speaker turns over it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

INTERVIEWER = "interviewer"
PARTICIPANT = "participant"
NOTE = "note"


@dataclass
class Turn:
    """One speaker's turn: `text[start:end]` of its document is what they said."""

    speaker: str
    kind: str  # interviewer | participant | note
    start: int
    end: int
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class ParsedDocument:
    """A transcript read from a file, before it is segmented and stored."""

    id: str
    text: str
    turns: list[Turn]
    source_path: str
    format: str
    title: str = ""
    encoding: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    layout: str = ""  # how speakers were marked in the file, as the import report names it
    notes: list[str] = field(
        default_factory=list
    )  # what reading had to repair or could not read, said in the import report

    @property
    def content_hash(self) -> str:
        """Hash of the text and its turns: the same interview hashes the same however it was saved."""
        shape = [(t.speaker, t.kind, t.start, t.end, *_kept_with(t)) for t in self.turns]
        payload = self.text + "\x00" + json.dumps(shape)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    @property
    def word_count(self) -> int:
        return len(self.text.split())


def _kept_with(turn: Turn) -> list[list[str]]:
    """What a table of units keeps on a turn (its unit id and the columns that differ by unit), as part of its
    document's hash, so a new unit id or a new or changed value is a change (a transcript's turns keep none of it;
    a caption's end time is how it was timed, not what was said)."""
    return [[name, str(value)] for name, value in sorted(turn.attributes.items()) if name != "end_time"]


class TextBuilder:
    """Builds a document text from turns, recording each turn's char offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.turns: list[Turn] = []

    def add_line(self, line: str) -> None:
        """Text that is not speech (a title), followed by a blank line."""
        self._write(line + "\n\n")

    def add_turn(self, speaker: str, kind: str, text: str, attributes: dict | None = None) -> Turn:
        prefix = f"{speaker}: " if speaker else ""
        self._write(prefix)
        start = self.length
        self._write(text)
        turn = Turn(speaker, kind, start, self.length, attributes or {})
        self.turns.append(turn)
        self._write("\n\n")
        return turn

    def extend_last(self, separator: str, text: str) -> None:
        """Add text to the last turn (a continuation paragraph or caption cue)."""
        turn = self.turns[-1]
        assert self.parts[-1] == "\n\n"
        self.parts.pop()
        self.length -= 2
        self._write(separator + text)
        turn.end = self.length
        self._write("\n\n")

    def text(self) -> str:
        return "".join(self.parts).rstrip("\n") + "\n"

    def _write(self, piece: str) -> None:
        self.parts.append(piece)
        self.length += len(piece)


def media_time(attributes: dict[str, Any]) -> str:
    """A turn's media time as hh:mm:ss (from `start_time` or `timestamp`), or '' when the source had none."""
    value = str(attributes.get("start_time") or attributes.get("timestamp") or "")
    parts = value.replace(",", ".").split(":")
    if len(parts) not in (2, 3) or not all(p.split(".")[0].isdigit() for p in parts):
        return ""
    numbers = [int(p.split(".")[0]) for p in parts]
    hours, minutes, seconds = ([0] + numbers) if len(numbers) == 2 else numbers
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}"


def speaker_at(turns: list[tuple[int, int, str, dict[str, Any]]], offset: int) -> tuple[str, str]:
    """(speaker, media time) of the turn holding `offset`, from a document's (start, end, speaker, attributes) turns."""
    for start, end, speaker, attributes in turns:
        if start <= offset < end:
            return speaker, media_time(attributes)
    return "", ""
