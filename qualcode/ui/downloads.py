"""Bytes of a shown table for st.download_button, written by the same code as the CLI exports."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from qualcode.exports import write_table


def table_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    """The table as CSV or XLSX bytes."""
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"table.{fmt}"
        write_table(rows, list(frame.columns), fmt, path)
        return path.read_bytes()
