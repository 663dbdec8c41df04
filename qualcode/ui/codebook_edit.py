"""Codebook edits made in the app, before the service stores them: one code replaced, lines typed, labels for pickers."""

from __future__ import annotations

import dataclasses
import re

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
    """A code's picker label where only codable codes are offered: under a heading not offered, `Heading › Label`;
    with the code's id after it when the id is not the label's own words (`Walking · on_foot`), so typing the id finds it."""
    code = codebook.get(code_id)
    parent = codebook.get(code.parent) if code.parent and code.parent in codebook else None
    named = "" if _letters(code_id) == _letters(code.label) else f" · {code_id}"
    if parent is None or parent.codable:
        return tree_label(codebook, code_id) + named
    return "\u2003" * codebook.depth(parent.id) + f"{parent.label} › {code.label}{named}"


def _letters(name: str) -> str:
    """A name's letters and digits in lower case, `&` read as `and`: `Food & drink` and `food_and_drink` agree."""
    return re.sub(r"[^0-9a-z]", "", name.lower().replace("&", "and"))
