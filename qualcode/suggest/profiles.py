"""Code profiles: the text a codebook gives each code, which zero-shot suggestions compare against.

A profile is the code's label, definition, include guidance, examples and keywords
(never its exclude guidance, which describes other codes). A theme's profile also
rolls up the profiles of every code below it.
"""

from __future__ import annotations

from ..codebook import Code, Codebook


def code_text(code: Code) -> str:
    """The words a codebook offers for one code."""
    parts = [code.label, code.definition, code.include, *code.examples, *code.keywords]
    return "\n".join(part for part in parts if part)


def definition_text(code: Code) -> str:
    """What the codebook says a code means: label, definition and include guidance (no examples or keywords).

    Passages are matched against this by meaning: written to describe the code, it
    transfers to real talk better than invented example utterances do.
    """
    parts = [code.label, code.definition, code.include]
    return ". ".join(part.strip().rstrip(".") for part in parts if part and part.strip())


def profiles(codebook: Codebook) -> dict[str, str]:
    """Profile text per code id; a code with children includes its descendants' text."""
    return {
        code.id: "\n".join([code_text(code), *(code_text(child) for child in codebook.descendants(code.id))])
        for code in codebook
    }


def suggestible_codes(codebook: Codebook, code_ids: list[str] | None = None) -> list[str]:
    """Codes that suggestions are made for: codable leaves of the tree (or those asked for); never a code not codable."""
    leaves = [code.id for code in codebook if code.codable and not codable_children(codebook, code.id)]
    if not code_ids:
        return leaves
    wanted: list[str] = []
    for code_id in code_ids:
        below = [c.id for c in codebook.descendants(code_id) if c.id in leaves]
        wanted.extend(below or [code_id])
    chosen = [code_id for code_id in leaves if code_id in set(wanted)]
    return chosen or [c for c in dict.fromkeys(wanted) if c in codebook and codebook.get(c).codable]


def codable_children(codebook: Codebook, code_id: str) -> list[str]:
    """The codes directly under `code_id` that may be applied."""
    return [child.id for child in codebook.children(code_id) if child.codable]
