"""The help of every command that reads a human coding names both shapes it takes: spans, or units of a table."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from qualcode.cli import main


@pytest.mark.parametrize("command", [["evaluate"], ["import-codings"]])
def test_the_help_names_codings_by_unit(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "document_id, start, end, code_id" in text and "unit_id, code" in text
