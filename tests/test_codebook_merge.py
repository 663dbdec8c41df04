"""Three-way codebook merge: edits to different codes and fields combine, clashes are marked and reported."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CODEBOOK, SMALL_CODEBOOK, Cli

from qualcode.cli import main
from qualcode.codebook import load_codebook, parse_codebook, validate_codebook
from qualcode.codebook.merge import merge_codebooks

pytestmark = pytest.mark.slow(25)  # seconds, all this file's tests together: started first (conftest.py)

BASE = SMALL_CODEBOOK


def edit(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def merge(tmp_path: Path, base: str, ours: str, theirs: str, *extra: str):
    paths = []
    for name, text in (("base", base), ("ours", ours), ("theirs", theirs)):
        path = tmp_path / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    out = tmp_path / "merged.yaml"
    result = CliRunner().invoke(
        main, ["codebook", "merge", *map(str, paths), "-o", str(out), *extra], catch_exceptions=False
    )
    return result, out


def test_changes_to_different_codes_combine(tmp_path: Path) -> None:
    ours = edit(BASE, ("label: Wages", "label: Pay"))
    theirs = edit(BASE, ("    label: Family\n", "    label: Family\n    definition: Parents, siblings and partners.\n"))
    result, out = merge(tmp_path, BASE, ours, theirs)
    assert result.exit_code == 0, result.output
    merged = load_codebook(out)
    assert merged.get("wages").label == "Pay" and merged.get("family").definition == "Parents, siblings and partners."
    assert merged.ids() == parse_codebook(BASE).ids()
    assert "1 redefined" in result.output


def test_changes_to_different_fields_of_one_code_combine(tmp_path: Path) -> None:
    ours = edit(BASE, ("label: Benefits", "label: Benefit worries"))
    theirs = edit(
        BASE,
        ("definition: Worry about losing benefits.", "definition: Fear that work will cut benefits."),
        ("keywords: [benefit, universal credit]", "keywords: [benefit, universal credit, sanction]"),
    )
    result, out = merge(tmp_path, BASE, ours, theirs)
    assert result.exit_code == 0, result.output
    code = load_codebook(out).get("benefits")
    assert (code.label, code.definition) == ("Benefit worries", "Fear that work will cut benefits.")
    assert code.keywords == ("benefit", "universal credit", "sanction")


def test_rename_on_one_side_and_redefinition_on_the_other_combine(tmp_path: Path) -> None:
    ours = edit(BASE, ("label: Wages", "label: Earnings from work"))
    theirs = edit(
        BASE,
        (
            "keywords: [wage, salary, pay packet]",
            "definition: Money earned in a job.\n    keywords: [wage, salary, pay packet]",
        ),
    )
    result, out = merge(tmp_path, BASE, ours, theirs)
    assert result.exit_code == 0, result.output
    code = load_codebook(out).get("wages")
    assert code.label == "Earnings from work" and code.definition == "Money earned in a job."


def test_the_same_change_on_both_sides_is_kept_once(tmp_path: Path) -> None:
    both = edit(
        BASE, ("label: Wages", "label: Pay"), ("keywords: [mum, dad, sister]", "keywords: [mum, dad, sister, gran]")
    )
    result, out = merge(tmp_path, BASE, both, both)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == both


def test_codes_added_on_both_sides_are_all_kept_in_a_sensible_order(tmp_path: Path) -> None:
    ours = edit(BASE, ("  - id: people\n", "  - id: debts\n    parent: money\n    label: Debts\n  - id: people\n"))
    theirs = BASE + "  - id: friends\n    parent: people\n    label: Friends\n"
    theirs = edit(
        theirs, ("  - id: people\n", "  - id: savings\n    parent: money\n    label: Savings\n  - id: people\n")
    )
    result, out = merge(tmp_path, BASE, ours, theirs)
    assert result.exit_code == 0, result.output
    assert load_codebook(out).ids() == ["money", "benefits", "wages", "debts", "savings", "people", "family", "friends"]


def test_the_same_code_added_on_both_sides_merges_field_by_field(tmp_path: Path) -> None:
    ours = BASE + "  - id: place\n    label: Place\n    keywords: [town]\n"
    theirs = BASE + '  - id: place\n    label: Place\n    colour: "#00ff00"\n    keywords: [village]\n'
    result, out = merge(tmp_path, BASE, ours, theirs)
    assert result.exit_code == 0, result.output
    place = load_codebook(out).get("place")
    assert place.colour == "#00ff00" and place.keywords == ("town", "village")


def test_a_clash_on_one_field_is_marked_with_both_versions_and_exits_non_zero(tmp_path: Path) -> None:
    ours = edit(BASE, ("label: Wages", "label: Pay"), ("label: Family", "label: Relatives"))
    theirs = edit(BASE, ("label: Wages", "label: Earnings"))
    result, out = merge(tmp_path, BASE, ours, theirs)
    assert result.exit_code == 1
    assert (
        'conflict: Both sides changed the label of `wages` differently: ours "Pay", theirs "Earnings"; it was "Wages".'
    ) in result.output
    assert "written with 1 conflict" in result.output
    text = out.read_text(encoding="utf-8")
    assert (
        "<<<<<<< ours\n    label: Pay\n||||||| base\n    label: Wages\n=======\n    label: Earnings\n>>>>>>> theirs\n"
    ) in text
    assert "label: Relatives" in text
    problems = validate_codebook(out)
    assert (
        len(problems) == 1
        and "unresolved merge conflict" in problems[0].message
        and problems[0].line == text.splitlines().index("<<<<<<< ours") + 1
    )
    resolved = text.replace("<<<<<<< ours\n    label: Pay\n||||||| base\n    label: Wages\n=======\n", "").replace(
        ">>>>>>> theirs\n", ""
    )
    assert parse_codebook(resolved).get("wages").label == "Earnings"


def test_a_code_removed_on_one_side_and_changed_on_the_other_is_a_conflict(tmp_path: Path) -> None:
    ours = BASE.split("  - id: family")[0]
    theirs = edit(BASE, ("label: Family", "label: Family and friends"))
    result, out = merge(tmp_path, BASE, ours, theirs)
    assert result.exit_code == 1
    assert 'ours removed "Family" (family) but theirs changed it.' in result.output
    text = out.read_text(encoding="utf-8")
    assert "<<<<<<< ours\n||||||| base\n  - id: family\n" in text and "label: Family and friends\n" in text


def test_a_code_removed_cleanly_on_one_side_goes(tmp_path: Path) -> None:
    theirs = edit(BASE, ("label: Money", "label: Money matters"))
    ours = BASE.split("  - id: family")[0]
    result, out = merge(tmp_path, BASE, ours, theirs)
    assert result.exit_code == 0, result.output
    merged = load_codebook(out)
    assert "family" not in merged and merged.get("money").label == "Money matters"


def test_a_parent_removed_while_the_other_side_adds_under_it_is_a_conflict(tmp_path: Path) -> None:
    ours = edit(
        BASE,
        ('  - id: people\n    label: People\n    colour: "#ff7f0e"\n', ""),
        ("    parent: people\n", "    parent: money\n"),
    )
    theirs = BASE + "  - id: friends\n    parent: people\n    label: Friends\n"
    result, out = merge(tmp_path, BASE, ours, theirs)
    assert result.exit_code == 1
    assert 'ours removed "People" (people) but theirs put `friends` under it.' in result.output


def test_examples_and_keywords_merge_item_by_item(tmp_path: Path) -> None:
    ours = edit(BASE, ("keywords: [wage, salary, pay packet]", "keywords: [wage, salary, pay packet, payslip]"))
    theirs = edit(BASE, ("keywords: [wage, salary, pay packet]", "keywords: [wage, pay packet, earnings]"))
    result, out = merge(tmp_path, BASE, ours, theirs)
    assert result.exit_code == 0, result.output
    assert load_codebook(out).get("wages").keywords == ("wage", "pay packet", "payslip", "earnings")


def test_a_clean_merge_changes_only_the_lines_it_must_and_keeps_comments(tmp_path: Path) -> None:
    base = CODEBOOK.read_text(encoding="utf-8")
    ours = edit(base, ("label: Low expectations of paid work", "label: Low hopes of paid work"))
    theirs = edit(base, ('colour: "#114163"', 'colour: "#123456"'))
    result, out = merge(tmp_path, base, ours, theirs)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == edit(ours, ('colour: "#114163"', 'colour: "#123456"'))


def test_name_clash_in_the_codebook_header_is_marked(tmp_path: Path) -> None:
    ours = edit(BASE, ("name: Small test codebook", "name: Ours"))
    theirs = edit(BASE, ("name: Small test codebook", "name: Theirs"))
    result, out = merge(tmp_path, BASE, ours, theirs)
    assert result.exit_code == 1 and "codebook's name" in result.output
    assert out.read_text(encoding="utf-8").startswith(
        "<<<<<<< ours\nname: Ours\n||||||| base\nname: Small test codebook\n=======\nname: Theirs\n"
    )


def test_moves_on_both_sides_that_make_a_cycle_are_a_conflict() -> None:
    base = parse_codebook(BASE)
    ours = parse_codebook(edit(BASE, ("  - id: people\n", "  - id: people\n    parent: wages\n")))
    theirs = parse_codebook(edit(BASE, ("  - id: money\n", "  - id: money\n    parent: family\n")))
    result = merge_codebooks(base, ours, theirs)
    assert not result.clean and any("its own ancestor" in str(c) for c in result.conflicts)


def test_store_versions_merge_and_a_clean_result_becomes_a_version(tmp_path: Path, small_codebook: Path) -> None:
    cli = Cli(tmp_path / "m.db")
    cli("init", "--codebook", small_codebook)
    ours = tmp_path / "ours.yaml"
    ours.write_text(edit(BASE, ("label: Wages", "label: Pay")), encoding="utf-8")
    cli("codebook", "import", ours, "-m", "pay")
    theirs = tmp_path / "theirs.yaml"
    theirs.write_text(edit(BASE, ("label: People", "label: Relationships")), encoding="utf-8")
    result = cli(
        "codebook",
        "merge",
        "v1",
        "v2",
        theirs,
        "-o",
        tmp_path / "merged.yaml",
        "-m",
        "merge with Ben",
        "--author",
        "ana",
    )
    assert result.exit_code == 0, result.output
    assert "Stored the merged codebook as version 3." in result.output
    log = cli("codebook", "log").output
    assert log.startswith("v3  (current)") and "merge with Ben" in log


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_works_as_a_git_merge_driver(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "codebooks").mkdir(parents=True)
    driver = f"{sys.executable} -c 'from qualcode.cli import main; main()' codebook merge %O %A %B -o %A"

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
            cwd=repo,
            capture_output=True,
            text=True,
        )

    git("init", "-q", "-b", "main")
    git("config", "merge.qualcode-codebook.driver", driver)
    (repo / ".gitattributes").write_text("codebooks/*.yaml merge=qualcode-codebook\n")
    book = repo / "codebooks" / "small.yaml"
    book.write_text(BASE, encoding="utf-8")
    git("add", ".")
    git("commit", "-qm", "base")
    git("tag", "base")
    git("checkout", "-qb", "ben")
    book.write_text(edit(BASE, ('colour: "#1f77b4"', 'colour: "#123456"')), encoding="utf-8")
    git("commit", "-qam", "ben recolours money")
    git("checkout", "-q", "main")
    book.write_text(edit(BASE, ("label: Money", "label: Money matters")), encoding="utf-8")
    git("commit", "-qam", "ana relabels money")
    merged = git("merge", "ben", "-m", "merge")
    assert merged.returncode == 0, merged.stdout + merged.stderr
    code = load_codebook(book).get("money")
    assert (code.label, code.colour) == ("Money matters", "#123456")
    git("checkout", "-qb", "cat", "base")
    book.write_text(edit(BASE, ("label: Money", "label: Finance")), encoding="utf-8")
    git("commit", "-qam", "cat relabels money")
    git("checkout", "-q", "main")
    clash = git("merge", "cat", "-m", "merge")
    assert clash.returncode != 0 and "CONFLICT" in clash.stdout
    text = book.read_text(encoding="utf-8")
    assert "<<<<<<< ours\n    label: Money matters\n" in text and "    label: Finance\n>>>>>>> theirs\n" in text
