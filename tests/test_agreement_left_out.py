"""Documents left out of an agreement are summed up in a sentence per set of missing coders, not one line each.

A survey imported as a table of units holds thousands of documents; when a second coder
has coded a sample of them, the report must still fit on a screen.
"""

from __future__ import annotations

from pathlib import Path

from conftest import survey


def test_documents_a_coder_did_not_code_are_named_ten_at_a_time_in_one_sentence(
    tmp_path: Path, small_codebook: Path
) -> None:
    respondents = [f"R{n:02d}" for n in range(1, 15)]
    answers = dict.fromkeys(respondents, "My wage is too low.")
    cli = survey(tmp_path, small_codebook, answers, {"ann": respondents, "ben": ["R01"]})
    result = cli("agreement", "--coders", "ann,ben", "--format", "csv")
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stderr.splitlines() if "left out" in line]
    named = ", ".join(respondents[1:11])
    assert notes == [f"note: 13 documents ({named} and 3 more) left out: not coded by ben."]
