"""The coding loop's rules, shared by the CLI and the app: decide, remove, code sentences, move, undo.

One definition of a coded segment lives here: a segment is coded when an accepted
coding lies on it (for a blind coder, one of their own). "Next uncoded", the progress
counts and the segment picker all use it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..codebook.codable import require_codable
from ..errors import MemoError, NoCoderError, SpanError
from ..store import NewCoding, Store
from ..store.codings import SUGGESTER
from ..team import coders as team

Follow = Callable[[Callable[[], Any]], Any]  # runs the update of suggestions a decision affects


def coder_name(coder: str) -> str:
    """The coder's name, trimmed; a decision without one cannot be attributed."""
    name = (coder or "").strip()
    if not name:
        raise NoCoderError("say who is coding (a coder name) so the decision can be attributed.")
    return name


def decide(
    store: Store, coding_ids: list[int], status: str, coder: str, blind: bool = False, follow: Follow | None = None
) -> list[int]:
    """Accept or reject codings as one action of `coder`; blind decisions may only touch what the coder sees.

    With `follow`, the pending suggestions the decision affects are then suggested again
    (suggesting.after_decision), run by `follow`: the app runs it beside the page, so the
    decision itself stays as quick as a write."""
    name = coder_name(coder)
    if status == "accepted":
        refuse_not_codable(store, coding_ids)
    decided = (
        team.decide_blind(store, coding_ids, status, name) if blind else store.decide_codings(coding_ids, status, name)
    )
    if follow is not None and decided:
        from .suggesting import after_decision

        follow(lambda: after_decision(store, decided, name if blind else None))
    return decided


def refuse_not_codable(store: Store, coding_ids: Iterable[int]) -> None:
    """Accepting applies a code: refuse it for codings whose code the codebook marks as not codable."""
    ids = list(coding_ids)
    if ids:
        require_codable(store.codebook(), sorted({row["code_id"] for row in store.codings(ids=ids)}))


def remove(store: Store, coding: dict[str, Any], coder: str, blind: bool = False, follow: Follow | None = None) -> None:
    """Take a code off a segment: a suggestion is rejected (the learner keeps it), any other coding deleted."""
    if coding["source"] == "suggested":
        decide(store, [coding["id"]], "rejected", coder, blind, follow)
    else:
        store.remove_coding(coding["id"], coder_name(coder))


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in a passage, as the coding loop counts them (the whole text when it has none)."""
    from .. import nlp  # spaCy loads only when a passage is split

    return next(nlp.sentence_bounds([text])) or [(0, len(text))]


def sentence_span(segment: dict[str, Any], bounds: list[tuple[int, int]], first: int, last: int) -> tuple[int, int]:
    """Document offsets of sentences `first`..`last` (numbered from 1) of a segment."""
    if not bounds or not (1 <= first <= last <= len(bounds)):
        raise SpanError(f"choose sentences between 1 and {len(bounds)} of this segment.")
    return segment["start"] + bounds[first - 1][0], segment["start"] + bounds[last - 1][1]


def add_sentences(store: Store, segment: dict[str, Any], first: int, last: int, code_id: str, coder: str) -> int:
    """Code sentences `first`..`last` (numbered from 1) of a segment by hand (accepted at once); returns the coding id."""
    require_codable(store.codebook(), [code_id])
    start, end = sentence_span(segment, sentence_bounds(segment["text"]), first, last)
    return store.add_codings(
        [NewCoding(segment["document_id"], start, end, code_id, coder_name(coder), segment_id=segment["id"])]
    )[0]


def coded_segments(codings: Iterable[dict[str, Any]]) -> set[int]:
    """Ids of the segments that are coded: an accepted coding lies on them."""
    return {c["segment_id"] for c in codings if c["status"] == "accepted" and c["segment_id"] is not None}


def segment_labels(segments: list[dict[str, Any]], codings: list[dict[str, Any]]) -> dict[int, str]:
    """Per segment id, its picker label: "¶n · coded|not coded", "· part" when codes cover only some words, "· suggestions"."""
    coded = coded_segments(codings)
    waiting = {c["segment_id"] for c in codings if c["status"] == "pending"}
    labels = {}
    for number, segment in enumerate(segments, 1):
        label = f"¶{number} · " + ("coded" if segment["id"] in coded else "not coded")
        if segment["id"] in coded and not _covers_every_word(segment, codings):
            label += " (part)"
        labels[segment["id"]] = label + (" · suggestions" if segment["id"] in waiting else "")
    return labels


def _covers_every_word(segment: dict[str, Any], codings: list[dict[str, Any]]) -> bool:
    start, end, text = segment["start"], segment["end"], segment["text"]
    covered = [False] * len(text)
    for coding in codings:
        if coding["status"] == "accepted":
            for i in range(max(coding["start"], start) - start, min(coding["end"], end) - start):
                covered[i] = True
    return all(flag for flag, character in zip(covered, text) if not character.isspace())


def step(ids: list[int], current: int, by: int) -> int:
    """The segment `by` places from `current` (clamped to the first and last)."""
    here = ids.index(current) if current in ids else 0
    return ids[max(0, min(len(ids) - 1, here + by))]


def next_uncoded(ids: list[int], current: int, coded: set[int]) -> int:
    """The next segment after `current` that is not coded (wrapping round); `current` when all are."""
    here = ids.index(current) if current in ids else -1
    later = [i for i in ids[here + 1 :] + ids[: here + 1] if i not in coded]
    return later[0] if later else current


def undo(store: Store, coder: str) -> list[dict[str, Any]]:
    """Revert `coder`'s last action (a bulk accept is one action); the undo is itself logged."""
    return store.undo(coder_name(coder))


def history(
    store: Store, document_id: str | None = None, coder: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """The decision log as rows a person reads: when, who, what, which code, span and quote."""
    if document_id is not None:
        store.document_ids_exist([document_id])
    rows = []
    for row in store.history(document_id, coder, limit):
        state = row["after"] or row["before"] or {}
        rows.append(
            {
                "decision": row["id"],
                "time": row["decided_at"],
                "coder": row["coder"],
                "action": row["action"],
                "coding_id": _blank(row["coding_id"]),
                "memo_id": _blank(row["memo_id"]),
                "document_id": row["document_id"] or "",
                "code_id": state.get("code_id") or "",  # a memo's row names its code only when it is on one
                "status": (row["after"] or {}).get("status", "" if row["after"] else "gone"),
                "codebook_version": _blank(row["codebook_version"]),
                "undoes": _blank(row["undoes"]),
                "text": (state.get("quote") or state.get("text") or "")[:200],
            }
        )
    return rows


def _blank(value: Any) -> Any:
    return "" if value is None else value


def memo_scope(memo: dict[str, Any]) -> str:
    """What a memo is about: segment, coding, code, document or project."""
    for scope in ("segment", "coding", "code", "document"):
        if memo.get(f"{scope}_id") is not None:
            return scope
    return "project"


def add_memo(
    store: Store,
    text: str,
    coder: str,
    document_id: str | None = None,
    segment_id: int | None = None,
    coding_id: int | None = None,
    code_id: str | None = None,
) -> int:
    """Save a memo on the project (nothing named), a document, a segment, a coding or a code."""
    if not (text or "").strip():
        raise MemoError("a memo needs some text.")
    if code_id is not None and code_id not in store.codebook():
        raise MemoError(f"code `{code_id}` is not in the codebook; a code memo needs a code the codebook holds.")
    if document_id is not None:
        store.document_ids_exist([document_id])
    return store.add_memo(document_id, text.strip(), coder_name(coder), segment_id, coding_id, code_id)


def memo_rows(store: Store, search: str | None = None, scope: str | None = None) -> list[dict[str, Any]]:
    """Every memo with its scope, author and time, optionally only those whose text holds `search`."""
    rows = [dict(m, scope=memo_scope(m)) for m in store.memos(search=search)]
    return [r for r in rows if scope is None or r["scope"] == scope]


def decisions_by(store: Store, coder: str) -> list[dict[str, Any]]:
    """`coder`'s own log rows (not the suggester's), oldest first."""
    return [row for row in store.history(coder=coder) if row["coder"] != SUGGESTER]


def memo_export_rows(store: Store, search: str | None = None) -> list[dict[str, Any]]:
    """Memos as an export table (author and time kept), their text masked like every export."""
    from ..export.masking import masked_texts

    rows = memo_rows(store, search)
    for row, text in zip(rows, masked_texts(store, [r["text"] for r in rows])):
        row["text"], row["author"] = text, row["coder"]
    return rows


def export_code_report(
    store: Store,
    code_id: str,
    path: str,
    fmt: str,
    where: dict[str, list[str]] | None = None,
    coders: list[str] | None = None,
    statuses: tuple[str, ...] = ("accepted",),
) -> Any:
    """Write the code report (every passage of a code or theme) and return it."""
    from ..export.reports.code_report import code_report, write_code_report
    from ..export.writer import output_format, store_files

    fmt = output_format(path, fmt, ("csv", "xlsx", "md", "docx"), protect=store_files(store))
    report = code_report(store, code_id, where, coders, statuses)
    write_code_report(report, fmt, path, store_files(store))
    return report
