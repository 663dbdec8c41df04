"""A participants file keyed by unit_id (attributes of survey answers) is refused saying where its columns belong."""

from __future__ import annotations

import hashlib
from pathlib import Path

from conftest import Cli
from test_cli import one_sentence_error


def test_a_file_of_unit_attributes_given_as_participants_says_to_join_it_to_the_table(
    tmp_path: Path, small_codebook: Path
) -> None:
    cli = Cli(tmp_path / "survey.db")
    assert cli("init", "--codebook", small_codebook).exit_code == 0
    (tmp_path / "answers.csv").write_text("unit_id,respondent,text\nR1-Q1,R1,My wage is low.\n", encoding="utf-8")
    (tmp_path / "meta.csv").write_text("unit_id,site,score\nR1-Q1,North,4\n", encoding="utf-8")
    assert cli("import", tmp_path / "answers.csv").exit_code == 0
    before = hashlib.sha256(cli.db.read_bytes()).hexdigest()
    result = cli("import", tmp_path / "answers.csv", "--meta", tmp_path / "meta.csv")
    assert result.exit_code == 1
    assert one_sentence_error(result) == (
        f"Error: {tmp_path / 'meta.csv'}, line 1: gives attributes of units (a `unit_id` column), not of "
        "participants; put its columns in the table of units, on the rows with the same unit_id."
    )
    assert hashlib.sha256(cli.db.read_bytes()).hexdigest() == before
