"""check, backup and restore of a SQLite store."""

from __future__ import annotations

import shutil

from click.testing import CliRunner
from sqlalchemy import text

from qualcode.cli import main
from qualcode.store import Store


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_check_passes_on_a_sound_store_and_names_a_drifted_coding(sample_db, tmp_path):
    db = tmp_path / "s.db"
    shutil.copy(sample_db, db)
    ok = run("--db", db, "check")
    assert ok.exit_code == 0 and "no problems" in ok.output
    store = Store.open(db)
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE codings SET start = start + 3 WHERE id = 7"))
    store.close()
    bad = run("--db", db, "check")
    assert bad.exit_code == 1 and "coding 7 of" in bad.stderr


def test_backup_then_restore_brings_back_the_old_contents(sample_db, tmp_path):
    db = tmp_path / "s.db"
    shutil.copy(sample_db, db)
    snapshot = tmp_path / "snap.db"
    assert run("--db", db, "backup", snapshot).exit_code == 0
    assert run("--db", db, "backup", snapshot).exit_code == 1  # never overwrites
    store = Store.open(db)
    store.remove_coding(1)
    before = store.counts()["codings"]
    store.close()
    restored = run("--db", db, "restore", snapshot)
    assert restored.exit_code == 0, restored.output
    store = Store.open(db)
    assert store.counts()["codings"] == before + 1
    store.close()
    assert list(tmp_path.glob("s.db.before-restore.*.bak"))


def test_restore_refuses_a_file_that_is_not_a_store(sample_db, tmp_path):
    db = tmp_path / "s.db"
    shutil.copy(sample_db, db)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"")
    result = run("--db", db, "restore", junk)
    assert result.exit_code == 1 and "junk.db" in result.stderr
