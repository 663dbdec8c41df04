"""The panel beside a transcript for one segment: suggestions to decide, codings, add a code, memos."""

from __future__ import annotations

from html import escape
from typing import Any

import streamlit as st

from qualcode import nlp, project
from qualcode.codebook import Codebook
from qualcode.store import Store
from qualcode.ui import state
from qualcode.ui.codebook_edit import tree_label
from qualcode.ui.transcript import STYLE, tint


@st.cache_data(show_spinner=False, max_entries=256)
def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence bounds inside a segment's text."""
    return next(nlp.sentence_bounds([text])) or [(0, len(text))]


def evidence_text(evidence: dict[str, Any]) -> str:
    """Why the suggester proposed a code, in a line or two."""
    parts = []
    if evidence.get("terms"):
        parts.append("matched: " + ", ".join(f"“{term}”" for term in evidence["terms"]))
    for key in ("negated", "hedged"):
        if evidence.get(key):
            parts.append(f"{key}: " + ", ".join(map(str, evidence[key])))
    similar = evidence.get("similar") or []
    for item in similar[:2]:
        quote = (item.get("quote") or item.get("text") or "") if isinstance(item, dict) else str(item)
        if quote:
            parts.append(f"like “{quote[:140]}”")
    scores = evidence.get("scores")
    if isinstance(scores, dict) and scores:
        parts.append(" · ".join(f"{name} {value:.2f}" for name, value in scores.items() if isinstance(value, (int, float))))
    return "; ".join(parts) or "no evidence recorded"


def decide(store: Store, coding_id: int, verb: str) -> None:
    """Accept or reject one suggestion as the session's coder."""
    if state.write(lambda: state.decide(store, [coding_id], f"{verb}ed"), f"Suggestion {verb}ed."):
        st.rerun()


def suggestions(store: Store, codings: list[dict[str, Any]], codebook: Codebook) -> None:
    """Pending suggestions with confidence and evidence, each with Accept and Reject."""
    for coding in sorted(codings, key=lambda c: -(c["confidence"] or 0)):
        with st.container(border=True):
            label = codebook.get(coding["code_id"]).label if coding["code_id"] in codebook else coding["code_id"]
            theme = codebook.get(codebook.theme_of(coding["code_id"])).label if coding["code_id"] in codebook else ""
            st.markdown(f"**{label}** · confidence {coding['confidence'] or 0:.2f}" + (f"  \n{theme}" if theme else ""))
            st.caption(state.shown(evidence_text(coding["evidence"])))
            accept, reject, _ = st.columns([1, 1, 2])
            if accept.button("Accept", key=f"accept_{coding['id']}", disabled=not state.coder(), type="primary", width="stretch"):
                decide(store, coding["id"], "accept")
            if reject.button("Reject", key=f"reject_{coding['id']}", disabled=not state.coder(), width="stretch"):
                decide(store, coding["id"], "reject")


def codings_list(store: Store, codings: list[dict[str, Any]], codebook: Codebook) -> None:
    """Accepted codings on the segment, each removable."""
    for coding in codings:
        left, right = st.columns([4, 1.3], vertical_alignment="center")
        colour = tint(codebook.colour_of(coding["code_id"]) if coding["code_id"] in codebook else "#999", "66")
        label = codebook.get(coding["code_id"]).label if coding["code_id"] in codebook else coding["code_id"]
        left.html(state.shown_html(f'{STYLE}<span class="qc-chip" style="background:{colour}">{escape(label)}</span> '
                  f'<small>{escape(coding["coder"])} · {escape(coding["source"])} · “{escape(coding["quote"][:90])}…”</small>'))
        if right.button("Remove", key=f"remove_{coding['id']}", disabled=not state.coder(), width="stretch",
                        help="A suggestion is marked rejected (kept for learning); other codings are deleted."):
            if coding["source"] == "suggested":
                done = state.write(lambda: state.decide(store, [coding["id"]], "rejected"), "Coding removed.")
            else:
                done = state.write(lambda: project.remove_coding(store, coding["id"]) or True, "Coding removed.")
            if done:
                st.rerun()


def add_code(store: Store, segment: dict[str, Any], codebook: Codebook) -> None:
    """Add any code from the codebook to the segment, or to a range of its sentences."""
    code_id = st.selectbox("Add a code (type to search)", codebook.ids(), index=None, key="add_code",
                           format_func=lambda i: tree_label(codebook, i), placeholder="search the codebook")
    bounds = sentences(segment["text"])
    first, last = 1, len(bounds)
    if len(bounds) > 1:
        first, last = st.select_slider("Sentences", options=list(range(1, len(bounds) + 1)), value=(1, len(bounds)),
                                       key=f"sentences_{segment['id']}")
    if st.button("Add code", key="add", disabled=code_id is None or not state.coder()):
        start, end = segment["start"] + bounds[first - 1][0], segment["start"] + bounds[last - 1][1]
        if state.write(lambda: project.add_coding(store, segment["document_id"], start, end, code_id, state.coder()),
                       f"Added “{codebook.get(code_id).label}”."):
            st.rerun()


def memos(store: Store, segment: dict[str, Any], notes: list[dict[str, Any]]) -> None:
    """Memos on this segment, and a box to add one."""
    for note in notes:
        st.caption(state.shown(f"{note['coder']}, {note['created_at'][:10]}: {note['text']}"))
    text = st.text_area("Memo", key=f"memo_{segment['id']}", placeholder="a note on this segment", height=80)
    if st.button("Save memo", key="save_memo", disabled=not state.coder()):
        if state.write(lambda: project.add_memo(store, segment["document_id"], text, state.coder(), segment_id=segment["id"]),
                       "Memo saved."):
            st.rerun()


def draw(store: Store, document: dict[str, Any], segment: dict[str, Any], codebook: Codebook) -> None:
    """Everything to decide about one segment."""
    bounds = sentences(segment["text"])
    numbered = " ".join(f"<sup>{i}</sup>{escape(segment['text'][a:b])}" for i, (a, b) in enumerate(bounds, 1))
    st.html(state.shown_html(f"<div style='line-height:1.6'>{numbered}</div>"))
    mine = [c for c in document["codings"] if c["segment_id"] == segment["id"]]
    pending = [c for c in mine if c["status"] == "pending"]
    accepted = [c for c in mine if c["status"] == "accepted"]
    st.markdown(f"**Suggestions** ({len(pending)})")
    suggestions(store, pending, codebook)
    st.markdown(f"**Codes** ({len(accepted)})")
    codings_list(store, accepted, codebook)
    add_code(store, segment, codebook)
    memos(store, segment, [m for m in document["memos"] if m["segment_id"] == segment["id"]])
