"""Code report page: every passage coded with a code or theme, across transcripts, filterable by attribute."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from qualcode.project import reports
from qualcode.ui import queries, state
from qualcode.ui.codebook_edit import tree_label

st.title("Code report")
store = state.store()
codebook = queries.codebook(*state.key())
attributes = queries.attributes(*state.key())
left, middle, right = st.columns([3, 2, 2])
code_id = left.selectbox(
    "Code or theme (a theme includes its sub-codes)",
    codebook.ids(),
    key="report_code",
    format_func=lambda i: tree_label(codebook, i),
)
names = [c for c in attributes.columns if c != "id"]
by = middle.selectbox("Filter by attribute", ["(none)", *names], key="report_by")
values = sorted(attributes[by].dropna().astype(str).unique()) if by in names else []
chosen = right.multiselect("Values", values, key="report_values", disabled=not values, placeholder="any value")
with_pending = st.toggle("Include pending suggestions", key="report_pending")
where = {by: list(chosen)} if by in names and chosen else None
statuses = ("accepted", "pending") if with_pending else ("accepted",)
report = reports.code_report(store, code_id, where, None, statuses)
st.caption(
    f"{len(report.rows)} passages in {len({r['document_id'] for r in report.rows})} transcripts; "
    f"{report.masker.total} identifiers masked."
)
frame = pd.DataFrame(report.rows, columns=reports.CODE_REPORT_COLUMNS)
st.dataframe(
    frame, hide_index=True, width="stretch", column_config={"quote": st.column_config.TextColumn(width="large")}
)


def report_bytes(fmt: str) -> bytes:
    """The report file, written by the same code as `qualcode export code-report`."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"report.{fmt}"
        reports.write_code_report(report, fmt, path)
        return path.read_bytes()


downloads = st.columns(4)
for column, fmt in zip(downloads, ("md", "docx", "xlsx", "csv")):
    column.download_button(
        f"Download {fmt.upper()}",
        lambda fmt=fmt: report_bytes(fmt),
        f"code_report_{code_id}.{fmt}",
        key=f"report_{fmt}",
    )
