"""Speaker layouts: the ways transcript exports mark who speaks and when, one small recogniser each.

A layout reads one line and says whether it opens a turn: the speaker, the media
time, and where on the line the speech starts (the line's end when the label sits on
a line of its own, as Otter.ai and Zoom write it). A file's layout is chosen from
what the file shows: every layout is scored on the file's lines (how many lines it
reads as accepted labels) and the best is used; a file none fits is one turn by the
participant.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import SpeakerPatternError
from .model import INTERVIEWER, NOTE, PARTICIPANT, Turn
from .speakers import SpeakerRules, match_label, normalise_label

TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,6})?"
NAME = r"[^\s\[\]():*<>#][^\[\]:*<>\n]{0,39}?"
OPEN, CLOSE, DASH = r"[\[(]?", r"[\])]?", r"(?:-|–|—)"
FOOTER = re.compile(r"^[ \t]*transcribed by[ \t]+https?://\S+[ \t]*$", re.IGNORECASE)  # an export's closing credit
TIME_ONLY = re.compile(rf"^[ \t]*[\[(]?(?P<time>{TIME})[\])]?[ \t]*$")  # Otter: the same speaker goes on, a new time
TIME_LEAD = re.compile(
    rf"^[ \t]*(?:[\[(](?P<time>{TIME})[\])]|(?P<bare>{TIME}))[ \t]*(?=\S|$)"
)  # `[20:16] text`: the same speaker, a new time
SPEECH_TIME = re.compile(rf"[\[(](?P<time>{TIME})[\])][ \t]*")  # `**Name:** [07:51] text`: the time after a label
NO_SPEECH = re.compile(rf"^[\s\[\]()]*(?:{TIME}[\s\[\]()\-–—>]*)*$")  # a line or file of times only


@dataclass(frozen=True)
class Label:
    """A speaker label found at the start of a line."""

    speaker: str
    time: str | None
    speech_start: int  # where the speech begins on the line (its end when the label stands alone)
    end_time: str | None = None


@dataclass(frozen=True)
class Layout:
    """One way of marking speakers: a name, an example line, and the reader of one line."""

    name: str
    example: str
    read: Callable[[str], Label | None]
    own_line: bool = False  # the label stands on a line of its own, the turn below


def _regex_layout(name: str, example: str, pattern: str, own_line: bool = False) -> Layout:
    compiled = re.compile(pattern)

    def read(line: str) -> Label | None:
        found = compiled.match(line)
        if not found or not plausible_name(found.group("speaker"), commas=1):
            return None
        groups = found.groupdict()
        return Label(found.group("speaker").strip(), groups.get("time"), found.end(), groups.get("end"))

    return Layout(name, example, read, own_line)


def plausible_name(name: str, commas: int = 0) -> bool:
    """A speaker's name or id: a letter in it, at most five words, no sentence inside (`commas` allows `Lind, Sara`)."""
    name = name.strip()
    return (
        bool(name)
        and any(c.isalpha() for c in name)
        and len(name.split()) <= 5
        and name.count(",") <= commas
        and not re.search(r"[.!?;]\s|[.!?,;]$", name)
        and not name.lower().startswith(("http", "www"))
    )


def _colon(line: str) -> Label | None:
    found = match_label(line)
    if not found:
        return None
    time = SPEECH_TIME.match(line, found.end()) if not found.group("stamp") else None
    if time and line[time.end() :].strip():
        return Label(found.group("label").strip(), time.group("time"), time.end())
    return Label(found.group("label").strip(), found.group("stamp"), found.end())


COLON = Layout("Name: text", "Interviewer: How did you hear about it?", _colon)
LAYOUTS = [
    COLON,
    _regex_layout(
        "name and time on a line of their own, the turn below",
        "Sara Lind  00:13",
        rf"^[ \t]*{OPEN}(?P<speaker>{NAME}){CLOSE}[ \t]*{DASH}?[ \t]*{OPEN}(?P<time>{TIME}){CLOSE}[ \t]*:?[ \t]*$",
        own_line=True,
    ),
    _regex_layout(
        "time and name on a line of their own, the turn below",
        "[00:01:02] Sara Lind",
        rf"^[ \t]*{OPEN}(?P<time>{TIME}){CLOSE}[ \t]*{DASH}?[ \t]*{OPEN}(?P<speaker>{NAME}){CLOSE}[ \t]*:?[ \t]*$",
        own_line=True,
    ),
    _regex_layout(
        "time, name, then the turn",
        "[0:00:06.8 - 0:00:07.2] SPEAKER_00 - Hello.",
        rf"^[ \t]*{OPEN}(?P<time>{TIME})(?:[ \t]*(?:-->|{DASH})[ \t]*(?P<end>{TIME}))?{CLOSE}[ \t]*{DASH}?[ \t]*"
        rf"{OPEN}(?P<speaker>{NAME}){CLOSE}[ \t]*(?:{DASH}|:)(?:[ \t]+|$)",
    ),
    _regex_layout(
        "name, time, then the turn",
        "Sara Lind (00:13): How did you hear about it?",
        rf"^[ \t]*(?P<speaker>{NAME})[ \t]+[\[(](?P<time>{TIME})[\])][ \t]*(?:{DASH}|:)?(?:[ \t]+|$)",
    ),
    _regex_layout(
        "bracketed name, time, then the turn",
        "[Sara Lind] 11:02:09 How did you hear about it?",
        rf"^[ \t]*\[(?P<speaker>{NAME})\][ \t]+[\[(]?(?P<time>{TIME})[\])]?[ \t]*(?:{DASH}|:)?[ \t]+(?=\S)",
    ),
]
NONE = "no speaker labels (one participant turn)"


def pattern_layout(pattern: str) -> Layout:
    """A layout from a researcher's regular expression with a `speaker` group (and optionally `time`)."""
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        raise SpeakerPatternError(
            f"the speaker pattern `{pattern}` is not a valid regular expression ({error}); fix it and import again."
        ) from None
    if "speaker" not in compiled.groupindex:
        raise SpeakerPatternError(
            f"the speaker pattern `{pattern}` needs a group named speaker, as in (?P<speaker>[A-Z][a-z]+):; add one."
        )

    def read(line: str) -> Label | None:
        found = compiled.match(line)
        if not found or not (found.group("speaker") or "").strip():
            return None
        time = found.group("time") if "time" in compiled.groupindex else None
        return Label(found.group("speaker").strip(), time, found.end())

    return Layout(f"the speaker pattern {pattern}", pattern, read)


@dataclass
class Reading:
    """Turns read from a body of text, and the layout they were read with."""

    turns: list[Turn]
    layout: str


def read_turns(text: str, offset: int, rules: SpeakerRules, document_id: str = "") -> Reading:
    """Turns of a body of text that starts at `offset` in its document, in the layout the text shows best.

    Lines before the first label (a title, an export's summary) and an export's
    closing credit become `note` turns; a text without labels is one participant turn.
    """
    lines = text.split("\n")
    if rules.pattern:
        layout = pattern_layout(rules.pattern)
        labels = [layout.read(line) for line in lines]
        accepted = {normalise_label(label.speaker) for label in labels if label}
    else:
        layout, labels, accepted = choose_layout(lines, rules, document_id)
    turns: list[Turn] = []
    position = offset
    for line, label in zip(lines, labels):
        if label is not None and normalise_label(label.speaker) in accepted:
            attributes = {"timestamp": label.time} if label.time else {}
            if label.end_time:
                attributes["end_time"] = label.end_time
            start = position + label.speech_start
            turns.append(Turn(label.speaker, rules.kind(label.speaker), start, start, attributes))
            _grow(turns[-1], line[label.speech_start :], start)
        elif (again := _time_lead(line)) and accepted and turns and turns[-1].kind != NOTE:
            previous, start = turns[-1], position + again.end()
            turns.append(
                Turn(
                    previous.speaker,
                    previous.kind,
                    start,
                    start,
                    {"timestamp": again.group("time") or again.group("bare")},
                )
            )
            _grow(turns[-1], line[again.end() :], start)
        elif FOOTER.match(line) and accepted:
            turns.append(Turn("", NOTE, position, position))
            _grow(turns[-1], line, position)
        elif line.strip():
            if not turns:
                turns.append(
                    Turn("", NOTE, position, position)
                    if accepted
                    else Turn("Participant", PARTICIPANT, position, position)
                )
            _grow(turns[-1], line, position)
        position += len(line) + 1
    turns = [_marker(turn, text, offset) for turn in turns if turn.end > turn.start]
    return Reading(turns, layout.name if accepted else NONE)


def _marker(turn: Turn, text: str, offset: int) -> Turn:
    """A labelled turn holding only a time (`**Break**: [25:07]`) is a note marking that moment, not speech."""
    said = text[turn.start - offset : turn.end - offset]
    if turn.kind == NOTE or holds_speech(said):
        return turn
    found = re.search(TIME, said)
    attributes = {"timestamp": found.group(0)} if found else {}
    return Turn(turn.speaker, NOTE, turn.start, turn.end, {**turn.attributes, **attributes})


def choose_layout(
    lines: list[str], rules: SpeakerRules, document_id: str
) -> tuple[Layout, list[Label | None], set[str]]:
    """The layout that reads the most lines of the file as speaker labels (the first listed on a tie)."""
    best: tuple[int, Layout, list[Label | None], set[str]] | None = None
    for layout in LAYOUTS:
        labels = [layout.read(line) for line in lines]
        accepted = accept_labels([label.speaker if label else None for label in labels], rules, document_id)
        if (
            accepted and layout is not COLON
        ):  # the file clearly uses this layout: a timed label used once is a speaker too
            accepted |= {
                normalise_label(label.speaker)
                for i, label in enumerate(labels)
                if label and label.time and (not layout.own_line or i == 0 or not lines[i - 1].strip())
            }
        score = sum(1 for label in labels if label and normalise_label(label.speaker) in accepted)
        if best is None or score > best[0]:
            best = (score, layout, labels, accepted)
    assert best is not None  # LAYOUTS is never empty
    return best[1], best[2], best[3]


def accept_labels(speakers: list[str | None], rules: SpeakerRules, document_id: str = "") -> set[str]:
    """Labels that count as speakers: known ones, ids, ones used at least twice, and one that answers an interviewer.

    A label used once counts when the last speaker before it was an interviewer
    (`I: ...` then `Mum: ...`); a one-off `Honestly:` inside an answer stays speech.
    """
    counts: dict[str, int] = {}
    for speaker in speakers:
        if speaker:
            key = normalise_label(speaker)
            counts[key] = counts.get(key, 0) + 1
    accepted = {key for key, n in counts.items() if n >= 2 or rules.is_known(key, document_id)}
    last_kind = None
    for speaker in speakers:
        if not speaker:
            continue
        key = normalise_label(speaker)
        if key not in accepted and last_kind == INTERVIEWER:
            accepted.add(key)
        if key in accepted:
            last_kind = rules.kind(speaker)
    return accepted


def _time_lead(line: str) -> re.Match | None:
    """A time opening a line (bracketed when text follows): the last speaker goes on from that time."""
    found = TIME_LEAD.match(line)
    if found and found.group("bare") and line[found.end() :].strip():
        return None
    return found


def holds_speech(text: str) -> bool:
    """Whether a text holds words, not only times and brackets."""
    return not NO_SPEECH.match(text)


def _grow(turn: Turn, content: str, content_start: int) -> None:
    """Extend a turn over the non-blank content of one line."""
    if not content.strip():
        return
    if turn.end == turn.start:
        turn.start = content_start + len(content) - len(content.lstrip())
    turn.end = content_start + len(content.rstrip())


def split_turns(text: str, offset: int, rules: SpeakerRules, document_id: str = "") -> list[Turn]:
    """Turns of a body of text that starts at `offset` in its document, in the layout the text shows (see layouts)."""
    return read_turns(text, offset, rules, document_id).turns
