"""What every page shares: the store, the coder's name, cached reads and safe writes.

Cached reads are keyed on the store location and a change stamp (the SQLite files'
modification times plus a counter bumped by every write made here), so a decision
made in one tab, or by the command line, shows on the next run of any page.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st
from pandas.api.types import is_string_dtype

from qualcode import project
from qualcode.errors import QualcodeError, sentence
from qualcode.project import Store
from qualcode.project.identifiers import Masker, masker_for

T = TypeVar("T")
_TEXT_NODE = re.compile(r">([^<]+)<")
_writes = [0]


def store_location() -> str:
    """The store named by `streamlit run app.py -- --db PATH`, else $QUALCODE_DB, else ./qualcode.db."""
    return _location(tuple(sys.argv[1:]), os.environ.get("QUALCODE_DB"))


@functools.lru_cache(maxsize=8)
def _location(arguments: tuple[str, ...], environment: str | None) -> str:
    """Read once per command line and $QUALCODE_DB: every text shown masked asks for it."""
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--db")
    known, _ = parser.parse_known_args(list(arguments))
    return project.store_location(known.db or environment)


@st.cache_resource(show_spinner=False)
def _open(location: str) -> Store:
    return project.open_project(location)


def opened(location: str) -> Store:
    """The open store at `location` (opened once per server process)."""
    return _open(location)


def store() -> Store:
    """The project store, or one clear error on the page (and the page stops)."""
    location = store_location()
    try:
        return _open(location)
    except QualcodeError as error:
        st.error(error_text(error))
        st.stop()
        raise


def stamp() -> tuple[Any, ...]:
    """Changes whenever the store has been written to: part of every cache key."""
    return (_writes[0], *project.change_marker(store_location()))


def key() -> tuple[str, tuple[Any, ...]]:
    """(location, stamp): pass both to a cached read."""
    return store_location(), stamp()


@st.cache_resource(show_spinner=False, max_entries=8)
def _masker(location: str, stamp: tuple[Any, ...]) -> Masker:
    return masker_for(_open(location))


def masker() -> Masker:
    """The project's masker (its identifiers list as it is now): every download and the masked view use it.

    The latest is kept at hand: a page masks each label it draws, and asking the cache each time
    (hashing its key) took longer than the masking."""
    at = key()
    latest = _latest_masker.get(at)
    if latest is None:
        latest = _masker(*at)
        _latest_masker.clear()
        _latest_masker[at] = latest
    return latest


_latest_masker: dict[tuple[str, tuple[Any, ...]], Masker] = {}


def masked_view() -> bool:
    """True while the sidebar's masked view is on: names on the identifiers list are hidden on screen."""
    return bool(st.session_state.get("masked_view", True))


def shown(text: Any) -> Any:
    """Text as the screen shows it: masked in the masked view."""
    return masker().mask_value(text) if masked_view() else text


def shown_each(texts: list[str]) -> list[str]:
    """Texts as the screen shows them, the masker fetched once for all (a picker of thousands of labels)."""
    if not masked_view():
        return texts
    mask = masker().mask_value
    return [mask(text) for text in texts]


def shown_html(html: str) -> str:
    """HTML with the text between its tags masked in the masked view (markup untouched)."""
    if not masked_view():
        return html
    mask = masker().mask_value
    return _TEXT_NODE.sub(lambda m: ">" + mask(m.group(1)) + "<", html)


def shown_frame(frame: Any) -> Any:
    """A table as the screen shows it: every text cell and column name masked in the masked view."""
    if not masked_view() or frame.empty:
        return frame
    mask = masker().mask_value
    frame = frame.rename(columns=mask)
    for column in frame.columns:
        if is_string_dtype(frame[column]) or frame[column].dtype == object:
            frame[column] = frame[column].map(mask)
    return frame


def coder() -> str:
    """The coder's name given in the sidebar ('' until given)."""
    return str(st.session_state.get("coder") or "").strip()


def blind() -> bool:
    """True while the session codes blind: only the coder's own codings and open suggestions are shown."""
    return bool(st.session_state.get("blind"))


# How the app words an error's hint: the control (or, where the app has none, the command) that puts it right.
HINTS = {
    "replace": "tick “Replace transcripts whose text has changed” on the Import page",
    "labels_or_replace": "tick “Replace transcripts whose text has changed” on the Import page",
    "coder": "type your name in the sidebar's Coder box",
    "coders": "choose them in the Coders box",
    "store": "start the app with `qualcode app --db PATH`",
    "create_store": "in a terminal: `qualcode --db PATH init --codebook FILE`",
    "import_project": "in a terminal: `qualcode --db PATH import project FILE.qdpx`",
    "import_codings": "in a terminal: `qualcode import-codings FILE --coder NAME`",
    "meta": "choose it in the participants.csv box",
    "list_documents": "the Code page lists every transcript",
    "list_codes": "the Codebook page lists every code",
    "codable": "the Add a code box offers only the codes that can be applied",
    "codebook_log": "the Codebook page shows the versions",
    "codebook_update": "import one on the Codebook page",
    "speakers": "the Import page's Speakers section sets a speaker's role",
    "interviewer": "the Import page's Speakers section sets a speaker's role",
    "filters": "use the filters above",
}


def error_text(error: QualcodeError | str) -> str:
    """An error (or a report sentence) as the app shows it, with the control that puts it right."""
    return sentence(error, HINTS)


def write(action: Callable[[], T], done: str = "") -> T | None:
    """Run a write; a user mistake is shown as one error sentence and nothing is saved."""
    try:
        result = action()
    except QualcodeError as error:
        st.error(error_text(error))
        return None
    _writes[0] += 1
    if done:
        st.session_state["_flash"] = done
    return result


def act(action: Callable[[], T], done: str = "") -> T | None:
    """Run a write from a button's on_click callback: its message, or its error, is shown once by `flash`."""
    try:
        result = action()
    except QualcodeError as error:
        fail(error_text(error))
        return None
    _writes[0] += 1
    if done:
        st.session_state["_flash"] = done
    return result


def changed() -> None:
    """Note a write made outside `write` (so cached reads are refreshed)."""
    _writes[0] += 1


def fail(message: str) -> None:
    """Keep an error sentence for `flash` to show on the page."""
    st.session_state["_error"] = message


def flash() -> None:
    """Show (once) the message or error left by the write before this run."""
    message = st.session_state.pop("_flash", None)
    if message:
        st.success(message)
    error = st.session_state.pop("_error", None)
    if error:
        st.error(error)


def need_coder(to: str = "record decisions") -> bool:
    """True when a coder name is set; otherwise say where to give it, and what it is needed `to` do."""
    if coder():
        return True
    st.info(f"Enter your name as coder in the sidebar to {to}.")
    return False
