"""Speakers of an imported document and their roles (interviewer or participant).

Changing a speaker's role re-segments the document: that speaker's turns become (or
stop being) the participant speech suggestions are made for. Every coding stays on
its text; those now on interviewer speech are listed, never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import UnknownSpeakerError
from ..ingest import INTERVIEWER, NOTE, PARTICIPANT, ParsedDocument, Turn
from ..store import Store

ROLES = (INTERVIEWER, PARTICIPANT)


def _named(document_id: str, speaker: str, names: list[str]) -> str:
    """The speaker a name in any case, or a number in the listing, stands for; the error names none of them
    (a speaker's name is masked on every screen)."""
    folded = {name.casefold(): name for name in names}
    if speaker.casefold() in folded:
        return folded[speaker.casefold()]
    if speaker.strip().isdigit() and 1 <= int(speaker) <= len(names):
        return names[int(speaker) - 1]
    raise UnknownSpeakerError(
        f"document `{document_id}` has no speaker `{speaker}`; give a speaker's name or their number "
        f"(1 to {len(names)}) as the document's list of speakers shows them."
        if names
        else f"document `{document_id}` has no speakers."
    )


@dataclass
class RoleChange:
    """What setting a speaker's role did: turns changed, segments now, and codings left on interviewer speech."""

    document_id: str
    speaker: str
    role: str
    turns: int
    segments: int
    outside: list[dict[str, Any]] = field(default_factory=list)  # codings whose text is no longer a participant segment


def list_speakers(store: Store, document_id: str) -> list[dict[str, Any]]:
    """Each speaker of a document, in order of first turn: their number in that order, speaker, role, turns and words.

    The number names a speaker where their name is masked (a full name is, on every screen)."""
    document = store.document(document_id)
    found: dict[str, dict[str, Any]] = {}
    for turn in document["turns"]:
        if turn["kind"] == NOTE or not turn["speaker"]:
            continue
        row = found.setdefault(
            turn["speaker"],
            {"number": len(found) + 1, "speaker": turn["speaker"], "role": turn["kind"], "turns": 0, "words": 0},
        )
        row["turns"] += 1
        row["words"] += len(document["text"][turn["start"] : turn["end"]].split())
        if row["role"] != turn["kind"]:
            row["role"] = "mixed"
    return list(found.values())


def set_speaker_role(store: Store, document_id: str, speaker: str, role: str) -> RoleChange:
    """Make every turn of `speaker` (a name, or a number from `list_speakers`) in a document interviewer or
    participant speech, and re-segment it."""
    from ..ingest.segments import segment_documents  # spaCy loads only when a document is re-segmented

    if role not in ROLES:
        raise UnknownSpeakerError(f"`{role}` is not a speaker role; use one of {', '.join(ROLES)}.")
    document = store.document(document_id)
    names = list(dict.fromkeys(t["speaker"] for t in document["turns"] if t["kind"] != NOTE and t["speaker"]))
    if speaker not in names:
        speaker = _named(document_id, speaker, names)
    turns = [
        Turn(
            t["speaker"],
            role if t["speaker"] == speaker and t["kind"] != NOTE else t["kind"],
            t["start"],
            t["end"],
            t["attributes"],
        )
        for t in document["turns"]
    ]
    changed = {i: turn.kind for i, (turn, old) in enumerate(zip(turns, document["turns"])) if turn.kind != old["kind"]}
    parsed = ParsedDocument(document_id, document["text"], turns, document["source_path"], document["format"])
    spans = segment_documents([parsed])[0]
    outside_ids = set(store.set_turn_kinds(document_id, changed, spans))
    outside = [c for c in store.codings(document_ids=[document_id]) if c["id"] in outside_ids]
    return RoleChange(document_id, speaker, role, len(changed), len(spans), outside)
