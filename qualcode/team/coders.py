"""Several coders on one project: blind views, decisions that never overwrite a colleague's, resolutions.

Blind mode shows a coder only their own codings and the suggestions still open to
them: a suggestion that a colleague already accepted or rejected is shown to them as
pending, as if no one had decided it, and deciding it adds their own decision beside
the colleague's instead of changing it. A resolution after comparing is likewise a
new decision by a named coder (for example `consensus`), never an edit of the
codings being compared.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..codebook.codable import require_codable
from ..errors import NoCoderError, UnknownCoderError, UnknownCodingError, UnknownDecisionError
from ..store import NewCoding, Store
from ..store.codings import SUGGESTER


def require_coders(store: Store, names: Iterable[str], at_least: int = 1) -> list[str]:
    """The named coders, cleaned and de-duplicated; an unknown name or too few names is an error."""
    wanted = list(dict.fromkeys(name.strip() for name in names if name and name.strip()))
    known = store.coders()
    listed = ", ".join(known) or "none yet"
    if len(wanted) < at_least:
        raise UnknownCoderError(
            f"name at least {at_least} coder{'s' if at_least > 1 else ''}; coders in {store.location}: {listed}.",
            hint="coders",
        )
    for name in wanted:
        if name not in known:
            raise UnknownCoderError(f"coder `{name}` has made no decision in {store.location}; coders there: {listed}.")
    return wanted


def blind_codings(store: Store, coder: str, document_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """What `coder` sees in blind mode: their own codings plus every suggestion they have not decided.

    A suggestion decided by someone else comes back as pending, with `coder` set to the
    suggester and `blind` True; deciding it through `decide_blind` adds `coder`'s own
    decision. Other coders' manual and imported codings are left out.
    """
    documents = list(document_ids) if document_ids is not None else None
    own = store.codings(document_ids=documents, coders=[coder])
    seen = {_key(row) for row in own}
    rows = list(own)
    for row in store.codings(document_ids=documents, sources=["suggested"]):
        if row["coder"] == coder or _key(row) in seen:
            continue
        seen.add(_key(row))
        if row["coder"] != SUGGESTER:
            row = {**row, "status": "pending", "coder": SUGGESTER, "decided_at": None, "blind": True}
        rows.append(row)
    return sorted(rows, key=lambda r: (r["document_id"], r["start"], r["code_id"], r["id"]))


def decide_blind(store: Store, coding_ids: Iterable[int], status: str, coder: str) -> list[int]:
    """Accept or reject codings in `coder`'s blind view; returns the ids of `coder`'s decisions.

    Their own codings and still-pending suggestions are decided in place; a suggestion
    someone else decided gets a new coding carrying `coder`'s decision (the store's rule
    for every decision, blind or not).
    """
    if status not in ("accepted", "rejected"):
        raise UnknownDecisionError(f"unknown decision `{status}`; use accepted or rejected.")
    visible = {row["id"]: row for row in blind_codings(store, coder)}
    ids = list(coding_ids)
    for coding_id in ids:
        if coding_id not in visible:
            raise UnknownCodingError(
                f"coding {coding_id} is neither {coder}'s nor an open suggestion in {store.location}; decide only the codings shown to this coder.",
                hint="blind",
            )
    return store.decide_codings(ids, status, coder)


def resolve(
    store: Store, coder: str, document_id: str, start: int, end: int, code_id: str, applies: bool, memo: str = ""
) -> int:
    """Record `coder`'s verdict on whether a code applies to a span (accepted or rejected), with an optional memo."""
    name = (coder or "").strip()
    if not name:
        raise NoCoderError(
            "say who is resolving (a coder name, for example consensus) so the decision can be attributed."
        )
    if applies:
        require_codable(store.codebook(), [code_id])
    status = "accepted" if applies else "rejected"
    coding_id = store.add_codings(
        [NewCoding(document_id, start, end, code_id, name, source="manual", status=status)], action="resolve"
    )[0]
    if memo.strip():
        store.add_memo(document_id, memo.strip(), name, coding_id=coding_id)
    return coding_id


def _key(row: dict[str, Any]) -> tuple[str, int, int, str]:
    return row["document_id"], row["start"], row["end"], row["code_id"]
