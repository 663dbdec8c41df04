"""The service: the operations a researcher performs on a project, as plain functions.

The CLI and the app call only these and the task modules beside this one (coding,
overview, codebook, speakers, identifiers, team, reports, exchange, maintenance,
evaluation, sample), so neither face re-implements a flow or touches the store. This
module holds the core ones: open or create a project, import transcripts and codings,
list documents and segments, suggest, and decide.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..codebook import did_you_mean, load_codebook
from ..codebook.codable import require_codable
from ..errors import Advice, CodingsFileError, NoCoderError, NothingToSuggestError, TranscriptError, UnknownCodeError
from ..ingest import (
    INTERVIEWER,
    NOTE,
    PARTICIPANT,
    READERS,
    ParsedDocument,
    SpeakerRules,
    find_transcripts,
    read_participants,
    read_transcript,
)
from ..ingest.anchoring import find_quote
from ..ingest.codings import CodingRow, read_codings_csv
from ..ingest.layouts import pattern_layout
from ..ingest.model import speaker_at
from ..ingest.units import UNITS_FORMAT, UNITS_SUFFIX, read_units_table
from ..store import NewCoding, Store
from ..store.codings import SUGGESTER
from ..words import count, listed
from . import coding as loop
from .codebook import update_codebook  # noqa: F401  (a service the app and CLI call through here)
from .coding import (  # noqa: F401  (services)
    add_sentences,
    coded_segments,
    decide,
    export_code_report,
    history,
    memo_export_rows,
    memo_rows,
    next_uncoded,
    remove,
    segment_labels,
    sentence_bounds,
    step,
    undo,
)
from .speakers import RoleChange, list_speakers, set_speaker_role  # noqa: F401  (services the app and CLI call through here)
from .units import add_unit_ids, place_units

if TYPE_CHECKING:
    from ..suggest.run import SuggestRun  # suggest loads spaCy: only when a run is asked for

DEFAULT_DB = "qualcode.db"
SHOWN_IDS = 5  # documents named in a sentence about many
Progress = Callable[[str], None]


def change_marker(location: str) -> tuple[Any, ...]:
    """Something that changes whenever the store at `location` is written (a SQLite file's and its log's times and
    sizes; nothing for a database server, whose readers rely on their own writes), for caches keyed on it."""
    if "://" in location:
        return ()
    marks: list[Any] = []
    for file in (Path(location), Path(location + "-wal")):
        try:
            info = file.stat()
            marks.append((info.st_mtime_ns, info.st_size))
        except OSError:
            marks.append(None)
    return tuple(marks)


def store_location(db: str | Path | None = None) -> str:
    """Where the store is: the --db given, else $QUALCODE_DB, else ./qualcode.db."""
    return str(db or os.environ.get("QUALCODE_DB") or DEFAULT_DB)


def open_project(db: str | Path | None = None) -> Store:
    """Open an existing project store (upgrading an older schema after a backup)."""
    return Store.open(store_location(db))


def init_project(db: str | Path | None, codebook_path: str | Path, author: str = "") -> Store:
    """Create a new store holding the codebook as version 1."""
    codebook = load_codebook(codebook_path)
    return Store.create(
        store_location(db), codebook, author=author, message=f"initial codebook from {Path(codebook_path).name}"
    )


@dataclass
class ImportedFile:
    path: str
    document_id: str
    format: str
    encoding: str | None
    turns: int
    segments: int
    words: int
    replaced: bool = False
    layout: str = ""  # how speakers were marked in the file
    speakers: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """What an import did with every file it was given."""

    imported: list[ImportedFile] = field(default_factory=list)
    unchanged: list[tuple[str, str]] = field(default_factory=list)  # (path, document id)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    skipped: list[str] = field(default_factory=list)  # not transcripts
    attributes_updated: list[str] = field(default_factory=list)
    codings_dropped: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refused and not self.found_nothing

    @property
    def found_nothing(self) -> bool:
        """True when nothing given was a transcript to import or already held, and no attribute was set."""
        return not (self.imported or self.unchanged or self.refused or self.attributes_updated)

    def summary(self) -> str:
        """One line of counts: imported, refused, unchanged, skipped."""
        return (
            f"{len(self.imported)} imported, {len(self.refused)} refused, {len(self.unchanged)} unchanged, "
            f"{len(self.skipped)} skipped."
        )

    def notes(self) -> list[tuple[str, str]]:
        """Everything besides the imported files, as (level, sentence) with level info, warning or error.

        Both faces show these same sentences, so a researcher reads one report whichever they
        use; a sentence may be an `Advice` carrying a hint, which each face words its own way.
        """
        notes = _unchanged_notes(self.unchanged)
        notes += [("warning", _skipped(path)) for path in self.skipped]
        if self.attributes_updated:
            notes.append(
                (
                    "info",
                    "attributes updated from the participants file or table of units for: "
                    + ", ".join(self.attributes_updated)
                    + ".",
                )
            )
        if self.codings_dropped:
            dropped = self.codings_dropped
            notes.append(
                (
                    "warning",
                    f"{dropped} coding{'s were' if dropped != 1 else ' was'} dropped because "
                    f"{'their quotes are' if dropped != 1 else 'its quote is'} no longer in the replaced text.",
                )
            )
        notes += [("warning", warning) for warning in self.warnings]
        notes += [
            ("error", reason if reason.startswith(path) else Advice(f"{path}: {reason}", getattr(reason, "hint", None)))
            for path, reason in self.refused
        ]
        if self.found_nothing:
            notes.append(
                (
                    "error",
                    f"no transcript was found to import ({len(self.skipped)} files skipped); name transcript "
                    f"files ({' '.join(sorted(READERS))}) or a folder holding them.",
                )
            )
        return notes


def _unchanged_notes(unchanged: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """One line per file already held; a table of units that holds many documents is one line for all of them."""
    per_file: dict[str, list[str]] = {}
    for path, document_id in unchanged:
        per_file.setdefault(path, []).append(document_id)
    return [
        ("info", f"unchanged: {path} is already in the store as {ids[0]}.")
        if len(ids) == 1
        else ("info", f"unchanged: the {len(ids)} documents from {path} are already in the store.")
        for path, ids in per_file.items()
    ]


def _skipped(path: str) -> str:
    """Why a file found in a folder was not read: a format qualcode does not read, or not a transcript."""
    suffix = Path(path).suffix.lower()
    if suffix == UNITS_SUFFIX:
        return (
            f"skipped: {path} is a CSV file found in a folder; name it on its own to import it as a table of units "
            "(a codings file is imported as codings)."
        )
    if suffix not in READERS:
        kind = f"a {suffix} file" if suffix else "a file with no extension"
        return (
            f"skipped: {path} is {kind}, not read as a transcript; save it as one of "
            f"{' '.join(sorted(READERS))} to import it."
        )
    return f"skipped: {path} is not a transcript (a README, codings or identifiers file)."


def import_transcripts(
    store: Store,
    paths: Sequence[str | Path],
    meta: str | Path | None = None,
    replace: bool = False,
    interviewer_labels: list[str] | None = None,
    progress: Progress | None = None,
    speaker_pattern: str | None = None,
) -> ImportReport:
    """Import transcript files and folders; bad files are refused, the rest saved in one transaction.

    Idempotent by content hash: a file already imported is left as it is; a changed
    file with an id already in the store is refused unless `replace`. A
    participants.csv in an imported folder (or given as `meta`) sets attributes.
    `speaker_pattern` is a regular expression with a `speaker` group (and optionally
    `time`) for a layout of speaker labels that qualcode does not recognise.
    """
    report = ImportReport()
    if speaker_pattern:
        pattern_layout(speaker_pattern)  # a bad pattern is refused before any file is read
    files, participant_files, skipped = find_transcripts(paths)
    report.skipped = [str(path) for path in skipped]
    participants, named_in = _participants(participant_files, meta)
    rules = SpeakerRules.with_interviewers(interviewer_labels, speaker_pattern)
    existing = store.document_hashes()
    texts = {digest: document_id for document_id, digest in existing.items()}  # to find a copy under another id
    accepted: dict[str, ParsedDocument] = {}
    replaced: set[str] = set()
    from_tables: dict[str, dict[str, Any]] = {}  # attributes a units table gives its documents
    changed_in_table: dict[str, list[str]] = {}  # a table's documents held with other content: one refusal a table
    for document in _read_files(files, rules, report, progress):
        report.warnings.extend(document.notes)
        if document.format == UNITS_FORMAT:
            from_tables[document.id] = dict(document.attributes)
        document.attributes.update(participants.get(document.id, {}))
        verdict = _verdict(document, existing, accepted, replace)
        if verdict == "new" or verdict == "replace":
            accepted[document.id] = document
            twin = texts.setdefault(document.content_hash, document.id)
            if twin != document.id and document.format != UNITS_FORMAT:  # survey answers are often word for word
                report.warnings.append(
                    f"{document.source_path}: holds the same transcript as `{twin}`; if it is a copy, leave it out "
                    "or remove one of them, or its speakers and quotes count twice."
                )
            if verdict == "replace":
                replaced.add(document.id)
                _keep_speaker_roles(store, document, interviewer_labels or [])
        elif verdict == "unchanged":
            report.unchanged.append((document.source_path, document.id))
        elif verdict == "changed" and document.format == UNITS_FORMAT:
            changed_in_table.setdefault(document.source_path, []).append(document.id)
        elif verdict == "changed":
            report.refused.append((document.source_path, _changed_reason(store, document)))
        else:
            report.refused.append((document.source_path, verdict))
    report.refused.extend((path, _changed_in_table(path, ids)) for path, ids in changed_in_table.items())
    documents = list(accepted.values())
    given = {pid: from_tables.get(pid, {}) | participants.get(pid, {}) for pid in {*from_tables, *participants}}
    attribute_updates = _attribute_updates(store, given, accepted)
    report.warnings.extend(
        f"{named_in[pid]} names `{pid}`, which is not a document in the store or this import"
        for pid in sorted(set(participants) - set(existing) - set(accepted))
    )
    from ..ingest.segments import segment_documents  # spaCy loads only when there is text to segment

    segments = segment_documents(documents)
    no_interviewer: list[tuple[str, Advice]] = []
    report.codings_dropped = store.save_documents(documents, segments, replaced, attribute_updates)
    report.attributes_updated = sorted(attribute_updates)
    for document, spans in zip(documents, segments):
        report.imported.append(
            ImportedFile(
                document.source_path,
                document.id,
                document.format,
                document.encoding,
                len(document.turns),
                len(spans),
                document.word_count,
                document.id in replaced,
                document.layout,
                speakers_of(document),
            )
        )
        found = speaker_warnings(document, len(spans))
        if any(advice.hint == "interviewer" for advice in found):
            no_interviewer.append((document.source_path, found[0]))
        else:
            report.warnings.extend(found)
    report.warnings.extend(_no_interviewer(no_interviewer))
    return report


def _no_interviewer(found: list[tuple[str, Advice]]) -> list[Advice]:
    """Files where no interviewer was recognised: each one's own sentence, or one sentence naming several."""
    if len(found) < 2:
        return [advice for _, advice in found]
    paths = [path for path, _ in found]
    shown = listed(paths, SHOWN_IDS)
    return [
        Advice(
            f"no interviewer recognised in {len(paths)} files ({shown}): every speaker in them is coded as a "
            "participant; where one of them asks the questions, set that speaker's role to interviewer.",
            "interviewer",
        )
    ]


def _read_files(
    files: list[Path], rules: SpeakerRules, report: ImportReport, progress: Progress | None
) -> Iterator[ParsedDocument]:
    """The documents in each file (a transcript is one, a units table many); a file that cannot be read is refused
    in the report and the rest go on."""
    for path in files:
        if progress:
            progress(str(path))
        try:
            read = read_units_table(path) if path.suffix.lower() == UNITS_SUFFIX else [read_transcript(path, rules)]
        except TranscriptError as error:
            report.refused.append((str(path), Advice(str(error), error.hint)))
            continue
        except MemoryError:
            raise
        except (
            Exception
        ) as error:  # a reader library's own failure on a broken file: name the file, go on with the rest
            report.refused.append(
                (
                    str(path),
                    f"{path}: cannot be read ({type(error).__name__}: {str(error)[:200]}); "
                    "open and re-save it, or leave it out.",
                )
            )
            continue
        yield from read


LONG_FILE_WORDS = 300  # a file this long read as one turn probably has labels in a layout qualcode missed


def speakers_of(document: ParsedDocument) -> list[str]:
    """The speakers of a parsed document, in the order they first speak."""
    return list(dict.fromkeys(turn.speaker for turn in document.turns if turn.kind != NOTE and turn.speaker))


def speaker_warnings(document: ParsedDocument, segments: int) -> list[Advice]:
    """Report lines for a file whose speakers were probably not read: one long turn, or no participant segment."""
    spoken = [turn for turn in document.turns if turn.kind != NOTE]
    if (
        len(spoken) == 1
        and document.word_count >= LONG_FILE_WORDS
        and document.layout.startswith(("no speaker", "cues without"))
    ):
        return [
            Advice(
                f"no speaker labels recognised in {document.source_path}: its {document.word_count} words are one participant turn; "
                "if the file marks speakers, import it again as a replacement with a speaker pattern (a regular expression "
                "with a `speaker` group, and `time` if it has times).",
                "speaker_pattern",
            )
        ]
    named = list(dict.fromkeys(turn.speaker for turn in spoken if turn.speaker))
    if len(named) >= 2 and all(turn.kind == PARTICIPANT for turn in spoken):
        return [
            Advice(
                f"no interviewer recognised in {document.source_path}: "
                f"{'both' if len(named) == 2 else f'all {len(named)}'} speakers are coded as participants; "
                "if one of them asks the questions, set that speaker's role to interviewer.",
                "interviewer",
            )
        ]
    if segments == 0:
        speakers = ", ".join(speakers_of(document)) or "none"
        return [
            Advice(
                f"no participant segment in {document.source_path}: every turn is by an interviewer ({speakers}); "
                "set the participant's speaker role so their answers can be coded.",
                "speakers",
            )
        ]
    return []


def _participants(found: list[Path], meta: str | Path | None) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Attributes per document id from every participants file, and the file that last named each id."""
    merged: dict[str, dict[str, str]] = {}
    named_in: dict[str, str] = {}
    for path in [*found, *([meta] if meta else [])]:
        for participant, values in read_participants(path).items():
            merged.setdefault(participant, {}).update(values)
            named_in[participant] = str(path)
    return merged, named_in


def _verdict(
    document: ParsedDocument, existing: dict[str, str], accepted: dict[str, ParsedDocument], replace: bool
) -> str:
    """new | replace | unchanged | changed, or the reason the file is refused."""
    if document.id in accepted:
        other = accepted[document.id].source_path
        return f"{document.source_path}: has the same document id `{document.id}` as {other}; give one of them another id (front matter `id:` or file name)."
    if document.id not in existing:
        return "new"
    if existing[document.id] == document.content_hash:
        return "unchanged"
    return "replace" if replace else "changed"


def _keep_speaker_roles(store: Store, document: ParsedDocument, named: list[str]) -> None:
    """A replaced transcript keeps the roles its speakers have in the store (set by hand, or read before), except
    for speakers named as interviewers in this import."""
    given = {" ".join(label.lower().split()) for label in named}
    roles = {
        row["speaker"]: row["role"]
        for row in list_speakers(store, document.id)
        if row["role"] in (INTERVIEWER, PARTICIPANT)
    }
    for turn in document.turns:
        if turn.kind != NOTE and turn.speaker in roles and " ".join(turn.speaker.lower().split()) not in given:
            turn.kind = roles[turn.speaker]


def _changed_reason(store: Store, document: ParsedDocument) -> Advice:
    """Why a changed file is refused: new text, or the same text read into other speaker turns."""
    if store.document(document.id)["text"] == document.text:
        return Advice(
            f"{document.source_path}: document `{document.id}` is in the store with the same text but other speaker "
            "turns (were other interviewer labels given before?); import with the same labels, or as a replacement "
            "to read it again.",
            "labels_or_replace",
        )
    return Advice(
        f"{document.source_path}: document `{document.id}` is already in the store with different text; "
        "import it as a replacement to take the new text (its codings move with their quotes).",
        "replace",
    )


def _changed_in_table(path: str, document_ids: list[str]) -> Advice:
    """Why a table's documents held with other content are refused, in one sentence for the table."""
    shown = listed([f"`{d}`" for d in document_ids], SHOWN_IDS)
    return Advice(
        f"{path}: {count(len(document_ids), 'document')} ({shown}) "
        f"{'is' if len(document_ids) == 1 else 'are'} already in the store with other text or other values kept "
        "with their units; import the table as a replacement to take them (codings move with their quotes).",
        "replace",
    )


def _attribute_updates(
    store: Store, participants: dict[str, dict[str, str]], accepted: dict[str, ParsedDocument]
) -> dict[str, dict[str, Any]]:
    """Attribute values from participants.csv that differ from what stored documents have."""
    if not participants:
        return {}
    stored = store.attributes()
    known = set(store.document_hashes()) - set(accepted)
    updates: dict[str, dict[str, Any]] = {}
    for participant, values in participants.items():
        if participant not in known:
            continue
        changed = {k: v for k, v in values.items() if stored.get(participant, {}).get(k) != v}
        if changed:
            updates[participant] = changed
    return updates


def segments(store: Store, document_id: str | None = None) -> list[dict[str, Any]]:
    """The participant segments (the units that get coded) of one transcript, or of all, in order."""
    return store.segments(document_id)


def list_documents(store: Store) -> list[dict[str, Any]]:
    """Documents with attributes and counts, for `qualcode documents` and the app."""
    return store.documents()


def export_segments_rows(store: Store) -> list[dict[str, Any]]:
    """Participant segments with the role of their document, who said them and when: the `export segments` table."""
    attributes = store.attributes()
    turns = store.turn_spans()
    rows = [
        {
            "document_id": s["document_id"],
            "role": attributes.get(s["document_id"], {}).get("role", ""),
            "segment_id": s["id"],
            "start": s["start"],
            "end": s["end"],
            "speaker": s["speaker"],
            "media_time": speaker_at(turns.get(s["document_id"], []), s["start"])[1],
            "text": s["text"],
        }
        for s in store.segments()
    ]
    add_unit_ids(store, rows)
    return rows


@dataclass
class CodingsImport:
    """What `import-codings` did: rows added, and rows whose quote was re-found elsewhere."""

    added: int = 0
    moved: list[str] = field(default_factory=list)
    already_there: int = 0  # rows the store already held (same document, span, code and coder): not added again
    coders: list[str] = field(default_factory=list)  # whose decisions were stored
    overridden: list[str] = field(default_factory=list)  # coders named in the file that `coder` replaced


def import_codings(store: Store, path: str | Path, coder: str | None, status: str = "accepted") -> CodingsImport:
    """Load a codings CSV, all or nothing: as decisions of `coder` when given, else of the file's `coder` column.

    A coder given overrides the file's column (the report names the coders replaced);
    with none given, every row needs a coder in the file. A row whose quote no longer
    sits at its offsets is moved to where the quote is found in the document; a row
    whose quote is nowhere, or whose document or code is unknown, refuses the whole
    file naming that row.
    """
    given = (coder or "").strip()
    report = CodingsImport()
    new: list[NewCoding] = []
    for located in locate_codings(store, path):
        row = located.row
        if (located.start, located.end) != (row.start, row.end):
            report.moved.append(
                f"{located.where}: quote found at {located.start}-{located.end} instead of {row.start}-{row.end}"
            )
        coder_name = given or row.coder
        if not coder_name:
            raise CodingsFileError(
                f"{located.where}: the row names no coder; give the coder whose codings these are, or fill the file's coder column."
            )
        if given and row.coder and row.coder != given and row.coder not in report.overridden:
            report.overridden.append(row.coder)
        new.append(
            NewCoding(
                row.document_id, located.start, located.end, row.code_id, coder_name, source="imported", status=status
            )
        )
    fresh = _not_yet_held(store, new)
    store.add_codings(fresh)
    report.added, report.already_there = len(fresh), len(new) - len(fresh)
    report.coders = sorted({c.coder for c in new})
    return report


@dataclass
class LocatedCoding:
    """A row of a codings file placed on its transcript: where its quote really is, and where the row was."""

    row: CodingRow
    start: int
    end: int
    where: str


def locate_codings(store: Store, path: str | Path) -> list[LocatedCoding]:
    """Every row of a codings CSV checked against the store (known transcript and code) and placed on its quote.

    A quote that no longer sits at its offsets is looked for nearby; a row whose quote
    is nowhere, or whose transcript or code is unknown, refuses the file naming that row.
    """
    codebook = store.codebook()
    texts: dict[str, str | None] = {row["id"]: None for row in store.documents()}
    located = []
    rows = read_codings_csv(path)
    if any(row.unit_id for row in rows):
        rows = place_units(store, rows, path)
    for row in rows:
        where_ = f"{path}, line {row.line}"
        if row.document_id not in texts:
            raise CodingsFileError(
                f"{where_}: document `{row.document_id}` is not in the store; import its transcript first."
            )
        if row.code_id not in codebook:
            raise CodingsFileError(
                f"{where_}: code `{row.code_id}` is not in the codebook{did_you_mean(row.code_id, codebook.ids())}."
            )
        require_codable(codebook, [row.code_id], where_)
        text = texts[row.document_id]
        if text is None:
            text = texts[row.document_id] = store.document(row.document_id)["text"]
        start, end = _locate(row, text, where_)
        located.append(LocatedCoding(row, start, end, where_))
    return located


def _not_yet_held(store: Store, codings: list[NewCoding]) -> list[NewCoding]:
    """The codings that the store (or an earlier row of the same file) does not already hold, so importing twice adds nothing."""
    documents = sorted({c.document_id for c in codings})
    held = {
        (r["document_id"], r["start"], r["end"], r["code_id"], r["coder"])
        for r in (store.codings(document_ids=documents) if documents else [])
    }
    fresh = []
    for coding in codings:
        key = (coding.document_id, coding.start, coding.end, coding.code_id, coding.coder)
        if key not in held:
            held.add(key)
            fresh.append(coding)
    return fresh


def _locate(row: CodingRow, text: str, where_: str) -> tuple[int, int]:
    if row.quote is None or not row.quote.strip():
        if row.end > len(text):
            raise CodingsFileError(
                f"{where_}: offsets {row.start}-{row.end} run past the end of `{row.document_id}` ({len(text)} characters)."
            )
        return row.start, row.end
    if text[row.start : row.end] == row.quote:
        return row.start, row.end
    found = find_quote(text, row.quote, near=row.start)
    if found is None:
        raise CodingsFileError(
            f"{where_}: the quote is not in document `{row.document_id}` (was the transcript changed?); fix or remove the row."
        )
    return found


def coding_rows(store: Store, **filters: Any) -> list[dict[str, Any]]:
    """Codings with their theme (top-level code of the current codebook) added."""
    codebook = store.codebook()
    rows = store.codings(**filters)
    for row in rows:
        row["theme_id"] = codebook.theme_of(row["code_id"]) if row["code_id"] in codebook else ""
    add_unit_ids(store, rows)
    return rows


def accept(store: Store, coding_ids: list[int], coder: str) -> int:
    """Accept codings (usually pending suggestions) as `coder`'s decision; a code not codable cannot be accepted."""
    name = _coder(coder)
    loop.refuse_not_codable(store, coding_ids)
    return store.decide(coding_ids, "accepted", name)


def reject(store: Store, coding_ids: list[int], coder: str) -> int:
    """Reject codings; rejected suggestions stay in the store for the learner."""
    return store.decide(coding_ids, "rejected", _coder(coder))


def add_coding(store: Store, document_id: str, start: int, end: int, code_id: str, coder: str) -> int:
    """Code a span by hand (accepted at once, source `manual`); returns the coding id."""
    require_codable(store.codebook(), [code_id])
    return store.add_codings([NewCoding(document_id, start, end, code_id, _coder(coder))])[0]


def remove_coding(store: Store, coding_id: int, coder: str) -> None:
    """Remove a coding made by mistake (logged, so it can be undone)."""
    store.remove_coding(coding_id, _coder(coder))


def add_memo(
    store: Store,
    document_id: str | None,
    text: str,
    coder: str,
    segment_id: int | None = None,
    coding_id: int | None = None,
    code_id: str | None = None,
) -> int:
    """Attach a memo to the project (no document), a document, a segment, a coding or a code."""
    return loop.add_memo(store, text, coder, document_id, segment_id, coding_id, code_id)


def _coder(coder: str) -> str:
    name = (coder or "").strip()
    if not name:
        raise NoCoderError("say who is coding (a coder name) so the decision can be attributed.")
    return name


def learning_codings(store: Store, coder: str | None = None) -> list[dict[str, Any]]:
    """Decisions the learner uses: accepted and rejected codings by coders (not pending suggestions);
    with `coder` (blind coding), that coder's decisions only."""
    return [
        c
        for c in store.codings(statuses=["accepted", "rejected"])
        if c["coder"] != SUGGESTER and (coder is None or c["coder"] == coder)
    ]


def suggest(
    store: Store,
    document_ids: list[str] | None = None,
    code_ids: list[str] | None = None,
    min_confidence: float = 0.5,
    progress: Callable[[int, int], None] | None = None,
    blind_coder: str | None = None,
    stop: Callable[[], bool] | None = None,
) -> SuggestRun:
    """Propose codes for participant segments and store them as pending suggestions.

    Segment meanings are encoded once and kept in the store. With `blind_coder`, the
    suggestions learn from that coder's own decisions and the codebook only, never
    from a colleague's codings.

    Re-running is idempotent: decisions already made are kept, pending suggestions
    are updated in place, and ones no longer made are withdrawn. Only what changed is
    redone (passages read, models fitted: see suggest/run.py), and each transcript's
    suggestions are written in a transaction of their own; `stop` (asked between
    transcripts) ends the run keeping the transcripts already written.
    """
    from ..suggest.run import suggest_store

    codebook = store.codebook()
    if document_ids:
        store.document_ids_exist(document_ids)
    for code_id in code_ids or []:
        if code_id not in codebook:
            raise UnknownCodeError(f"code `{code_id}` is not in the codebook{did_you_mean(code_id, codebook.ids())}.")
        if not any(code.codable for code in codebook.descendants(code_id)):
            require_codable(codebook, [code_id])  # a grouping code with nothing codable under it gets no suggestion
    segments = store.segments()
    if not segments:
        raise NothingToSuggestError(
            f"{store.location}: holds no transcripts with participant segments yet; "
            "import transcripts before asking for suggestions."
        )
    return suggest_store(store, codebook, segments, document_ids, code_ids, min_confidence, progress, blind_coder, stop)


def meaning_source() -> str:
    """Which embedder reads the meaning of passages: the sentence encoder or the static word-vector table."""
    from ..suggest import semantic

    return semantic.embedder().name


def explain(evidence: dict[str, Any]) -> str:
    """A suggestion's evidence in one line a coder reads (the same words in the app and in review)."""
    from ..suggest.explain import evidence_words

    return evidence_words(evidence)


def review_queue(store: Store, document_id: str | None = None, min_confidence: float = 0.0) -> list[dict[str, Any]]:
    """Pending suggestions grouped by segment, most confident first within a segment, in document order."""
    codebook = store.codebook()
    pending = store.codings(
        document_ids=[document_id] if document_id else None, statuses=["pending"], min_confidence=min_confidence
    )
    segments = {s["id"]: s for s in store.segments(document_id)}
    attributes = store.attributes()
    queue: dict[int, dict[str, Any]] = {}
    for coding in pending:
        segment = segments.get(coding["segment_id"])
        if segment is None or (coding["code_id"] in codebook and not codebook.get(coding["code_id"]).codable):
            continue
        item = queue.setdefault(
            segment["id"],
            {"segment": segment, "role": attributes.get(segment["document_id"], {}).get("role", ""), "suggestions": []},
        )
        item["suggestions"].append(
            coding
            | {"label": codebook.get(coding["code_id"]).label if coding["code_id"] in codebook else coding["code_id"]}
        )
    for item in queue.values():
        item["suggestions"].sort(key=lambda c: -(c["confidence"] or 0))
    return sorted(queue.values(), key=lambda item: (item["segment"]["document_id"], item["segment"]["position"]))


def suggestion_rows(store: Store, statuses: list[str] | None = None) -> list[dict[str, Any]]:
    """Suggested codings joined to their segment and role: the `export suggestions` table."""
    codebook = store.codebook()
    segments = {s["id"]: s for s in store.segments()}
    attributes = store.attributes()
    rows = []
    for coding in store.codings(sources=["suggested"], statuses=statuses):
        segment = segments.get(coding["segment_id"], {})
        evidence = coding["evidence"]
        rows.append(
            {
                "coding_id": coding["id"],
                "document_id": coding["document_id"],
                "role": attributes.get(coding["document_id"], {}).get("role", ""),
                "segment_id": coding["segment_id"],
                "start": coding["start"],
                "end": coding["end"],
                "speaker": segment.get("speaker", ""),
                "text": coding["quote"],
                "code_id": coding["code_id"],
                "theme_id": codebook.theme_of(coding["code_id"]) if coding["code_id"] in codebook else "",
                "confidence": coding["confidence"],
                "status": coding["status"],
                "source": coding["source"],
                "coder": coding["coder"],
                "terms": "; ".join(evidence.get("terms", [])),
                "similar": "; ".join(f"{s['document_id']}#{s['segment_id']}" for s in evidence.get("similar", [])),
            }
        )
    return rows
