"""Saturation: codes seen for the first time in each interview, in interview order, overall and per role."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from qualcode.errors import QualcodeError
from qualcode.project import analysis
from qualcode.ui import state
from qualcode.ui.downloads import table_bytes

EACH_DRAWN = 100  # interviews up to which each is drawn as its own bar and point

st.title("Saturation")
store = state.store()
window = st.number_input(
    "Rule: saturation when this many coded interviews in a row bring no new code", 1, 20, 3, key="sat_window"
)
try:
    result = analysis.saturation(store, int(window))
except QualcodeError as error:
    st.error(str(error))
    st.stop()
if not result.overall.rows:
    st.info("No coded transcripts yet." if result.overall.uncoded else "No transcripts yet.")
    if result.overall.uncoded:
        st.caption(state.shown(result.overall.verdict(int(window))))
    st.stop()
st.caption(
    result.rule()
    + (" No date attribute on every transcript, so the order of import is used." if result.order == "import" else "")
)

frame = pd.DataFrame(analysis.saturation_rows(result, mask=state.masked_view(), store=store))
overall = frame[frame["group"] == result.overall.group]
many = len(overall) > EACH_DRAWN  # thousands of survey answers: a step line, not a bar and a point per interview
cumulative = (
    alt.Chart(frame)
    .mark_line(point=not many)
    .encode(
        x=alt.X("position:Q", title="coded interview, in order", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("cumulative:Q", title="codes seen so far"),
        color=alt.Color("group:N", title=None),
        tooltip=["group", "position", "document_id", "date", "new", "new_codes", "cumulative"],
    )
    .properties(height=320)
)
position = "position:Q" if many else "position:O"
new = (
    (
        alt.Chart(overall).mark_area(interpolate="step-after", color="#4c78a8")
        if many
        else alt.Chart(overall).mark_bar(color="#4c78a8")
    )
    .encode(
        x=alt.X(position, title="coded interview, in order (all interviews)"),
        y=alt.Y("new:Q", title="new codes"),
        tooltip=["position", "document_id", "date", "new", "new_codes"],
    )
    .properties(height=200)
)
rule = (
    alt.Chart(pd.DataFrame({"position": [result.overall.reached_at]}))
    .mark_rule(strokeDash=[4, 3], color="#d62728")
    .encode(x=position)
    if result.overall.reached_at
    else None
)
st.altair_chart(cumulative, width="stretch")
st.altair_chart(new + rule if rule is not None else new, width="stretch")
for curve in [result.overall, *result.by_role]:
    (st.success if curve.reached_at else st.warning)(state.shown(curve.verdict(int(window))))
st.dataframe(state.shown_frame(overall.drop(columns=["group"])), hide_index=True, width="stretch")
st.download_button("Download CSV", lambda: table_bytes(frame, "csv"), "saturation.csv", "text/csv", key="sat_csv")
