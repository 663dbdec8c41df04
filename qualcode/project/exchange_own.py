"""qualcode's own parts of a project that a .qdpx carries: speaker roles and the identifiers list.

REFI-QDA has no place made for either, so roles the speaker labels alone would not give
go as a document variable (`interviewer speakers`) and the identifiers list as a project
Note (`qualcode identifiers`, written by the exchange format); export says where they
went and import sets them again, so a round trip through qualcode loses neither.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..export.masking import DEFAULT_KIND, KINDS
from ..export.refi.qdpx import IDENTIFIERS_NOTE, ExchangeDocument
from ..ingest import INTERVIEWER, PARTICIPANT, SpeakerRules, Turn
from ..ingest.layouts import split_turns
from ..words import count

ROLES_ATTRIBUTE = "interviewer speakers"  # the speakers of a transcript with the interviewer role, `; ` between
NO_INTERVIEWER = "(none)"


def carried(documents: list[ExchangeDocument], identifiers: list[tuple[str, str]]) -> list[str]:
    """Where qualcode's own parts went in the file, so the user knows other tools show them there."""
    found = (
        [f"speaker roles as the variable `{ROLES_ATTRIBUTE}`"]
        if any(ROLES_ATTRIBUTE in d.attributes for d in documents)
        else []
    )
    found += (
        [f"the identifiers list ({len(identifiers)} names) as the project note `{IDENTIFIERS_NOTE}`"]
        if identifiers
        else []
    )
    return [f"{' and '.join(found)} written, so importing the file into qualcode gives them back."] if found else []


def roles_attribute(document_id: str, text: str, turns: list[dict[str, Any]]) -> dict[str, str]:
    """The transcript's interviewer speakers as an attribute (a Variable in the file), so their roles come back.

    Written only when an import would not give the same roles from the speaker labels alone."""
    roles = {t["speaker"]: t["kind"] for t in turns if t["kind"] in (INTERVIEWER, PARTICIPANT) and t["speaker"]}
    read = {t.speaker: t.kind for t in split_turns(text, 0, SpeakerRules.with_interviewers(None), document_id)}
    if all(read.get(speaker) == kind for speaker, kind in roles.items()):
        return {}
    interviewers = [speaker for speaker, kind in roles.items() if kind == INTERVIEWER]
    return {ROLES_ATTRIBUTE: "; ".join(interviewers) or NO_INTERVIEWER}


def with_roles(turns: list[Turn], roles: str | None) -> list[Turn]:
    """Turns with the roles the file recorded: its interviewer speakers interviewer, every other speaker participant."""
    if roles is None:
        return turns
    interviewers = {name.strip() for name in roles.split(";")} - {NO_INTERVIEWER}
    return [
        replace(turn, kind=INTERVIEWER if turn.speaker in interviewers else PARTICIPANT)
        if turn.kind in (INTERVIEWER, PARTICIPANT)
        else turn
        for turn in turns
    ]


def kept_from_file(roles: int, identifiers: list[tuple[str, str]]) -> list[str]:
    """A note saying what the file's qualcode-only parts set: speaker roles and the names to mask."""
    found = [f"speaker roles of {count(roles, 'transcript')} as the file recorded them"] if roles else []
    found += [f"the identifiers list ({len(identifiers)} names, masked in every export)"] if identifiers else []
    return [f"taken from the file: {' and '.join(found)}."] if found else []


def identifiers(found: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[str]]:
    """The file's identifiers list, and a line for each name whose kind qualcode does not know (left out)."""
    kept = [(name, kind or DEFAULT_KIND) for name, kind in found if (kind or DEFAULT_KIND) in KINDS]
    dropped = [
        f"identifier on line {n} of the identifiers note: unknown kind `{kind}`"
        for n, (_, kind) in enumerate(found, 1)
        if (kind or DEFAULT_KIND) not in KINDS
    ]
    return kept, dropped
