"""Word (.docx) transcripts: labelled paragraphs (`Name:` or a bold label) or a table of turns."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from ..errors import TranscriptError
from ..limits import check_archive
from .encoding import normalise
from .layouts import FOOTER, LAYOUTS, NONE, TIME_ONLY, accept_labels, pattern_layout
from .model import NOTE, PARTICIPANT, ParsedDocument, TextBuilder
from .speakers import SpeakerRules, match_label, normalise_label

HEADER_WORDS = {"speaker", "name", "who", "person"}
TIMESTAMP_CELL = re.compile(r"^[\[(]?\d{1,2}:\d{2}(:\d{2})?([.,]\d+)?[\])]?$")


def read_word_transcript(path: Path, rules: SpeakerRules) -> ParsedDocument:
    """Parse a .docx transcript into turns, in document order (paragraphs and tables)."""
    check_archive(path, TranscriptError, "Word .docx file")
    try:
        document = docx.Document(str(path))
        rows = list(_rows(document, rules))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, etree.LxmlError) as error:
        raise TranscriptError(
            f"{path}: is not a readable Word .docx file ({_first_line(error)}); open and re-save it in Word."
        ) from None
    labels = _accepted(rows, rules, path.stem)
    builder = TextBuilder()
    waiting: list[_Row] = []  # a label on a paragraph of its own, waiting for its turn below
    for row in rows:
        _add_row(builder, row, labels, rules, waiting)
    title = next((row.text for row in rows if row.heading), "")
    if not any(turn.kind != NOTE for turn in builder.turns):
        raise TranscriptError(f"{path}: holds no interview text; check it is the transcript you meant.")
    return ParsedDocument(
        id=path.stem,
        text=builder.text(),
        turns=builder.turns,
        source_path=str(path),
        format="docx",
        title=title or path.stem,
        encoding=None,
        layout=_layout(rows, labels, rules),
    )


def _layout(rows: list[_Row], labels: set[str], rules: SpeakerRules) -> str:
    """The speaker layout the document was read in, for the import report."""
    used = [row for row in rows if row.label and normalise_label(row.label) in labels]
    if not used:
        return NONE
    if rules.pattern:
        return pattern_layout(rules.pattern).name
    if any(row.own_line for row in used):
        return next(row.own_line for row in used if row.own_line)
    if any(row.table for row in used):
        return "a table of speaker and turn"
    return "bold Name: text" if any(row.marked for row in used) else LAYOUTS[0].name


def _first_line(error: Exception) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0][:200]


class _Row:
    """One paragraph or table row: an optional speaker label and its text."""

    def __init__(
        self,
        label: str | None,
        text: str,
        stamp: str | None = None,
        heading: bool = False,
        paragraph_break: bool = True,
        marked: bool = False,
        own_line: str = "",
        table: bool = False,
    ) -> None:
        self.label, self.text, self.stamp, self.heading = label, text, stamp, heading
        self.paragraph_break = paragraph_break
        self.marked = marked  # a bold label: always a speaker, even if used once
        self.own_line = own_line  # the layout's name when the label stands on a paragraph of its own (Otter.ai)
        self.table = table


def _rows(document: docx.document.Document, rules: SpeakerRules):
    styles = {style.style_id: style.name or "" for style in document.styles}  # Paragraph.style looks up slowly
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            row = _paragraph_row(block, styles, rules)
            if row is not None:
                yield row
        elif isinstance(block, Table):
            yield from _table_rows(block)


def _paragraph_row(paragraph: Paragraph, styles: dict[str, str], rules: SpeakerRules) -> _Row | None:
    text = normalise(paragraph.text).strip()
    if not text:
        return None
    style = styles.get(paragraph._p.style or "", "")
    heading = style.lower().startswith(("heading", "title"))
    if rules.pattern:
        found = pattern_layout(rules.pattern).read(text)
        if found is None:
            return _Row(None, text, heading=heading)
        rest = text[found.speech_start :].strip()
        return _Row(found.speaker, rest, found.time, own_line="" if rest else pattern_layout(rules.pattern).name)
    for layout in LAYOUTS[1:3]:  # a name and a time on a paragraph of their own, the turn below
        found = layout.read(text)
        if found is not None and not heading:
            return _Row(found.speaker, "", found.time, own_line=layout.name)
    bold = _bold_label(paragraph)
    if bold is not None:
        return _Row(bold[0], bold[1], marked=True)
    colon = match_label(text)
    if colon and not heading:
        return _Row(colon.group("label").strip(), text[colon.end() :].strip(), colon.group("stamp"))
    return _Row(None, text, heading=heading)


def _bold_label(paragraph: Paragraph) -> tuple[str, str] | None:
    """(label, rest) when the paragraph opens with bold text that ends in a colon."""
    bold = ""
    for run in paragraph.runs:
        if not run.bold:
            break
        bold += run.text
    bold = normalise(bold).strip()
    if not bold or len(bold) > 42:
        return None
    full = normalise(paragraph.text).strip()
    if bold.endswith(":"):
        return bold[:-1].strip(), full[len(bold) :].strip()
    rest = full[len(bold) :]
    if rest.lstrip().startswith(":"):
        return bold, rest.lstrip()[1:].strip()
    return None


def _table_rows(table: Table):
    """Rows of a turns table: `speaker | text` or `time | speaker | text`, header row skipped."""
    for index, row in enumerate(table.rows):
        cells = [normalise(cell.text).strip() for cell in row.cells]
        if len(cells) < 2:
            continue
        if index == 0 and normalise_label(cells[0]) in HEADER_WORDS | {"time", "timestamp"}:
            continue
        stamp = None
        if len(cells) >= 3 and TIMESTAMP_CELL.match(cells[0]):
            stamp, cells = cells[0].strip("[]()"), cells[1:]
        speaker, text = cells[0].rstrip(":").strip(), "\n\n".join(c for c in cells[1:] if c)
        if text:
            yield _Row(speaker or None, text, stamp, table=True)


def _accepted(rows: list[_Row], rules: SpeakerRules, document_id: str) -> set[str]:
    if rules.pattern:
        return {normalise_label(row.label) for row in rows if row.label}
    marked = {normalise_label(row.label) for row in rows if row.label and row.marked}
    return accept_labels([row.label for row in rows], rules, document_id) | marked


def _add_row(builder: TextBuilder, row: _Row, labels: set[str], rules: SpeakerRules, waiting: list[_Row]) -> None:
    """Start a turn at a speaker label; other text continues the turn before it.

    A label on a paragraph of its own waits for the paragraph below, its turn.
    Headings, text before the first label and an export's closing credit are notes
    (kept, never coded); a document with no labels at all is one participant turn.
    """
    if row.label and normalise_label(row.label) in labels:
        waiting.clear()
        if row.text:
            attributes = {"timestamp": row.stamp} if row.stamp else {}
            builder.add_turn(row.label, rules.kind(row.label), row.text, attributes)
        else:
            waiting.append(row)
        return
    text = (
        row.text
        if not row.label
        else (f"{row.label}: {row.text}" if not row.own_line else f"{row.label} {row.stamp or ''}".strip())
    )
    if waiting and not row.heading and not FOOTER.match(text):
        label = waiting.pop()
        assert label.label is not None  # only labelled rows wait for their text
        builder.add_turn(label.label, rules.kind(label.label), text, {"timestamp": label.stamp} if label.stamp else {})
        return
    last = builder.turns[-1] if builder.turns else None
    again = TIME_ONLY.match(text)
    if again and labels and last is not None and last.kind != NOTE:  # the same speaker goes on from a new time
        waiting.append(_Row(last.speaker, "", again.group("time")))
        return
    if (FOOTER.match(text) and labels) or row.heading:
        builder.add_turn("", NOTE, text)
    elif last is not None and (last.kind != NOTE or labels):
        builder.extend_last("\n\n", text)
    elif labels:
        builder.add_turn("", NOTE, text)
    else:
        builder.add_turn("Participant", PARTICIPANT, text)
