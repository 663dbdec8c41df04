"""Co-occurrence: codes x codes, how many segments (or participants) carry both; click a cell to read the passages."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from qualcode.errors import QualcodeError
from qualcode.project import analysis
from qualcode.ui import queries, state
from qualcode.ui.downloads import table_bytes

st.title("Co-occurrence")
store = state.store()
codebook = queries.codebook(*state.key())
row = st.columns(3)
level = row[0].segmented_control(
    "Show",
    ["code", "theme"],
    default="code",
    key="co_level",
    required=True,
    format_func=lambda v: "Codes" if v == "code" else "Themes",
)
unit = row[1].segmented_control(
    "Count",
    ["segment", "participant"],
    default="segment",
    key="co_unit",
    required=True,
    format_func=lambda v: "Segments" if v == "segment" else "Participants",
)
measure = row[2].segmented_control(
    "Measure",
    ["count", "jaccard"],
    default="count",
    key="co_measure",
    required=True,
    format_func=lambda v: "Count where both apply" if v == "count" else "Jaccard (both / either)",
)
try:
    rows = analysis.cooccurrence_rows(store, level, unit)
except QualcodeError as error:
    st.error(str(error))
    st.stop()
if not rows:
    st.info("No accepted codings yet: code some segments, then come back.")
    st.stop()

frame = pd.DataFrame(rows)
frame["value"] = frame["both"] if measure == "count" else frame["jaccard"]
frame["a"], frame["b"] = frame["label_a"].map(state.shown), frame["label_b"].map(state.shown)
frame["shown"] = frame["value"].map(lambda v: f"{v:g}" if v else "")
order = list(dict.fromkeys(frame["a"]))
pick = alt.selection_point(name="pair", fields=["code_a", "code_b"], on="click")
title = f"{'segments' if unit == 'segment' else 'participants'} with both" if measure == "count" else "Jaccard"
base = alt.Chart(frame).encode(
    x=alt.X("b:N", sort=order, title=None, axis=alt.Axis(labelAngle=-40, labelLimit=220)),
    y=alt.Y("a:N", sort=order, title=None, axis=alt.Axis(labelLimit=280)),
)
cells = (
    base.mark_rect(stroke="white")
    .encode(
        color=alt.Color("value:Q", title=title, scale=alt.Scale(scheme="oranges", domainMin=0)),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.5)),
        tooltip=[
            alt.Tooltip("a:N", title="code"),
            alt.Tooltip("b:N", title="with"),
            alt.Tooltip("both:Q", title="both"),
            alt.Tooltip("jaccard:Q", title="Jaccard"),
        ],
    )
    .add_params(pick)
)
labels = base.mark_text(fontSize=10).encode(text="shown:N")
event = st.altair_chart(
    (cells + labels).properties(height=max(240, 26 * len(order))),
    on_select="rerun",
    key="co_chart",
    selection_mode="pair",
    width="stretch",
)
st.caption(
    f"Colour and number are the same measure: {title}. The diagonal is each code's own count. Click a cell to read "
    "the passages coded with both."
)
points = ((getattr(event, "selection", None) or {}).get("pair") or []) if event else []
top = analysis.top_pairs(rows)
if points:
    chosen = (points[0]["code_a"], points[0]["code_b"])
elif top:
    chosen = (top[0]["code_a"], top[0]["code_b"])
else:
    chosen = (rows[0]["code_a"], rows[0]["code_a"])
label = {code_id: state.shown(codebook.get(code_id).label) for code_id in frame["code_a"]}
st.subheader(f"Passages coded with {label[chosen[0]]} and {label[chosen[1]]}")
passages = analysis.shared_segments(store, chosen[0], chosen[1], level=level, mask=state.masked_view())
st.caption(f"{len(passages)} segment{'s' * (len(passages) != 1)}.")
for passage in passages[:50]:
    with st.container(border=True):
        st.markdown("> " + passage["text"].replace("\n", "\n> "))
        st.caption(
            state.shown(
                " · ".join(filter(None, [f"**{passage['participant']}**", passage["role"], passage["document_id"]]))
            )
        )
table = frame[["code_a", "code_b", "both", "units_a", "units_b", "jaccard"]]
st.download_button("Download CSV", lambda: table_bytes(table, "csv"), "cooccurrence.csv", "text/csv", key="co_csv")
