"""Code page: pick a transcript, run suggestions, read it with coded spans, decide segment by segment.

The page is a small state machine. Where the coder is lives in session state by
document id and segment id (`qc_document`, `qc_segment`), never in a widget holding
a label; every click is handled once in a callback; then the page is drawn from the
store. Pickers whose labels carry live counts get a key made from those labels, so a
label that changed can never be mistaken for a choice.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

import streamlit as st

from qualcode import project
from qualcode.ui import background, queries, segment_panel, state, suggest_run, team_queries, transcript
from qualcode.ui.main import pages
from qualcode.words import count

if TYPE_CHECKING:
    import pandas as pd

PROGRESS = {
    "All transcripts": lambda t: t.index == t.index,
    "Not started": lambda t: t["coded_segments"] == 0,
    "Has pending suggestions": lambda t: t["pending"] > 0,
    "Coded, nothing pending": lambda t: (t["coded_segments"] > 0) & (t["pending"] == 0),
}


def picker_key(name: str, labels: list[str], index: int) -> str:
    """A widget key that changes whenever the labels shown (or the choice) change."""
    return f"{name}:" + hashlib.sha1(repr((labels, index)).encode()).hexdigest()[:12]


def go_to(document_id: str, segment_id: int | None) -> None:
    """Make a document (and one of its segments) the current place."""
    st.session_state["qc_document"] = document_id
    if segment_id is not None:
        st.session_state.setdefault("qc_segment", {})[document_id] = segment_id


def on_pick(key: str, document_id: str | None = None) -> None:
    """A picker changed: move there (a document when `document_id` is None, else one of its segments)."""
    value = st.session_state.get(key)
    if value is None:
        return
    if document_id is None:
        st.session_state["qc_document"] = value
    else:
        go_to(document_id, value)


def on_move(document_id: str, ids: list[int], current: int, by: int = 0, coded: set[int] | None = None) -> None:
    """Previous / Next (`by`) or Next uncoded (`coded` given)."""
    target = project.next_uncoded(ids, current, coded) if coded is not None else project.step(ids, current, by)
    go_to(document_id, target)


def on_undo(store: Any, document_id: str, segment_ids: set[int]) -> None:
    """Undo the coder's last action and go to where it was made."""
    undone = state.act(lambda: project.undo(store, state.coder()))
    if not undone:
        return
    what = undone[0]["after"] or undone[0]["before"] or {}
    done = "memo" if undone[0].get("memo_id") else f"{undone[0]['action']} of {what.get('code_id')}"
    st.session_state["_flash"] = f"Undid your {done}" + (f" ({len(undone)} decisions)." if len(undone) > 1 else ".")
    segment_id = what.get("segment_id")
    if what.get("document_id") == document_id and segment_id in segment_ids:
        go_to(document_id, segment_id)


def on_accept_all(store: Any, coding_ids: list[int]) -> None:
    """Accept every suggestion shown above the threshold, as one action (one undo reverts it)."""
    state.act(
        lambda: project.decide(store, coding_ids, "accepted", state.coder(), state.blind(), background.follow),
        f"Accepted {count(len(coding_ids), 'suggestion')}.",
    )


st.title("Code transcripts")
store = state.store()
state.flash()
table = queries.documents(*state.key(), state.coder() if state.blind() else None)
if table.empty:
    st.info("No transcripts in this store yet.")
    st.page_link(pages()["import"], label="Import transcripts")
    st.stop()

params = st.query_params
link = (params.get("document"), params.get("segment"))
if link[0] in set(table["id"]) and link != st.session_state.get("_link"):
    st.session_state["_link"] = link
    go_to(link[0], int(link[1]) if str(link[1] or "").isdigit() else None)

roles = sorted(table["role"].dropna().unique()) if "role" in table else []
left, middle, right = st.columns([2, 2, 3])
chosen_roles = left.multiselect("Role", roles, key="role_filter", placeholder="all roles", format_func=state.shown)
progress = middle.selectbox("Progress", list(PROGRESS), key="progress_filter")
shown = table[PROGRESS[progress](table)]
if chosen_roles:
    shown = shown[shown["role"].isin(chosen_roles)]
options = list(shown["id"])
current_document = st.session_state.get("qc_document")
if not options:
    st.info("No transcript matches these filters.")
    st.stop()
if current_document not in options:
    current_document = options[0]
    st.session_state["qc_document"] = current_document


def progress_labels(transcripts: pd.DataFrame) -> dict[str, str]:
    """Each transcript's picker label, with its role and progress from the store, as the screen shows it
    (worked out by column: a project of survey answers has thousands of transcripts)."""
    roles = transcripts["role"] if "role" in transcripts else [None] * len(transcripts)
    counts = [transcripts[k].fillna(0).astype(int).tolist() for k in ("coded_segments", "segments", "pending")]
    labels = [
        f"{document_id}{f' · {role}' if isinstance(role, str) and role else ''} · {coded}/{total} coded · {pending} pending"
        for document_id, role, coded, total, pending in zip(transcripts["id"], roles, *counts)
    ]  # whole counts, never 2.0/791.0
    return dict(zip(transcripts["id"], state.shown_each(labels)))


labels = progress_labels(shown)
key = picker_key("document", list(labels.values()), options.index(current_document))
right.selectbox(
    "Transcript",
    options,
    index=options.index(current_document),
    key=key,
    format_func=labels.__getitem__,
    on_change=on_pick,
    args=(key,),
)
document_id = current_document
document = queries.document(*state.key(), document_id)
if state.blind():
    st.caption("Blind coding: only your own codings and the suggestions open to you are shown.")
    document = dict(
        document,
        codings=team_queries.blind_codings(*state.key(), document_id, state.coder()),
        memos=[m for m in document["memos"] if m["coder"] == state.coder()],
    )
codebook = queries.codebook(*state.key())
segments = document["segments"]
pending = [c for c in document["codings"] if c["status"] == "pending"]

actions = st.columns([1.2, 2, 1.6, 1.2], vertical_alignment="bottom")
suggest_run.buttons(store, actions[0], document_id)
threshold = actions[1].slider("Accept all suggestions at or above", 0.3, 1.0, 0.8, 0.05, key="accept_above")
above = [c["id"] for c in pending if (c["confidence"] or 0) >= threshold]
actions[2].button(
    f"Accept {count(len(above), 'suggestion')} ≥ {threshold:.2f}",
    key="accept_all",
    disabled=not above or not state.coder(),
    on_click=on_accept_all,
    args=(store, above),
)

if not segments:
    st.info("This transcript has no participant segments to code.")
    st.stop()
ids = [s["id"] for s in segments]
segment_id = st.session_state.setdefault("qc_segment", {}).get(document_id)
if segment_id not in ids:
    segment_id = ids[0]
    go_to(document_id, segment_id)
actions[3].button(
    "↶ Undo",
    key="undo",
    disabled=not state.coder(),
    width="stretch",
    help="Revert your last decision (a bulk accept counts as one); the undo is kept in the history.",
    on_click=on_undo,
    args=(store, document_id, set(ids)),
)

reading, deciding = st.columns([3, 2])
with deciding:
    coded = project.coded_segments(document["codings"])
    nav = st.columns(3)
    nav[0].button(
        "◀ Previous", key="previous", on_click=on_move, args=(document_id, ids, segment_id, -1), width="stretch"
    )
    nav[1].button("Next ▶", key="next", on_click=on_move, args=(document_id, ids, segment_id, 1), width="stretch")
    nav[2].button(
        "Next uncoded",
        key="next_uncoded",
        on_click=on_move,
        args=(document_id, ids, segment_id),
        kwargs={"coded": coded},
        width="stretch",
    )
    names = project.segment_labels(segments, document["codings"])
    key = picker_key(f"segment_{document_id}", [names[i] for i in ids], ids.index(segment_id))
    st.selectbox(
        "Segment",
        ids,
        index=ids.index(segment_id),
        key=key,
        format_func=names.get,
        on_change=on_pick,
        args=(key, document_id),
    )
    st.caption(f"{len(coded)}/{len(ids)} segments coded · {count(len(pending), 'suggestion')} pending")
    st.query_params.update({"document": document_id, "segment": str(segment_id)})
    st.session_state["_link"] = (document_id, str(segment_id))
    segment = segments[ids.index(segment_id)]
    state.need_coder()
    segment_panel.draw(store, document, segment, codebook)
with reading:
    used = {c["code_id"] for c in document["codings"]}
    with st.expander(f"Colour key ({len(used)} codes in this transcript)"):
        st.html(state.shown_html(transcript.legend_html(document["codings"], codebook)))
    with st.container(height=720):
        st.html(state.shown_html(transcript.document_html(document, codebook, segment_id)))
    with st.expander("History of this transcript"):
        history = queries.history(*state.key(), document_id, state.coder() if state.blind() else None)
        if history.empty:
            st.caption("No decisions on this transcript yet.")
        else:
            st.dataframe(state.shown_frame(history), hide_index=True, width="stretch")
