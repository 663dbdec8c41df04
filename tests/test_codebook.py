"""Codebooks: the shipped codebook, hierarchy look-ups, and every validation error a researcher can make."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import CODEBOOK, SMALL_CODEBOOK

from qualcode.codebook import load_codebook, parse_codebook, validate_codebook
from qualcode.errors import CodebookError

THEMES = ["demand", "professional_attitudes", "pb_process", "provider_availability"]

# (file text, line, field, words the message must hold); a line of None means the file as a whole
BAD_CODEBOOKS = {
    "duplicate_id": (
        "name: X\ncodes:\n  - id: a\n    label: A\n  - id: a\n    label: Again\n",
        5,
        "id",
        "duplicate code id `a`",
    ),
    "unknown_parent": (
        "name: X\ncodes:\n  - id: money\n    label: M\n  - id: b\n    label: B\n    parent: mony\n",
        7,
        "parent",
        "unknown parent `mony` (did you mean `money`?)",
    ),
    "cycle": (
        "name: X\ncodes:\n  - id: root\n    label: R\n  - id: a\n    label: A\n    parent: b\n  - id: b\n    label: B\n"
        "    parent: a\n",
        7,
        "parent",
        "is its own ancestor",
    ),
    "missing_label": ("name: X\ncodes:\n  - id: a\n    definition: something\n", 3, "label", "has no label"),
    "bad_colour": ("name: X\ncodes:\n  - id: a\n    label: A\n    colour: blue\n", 5, "colour", "use #RGB or #RRGGBB"),
    "unknown_key": (
        "name: X\ncodes:\n  - id: a\n    label: A\n    keywrds: [cash]\n",
        5,
        "keywrds",
        "unknown key `keywrds` (did you mean `keywords`?)",
    ),
    "unknown_top_key": (
        "name: X\ncode:\n  - id: a\n    label: A\n",
        2,
        "code",
        "unknown key `code` (did you mean `codes`?)",
    ),
    "yaml_syntax": ("name: X\ncodes:\n  - id: a\n    label: [A, B\n  - id: b\n", 5, None, "YAML syntax error"),
    "empty": ("\n  \n", None, None, "the file is empty"),
    "bad_id": ("name: X\ncodes:\n  - id: Money Worries\n    label: M\n", 3, "id", "not lower_snake_case"),
    "no_codes": ("name: X\ncodes: []\n", 2, "codes", "non-empty list"),
}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", sorted(BAD_CODEBOOKS))
def test_validate_prints_file_line_and_field_and_fails(tmp_path, cli, kind):
    text, line, field, words = BAD_CODEBOOKS[kind]
    path = write(tmp_path, kind, text)
    result = cli("codebook", "validate", path)
    assert result.exit_code != 0
    reported = next(row for row in result.stderr.splitlines() if words in row)
    location = f"{path}, line {line}" if line else f"{path}:"
    assert reported.startswith(location), reported
    if field:
        assert f"[{field}]" in reported
    assert "Traceback" not in result.output + result.stderr


def test_yaml_syntax_error_gives_line_and_column(tmp_path, cli):
    path = write(tmp_path, "syntax", "name: X\ncodes:\n  - id: a\n    label: A\n  bad: [\n")
    result = cli("codebook", "validate", path)
    assert result.exit_code != 0
    assert re.match(rf"{re.escape(str(path))}, line \d+, column \d+: YAML syntax error", result.stderr)


def test_every_problem_is_listed_in_line_order(tmp_path):
    text = (
        "name: X\ncodes:\n  - id: a\n    label: A\n  - id: a\n    label: A\n  - id: b\n    lable: B\n    colour: red\n"
    )
    problems = validate_codebook(write(tmp_path, "many", text))
    assert [(p.line, p.field) for p in problems] == [(5, "id"), (7, "label"), (8, "lable"), (9, "colour")]


def test_load_refuses_an_invalid_codebook_with_one_sentence(tmp_path):
    path = write(tmp_path, "dup", BAD_CODEBOOKS["duplicate_id"][0])
    with pytest.raises(CodebookError) as caught:
        load_codebook(path)
    assert str(caught.value).startswith(f"{path}, line 5 [id]: duplicate code id")
    assert "validate the codebook to see them all" in str(caught.value) and caught.value.hint == "validate"
    with pytest.raises(CodebookError, match="no such codebook file"):
        load_codebook(tmp_path / "missing.yaml")


def test_the_shipped_codebook_is_valid(cli):
    result = cli("codebook", "validate", CODEBOOK)
    assert result.exit_code == 0, result.stderr
    assert "valid" in result.output


def test_the_shipped_codebook_has_the_study_themes_and_full_guidance():
    codebook = load_codebook(CODEBOOK)
    theme_ids = [theme.id for theme in codebook.themes()]
    assert theme_ids[:4] == THEMES and "facilitators" in theme_ids
    for theme in [*THEMES, "facilitators"]:
        assert len(codebook.descendants(theme)) >= 5, theme
    for code in codebook:
        assert code.label and code.definition and code.include and code.exclude, code.id
        assert len(code.examples) >= 2 and code.keywords, code.id


def test_hierarchy_lookups():
    codebook = parse_codebook(SMALL_CODEBOOK)
    assert [t.id for t in codebook.themes()] == ["money", "people"]
    assert codebook.theme_of("benefits") == "money" and codebook.theme_of("money") == "money"
    assert [c.id for c in codebook.descendants("money")] == ["benefits", "wages"]
    assert codebook.depth("family") == 1
    assert codebook.colour_of("family") == "#ff7f0e"
    assert "wages" in codebook and "salary" not in codebook


def test_yaml_round_trip_keeps_every_code():
    codebook = load_codebook(CODEBOOK)
    again = parse_codebook(codebook.to_yaml())
    assert again.codes == codebook.codes and again.name == codebook.name


def test_a_codebook_without_a_name_is_named_after_its_file_or_folder(tmp_path):
    codes = "codes:\n  - id: waiting\n    label: Waiting times\n"
    assert load_codebook(write(tmp_path, "ward_survey", codes)).name == "ward_survey"
    (tmp_path / "fft_2024").mkdir()
    assert load_codebook(write(tmp_path / "fft_2024", "codebook", codes)).name == "fft_2024"
    assert validate_codebook(write(tmp_path, "blank", "name: ' '\n" + codes))[0].field == "name"
