"""Commands that open the Streamlit app: `qualcode demo` (the sample project) and `qualcode app`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import webbrowser
from pathlib import Path

import click

from .. import project as ops
from ..credentials import hide_password
from ..project import sample
from .base import main

ENTRY = Path(__file__).resolve().parent.parent.parent / "app.py"
PACKAGED_ENTRY = Path(__file__).resolve().parent.parent / "ui" / "main.py"


LOCAL = "127.0.0.1"


def app_options(command):
    """--port, --address and --no-browser, shared by `demo` and `app`."""
    command = click.option(
        "--address",
        default=LOCAL,
        show_default=True,
        help="Network address the app listens on; the default lets only this computer in.",
    )(command)
    command = click.option("--port", type=int, default=8501, show_default=True, help="Port the app listens on.")(
        command
    )
    command = click.option(
        "--no-browser",
        "--headless",
        "no_browser",
        is_flag=True,
        help="Do not open a browser tab (for servers and scripts).",
    )(command)
    return command


def run_app(db: str, port: int, open_browser: bool, address: str = LOCAL) -> int:
    """Run `streamlit run app.py` on the store `db` until it is stopped; returns its exit status.

    The store reaches the app in $QUALCODE_DB, not on the command line, so a database
    password never shows in the process list; the app listens on `address` only.
    """
    url = f"http://{'localhost' if address == LOCAL else address}:{port}"
    location = db if "://" in db else str(Path(db).resolve())
    command = streamlit_command(port, address)
    _require_free_port(port)
    click.echo(f"Opening the app at {url} on {hide_password(db)} (Ctrl+C stops it).")
    if address == LOCAL:
        click.echo(
            f"It listens on {LOCAL} only, so only this computer can open it; --address 0.0.0.0 shares it "
            "with your network, without a password."
        )
    else:
        click.echo(
            f"Warning: it listens on {address}, so anyone who can reach this computer there can open the project; "
            "the app has no password.",
            err=True,
        )
    if open_browser:
        threading.Thread(target=_open_when_ready, args=(url,), daemon=True).start()
    return _run_forwarding_signals(command, {**os.environ, "QUALCODE_DB": location})


def streamlit_command(port: int, address: str = LOCAL) -> list[str]:
    """The `streamlit run` command line for the app, headless, on address:port."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ENTRY if ENTRY.exists() else PACKAGED_ENTRY),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",  # no Deploy button: a researcher's project is not published from the app
        "--runner.postScriptGC",
        "false",  # a full collection after every click took a quarter of a second; Python still collects as it goes
    ]


def _require_free_port(port: int) -> None:
    """Refuse a port another program listens on, before announcing an address that would not be ours."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("", port))
        except OSError:
            raise click.ClickException(
                f"port {port} is already in use (another app or program is listening there); "
                "choose another with --port."
            ) from None


def _run_forwarding_signals(command: list[str], env: dict[str, str]) -> int:
    """Run Streamlit in its own process group; SIGTERM or SIGINT to qualcode stops the whole group, so no server is left on the port."""
    process = subprocess.Popen(command, start_new_session=True, env=env)

    def forward(signum: int, _frame: object) -> None:
        try:
            os.killpg(process.pid, signum)
        except ProcessLookupError:
            pass

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        while True:
            try:
                status = process.wait()
                break
            except KeyboardInterrupt:
                forward(signal.SIGINT, None)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    return 0 if status in (-signal.SIGTERM, -signal.SIGINT) else status


def _open_when_ready(url: str) -> None:
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                webbrowser.open(url)
                return
        except OSError:
            time.sleep(0.5)


@main.command()
@app_options
@click.pass_context
def demo(ctx: click.Context, port: int, address: str, no_browser: bool) -> None:
    """Build the sample project (on first run) and open the app on it.

    The first run creates the store at --db (default ./qualcode.db): the pb_employment
    codebook, the interviews in transcripts_sample/ with participants.csv, their gold
    coding as the accepted work of coder `sample`, and suggestions for every segment.
    Later runs open the same store, with every decision made since.

    Example:

    \b
        qualcode demo
        qualcode --db /tmp/sample.db demo --no-browser --port 8600
    """
    db = ctx.obj["db"]
    if "://" in db or Path(db).exists():
        click.echo(
            f"Using the project at {hide_password(db)} (delete it, or pass another --db, to build the sample again)."
        )
    else:
        click.echo(f"Building the sample project at {db} ...")
        built = sample.build_sample_project(db, say=click.echo)
        click.echo(
            f"Built: {built.documents} interviews, {built.codings} accepted codings by `{sample.SAMPLE_CODER}`, "
            f"{built.suggestions} pending suggestions."
        )
    ctx.exit(run_app(db, port, not no_browser, address))


@main.command(name="app")
@app_options
@click.pass_context
def app_command(ctx: click.Context, port: int, address: str, no_browser: bool) -> None:
    """Open the app on the project store named by --db (default ./qualcode.db), for this computer only.

    Example:

    \b
        qualcode --db study.db app --port 8502
        qualcode --db postgresql+psycopg://team@dbhost/study app --address 0.0.0.0
    """
    db = ctx.obj["db"]
    ops.open_project(db).close()
    ctx.exit(run_app(db, port, not no_browser, address))
