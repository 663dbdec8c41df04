"""The decision log: every decision kept in order, two coders never overwrite each other, undo restores exactly."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from conftest import CODEBOOK, SMALL_CODEBOOK
from test_store import store_at_revision, table_contents

from qualcode import project
from qualcode.codebook import parse_codebook
from qualcode.errors import NothingToUndoError, UndoConflictError
from qualcode.store import NewCoding, Store

TRANSCRIPT = (
    "Interviewer: How was the new job?\n"
    "P1: My benefit letter came on Monday. I was scared my universal credit would stop. My mum helped me read it.\n"
    "Interviewer: And the pay?\n"
    "P1: The wage is fine. My sister says the salary is better than her first one.\n"
)


@pytest.fixture
def small(tmp_path: Path) -> Store:
    """A store with the small codebook, one transcript and two pending suggestions on its first segment."""
    book = tmp_path / "small.yaml"
    book.write_text(SMALL_CODEBOOK, encoding="utf-8")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "LD01.txt").write_text(TRANSCRIPT, encoding="utf-8")
    store = project.init_project(tmp_path / "small.db", book)
    assert project.import_transcripts(store, [tmp_path / "in"]).ok
    first = store.segments("LD01")[0]
    store.add_codings(
        [
            NewCoding(
                "LD01",
                first["start"],
                first["end"],
                code,
                "qualcode",
                source="suggested",
                status="pending",
                confidence=0.9,
                evidence={"terms": ["benefit"]},
            )
            for code in ("benefits", "family")
        ]
    )
    yield store
    store.close()


def codings_table(store: Store) -> list[dict]:
    return [dict(row, evidence=json.dumps(row["evidence"])) for row in store.codings()]


def suggestion(store: Store, code: str) -> int:
    return next(c["id"] for c in store.codings(code_ids=[code], sources=["suggested"]) if c["coder"] == "qualcode")


def test_two_coders_deciding_one_suggestion_leave_two_log_rows_and_both_decisions(small: Store) -> None:
    coding = suggestion(small, "benefits")
    assert project.accept(small, [coding], "carol") == 1
    assert project.reject(small, [coding], "dave") == 1
    rows = [r for r in small.history() if r["action"] in ("accept", "reject")]
    assert [(r["action"], r["coder"]) for r in rows] == [("accept", "carol"), ("reject", "dave")]
    decided = {(c["coder"], c["status"]) for c in small.codings(code_ids=["benefits"])}
    assert decided == {("carol", "accepted"), ("dave", "rejected")}
    assert rows[0]["coding_id"] == coding and rows[1]["coding_id"] != coding and rows[1]["before"] is None
    project.accept(small, [coding], "dave")  # dave changes his mind: his own coding changes, carol's stays
    assert {(c["coder"], c["status"]) for c in small.codings(code_ids=["benefits"])} == {
        ("carol", "accepted"),
        ("dave", "accepted"),
    }
    assert len(small.codings(code_ids=["benefits"])) == 2


def test_deciding_again_what_a_coder_already_decided_logs_nothing_and_undo_still_reverts_the_decision(
    small: Store,
) -> None:
    coding = suggestion(small, "benefits")
    project.accept(small, [coding], "carol")
    logged = len(small.history())
    for _ in range(3):  # a double click, a second tab, a script run twice
        project.accept(small, [coding], "carol")
    assert len(small.history()) == logged
    project.undo(small, "carol")
    assert next(c for c in small.codings() if c["id"] == coding)["status"] == "pending"


def test_a_decision_records_the_codebook_version_in_force_when_it_was_made(small: Store) -> None:
    coding = suggestion(small, "benefits")
    assert small.codings(code_ids=["benefits"])[0]["codebook_version"] == 1
    book = parse_codebook(SMALL_CODEBOOK.replace("label: Wages", "label: Pay and wages"), "v2")
    small.add_codebook_version(book, author="ana", message="wages relabelled")
    project.accept(small, [coding], "carol")
    assert small.history()[-1]["codebook_version"] == 2
    assert small.codings(code_ids=["benefits"])[0]["codebook_version"] == 2


def test_undo_restores_the_previous_state_exactly_and_is_itself_logged(small: Store) -> None:
    first = small.segments("LD01")[0]
    before = codings_table(small)
    benefits, family = suggestion(small, "benefits"), suggestion(small, "family")
    project.accept(small, [benefits, family], "carol")  # one action: a bulk accept
    added = project.add_coding(small, "LD01", first["start"], first["start"] + 20, "wages", "carol")
    project.remove_coding(small, added, "carol")
    after_remove = codings_table(small)
    memo = project.add_memo(small, "LD01", "letters frighten him", "carol", segment_id=first["id"])

    assert [r["action"] for r in project.undo(small, "carol")] == ["memo"]
    assert small.memos() == [] and codings_table(small) == after_remove
    assert [r["action"] for r in project.undo(small, "carol")] == ["remove"]
    restored = next(c for c in small.codings() if c["id"] == added)
    assert (restored["code_id"], restored["coder"], restored["status"]) == ("wages", "carol", "accepted")
    assert [r["action"] for r in project.undo(small, "carol")] == ["add"]
    assert [sorted(r["coding_id"] for r in project.undo(small, "carol"))] == [sorted([benefits, family])]
    assert codings_table(small) == before
    with pytest.raises(NothingToUndoError) as caught:
        project.undo(small, "carol")
    assert str(caught.value) == "carol has no decision left to undo."
    undos = [r for r in small.history(coder="carol") if r["action"] == "undo"]
    assert len(undos) == 5 and all(r["undoes"] for r in undos)
    assert memo not in [m["id"] for m in small.memos()]


def test_undo_refuses_to_overwrite_a_later_decision_by_someone_else(small: Store) -> None:
    coding = suggestion(small, "benefits")
    project.accept(small, [coding], "carol")
    small.edit_span(coding, small.segments("LD01")[0]["start"], small.segments("LD01")[0]["start"] + 10, "ana")
    before = codings_table(small)
    with pytest.raises(UndoConflictError) as caught:
        project.undo(small, "carol")
    assert f"coding {coding} was changed after carol's accept" in str(caught.value)
    assert codings_table(small) == before


def test_the_cli_shows_history_and_undoes(small: Store) -> None:
    from click.testing import CliRunner

    from qualcode.cli import main

    coding = suggestion(small, "benefits")
    runner = CliRunner()
    db = small.location
    assert runner.invoke(main, ["--db", db, "review", "accept", str(coding), "--coder", "carol"]).exit_code == 0
    shown = runner.invoke(main, ["--db", db, "history", "--document", "LD01", "--coder", "carol"])
    assert shown.exit_code == 0, shown.output
    assert "accept" in shown.output and "carol" in shown.output and "benefits" in shown.output
    undone = runner.invoke(main, ["--db", db, "undo", "--coder", "carol"])
    assert undone.exit_code == 0, undone.output
    assert "Undid carol's accept of benefits" in undone.output
    again = runner.invoke(main, ["--db", db, "undo", "--coder", "carol"])
    assert again.exit_code == 1 and "carol has no decision left to undo." in again.output
    unknown = runner.invoke(main, ["--db", db, "history", "--document", "NOPE"])
    assert unknown.exit_code == 1 and "no document `NOPE`" in unknown.output


def test_the_migration_keeps_every_decision_of_a_store_made_at_the_previous_head(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    store_at_revision(path, "0004")
    connection = sqlite3.connect(path)
    connection.execute(
        "insert into codebook_versions values (1, 'Old book', '', ?, 'ana', 'first', '2014-01-01T00:00:00')",
        (CODEBOOK.read_text(),),
    )
    connection.execute(
        "insert into documents values ('PB01', 'PB01', 'PB01.txt', 'txt', 'utf-8', 'abc', 'P1: It was hard. So hard.\n', 6, '2014-01-01')"
    )
    connection.execute("insert into segments values (1, 'PB01', 0, 0, 4, 25, 'P1', 'It was hard. So hard.')")
    rows = [  # a manual coding, an accepted and a rejected suggestion, a pending one, an imported one
        (1, 4, 16, "low_expectations", "ana", "manual", "accepted", None, "2014-01-02T10:00:00", "2014-01-02T10:00:00"),
        (
            2,
            4,
            25,
            "low_expectations",
            "ben",
            "suggested",
            "accepted",
            0.8,
            "2014-01-01T09:00:00",
            "2014-01-03T11:00:00",
        ),
        (
            3,
            17,
            25,
            "low_expectations",
            "ana",
            "suggested",
            "rejected",
            0.6,
            "2014-01-01T09:00:00",
            "2014-01-04T12:00:00",
        ),
        (4, 4, 25, "low_expectations", "qualcode", "suggested", "pending", 0.4, "2014-01-01T09:00:00", None),
        (
            5,
            4,
            16,
            "low_expectations",
            "gold",
            "imported",
            "accepted",
            None,
            "2014-01-05T09:00:00",
            "2014-01-05T09:00:00",
        ),
    ]
    for i, start, end, code, coder, source, status, confidence, created, decided in rows:
        connection.execute(
            "insert into codings values (?, 'PB01', 1, ?, ?, ?, ?, ?, ?, ?, '{}', 1, 'x', ?, ?)",
            (i, start, end, code, coder, source, status, confidence, created, decided),
        )
    connection.execute("insert into memos values (1, 'PB01', 1, NULL, 'ana', 'hard twice', '2014-01-06T09:00:00')")
    connection.commit()
    connection.close()
    before = table_contents(path)

    store = Store.open(path)
    try:
        assert store.schema_revision() >= "0005"  # upgraded to the newest revision, through 0005
        log = [(r["coding_id"], r["memo_id"], r["action"], r["coder"], r["decided_at"]) for r in store.history()]
        assert log == [
            (2, None, "suggest", "qualcode", "2014-01-01T09:00:00"),
            (3, None, "suggest", "qualcode", "2014-01-01T09:00:00"),
            (4, None, "suggest", "qualcode", "2014-01-01T09:00:00"),
            (1, None, "add", "ana", "2014-01-02T10:00:00"),
            (2, None, "accept", "ben", "2014-01-03T11:00:00"),
            (3, None, "reject", "ana", "2014-01-04T12:00:00"),
            (5, None, "import", "gold", "2014-01-05T09:00:00"),
            (None, 1, "memo", "ana", "2014-01-06T09:00:00"),
        ]
        after = table_contents(path)
        assert after["codings"] == before["codings"]
        width = len(before["memos"][0])  # columns added since (code_id, guid) are empty on an old memo
        assert [row[:width] for row in after["memos"]] == before["memos"]
        assert set(after["memos"][0][width:]) == {None}
        # a migrated decision can be undone back to the suggestion it was
        assert [r["action"] for r in project.undo(store, "ben")] == ["accept"]
        assert next(c for c in store.codings() if c["id"] == 2)["status"] == "pending"
    finally:
        store.close()


def test_import_codings_stores_the_coder_it_says(small: Store, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from qualcode.cli import main

    first = small.segments("LD01")[0]
    path = tmp_path / "theirs.csv"
    path.write_text(
        "document_id,start,end,code_id,coder\n"
        f"LD01,{first['start']},{first['end']},benefits,erin\nLD01,{first['start']},{first['end']},family,fred\n"
    )
    runner = CliRunner()
    overridden = runner.invoke(main, ["--db", small.location, "import-codings", str(path), "--coder", "xena"])
    assert overridden.exit_code == 0, overridden.output
    assert "The file's coder column (erin, fred) was overridden: every row is stored as `xena`." in overridden.output
    assert "Imported 2 codings from" in overridden.output and "as coder `xena` (accepted)." in overridden.output
    assert {c["coder"] for c in small.codings(sources=["imported"])} == {"xena"}
    from_file = runner.invoke(main, ["--db", small.location, "import-codings", str(path)])
    assert from_file.exit_code == 0 and "as coders `erin`, `fred` (accepted)." in from_file.output
    nameless = tmp_path / "nameless.csv"
    nameless.write_text(f"document_id,start,end,code_id\nLD01,{first['start']},{first['end']},wages\n")
    before = len(small.codings())
    refused = runner.invoke(main, ["--db", small.location, "import-codings", str(nameless)])
    assert refused.exit_code == 1 and f"{nameless}, line 2: the row names no coder" in refused.output
    assert len(small.codings()) == before
