"""A code marked not codable (`codable: false`, from a .qdpx's isCodable="false") groups codes and is never applied.

Every way of applying a code refuses it with one sentence, no picker offers it, and no
suggestion is ever made for it (an old one is withdrawn when suggesting again).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from qualcode import project
from qualcode.cli import main
from qualcode.errors import NotCodableError
from qualcode.project import team
from qualcode.store import NewCoding, Store

APP = str(Path(__file__).resolve().parent.parent / "app.py")
CODEBOOK = """\
name: Getting to work
version: 1
codes:
  - id: travel
    label: Travel
    codable: false
    definition: A heading for ways of getting to work.
  - id: bus
    parent: travel
    label: Bus
    keywords: [bus]
  - id: on_foot
    parent: travel
    label: Walking
    keywords: [walk]
  - id: feelings
    label: Feelings
    codable: false
    keywords: [late, worried]
"""
TEXT = "Interviewer: How do you get to work?\n\nRia: The bus is often late and I get worried, so some days I walk.\n"


def run(db: Path, *args: object):
    return CliRunner().invoke(main, ["--db", str(db), *map(str, args)])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("codable")
    (folder / "book.yaml").write_text(CODEBOOK, encoding="utf-8")
    (folder / "Ria.txt").write_text(TEXT, encoding="utf-8")
    db = folder / "built.db"
    assert run(db, "init", "--codebook", folder / "book.yaml").exit_code == 0
    assert run(db, "import", folder / "Ria.txt").exit_code == 0
    return db


@pytest.fixture
def db(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "project.db"
    shutil.copy(built, copy)
    return copy


def span_of(word: str) -> tuple[int, int]:
    start = TEXT.index(word)
    return start, start + len(word)


def test_coding_a_passage_with_a_code_not_codable_is_refused_in_one_sentence(db: Path) -> None:
    store = Store.open(db)
    try:
        with pytest.raises(NotCodableError) as refused:
            project.add_coding(store, "Ria", *span_of("bus is often late"), "travel", "ann")
        message = str(refused.value)
        assert message == (
            "code `travel` (Travel) is marked not codable in the codebook (it groups codes rather than being "
            "applied); code the passage with one of the codes under it (bus, on_foot)."
        )
        assert "--" not in message and refused.value.hint == "codable"
        with pytest.raises(NotCodableError, match="mark it codable in the codebook if it should be applied"):
            project.add_coding(store, "Ria", *span_of("worried"), "feelings", "ann")
        segment = next(s for s in store.segments("Ria") if "bus" in s["text"])
        with pytest.raises(NotCodableError):
            project.add_sentences(store, segment, 1, 1, "travel", "ann")
        with pytest.raises(NotCodableError):
            team.resolve(store, "consensus", "Ria", *span_of("worried"), "feelings", applies=True)
        assert store.codings() == []
        project.add_coding(store, "Ria", *span_of("bus is often late"), "bus", "ann")  # a codable code still goes
        team.resolve(store, "consensus", "Ria", *span_of("worried"), "feelings", applies=False)  # saying no is fine
        assert sorted((c["code_id"], c["status"]) for c in store.codings()) == [
            ("bus", "accepted"),
            ("feelings", "rejected"),
        ]
    finally:
        store.close()


def test_a_codings_file_using_a_code_not_codable_is_refused_naming_its_line_and_the_store_is_untouched(
    db: Path, tmp_path: Path
) -> None:
    start, end = span_of("walk")
    rows = tmp_path / "codings.csv"
    rows.write_text(
        f"document_id,start,end,code_id\nRia,{start},{end},on_foot\nRia,{start},{end},travel\n", encoding="utf-8"
    )
    before = db.read_bytes()
    result = run(db, "import-codings", rows, "--coder", "ann")
    assert result.exit_code != 0 and db.read_bytes() == before
    assert f"{rows}, line 3: code `travel` (Travel) is marked not codable" in result.output
    assert "(`qualcode codebook show` marks the codes that cannot be applied)" in result.output


def test_codebook_show_marks_the_codes_not_codable(db: Path) -> None:
    lines = run(db, "codebook", "show").output.splitlines()
    assert "Travel  [travel]  (not codable)" in lines and "  Bus  [bus]" in lines


def test_an_old_suggestion_on_a_code_not_codable_cannot_be_accepted_nor_is_offered_and_suggesting_withdraws_it(
    db: Path,
) -> None:
    store = Store.open(db)
    try:
        segment = next(s for s in store.segments("Ria") if "bus" in s["text"])
        old = NewCoding("Ria", segment["start"], segment["end"], "feelings", "qualcode", "suggested", "pending", 0.9)
        (coding_id,) = store.add_codings([old])  # made before the code was marked not codable
        with pytest.raises(NotCodableError):
            project.accept(store, [coding_id], "ann")
        with pytest.raises(NotCodableError):
            project.decide(store, [coding_id], "accepted", "ann", blind=True)
        assert all(s["code_id"] != "feelings" for item in project.review_queue(store) for s in item["suggestions"])
        run_ = project.suggest(store, min_confidence=0.0)
        assert run_.withdrawn >= 1
        suggested = {c["code_id"] for c in store.codings(statuses=["pending"])}
        assert suggested and suggested <= {"bus", "on_foot"}
        with pytest.raises(NotCodableError):
            project.suggest(store, code_ids=["feelings"])
        assert {c["code_id"] for c in store.codings(statuses=["pending"])} == suggested  # the refusal changed nothing
    finally:
        store.close()


def test_the_app_offers_only_codes_that_can_be_applied(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALCODE_DB", str(db))
    store = Store.open(db)
    segment = next(s for s in store.segments("Ria") if "bus" in s["text"])
    store.close()
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.sidebar.text_input(key="coder").input("ann")
    at.query_params.update({"document": "Ria", "segment": str(segment["id"])})
    at.switch_page("qualcode/ui/page_code.py").run()
    assert not at.exception, at.exception
    offered = [option.strip("\u2003") for option in at.selectbox(key=f"add_code_{segment['id']}").options]
    assert offered == [
        "Travel › Bus",
        "Travel › Walking · on_foot",
    ]  # found by typing their heading (not offered) or an id unlike the label
