"""`qualcode app` as a process: it refuses a busy port before announcing it, and SIGTERM stops Streamlit with it."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from click.testing import CliRunner
from conftest import SMALL_CODEBOOK

from qualcode import project
from qualcode.cli import main


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("", 0))
        return probe.getsockname()[1]


def small_store(folder: Path) -> Path:
    (folder / "small.yaml").write_text(SMALL_CODEBOOK, encoding="utf-8")
    project.init_project(folder / "app.db", folder / "small.yaml").close()
    return folder / "app.db"


def test_a_busy_port_is_refused_before_the_app_is_announced(tmp_path: Path) -> None:
    db = small_store(tmp_path)
    with socket.socket() as taken:
        taken.bind(("", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["--db", str(db), "app", "--no-browser", "--port", str(port)])
    assert result.exit_code == 1
    assert f"port {port} is already in use" in result.output and "Opening the app" not in result.output


def test_sigterm_stops_streamlit_and_frees_the_port(tmp_path: Path) -> None:
    db, port = small_store(tmp_path), free_port()
    app = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from qualcode.cli import main; main()",
            "--db",
            str(db),
            "app",
            "--no-browser",
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        for _ in range(240):
            try:
                with urllib.request.urlopen(f"http://localhost:{port}/_stcore/health", timeout=1):
                    break
            except OSError:
                time.sleep(0.25)
        else:
            raise AssertionError(app.stdout.read1().decode() if app.poll() is not None else "the app did not start")
        app.send_signal(signal.SIGTERM)  # to qualcode only, as a service manager would
        assert app.wait(timeout=30) == 0
        with socket.socket() as probe:  # nothing is left listening: Streamlit went with qualcode
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("", port))
    finally:
        if app.poll() is None:
            app.kill()
