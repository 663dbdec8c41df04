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
    """Each speaker of a document, in order of first turn: speaker, role, turns, words and media time of the first turn."""
    document = store.document(document_id)
    found: dict[str, dict[str, Any]] = {}
    for turn in document["turns"]:
        if turn["kind"] == NOTE or not turn["speaker"]:
            continue
        row = found.setdefault(
            turn["speaker"], {"speaker": turn["speaker"], "role": turn["kind"], "turns": 0, "words": 0}
        )
        row["turns"] += 1
        row["words"] += len(document["text"][turn["start"] : turn["end"]].split())
        if row["role"] != turn["kind"]:
            row["role"] = "mixed"
    return list(found.values())


def set_speaker_role(store: Store, document_id: str, speaker: str, role: str) -> RoleChange:
    """Make every turn of `speaker` in a document interviewer or participant speech, and re-segment it."""
    from ..ingest.segments import segment_documents  # spaCy loads only when a document is re-segmented

    if role not in ROLES:
        raise UnknownSpeakerError(f"`{role}` is not a speaker role; use one of {', '.join(ROLES)}.")
    document = store.document(document_id)
    names = list(dict.fromkeys(t["speaker"] for t in document["turns"] if t["kind"] != NOTE and t["speaker"]))
    if speaker not in names:
        folded = {name.casefold(): name for name in names}
        if speaker.casefold() not in folded:
            raise UnknownSpeakerError(
                f"document `{document_id}` has no speaker `{speaker}`; its speakers are: {'; '.join(names) or 'none'}."
            )
        speaker = folded[speaker.casefold()]
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
