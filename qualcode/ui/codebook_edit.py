"""Codebook edits made in the app, before the service stores them: one code replaced, lines typed, labels for pickers."""

from __future__ import annotations

import dataclasses

from qualcode.codebook import Code, Codebook, parse_codebook


def with_code(codebook: Codebook, code: Code) -> Codebook:
    """The codebook with one code replaced (same id), validated as a whole."""
    codes = [code if existing.id == code.id else existing for existing in codebook.codes]
    edited = dataclasses.replace(codebook, codes=codes)
    return parse_codebook(edited.to_yaml(), "the edited codebook")


def lines(text: str) -> tuple[str, ...]:
    """Non-empty lines of a text area, trimmed."""
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def tree_label(codebook: Codebook, code_id: str) -> str:
    """A code's label indented by its depth in the tree, for pickers."""
    return "\u2003" * codebook.depth(code_id) + codebook.get(code_id).label


def codable_label(codebook: Codebook, code_id: str) -> str:
    """A code's picker label where only codable codes are offered: under a heading not offered, `Heading › Label`."""
    code = codebook.get(code_id)
    parent = codebook.get(code.parent) if code.parent and code.parent in codebook else None
    if parent is None or parent.codable:
        return tree_label(codebook, code_id)
    return "\u2003" * codebook.depth(parent.id) + f"{parent.label} › {code.label}"
