"""The app's Import page takes a table of units (.csv) beside transcripts, as `qualcode import` does."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SMALL_CODEBOOK
from test_app import open_page, submit_import

from qualcode import project
from qualcode.store import Store

pytestmark = pytest.mark.slow(15)  # seconds, this file's tests together: started first (conftest.py)

UNITS = b"""unit_id,respondent,role,text
R1-Q1,R1,carer,My mum got help with her benefits.
R1-Q2,R1,carer,"The wage was too low, and the bus was late."
R2-Q1,R2,nurse,"Nothing, really."
"""


@pytest.fixture
def units_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty store with the small codebook, named to the app by $QUALCODE_DB."""
    (tmp_path / "small.yaml").write_text(SMALL_CODEBOOK, encoding="utf-8")
    project.init_project(tmp_path / "app.db", tmp_path / "small.yaml").close()
    monkeypatch.setenv("QUALCODE_DB", str(tmp_path / "app.db"))
    return tmp_path / "app.db"


def test_a_table_of_units_is_offered_and_imports_one_transcript_per_respondent(units_db: Path) -> None:
    at = open_page("page_import.py")
    uploader = at.file_uploader(key="transcripts")
    assert "csv" in [kind.lstrip(".") for kind in uploader.allowed_type]  # the browser's file picker offers it
    uploader.upload("answers.csv", UNITS, "text/csv")
    submit_import(at)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [m.value for m in at.metric] == ["2", "0", "0"]
    store = Store.open(units_db)
    try:
        assert store.attributes() == {"R1": {"role": "carer"}, "R2": {"role": "nurse"}}
        assert [s["text"] for s in project.segments(store)] == [
            "My mum got help with her benefits.",
            "The wage was too low, and the bus was late.",
            "Nothing, really.",
        ]
    finally:
        store.close()


def test_a_participants_file_given_as_a_table_is_refused_pointing_to_its_own_box(units_db: Path) -> None:
    at = open_page("page_import.py")
    at.file_uploader(key="transcripts").upload("people.csv", b"id,role\nR1,carer\n", "text/csv")
    submit_import(at)
    assert [m.value for m in at.metric] == ["0", "0", "1"]
    assert [e.value for e in at.error] == [
        "people.csv: has no `text` column, so it is not a table of units; if it gives participants' attributes, "
        "give it as the participants file (choose it in the participants.csv box)."
    ]
