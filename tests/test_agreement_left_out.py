"""Documents left out of an agreement are summed up in a sentence per set of missing coders, not one line each.

A survey imported as a table of units holds thousands of documents; when a second coder
has coded a sample of them, the report must still fit on a screen.
"""

from __future__ import annotations

from pathlib import Path

from conftest import Cli


def test_documents_a_coder_did_not_code_are_named_ten_at_a_time_in_one_sentence(
    tmp_path: Path, small_codebook: Path
) -> None:
    cli = Cli(tmp_path / "survey.db")
    assert cli("init", "--codebook", small_codebook).exit_code == 0
    respondents = [f"R{n:02d}" for n in range(1, 15)]
    units = "unit_id,respondent,text\n" + "".join(f"{r}-Q1,{r},My wage is too low.\n" for r in respondents)
    (tmp_path / "answers.csv").write_text(units, encoding="utf-8")
    assert cli("import", tmp_path / "answers.csv").exit_code == 0
    (tmp_path / "a.csv").write_text("unit_id,code\n" + "".join(f"{r}-Q1,wages\n" for r in respondents))
    (tmp_path / "b.csv").write_text("unit_id,code\nR01-Q1,wages\n")
    assert cli("import-codings", tmp_path / "a.csv", "--coder", "ann").exit_code == 0
    assert cli("import-codings", tmp_path / "b.csv", "--coder", "ben").exit_code == 0
    result = cli("agreement", "--coders", "ann,ben", "--format", "csv")
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stderr.splitlines() if "left out" in line]
    named = ", ".join(respondents[1:11])
    assert notes == [f"note: 13 documents ({named} and 3 more) left out: not coded by ben."]
