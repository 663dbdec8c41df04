"""Code page: pick a transcript, run suggestions, read it with coded spans, decide segment by segment."""

from __future__ import annotations

import streamlit as st

from qualcode import project
from qualcode.ui import queries, segment_panel, state, teamwork, transcript
from qualcode.ui.main import pages

PROGRESS = {
    "All transcripts": lambda t: t.index == t.index,
    "Not started": lambda t: t["coded_segments"] == 0,
    "Has pending suggestions": lambda t: t["pending"] > 0,
    "Coded, nothing pending": lambda t: (t["coded_segments"] > 0) & (t["pending"] == 0),
}

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
linked = link[0] in set(table["id"]) and link != st.session_state.get("_link")
if linked:
    st.session_state["_link"] = link
    st.session_state["document"] = link[0]
    st.session_state["segment"] = int(params["segment"]) if str(params.get("segment", "")).isdigit() else None

roles = sorted(table["role"].dropna().unique()) if "role" in table else []
left, middle, right = st.columns([2, 2, 3])
chosen_roles = left.multiselect("Role", roles, key="role_filter", placeholder="all roles", format_func=state.shown)
progress = middle.selectbox("Progress", list(PROGRESS), key="progress_filter")
shown = table[PROGRESS[progress](table)]
if chosen_roles:
    shown = shown[shown["role"].isin(chosen_roles)]
options = list(shown["id"])
if linked and link[0] not in options:
    options.insert(0, link[0])
elif options and st.session_state.get("document") not in options:
    st.session_state["document"] = options[0]
if not options:
    st.info("No transcript matches these filters.")
    st.stop()
rows = table.set_index("id")


def describe(document_id: str) -> str:
    row = rows.loc[document_id]
    role = row.get("role") if isinstance(row.get("role"), str) else "no role"
    return state.shown(f"{document_id} · {role} · {row['coded_segments']}/{row['segments']} coded · {row['pending']} pending")


document_id = right.selectbox("Transcript", options, key="document", format_func=describe)
document = queries.document(*state.key(), document_id)
if state.blind():
    st.caption("Blind coding: only your own codings and the suggestions open to you are shown.")
    document = dict(document, codings=teamwork.blind_codings(*state.key(), document_id, state.coder()),
                    memos=[m for m in document["memos"] if m["coder"] == state.coder()])
codebook = queries.codebook(*state.key())
segments = document["segments"]
pending = [c for c in document["codings"] if c["status"] == "pending"]

actions = st.columns([1.2, 2, 1.6], vertical_alignment="bottom")
if actions[0].button("Suggest codes", key="suggest",
                     help="Run the suggester on this transcript: pending suggestions with confidence and evidence."):
    bar = st.progress(0.0, text="Suggesting…")
    result = state.write(lambda: project.suggest(
        store, document_ids=[document_id],
        progress=lambda done, total: bar.progress(done / max(total, 1), text=f"Suggesting… {done}/{total}")))
    if result is not None:
        st.session_state["_flash"] = (f"Suggestions: {result.added} new, {result.updated} updated, "
                                      f"{result.withdrawn} withdrawn.")
        st.rerun()
threshold = actions[1].slider("Accept all suggestions at or above", 0.3, 1.0, 0.8, 0.05, key="accept_above")
above = [c["id"] for c in pending if (c["confidence"] or 0) >= threshold]
if actions[2].button(f"Accept {len(above)} suggestions ≥ {threshold:.2f}", key="accept_all",
                     disabled=not above or not state.coder()):
    if state.write(lambda: state.decide(store, above, "accepted"), f"Accepted {len(above)} suggestions."):
        st.rerun()

if not segments:
    st.info("This transcript has no participant segments to code.")
    st.stop()
ids = [s["id"] for s in segments]
if st.session_state.get("segment") not in ids:
    st.session_state["segment"] = ids[0]
coded = {c["segment_id"] for c in document["codings"] if c["status"] == "accepted"}
waiting = {c["segment_id"] for c in pending}


def move(step: int = 0, uncoded: bool = False) -> None:
    """Go to the previous or next segment, or to the next one with no accepted coding."""
    here = ids.index(st.session_state["segment"])
    if uncoded:
        later = [i for i in ids[here + 1:] + ids[:here + 1] if i not in coded]
        st.session_state["segment"] = later[0] if later else ids[here]
    else:
        st.session_state["segment"] = ids[max(0, min(len(ids) - 1, here + step))]


reading, deciding = st.columns([3, 2])
with deciding:
    nav = st.columns(3)
    nav[0].button("◀ Previous", key="previous", on_click=move, args=(-1,), width="stretch")
    nav[1].button("Next ▶", key="next", on_click=move, args=(1,), width="stretch")
    nav[2].button("Next uncoded", key="next_uncoded", on_click=move, kwargs={"uncoded": True}, width="stretch")
    number = {s["id"]: i + 1 for i, s in enumerate(segments)}
    progress = transcript.segment_progress(segments, document["codings"])
    segment_id = st.selectbox("Segment", ids, key="segment", format_func=lambda i: (
        f"¶{number[i]} · {progress[i]}" + (" · suggestions" if i in waiting else "")))
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
