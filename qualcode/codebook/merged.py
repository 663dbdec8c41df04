"""What a three-way codebook merge produces: the merged codes with their conflicts, and the text to write.

Its own module so that the merge (which fills it) and the layout (which writes it) both
depend on it, and not on each other in a circle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .model import Codebook, parse_codebook


@dataclass(frozen=True)
class Conflict:
    """Edits that cannot both be kept; `field` None means a whole code (or a whole group)."""

    code_id: str | None
    field: str | None
    base: Any
    ours: Any
    theirs: Any
    sentence: str

    def __str__(self) -> str:
        return self.sentence


@dataclass
class MergedCode:
    """A code of the merged codebook: its field values and any conflicts on them."""

    id: str
    values: dict[str, Any]
    conflicts: dict[str, Conflict] = field(default_factory=dict)
    whole: Conflict | None = None


@dataclass
class MergeResult:
    """The merged codebook (conflicts included) and its YAML text."""

    top: dict[str, Any]
    top_conflicts: dict[str, Conflict]
    groups: dict[str, list[str]]
    group_conflicts: dict[str, Conflict]
    codes: list[MergedCode]
    text: str = ""

    @property
    def conflicts(self) -> list[Conflict]:
        """Every conflict: codebook fields, then codes in order, then groups."""
        found = list(self.top_conflicts.values())
        for code in self.codes:
            found.extend([code.whole] if code.whole else code.conflicts.values())
        return found + list(self.group_conflicts.values())

    @property
    def clean(self) -> bool:
        return not self.conflicts

    def codebook(self, label: str = "<merged codebook>") -> Codebook:
        """The merged codebook, validated (only for a clean merge)."""
        return parse_codebook(self.text, label)
