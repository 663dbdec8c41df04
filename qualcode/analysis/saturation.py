"""Saturation: in interview order, how many codes each interview used for the first time.

Order: by the documents' `date` attribute when every document has one that reads as a
date (YYYY-MM-DD, DD/MM/YYYY or YYYY-MM), else the order they were imported (import
times are to the second, so documents imported in the same second keep the order they
were stored in, read from their segments' row ids). A code counts in an interview when an
accepted coding of it lies there (codes themselves, not rolled up). Only coded interviews
count: one nobody has coded yet says nothing about new codes, so it is left out and the
verdict says how many were. The rule: saturation is reached at the first interview after
which `k` coded interviews in a row brought no new code; not reached when that never happens.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from ..errors import AnalysisError
from ..store import Store
from ..store import schema as t
from ..store.reports import coded_quote_rows
from . import DEFAULT_STATUSES, participant_of, select_documents

WINDOW = 3
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m", "%d.%m.%Y")


@dataclass
class Curve:
    """One saturation curve: the interviews in order with their new and cumulative codes, and the verdict."""

    group: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    reached_at: int | None = (
        None  # the position (1-based) of the last interview that brought a new code, when saturated
    )
    uncoded: int = 0  # interviews of the group with no coding yet, left out of the curve

    def verdict(self, window: int) -> str:
        """One sentence: where saturation was reached under the rule, or that it was not, and what was left out."""
        left = f" {self.uncoded} interview{'s' * (self.uncoded != 1)} without codings left out." if self.uncoded else ""
        if not self.rows:
            return f"{self.group}: no coded interviews.{left}"
        total = self.rows[-1]["cumulative"]
        seen = f"{total} code{'s' * (total != 1)} seen"
        if self.reached_at is None:
            last = max((row["position"] for row in self.rows if row["new"]), default=0)
            return (
                f"{self.group}: not reached; the last new code came at coded interview {last} of {len(self.rows)}, "
                f"and the rule needs {window} coded interviews after it without a new one ({seen}).{left}"
            )
        return (
            f"{self.group}: reached at coded interview {self.reached_at} of {len(self.rows)} ({self.rows[self.reached_at - 1]['document_id']}); "
            f"the {len(self.rows) - self.reached_at} coded interviews after it brought no new code ({seen}).{left}"
        )


@dataclass
class Saturation:
    """The overall curve, one per role, the order used and the rule."""

    order: str
    window: int
    overall: Curve
    by_role: list[Curve]

    def rule(self) -> str:
        """The stopping rule in words."""
        return (
            f"Saturation: no new code in the last {self.window} coded interviews in a row; interviews in {self.order} "
            "order, codes counted where an accepted coding of them lies, interviews without codings left out."
        )


def interview_order(store: Store, documents: dict[str, dict[str, str]]) -> tuple[list[str], str]:
    """The documents in interview order and what the order is by ("date" or "import"); ties go by import order."""
    imported = _import_order(store)
    dates = {d: _date(attrs.get("date", "")) for d, attrs in documents.items()}
    if documents and all(dates.values()):
        return sorted(documents, key=lambda d: (dates[d], imported.get(d, len(imported)), d)), "date"
    return sorted(documents, key=lambda d: (imported.get(d, len(imported)), d)), "import"


def _import_order(store: Store) -> dict[str, int]:
    """Each document's place in the order it was imported: by import time (to the second), then by the order
    its rows were stored (its first segment's id), as documents imported in one second share a time."""
    first_segment = (
        select(t.segments.c.document_id, func.min(t.segments.c.id).label("first"))
        .group_by(t.segments.c.document_id)
        .subquery()
    )
    query = select(t.documents.c.id, t.documents.c.imported_at, first_segment.c.first).outerjoin(
        first_segment, first_segment.c.document_id == t.documents.c.id
    )
    with store.engine.connect() as connection:
        rows = [
            (imported, first if first is not None else float("inf"), d)
            for d, imported, first in connection.execute(query)
        ]
    return {d: place for place, (_, _, d) in enumerate(sorted(rows))}


def _date(value: str) -> dt.date | None:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    return None


def saturation(
    store: Store,
    window: int = WINDOW,
    where: dict[str, list[str]] | None = None,
    statuses: Iterable[str] | None = DEFAULT_STATUSES,
) -> Saturation:
    """The saturation curves, overall and per role, under the rule of `window` interviews without a new code."""
    if window < 1:
        raise AnalysisError(f"the saturation rule needs at least 1 interview without a new code, not {window}.")
    codebook = store.codebook()
    documents = select_documents(store, where)
    order, by = interview_order(store, documents)
    codes: dict[str, set[str]] = {d: set() for d in documents}
    coded: set[str] = set()
    for row in coded_quote_rows(store, statuses=list(statuses) if statuses else None):
        document_id, code_id = row[1], row[6]
        if document_id in codes:
            coded.add(document_id)
            if code_id in codebook:
                codes[document_id].add(code_id)
    overall = curve("All interviews", order, codes, documents, window, coded)
    roles = sorted({documents[d].get("role", "") for d in order} - {""})
    by_role = [
        curve(role, [d for d in order if documents[d].get("role") == role], codes, documents, window, coded)
        for role in roles
    ]
    return Saturation("date" if by == "date" else "import", window, overall, by_role)


def curve(
    group: str,
    order: list[str],
    codes: dict[str, set[str]],
    documents: dict[str, dict[str, str]],
    window: int,
    coded: set[str] | None = None,
) -> Curve:
    """New and cumulative codes per coded interview of `order` (all of them when `coded` is None), and where the rule is met."""
    counted = [d for d in order if coded is None or d in coded]
    found = Curve(group, uncoded=len(order) - len(counted))
    seen: set[str] = set()
    for position, document_id in enumerate(counted, 1):
        new = sorted(codes[document_id] - seen)
        seen |= codes[document_id]
        attrs = documents[document_id]
        found.rows.append(
            {
                "group": group,
                "position": position,
                "document_id": document_id,
                "participant": participant_of(document_id, attrs),
                "role": attrs.get("role", ""),
                "date": attrs.get("date", ""),
                "codes": len(codes[document_id]),
                "new": len(new),
                "new_codes": ", ".join(new),
                "cumulative": len(seen),
            }
        )
    last_new = max((row["position"] for row in found.rows if row["new"]), default=0)
    if last_new and len(found.rows) - last_new >= window:
        found.reached_at = last_new
    return found
