"""Plain text and Markdown transcripts: optional YAML front matter, then speaker turns."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from ..errors import TranscriptError
from ..limits import load_yaml
from .encoding import read_text_file
from .layouts import holds_speech, read_turns
from .model import ParsedDocument
from .speakers import SpeakerRules, normalise_label

FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
MARKDOWN_BOLD_LABEL = re.compile(r"^(\*\*|__)([^*_\n]{1,40}?)(?::\1|\1:)[ \t]*", re.MULTILINE)
MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>])")  # `\[` reads as `[`
BOLD_LAYOUT = "**Name:** text (bold Markdown)"


def read_text_transcript(path: Path, rules: SpeakerRules) -> ParsedDocument:
    """Parse a .txt or .md transcript."""
    text, encoding, notes = read_text_file(path)
    meta, body = split_front_matter(text, path)
    bold: frozenset[str] = frozenset()
    if path.suffix.lower() == ".md":
        bold = frozenset(normalise_label(m.group(2)) for m in MARKDOWN_BOLD_LABEL.finditer(body))
        rules = replace(rules, extra_participant_labels=rules.extra_participant_labels | bold)
        body = MARKDOWN_BOLD_LABEL.sub(lambda m: f"{m.group(2)}: ", body)
        if "\\" in body:
            body = MARKDOWN_ESCAPE.sub(r"\1", body)
    body = body.strip("\n").rstrip() + "\n"
    if not body.strip() or not holds_speech(body):
        raise TranscriptError(
            f"{path}: holds no interview text (only blank lines or times); check it is the transcript you meant."
        )
    document_id = str(meta.pop("id", None) or path.stem)
    title = str(meta.pop("title", None) or document_id)
    reading = read_turns(body, 0, rules, document_id)
    layout = BOLD_LAYOUT if bold and not rules.pattern and reading.layout.startswith("Name:") else reading.layout
    return ParsedDocument(
        id=document_id,
        text=body,
        turns=reading.turns,
        source_path=str(path),
        format=path.suffix.lower().lstrip("."),
        title=title,
        encoding=encoding,
        attributes=meta,
        layout=layout,
        notes=notes,
    )


def split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str]:
    """(attributes, body) of a text whose first line may open a `---` YAML block."""
    if not text.startswith("---\n"):
        return {}, text
    closing = FRONT_MATTER_END.search(text, 4)
    if closing is None:
        raise TranscriptError(
            f"{path}, line 1: the front matter opened with --- is never closed; add a --- line after it."
        )
    block = text[4 : closing.start()]
    try:
        meta = load_yaml(block, f"{path} (front matter)", TranscriptError, first_line=2) or {}
    except yaml.MarkedYAMLError as error:
        line = (error.problem_mark.line + 2) if error.problem_mark else 1
        raise TranscriptError(
            f"{path}, line {line}: the front matter is not valid YAML ({error.problem}); fix it or remove the --- block."
        ) from None
    if not isinstance(meta, dict):
        raise TranscriptError(f"{path}, line 2: the front matter must be `key: value` lines (id, role, ...).")
    return {str(k): _plain(v) for k, v in meta.items()}, text[closing.end() :]


def _plain(value: Any) -> Any:
    """Front-matter values as JSON-friendly attribute values."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return str(value)
    return value
