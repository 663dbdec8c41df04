"""Read transcripts of every supported format into ParsedDocuments.

One module per format; this module picks the reader by file suffix and finds the
transcripts inside folders.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from ..errors import TranscriptError
from ..limits import check_document_id, refuse_long_paragraphs, refuse_surrogates
from .captions import read_caption_transcript
from .model import INTERVIEWER, NOTE, PARTICIPANT, ParsedDocument, Turn
from .participants import read_participants
from .plaintext import read_text_transcript
from .speakers import SpeakerRules
from .word import read_word_transcript

READERS: dict[str, Callable[[Path, SpeakerRules], ParsedDocument]] = {
    ".txt": read_text_transcript,
    ".md": read_text_transcript,
    ".docx": read_word_transcript,
    ".vtt": read_caption_transcript,
    ".srt": read_caption_transcript,
}
PARTICIPANTS_FILE = "participants.csv"
NOT_TRANSCRIPTS = {"readme", "license", "changelog", "identifiers"}  # identifiers.txt: names to mask, not an interview
log = logging.getLogger(__name__)

__all__ = [
    "INTERVIEWER",
    "NOTE",
    "PARTICIPANT",
    "READERS",
    "ParsedDocument",
    "SpeakerRules",
    "Turn",
    "find_transcripts",
    "read_participants",
    "read_transcript",
]


# Files a researcher may hand to the transcript import that qualcode reads another way.
OTHER_KINDS = {
    ".qdpx": ("a whole project from a qualitative analysis tool (REFI-QDA)", "import_project"),
    ".qdc": ("a codebook (REFI-QDA)", "codebook_update"),
}


def read_transcript(path: str | Path, rules: SpeakerRules | None = None) -> ParsedDocument:
    """Parse one transcript file of any supported format."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if path.suffix.lower() in OTHER_KINDS:
        kind, hint = OTHER_KINDS[path.suffix.lower()]
        raise TranscriptError(f"{path}: is {kind}, not a transcript; import it as one.", hint=hint)
    if reader is None:
        supported = ", ".join(sorted(READERS))
        raise TranscriptError(
            f"{path}: qualcode cannot read {path.suffix or 'files without a suffix'}; save it as one of {supported}."
        )
    if not path.is_file():
        raise TranscriptError(f"{path}: no such file; check the path.")
    log.info("Reading %s", path)
    return _bounded(reader(path, rules or SpeakerRules()), path)


def _bounded(document: ParsedDocument, path: Path) -> ParsedDocument:
    """A parsed document the store can hold: a safe id, no lone surrogates, no paragraph too long to segment."""
    check_document_id(document.id, path, TranscriptError)
    refuse_surrogates(document.text, path, TranscriptError)
    refuse_surrogates(
        " ".join([document.title, *map(str, document.attributes), *map(str, document.attributes.values())]),
        f"{path} (title or front matter)",
        TranscriptError,
    )
    refuse_long_paragraphs(document.text, path, TranscriptError)
    return document


def find_transcripts(paths: Sequence[str | Path]) -> tuple[list[Path], list[Path], list[Path]]:
    """(transcripts, participants.csv files found in folders, skipped files) under the given paths.

    Folders are searched recursively; hidden files, README files and files of other
    formats found in folders are skipped (and reported), but a file named on the
    command line is always read, so an unsupported one gets a clear refusal.
    """
    transcripts: list[Path] = []
    participants: list[Path] = []
    skipped: list[Path] = []
    for given in map(Path, paths):
        if not given.exists():
            raise TranscriptError(f"{given}: no such file or folder; check the path.")
        if given.is_file():
            transcripts.append(given)
            continue
        for path in _walk(given):
            if path.name.lower() == PARTICIPANTS_FILE:
                participants.append(path)
            elif path.suffix.lower() in READERS and path.stem.lower() not in NOT_TRANSCRIPTS:
                transcripts.append(path)
            else:
                skipped.append(path)
    return transcripts, participants, skipped


def _walk(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith((".", "~$")) for part in relative.parts) or not path.is_file():
            continue
        yield path
