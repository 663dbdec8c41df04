"""Counts in words, so every message says "1 coding" and "2 codings", in the CLI and the app alike."""

from __future__ import annotations

IRREGULAR = {"was": "were", "is": "are", "its": "their", "has": "have", "this": "these"}


def count(n: int, noun: str, plural: str | None = None) -> str:
    """`n` and the noun in the number it needs: count(1, "coding") is "1 coding", count(3, "coding") "3 codings"."""
    return f"{n:,} {noun if n == 1 else plural or IRREGULAR.get(noun) or noun + 's'}"


def listed(items: list[str], shown: int, separator: str = ", ") -> str:
    """The first `shown` items, then how many more: listed(["A", "B", "C"], 2) is "A, B and 1 more"."""
    more = f" and {len(items) - shown:,} more" if len(items) > shown else ""
    return separator.join(items[:shown]) + more
