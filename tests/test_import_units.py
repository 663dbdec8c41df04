"""A table of units (survey answers, passages already cut) imports as transcripts, and a coding by unit codes them."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from conftest import SMALL_CODEBOOK, Cli
from test_cli import one_sentence_error

from qualcode import project
from qualcode.errors import CodingsFileError
from qualcode.store import Store

UNITS = """\
unit_id,Respondent,role,question,text,site,score
R1-Q1,R1,carer,What went well?,My mum got help with her benefits.,North,1
R1-Q2,R1,carer,What could be better?,"The wage was too low,
and the bus was late.",North,4
R2-Q1,R2,nurse,What went well?,"Nothing, really.",South,2
R3-Q1,R3,nurse,What went well?,,South,3
"""
CODINGS = """\
unit_id,code
R1-Q1,benefits
R1-Q1,family
R1-Q2,wages
"""


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def units_store(tmp_path: Path) -> Store:
    """A store with the small codebook and the units table imported."""
    write(tmp_path, "small.yaml", SMALL_CODEBOOK)
    store = project.init_project(tmp_path / "units.db", tmp_path / "small.yaml")
    report = project.import_transcripts(store, [write(tmp_path, "answers.csv", UNITS)])
    assert report.ok and not report.refused
    yield store
    store.close()


def test_each_document_becomes_a_transcript_with_one_segment_a_unit_in_file_order(units_store):
    segments = project.segments(units_store)
    assert [(s["document_id"], s["text"]) for s in segments] == [
        ("R1", "My mum got help with her benefits."),
        ("R1", "The wage was too low, and the bus was late."),
        ("R2", "Nothing, really."),
    ]
    attributes = units_store.attributes()
    assert attributes["R1"] == {"role": "carer", "site": "North"}
    assert attributes["R2"] == {"role": "nurse", "site": "South"}
    assert "R3" not in attributes  # its one unit has no text


def test_a_question_column_is_the_interviewer_turn_before_the_answer(units_store):
    turns = units_store.document("R1")["turns"]
    assert [(t["kind"], t["speaker"]) for t in turns] == [
        ("interviewer", "Question"),
        ("participant", "Respondent"),
        ("interviewer", "Question"),
        ("participant", "Respondent"),
    ]
    segments = project.segments(units_store, "R1")
    assert units_store.questions(segments) == ["What went well?", "What could be better?"]
    assert turns[1]["attributes"] == {"unit_id": "R1-Q1", "score": "1"}  # differs between R1's units: kept per unit


def test_importing_the_same_table_again_changes_nothing_and_says_so(units_store, tmp_path):
    before = units_store.counts()
    report = project.import_transcripts(units_store, [tmp_path / "answers.csv"])
    assert not report.imported and sorted(d for _, d in report.unchanged) == ["R1", "R2"]
    assert ("info", f"unchanged: the 2 documents from {tmp_path / 'answers.csv'} are already in the store.") in (
        report.notes()
    )
    assert units_store.counts() == before


def test_a_unit_without_text_is_reported_as_skipped(units_store, tmp_path):
    report = project.import_transcripts(units_store, [tmp_path / "answers.csv"])
    assert f"{tmp_path / 'answers.csv'}: 1 unit has no text and was skipped (line 6)." in report.warnings


def test_a_document_whose_units_give_different_roles_is_named(tmp_path, small_codebook):
    store = project.init_project(tmp_path / "p.db", small_codebook)
    table = write(tmp_path, "t.csv", "document_id,role,text\nA,carer,One.\nA,nurse,Two.\n")
    report = project.import_transcripts(store, [table])
    assert any("document `A` give different roles" in w and "line 3" in w for w in report.warnings)
    assert store.attributes()["A"]["role"] == "carer"
    store.close()


def test_a_changed_table_is_refused_unless_replaced_and_its_codings_follow(units_store, tmp_path):
    project.import_codings(units_store, write(tmp_path, "codings.csv", CODINGS), coder="ann")
    changed = write(tmp_path, "answers.csv", UNITS.replace("Nothing, really.", "Nothing at all."))
    report = project.import_transcripts(units_store, [changed])
    assert [path for path, _ in report.refused] == [str(changed)] and "R2" in report.refused[0][1]
    report = project.import_transcripts(units_store, [changed], replace=True)
    assert [f.document_id for f in report.imported] == ["R2"] and report.imported[0].replaced
    assert project.segments(units_store, "R2")[0]["text"] == "Nothing at all."
    assert len(units_store.codings(coders=["ann"])) == 3


def test_a_table_in_windows_1252_reads_its_accents(tmp_path, small_codebook):
    store = project.init_project(tmp_path / "p.db", small_codebook)
    table = write(tmp_path, "t.csv", "respondent_id,text\nA,Le café était froid.\n", encoding="cp1252")
    report = project.import_transcripts(store, [table])
    assert report.imported[0].encoding == "cp1252"
    assert project.segments(store)[0]["text"] == "Le café était froid."
    store.close()


def test_codings_by_unit_code_exactly_those_units_as_that_coder(units_store, tmp_path):
    report = project.import_codings(units_store, write(tmp_path, "codings.csv", CODINGS), coder="ann")
    assert report.added == 3 and report.coders == ["ann"]
    segments = {s["text"]: s["id"] for s in project.segments(units_store)}
    coded = sorted((c["quote"], c["code_id"], c["segment_id"], c["coder"], c["status"]) for c in units_store.codings())
    first, second = "My mum got help with her benefits.", "The wage was too low, and the bus was late."
    assert coded == [
        (first, "benefits", segments[first], "ann", "accepted"),
        (first, "family", segments[first], "ann", "accepted"),
        (second, "wages", segments[second], "ann", "accepted"),
    ]
    again = project.import_codings(units_store, tmp_path / "codings.csv", coder="ann")
    assert (again.added, again.already_there) == (0, 3)


@pytest.mark.parametrize(
    "row, expected",
    [
        ("R9-Q1,wages", "line 3: unit `R9-Q1` is not in the store; import the table of units that holds it first"),
        ("R1-Q2,salaries", "line 3: code `salaries` is not in the codebook"),
    ],
)
def test_an_unknown_unit_or_code_refuses_the_whole_file(units_store, tmp_path, row, expected):
    path = write(tmp_path, "codings.csv", f"unit_id,code\nR1-Q1,benefits\n{row}\n")
    with pytest.raises(CodingsFileError, match=expected):
        project.import_codings(units_store, path, coder="ann")
    assert units_store.codings() == []


def test_codings_by_unit_without_a_table_of_units_say_which_file_to_import(store, tmp_path):
    path = write(tmp_path, "codings.csv", CODINGS)
    with pytest.raises(CodingsFileError, match="holds no table of units; import the table of units this file codes"):
        project.import_codings(store, path, coder="ann")


def test_cli_imports_a_table_beside_a_transcript_then_codings_by_unit(tmp_path, small_codebook):
    cli = Cli(tmp_path / "cli.db")
    assert cli("init", "--codebook", small_codebook).exit_code == 0
    table = write(tmp_path, "answers.csv", UNITS)
    interview = write(tmp_path, "P1.txt", "Interviewer: How is work?\n\nSam: My salary is fine.\n")
    result = cli("import", table, interview)
    assert result.exit_code == 0, result.stderr
    assert f"imported 2 documents from {table} (csv, utf-8; 6 turns, 3 segments," in result.output
    assert "imported  P1" in result.output and "3 imported, 0 refused, 0 unchanged, 0 skipped." in result.output
    assert "1 unit has no text and was skipped (line 6)" in result.stderr
    again = cli("import", table)
    assert again.exit_code == 0 and f"unchanged: the 2 documents from {table} are already in the store." in again.output
    result = cli("import-codings", write(tmp_path, "codings.csv", CODINGS), "--coder", "ann")
    assert result.exit_code == 0, result.stderr
    assert "Imported 3 codings from" in result.output and "as coder `ann` (accepted)" in result.output


@pytest.mark.parametrize(
    "name, header, expected",
    [
        (
            "notes.csv",
            "name,comment",
            "notes.csv, line 1: is not a table qualcode reads; a table of units needs a `text` column",
        ),
        ("people.csv", "id,role", "people.csv: has no `text` column, so it is not a table of units"),
        ("coded.csv", "unit_id,code", "coded.csv: is a codings file, not a table of units; import it as codings"),
    ],
)
def test_cli_refuses_a_csv_that_is_not_a_table_of_units_in_one_sentence(
    tmp_path, small_codebook, name, header, expected
):
    cli = Cli(tmp_path / "cli.db")
    assert cli("init", "--codebook", small_codebook).exit_code == 0
    before = digest(cli.db)
    result = cli("import", write(tmp_path, name, f"{header}\nA,B\n"))
    assert result.exit_code == 1
    assert expected in one_sentence_error(result)
    assert digest(cli.db) == before


def test_cli_refuses_codings_of_an_unknown_unit_leaving_the_store_as_it_was(tmp_path, small_codebook):
    cli = Cli(tmp_path / "cli.db")
    assert cli("init", "--codebook", small_codebook).exit_code == 0
    assert cli("import", write(tmp_path, "answers.csv", UNITS)).exit_code == 0
    before = digest(cli.db)
    result = cli(
        "import-codings", write(tmp_path, "codings.csv", "unit_id,code\nR1-Q1,wages\nR3-Q1,wages\n"), "--coder", "ann"
    )
    assert result.exit_code == 1
    assert "codings.csv, line 3: unit `R3-Q1` is not in the store" in one_sentence_error(result)
    assert digest(cli.db) == before


def test_a_table_whose_attributes_changed_updates_them_and_keeps_the_text(units_store, tmp_path):
    changed = write(tmp_path, "answers.csv", UNITS.replace(",North,", ",East,"))
    report = project.import_transcripts(units_store, [changed])
    assert report.ok and not report.imported and report.attributes_updated == ["R1"]
    assert units_store.attributes()["R1"] == {"role": "carer", "site": "East"}


def test_a_column_added_by_unit_is_a_change_the_table_is_replaced_for(units_store, tmp_path):
    waits = iter(["0", "2", "5", "5"])  # R1's two units differ: the column is kept with each unit
    table = [line + f",{next(waits)}" if line.endswith(("1", "2", "3", "4")) else line for line in UNITS.splitlines()]
    changed = write(tmp_path, "answers.csv", "\n".join([table[0] + ",wait", *table[1:]]) + "\n")
    report = project.import_transcripts(units_store, [changed])
    assert report.refused == [
        (
            str(changed),
            f"{changed}: 2 documents (`R1`, `R2`) are already in the store with other text or other values kept with "
            "their units; import the table as a replacement to take them (codings move with their quotes).",
        )
    ]  # one sentence for the table, however many of its documents changed
    assert "wait" not in units_store.document("R1")["turns"][1]["attributes"]  # refused: nothing written
    report = project.import_transcripts(units_store, [changed], replace=True)
    assert sorted(f.document_id for f in report.imported) == ["R1", "R2"]
    answers = [t for t in units_store.document("R1")["turns"] if t["kind"] == "participant"]
    assert [t["attributes"].get("wait") for t in answers] == ["0", "2"]
