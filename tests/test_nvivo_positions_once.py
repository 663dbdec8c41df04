"""An NVivo project's UTF-16 positions are converted with one table per source, not one per selection.

Building the table reads the whole source, so one per selection made a long NVivo
transcript with many codings take seconds per hundred codings to import.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_interop import run
from test_interop_selections import TEXT, nvivo_project

from qualcode.export.refi import qdpx
from qualcode.export.refi.positions import Offsets
from qualcode.store import Store


def test_each_source_gets_one_position_table_and_every_coding_lands_on_its_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str] = []

    class Counted(Offsets):
        def __init__(self, text: str) -> None:
            built.append(text)
            super().__init__(text)

    monkeypatch.setattr(qdpx, "Offsets", Counted)
    db = tmp_path / "nvivo.db"
    result = run(db, "import", "project", nvivo_project(tmp_path / "vaccines.qdpx"))
    assert result.exit_code == 0, result.output
    assert len(built) == 1  # one source, two selections
    store = Store.open(db)
    try:
        coded = sorted(TEXT[row["start"] : row["end"]] for row in store.codings(statuses=["accepted"]))
    finally:
        store.close()
    assert coded == ["afraid", "my doctor explained"]
