"""Teamwork, as the faces ask for it: blind coding, resolving a disagreement, and agreement between coders.

The rules live in `qualcode.team` (who may see what, kappa and alpha); this module is
the one door the CLI and the app use to reach them.
"""

from __future__ import annotations

from ..team.agreement import LEVELS, OVERALL, UNCODED, UNITS, AgreementReport, agreement, disagreements
from ..team.coders import blind_codings, decide_blind, require_coders, resolve
from ..team.statistics import RESAMPLES, SEED

__all__ = [
    "LEVELS",
    "OVERALL",
    "RESAMPLES",
    "SEED",
    "UNCODED",
    "UNITS",
    "AgreementReport",
    "agreement",
    "blind_codings",
    "decide_blind",
    "disagreements",
    "require_coders",
    "resolve",
]
