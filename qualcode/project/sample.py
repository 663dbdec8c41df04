"""The sample project: the shipped interviews, their gold coding and suggestions, in one store.

`qualcode demo` builds it on first run so every page of the app has something to show.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import project
from ..errors import StoreError

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "transcripts_sample"
CODEBOOK = ROOT / "codebooks" / "pb_employment.yaml"
SAMPLE_CODER = "sample"


@dataclass
class SampleProject:
    """What building the sample project put in the store."""

    documents: int = 0
    codings: int = 0
    suggestions: int = 0
    identifiers: int = 0


def build_sample_project(db: str | Path, say: Callable[[str], None] | None = None) -> SampleProject:
    """Create the sample project at `db`: codebook, transcripts, gold coding as coder `sample`, suggestions.

    Built in a temporary file beside `db` and moved into place at the end, so a
    failure never leaves a half-built store.
    """
    say = say or (lambda _message: None)
    target = Path(db)
    if target.exists():
        raise StoreError(
            f"{target}: a file already exists there; open it in the app, or choose another place for the sample.",
            hint="store",
        )
    for needed in (SAMPLE, CODEBOOK):
        if not needed.exists():
            raise StoreError(
                f"{needed}: the sample files are missing; run from a clone of the qualcode repository (pip install -e .)."
            )
    building = target.with_name(f".{target.name}.building")
    _remove(building)
    built = SampleProject()
    try:
        _build(building, built, say)
        os.replace(building, target)
    finally:
        _remove(building)
    return built


def _build(path: Path, built: SampleProject, say: Callable[[str], None]) -> None:
    store = project.init_project(path, CODEBOOK, author=SAMPLE_CODER)
    try:
        say(f"Importing the sample interviews from {SAMPLE.name}/ ...")
        report = project.import_transcripts(store, [SAMPLE])
        built.documents = len(report.imported)
        say(f"Loading the gold coding as the accepted work of coder `{SAMPLE_CODER}` ...")
        built.codings = project.import_codings(store, SAMPLE / "gold_codings.csv", SAMPLE_CODER, "accepted").added
        identifiers = SAMPLE / "identifiers.txt"
        if identifiers.exists():
            from .identifiers import import_identifiers

            built.identifiers = len(import_identifiers(store, identifiers)[0])
        say("Suggesting codes for every participant segment ...")
        built.suggestions = project.suggest(store).added
    finally:
        store.close()


def _remove(path: Path) -> None:
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        file.unlink(missing_ok=True)
