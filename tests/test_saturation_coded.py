"""Saturation counts only coded interviews, in the order they were really imported.

Twelve made-up transcripts come in one import (so one import time, to the second), their
ids running against the alphabet; only the second and the fifth are coded.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from conftest import SMALL_CODEBOOK

from qualcode import project
from qualcode.analysis import saturation as sat
from qualcode.cli import main
from qualcode.project import analysis as ops
from qualcode.store import NewCoding, Store

IDS = ["zoe", "yan", "xia", "wil", "vic", "uma", "tom", "sam", "ria", "quinn", "pat", "olly"]  # file order 01..12
CODED = {"yan": ["benefits", "wages"], "vic": ["family"]}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    folder = tmp_path_factory.mktemp("saturation")
    (folder / "small.yaml").write_text(SMALL_CODEBOOK, encoding="utf-8")
    transcripts = folder / "transcripts"
    transcripts.mkdir()
    for n, name in enumerate(IDS, 1):
        lines = ["---", f"id: {name}", "role: Worker", "---", "Interviewer: Tell me about work.", "", "Respondent: "]
        lines[-1] += "The wages were low and my sister helped with the benefits forms."
        (transcripts / f"{n:02}.txt").write_text("\n".join(lines), encoding="utf-8")
    built = project.init_project(folder / "p.db", folder / "small.yaml")
    report = project.import_transcripts(built, [transcripts])
    assert report.ok and len(report.imported) == len(IDS), report.notes()
    built.add_codings(
        [
            NewCoding(s["document_id"], s["start"], s["end"], code, "alice", segment_id=s["id"])
            for document_id, codes in CODED.items()
            for s in built.segments(document_id)
            for code in codes
        ]
    )
    yield built
    built.close()


def test_import_order_is_the_order_documents_were_stored_not_their_ids(store: Store) -> None:
    order, by = sat.interview_order(store, {d: {} for d in IDS})
    assert by == "import" and order == IDS
    same_day, by = sat.interview_order(store, {d: {"date": "2024-03-01"} for d in reversed(IDS)})
    assert by == "date" and same_day == IDS  # interviews of one day in the order they came in


def test_uncoded_interviews_are_left_out_and_counted_not_taken_as_bringing_nothing_new(store: Store) -> None:
    result = ops.saturation(store, window=3)
    assert [row["document_id"] for row in result.overall.rows] == ["yan", "vic"]
    assert [(row["new"], row["cumulative"]) for row in result.overall.rows] == [(2, 2), (1, 3)]
    assert result.overall.reached_at is None and result.overall.uncoded == 10
    verdict = result.overall.verdict(3)
    assert verdict.startswith("All interviews: not reached;")
    assert verdict.endswith("10 interviews without codings left out.")
    assert "interviews without codings left out" in result.rule()


def test_the_cli_shows_only_coded_interviews_and_says_how_many_were_left_out(store: Store) -> None:
    output = CliRunner().invoke(main, ["--db", str(store.location), "saturation"]).output
    assert "reached at" not in output
    assert "10 interviews without codings left out." in output
    assert "zoe" not in output and "yan" in output


def test_a_group_with_no_coded_interview_says_so() -> None:
    curve = sat.curve("Worker", ["zoe", "xia"], {"zoe": set(), "xia": set()}, {"zoe": {}, "xia": {}}, 3, set())
    assert curve.verdict(3) == "Worker: no coded interviews. 2 interviews without codings left out."


def test_saturation_is_reached_only_after_enough_coded_interviews() -> None:
    rows = {d: {"benefits"} for d in IDS[:5]}
    curve = sat.curve("All interviews", IDS[:5], rows, {d: {} for d in IDS[:5]}, 3, set(IDS[:5]))
    assert curve.reached_at == 1 and curve.uncoded == 0
    assert "reached at coded interview 1 of 5 (zoe); the 4 coded interviews after it" in curve.verdict(3)
