"""Report files for a write-up, as the faces ask for them: quote, frequency and code-report tables.

Selection, masking and writing live in `qualcode.export.reports`; this module is the one
door the CLI and the app use to reach them.
"""

from __future__ import annotations

from ..export.reports import FORMATS, QuoteSelection, ReportResult, export_frequencies, export_quotes
from ..export.reports.code_report import COLUMNS as CODE_REPORT_COLUMNS
from ..export.reports.code_report import CodeReport, code_report, write_code_report

__all__ = [
    "CODE_REPORT_COLUMNS",
    "FORMATS",
    "CodeReport",
    "QuoteSelection",
    "ReportResult",
    "code_report",
    "export_frequencies",
    "export_quotes",
    "write_code_report",
]
