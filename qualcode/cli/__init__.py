"""The `qualcode` command line: parses input, calls qualcode.project, prints results.

Each area's commands live in their own module and register on the `main` group.
"""

from __future__ import annotations

from . import analysis, app, codebook, codings, documents, exchange, export, history, maintenance, reports, retrieval, speakers, suggest, team  # noqa: F401  (registers commands)
from .base import main

__all__ = ["main"]
