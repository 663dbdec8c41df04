"""Report files for a research write-up: quote tables and frequency tables.

`export_quotes` and `export_frequencies` are what `qualcode export quotes` and
`qualcode export frequencies` run: select from the store (with the same analysis
functions the app's dashboard uses), mask identifiers, and write CSV, XLSX,
Markdown or Word with a record of what the file was made from.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...store import Store
from ..writer import output_format, store_files
from .formats import about_path
from .frequencies import write_frequencies
from .quotes import write_quotes
from .tables import QUOTE_COLUMNS, QuoteSelection, QuoteTable, frequency_table, quote_table, shorten

FORMATS = ("csv", "xlsx", "md", "docx")

__all__ = [
    "FORMATS",
    "QUOTE_COLUMNS",
    "QuoteSelection",
    "QuoteTable",
    "ReportResult",
    "export_frequencies",
    "export_quotes",
    "quote_table",
    "shorten",
]


@dataclass
class ReportResult:
    """What an export wrote: where, how many rows, and how many identifiers it masked (`hits` by placeholder, never by name)."""

    path: Path
    rows: int
    masked: int = 0
    hits: Counter = field(default_factory=Counter)
    masking: bool = True
    sidecar: Path | None = None
    about: dict[str, Any] = field(default_factory=dict)


def export_quotes(
    store: Store,
    path: str | Path,
    fmt: str,
    selection: QuoteSelection | None = None,
    mask: bool = True,
    checked: bool = False,
) -> ReportResult:
    """Write a quote table; names on the project's identifiers list are masked unless `mask` is off and `checked`."""
    path = Path(path)
    fmt = output_format(path, fmt, FORMATS, protect=store_files(store))
    table = quote_table(store, selection or QuoteSelection(), mask=mask, checked=checked)
    write_quotes(table, fmt, path, store_files(store))
    return ReportResult(
        path,
        len(table.rows),
        table.masker.total,
        table.masker.by_placeholder(),
        mask,
        about_path(path) if fmt == "csv" else None,
        table.about,
    )


def export_frequencies(
    store: Store,
    path: str | Path,
    fmt: str,
    by: list[str] | None = None,
    statuses: tuple[str, ...] | None = ("accepted",),
    coders: list[str] | None = None,
    where: dict[str, list[str]] | None = None,
    mask: bool = True,
    checked: bool = False,
) -> ReportResult:
    """Write the frequency of every theme and code per group of `by` attributes (default role), with totals; group names masked."""
    path = Path(path)
    fmt = output_format(path, fmt, FORMATS, protect=store_files(store))
    by = list(by or ["role"])
    frame, about = frequency_table(store, by, statuses, coders, where, mask=mask, checked=checked)
    write_frequencies(frame, by, about, fmt, path, store_files(store))
    return ReportResult(path, len(frame), sidecar=about_path(path) if fmt == "csv" else None, about=about)
