"""Shared fixtures: fresh stores, the sample project, and a CLI runner bound to a store."""

from __future__ import annotations

import csv
import functools
import os
import shutil
import threading
import uuid
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from qualcode import project
from qualcode.cli import main
from qualcode.store import Store

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "transcripts_sample"
CODEBOOK = ROOT / "codebooks" / "pb_employment.yaml"
GOLD = SAMPLE / "gold_codings.csv"


def _scan_components_once() -> None:
    """Streamlit's test harness scans every installed package for page components once per AppTest (0.3 s in a
    fresh environment, seconds in a big one); the installed packages do not change while the tests run."""
    try:
        from streamlit.components.v2 import manifest_scanner
    except ImportError:  # a Streamlit without them
        return
    manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


_scan_components_once()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first (marked `slow(seconds)`), then the others by how many tests they hold: with
    files shared out between processes in this order, no long file starts last and runs on alone."""
    per_file = Counter(item.path for item in items)

    def order(item: pytest.Item) -> tuple[float, int]:
        mark = item.get_closest_marker("slow")
        return -(mark.args[0] if mark else 0), -per_file[item.path]

    items.sort(key=order)  # stable: a file's tests keep their order


@pytest.fixture(autouse=True)
def no_run_left_running():
    """A suggest run a test started beside the page ends before the next test: one still going would work
    on a store that is gone, in the next test's time."""
    yield
    for thread in threading.enumerate():
        if thread.name.startswith("qualcode ") and thread is not threading.current_thread():
            thread.join(timeout=120)


def _rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))


SAMPLE_INTERVIEWS = _rows(SAMPLE / "participants.csv")  # one row per interview file


def sample_ids(role: str) -> set[str]:
    """Ids of the sample interviews with participants of one role."""
    with (SAMPLE / "participants.csv").open(encoding="utf-8", newline="") as handle:
        return {row["id"] for row in csv.DictReader(handle) if row["role"] == role}


GOLD_ROWS = _rows(GOLD)

SMALL_CODEBOOK = """\
name: Small test codebook
version: 1
codes:
  - id: money
    label: Money
    colour: "#1f77b4"
    definition: Talk about money.
  - id: benefits
    parent: money
    label: Benefits
    definition: Worry about losing benefits.
    keywords: [benefit, universal credit]
    examples: ["I'm scared my benefits will stop."]
  - id: wages
    parent: money
    label: Wages
    keywords: [wage, salary, pay packet]
  - id: people
    label: People
    colour: "#ff7f0e"
  - id: family
    parent: people
    label: Family
    keywords: [mum, dad, sister]
"""


@pytest.fixture
def small_codebook(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL_CODEBOOK, encoding="utf-8")
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "project.db"


@pytest.fixture
def store(db_path: Path) -> Store:
    """An empty store holding the shipped codebook."""
    opened = project.init_project(db_path, CODEBOOK)
    yield opened
    opened.close()


@pytest.fixture
def postgres_url():
    """A new, empty database on the test PostgreSQL server (skipped without one), dropped afterwards."""
    server = os.environ.get("QUALCODE_TEST_POSTGRES")
    if not server:
        pytest.skip("QUALCODE_TEST_POSTGRES is not set (.ci/run starts PostgreSQL and sets it)")
    name = f"qualcode_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built once per run: the sample imported, its gold coding accepted as coder `gold`."""
    path = tmp_path_factory.mktemp("sample") / "sample.db"
    built = project.init_project(path, CODEBOOK)
    report = project.import_transcripts(built, [SAMPLE])
    assert report.ok, report.refused
    project.import_codings(built, GOLD, coder="gold")
    built.close()
    return path


@pytest.fixture
def sample_store(sample_db: Path, tmp_path: Path) -> Store:
    """A private copy of the sample project, free to change."""
    path = tmp_path / "sample.db"
    shutil.copy(sample_db, path)
    opened = Store.open(path)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def suggested_cm01(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project with suggestions on the transcripts the coding-session tests code (built once a run)."""
    path = tmp_path_factory.mktemp("loop") / "suggested.db"
    shutil.copy(sample_db, path)
    built = Store.open(path)
    project.suggest(built, document_ids=["CM01", "JC05"], min_confidence=0.1)  # calibrated shares: several per segment
    built.close()
    return path


class Cli:
    """Runs `qualcode --db DB ...` in-process and keeps the result."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None):
        return self.runner.invoke(main, ["--db", str(self.db), *map(str, args)], input=input, catch_exceptions=False)


@pytest.fixture
def cli(db_path: Path) -> Cli:
    return Cli(db_path)


def survey(folder: Path, codebook: Path, answers: dict[str, str], codings: dict[str, list[str]]) -> Cli:
    """A CLI on a new store holding one answer per respondent (unit `R-Q1` for respondent R), imported as a table of
    units, and each coder's `wages` codings of the respondents listed, imported by unit."""
    cli = Cli(folder / "survey.db")
    assert cli("init", "--codebook", codebook).exit_code == 0
    table = "unit_id,respondent,text\n" + "".join(f"{r}-Q1,{r},{text}\n" for r, text in answers.items())
    (folder / "answers.csv").write_text(table, encoding="utf-8")
    assert cli("import", folder / "answers.csv").exit_code == 0
    for coder, respondents in codings.items():
        (folder / f"{coder}.csv").write_text("unit_id,code\n" + "".join(f"{r}-Q1,wages\n" for r in respondents))
        assert cli("import-codings", folder / f"{coder}.csv", "--coder", coder).exit_code == 0
    return cli
