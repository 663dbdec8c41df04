"""Summaries the app reads on every page (coding progress, counts per code) and the index they rely on."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import openpyxl
import pandas as pd
from alembic import command
from conftest import SAMPLE_INTERVIEWS

import qualcode.store as store_module
from qualcode import project
from qualcode.export.masking import Masker
from qualcode.store import NewCoding, Store, overview
from qualcode.ui.downloads import table_bytes


def test_document_overview_counts_progress_per_transcript(sample_store: Store) -> None:
    segments = sample_store.segments("CM01")
    sample_store.add_codings(
        [
            NewCoding(
                "CM01",
                segments[0]["start"],
                segments[0]["end"],
                "caseload_pressure",
                "qualcode",
                source="suggested",
                status="pending",
                confidence=0.9,
            ),
            NewCoding(
                "CM01",
                segments[1]["start"],
                segments[1]["end"],
                "caseload_pressure",
                "qualcode",
                source="suggested",
                status="rejected",
                confidence=0.4,
            ),
        ]
    )
    rows = {row["id"]: row for row in overview.document_overview(sample_store)}
    codings = sample_store.codings(document_ids=["CM01"])
    accepted = [c for c in codings if c["status"] == "accepted"]
    assert len(rows) == SAMPLE_INTERVIEWS
    assert rows["CM01"]["attributes"]["role"] == "Commissioner"
    assert rows["CM01"]["segments"] == len(segments)
    assert rows["CM01"]["accepted"] == len(accepted)
    assert rows["CM01"]["coded_segments"] == len({c["segment_id"] for c in accepted})
    assert rows["CM01"]["pending"] == 1


def test_a_transcript_with_no_codings_has_zero_progress(store: Store, tmp_path: Path) -> None:
    (tmp_path / "X1.txt").write_text(
        "Interviewer: Hello?\nSam: I would like a job.\nInterviewer: Why?\nSam: Money.\n", encoding="utf-8"
    )
    project.import_transcripts(store, [tmp_path / "X1.txt"])
    segments = len(store.segments("X1"))
    assert segments > 0
    assert overview.document_overview(store) == [
        {
            "id": "X1",
            "attributes": {},
            "words": store.document("X1")["word_count"],
            "segments": segments,
            "coded_segments": 0,
            "accepted": 0,
            "pending": 0,
        }
    ]


def test_code_counts_and_codebook_versions(sample_store: Store) -> None:
    counts = overview.code_counts(sample_store)
    assert sum(n for by_status in counts.values() for n in by_status.values()) == len(sample_store.codings())
    assert set(counts) <= set(sample_store.codebook().ids())
    sample_store.add_codebook_version(sample_store.codebook(), author="ana", message="no change")
    versions = sample_store.codebook_versions()
    assert [(v["version"], v["author"], v["message"]) for v in versions][-1] == (2, "ana", "no change")


def test_migration_0004_adds_the_progress_index_to_an_old_store(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = store_module._engine(f"sqlite:///{path}")
    config = store_module._alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
    engine.dispose()
    assert "ix_codings_progress" not in _indexes(path)
    Store.open(path).close()
    assert "ix_codings_progress" in _indexes(path)
    plan = (
        sqlite3.connect(path)
        .execute(
            "EXPLAIN QUERY PLAN SELECT document_id, count(DISTINCT segment_id) FROM codings WHERE status = 'accepted' "
            "GROUP BY document_id"
        )
        .fetchall()
    )
    assert any("COVERING INDEX ix_codings_progress" in row[-1] for row in plan)


def _indexes(path: Path) -> set[str]:
    connection = sqlite3.connect(path)
    try:
        return {row[0] for row in connection.execute("select name from sqlite_master where type = 'index'")}
    finally:
        connection.close()


def test_downloaded_tables_hold_the_shown_rows() -> None:
    frame = pd.DataFrame(
        {
            "role": ["Social worker", "Commissioner"],
            "label": ["Demand", "Process"],
            "participants": [2, 1],
            "n_of_m": ["2 of 3", "1 of 2"],
        }
    )
    names = Masker([("Sandra", "person")])  # masks nothing here: the rows come back as shown
    assert pd.read_csv(io.BytesIO(table_bytes(frame, "csv", names))).equals(frame)
    sheet = openpyxl.load_workbook(io.BytesIO(table_bytes(frame, "xlsx", names))).active
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        list(frame.columns),
        *map(list, frame.itertuples(index=False)),
    ]


def test_blind_progress_counts_only_the_coders_own_codings(sample_store):
    everyone = {row["id"]: row for row in overview.document_overview(sample_store)}
    assert everyone["PB01"]["accepted"] > 0
    segment = sample_store.segments("PB01")[0]
    project.add_coding(sample_store, "PB01", segment["start"], segment["end"], "low_expectations", "ann")
    blind = {row["id"]: row for row in overview.document_overview(sample_store, coder="ann")}
    assert (blind["PB01"]["accepted"], blind["PB01"]["coded_segments"]) == (1, 1)
    assert all(row["accepted"] == 0 and row["coded_segments"] == 0 for i, row in blind.items() if i != "PB01")
    assert {row["id"]: row["segments"] for row in blind.values()} == {i: row["segments"] for i, row in everyone.items()}
