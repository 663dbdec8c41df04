"""The sample corpus: it imports as a user would, and its gold coding holds against the imported text."""

from __future__ import annotations

import csv
import io
import sqlite3
from collections import defaultdict

import docx
import pytest
from conftest import CODEBOOK, GOLD, SAMPLE, SAMPLE_INTERVIEWS
from sample_counts import render, sample_facts

from qualcode.codebook import load_codebook

ROLES = {
    "Person using a PB",
    "Family member",
    "Provider manager",
    "Job coach",
    "Commissioner",
    "Social worker",
    "Support organisation",
}
UNMASKED = {"PB01": "Sandra", "PM03": "Brightway Works", "TP02": "Kirkdale"}


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory):
    """The sample imported with the README's commands: (cli result of import, documents, gold rows)."""
    from click.testing import CliRunner

    from qualcode.cli import main

    db = tmp_path_factory.mktemp("sample_cli") / "x.db"
    runner = CliRunner()
    init = runner.invoke(main, ["--db", str(db), "init", "--codebook", str(CODEBOOK)])
    assert init.exit_code == 0, init.stderr
    result = runner.invoke(main, ["--db", str(db), "import", str(SAMPLE)])
    connection = sqlite3.connect(db)
    documents = {
        row[0]: {"text": row[1], "format": row[2], "words": row[3]}
        for row in connection.execute("select id, text, format, word_count from documents")
    }
    for document_id, name, value in connection.execute("select document_id, name, value from attributes"):
        documents[document_id][name] = value
    connection.close()
    with GOLD.open(encoding="utf-8", newline="") as handle:
        gold = list(csv.DictReader(handle))
    return db, result, documents, gold


def test_every_sample_file_imports_with_its_role(imported):
    db, result, documents, _ = imported
    assert result.exit_code == 0, result.stderr
    assert f"{SAMPLE_INTERVIEWS} imported, 0 refused, 0 unchanged" in result.output
    assert len(documents) == SAMPLE_INTERVIEWS
    assert all(document.get("role") in ROLES for document in documents.values())


def test_documents_command_lists_the_roles(imported):
    from click.testing import CliRunner

    from qualcode.cli import main

    db, _, documents, _ = imported
    listing = CliRunner().invoke(main, ["--db", str(db), "documents"]).output
    for document_id, document in documents.items():
        row = next(line for line in listing.splitlines() if line.startswith(document_id + " "))
        assert document["role"] in row


def test_gold_quotes_equal_the_imported_text_at_their_offsets(imported):
    _, _, documents, gold = imported
    assert list(gold[0]) == ["document_id", "start", "end", "code_id", "quote"]
    for line, row in enumerate(gold, start=2):
        text = documents[row["document_id"]]["text"]
        assert text[int(row["start"]) : int(row["end"])] == row["quote"], f"gold_codings.csv line {line}"


def test_gold_codes_exist_and_every_theme_is_widely_coded(imported):
    _, _, documents, gold = imported
    codebook = load_codebook(CODEBOOK)
    theme_documents, theme_roles = defaultdict(set), defaultdict(set)
    for row in gold:
        assert row["code_id"] in codebook, row["code_id"]
        assert codebook.get(row["code_id"]).parent is not None, "the gold coding is at sub-code level"
        theme = codebook.theme_of(row["code_id"])
        theme_documents[theme].add(row["document_id"])
        theme_roles[theme].add(documents[row["document_id"]]["role"])
    for theme in codebook.themes():
        assert len(theme_documents[theme.id]) >= 5, theme.id
        assert len(theme_roles[theme.id]) >= 4, theme.id


def test_roles_lengths_and_formats(imported):
    _, _, documents, _ = imported
    per_role = defaultdict(int)
    for document in documents.values():
        per_role[document["role"]] += 1
        assert 1_000 <= document["words"] <= 3_000
    assert set(per_role) == ROLES and min(per_role.values()) >= 2
    formats = [document["format"] for document in documents.values()]
    assert formats.count("docx") >= 2 and formats.count("vtt") >= 2


def test_the_word_files_show_both_layouts():
    layouts = set()
    for path in sorted(SAMPLE.glob("*.docx")):
        document = docx.Document(str(path))
        if any(len(table.columns) == 2 for table in document.tables):
            layouts.add("table")
        if any(p.runs and p.runs[0].bold and p.runs[0].text.strip().endswith(":") for p in document.paragraphs):
            layouts.add("bold labels")
    assert layouts == {"table", "bold labels"}


def test_the_deliberately_unmasked_names_are_there(imported):
    _, _, documents, _ = imported
    for document_id, name in UNMASKED.items():
        assert name in documents[document_id]["text"], (document_id, name)


def test_export_segments_of_the_sample_match_the_text(imported, tmp_path):
    from click.testing import CliRunner

    from qualcode.cli import main

    db, _, documents, _ = imported
    out = tmp_path / "segments.csv"
    result = CliRunner().invoke(main, ["--db", str(db), "export", "segments", "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert {row["document_id"] for row in rows} == set(documents)
    for row in rows:
        assert documents[row["document_id"]]["text"][int(row["start"]) : int(row["end"])] == row["text"]
        assert row["role"] == documents[row["document_id"]]["role"]


def test_import_codings_loads_every_gold_row(sample_store):
    rows = sample_store.codings(coders=["gold"])
    with GOLD.open(encoding="utf-8", newline="") as handle:
        expected = {(r["document_id"], int(r["start"]), int(r["end"]), r["code_id"]) for r in csv.DictReader(handle)}
    assert {(r["document_id"], r["start"], r["end"], r["code_id"]) for r in rows} == expected
    assert all(r["status"] == "accepted" for r in rows)


def test_the_sample_readme_holds_the_counts_computed_from_the_files():
    readme = (SAMPLE / "README.md").read_text(encoding="utf-8")
    assert render(sample_facts()) in readme
