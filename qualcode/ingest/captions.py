"""Caption files (.vtt from Zoom or Teams, .srt): cues of one speaker merge into one turn.

The speaker comes from a `<v Name>` voice tag or a `Name:` prefix in the cue (a
prefix counts under the same rule as in text transcripts: a known label, an id, one
used at least twice, or one answering an interviewer, so a cue that merely ends in a
colon stays speech); a cue with neither continues the previous speaker. HTML
character references are decoded. Each turn keeps the time of its first and last
cue as `start_time` / `end_time`. A cue whose times cannot be read (seconds over 59,
an end before its start) is kept without a time and named in the document's `notes`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import TranscriptError
from .encoding import read_text_file
from .layouts import accept_labels, pattern_layout, plausible_name
from .model import PARTICIPANT, ParsedDocument, TextBuilder
from .speakers import SpeakerRules, match_label, normalise_label

BLANK_LINES = re.compile(r"\n[ \t]*\n")
TIMING = re.compile(r"^[ \t]*(?P<start>\S+)[ \t]+-->[ \t]+(?P<end>\S+)")
CUE_TIME = re.compile(r"^(?:(?P<h>\d{1,3}):)?(?P<m>\d{2}):(?P<s>\d{2})[.,](?P<ms>\d{1,3})$")
VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+(?P<name>[^>]+)>")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")
NOT_CUES = ("NOTE", "STYLE", "REGION", "WEBVTT")


@dataclass
class Cue:
    """One caption cue: its number in the file, times (None when unreadable), voice and text."""

    number: str
    start: str | None
    end: str | None
    voice: str | None
    text: str


def read_caption_transcript(path: Path, rules: SpeakerRules) -> ParsedDocument:
    """Parse a .vtt or .srt file into speaker turns, naming every cue that cannot be read."""
    text, encoding, notes = read_text_file(path)
    kind = path.suffix.lower().lstrip(".")
    if kind == "vtt" and not text.lstrip().startswith("WEBVTT"):
        raise TranscriptError(
            f"{path}: is not a valid .vtt caption file (it does not begin with WEBVTT); check it was exported as VTT."
        )
    cues = [cue for cue in _cues(text, path, notes) if cue.text]
    labelled = [_speaker_and_text(cue, rules) for cue in cues]
    accepted = accept_labels([speaker for speaker, _, _ in labelled], rules, path.stem)
    if rules.pattern:  # the researcher said what a label looks like: every one found counts
        accepted |= {normalise_label(speaker) for speaker, _, _ in labelled if speaker}
    builder = TextBuilder()
    current = None
    for cue, (speaker, said, voiced) in zip(cues, labelled):
        if speaker and not voiced and normalise_label(speaker) not in accepted:
            speaker, said = None, cue.text
        if not said:
            continue
        speaker = speaker or current or "Participant"
        if builder.turns and speaker == current:
            builder.extend_last(" ", said)
            if cue.end:
                builder.turns[-1].attributes["end_time"] = cue.end
        else:
            times = {"start_time": cue.start, "end_time": cue.end} if cue.start else {}
            builder.add_turn(speaker, rules.kind(speaker) if speaker != "Participant" else PARTICIPANT, said, times)
            current = speaker
    if not builder.turns:
        raise TranscriptError(f"{path}: has no caption text; check it is the recording's transcript.")
    layout = (
        "voice tags <v Name>"
        if any(v for _, _, v in labelled)
        else ("Name: text in cues" if accepted else "cues without speaker labels")
    )
    return ParsedDocument(
        id=path.stem,
        text=builder.text(),
        turns=builder.turns,
        source_path=str(path),
        format=kind,
        title=path.stem,
        encoding=encoding,
        layout=layout,
        notes=notes,
    )


def _cues(text: str, path: Path, problems: list[str]) -> list[Cue]:
    """Every cue of the file in order; blocks that are not cues (header, NOTE, STYLE) are passed over."""
    cues: list[Cue] = []
    for block in BLANK_LINES.split(text.strip("\n")):
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines or lines[0].lstrip().startswith(NOT_CUES):
            continue
        at = next((i for i, line in enumerate(lines) if "-->" in line), None)
        number = lines[0].strip() if at else str(len(cues) + 1)
        if at is None:
            problems.append(
                f"{path}, cue {number}: has no `start --> end` time line; its text is kept with the cue before it"
            )
            if cues:
                cues[-1].text = (cues[-1].text + " " + _clean(" ".join(lines))[1]).strip()
            continue
        timing = TIMING.match(lines[at])
        start, end = (timing.group("start"), timing.group("end")) if timing else ("", "")
        voice, said = _clean(" ".join(lines[at + 1 :]))
        why = _bad_times(start, end)
        if why:
            problems.append(f"{path}, cue {number}: {why}; its text is kept without a time")
            start = end = None
        else:
            start, end = _standard(start), _standard(end)
        cues.append(Cue(number, start, end, voice, said))
    return cues


def _bad_times(start: str, end: str) -> str | None:
    """Why a cue's times cannot be used, or None."""
    seconds = []
    for value in (start, end):
        found = CUE_TIME.match(value)
        if not found:
            return f"the time `{value}` is not a caption time (hh:mm:ss.mmm)"
        if int(found.group("m")) > 59 or int(found.group("s")) > 59:
            return f"the time `{value}` has {'minutes' if int(found.group('m')) > 59 else 'seconds'} over 59"
        seconds.append(
            int(found.group("h") or 0) * 3600
            + int(found.group("m")) * 60
            + int(found.group("s"))
            + int(found.group("ms").ljust(3, "0")) / 1000
        )
    if seconds[1] < seconds[0]:
        return f"it ends ({end}) before it starts ({start})"
    return None


def _standard(value: str) -> str:
    """A readable cue time as hh:mm:ss.mmm, however the file wrote it."""
    found = CUE_TIME.match(value)
    assert found is not None  # only times the cue pattern matched come here
    return f"{int(found.group('h') or 0):02d}:{found.group('m')}:{found.group('s')}.{found.group('ms').ljust(3, '0')}"


def _clean(raw: str) -> tuple[str | None, str]:
    """(voice, text) of a cue's text: tags removed, character references decoded, spaces collapsed."""
    voice = VOICE.search(raw)
    said = html.unescape(TAG.sub("", raw))
    name = html.unescape(voice.group("name")).strip() if voice else None
    return name, " ".join(said.split())


def _speaker_and_text(cue: Cue, rules: SpeakerRules) -> tuple[str | None, str, bool]:
    """(speaker label, what was said, whether a voice tag named the speaker) of a cue."""
    if cue.voice:
        return cue.voice, cue.text, True
    if rules.pattern:
        label = pattern_layout(rules.pattern).read(cue.text)
        return (label.speaker, cue.text[label.speech_start :].strip(), False) if label else (None, cue.text, False)
    found = match_label(cue.text)
    if found and len(normalise_label(found.group("label")).split()) <= 4 and plausible_name(found.group("label")):
        return found.group("label").strip(), cue.text[found.end() :].strip(), False
    return None, cue.text, False
