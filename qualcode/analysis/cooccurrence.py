"""Code co-occurrence: for each pair of codes, the segments (or participants) where both apply.

A unit is a participant segment (a coding off any segment counts by its span), or a
participant (every interview of one person together). At level "code" each code counts
where it was applied itself; at level "theme" sub-codes count for their theme. The
diagonal holds how many units carry the code. Jaccard is both / either (0 when neither).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..errors import AnalysisError
from ..store import Store
from ..store.reports import coded_quote_rows
from . import DEFAULT_STATUSES, participant_of, select_documents

UNITS = ("segment", "participant")
MEASURES = ("count", "jaccard")
COLUMNS = ["code_a", "label_a", "code_b", "label_b", "both", "units_a", "units_b", "jaccard"]


def check_choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    """`value` when it is one of `allowed`, else one sentence naming them."""
    if value not in allowed:
        raise AnalysisError(f"unknown {what} `{value}`; use one of: {', '.join(allowed)}.")
    return value


def units_by_code(
    store: Store,
    level: str = "code",
    unit: str = "segment",
    where: dict[str, list[str]] | None = None,
    statuses: Iterable[str] | None = DEFAULT_STATUSES,
) -> dict[str, set]:
    """Per code (or theme) of the codebook, the set of units coded with it, in codebook order."""
    check_choice(unit, UNITS, "unit")
    check_choice(level, ("code", "theme"), "level")
    codebook = store.codebook()
    documents = select_documents(store, where)
    targets = [c.id for c in codebook.themes()] if level == "theme" else codebook.ids()
    found: dict[str, set] = {code_id: set() for code_id in targets}
    for _, document_id, segment_id, _, start, end, code_id, *_ in coded_quote_rows(
        store, statuses=list(statuses) if statuses else None
    ):
        if code_id not in codebook or document_id not in documents:
            continue
        target = codebook.theme_of(code_id) if level == "theme" else code_id
        if unit == "participant":
            key: Any = participant_of(document_id, documents[document_id])
        else:
            key = segment_id if segment_id is not None else (document_id, start, end)
        found[target].add(key)
    return found


def cooccurrence(
    store: Store,
    level: str = "code",
    unit: str = "segment",
    where: dict[str, list[str]] | None = None,
    statuses: Iterable[str] | None = DEFAULT_STATUSES,
    used_only: bool = True,
) -> list[dict[str, Any]]:
    """Every ordered pair of codes (diagonal included) with `both`, each code's units and Jaccard.

    `used_only` leaves out codes applied nowhere, so a 40-code matrix shows what is there.
    """
    codebook = store.codebook()
    units = units_by_code(store, level, unit, where, statuses)
    codes = [c for c in units if units[c] or not used_only]
    rows = []
    for a in codes:
        for b in codes:
            both, either = len(units[a] & units[b]), len(units[a] | units[b])
            rows.append(
                {
                    "code_a": a,
                    "label_a": codebook.get(a).label,
                    "code_b": b,
                    "label_b": codebook.get(b).label,
                    "both": both,
                    "units_a": len(units[a]),
                    "units_b": len(units[b]),
                    "jaccard": round(both / either, 3) if either else 0.0,
                }
            )
    return rows


def pairs(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The pairs of different codes that occur together, most frequent first (each pair once)."""
    seen = [r for r in rows if r["code_a"] < r["code_b"] and r["both"]]
    return sorted(seen, key=lambda r: (-r["both"], r["code_a"], r["code_b"]))


def matrix(rows: list[dict[str, Any]], measure: str = "count") -> tuple[list[str], list[list[float]]]:
    """(codes, square table) of `both` or `jaccard`, rows and columns in the same order."""
    check_choice(measure, MEASURES, "measure")
    codes = list(dict.fromkeys(r["code_a"] for r in rows))
    value = {(r["code_a"], r["code_b"]): (r["both"] if measure == "count" else r["jaccard"]) for r in rows}
    return codes, [[value[(a, b)] for b in codes] for a in codes]


def shared_segments(
    store: Store,
    code_a: str,
    code_b: str,
    where: dict[str, list[str]] | None = None,
    statuses: Iterable[str] | None = DEFAULT_STATUSES,
    level: str = "code",
) -> list[dict[str, Any]]:
    """The participant segments coded with both codes (or themes): what a click on a matrix cell opens."""
    units = units_by_code(store, level, "segment", where, statuses)
    for code_id in (code_a, code_b):
        if code_id not in units:
            raise AnalysisError(f"`{code_id}` is not a {level} of the codebook; choose one the matrix shows.")
    both = units[code_a] & units[code_b]
    attributes = store.attributes()
    found = []
    for segment in store.segments():
        if segment["id"] in both:
            attrs = attributes.get(segment["document_id"], {})
            found.append(
                {
                    "document_id": segment["document_id"],
                    "participant": participant_of(segment["document_id"], attrs),
                    "role": attrs.get("role", ""),
                    "segment_id": segment["id"],
                    "start": segment["start"],
                    "end": segment["end"],
                    "text": segment["text"],
                }
            )
    return found
