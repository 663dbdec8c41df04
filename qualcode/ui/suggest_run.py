"""The Code page's suggest buttons: this transcript, or every transcript, run beside the page with progress
and a Stop button (background.py), the outcome shown when it ends."""

from __future__ import annotations

from typing import Any

from qualcode import project
from qualcode.ui import background, state

outcome = background.describe


def _start(store: Any, document_ids: list[str] | None, what: str) -> None:
    blind_coder = state.coder() if state.blind() else None
    background.start(
        what,
        lambda task: project.suggest(
            store, document_ids=document_ids, blind_coder=blind_coder, progress=task.progress, stop=task.stop.is_set
        ),
    )


def buttons(store: Any, where: Any, document_id: str) -> None:
    """'Suggest codes' (this transcript) and 'for all transcripts', and the running task's panel below them."""
    busy = background.running()
    where.button(
        "Suggest codes",
        key="suggest",
        disabled=busy,
        help="Run the suggester on this transcript: pending suggestions with confidence and evidence.",
        on_click=_start,
        args=(store, [document_id], "Suggesting"),
    )
    where.button(
        "… for all transcripts",
        key="suggest_all",
        disabled=busy,
        help="Suggest for every transcript, beside the page; Stop keeps the transcripts already finished.",
        on_click=_start,
        args=(store, None, "Suggesting for all transcripts"),
    )
    background.panel(outcome)
