"""Framework matrix: a summary of what each group said on each theme, with counts; a researcher's own summary is kept."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from qualcode.errors import QualcodeError
from qualcode.project import analysis
from qualcode.ui import queries, state

st.title("Framework matrix")
store = state.store()
state.flash()
attributes = queries.attributes(*state.key())
names = [c for c in attributes.columns if c != "id"]
row = st.columns([2, 2, 3])
options = [*dict.fromkeys(["role", *names]), "participant"]
by = row[0].selectbox(
    "Rows", options, key="fw_by", format_func=lambda v: "one per participant" if v == "participant" else v
)
level = row[1].segmented_control(
    "Columns",
    ["theme", "code"],
    default="theme",
    key="fw_level",
    required=True,
    format_func=lambda v: "Themes" if v == "theme" else "Codes",
)
try:
    with st.spinner("Summarising each cell from its passages…"):
        matrix = analysis.framework(store, by, level)
except QualcodeError as error:
    st.error(str(error))
    st.stop()
if not matrix.rows:
    st.info("No transcripts yet.")
    st.stop()


def shown_row(value: str) -> str:
    return state.shown(value)


screen = state.masker() if state.masked_view() else analysis.Masker([], enabled=False)
table = pd.DataFrame(
    [
        {
            by: shown_row(r),
            **{state.shown(label): analysis.cell_text(matrix, r, c, screen) for c, label in matrix.columns},
        }
        for r in matrix.rows
    ]
)
st.caption(
    "Each cell: up to three sentences from the cell's own coded passages (most central first, none repeating another, "
    "each with its participant), then its passages and participants. A summary you write replaces it and is kept."
)
st.table(table.set_index(by))

st.subheader("Edit a cell's summary")
pick = st.columns(2)
cell_row = pick[0].selectbox("Row", matrix.rows, key="fw_row", format_func=shown_row)
labels = dict(matrix.columns)
cell_code = pick[1].selectbox(
    "Column", [c for c, _ in matrix.columns], key="fw_code", format_func=lambda c: state.shown(labels[c])
)
cell = matrix.cell(cell_row, cell_code)
st.caption(
    f"{cell.count} passages from {cell.participants} participants."
    + (f" Summary written by {cell.edit['author']} at {cell.edit['edited_at']}." if cell.edit else " Summary computed.")
)
with st.expander("Computed summary and the cell's passages"):
    st.markdown(state.shown(cell.computed_text) or "_No passages._")
    for passage in cell.passages[:30]:
        st.markdown("> " + state.shown(passage["quote"]).replace("\n", "\n> "))
        st.caption(f"{state.shown(passage['participant'])} · {passage['code_label']}")
edited = st.text_area(
    "Summary", value=state.shown(cell.summary), key=f"fw_text_{by}_{level}_{cell_row}_{cell_code}", height=140
)
if st.button("Keep this summary", key="fw_save", disabled=not state.coder(), type="primary"):
    if (
        state.write(lambda: analysis.keep_summary(store, matrix, cell_row, cell_code, edited, state.coder()))
        is not None
    ):
        st.session_state["_flash"] = "Summary kept; recomputing the matrix will not replace it."
        st.rerun()
if not state.coder():
    st.info("Enter your name as coder in the sidebar to keep a summary.")


def framework_bytes(fmt: str) -> bytes:
    """The matrix file, written by the same code as `qualcode export framework`."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"framework.{fmt}"
        analysis.export_framework(store, path, fmt, by, level)
        return path.read_bytes()


downloads = st.columns(3)
for column, fmt in zip(downloads, analysis.FRAMEWORK_FORMATS):
    column.download_button(
        f"Download {fmt.upper()}", lambda fmt=fmt: framework_bytes(fmt), f"framework_{by}.{fmt}", key=f"fw_{fmt}"
    )
