"""A code report over many documents (a survey table of units) reads the store's segments once, not once per document.

Reading them per document checked every document id each time, so a code found in 1,600
of 4,390 survey answers took over 20 seconds to report.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import survey

from qualcode.store import Store


def test_the_report_lists_every_coded_answer_with_its_speaker_reading_segments_once(
    tmp_path: Path, small_codebook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    respondents = [f"R{n:02d}" for n in range(1, 13)]
    answers = {r: f"My wage from job {r} is low." for r in respondents}
    cli = survey(tmp_path, small_codebook, answers, {"ann": respondents})
    reads: list[str | None] = []
    segments = Store.segments

    def counted(self: Store, document_id: str | None = None):
        reads.append(document_id)
        return segments(self, document_id)

    monkeypatch.setattr(Store, "segments", counted)
    result = cli("export", "code-report", "wages", "--format", "csv", "-o", tmp_path / "wages.csv")
    assert result.exit_code == 0, result.output
    report = (tmp_path / "wages.csv").read_text(encoding="utf-8-sig")
    assert all(f"My wage from job {r} is low." in report for r in respondents)
    assert report.count("Respondent") == len(respondents)
    assert len(reads) == 1
