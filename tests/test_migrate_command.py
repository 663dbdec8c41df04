"""`qualcode migrate`: a PostgreSQL store is upgraded only when asked, a SQLite one after a backup; `--verbose` logs the steps."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE
from test_migrations import HEAD, SERVER, Backend, contents, revision_of

from qualcode.cli import main
from qualcode.errors import StoreUpgradeError
from qualcode.store import Store

PASSWORD = SERVER.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1] if SERVER and "@" in SERVER else None


def run(location: str, *args: str):
    return CliRunner().invoke(main, ["--db", location, *map(str, args)], catch_exceptions=False)


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[Backend]:
    if not SERVER:
        pytest.skip("QUALCODE_TEST_POSTGRES is not set (.ci/run starts PostgreSQL and sets it)")
    made = Backend("postgresql", tmp_path)
    yield made
    made.close()


def test_an_older_postgresql_store_is_refused_until_migrated_and_keeps_its_rows(postgres: Backend) -> None:
    location, engine = postgres.store_at("0004")
    held = contents(engine)
    with pytest.raises(
        StoreUpgradeError, match=r"schema 0004.*back it up first \(pg_dump\), then upgrade it with `qualcode migrate`"
    ):
        Store.open(location)
    refused = run(location, "documents")
    assert refused.exit_code == 1 and refused.stderr.count("\n") == 1 and "pg_dump" in refused.stderr
    assert PASSWORD is None or f":{PASSWORD}@" not in refused.stderr  # the store is named without its password
    assert revision_of(engine) == "0004" and contents(engine) == held  # nothing was changed by opening it

    migrated = run(location, "--verbose", "migrate")
    assert migrated.exit_code == 0, migrated.stderr
    assert f"from schema 0004 to {HEAD}" in migrated.output and "kept at" not in migrated.output  # no file to back up
    steps = [line for line in migrated.stderr.splitlines() if "Schema upgrade" in line]
    assert [line.split("Schema upgrade ")[1].split(":")[0] for line in steps] == [
        f"{n:04d} -> {n + 1:04d}" for n in range(4, int(HEAD))
    ]
    assert "***@" in migrated.stderr and (PASSWORD is None or f":{PASSWORD}@" not in migrated.stderr)
    after = contents(engine)
    for table, rows in held.items():
        width = len(rows[0]) if rows else 0  # a column added at the end (documents.creator in 0009) widens a row
        assert table == "memos" or [row[:width] for row in after[table]] == rows, table
    store = Store.open(location)
    # the three codings are kept, and the decision log holds what was decided before the upgrade
    assert len(store.codings(document_ids=["D1"])) == 3 and len(store.history()) == 7
    store.close()
    again = run(location, "migrate")
    assert again.exit_code == 0 and f"already at schema {HEAD}" in again.output


def test_migrate_backs_up_an_older_sqlite_store_first(tmp_path: Path) -> None:
    backend = Backend("sqlite", tmp_path)
    try:
        location, engine = backend.store_at("0003")
        held = contents(engine)
        engine.dispose()
        migrated = run(location.split("///", 1)[1], "migrate")
        assert migrated.exit_code == 0, migrated.stderr
        backup = Path(migrated.output.split("kept at ", 1)[1].rstrip(".\n"))
        assert f"from schema 0003 to {HEAD}" in migrated.output and backup.exists()
        kept = backend.empty(f"sqlite:///{backup}")[1]
        assert revision_of(kept) == "0003" and contents(kept) == held
        assert migrated.stderr == ""  # without --verbose nothing is logged
    finally:
        backend.close()


def test_verbose_logs_the_steps_of_an_import_and_of_suggesting(tmp_path: Path, small_codebook: Path) -> None:
    db = str(tmp_path / "logged.db")
    assert run(db, "init", "--codebook", small_codebook).exit_code == 0
    quiet = run(db, "import", SAMPLE / "PB01.txt")
    assert quiet.exit_code == 0 and "Reading" not in quiet.stderr
    logged = run(db, "--verbose", "import", SAMPLE / "PB03.txt")
    assert logged.exit_code == 0, logged.stderr
    assert f"qualcode.ingest: Reading {SAMPLE / 'PB03.txt'}" in logged.stderr and "Saved 1 transcripts" in logged.stderr
    suggested = run(db, "--verbose", "suggest")
    assert suggested.exit_code == 0, suggested.stderr
    assert "Analysing" in suggested.stderr and "suggestions for" in suggested.stderr
    assert not [line for line in suggested.stderr.splitlines() if "alembic" in line]  # only qualcode's own steps
