"""Memos page: every memo (project, transcript, code, segment, coding) with author and time; search and add."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from qualcode import project
from qualcode.project.identifiers import masked_texts
from qualcode.ui import queries, state
from qualcode.ui.codebook_edit import tree_label

SCOPES = ["project", "document", "code", "segment", "coding"]


def on_save(store, scope: str) -> None:
    """Save the typed memo on the project, a transcript or a code."""
    text = st.session_state.get("memo_text", "")
    target = st.session_state.get("memo_target")
    document_id = target if scope == "document" else None
    code_id = target if scope == "code" else None
    if (
        state.act(lambda: project.add_memo(store, document_id, text, state.coder(), code_id=code_id), "Memo saved.")
        is not None
    ):
        st.session_state["memo_text"] = ""


st.title("Memos")
store = state.store()
state.flash()
codebook = queries.codebook(*state.key())
search = st.text_input("Search memos", key="memo_search", placeholder="a word in the memo")
scopes = st.multiselect("Kinds", SCOPES, key="memo_scopes", placeholder="every kind")
rows = [r for r in project.memo_rows(store, search or None) if not scopes or r["scope"] in scopes]
if state.blind():
    rows = [r for r in rows if r["coder"] == state.coder()]
frame = pd.DataFrame(rows, columns=["scope", "document_id", "segment_id", "code_id", "coder", "created_at", "text"])
if not frame.empty:
    frame["text"] = masked_texts(store, frame["text"])
st.caption(
    f"{len(frame)} memos" + (f" holding “{search}”" if search else "") + "; names on the identifiers list are masked."
)
st.dataframe(frame.rename(columns={"coder": "author", "created_at": "time"}), hide_index=True, width="stretch")

st.subheader("Add a memo")
scope = st.segmented_control("On", ["project", "document", "code"], key="memo_scope", default="project")
if scope == "document":
    st.selectbox("Transcript", [d["id"] for d in project.list_documents(store)], key="memo_target")
elif scope == "code":
    st.selectbox("Code", codebook.ids(), key="memo_target", format_func=lambda i: tree_label(codebook, i))
st.text_area("Memo", key="memo_text", height=100)
st.button("Save memo", key="memo_save", disabled=not state.coder(), on_click=on_save, args=(store, scope or "project"))
state.need_coder("write memos")
