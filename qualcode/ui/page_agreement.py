"""Agreement: how far coders agree per code, the units where they differ, and a recorded resolution for each."""

from __future__ import annotations

import streamlit as st

from qualcode.errors import QualcodeError
from qualcode.project import team
from qualcode.ui import queries, state, team_queries
from qualcode.ui.downloads import table_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNITS = {"segment": "Segments", "sentence": "Sentences", "character": "Characters"}
LEVELS = {"code": "Codes", "theme": "Themes (top-level codes)"}


st.title("Agreement between coders")
store = state.store()
state.flash()
if state.blind():
    st.info("You are coding blind. Switch “Blind coding” off in the sidebar when you choose to compare.")
    st.stop()
key = state.key()
coders = queries.coders(*key)
if len(coders) < 2:
    st.info("Agreement needs decisions by at least two coders in this store.")
    st.stop()

with st.container(border=True):
    row = st.columns([3, 1.2, 1.6, 3])
    chosen = row[0].multiselect("Coders", coders, key="agreement_coders", placeholder="choose two or more")
    unit = row[1].selectbox("Unit", list(UNITS), key="agreement_unit", format_func=UNITS.get)
    level = row[2].selectbox("Level", list(LEVELS), key="agreement_level", format_func=LEVELS.get)
    documents = row[3].multiselect(
        "Transcripts",
        list(queries.documents(*key)["id"]),
        key="agreement_documents",
        placeholder="every transcript they all coded",
    )
if len(chosen) < 2:
    st.info("Choose at least two coders to compare.")
    st.stop()
picked = (tuple(chosen), unit, level, tuple(documents) or None)
try:
    with st.spinner("Comparing coders…"):
        found = team_queries.report(*key, *picked)
except QualcodeError as error:
    st.error(state.error_text(error))
    st.stop()

st.subheader("Agreement per code")
st.caption(
    f"{found.units} {unit}s in {len(found.documents)} transcripts coded by all of {', '.join(found.coders)}. "
    f"Intervals: 95% from {found.resamples} bootstrap resamples of segments (seed {found.seed}). "
    f"The last row, `{team.OVERALL}`, is nominal alpha with one code per unit (several codes or none: missing)."
)
table = team_queries.table(found)
st.markdown(team_queries.overall_line(found))
st.dataframe(state.shown_frame(table), hide_index=True, width="stretch")
if found.left_out:
    st.warning(state.shown("Left out, not coded by every chosen coder: " + " ".join(found.left_out_lines())))
for note in found.notes:
    st.caption(note)
downloads = st.columns(4)
downloads[0].download_button("Download CSV", lambda: table_bytes(table, "csv"), "agreement.csv", "text/csv", key="csv")
downloads[1].download_button("Download XLSX", lambda: table_bytes(table, "xlsx"), "agreement.xlsx", XLSX, key="xlsx")

st.subheader("Disagreements")
labels = {r["code_id"]: r["label"] or r["code_id"] for r in found.rows if r["code_id"] != team.OVERALL}
code = st.selectbox(
    "Code", list(labels), index=None, key="disagreement_code", format_func=labels.get, placeholder="every code"
)
try:
    rows = team_queries.disagreements(*key, *picked, code)
except QualcodeError as error:
    st.error(state.error_text(error))
    st.stop()
if rows.empty:
    st.info("The coders agree on every unit" + (" for this code." if code else "."))
    st.stop()
st.caption(f"{len(rows)} units where {', '.join(chosen)} differ: each coder's yes or no, and the text.")
shown = rows[["span", "code_id", "label", *chosen, "text"]]
st.dataframe(state.shown_frame(shown), hide_index=True, width="stretch")
st.download_button(
    "Download disagreements (CSV)",
    lambda: table_bytes(shown, "csv"),
    "disagreements.csv",
    "text/csv",
    key="disagreements_csv",
)

st.subheader("Resolve a disagreement")
st.caption(
    "A resolution is a new decision by the coder named here (for example `consensus`); "
    "the codings being compared are never changed."
)


def describe(i: int) -> str:
    verdicts = ", ".join(f"{c}: {rows.at[i, c]}" for c in chosen)
    return f"{rows.at[i, 'span']} · {rows.at[i, 'label'] or rows.at[i, 'code_id']} · {verdicts}"


pick = st.selectbox("Disagreement", list(rows.index), key="resolve_pick", format_func=describe)
unit_row = rows.loc[pick]
st.markdown("> " + state.shown(" ".join(unit_row["text"].split())))
with st.form("resolve", clear_on_submit=True):
    line = st.columns([2, 3])
    resolver = line[0].text_input(
        "Decided by",
        key="resolver",
        placeholder=state.coder() or "consensus",
        help="Leave empty to record the decision as yours (the coder in the sidebar).",
    )
    applies = line[1].radio(
        f"“{unit_row['label'] or unit_row['code_id']}” here",
        [True, False],
        horizontal=True,
        key="resolve_applies",
        format_func=lambda v: "applies" if v else "does not apply",
    )
    memo = st.text_area("Memo", key="resolve_memo", placeholder="why, after discussion (optional)", height=80)
    submitted = st.form_submit_button("Record decision", type="primary")
if submitted:
    name = (resolver or "").strip() or state.coder()
    verdict = "applies" if applies else "does not apply"
    if not name:
        st.error("Name who decides (for example consensus), or enter your name as coder in the sidebar.")
    elif state.write(
        lambda: team.resolve(
            store,
            name,
            unit_row["document_id"],
            int(unit_row["start"]),
            int(unit_row["end"]),
            unit_row["code_id"],
            applies,
            memo or "",
        ),
        f"Recorded {name}'s decision: `{unit_row['code_id']}` {verdict} at {unit_row['span']}.",
    ):
        st.rerun()
