"""Suggesting beside the page: a long run shows its progress and can be stopped; the update after a
decision is made in the click itself (`follow`).

One task at a time per session (`qc_task` in session state), run in a thread of its own:
the page keeps drawing, a small fragment polls the task each second, and when it ends
its outcome is shown once. Stopping asks the run to end after the transcript it is
writing, so the transcripts it finished keep their suggestions and the others are as
they were (as Ctrl-C does on the command line).
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import streamlit as st

from qualcode.errors import QualcodeError
from qualcode.ui import state

KEY = "qc_task"
log = logging.getLogger(__name__)


@dataclass
class Task:
    """A suggest run in a thread: what it is, how far it got, and how it ended."""

    what: str
    stop: threading.Event = field(default_factory=threading.Event)
    done: int = 0
    total: int = 0
    result: Any = None
    error: str = ""
    thread: threading.Thread | None = None

    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total


def start(what: str, work: Callable[[Task], Any]) -> Task | None:
    """Run `work(task)` in its own thread, unless a task is running already (then None)."""
    current = st.session_state.get(KEY)
    if current is not None and current.running():
        return None
    task = Task(what)

    def run() -> None:
        try:
            task.result = work(task)
        except QualcodeError as error:
            task.error = state.error_text(error)
        except Exception as error:  # qualcode's fault, not the user's: said on the page, where it happened logged
            task.error = (
                f"{what} stopped on an unexpected error ({type(error).__name__}); the transcripts it finished "
                "keep their suggestions and the others are as they were."
            )
            log.error("%s stopped on %s at %s", what, type(error).__name__, _place(error))
        finally:
            state.changed()  # what it wrote shows on the next run of any page

    task.thread = threading.Thread(target=run, name=f"qualcode {what}", daemon=True)
    st.session_state[KEY] = task
    task.thread.start()
    return task


def _place(error: Exception) -> str:
    """Where an error happened (file:line function, innermost last), without its message, which may quote a
    passage; not a formatted traceback: on this Python that parses code, which a thread beside the page must not."""
    frames = traceback.extract_tb(error.__traceback__)[-4:]
    return " > ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in frames)


def follow(update: Callable[[], Any]) -> None:
    """Update the suggestions a decision affects, at once in the click (on this Python a thread beside the
    page may not compile code while a page script is compiled); the page then shows them as updated."""
    try:
        update()
    except QualcodeError as error:
        state.fail(state.error_text(error))


def describe(result: Any) -> str:
    """What a run (or the update after a decision) changed, in one sentence."""
    said = f"Suggestions: {result.added} new, {result.updated} updated, {result.withdrawn} withdrawn."
    own = getattr(result, "own_levels", None)
    if own:
        said += (
            f" {len(own)} code{'s' if len(own) > 1 else ''} offered below {result.asked:.2f} (from"
            f" {min(own.values()):.2f} at the lowest), where coders' decisions agree with them best."
        )
    codebook = getattr(result, "from_codebook", None)
    if codebook:
        said += f" Codes nobody has decided on yet offered from {result.codebook_level:.2f} up."
    return said


def running() -> bool:
    """True while this session's task runs (a second one is not started)."""
    task = st.session_state.get(KEY)
    return task is not None and task.running()


def panel(describe: Callable[[Any], str]) -> None:
    """The task's progress and a Stop button while it runs; its outcome (`describe(result)`) once it ended."""
    task = st.session_state.get(KEY)
    if task is None:
        return
    if task.running():
        _progress()
        st.button("Stop suggesting", key="suggest_stop", on_click=task.stop.set, disabled=task.stop.is_set())
        return
    del st.session_state[KEY]
    if task.error:
        (st.warning if task.stop.is_set() else st.error)(task.error)
    elif task.result is not None:
        st.success(describe(task.result))


@st.fragment(run_every=1.0)
def _progress() -> None:
    task = st.session_state.get(KEY)
    if task is None or not task.running():
        st.rerun(scope="app")
        return
    share = task.done / task.total if task.total else 0.0
    st.progress(min(share, 1.0), text=f"{task.what}… {task.done}/{task.total}" if task.total else f"{task.what}…")
