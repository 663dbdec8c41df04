"""What changed between two codebooks, told in sentences a researcher reads.

Codes are matched by id, so a code keeps its identity (and its codings) through a
new label, a new parent or a new definition: a code whose id is only in the new
codebook was added, one only in the old was removed, and a code in both may be
renamed (new label), moved (new parent), redefined (definition, include, exclude,
examples or keywords changed) or recoloured.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .model import Code, Codebook

KINDS = ("codebook", "added", "removed", "renamed", "moved", "redefined", "recoloured", "group")
TEXT_FIELDS = {
    "definition": "definition",
    "include": "when to use it (include)",
    "exclude": "when not to use it (exclude)",
}
LIST_FIELDS = {"examples": "examples", "keywords": "keywords"}


@dataclass(frozen=True)
class Change:
    """One difference: its kind, the code it concerns (None for the codebook itself) and a sentence."""

    kind: str
    code_id: str | None
    sentence: str

    def __str__(self) -> str:
        return self.sentence


def diff_codebooks(old: Codebook, new: Codebook) -> list[Change]:
    """Every difference from `old` to `new`: codebook fields, then codes in the new order, then removals and groups."""
    changes = _codebook_changes(old, new)
    for code in new.codes:
        if code.id not in old:
            changes.append(Change("added", code.id, f"Added {_name(code)} {_place(new, code.parent)}."))
        else:
            changes.extend(code_changes(old, new, code.id))
    for code in old.codes:
        if code.id not in new:
            changes.append(Change("removed", code.id, f"Removed {_name(code)}, which was {_place(old, code.parent)}."))
    changes.extend(_group_changes(old, new))
    return changes


def code_changes(old: Codebook, new: Codebook, code_id: str) -> list[Change]:
    """How one code present in both codebooks changed (empty when it did not)."""
    before, after = old.get(code_id), new.get(code_id)
    changes: list[Change] = []
    if before.label != after.label:
        changes.append(Change("renamed", code_id, f'Renamed {code_id} from "{before.label}" to "{after.label}".'))
    if before.parent != after.parent:
        changes.append(
            Change(
                "moved",
                code_id,
                f"Moved {_name(after)} from {_place(old, before.parent)} to {_place(new, after.parent)}.",
            )
        )
    for field, words in TEXT_FIELDS.items():
        sentence = _text_change(getattr(before, field), getattr(after, field), words)
        if sentence:
            changes.append(Change("redefined", code_id, f"Redefined {_name(after)}: {sentence}."))
    for field, words in LIST_FIELDS.items():
        sentence = _list_change(getattr(before, field), getattr(after, field), words)
        if sentence:
            changes.append(Change("redefined", code_id, f"Changed the {words} of {_name(after)}: {sentence}."))
    if (before.colour or "").lower() != (after.colour or "").lower():
        changes.append(
            Change("recoloured", code_id, f"Recoloured {_name(after)}: {_colour_change(before.colour, after.colour)}.")
        )
    return changes


def summary(changes: list[Change]) -> str:
    """A count of changes by kind, such as `2 added, 1 renamed` (or `no changes`)."""
    counts = Counter(change.kind for change in changes)
    parts = [f"{counts[kind]} {kind}" for kind in KINDS if counts[kind] and kind not in ("codebook", "group")]
    other = counts["codebook"] + counts["group"]
    if other:
        parts.append(f"{other} other change{'s' if other != 1 else ''}")
    return ", ".join(parts) or "no changes"


def _name(code: Code) -> str:
    return f'"{code.label}" ({code.id})'


def _place(codebook: Codebook, parent: str | None) -> str:
    if parent is None:
        return "at the top level (a theme)"
    label = codebook.get(parent).label if parent in codebook else parent
    return f'under "{label}"'


def _text_change(before: str, after: str, words: str) -> str:
    if before == after:
        return ""
    if not before:
        return f'now has a {words}: "{after}"'
    if not after:
        return f'no longer has a {words} (it was "{before}")'
    return f'the {words} was "{before}" and is now "{after}"'


def _list_change(before: tuple[str, ...], after: tuple[str, ...], words: str) -> str:
    added = [item for item in after if item not in before]
    removed = [item for item in before if item not in after]
    parts = []
    if added:
        parts.append("added " + ", ".join(f'"{item}"' for item in added))
    if removed:
        parts.append("removed " + ", ".join(f'"{item}"' for item in removed))
    if not parts and before != after:
        parts.append(f"put the {words} in a new order")
    return "; ".join(parts)


def _colour_change(before: str | None, after: str | None) -> str:
    if not before:
        return f"now has its own colour {after}"
    if not after:
        return f"no longer has its own colour (it was {before})"
    return f"from {before} to {after}"


def _codebook_changes(old: Codebook, new: Codebook) -> list[Change]:
    changes = []
    if old.name != new.name:
        changes.append(Change("codebook", None, f'The codebook\'s name changed from "{old.name}" to "{new.name}".'))
    if old.version != new.version:
        changes.append(
            Change("codebook", None, f"The codebook's version number changed from {old.version} to {new.version}.")
        )
    if old.description != new.description:
        now = f'now reads "{new.description}"' if new.description else "is now empty"
        changes.append(Change("codebook", None, f"The codebook's description changed: it {now}."))
    return changes


def _group_changes(old: Codebook, new: Codebook) -> list[Change]:
    changes = []
    for name, members in new.groups.items():
        listed = ", ".join(members) or "no codes"
        if name not in old.groups:
            changes.append(Change("group", None, f'Added the group "{name}" holding {listed}.'))
        elif old.groups[name] != members:
            changes.append(
                Change(
                    "group",
                    None,
                    f'Changed the group "{name}": {_list_change(tuple(old.groups[name]), tuple(members), "codes")}.',
                )
            )
    for name in old.groups:
        if name not in new.groups:
            changes.append(Change("group", None, f'Removed the group "{name}".'))
    return changes
