"""Selection positions in the unit a tool counts: code points (the standard) or UTF-16 code units (NVivo).

The two differ only after a character outside the Basic Multilingual Plane (an
emoji, some CJK): such a character is one code point and two UTF-16 units. Which unit
a file uses is judged from its origin and from the selections themselves: the
reading under which more coded passages start and end on a word boundary wins.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable

CODE_POINTS = "codepoints"
UTF16 = "utf16"
UNITS = (CODE_POINTS, UTF16)
UTF16_ORIGINS = ("nvivo",)


def has_astral(text: str) -> bool:
    """Whether the text holds a character that UTF-16 counts as two units."""
    return any(ord(character) > 0xFFFF for character in text)


class Offsets:
    """Converts positions in one text between code points and UTF-16 code units."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.astral = [i for i, character in enumerate(text) if ord(character) > 0xFFFF]

    def utf16_length(self) -> int:
        return len(self.text) + len(self.astral)

    def to_utf16(self, index: int) -> int:
        """The UTF-16 unit offset of code point `index`."""
        return index + bisect_right(self.astral, index - 1)

    def from_utf16(self, unit: int) -> int:
        """The code point index at UTF-16 offset `unit` (an offset inside a pair falls to the pair's start)."""
        low, high = 0, len(self.astral)
        while low < high:  # count astral characters whose units end at or before `unit`
            middle = (low + high) // 2
            if self.astral[middle] + middle + 2 <= unit:
                low = middle + 1
            else:
                high = middle
        index = unit - low
        if low < len(self.astral) and self.astral[low] < index:
            index = self.astral[low]
        return index


def on_boundary(text: str, index: int) -> bool:
    """Whether `index` falls between words rather than inside one."""
    if index <= 0 or index >= len(text):
        return True
    return not (text[index - 1].isalnum() and text[index].isalnum())


def boundary_share(text: str, spans: Iterable[tuple[int, int]]) -> tuple[int, int]:
    """(spans starting and ending on a word boundary, spans) for spans given in code points."""
    found = list(spans)
    good = sum(
        1
        for start, end in found
        if 0 <= start <= end <= len(text) and on_boundary(text, start) and on_boundary(text, end)
    )
    return good, len(found)


def judge_unit(origin: str, texts: dict[str, str], spans: dict[str, list[tuple[int, int]]]) -> str:
    """The unit a file's positions are in: UTF-16 when they fit word boundaries better read so (or, on a tie, when the tool is NVivo)."""
    astral = {key: text for key, text in texts.items() if key in spans and has_astral(text)}
    if not astral:
        return CODE_POINTS
    as_points = as_units = 0
    for key, text in astral.items():
        offsets = Offsets(text)
        raw = spans[key]
        as_points += boundary_share(text, [s for s in raw if s[1] <= len(text)])[0] - sum(
            1 for s in raw if s[1] > len(text)
        )
        as_units += boundary_share(
            text, [(offsets.from_utf16(a), offsets.from_utf16(b)) for a, b in raw if b <= offsets.utf16_length()]
        )[0]
    if as_units != as_points:
        return UTF16 if as_units > as_points else CODE_POINTS
    return UTF16 if origin.strip().lower().startswith(UTF16_ORIGINS) else CODE_POINTS
