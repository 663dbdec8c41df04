"""Exports of segments and codings carry the unit_id of a table of units, so they join back to the researcher's table."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from conftest import Cli
from openpyxl import load_workbook

UNITS = """unit_id,respondent,text
R1-Q1,R1,My mum got help with her benefits.
R1-Q2,R1,"The wage was too low, and the bus was late."
R2-Q1,R2,"Nothing, really."
"""


def rows(cli: Cli, *args: str) -> list[dict[str, str]]:
    result = cli("export", *args, "--format", "csv", "-o", "-")
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))


def test_segments_and_codings_name_their_unit_and_transcripts_leave_it_empty(
    tmp_path: Path, small_codebook: Path
) -> None:
    cli = Cli(tmp_path / "survey.db")
    assert cli("init", "--codebook", small_codebook).exit_code == 0
    (tmp_path / "answers.csv").write_text(UNITS, encoding="utf-8")
    (tmp_path / "P1.txt").write_text("Interviewer: How is work?\n\nSam: My salary is fine.\n", encoding="utf-8")
    assert cli("import", tmp_path / "answers.csv", tmp_path / "P1.txt").exit_code == 0
    (tmp_path / "codings.csv").write_text("unit_id,code\nR1-Q2,wages\nR2-Q1,family\n", encoding="utf-8")
    assert cli("import-codings", tmp_path / "codings.csv", "--coder", "ann").exit_code == 0
    segments = rows(cli, "segments")
    assert list(segments[0])[:2] == ["document_id", "unit_id"]
    assert [(s["unit_id"], s["text"]) for s in segments] == [
        ("", "My salary is fine."),
        ("R1-Q1", "My mum got help with her benefits."),
        ("R1-Q2", "The wage was too low, and the bus was late."),
        ("R2-Q1", "Nothing, really."),
    ]
    codings = rows(cli, "codings")
    assert sorted((c["unit_id"], c["code_id"]) for c in codings) == [("R1-Q2", "wages"), ("R2-Q1", "family")]
    assert cli("export", "quotes", "--format", "csv", "-o", tmp_path / "quotes.csv").exit_code == 0
    quotes = list(csv.DictReader((tmp_path / "quotes.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert quotes and list(quotes[0])[9:12] == ["document_id", "unit_id", "turn"]
    assert sorted((q["unit_id"], q["code_id"]) for q in quotes) == [("R1-Q2", "wages"), ("R2-Q1", "family")]
    sheet = tmp_path / "quotes.xlsx"
    assert cli("export", "quotes", "--format", "xlsx", "-o", sheet).exit_code == 0
    header = next(load_workbook(sheet).worksheets[0].iter_rows(values_only=True))
    assert header[9:12] == ("document_id", "unit_id", "turn")
    out = tmp_path / "quotes.md"
    assert cli("export", "quotes", "--format", "md", "-o", out).exit_code == 0
    assert "unit R1-Q2" in out.read_text(encoding="utf-8")  # a report names the unit, not the turn


def test_a_project_of_transcripts_only_has_no_unit_column(tmp_path: Path, small_codebook: Path) -> None:
    cli = Cli(tmp_path / "interviews.db")
    assert cli("init", "--codebook", small_codebook).exit_code == 0
    (tmp_path / "P1.txt").write_text("Interviewer: How is work?\n\nSam: My salary is fine.\n", encoding="utf-8")
    assert cli("import", tmp_path / "P1.txt").exit_code == 0
    assert "unit_id" not in rows(cli, "segments")[0]
