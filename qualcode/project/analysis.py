"""Analysis a researcher runs on the coding, for the app and the CLI: search, co-occurrence, framework, saturation.

The figures come from `qualcode.analysis`; this module masks what leaves the project,
writes files through the guarded writer, and turns "code all hits" into coding decisions
of the coding loop (one logged decision per segment hit, undoable as one action).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..analysis import cooccurrence as co
from ..analysis import framework as fw
from ..analysis import saturation as sat
from ..analysis.search import CONTEXT, MODES, SPEECH, Query, search
from ..codebook import did_you_mean
from ..codebook.codable import require_codable
from ..errors import UnknownCodeError
from ..export.masking import Masker, masker_for
from ..export.reports.framework import FORMATS as FRAMEWORK_FORMATS
from ..export.reports.framework import cell_text, write_framework
from ..export.reports.tables import provenance
from ..export.writer import output_format, store_files, write_table
from ..store import NewCoding, Store
from .coding import coder_name

__all__ = [
    "CONTEXT",
    "FRAMEWORK_FORMATS",
    "HIT_COLUMNS",
    "MODES",
    "SPEECH",
    "CodedHits",
    "Masker",
    "Query",
    "cell_text",
    "code_hits",
    "cooccurrence_matrix",
    "cooccurrence_rows",
    "export_cooccurrence",
    "export_framework",
    "export_hits",
    "export_saturation",
    "framework",
    "keep_summary",
    "saturation",
    "search_hits",
    "shared_segments",
]

HIT_COLUMNS = [
    "document_id",
    "participant",
    "role",
    "speaker",
    "media_time",
    "left",
    "keyword",
    "right",
    "start",
    "end",
    "segment_id",
]
SATURATION_COLUMNS = [
    "group",
    "position",
    "document_id",
    "participant",
    "role",
    "date",
    "codes",
    "new",
    "new_codes",
    "cumulative",
]
TABLE_FORMATS = ("csv", "xlsx", "md")


def search_hits(
    store: Store,
    text: str,
    mode: str = "words",
    speech: str = "participant",
    where: dict[str, list[str]] | None = None,
    context: int = CONTEXT,
    mask: bool = True,
) -> list[dict[str, Any]]:
    """Every hit of a search with its keyword in context; names on the identifiers list masked in what is shown."""
    hits = search(store, Query(text, mode, speech), where, context)
    masker = masker_for(store, mask)
    return [
        {key: masker.mask_value(value) for key, value in hit.items()} for hit in hits
    ]  # ids too: they can hold names


@dataclass
class CodedHits:
    """What "code all hits" did: codings added (one per segment), and what was left as it was, with why."""

    added: list[int] = field(default_factory=list)
    already_coded: int = 0  # segments that already carried the code from this coder
    outside_segments: int = 0  # hits in interviewer turns or notes: nothing to code
    hits: int = 0


def code_hits(store: Store, hits: Iterable[dict[str, Any]], code_id: str, coder: str) -> CodedHits:
    """Code every segment holding a hit with `code_id` as `coder`'s decisions: one logged decision per segment, one action to undo."""
    name = coder_name(coder)
    codebook = store.codebook()
    if code_id not in codebook:
        raise UnknownCodeError(f"code `{code_id}` is not in the codebook{did_you_mean(code_id, codebook.ids())}.")
    require_codable(codebook, [code_id])
    hits = list(hits)
    report = CodedHits(hits=len(hits))
    segments = {s["id"]: s for s in store.segments()}
    held = {(c["segment_id"], c["code_id"]) for c in store.codings(statuses=["accepted"]) if c["coder"] == name}
    wanted: dict[int, dict[str, Any]] = {}
    for hit in hits:
        segment_id = hit.get("segment_id")
        if segment_id is None or segment_id not in segments:
            report.outside_segments += 1
        elif (segment_id, code_id) not in held:
            wanted.setdefault(segment_id, segments[segment_id])
    report.already_coded = len({h["segment_id"] for h in hits if (h.get("segment_id"), code_id) in held})
    new = [
        NewCoding(s["document_id"], s["start"], s["end"], code_id, name, segment_id=s["id"]) for s in wanted.values()
    ]
    report.added = store.add_codings(new) if new else []
    return report


def export_hits(store: Store, hits: list[dict[str, Any]], path: str | Path, fmt: str | None = None) -> Path:
    """Write search hits (already masked by `search_hits`) as CSV, XLSX or Markdown."""
    fmt = output_format(path, fmt, TABLE_FORMATS, protect=store_files(store))
    write_table(hits, HIT_COLUMNS, fmt, path, store_files(store))
    return Path(path)


def cooccurrence_rows(
    store: Store,
    level: str = "code",
    unit: str = "segment",
    where: dict[str, list[str]] | None = None,
    statuses: Iterable[str] | None = ("accepted",),
) -> list[dict[str, Any]]:
    """Every pair of used codes with how often both apply (segments or participants) and their Jaccard."""
    return co.cooccurrence(store, level, unit, where, statuses)


def top_pairs(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The pairs of different codes that occur together, most frequent first."""
    return co.pairs(rows)


def cooccurrence_matrix(rows: list[dict[str, Any]], measure: str = "count") -> tuple[list[str], list[list[float]]]:
    """The square matrix of a measure (count or jaccard) from `cooccurrence_rows`."""
    return co.matrix(rows, measure)


def shared_segments(
    store: Store,
    code_a: str,
    code_b: str,
    where: dict[str, list[str]] | None = None,
    level: str = "code",
    mask: bool = True,
) -> list[dict[str, Any]]:
    """The segments coded with both codes, their text masked: what a click on a co-occurrence cell shows."""
    rows = co.shared_segments(store, code_a, code_b, where, level=level)
    masker = masker_for(store, mask)
    return [{key: masker.mask_value(value) for key, value in row.items()} for row in rows]


def export_cooccurrence(
    store: Store,
    path: str | Path,
    fmt: str | None = None,
    level: str = "code",
    unit: str = "segment",
    measure: str = "count",
    where: dict[str, list[str]] | None = None,
) -> int:
    """Write the co-occurrence matrix (one row per code, a column per code) as CSV, XLSX or Markdown; returns its rows."""
    fmt = output_format(path, fmt, TABLE_FORMATS, protect=store_files(store))
    co.check_choice(measure, co.MEASURES, "measure")
    rows = cooccurrence_rows(store, level, unit, where)
    codes, table = co.matrix(rows, measure)
    out = [{"code": code, **dict(zip(codes, values))} for code, values in zip(codes, table)]
    write_table(out, ["code", *codes], fmt, path, store_files(store))
    return len(out)


def framework(store: Store, by: str = "role", level: str = "theme") -> fw.Framework:
    """The framework matrix: rows grouped by an attribute (or participant), columns themes or codes."""
    return fw.framework(store, by, level)


def keep_summary(store: Store, matrix: fw.Framework, row: str, code_id: str, summary: str, author: str) -> int:
    """Keep a researcher's own summary of a cell (author and time recorded); a recomputation never replaces it."""
    return fw.keep_edit(store, matrix, row, code_id, summary, author)


def export_framework(
    store: Store, path: str | Path, fmt: str | None = None, by: str = "role", level: str = "theme"
) -> fw.Framework:
    """Write the framework matrix as Markdown, Excel or Word, masked, with its provenance; returns the matrix."""
    fmt = output_format(path, fmt, FRAMEWORK_FORMATS, default=None, protect=store_files(store))
    matrix = framework(store, by, level)
    masker = masker_for(store)
    about = provenance(store, "Framework matrix", {"rows": by, "columns": level}, len(matrix.rows))
    about.pop("store", None)  # a report leaves the project without the local path of its store
    write_framework(matrix, about, masker, fmt, path, store_files(store))
    return matrix


def saturation(store: Store, window: int = sat.WINDOW, where: dict[str, list[str]] | None = None) -> sat.Saturation:
    """Codes first seen per interview, in interview order, overall and per role, with the stopping rule."""
    return sat.saturation(store, window, where)


def saturation_rows(result: sat.Saturation, mask: bool = True, store: Store | None = None) -> list[dict[str, Any]]:
    """Every curve's rows in one table (overall first), with names masked (transcript ids and participants too)."""
    masker: Masker = masker_for(store, mask) if store is not None else Masker([], enabled=False)
    return [
        {key: masker.mask_value(value) for key, value in row.items()}
        for curve in [result.overall, *result.by_role]
        for row in curve.rows
    ]


def export_saturation(store: Store, result: sat.Saturation, path: str | Path, fmt: str | None = None) -> int:
    """Write the saturation table (CSV, XLSX or Markdown); returns its rows."""
    fmt = output_format(path, fmt, TABLE_FORMATS, protect=store_files(store))
    rows = saturation_rows(result, store=store)
    write_table(rows, SATURATION_COLUMNS, fmt, path, store_files(store))
    return len(rows)
