"""The one guarded way out: no export over the store, whole files or none, formats by suffix, plain sentences,
quiet pipes, formula cells kept as text, no password anywhere, the app on this computer only."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import hostile_project as hostile
import pandas as pd
import pytest
from conftest import Cli

from qualcode.export import writer

ROOT = Path(__file__).resolve().parent.parent
QUALCODE = [sys.executable, "-c", "from qualcode.cli import main; main()"]
SERVER = os.environ.get("QUALCODE_TEST_POSTGRES")
EVERY_EXPORT = [
    ("export", "segments"),
    ("export", "codings"),
    ("export", "suggestions"),
    ("export", "quotes"),
    ("export", "frequencies"),
    ("export", "project"),
    ("codebook", "export", "--format", "yaml"),
    ("agreement", "--coders", ",".join(hostile.CODERS), "--format", "csv"),
    ("agreement", "disagreements", "--coders", ",".join(hostile.CODERS), "--format", "csv"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("way_out")
    hostile.build(folder, folder / "study.db").close()
    return folder / "study.db"


@pytest.fixture
def db(built: Path, tmp_path: Path) -> Path:
    path = tmp_path / "study.db"
    shutil.copy(built, path)
    return path


def _fingerprint(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.mark.parametrize("command", EVERY_EXPORT, ids=lambda c: " ".join(c[:2]))
def test_no_export_writes_over_the_store_or_its_files(db, command):
    cli = Cli(db)
    Cli(db)("backup", str(db.with_name("study.db.snapshot.bak")))
    (db.parent / "link.db").symlink_to(db)
    os.link(db, db.parent / "hardlink.csv")
    before = _fingerprint(db.parent)
    for target in (
        db,
        db.with_name("study.db-wal"),
        db.with_name("study.db-shm"),
        db.with_name("study.db.snapshot.bak"),
        db.parent / "link.db",
        db.parent / "hardlink.csv",
    ):
        result = cli(*command, "-o", str(target))
        assert result.exit_code == 1, (target, result.output)
        assert result.output.startswith("Error: ") and result.output.count("\n") == 1, result.output
        assert "store" in result.output or "database" in result.output
    assert _fingerprint(db.parent) == before


def test_backup_refuses_the_store_and_names_a_missing_folder(db, tmp_path):
    cli = Cli(db)
    assert cli("backup", str(db)).exit_code == 1
    missing = cli("backup", str(tmp_path / "nowhere" / "b.db"))
    assert missing.exit_code == 1 and "does not exist" in missing.output and "unexpectedly" not in missing.output


def test_the_format_comes_from_the_suffix_and_an_unknown_one_is_refused(db, tmp_path):
    cli = Cli(db)
    assert cli("export", "segments", "-o", str(tmp_path / "x.xlsx")).exit_code == 0
    assert zipfile.is_zipfile(tmp_path / "x.xlsx")
    assert cli("export", "codings", "-o", str(tmp_path / "x.md")).output and (tmp_path / "x.md").read_text().startswith(
        "| "
    )
    for command in (("export", "segments"), ("export", "quotes"), ("export", "frequencies"), ("codebook", "export")):
        refused = cli(*command, "-o", str(tmp_path / "q.pdf"))
        assert refused.exit_code == 1 and refused.output.count("\n") == 1, refused.output
        assert ".pdf" in refused.output and (".csv" in refused.output or ".yaml" in refused.output)
        assert not (tmp_path / "q.pdf").exists()


def _read_only_folder(tmp_path: Path) -> Path:
    """A folder this process may not write in: a chmod-ed one, or (as root, whom chmod does not stop) /sys."""
    if os.geteuid() == 0:
        return Path("/sys")
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


@pytest.mark.parametrize(
    "command, suffix",
    [
        (("export", "segments"), "csv"),
        (("export", "quotes"), "xlsx"),
        (("export", "frequencies"), "docx"),
        (("export", "codings"), "md"),
        (("export", "project"), "qdpx"),
        (("codebook", "export"), "qdc"),
        (("agreement", "--coders", ",".join(hostile.CODERS)), "txt"),
    ],
)
def test_a_missing_or_read_only_folder_is_one_sentence(db, tmp_path, command, suffix):
    cli = Cli(db)
    for folder, says in ((tmp_path / "missing", "does not exist"), (_read_only_folder(tmp_path), "")):
        result = cli(*command, "-o", str(folder / f"out.{suffix}"))
        assert result.exit_code == 1, result.output
        assert result.output.startswith("Error: ") and result.output.count("\n") == 1, result.output
        assert str(folder) in result.output and says in result.output
        assert "unexpectedly" not in result.output and "Traceback" not in result.output


def test_a_reader_that_stops_early_ends_the_export_quietly(sample_db, tmp_path):
    process = subprocess.Popen(
        [*QUALCODE, "--db", str(sample_db), "export", "segments", "-o", "-"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout.readline().startswith(b"document_id,")
    process.stdout.close()  # as `| head -1` does
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0 and stderr == ""


def test_formula_cells_stay_text_and_numbers_stay_numbers(tmp_path):
    rows = [
        {"a": "=1+1", "b": "+cmd", "c": "-x", "d": "@SUM(A1)", "e": "\tx", "f": "\r=x", "g": -3, "h": "-3.5", "i": 0.25}
    ]
    columns = list(rows[0])
    for fmt in ("csv", "xlsx"):
        path = tmp_path / f"t.{fmt}"
        writer.write_table(rows, columns, fmt, path)
        assert hostile.formula_cells(path) == []
    from openpyxl import load_workbook

    values = [c.value for c in next(load_workbook(tmp_path / "t.xlsx")["data"].iter_rows(min_row=2))]
    assert values == ["'=1+1", "'+cmd", "'-x", "'@SUM(A1)", "'\tx", "'\r=x", -3, "-3.5", 0.25]


def test_app_downloads_are_masked_and_formula_safe(db, monkeypatch):
    """The bytes behind every download button of the app, built from the project's hostile values."""
    from qualcode import analysis
    from qualcode.store import Store
    from qualcode.ui.downloads import table_bytes

    monkeypatch.setenv("QUALCODE_DB", str(db))
    store = Store.open(db)
    frequencies = analysis.theme_frequencies(store, by=["name"], level="theme")
    store.close()
    tables = [
        frequencies,
        pd.DataFrame(
            {
                "span": ["SarahJones_01:0-10"],
                "Sarah": ["yes"],
                "-bob": ["no"],
                "text": ['=HYPERLINK("x") O’Neil, www.brightwayworks.co.uk'],
            }
        ),
    ]
    for frame in tables:
        for fmt in ("csv", "xlsx"):
            path = db.parent / f"download.{fmt}"
            path.write_bytes(table_bytes(frame, fmt))
            assert hostile.identifier_leaks(hostile.output_text(path)) == []
            assert hostile.formula_cells(path) == []


def test_the_dashboard_in_masked_view_shows_no_listed_name(db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("QUALCODE_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("qualcode/ui/page_dashboard.py").run()
    at.selectbox(key="by").select("name").run()
    assert not at.exception, at.exception
    shown = [e.value for e in [*at.markdown, *at.caption]] + [e.value.to_csv() for e in at.dataframe]
    assert "[name]" in "\n".join(shown) and hostile.identifier_leaks("\n".join(shown)) == []
    at.sidebar.toggle(key="masked_view").set_value(False).run()
    assert hostile.identifier_leaks("\n".join(e.value for e in at.markdown))  # the researcher may look, on screen


ROWS = [{"quote": "a quote of some length, " * 8 + str(i), "n": i} for i in range(3000)]


def _export_forever(base: Path) -> None:
    """The child's life: export the same table in three formats, again and again, until it is killed."""
    try:
        while True:
            for fmt in ("csv", "xlsx", "md"):
                writer.write_table(ROWS, ["quote", "n"], fmt, f"{base}.{fmt}")
    finally:
        os._exit(0)


def _complete(path: Path) -> bool:
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        return zipfile.ZipFile(path).testzip() is None and load_workbook(path)["data"].max_row == 3001
    lines = path.read_text(encoding="utf-8").splitlines()
    return len(lines) == (3001 if path.suffix == ".csv" else 3002) and lines[-1].endswith(
        "2999" + ("" if path.suffix == ".csv" else " |")
    )


def test_an_export_killed_at_any_moment_leaves_the_earlier_file_or_a_whole_one(tmp_path):
    """20 exporting processes killed with SIGKILL at random moments (forked, so each starts at once)."""
    base = tmp_path / "report"
    earlier = {fmt: f"the earlier {fmt} file".encode() for fmt in ("csv", "xlsx", "md")}
    rng = random.Random(17)
    survived, replaced = 0, 0
    for _ in range(20):
        for fmt, data in earlier.items():
            Path(f"{base}.{fmt}").write_bytes(data)
        child = os.fork()
        if child == 0:
            _export_forever(base)
        time.sleep(rng.uniform(0.0, 0.4))
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        for fmt, data in earlier.items():
            path = Path(f"{base}.{fmt}")
            found = path.read_bytes()
            assert found == data or _complete(path), (
                f"{path} is neither the earlier file nor a whole one: {len(found)} bytes"
            )
            replaced += found != data
        assert {p.name for p in tmp_path.iterdir() if not p.name.startswith(".")} == {
            "report.csv",
            "report.xlsx",
            "report.md",
        }
        survived += 1
    for fmt in earlier:  # the next write sweeps what killed writers left behind
        writer.write_table([{"a": 1}], ["a"], fmt, f"{base}.{fmt}")
    assert not list(tmp_path.glob(".report.*")) and survived == 20 and replaced > 0


@pytest.mark.skipif(not SERVER, reason="QUALCODE_TEST_POSTGRES is not set")
def test_no_password_in_provenance_messages_or_the_app(tmp_path, monkeypatch):
    import uuid

    from sqlalchemy import create_engine, text

    name = f"qualcode_{uuid.uuid4().hex[:12]}"
    admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = SERVER.rsplit("/", 1)[0] + "/" + name
    password = url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
    secret = f":{password}@"
    try:
        init = Cli(url)("init", "--codebook", str(tmp_path / "x.yaml"))
        assert secret not in init.output
        hostile.build(tmp_path / "h", url).close()
        cli = Cli(url)
        outputs = []
        for kind in ("quotes", "frequencies"):
            for fmt in ("csv", "xlsx", "md", "docx"):
                path = tmp_path / f"{kind}.{fmt}"
                result = cli("export", kind, "-o", str(path))
                assert result.exit_code == 0, result.output
                outputs += [result.output, hostile.output_text(path)]
                if fmt == "csv":
                    outputs.append(path.with_name(path.name + ".about.json").read_text(encoding="utf-8"))
        outputs.append(
            Cli(url)("init", "--codebook", str(tmp_path / "h" / "codebook.yaml")).output
        )  # refused: a store is there
        outputs.append(cli("check").output)
        joined = "\n".join(outputs)
        assert secret not in joined and f"{url.split('://')[0]}://qualcode:***@" in joined
        assert hostile.identifier_leaks(joined) == []
        monkeypatch.setenv("QUALCODE_DB", url)
        from streamlit.testing.v1 import AppTest

        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
        sidebar = "\n".join(e.value for e in at.sidebar.caption)
        assert "***" in sidebar and secret not in sidebar
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def test_the_app_listens_on_this_computer_only_and_keeps_the_store_off_the_command_line(built, tmp_path):
    port = 8790 + os.getpid() % 50
    process = subprocess.Popen(
        [*QUALCODE, "--db", str(built), "app", "--no-browser", "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        said = process.stdout.readline().decode() + process.stdout.readline().decode()
        assert "127.0.0.1 only" in said
        deadline = time.time() + 60
        listening = []
        while time.time() < deadline and not listening:
            listening = [
                line
                for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
                if line.split()[1].endswith(f":{port:04X}") and line.split()[3] == "0A"
            ]
            time.sleep(0.3)
        assert listening and all(line.split()[1].startswith("0100007F:") for line in listening)  # 127.0.0.1
        command_lines = []
        for entry in Path("/proc").iterdir():
            try:
                command_lines.append((entry / "cmdline").read_bytes())
            except OSError:
                continue
        app = [
            line for line in command_lines if b"streamlit" in line and f"\x00{port}\x00".encode() in line
        ]  # what qualcode started
        assert app and not any(str(built).encode() in line or b"--db" in line for line in app)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
