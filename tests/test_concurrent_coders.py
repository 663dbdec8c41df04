"""Suggest and coders at once: suggest's read of existing codings and its write happen under one lock.

Another coder's transaction holds the store's write lock while it adds a pending
suggestion on one (segment, code) pair and a decision on another; a suggest sync
started meanwhile must wait and then see both, so it neither adds a second pending
suggestion on the first pair nor a suggestion beside the decision. Reading before
taking the lock (what suggest once did) fails both. Run on SQLite and, when
QUALCODE_TEST_POSTGRES is set, on PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from conftest import SMALL_CODEBOOK

from qualcode import project
from qualcode.store import NewCoding, Store
from qualcode.store.codings import SUGGESTER, _current_version, _insert_codings, lock_codings

TEXT = "Interviewer: How was work?\n\nSam: The wage was late again.\n\nInterviewer: And then?\n\nSam: My benefits stopped.\n"


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path):
    """A store holding the small codebook and one interview, on SQLite or on a database of its own on the server."""
    (tmp_path / "small.yaml").write_text(SMALL_CODEBOOK, encoding="utf-8")
    (tmp_path / "P1.txt").write_text(TEXT, encoding="utf-8")
    # a database of its own on the server, made and dropped by conftest's `postgres_url` (skipped without one)
    url = str(tmp_path / "team.db") if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    store = project.init_project(url, tmp_path / "small.yaml")
    project.import_transcripts(store, [tmp_path / "P1.txt"])
    store.close()
    return url


def suggestion(segment: dict, code: str) -> NewCoding:
    return NewCoding(
        segment["document_id"],
        segment["start"],
        segment["end"],
        code,
        SUGGESTER,
        source="suggested",
        status="pending",
        confidence=0.9,
        segment_id=segment["id"],
    )


def test_a_sync_waits_for_a_writer_and_sees_what_it_wrote(location: str) -> None:
    store = Store.open(location)
    first, second = store.segments()[:2]
    holder = store.engine.connect()
    transaction = holder.begin()
    lock_codings(holder)  # another coder's write transaction, holding the lock
    version = _current_version(holder)
    _insert_codings(
        holder,
        [
            suggestion(first, "wages"),
            NewCoding(second["document_id"], second["start"], second["end"], "benefits", "ana"),
        ],
        version,
    )
    finished = threading.Event()

    def sync() -> None:
        other = Store.open(location)
        other.sync_suggestions(
            [suggestion(first, "wages"), suggestion(second, "benefits")],
            [first["id"], second["id"]],
            ["wages", "benefits"],
        )
        other.close()
        finished.set()

    worker = threading.Thread(target=sync)
    worker.start()
    time.sleep(1.0)
    assert not finished.is_set()  # the sync waits for the writer instead of reading around it
    transaction.commit()
    holder.close()
    worker.join(timeout=60)
    assert finished.is_set()
    pending = [(c["segment_id"], c["code_id"]) for c in store.codings(statuses=["pending"])]
    store.close()
    assert pending == [(first["id"], "wages")]  # one pending suggestion, none beside ana's decision
