"""The `qualcode` command line: parses input, calls qualcode.project, prints results.

Each area's commands live in their own module and register on the `main` group.
"""

from __future__ import annotations

from . import (  # noqa: F401  (registers commands)
    analysis,
    app,
    codebook,
    codings,
    documents,
    exchange,
    export,
    history,
    maintenance,
    reports,
    retrieval,
    speakers,
    suggest,
    team,
)
from .base import main

__all__ = ["main"]
