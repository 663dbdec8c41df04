"""Codebook changes made in the app: edit one code, or take a whole new YAML file, as a new version."""

from __future__ import annotations

import dataclasses

from qualcode.codebook import Code, Codebook, parse_codebook
from qualcode.project.codebook import update_codebook
from qualcode.store import Store


def with_code(codebook: Codebook, code: Code) -> Codebook:
    """The codebook with one code replaced (same id), validated as a whole."""
    codes = [code if existing.id == code.id else existing for existing in codebook.codes]
    edited = dataclasses.replace(codebook, codes=codes)
    return parse_codebook(edited.to_yaml(), "the edited codebook")


def save(store: Store, codebook: Codebook, author: str, message: str, source: str | None = None) -> int:
    """Store the codebook as the next version (refused if it drops codes still in use); returns its number."""
    return update_codebook(store, codebook, author, message, source=source)


def differences(old: Codebook, new: Codebook) -> dict[str, list[str]]:
    """Code ids added, removed and changed between two codebooks."""
    old_ids, new_ids = set(old.ids()), set(new.ids())
    changed = [i for i in new.ids() if i in old_ids and old.get(i) != new.get(i)]
    return {"added": [i for i in new.ids() if i not in old_ids], "removed": [i for i in old.ids() if i not in new_ids],
            "changed": changed}


def lines(text: str) -> tuple[str, ...]:
    """Non-empty lines of a text area, trimmed."""
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def tree_label(codebook: Codebook, code_id: str) -> str:
    """A code's label indented by its depth in the tree, for pickers."""
    return "\u2003" * codebook.depth(code_id) + codebook.get(code_id).label
