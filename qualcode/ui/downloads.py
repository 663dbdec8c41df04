"""Bytes of a shown table for st.download_button, masked and written by the same guarded writer as the CLI exports."""

from __future__ import annotations

import pandas as pd

from qualcode.reports import writer
from qualcode.ui import state


def table_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    """The table as CSV or XLSX bytes: names on the identifiers list masked (always), formula-leading cells kept as text."""
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    rows, columns = state.masker().mask_rows(rows, [str(c) for c in frame.columns])
    return writer.table_bytes(rows, columns, fmt)
