"""The kinds of user mistake qualcode reports, one exception type each.

Each carries a message that is one plain sentence naming the file (and line, where
there is one) and what to do, in the researcher's words and no face's: a message never
names a command-line option or an app control. Where a setting would put it right, the
error names it as a `hint` (such as "replace" or "coder"), and each face words that hint
its own way (`sentence` below): the CLI names its option, the app its control.
"""

from __future__ import annotations

from pathlib import Path


class QualcodeError(Exception):
    """Base of every error that is the user's input rather than a bug."""

    hint: str | None = None

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint


class Advice(str):
    """A sentence of a report (a warning, a refused file's reason) that carries a hint like an error does."""

    hint: str | None

    def __new__(cls, text: str, hint: str | None = None) -> Advice:
        advice = super().__new__(cls, text)
        advice.hint = hint
        return advice


def sentence(message: QualcodeError | str, hints: dict[str, str]) -> str:
    """The message with the face's words for its hint folded in before the final full stop."""
    text = str(message)
    words = hints.get(getattr(message, "hint", None) or "")
    if not words:
        return text
    return f"{text[:-1] if text.endswith('.') else text} ({words})."


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

    def __init__(self, message: str, problems: list | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.problems = problems or []


class TranscriptError(QualcodeError):
    """A transcript file that cannot be read as an interview."""


class EncodingError(TranscriptError):
    """A text file whose encoding cannot be recognised."""


class UnitsTableError(TranscriptError):
    """A table of units (one row per survey answer or passage) that cannot be read as transcripts."""


class ParticipantsError(QualcodeError):
    """A participants.csv that cannot be used."""


class DocumentChangedError(QualcodeError):
    """A file whose id is in the store with different content (it needs importing as a replacement)."""

    hint = "replace"


class UnknownDocumentError(QualcodeError):
    """A document id that the store does not hold."""

    hint = "list_documents"


class UnknownCodeError(QualcodeError):
    """A code id that the codebook does not define."""


class StoreError(QualcodeError):
    """A store that cannot be opened or created as asked."""


class StoreVersionError(StoreError):
    """A store made by a newer qualcode than this one."""


class StoreUpgradeError(StoreError):
    """A store on a database server made by an older qualcode: it is upgraded only when the user asks, after a backup."""


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


class NotCodableError(QualcodeError):
    """A code the codebook marks as not codable (a heading that groups codes), applied to a passage."""

    hint = "codable"


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


class SettingError(QualcodeError):
    """A setting in the environment (such as a limit) that is not a value qualcode can use."""


class UnknownDecisionError(QualcodeError):
    """A decision other than accepting or rejecting."""


class NoCoderError(QualcodeError):
    """A decision asked for with no coder named, so it could not be attributed."""

    hint = "coder"


class SpanError(QualcodeError):
    """A passage (a span of characters or a range of sentences) that lies outside its transcript or segment."""


class IdentifierError(QualcodeError):
    """Names to mask given without any name, or with a kind that does not exist."""


class NothingToSuggestError(QualcodeError):
    """Suggestions asked for in a project that has no participant passage to suggest for."""


class UnknownCodingError(QualcodeError):
    """A coding id that the store does not hold, or that this coder may not decide."""


class OutputError(QualcodeError):
    """A file that cannot be written where asked: the store itself, an unknown format, a missing or read-only folder."""


class SuggestStoppedError(QualcodeError):
    """Suggesting was stopped before it finished (transcripts finished before are kept)."""


class SearchQueryError(QualcodeError):
    """A text search that cannot be run: no words, an unknown mode, or a broken regular expression."""


class AnalysisError(QualcodeError):
    """An analysis asked of the project that cannot be made as asked (an unknown measure, grouping or cell)."""
