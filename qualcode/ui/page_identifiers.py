"""Names to mask: the project's identifiers list (list, add, remove) and candidate names found in the transcripts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from qualcode.project import identifiers
from qualcode.ui import state

st.title("Names to mask")
store = state.store()
state.flash()
st.caption(
    "Every download, every export and the masked view replace these names with a placeholder for their kind "
    "([name], [place], ...), in any case or spelling of apostrophes and accents, in compounds and web addresses; "
    "email addresses are always masked."
)

listed = identifiers.list_identifiers(store)
if listed:
    st.table(pd.DataFrame(listed)[["identifier", "kind", "added_at"]].set_index("identifier"))
else:
    st.info("No names yet: add them below, or confirm the candidates found in the transcripts.")

with st.form("add_identifiers", clear_on_submit=True):
    line = st.columns([3, 1])
    names = line[0].text_input(
        "Add names",
        key="identifier_names",
        placeholder="Sandra; Brightway Works; Kirkdale",
        help="Several names separated by semicolons.",
    )
    kind = line[1].selectbox("Kind", identifiers.KINDS, key="identifier_kind")
    if st.form_submit_button("Add", type="primary"):
        given = [name for name in names.split(";") if name.strip()]
        added = state.write(lambda: identifiers.add_identifiers(store, given, kind))
        if added is not None:
            st.session_state["_flash"] = f"Added {len(added)} names ({kind}); {len(given) - len(added)} already listed."
            st.rerun()

if listed:
    with st.form("remove_identifiers"):
        gone = st.multiselect("Stop masking", [row["identifier"] for row in listed], key="identifier_remove")
        if st.form_submit_button("Remove", disabled=False) and gone:
            removed = state.write(lambda: identifiers.remove_identifiers(store, gone))
            if removed is not None:
                st.session_state["_flash"] = f"Removed {removed} names."
                st.rerun()

st.subheader("Candidates found in the transcripts")
st.caption(
    "Capitalised names and places that recur in the transcripts and are not listed yet. "
    "Tick the ones to mask; nothing is added until you confirm."
)
candidates = identifiers.candidate_names(store)
if not candidates:
    st.info("No recurring names found that are not already listed.")
    st.stop()
with st.form("confirm_candidates"):
    frame = pd.DataFrame(
        [{"mask": False, "name": c["name"], "seen": c["count"], "kind": identifiers.DEFAULT_KIND} for c in candidates]
    )
    edited = st.data_editor(
        frame,
        key="candidate_table",
        hide_index=True,
        width="stretch",
        disabled=["name", "seen"],
        column_config={"kind": st.column_config.SelectboxColumn("kind", options=list(identifiers.KINDS))},
    )
    if st.form_submit_button("Mask the ticked names", type="primary"):
        chosen = edited[edited["mask"]]
        done = 0
        for kind_, group in chosen.groupby("kind"):
            added = state.write(
                lambda group=group, kind_=kind_: identifiers.add_identifiers(store, list(group["name"]), str(kind_))
            )
            done += len(added or [])
        st.session_state["_flash"] = f"Added {done} names to mask."
        st.rerun()
