"""A user mistake reads as one sentence in each face, worded for that face: the CLI names its option, the app its control."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from conftest import Cli

from qualcode.errors import DocumentChangedError, NoCoderError, QualcodeError, sentence

PACKAGE = Path(__file__).resolve().parent.parent / "qualcode"
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]+")


def _messages(path: Path) -> list[tuple[int, str]]:
    """The literal text of every string passed to an exception raised in `path`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            for part in ast.walk(node.exc):
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    found.append((node.lineno, part.value))
    return found


def test_no_message_below_the_faces_names_a_command_line_option() -> None:
    core = [p for p in PACKAGE.rglob("*.py") if not {"cli", "ui"} & set(p.relative_to(PACKAGE).parts)]
    flagged = [
        f"{p.relative_to(PACKAGE)}:{line}: {text}"
        for p in core
        for line, text in _messages(p)
        if FLAG.search(text) and "pip install" not in text
    ]  # pip's own options are how to repair an install
    assert flagged == []


def test_no_bare_qualcode_error_is_raised() -> None:
    bare = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Raise)
                and isinstance(node.exc, ast.Call)
                and getattr(node.exc.func, "id", "") == "QualcodeError"
            ):
                bare.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert bare == []


def test_each_face_folds_its_own_words_for_the_hint_into_the_one_sentence() -> None:
    from qualcode.cli.base import HINTS as CLI_HINTS

    error = DocumentChangedError(
        "a.txt: document `a` is already in the store with different text; import it as a replacement."
    )
    assert sentence(error, CLI_HINTS) == (
        "a.txt: document `a` is already in the store with different text; import it as a replacement (--replace)."
    )
    assert sentence(NoCoderError("say who is coding."), {}) == "say who is coding."
    assert sentence(QualcodeError("plain."), CLI_HINTS) == "plain."


def test_the_cli_names_the_option_for_a_changed_transcript(store, cli: Cli, tmp_path: Path) -> None:
    transcript = tmp_path / "T1.txt"
    transcript.write_text("Interviewer: Why?\nAmy: Because I want to work.\n", encoding="utf-8")
    assert cli("import", str(transcript)).exit_code == 0
    transcript.write_text("Interviewer: Why?\nAmy: Because I need the money.\n", encoding="utf-8")
    result = cli("import", str(transcript))
    assert result.exit_code != 0
    assert (
        "import it as a replacement to take the new text (its codings move with their quotes) (--replace)."
        in result.output
    )
