"""The README documents every command, every command has help with an example, and CI runs the README's test command."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from qualcode.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = ""):
    for name, command in sorted(group.commands.items()):
        yield f"{prefix}{name}", command
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix}{name} ")


COMMANDS = list(_commands(main))


@pytest.mark.parametrize("path,command", COMMANDS, ids=[path for path, _ in COMMANDS])
def test_every_command_has_help_and_is_in_the_readme(path, command):
    assert command.help and command.help.strip(), f"`qualcode {path}` has no help"
    words = path.split()
    named = re.search(r"qualcode " + r"\s+(?:\S+\s+)*?".join(map(re.escape, words)) + r"\b", README)
    tail = r"\b[^\n]*\b" + re.escape(words[-1]) if len(words) > 1 else ""
    alternatives = re.search(r"qualcode (?:\S+ )*" + re.escape(words[0]) + tail + r"\b", README)
    assert named or alternatives, f"README does not mention `qualcode {path}`"


@pytest.mark.parametrize(
    "path,command",
    [(p, c) for p, c in COMMANDS if not isinstance(c, click.Group)],
    ids=[p for p, c in COMMANDS if not isinstance(c, click.Group)],
)
def test_every_leaf_command_shows_an_example(path, command):
    assert "Example" in (command.help or ""), f"`qualcode {path}` has no Example block"


def test_ci_runs_the_readme_test_command():
    blocks = re.findall(r"```bash\n(.*?)\n```", README, re.S)
    test_command = next(block for block in blocks if "pytest" in block)
    assert test_command.strip() in (ROOT / ".ci" / "run").read_text(encoding="utf-8").replace(
        "pip install -q -e", "pip install -e"
    )
    assert sum(1 for block in blocks[:2] if block.startswith("pip install")) == 2
