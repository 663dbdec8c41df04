"""A CSV whose quoted cell is never closed is refused, naming the line where the quote opens.

Read leniently, such a cell swallows every later row, so a table of units would come in
as one long answer and the rows after it would be lost without a word.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from conftest import Cli
from test_cli import one_sentence_error

UNITS = "unit_id,respondent,text\nR1-Q1,R1,Staff were kind.\n"
UNCLOSED = 'R2-Q1,R2,"The wait was long\nR3-Q1,R3,Parking was hard.\nR4-Q1,R4,Food was cold.\n'


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def cli(tmp_path: Path, small_codebook: Path) -> Cli:
    """A store with the small codebook and one good table of units."""
    cli = Cli(tmp_path / "quotes.db")
    assert cli("init", "--codebook", small_codebook).exit_code == 0
    (tmp_path / "good.csv").write_text(UNITS, encoding="utf-8")
    assert cli("import", tmp_path / "good.csv").exit_code == 0
    return cli


@pytest.mark.parametrize(
    "name, text, command",
    [
        ("answers.csv", UNITS + UNCLOSED, ["import", "{file}"]),
        ("codings.csv", 'unit_id,code\nR1-Q1,wages\nR1-Q1,"family\nR1-Q1,benefits\n', ["import-codings", "{file}"]),
        ("people.csv", 'id,role\nR1,carer\nR2,"nurse\nR3,carer\n', ["import", "{good}", "--meta", "{file}"]),
    ],
)
def test_an_unclosed_quote_is_refused_naming_its_line_and_the_store_is_unchanged(
    cli: Cli, tmp_path: Path, name: str, text: str, command: list[str]
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    before = digest(cli.db)
    args = [part.format(file=path, good=tmp_path / "good.csv") for part in command]
    result = cli(*args, "--coder", "ann") if command[0] == "import-codings" else cli(*args)
    assert result.exit_code == 1, result.output
    error = one_sentence_error(result)
    assert f"{path}, line 3: " in error and "never closed" in error
    assert digest(cli.db) == before
