"""The coding store: creation, atomic imports, replacement, and the migration path."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from conftest import CODEBOOK
from fixtures.make_fixtures import A1, build
from sqlalchemy import inspect, text

import qualcode.store as store_module
from qualcode import project
from qualcode.errors import StoreError, StoreVersionError
from qualcode.store import NewCoding, Store, schema


def table_contents(db: Path) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: two equal results mean nothing in the store changed."""
    connection = sqlite3.connect(db)
    try:
        names = [
            row[0]
            for row in connection.execute(
                "select name from sqlite_master where type='table' and name not like 'sqlite_%'"
            )
        ]
        return {
            name: sorted(connection.execute(f'select * from "{name}"').fetchall(), key=repr) for name in sorted(names)
        }
    finally:
        connection.close()


def head_revision() -> str:
    return ScriptDirectory.from_config(store_module._alembic_config()).get_current_head()


def store_at_revision(path: Path, revision: str) -> None:
    """A store whose schema stops at an old revision, made the way old qualcode made it."""
    engine = store_module._engine(f"sqlite:///{path}")
    config = store_module._alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    engine.dispose()


def test_create_refuses_to_overwrite(db_path):
    db_path.write_bytes(b"precious data")
    with pytest.raises(StoreError, match="already exists"):
        Store.create(db_path)
    assert db_path.read_bytes() == b"precious data"


def test_open_needs_an_existing_store(tmp_path):
    with pytest.raises(StoreError, match="no qualcode store here"):
        Store.open(tmp_path / "none.db")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table notes (x)").connection.commit()
    with pytest.raises(StoreError, match="not a qualcode store"):
        Store.open(other)


def test_sqlite_runs_with_wal_and_foreign_keys(store):
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_stored_turns_and_segments_point_into_the_stored_text(store, tmp_path):
    expected = build(tmp_path / "corpus")
    report = project.import_transcripts(store, [tmp_path / "corpus"], interviewer_labels=["Dana", "Dana Smith"])
    assert report.ok and len(report.imported) == len(expected)
    for row in store.documents():
        document = store.document(row["id"])
        for turn in document["turns"]:
            assert document["text"][turn["start"] : turn["end"]].strip()
        segments = store.segments(row["id"])
        assert segments
        for segment in segments:
            assert document["text"][segment["start"] : segment["end"]] == segment["text"]
            assert document["turns"][segment["turn_position"]]["kind"] == "participant"


def test_a_crash_mid_import_leaves_the_store_unchanged(store, db_path, tmp_path, monkeypatch):
    folder = tmp_path / "corpus"
    build(folder)
    (folder / "participants.csv").write_text("id,role\nzoom,Job coach\n")
    assert project.import_transcripts(store, [folder / "zoom.vtt", folder / "labels_int_p1.txt"]).ok
    store.add_codings([NewCoding("labels_int_p1", *span(store, "labels_int_p1", A1), "low_expectations", "ana")])
    (folder / "labels_int_p1.txt").write_text(f"INT: A new question?\nP1: So. {A1}\n")
    before = table_contents(db_path)
    real_insert = store_module._insert_documents

    def write_then_crash(connection, *args, **kwargs):
        real_insert(connection, *args, **kwargs)
        raise RuntimeError("disk unplugged")

    monkeypatch.setattr(store_module, "_insert_documents", write_then_crash)
    with pytest.raises(RuntimeError, match="disk unplugged"):
        project.import_transcripts(store, [folder], replace=True)
    assert table_contents(db_path) == before
    monkeypatch.undo()
    report = project.import_transcripts(store, [folder], replace=True)
    assert report.ok and report.attributes_updated == ["zoom"]
    assert [f.document_id for f in report.imported if f.replaced] == ["labels_int_p1"]
    assert table_contents(db_path) != before


def span(store: Store, document_id: str, quote: str) -> tuple[int, int]:
    start = store.document(document_id)["text"].index(quote)
    return start, start + len(quote)


def test_replace_keeps_codings_memos_and_attributes_whose_text_is_still_there(store, tmp_path):
    path = tmp_path / "A1.txt"
    path.write_text(f"Interviewer: Tell me.\nA1: {A1} The bus was late again.\nInterviewer: Thanks.\nA1: Pleasure.\n")
    assert project.import_transcripts(store, [path], meta=write_csv(tmp_path, "id,role\nA1,Job coach\n")).ok
    kept = store.add_codings([NewCoding("A1", *span(store, "A1", A1), "low_expectations", "ana")])[0]
    store.add_codings([NewCoding("A1", *span(store, "A1", "The bus was late again."), "seen_as_expensive", "ana")])
    memo = project.add_memo(store, "A1", "Check the review date.", "ana")
    path.write_text(f"Interviewer: Tell me more, please.\nA1: Well. {A1}\nInterviewer: Thanks.\nA1: Pleasure.\n")

    refused = project.import_transcripts(store, [path])
    assert not refused.ok and "as a replacement" in refused.refused[0][1] and refused.refused[0][1].hint == "replace"
    report = project.import_transcripts(store, [path], replace=True)
    assert report.ok and report.imported[0].replaced and report.codings_dropped == 1

    document = store.document("A1")
    codings = store.codings()
    assert [c["id"] for c in codings] == [kept]
    assert document["text"][codings[0]["start"] : codings[0]["end"]] == A1 == codings[0]["quote"]
    segment = next(s for s in store.segments("A1") if s["id"] == codings[0]["segment_id"])
    assert segment["start"] <= codings[0]["start"] and codings[0]["end"] <= segment["end"]
    assert document["attributes"] == {"role": "Job coach"}
    assert [m["id"] for m in store.memos("A1")] == [memo]


def write_csv(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "participants.csv"
    path.write_text(content)
    return path


def test_an_old_store_is_backed_up_then_upgraded(tmp_path):
    path = tmp_path / "old.db"
    store_at_revision(path, "0001")
    connection = sqlite3.connect(path)
    connection.execute(
        "insert into codebook_versions values (1, 'Old book', '', ?, 'ana', 'first', '2014-01-01T00:00:00')",
        (CODEBOOK.read_text(),),
    )
    connection.execute(
        "insert into documents values ('PB01', 'PB01', 'PB01.txt', 'txt', 'utf-8', 'abc', 'P1: It was hard.\n', 4, '2014-01-01')"
    )
    connection.execute("insert into segments values (1, 'PB01', 0, 0, 4, 16, 'P1', 'It was hard.')")
    connection.execute(
        "insert into codings values (1, 'PB01', 1, 4, 16, 'low_expectations', 'ana', 'manual', 'accepted', NULL, '{}', 1,"
        " 'It was hard.', '2014-01-01', '2014-01-01')"
    )
    connection.commit()
    connection.close()
    before = table_contents(path)

    opened = Store.open(path)
    try:
        assert opened.schema_revision() == head_revision()
        assert opened.opened.upgraded_from == "0001"
        backup = opened.opened.backup
        assert backup is not None and backup.exists() and backup.name.endswith(".bak")
        assert [d["id"] for d in opened.documents()] == ["PB01"]
        assert opened.codings()[0]["quote"] == "It was hard."
        project.add_memo(opened, "PB01", "memos arrived with 0002", "ana")
    finally:
        opened.close()
    assert table_contents(backup) == before
    assert table_contents(backup)["alembic_version"] == [("0001",)]
    assert list(tmp_path.glob("*.bak")) == [backup]
    again = Store.open(path)
    assert again.opened.backup is None
    again.close()


def test_a_store_from_a_newer_qualcode_is_refused(store, db_path):
    with store.engine.begin() as connection:
        connection.execute(text("update alembic_version set version_num = '9999_from_the_future'"))
    store.close()
    before = table_contents(db_path)
    with pytest.raises(StoreVersionError) as caught:
        Store.open(db_path)
    message = str(caught.value)
    assert message.startswith(str(db_path)) and "newer qualcode" in message and "upgrade qualcode" in message
    assert table_contents(db_path) == before
    assert not list(db_path.parent.glob("*.bak"))


def test_schema_py_agrees_with_the_migrations(store):
    inspector = inspect(store.engine)
    tables = {name for name in inspector.get_table_names() if not name.startswith("turn_search")} - {
        "alembic_version"
    }  # FTS5 index
    assert tables == set(schema.metadata.tables)
    for name, table in schema.metadata.tables.items():
        assert {c["name"] for c in inspector.get_columns(name)} == {c.name for c in table.columns}, name
        migrated_indexes = {i["name"] for i in inspector.get_indexes(name)}
        declared_indexes = {i.name for i in table.indexes}
        assert declared_indexes <= migrated_indexes, name
