"""The table writer under its first name; it lives in qualcode.reports.writer, the one guarded way out."""

from __future__ import annotations

from .reports.writer import table_bytes, write_table

__all__ = ["table_bytes", "write_table"]
