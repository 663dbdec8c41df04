"""Caption files (.vtt from Zoom or Teams, .srt): cues of one speaker merge into one turn.

The speaker comes from a `<v Name>` voice tag or a `Name:` prefix in the cue; a cue
with neither continues the previous speaker. Each turn keeps the time of its first
and last cue as `start_time` / `end_time` attributes.
"""

from __future__ import annotations

import io
from pathlib import Path

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from ..errors import TranscriptError
from .encoding import read_text_file
from .model import PARTICIPANT, ParsedDocument, TextBuilder
from .speakers import SpeakerRules, match_label, normalise_label


def read_caption_transcript(path: Path, rules: SpeakerRules) -> ParsedDocument:
    """Parse a .vtt or .srt file into speaker turns."""
    text, encoding, notes = read_text_file(path)
    kind = path.suffix.lower().lstrip(".")
    try:
        captions = webvtt.from_buffer(io.StringIO(text), format="srt" if kind == "srt" else "vtt")
    except (MalformedFileError, MalformedCaptionError) as error:
        raise TranscriptError(f"{path}: is not a valid .{kind} caption file ({error}); check it was exported as {kind.upper()}.") from None
    builder = TextBuilder()
    current = None
    for caption in captions:
        speaker, said = _speaker_and_text(caption)
        if not said:
            continue
        speaker = speaker or current or "Participant"
        if builder.turns and speaker == current:
            builder.extend_last(" ", said)
            builder.turns[-1].attributes["end_time"] = caption.end
        else:
            times = {"start_time": caption.start, "end_time": caption.end}
            builder.add_turn(speaker, rules.kind(speaker) if speaker != "Participant" else PARTICIPANT, said, times)
            current = speaker
    if not builder.turns:
        raise TranscriptError(f"{path}: has no caption text; check it is the recording's transcript.")
    return ParsedDocument(
        id=path.stem, text=builder.text(), turns=builder.turns, source_path=str(path), format=kind,
        title=path.stem, encoding=encoding, notes=notes,
    )


def _speaker_and_text(caption: webvtt.Caption) -> tuple[str | None, str]:
    said = " ".join(caption.text.split())
    if caption.voice:
        return caption.voice.strip(), said
    found = match_label(said)
    if found and len(normalise_label(found.group("label")).split()) <= 4:
        return found.group("label").strip(), said[found.end():].strip()
    return None, said
