"""The anonymisation guard: the identifiers list, masking rules, and migration 0003 that adds the list."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from conftest import CODEBOOK, SAMPLE
from sqlalchemy import inspect

from qualcode import project
from qualcode import store as store_module
from qualcode.codebook import load_codebook
from qualcode.errors import IdentifiersFileError, QualcodeError
from qualcode.export import masking
from qualcode.export.masking import Masker
from qualcode.project import identifiers
from qualcode.store import Store

MASKER_NAMES = [
    ("Sandra", "person"),
    ("Brightway Works", "provider"),
    ("Kirkdale", "place"),
    ("Kirkdale Borough Council", "council"),
    ("Al", "person"),
]


@pytest.fixture
def masker() -> Masker:
    return Masker(MASKER_NAMES)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Sandra came round on Monday.", "[name] came round on Monday."),  # sentence start
        ("I said no. Sandra said yes.", "I said no. [name] said yes."),
        ("Sandra's really nice.", "[name]'s really nice."),  # possessive
        ("It was Sandra’s idea.", "It was [name]’s idea."),  # typographic apostrophe
        ("SANDRA and sandra and SaNdRa", "[name] and [name] and [name]"),  # across case
        ("There's Brightway Works, and brightway\nworks again.", "There's [provider], and [provider] again."),
        ("Kirkdale Borough Council said Kirkdale was fine.", "[council] said [place] was fine."),  # longest name wins
        ("a Kirkdale-based charity", "a [place]-based charity"),
        ("Alexandra and Sandrine and Alan", "Alexandra and Sandrine and Alan"),  # whole words only
        ("Al's job, (Al).", "[name]'s job, ([name])."),
    ],
)
def test_masking_rules(masker, text, expected):
    masked, count = masker.mask(text)
    assert masked == expected
    assert count == expected.count("[")


def test_the_masker_counts_hits_by_identifier(masker):
    masker.mask("Sandra's mum and sandra.")
    masker.mask("Kirkdale")
    assert masker.hits == {"Sandra": 2, "Kirkdale": 1} and masker.total == 3
    assert Masker([]).mask("Sandra") == ("Sandra", 0)


def test_identifiers_add_list_remove_through_the_cli(store, cli):
    result = cli("identifiers", "add", "Sandra", "Brightway  Works", "--kind", "provider")
    assert result.exit_code == 0 and "Added 2 identifiers" in result.output
    assert "Added 0 identifiers" in cli("identifiers", "add", "SANDRA").output  # already there, whatever the case
    listed = cli("identifiers", "list").output
    assert "Brightway Works" in listed and "[provider]" in listed
    assert cli("identifiers", "add", "X", "--kind", "planet").exit_code == 2
    assert "Removed 1 identifier" in cli("identifiers", "remove", "sandra").output
    assert [row["identifier"] for row in identifiers.list_identifiers(store)] == ["Brightway Works"]


def test_tables_leaving_the_app_are_masked_with_the_project_list(store, cli):
    cli("identifiers", "import", SAMPLE / "identifiers.txt")
    texts = ["With Sandra it was different.", "We went to kirkdale's market.", "Nothing to hide here."]
    assert masking.masked_texts(store, texts) == [
        "With [name] it was different.",
        "We went to [place]'s market.",
        "Nothing to hide here.",
    ]


def test_import_reads_the_sample_list_with_kinds(store, cli):
    result = cli("identifiers", "import", SAMPLE / "identifiers.txt")
    assert result.exit_code == 0 and "Added 3 identifiers" in result.output
    kinds = {row["identifier"]: row["kind"] for row in identifiers.list_identifiers(store)}
    assert kinds == {"Sandra": "person", "Brightway Works": "provider", "Kirkdale": "place"}
    assert "3 already listed" in cli("identifiers", "import", SAMPLE / "identifiers.txt").output


def test_import_reads_csv_with_a_header_and_a_default_kind(store, tmp_path):
    path = tmp_path / "names.csv"
    path.write_text(
        'identifier,kind\n"Smith, Jo",person\nNorthtown\n\n# a comment\nHolt Council,council\n', encoding="utf-8"
    )
    added, held = identifiers.import_identifiers(store, path, kind="place")
    assert added == ["Smith, Jo", "Northtown", "Holt Council"] and held == 0
    kinds = {row["identifier"]: row["kind"] for row in identifiers.list_identifiers(store)}
    assert kinds["Northtown"] == "place" and kinds["Holt Council"] == "council"


def test_bad_identifier_files_name_the_file_and_line(store, tmp_path):
    path = tmp_path / "names.txt"
    path.write_text("Sandra\nBob,planet\n", encoding="utf-8")
    with pytest.raises(QualcodeError, match=r"names.txt, line 2: unknown identifier kind `planet`"):
        identifiers.import_identifiers(store, path)
    path.write_text("# nothing\n\n", encoding="utf-8")
    with pytest.raises(IdentifiersFileError, match="holds no names"):
        identifiers.import_identifiers(store, path)
    path.write_text("a,b,c\n", encoding="utf-8")
    with pytest.raises(IdentifiersFileError, match="line 1: has 3 fields"):
        identifiers.import_identifiers(store, path)
    with pytest.raises(IdentifiersFileError, match="no such identifiers file"):
        identifiers.import_identifiers(store, tmp_path / "missing.txt")
    assert identifiers.list_identifiers(store) == []  # nothing half-imported


def test_importing_the_sample_folder_does_not_take_identifiers_txt_for_a_transcript(store):
    report = project.import_transcripts(store, [SAMPLE])
    assert "identifiers" not in {item.document_id for item in report.imported}
    assert "identifiers.txt" in {Path(path).name for path in report.skipped}


def make_0002_store(path):
    """A store at schema 0002 (before identifiers) holding the codebook and one document."""
    engine = store_module._engine(f"sqlite:///{path}")
    config = store_module._alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
    old = Store(engine, str(path))
    old.add_codebook_version(load_codebook(CODEBOOK))
    project.import_transcripts(old, [SAMPLE / "PB01.txt"])
    engine.dispose()


def test_migration_0003_upgrades_a_0002_store_and_keeps_its_data(tmp_path):
    path = tmp_path / "old.db"
    make_0002_store(path)
    tables = {row[0] for row in sqlite3.connect(path).execute("select name from sqlite_master where type='table'")}
    assert "identifiers" not in tables and "memos" in tables
    upgraded = Store.open(path)
    try:
        assert upgraded.schema_revision() >= "0003"
        assert upgraded.opened.upgraded_from == "0002" and upgraded.opened.backup.exists()
        assert [d["id"] for d in upgraded.documents()] == ["PB01"]
        columns = {c["name"]: c for c in inspect(upgraded.engine).get_columns("identifiers")}
        assert set(columns) == {"id", "identifier", "kind", "added_at"}
        assert not columns["identifier"]["nullable"] and not columns["kind"]["nullable"]
        assert identifiers.add_identifiers(upgraded, ["Sandra"]) == ["Sandra"]
        assert identifiers.list_identifiers(upgraded)[0]["kind"] == "person"
    finally:
        upgraded.close()


def test_migration_0003_downgrades_cleanly(tmp_path):
    path = tmp_path / "old.db"
    make_0002_store(path)
    Store.open(path).close()
    engine = store_module._engine(f"sqlite:///{path}")
    config = store_module._alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    assert "identifiers" not in inspect(engine).get_table_names()
    engine.dispose()
