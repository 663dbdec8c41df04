"""The Code page as a coder uses it (AppTest): no click lost, labels from the store, the whole session logged."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from coding_session import CODER, DOCUMENT, Session
from streamlit.testing.v1 import AppTest

from qualcode import project
from qualcode.store import Store
from qualcode.words import count

pytestmark = pytest.mark.slow(45)  # seconds, all this file's tests together: started first (conftest.py)

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


@pytest.fixture
def db(suggested_cm01: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "app.db"
    shutil.copy(suggested_cm01, path)
    monkeypatch.setenv("QUALCODE_DB", str(path))
    return path


def code_page(document: str = DOCUMENT) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.sidebar.text_input(key="coder").input(CODER)
    at.query_params.update({"document": document})
    at.switch_page("qualcode/ui/page_code.py").run()
    assert not at.exception, at.exception
    return at


def picker(at: AppTest, label: str):
    return next(box for box in at.selectbox if box.label == label)


class AppTestDriver:
    """Clicks on the Code page through AppTest."""

    def __init__(self, at: AppTest) -> None:
        self.at = at

    def segment(self) -> int:
        return picker(self.at, "Segment").value

    def suggestion_ids(self) -> list[int]:
        return [
            int(b.key.split("_")[1])
            for b in self.at.button
            if b.key and b.key.startswith("accept_") and b.key != "accept_all"
        ]

    def click(self, key: str) -> None:
        self.at.button(key=key).click().run()

    def accept_level(self, level: float) -> None:
        self.at.slider(key="accept_above").set_value(level).run()

    def add_code(self, segment_id: int, code_id: str, first: int, last: int, count: int) -> None:
        self.at.selectbox(key=f"add_code_{segment_id}").select(code_id)  # one form: it runs on Add code
        if last > 1:
            self.at.select_slider(key=f"sentences_{segment_id}").set_range(first, last)
        self.click("add")

    def memo(self, segment_id: int, text: str) -> None:
        self.at.text_area(key=f"memo_{segment_id}").input(text)
        self.click("save_memo")

    def pick_segment(self, segment_id: int) -> None:
        picker(self.at, "Segment").select(segment_id).run()

    def settle(self) -> None:
        """Nothing to wait for: AppTest returns once the run a click started has ended."""

    def check(self) -> None:
        assert not self.at.exception, self.at.exception
        assert not self.at.error, [e.value for e in self.at.error]
        assert picker(self.at, "Transcript").value == DOCUMENT


def test_thirty_steps_of_coding_are_logged_exactly_in_order(db: Path) -> None:
    session = Session(AppTestDriver(code_page()), db)
    session.run()
    session.assert_log()


def test_after_accept_next_moves_on_in_the_same_transcript_and_labels_follow_the_store(db: Path) -> None:
    at = code_page("JC05")
    store = Store.open(db)
    pending = store.codings(document_ids=["JC05"], statuses=["pending"])
    ids = [s["id"] for s in store.segments("JC05")]
    store.close()
    target = pending[0]["segment_id"]
    picker(at, "Segment").select(target).run()
    at.button(key=f"accept_{pending[0]['id']}").click().run()
    assert not at.exception and [s.value for s in at.success] == ["Suggestion accepted."]
    assert "· coded" in picker(at, "Segment").format_func(target)
    at.button(key="next").click().run()
    assert not at.exception
    assert (picker(at, "Transcript").value, picker(at, "Segment").value) == ("JC05", ids[ids.index(target) + 1])
    at.text_area(key=f"memo_{ids[ids.index(target) + 1]}").input("a typed memo is kept")
    at.button(key="save_memo").click().run()
    assert [s.value for s in at.success] == ["Memo saved."] and not at.error
    store = Store.open(db)
    counts = next(r for r in project.list_documents(store) if r["id"] == "JC05")
    coded = project.coded_segments(store.codings(document_ids=["JC05"]))
    still = len(store.codings(document_ids=["JC05"], statuses=["pending"]))
    store.close()
    assert picker(at, "Transcript").format_func("JC05").endswith(f"{len(coded)}/{len(ids)} coded · {still} pending")
    assert counts["id"] == "JC05"


def test_bulk_accept_then_next_and_a_second_accept_are_not_lost(db: Path) -> None:
    at = code_page("JC05")
    above = int(at.button(key="accept_all").label.split()[1])
    at.button(key="accept_all").click().run()
    assert [s.value for s in at.success] == [f"Accepted {count(above, 'suggestion')}."]
    at.button(key="next").click().run()
    at.button(key="next_uncoded").click().run()
    here = picker(at, "Segment").value
    buttons = [b.key for b in at.button if b.key and b.key.startswith("accept_") and b.key != "accept_all"]
    if buttons:
        at.button(key=buttons[0]).click().run()
        assert [s.value for s in at.success] == ["Suggestion accepted."]
    assert (picker(at, "Transcript").value, picker(at, "Segment").value) == ("JC05", here)
    assert not at.exception and not at.error


def test_undo_with_nothing_to_undo_says_so_on_the_page(db: Path) -> None:
    at = code_page()
    at.button(key="undo").click().run()
    assert [e.value for e in at.error] == [f"{CODER} has no decision left to undo."]


def test_a_transcript_without_a_role_or_codings_shows_whole_counts(
    tmp_path: Path, small_codebook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "plain.db"
    (tmp_path / "chat.txt").write_text(
        "Interviewer: How is work?\nAnn: My wage is low and my mum helps.\n", encoding="utf-8"
    )
    store = project.init_project(path, small_codebook)
    project.import_transcripts(store, [tmp_path / "chat.txt"])
    store.close()
    monkeypatch.setenv("QUALCODE_DB", str(path))
    at = code_page("chat")
    label = picker(at, "Transcript").options[0]
    assert "0/1 coded · 0 pending" in label and ".0" not in label, label
