"""The kinds of user mistake qualcode reports, one exception type each.

Each carries a message that is one plain sentence naming the file (and line, where
there is one) and what to do; the CLI and the app print it as it is.
"""

from __future__ import annotations

from pathlib import Path


class QualcodeError(Exception):
    """Base of every error that is the user's input rather than a bug."""


def where(path: str | Path | None, line: int | None = None, column: int | None = None) -> str:
    """Format a location as `file`, `file, line N` or `file, line N, column M`."""
    if path is None:
        return ""
    text = str(path)
    if line is not None:
        text += f", line {line}"
        if column is not None:
            text += f", column {column}"
    return text


class CodebookError(QualcodeError):
    """A codebook file that cannot be read or does not validate."""

    def __init__(self, message: str, problems: list | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class TranscriptError(QualcodeError):
    """A transcript file that cannot be read as an interview."""


class EncodingError(TranscriptError):
    """A text file whose encoding cannot be recognised."""


class ParticipantsError(QualcodeError):
    """A participants.csv that cannot be used."""


class DocumentChangedError(QualcodeError):
    """A file whose id is in the store with different content (needs --replace)."""


class UnknownDocumentError(QualcodeError):
    """A document id that the store does not hold."""


class UnknownCodeError(QualcodeError):
    """A code id that the codebook does not define."""


class StoreError(QualcodeError):
    """A store that cannot be opened or created as asked."""


class StoreVersionError(StoreError):
    """A store made by a newer qualcode than this one."""


class NlpModelError(QualcodeError):
    """A language model (a named spaCy pipeline, or the embedding table suggestions use) that is not installed."""


class CodingsFileError(QualcodeError):
    """A codings or gold CSV with a row that cannot be used."""


class UnknownAttributeError(QualcodeError):
    """An attribute name or value (such as a role) that no document in the store has."""


class IdentifiersFileError(QualcodeError):
    """An identifiers list (names to mask) that cannot be read."""


class UnmaskedExportError(QualcodeError):
    """An export asked to leave identifiers unmasked without confirming the quotes were checked."""


class ProjectFileError(QualcodeError):
    """A project exchange file (.qdpx) that cannot be read or written."""


class AgreementError(QualcodeError):
    """An agreement request that cannot be computed (coders, documents or codes)."""


class UnknownCoderError(QualcodeError):
    """A coder name that has made no decision in the store."""


class CodesInUseError(QualcodeError):
    """A new codebook version that would drop codes which codings still use."""


class ReportError(QualcodeError):
    """A report that cannot be written in the format asked for."""


class SpeakerPatternError(QualcodeError):
    """A speaker pattern (a regular expression for speaker labels) that cannot be used."""


class UnknownSpeakerError(QualcodeError):
    """A speaker name or role that a document does not have."""


class NothingToUndoError(QualcodeError):
    """A coder asks to undo but has no decision left that can be undone."""


class UndoConflictError(QualcodeError):
    """The decision to undo was changed since by another decision; undoing it would overwrite that one."""


class MemoError(QualcodeError):
    """A memo without text, or attached to something the project does not hold."""


class OutputError(QualcodeError):
    """A file that cannot be written where asked: the store itself, an unknown format, a missing or read-only folder."""


class SearchQueryError(QualcodeError):
    """A text search that cannot be run: no words, an unknown mode, or a broken regular expression."""


class AnalysisError(QualcodeError):
    """An analysis asked of the project that cannot be made as asked (an unknown measure, grouping or cell)."""
