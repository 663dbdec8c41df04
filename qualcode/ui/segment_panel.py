"""The panel beside a transcript for one segment: suggestions to decide, codings, add a code, memos.

Every button acts in an on_click callback (run once, before the page is drawn again),
which calls the coding loop's service and leaves a message; the page is then drawn
from the store, so counts and labels are never stale and no click is lost.
"""

from __future__ import annotations

from html import escape
from typing import Any

import streamlit as st

from qualcode import project
from qualcode.codebook import Codebook
from qualcode.codebook.codable import codable_ids
from qualcode.project import Store
from qualcode.ui import background, state
from qualcode.ui.codebook_edit import codable_label
from qualcode.ui.transcript import STYLE, tint


@st.cache_data(show_spinner=False, max_entries=256)
def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence bounds inside a segment's text."""
    return project.sentence_bounds(text)


def _label(codebook: Codebook, code_id: str) -> str:
    return codebook.get(code_id).label if code_id in codebook else code_id


# -- callbacks: each runs once per click, then the page is drawn again from the store ------------
def on_decide(store: Store, coding_ids: list[int], status: str, done: str) -> None:
    """Accept or reject codings as the session's coder (blind or not)."""
    state.act(lambda: project.decide(store, coding_ids, status, state.coder(), state.blind(), background.follow), done)


def on_remove(store: Store, coding: dict[str, Any]) -> None:
    """Take a code off the segment (a suggestion is rejected, anything else deleted)."""
    state.act(lambda: project.remove(store, coding, state.coder(), state.blind(), background.follow), "Coding removed.")


def on_add(store: Store, segment: dict[str, Any], codebook: Codebook) -> None:
    """Code the chosen sentences of the segment with the chosen code."""
    code_id = st.session_state.get(f"add_code_{segment['id']}")
    bounds = sentences(segment["text"])
    first, last = st.session_state.get(f"sentences_{segment['id']}", (1, len(bounds))) if len(bounds) > 1 else (1, 1)
    if code_id is None:
        state.fail("Choose a code to add.")
        return
    if (
        state.act(
            lambda: project.add_sentences(store, segment, first, last, code_id, state.coder()),
            f"Added “{_label(codebook, code_id)}”.",
        )
        is not None
    ):
        st.session_state[f"add_code_{segment['id']}"] = None


def on_memo(store: Store, segment: dict[str, Any]) -> None:
    """Save the typed memo on the segment and empty the box."""
    key = f"memo_{segment['id']}"
    text = st.session_state.get(key, "")
    if (
        state.act(
            lambda: project.add_memo(store, segment["document_id"], text, state.coder(), segment_id=segment["id"]),
            "Memo saved.",
        )
        is not None
    ):
        st.session_state[key] = ""


# -- drawing -------------------------------------------------------------------------------------
def suggestions(store: Store, codings: list[dict[str, Any]], codebook: Codebook) -> None:
    """Pending suggestions with confidence and evidence, each with Accept and Reject."""
    for coding in sorted(codings, key=lambda c: -(c["confidence"] or 0)):
        with st.container(border=True):
            theme = _label(codebook, codebook.theme_of(coding["code_id"])) if coding["code_id"] in codebook else ""
            st.markdown(
                f"**{_label(codebook, coding['code_id'])}** · confidence {coding['confidence'] or 0:.2f}"
                + (f"  \n{theme}" if theme else "")
            )
            st.caption(state.shown(project.explain(coding["evidence"])))
            accept, reject, _ = st.columns([1, 1, 2])
            accept.button(
                "Accept",
                key=f"accept_{coding['id']}",
                disabled=not state.coder(),
                type="primary",
                width="stretch",
                on_click=on_decide,
                args=(store, [coding["id"]], "accepted", "Suggestion accepted."),
            )
            reject.button(
                "Reject",
                key=f"reject_{coding['id']}",
                disabled=not state.coder(),
                width="stretch",
                on_click=on_decide,
                args=(store, [coding["id"]], "rejected", "Suggestion rejected."),
            )


def codings_list(store: Store, codings: list[dict[str, Any]], codebook: Codebook) -> None:
    """Accepted codings on the segment, each removable."""
    for coding in codings:
        left, right = st.columns([4, 1.3], vertical_alignment="center")
        colour = tint(codebook.colour_of(coding["code_id"]) if coding["code_id"] in codebook else "#999", "66")
        left.html(
            state.shown_html(
                f'{STYLE}<span class="qc-chip" style="background:{colour}">{escape(_label(codebook, coding["code_id"]))}</span> '
                f"<small>{escape(coding['coder'])} · {escape(coding['source'])} · “{escape(coding['quote'][:90])}…”</small>"
            )
        )
        right.button(
            "Remove",
            key=f"remove_{coding['id']}",
            disabled=not state.coder(),
            width="stretch",
            help="A suggestion is marked rejected (kept for learning); other codings are deleted. Undo brings either back.",
            on_click=on_remove,
            args=(store, coding),
        )


def add_code(store: Store, segment: dict[str, Any], codebook: Codebook) -> None:
    """Add a code that can be applied (not a grouping one) to the segment, or to a range of its sentences.

    One form: choosing the code and the sentences redraws nothing; the page runs once, on Add code."""
    with st.form(f"add_{segment['id']}", border=False):
        st.selectbox(
            "Add a code (type to search)",
            codable_ids(codebook),
            index=None,
            key=f"add_code_{segment['id']}",
            format_func=lambda i: codable_label(codebook, i),
            placeholder="search the codebook",
        )
        bounds = sentences(segment["text"])
        if len(bounds) > 1:
            st.select_slider(
                "Sentences",
                options=list(range(1, len(bounds) + 1)),
                value=(1, len(bounds)),
                key=f"sentences_{segment['id']}",
            )
        st.form_submit_button(
            "Add code", key="add", disabled=not state.coder(), on_click=on_add, args=(store, segment, codebook)
        )


def memos(store: Store, segment: dict[str, Any], notes: list[dict[str, Any]]) -> None:
    """Memos on this segment, and a box to add one."""
    for note in notes:
        st.caption(state.shown(f"{note['coder']}, {note['created_at'][:16].replace('T', ' ')}: {note['text']}"))
    st.text_area("Memo", key=f"memo_{segment['id']}", placeholder="a note on this segment", height=80)
    st.button("Save memo", key="save_memo", disabled=not state.coder(), on_click=on_memo, args=(store, segment))


def draw(store: Store, document: dict[str, Any], segment: dict[str, Any], codebook: Codebook) -> None:
    """Everything to decide about one segment."""
    bounds = sentences(segment["text"])
    numbered = " ".join(f"<sup>{i}</sup>{escape(segment['text'][a:b])}" for i, (a, b) in enumerate(bounds, 1))
    st.html(state.shown_html(f"<div style='line-height:1.6'>{numbered}</div>"))
    mine = [c for c in document["codings"] if c["segment_id"] == segment["id"]]
    applicable = set(codable_ids(codebook))
    pending = [c for c in mine if c["status"] == "pending" and c["code_id"] in applicable]
    accepted = [c for c in mine if c["status"] == "accepted"]
    st.markdown(f"**Suggestions** ({len(pending)})")
    suggestions(store, pending, codebook)
    st.markdown(f"**Codes** ({len(accepted)})")
    codings_list(store, accepted, codebook)
    add_code(store, segment, codebook)
    memos(store, segment, [m for m in document["memos"] if m["segment_id"] == segment["id"]])
