"""A store is whole or absent: `init` and `import project` killed (SIGKILL) at random moments.

Each trial runs the real command in a subprocess and kills it after a random delay
spread over the time a full run takes. Afterwards the store path holds either
nothing (and `init` then works there) or a store that has its codebook and passes
`check`: never a schema without a codebook, never a half-written file.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SMALL_CODEBOOK

from qualcode import project
from qualcode.project import exchange
from qualcode.store import Store
from qualcode.store.maintenance import check_location

TRIALS = 10  # each kill lands in its own slice of the time a run takes, so every stage of the work is hit
TEXT = "Interviewer: How was work?\n\nSam: The wage was late again.\n\nInterviewer: And then?\n\nSam: My benefits stopped.\n"
# One process imports qualcode (and the language pipeline) once, then forks a child per trial, so each kill lands
# inside the command's own work rather than in Python's start-up: first an uninterrupted run to time the work,
# then TRIALS runs each killed with SIGKILL at a random moment in its own slice of 0.1 to 1.5 times that time.
KILLER = """
import os, random, signal, sys, time
from qualcode.cli import main
from qualcode import nlp
nlp.get_pipeline()
commands, trials = {commands!r}, {trials}

def run(db, args):
    pid = os.fork()
    if pid == 0:
        try:
            main(["--db", db, *args], standalone_mode=False)
            os._exit(0)
        except BaseException:
            os._exit(1)
    return pid

chance = random.Random(18)
for folder, args in commands:
    began = time.monotonic()
    _, status = os.waitpid(run(os.path.join(folder, "uninterrupted.db"), args), 0)
    assert status == 0, status
    work = time.monotonic() - began
    for n in range(trials):
        os.makedirs(os.path.join(folder, f"trial{{n}}"))
        pid = run(os.path.join(folder, f"trial{{n}}", "study.db"), args)
        time.sleep((0.1 + 1.4 * (n + chance.random()) / trials) * work)  # one kill in each slice of the run
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
"""


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A codebook file and a .qdpx project exported from a small store."""
    folder = tmp_path_factory.mktemp("crash-inputs")
    (folder / "small.yaml").write_text(SMALL_CODEBOOK, encoding="utf-8")
    for n in range(3):
        (folder / f"P{n}.txt").write_text(TEXT.replace("wage", f"wage {n}"), encoding="utf-8")
    store = project.init_project(folder / "source.db", folder / "small.yaml")
    project.import_transcripts(store, [folder / f"P{n}.txt" for n in range(3)])
    exchange.export_project(store, folder / "project.qdpx")
    store.close()
    return {"codebook": folder / "small.yaml", "qdpx": folder / "project.qdpx"}


def _whole_or_absent(db: Path) -> str:
    """'absent' or 'whole'; fails on a store that is not whole, or on anything but hidden scraps beside an absent one."""
    if not db.exists():
        assert not [p for p in db.parent.iterdir() if not p.name.startswith(".")], list(db.parent.iterdir())
        return "absent"
    assert check_location(str(db)) == [], check_location(str(db))
    store = Store.open(db)
    try:
        assert len(store.codebook()) == 5
    finally:
        store.close()
    return "whole"


def test_killed_init_and_import_project_leave_no_store_or_a_whole_one(inputs: dict[str, Path], tmp_path: Path) -> None:
    commands = {
        "init": ["init", "--codebook", str(inputs["codebook"])],
        "import-project": ["import", "project", str(inputs["qdpx"])],
    }
    for name in commands:
        (tmp_path / name).mkdir()
    script = KILLER.format(commands=[(str(tmp_path / name), args) for name, args in commands.items()], trials=TRIALS)
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    for name in commands:
        outcomes = [_whole_or_absent(tmp_path / name / f"trial{n}" / "study.db") for n in range(TRIALS)]
        print(f"{name}: {outcomes.count('whole')} whole, {outcomes.count('absent')} absent after {TRIALS} kills")
        absent = [n for n, outcome in enumerate(outcomes) if outcome == "absent"]
        if absent:  # whatever a killed run left beside the store's place, init works there
            project.init_project(tmp_path / name / f"trial{absent[0]}" / "study.db", inputs["codebook"]).close()
