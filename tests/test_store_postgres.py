"""The coding store on a real PostgreSQL server (a team's shared store).

`.ci/run` installs and starts PostgreSQL and sets QUALCODE_TEST_POSTGRES to a URL of a
role that may create databases; each test gets a database of its own.
"""

from __future__ import annotations

import os

import pytest
from conftest import CODEBOOK, GOLD, GOLD_ROWS, SAMPLE, SAMPLE_INTERVIEWS

from qualcode import project
from qualcode.errors import StoreError
from qualcode.store import Store

SERVER = os.environ.get("QUALCODE_TEST_POSTGRES")
pytestmark = pytest.mark.skipif(
    not SERVER, reason="QUALCODE_TEST_POSTGRES is not set (.ci/run starts PostgreSQL and sets it)"
)


def test_a_project_on_postgresql_imports_codes_and_suggests(postgres_url):
    store = project.init_project(postgres_url, CODEBOOK)
    report = project.import_transcripts(store, [SAMPLE])
    assert report.ok and len(report.imported) == SAMPLE_INTERVIEWS
    assert project.import_codings(store, GOLD, coder="gold").added == GOLD_ROWS
    sync = project.suggest(store, document_ids=["PB01"])
    assert sync.added > 0 and sync.kept_decisions > 0
    for segment in store.segments("PB01"):
        assert store.document("PB01")["text"][segment["start"] : segment["end"]] == segment["text"]
    store.close()
    reopened = Store.open(postgres_url)
    assert reopened.counts()["documents"] == SAMPLE_INTERVIEWS
    assert {d["attributes"]["role"] for d in reopened.documents()} >= {"Social worker", "Commissioner"}
    reopened.close()


def test_init_refuses_a_postgresql_database_that_already_holds_a_store(postgres_url):
    project.init_project(postgres_url, CODEBOOK).close()
    with pytest.raises(StoreError, match="already holds a qualcode store"):
        project.init_project(postgres_url, CODEBOOK)


def test_a_failed_import_leaves_the_postgresql_store_unchanged(postgres_url, tmp_path, monkeypatch):
    import qualcode.store as store_module

    store = project.init_project(postgres_url, CODEBOOK)
    real_insert = store_module._insert_documents

    def crash_after_writing(*args, **kwargs):
        real_insert(*args, **kwargs)
        raise RuntimeError("power cut")

    monkeypatch.setattr(store_module, "_insert_documents", crash_after_writing)
    with pytest.raises(RuntimeError):
        project.import_transcripts(store, [SAMPLE])
    assert store.counts() == {"documents": 0, "segments": 0, "codings": 0}
    store.close()
