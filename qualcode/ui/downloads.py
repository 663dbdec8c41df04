"""Bytes of a shown table for st.download_button, masked and written by the same guarded writer as the CLI exports."""

from __future__ import annotations

import pandas as pd

from qualcode.export import writer
from qualcode.project.identifiers import Masker
from qualcode.ui import state


def table_bytes(frame: pd.DataFrame, fmt: str, masker: Masker | None = None) -> bytes:
    """The table as CSV or XLSX bytes: names masked (always; by the project's masker unless one is given), formulas kept as text."""
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    rows, columns = (masker or state.masker()).mask_rows(rows, [str(c) for c in frame.columns])
    return writer.table_bytes(rows, columns, fmt)
