"""Search: words, a "phrase", a lemma or a regular expression across transcripts, keyword in context, and code all hits."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from qualcode import project
from qualcode.codebook.codable import codable_ids
from qualcode.errors import QualcodeError
from qualcode.project import analysis
from qualcode.ui import queries, state
from qualcode.ui.codebook_edit import codable_label
from qualcode.ui.downloads import table_bytes

st.title("Search")
store = state.store()
state.flash()
codebook = queries.codebook(*state.key())
attributes = queries.attributes(*state.key())

with st.container(border=True):
    row = st.columns([4, 2, 2])
    text = row[0].text_input("Search for", key="search_text", placeholder='words, "a phrase", or a pattern')
    mode = row[1].segmented_control(
        "Read as",
        list(analysis.MODES),
        default="words",
        key="search_mode",
        required=True,
        format_func=lambda m: {"words": "Words", "lemma": "Lemmas", "regex": "Regex"}[m],
    )
    everyone = row[2].toggle(
        "Interviewers too", key="search_all", help="Search every turn, not only participants' answers."
    )
    row = st.columns([2, 3, 2])
    names = [c for c in attributes.columns if c != "id"]
    by = row[0].selectbox("Filter by attribute", ["(none)", *names], key="search_by")
    values = sorted(attributes[by].dropna().astype(str).unique()) if by in names else []
    chosen = row[1].multiselect(
        "Values", values, key="search_values", disabled=not values, placeholder="any value", format_func=state.shown
    )
    context = row[2].slider("Context (characters)", 20, 200, analysis.CONTEXT, 10, key="search_context")

if not text.strip():
    st.info(
        'Type words to find (every word must occur in a turn), a "phrase in quotes", a word whose forms to find '
        "(Lemmas), or a regular expression."
    )
    st.stop()
where = {by: list(chosen)} if by in names and chosen else None
try:
    hits = analysis.search_hits(
        store, text, mode, "all" if everyone else "participant", where, context, mask=state.masked_view()
    )
except QualcodeError as error:
    st.error(str(error))
    st.stop()

documents = len({h["document_id"] for h in hits})
st.caption(f"{len(hits)} hit{'s' * (len(hits) != 1)} in {documents} transcript{'s' * (documents != 1)}.")
frame = pd.DataFrame(hits, columns=analysis.HIT_COLUMNS)
st.dataframe(
    frame[["left", "keyword", "right", "participant", "role", "speaker", "media_time", "document_id"]],
    hide_index=True,
    width="stretch",
    column_config={
        "left": st.column_config.TextColumn("before", width="large"),
        "keyword": st.column_config.TextColumn("hit"),
        "right": st.column_config.TextColumn("after", width="large"),
    },
)
st.download_button(
    "Download CSV",
    lambda: table_bytes(frame, "csv"),
    "search_hits.csv",
    "text/csv",
    key="search_csv",
    disabled=not hits,
)

st.subheader("Code all hits")
codeable = [h for h in hits if h["segment_id"] is not None]
line = st.columns([3, 2, 2], vertical_alignment="bottom")
code_id = line[0].selectbox(
    "Code", codable_ids(codebook), key="search_code", format_func=lambda i: codable_label(codebook, i)
)
segments = len({h["segment_id"] for h in codeable})
st.caption(
    f"Codes the {segments} participant segment{'s' * (segments != 1)} holding a hit, one logged decision each; "
    "Undo reverts them together."
)
if line[1].button(
    f"Code {segments} segments", key="search_code_all", disabled=not segments or not state.coder(), type="primary"
):
    result = state.write(lambda: analysis.code_hits(store, hits, code_id, state.coder()))
    if result is not None:
        st.session_state["_flash"] = (
            f"Coded {len(result.added)} segments with {codebook.get(code_id).label} "
            f"({result.already_coded} already carried it)."
        )
        st.rerun()
if line[2].button("Undo my last action", key="search_undo", disabled=not state.coder()):
    if state.write(lambda: project.undo(store, state.coder())) is not None:
        st.session_state["_flash"] = "Undone."
        st.rerun()
if not state.coder():
    st.info("Enter your name as coder in the sidebar to code the hits.")
