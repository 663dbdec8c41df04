"""Codebook versions: every change a version with author and message; log, show and diff read by a researcher."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from conftest import CODEBOOK, SMALL_CODEBOOK, Cli

from qualcode import project
from qualcode.codebook import Codebook, parse_codebook
from qualcode.codebook.diff import diff_codebooks, summary
from qualcode.errors import CodesInUseError
from qualcode.store import Store

EDITED = (
    SMALL_CODEBOOK.replace("label: Wages", "label: Pay and wages")
    .replace("  - id: family\n    parent: people", "  - id: family\n    parent: money")
    .replace("definition: Worry about losing benefits.", "definition: Fear that earning will cut benefits.")
    .replace('colour: "#ff7f0e"', 'colour: "#00aa00"')
    .replace("keywords: [mum, dad, sister]", "keywords: [mum, dad, brother]")
    + "  - id: place\n    label: Place\n"
)
WITHOUT_FAMILY = SMALL_CODEBOOK.split("  - id: family")[0]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def small_cli(tmp_path: Path, small_codebook: Path) -> Cli:
    cli = Cli(tmp_path / "small.db")
    assert cli("init", "--codebook", small_codebook, "--author", "ana").exit_code == 0
    return cli


def test_import_stores_a_new_version_with_author_and_message_and_log_lists_it(small_cli: Cli, tmp_path: Path) -> None:
    result = small_cli(
        "codebook", "import", write(tmp_path / "edited.yaml", EDITED), "-m", "wages relabelled", "--author", "ben"
    )
    assert result.exit_code == 0, result.output
    assert "version 2" in result.output and "1 added, 1 renamed, 1 moved" in result.output
    log = small_cli("codebook", "log")
    assert log.exit_code == 0
    lines = log.output.splitlines()
    assert lines[0].startswith("v2  (current)") and lines[0].endswith("by ben")
    assert lines[1].strip() == "wages relabelled"
    assert lines[2].strip() == "6 codes; 1 added, 1 renamed, 1 moved, 2 redefined, 1 recoloured"
    assert lines[3].startswith("v1") and lines[3].endswith("by ana") and "first version" in lines[5]
    detailed = small_cli("codebook", "log", "--changes").output
    assert '- Renamed wages from "Wages" to "Pay and wages".' in detailed


def test_the_same_codebook_again_makes_no_new_version(small_cli: Cli, small_codebook: Path) -> None:
    result = small_cli("codebook", "import", small_codebook, "-m", "again")
    assert result.exit_code == 0 and "nothing stored" in result.output
    assert small_cli("codebook", "log").output.count("\nv") == 0


def test_show_draws_the_tree_of_a_version_indented(small_cli: Cli, tmp_path: Path) -> None:
    small_cli("codebook", "import", write(tmp_path / "edited.yaml", EDITED), "-m", "edit")
    now = small_cli("codebook", "show").output.splitlines()
    assert now[0] == "Small test codebook (version 2: 6 codes in 3 themes)"
    assert now[1:] == [
        "Money  [money]",
        "  Benefits  [benefits]",
        "  Pay and wages  [wages]",
        "  Family  [family]",
        "People  [people]",
        "Place  [place]",
    ]
    old = small_cli("codebook", "show", "--version", "1", "--definitions").output.splitlines()
    assert "  Wages  [wages]" in old and "  Family  [family]" in old[old.index("People  [people]") + 1 :]
    assert "      Worry about losing benefits." in old


def test_diff_tells_each_kind_of_change_in_sentences(small_cli: Cli, tmp_path: Path) -> None:
    edited = write(tmp_path / "edited.yaml", EDITED)
    result = small_cli("codebook", "diff", "1", edited)
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith(f"From version 1 to {edited}:")
    assert 'Renamed wages from "Wages" to "Pay and wages".' in out
    assert 'Moved "Family" (family) from under "People" to under "Money".' in out
    assert (
        'Redefined "Benefits" (benefits): the definition was "Worry about losing benefits." '
        'and is now "Fear that earning will cut benefits."'
    ) in out
    assert 'Changed the keywords of "Family" (family): added "brother"; removed "sister".' in out
    assert 'Recoloured "People" (people): from #ff7f0e to #00aa00.' in out
    assert 'Added "Place" (place) at the top level (a theme).' in out
    assert "In all: 1 added, 1 renamed, 1 moved, 2 redefined, 1 recoloured." in out


def test_diff_between_store_versions_and_removed_codes(small_cli: Cli, tmp_path: Path) -> None:
    small_cli("codebook", "import", write(tmp_path / "smaller.yaml", WITHOUT_FAMILY), "-m", "family dropped")
    out = small_cli("codebook", "diff", "v1", "v2").output
    assert 'Removed "Family" (family), which was under "People".' in out and "In all: 1 removed." in out
    same = small_cli("codebook", "diff", "v2", tmp_path / "smaller.yaml")
    assert same.exit_code == 0 and "hold the same codebook" in same.output


def test_diff_names_include_exclude_examples_and_codebook_fields() -> None:
    old = parse_codebook(SMALL_CODEBOOK)
    new = parse_codebook(
        SMALL_CODEBOOK.replace("name: Small test codebook", "name: Small codebook")
        .replace("    label: Wages\n", "    label: Wages\n    include: Pay from a job.\n")
        .replace('examples: ["I\'m scared my benefits will stop."]', 'examples: ["They\'d stop my money."]')
    )
    sentences = [str(change) for change in diff_codebooks(old, new)]
    assert sentences == [
        'The codebook\'s name changed from "Small test codebook" to "Small codebook".',
        'Changed the examples of "Benefits" (benefits): added "They\'d stop my money."; removed "I\'m scared my benefits will stop.".',
        'Redefined "Wages" (wages): now has a when to use it (include): "Pay from a job.".',
    ]
    assert summary(diff_codebooks(old, new)) == "2 redefined, 1 other change"


def test_an_unknown_version_is_one_sentence(small_cli: Cli) -> None:
    result = small_cli("codebook", "diff", "1", "v7")
    assert result.exit_code == 1
    assert "has no codebook version 7" in result.output and "codebook log" in result.output


def without(book: Codebook, code_ids: list[str]) -> Codebook:
    """The codebook less some leaf codes."""
    return dataclasses.replace(book, codes=[code for code in book.codes if code.id not in code_ids])


def test_a_new_version_may_not_drop_codes_that_codings_use(sample_store: Store) -> None:
    current = sample_store.codebook()
    used = {row["code_id"] for row in sample_store.codings(statuses=["accepted"])}
    dropped = [code.id for code in current.codes if code.id in used and not current.children(code.id)][:2]
    counts = {
        code_id: len(sample_store.codings(code_ids=[code_id], statuses=["accepted", "pending"])) for code_id in dropped
    }
    with pytest.raises(CodesInUseError) as refused:
        project.update_codebook(sample_store, without(current, dropped), "ana", "tidy up", source="tidy.yaml")
    message = str(refused.value)
    for code_id in dropped:
        n = counts[code_id]
        assert f"`{code_id}` ({n} coding{'s' if n != 1 else ''})" in message
    assert message.startswith("tidy.yaml: leaves out") and message.endswith("first.") and "label, not its id" in message
    assert sample_store.codebook_version() == 1


def test_cli_refuses_a_codebook_that_drops_used_codes(sample_store: Store, tmp_path: Path) -> None:
    current = sample_store.codebook()
    used = next(
        row["code_id"] for row in sample_store.codings(statuses=["accepted"]) if not current.children(row["code_id"])
    )
    text = current.to_yaml().replace(f"- id: {used}\n", "- id: renamed_by_mistake\n")
    cli = Cli(Path(sample_store.location))
    result = cli("codebook", "import", write(tmp_path / "renamed.yaml", text), "-m", "oops")
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {tmp_path / 'renamed.yaml'}: leaves out `{used}` (")


def test_unused_codes_may_go_and_new_codings_record_the_new_version(sample_store: Store) -> None:
    current = sample_store.codebook()
    used = {row["code_id"] for row in sample_store.codings()}
    unused = [code.id for code in current.codes if code.id not in used and not current.children(code.id)]
    kept = current.ids()[1]
    book = without(current, unused)
    book = dataclasses.replace(
        book, codes=[dataclasses.replace(c, label="A new label") if c.id == kept else c for c in book.codes]
    )
    assert project.update_codebook(sample_store, book, "ana", "relabel") == 2
    assert sample_store.codebook().get(kept).label == "A new label" and not set(unused) & set(
        sample_store.codebook().ids()
    )
    document = sample_store.documents()[0]["id"]
    coding = project.add_coding(sample_store, document, 0, 5, kept, "ana")
    versions = {row["id"]: row["codebook_version"] for row in sample_store.codings(coders=["ana", "gold"])}
    assert versions[coding] == 2 and set(versions.values()) == {1, 2}


def test_store_lists_versions_oldest_first(store: Store) -> None:
    book = store.codebook()
    project.update_codebook(store, parse_codebook(book.to_yaml().replace("version: 1", "version: 2", 1)), "ben", "bump")
    listed = store.codebook_versions()
    assert [(row["version"], row["author"], row["message"]) for row in listed] == [
        (1, "", f"initial codebook from {CODEBOOK.name}"),
        (2, "ben", "bump"),
    ]
    assert all(row["codes"] == len(book) and row["created_at"] for row in listed)
