"""The names a project masks: its identifiers list, names the list may be missing, and masking with it.

Every export, screen and log masks the names listed here (`qualcode.export.masking`
does the masking). Candidates are offered to the researcher to confirm, never added on
their own: a candidate is a run of capitalised words seen at least twice away from the
start of a sentence (or as a speaker label), whose single words never appear in lower
case in the project, minus calendar words, titles and names already listed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import IdentifierError, IdentifiersFileError
from ..export.masking import (
    DEFAULT_KIND,
    KINDS,
    PLACEHOLDERS,
    Masker,
    check_kind,
    fold,
    mask_rows,
    masked_texts,
    masker_for,
    speaker_names,
)
from ..ingest.identifiers import read_identifiers
from ..store import Store
from ..store import identifiers as stored

__all__ = [
    "DEFAULT_KIND",
    "KINDS",
    "PLACEHOLDERS",
    "Masker",
    "add_identifiers",
    "candidate_names",
    "import_identifiers",
    "list_identifiers",
    "mask_rows",
    "masked_texts",
    "masker_for",
    "remove_identifiers",
]


def add_identifiers(store: Store, names: Iterable[str], kind: str = DEFAULT_KIND) -> list[str]:
    """Add names of one kind to the project's identifiers; returns those not already there."""
    kind = check_kind(kind)
    entries = [(" ".join(name.split()), kind) for name in names if name.strip()]
    if not entries:
        raise IdentifierError("give at least one name to add (for example: Sandra).")
    return stored.add_identifiers(store, entries)


def import_identifiers(store: Store, path: str | Path, kind: str = DEFAULT_KIND) -> tuple[list[str], int]:
    """Add the names in a text or CSV file (a kind on a line wins over `kind`); returns (added, already held)."""
    default = check_kind(kind)
    lines = read_identifiers(path)
    if not lines:
        raise IdentifiersFileError(f"{path}: holds no names; write one name per line.")
    entries = [
        (line.identifier, check_kind(line.kind, f"{path}, line {line.line}") if line.kind else default)
        for line in lines
    ]
    added = stored.add_identifiers(store, entries)
    return added, len(entries) - len(added)


def list_identifiers(store: Store) -> list[dict[str, Any]]:
    """The project's identifiers with their kinds."""
    return stored.list_identifiers(store)


def remove_identifiers(store: Store, names: Iterable[str]) -> int:
    """Stop masking these names; returns how many were removed."""
    return stored.remove_identifiers(store, names)


_RUN = re.compile(r"(?<![\w'’])([A-Z][a-z]+(?:['’][A-Za-z]+)?(?:[ \-][A-Z][a-z]+)*)(?![\w])")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n\s*|[\"“‘(]\s*)$")
_POSSESSIVE = re.compile(r"['’]s$")
COMMON = set(
    [
        "i",
        "i'm",
        "i've",
        "i'd",
        "i'll",
        "im",
        "ive",
        "the",
        "a",
        "an",
        "and",
        "but",
        "so",
        "or",
        "if",
        "when",
        "then",
        "yes",
        "no",
        "yeah",
        "ok",
        "okay",
        "well",
        "oh",
        "um",
        "uh",
        "er",
        "erm",
        "right",
        "sure",
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "sir",
        "madam",
        "mum",
        "dad",
        "god",
        "christmas",
        "easter",
        "english",
        "british",
        "uk",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "interviewer",
        "participant",
        "speaker",
        "facilitator",
    ]
)


def candidate_names(store: Store, minimum: int = 2, limit: int = 40) -> list[dict[str, Any]]:
    """Recurring capitalised names not yet on the identifiers list, most frequent first: (name, count)."""
    segments = store.segments()
    texts = [segment["text"] for segment in segments]
    lower_words = set(re.findall(r"(?<![\w'’])[a-z][a-z'’]+", "\n".join(texts)))
    counts: Counter = Counter()
    for text in texts:
        for match in _RUN.finditer(text):
            run = match.group(1)
            if _SENTENCE_START.search(text[max(0, match.start() - 3) : match.start()]):
                run = run.partition(" ")[2]  # a capitalised word opening a sentence says nothing
            if run:
                counts[_POSSESSIVE.sub("", run)] += 1
    for speaker in (segment.get("speaker") or "" for segment in segments):
        if _RUN.fullmatch(speaker.strip()):
            counts[speaker.strip()] += minimum
    listed = {fold(row["identifier"]) for row in list_identifiers(store)}
    listed |= {fold(name) for name in speaker_names(store.speaker_labels())}  # masked already
    found = []
    for name, count in counts.most_common():
        words = name.lower().replace("’", "'").split()
        if count < minimum or fold(name) in listed or all(word in COMMON for word in words):
            continue
        if len(words) == 1 and (words[0] in lower_words or words[0] in COMMON):
            continue
        found.append({"name": name, "count": count})
        if len(found) == limit:
            break
    return found
