"""The anonymisation guard: mask a project's identifiers in every quote that leaves it.

Names are matched case-insensitively, as whole words, across any whitespace between
the words of a multi-word name, and before a possessive ("Sandra's" becomes
"[name]'s"); each hit is replaced by a bracketed placeholder for its kind.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .errors import IdentifiersFileError, QualcodeError
from .ingest.identifiers import read_identifiers
from .store import Store
from .store import identifiers as stored

PLACEHOLDERS = {"person": "[name]", "place": "[place]", "council": "[council]", "provider": "[provider]",
                "organisation": "[organisation]", "other": "[identifier]"}
KINDS = tuple(PLACEHOLDERS)
DEFAULT_KIND = "person"


def check_kind(kind: str, where: str = "") -> str:
    """A kind in lower case, or an error naming the kinds there are."""
    value = (kind or "").strip().lower()
    if value not in PLACEHOLDERS:
        prefix = f"{where}: " if where else ""
        raise QualcodeError(f"{prefix}unknown identifier kind `{kind}`; use one of {', '.join(KINDS)}.")
    return value


def add_identifiers(store: Store, names: Iterable[str], kind: str = DEFAULT_KIND) -> list[str]:
    """Add names of one kind to the project's identifiers; returns those not already there."""
    kind = check_kind(kind)
    entries = [(" ".join(name.split()), kind) for name in names if name.strip()]
    if not entries:
        raise QualcodeError("give at least one name to add (for example: qualcode identifiers add Sandra).")
    return stored.add_identifiers(store, entries)


def import_identifiers(store: Store, path: str | Path, kind: str = DEFAULT_KIND) -> tuple[list[str], int]:
    """Add the names in a text or CSV file (a kind on a line wins over `kind`); returns (added, already held)."""
    default = check_kind(kind)
    lines = read_identifiers(path)
    if not lines:
        raise IdentifiersFileError(f"{path}: holds no names; write one name per line.")
    entries = [(line.identifier, check_kind(line.kind, f"{path}, line {line.line}") if line.kind else default) for line in lines]
    added = stored.add_identifiers(store, entries)
    return added, len(entries) - len(added)


def list_identifiers(store: Store) -> list[dict[str, Any]]:
    """The project's identifiers with their kinds."""
    return stored.list_identifiers(store)


def remove_identifiers(store: Store, names: Iterable[str]) -> int:
    """Stop masking these names; returns how many were removed."""
    return stored.remove_identifiers(store, names)


@dataclass
class Masker:
    """Masks a fixed set of identifiers in text and counts every hit by identifier."""

    identifiers: list[tuple[str, str]]  # (name, kind)
    hits: Counter = field(default_factory=Counter)

    def __post_init__(self) -> None:
        names = sorted({name for name, _ in self.identifiers}, key=lambda n: (-len(n), n.lower()))
        self._kinds = {name.casefold(): kind for name, kind in self.identifiers}
        self._words = {" ".join(name.casefold().split()): name for name, _ in self.identifiers}
        pattern = "|".join(r"\s+".join(re.escape(word) for word in name.split()) for name in names)
        self._pattern = re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", re.IGNORECASE) if names else None
        firsts = sorted({name.split()[0].lower() for name in names}, key=lambda w: (-len(w), w))
        self._hint = re.compile("|".join(map(re.escape, firsts))) if names else None  # a fast first look

    @classmethod
    def for_store(cls, store: Store) -> "Masker":
        """A masker for the project's current identifiers list."""
        return cls([(row["identifier"], row["kind"]) for row in stored.list_identifiers(store)])

    @property
    def total(self) -> int:
        """How many hits were masked so far."""
        return sum(self.hits.values())

    def mask(self, text: str) -> tuple[str, int]:
        """The text with every identifier replaced by its placeholder, and the number replaced."""
        if self._pattern is None or not text or not self._hint.search(text.lower()):
            return text, 0
        count = 0

        def replace(match: re.Match) -> str:
            nonlocal count
            key = " ".join(match.group(0).casefold().split())
            name = self._words.get(key, key)
            self.hits[name] += 1
            count += 1
            return PLACEHOLDERS.get(self._kinds.get(name.casefold(), DEFAULT_KIND), "[identifier]")

        return self._pattern.sub(replace, text), count


def masked_texts(store: Store, texts: Iterable[str]) -> list[str]:
    """Texts with the project's identifiers masked, for any table that leaves the app or the CLI."""
    masker = Masker.for_store(store)
    return [masker.mask(text)[0] for text in texts]
