"""`qualcode demo` builds the sample project once and serves the app on it; `qualcode app` opens a store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import GOLD_ROWS, ROOT, SAMPLE_INTERVIEWS

from qualcode.errors import StoreError
from qualcode.project import sample
from qualcode.store import Store

pytestmark = pytest.mark.slow(30)  # seconds, all this file's tests together: started first (conftest.py)

QUALCODE = [sys.executable, "-c", "from qualcode.cli import main; main()"]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(db: Path, port: int, log: Path) -> tuple[subprocess.Popen, bool]:
    """Run `qualcode --db DB demo --no-browser --port PORT` and wait until the app answers (or give up)."""
    process = subprocess.Popen(
        [*QUALCODE, "--db", str(db), "demo", "--no-browser", "--port", str(port)],
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.time() + 240
    while time.time() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                return process, answer.status == 200
        except OSError:
            time.sleep(0.5)
    return process, False


def stop(process: subprocess.Popen) -> None:
    """End the demo command and the app it started (one process group, started here)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    process.wait(30)


def test_demo_builds_the_sample_once_then_serves_it(tmp_path: Path) -> None:
    db, log = tmp_path / "demo.db", tmp_path / "demo.log"
    process, answered = serve(db, free_port(), log)
    stop(process)
    assert answered, log.read_text()
    assert f"Built: {SAMPLE_INTERVIEWS} interviews, {GOLD_ROWS} accepted codings by `sample`" in log.read_text()
    store = Store.open(db)
    try:
        assert store.counts()["documents"] == SAMPLE_INTERVIEWS
        assert {c["coder"] for c in store.codings(statuses=["accepted"])} == {"sample"}
        assert len(store.codings(statuses=["pending"], sources=["suggested"])) > 50
    finally:
        store.close()
    process, answered = serve(db, free_port(), log)
    stop(process)
    assert answered and f"Using the project at {db}" in log.read_text()
    assert not list(tmp_path.glob(".demo.db.building*"))


def test_the_sample_is_never_built_over_an_existing_file(tmp_path: Path) -> None:
    existing = tmp_path / "mine.db"
    existing.write_bytes(b"someone's work")
    with pytest.raises(StoreError, match="a file already exists there"):
        sample.build_sample_project(existing)
    assert existing.read_bytes() == b"someone's work"


def test_a_failed_build_leaves_no_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("the suggester fell over")

    monkeypatch.setattr(sample.project, "suggest", broken)
    with pytest.raises(RuntimeError):
        sample.build_sample_project(tmp_path / "demo.db")
    assert list(tmp_path.iterdir()) == []


def test_app_on_a_missing_store_is_one_sentence(cli) -> None:
    result = cli("app", "--no-browser")
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: {cli.db}: no qualcode store here; create one with a codebook first "
        "(`qualcode --db PATH init --codebook FILE`)."
    )
