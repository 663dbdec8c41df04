"""The codebook: its model and validation (model), its YAML layout, merging two teams' edits, and diffs.

A codebook is plain data read from YAML; nothing here touches the store. Versions of a
codebook kept in a project are the service's business (`qualcode.project.codebook`).
"""

from .model import (
    COLOUR_PATTERN,
    ID_PATTERN,
    Code,
    Codebook,
    CodebookProblem,
    did_you_mean,
    load_codebook,
    parse_codebook,
    validate_codebook,
)

__all__ = [
    "COLOUR_PATTERN",
    "ID_PATTERN",
    "Code",
    "Codebook",
    "CodebookProblem",
    "did_you_mean",
    "load_codebook",
    "parse_codebook",
    "validate_codebook",
]
