"""Which codes may be applied: a code marked `codable: false` (a REFI-QDA `isCodable="false"` category) groups others.

Such a code is kept in the tree, in exports and in analysis, but no one applies it to a
passage and no suggestion is made for it. Pickers offer `codable_ids`; every way of
applying a code asks `require_codable` first.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import NotCodableError
from .model import Codebook


def codable_ids(codebook: Codebook) -> list[str]:
    """The ids of the codes that may be applied to a passage, in codebook order."""
    return [code.id for code in codebook if code.codable]


def require_codable(codebook: Codebook, code_ids: Iterable[str], where: str = "") -> None:
    """Refuse, in one sentence, the first code that the codebook marks as not codable (unknown ids are left to others)."""
    for code_id in code_ids:
        if code_id not in codebook or codebook.get(code_id).codable:
            continue
        code = codebook.get(code_id)
        below = [c.id for c in codebook.descendants(code_id) if c.codable]
        instead = (
            f"code the passage with one of the codes under it ({', '.join(below[:5])}{', ...' if len(below) > 5 else ''})"
            if below
            else "mark it codable in the codebook if it should be applied"
        )
        raise NotCodableError(
            f"{where + ': ' if where else ''}code `{code_id}` ({code.label}) is marked not codable in the codebook "
            f"(it groups codes rather than being applied); {instead}."
        )
