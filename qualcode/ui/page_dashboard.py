"""Themes by role: theme frequency by stakeholder role (or any attribute), with illustrative quotes."""

from __future__ import annotations

import streamlit as st

from qualcode.errors import QualcodeError
from qualcode.ui import charts, queries, state
from qualcode.ui.downloads import table_bytes
from qualcode.ui.main import pages

st.title("Themes by role")
store = state.store()
state.flash()
key = state.key()
documents = queries.attributes(*key)
codebook = queries.codebook(*key)
attributes = [c for c in documents.columns if c != "id"] or ["role"]

with st.container(border=True):
    row = st.columns([1.3, 1.2, 2.3, 1.6, 1.6])
    level = row[0].segmented_control(
        "Show",
        ["theme", "code"],
        default="theme",
        key="level",
        required=True,
        format_func=lambda v: "Themes" if v == "theme" else "Codes",
    )
    by = row[1].selectbox(
        "Group by", attributes, index=attributes.index("role") if "role" in attributes else 0, key="by"
    )
    values = sorted(documents[by].dropna().unique()) if by in documents else []
    chosen_values = row[2].multiselect(
        by.replace("_", " ").capitalize(),
        values,
        key=f"values_{by}",
        placeholder=f"every {by}",
        format_func=state.shown,
    )
    choices = [c.id for c in codebook.themes()] if level == "theme" else codebook.ids()
    chosen_codes = row[3].multiselect(
        "Themes" if level == "theme" else "Codes",
        choices,
        key=f"codes_{level}",
        format_func=lambda i: codebook.get(i).label,
        placeholder="all",
    )
    if state.blind():
        chosen_coders = row[4].multiselect(
            "Coders",
            [state.coder()],
            [state.coder()],
            key="coders_blind",
            disabled=True,
            help="Blind coding: only your own codings count until you switch it off.",
        )
    else:
        chosen_coders = row[4].multiselect(
            "Coders", queries.coders(*key), key="coders", placeholder="every coder", format_func=state.shown
        )
    row = st.columns([2, 3])
    with_pending = row[0].toggle("Include pending suggestions", key="with_pending")
    measure = row[1].radio(
        "Measure",
        ["participants", "segments"],
        horizontal=True,
        key="measure",
        format_func=lambda m: "Participants who raised it (n of m)" if m == "participants" else "Coded segments",
    )

statuses = ("accepted", "pending") if with_pending else ("accepted",)
try:
    table = queries.frequencies(*key, by, level, statuses, tuple(chosen_coders) or None, tuple(chosen_codes) or None)
except QualcodeError as error:
    st.error(state.error_text(error))
    st.stop()
if chosen_values:
    table = table[table[by].isin(chosen_values)]
if table.empty:
    st.info("Nothing to show for these filters.")
    st.stop()

screen = table.assign(**{by: table[by].map(state.shown), "label": table["label"].map(state.shown)})  # the masked view
unmasked = dict(zip(screen[by], table[by]))
frame = charts.chart_frame(screen, by, measure, level)
order = charts.row_order(frame, codebook.ids(), level)
heat, bars = st.tabs(["Heatmap", "Grouped bars"])
with heat:
    event = st.altair_chart(
        charts.heatmap(frame, by, order, measure),
        on_select="rerun",
        key="heatmap",
        selection_mode=charts.SELECTION,
        width="stretch",
    )
with bars:
    bar_event = st.altair_chart(
        charts.grouped_bars(frame, by, order, measure, level),
        on_select="rerun",
        key="bars",
        selection_mode=charts.SELECTION,
        width="stretch",
    )
st.caption(
    (
        "Colour and number show one measure: the participants in each group who raised it (n of m; darker, a larger share)"
        if measure == "participants"
        else "Colour and number show one measure: coded segments"
    )
    + (". Themes are in bold, each with its codes under it, most raised first" if level == "code" else "")
    + ". Click a cell or bar to read quotes."
)

for name, chosen in (("heatmap", charts.picked(event)), ("bars", charts.picked(bar_event))):
    if chosen and chosen != st.session_state.get(f"_picked_{name}"):
        st.session_state[f"_picked_{name}"] = chosen
        st.session_state["quote_code"], st.session_state["quote_group"] = (
            chosen["code_id"],
            unmasked.get(chosen["group"], chosen["group"]),
        )

codes_shown = list(dict.fromkeys(table["code_id"]))
groups_shown = list(dict.fromkeys(table[by]))
if st.session_state.get("quote_code") not in codes_shown or st.session_state.get("quote_group") not in groups_shown:
    busiest = table.sort_values(["participants", "segments"], ascending=False).iloc[0]
    st.session_state["quote_code"], st.session_state["quote_group"] = busiest["code_id"], busiest[by]

st.subheader("Illustrative quotes")
pick = st.columns([3, 2, 1])
code_id = pick[0].selectbox(
    "Theme" if level == "theme" else "Code",
    codes_shown,
    key="quote_code",
    format_func=lambda i: state.shown(codebook.get(i).label),
)
group = pick[1].selectbox(by.replace("_", " ").capitalize(), groups_shown, key="quote_group", format_func=state.shown)
count = pick[2].number_input("How many", 1, 20, 5, key="quote_n")
cell = table[(table["code_id"] == code_id) & (table[by] == group)].iloc[0]
st.caption(
    f"{state.shown(cell['label'])} · {by} {state.shown(group)}: raised by {cell['n_of_m']} participants in {cell['segments']} coded segments."
)
quotes = queries.quotes(*key, code_id, by, group, statuses, tuple(chosen_coders) or None, int(count))
if not quotes:
    st.info("No coded quotes for this cell.")
for quote in quotes:
    with st.container(border=True):
        st.markdown("> " + state.shown(quote["quote"]).replace("\n", "\n> "))
        line = st.columns([5, 2], vertical_alignment="center")
        line[0].caption(
            state.shown(
                " · ".join(filter(None, [f"**{quote['participant']}**", quote.get("role"), quote["code_label"]]))
                + f" · {quote['coder']} · {quote['status']}"
            )
        )
        line[1].page_link(
            pages()["code"],
            label="Open in transcript",
            icon=":material/open_in_new:",
            query_params={"document": quote["document_id"], "segment": str(quote["segment_id"] or "")},
        )

st.subheader("Table")
shown = table[[by, "label", "participants", "participants_total", "n_of_m", "segments", "code_id", "theme_id"]]
st.dataframe(state.shown_frame(shown), hide_index=True, width="stretch")
downloads = st.columns(4)
downloads[0].download_button(
    "Download CSV", lambda: table_bytes(shown, "csv"), "themes_by_role.csv", "text/csv", key="csv"
)
downloads[1].download_button(
    "Download XLSX",
    lambda: table_bytes(shown, "xlsx"),
    "themes_by_role.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="xlsx",
)
