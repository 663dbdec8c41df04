"""Cached reads for a team of coders: a coder's blind view, agreement and disagreements.

Each takes (location, stamp) first, like qualcode.ui.queries, so a write refreshes it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from qualcode.project import team
from qualcode.ui.state import opened

Stamp = tuple[Any, ...]
cached = st.cache_data(show_spinner=False, max_entries=32)
SHOWN = ("accepted", "pending")


@cached
def blind_codings(location: str, stamp: Stamp, document_id: str, coder: str) -> list[dict[str, Any]]:
    """What `coder` sees of a transcript in blind mode: their own codings and the suggestions open to them."""
    rows = team.blind_codings(opened(location), coder, [document_id])
    return [row for row in rows if row["status"] in SHOWN]


@cached
def report(
    location: str, stamp: Stamp, coders: tuple[str, ...], unit: str, level: str, documents: tuple[str, ...] | None
) -> team.AgreementReport:
    """Agreement of the coders per code and overall (bootstrap intervals included)."""
    return team.agreement(opened(location), coders, unit, level, documents)


@cached
def disagreements(
    location: str,
    stamp: Stamp,
    coders: tuple[str, ...],
    unit: str,
    level: str,
    documents: tuple[str, ...] | None,
    code: str | None,
) -> pd.DataFrame:
    """Units where the coders differ, one row each: span, code, each coder's yes/no and the text."""
    rows = team.disagreements(opened(location), coders, unit, level, documents, code)
    columns = ["span", "document_id", "segment_id", "start", "end", "code_id", "label", *coders, "text"]
    return pd.DataFrame(rows, columns=columns)


def table(found: team.AgreementReport) -> pd.DataFrame:
    """The agreement rows as a table, without the kappa columns when kappa does not apply (not two coders)."""
    frame = pd.DataFrame(found.rows, columns=found.columns())
    if len(found.coders) != 2:
        frame = frame.drop(columns=["kappa", "kappa_low", "kappa_high"])
    return frame


def overall_line(found: team.AgreementReport) -> str:
    """The overall row in a sentence: percent agreement, kappa (two coders) and alpha with their intervals."""
    row = next(r for r in found.rows if r["code_id"] == team.OVERALL)
    parts = [f"agreement {row['agreement_pct']}%" if row["agreement_pct"] is not None else "agreement n/a"]
    names = ("kappa", "alpha") if len(found.coders) == 2 else ("alpha",)
    for name in names:
        value, low, high = row[name], row[f"{name}_low"], row[f"{name}_high"]
        shown = (
            "n/a"
            if value is None
            else f"{value:.3f}" + (f" (95% CI {low:.3f} to {high:.3f})" if low is not None else "")
        )
        parts.append(f"{name} {shown}")
    return "**Overall**, one code per unit: " + ", ".join(parts) + "."
