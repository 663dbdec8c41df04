"""Counts in words, so every message says "1 coding" and "2 codings", in the CLI and the app alike."""

from __future__ import annotations

IRREGULAR = {"was": "were", "is": "are", "its": "their", "has": "have", "this": "these"}


def count(n: int, noun: str, plural: str | None = None) -> str:
    """`n` and the noun in the number it needs: count(1, "coding") is "1 coding", count(3, "coding") "3 codings"."""
    return f"{n:,} {noun if n == 1 else plural or IRREGULAR.get(noun) or noun + 's'}"
