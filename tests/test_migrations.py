"""Every schema migration, up and down, on stores that hold rows (SQLite, and PostgreSQL when it is running).

`store_at(revision)` builds a store the way one grows over time: each migration is applied in
turn and, after each, the rows a project of that revision would hold are written, through the
tables as they are at that revision. So a store at 0004 holds codings written under 0001 and
memos written under 0002, as an old project would.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from qualcode.store import Store, _alembic_config, _engine

pytestmark = pytest.mark.slow(45)  # seconds, all this file's tests together: started first (conftest.py)
SERVER = os.environ.get("QUALCODE_TEST_POSTGRES")
SCRIPT = ScriptDirectory.from_config(_alembic_config())
REVISIONS = [r.revision for r in reversed(list(SCRIPT.walk_revisions()))]  # oldest first
HEAD = REVISIONS[-1]
STEPS = list(itertools.pairwise(REVISIONS))  # (from, to), one per migration after the first
WHEN = "2026-11-02T10:00:00+00:00"
TEXT = "Interviewer: How is work?\n\nRespondent: I'm scared my benefits will stop. My sister helps."


def test_the_revisions_are_one_line_from_0001_to_the_head() -> None:
    assert [f"{n:04d}" for n in range(1, len(REVISIONS) + 1)] == REVISIONS and len(REVISIONS) >= 6
    assert [SCRIPT.get_revision(b).down_revision for a, b in STEPS] == [a for a, b in STEPS]


# -- writing the rows a project of each revision holds -----------------------------------------------

NUMBERED = {"segments", "codings", "memos", "decisions", "identifiers"}  # tables whose rows get a number as id


def _insert(connection: sa.Connection, table: str, **values: Any) -> Any:
    """Insert one row naming only the columns the revision has; returns the new row's number, if it gets one."""
    statement = sa.insert(sa.table(table, *map(sa.column, values))).values(**values)
    if table in NUMBERED:
        return connection.execute(statement.returning(sa.column("id"))).scalar_one()
    connection.execute(statement)


def _rows_0001(connection: sa.Connection) -> None:
    """A codebook, one transcript with two turns and segments, and codings of each source and status."""
    _insert(
        connection,
        "codebook_versions",
        version=1,
        name="Study",
        description="",
        yaml="name: Study\ncodes: []\n",
        author="ann",
        message="initial",
        created_at=WHEN,
    )
    for position, (code, parent) in enumerate([("money", None), ("benefits", "money")]):
        _insert(
            connection,
            "codes",
            version=1,
            code_id=code,
            label=code.title(),
            parent_id=parent,
            theme_id="money",
            colour=None,
            position=position,
        )
    _insert(
        connection,
        "documents",
        id="D1",
        title="D1",
        source_path="D1.txt",
        format="txt",
        encoding="utf-8",
        content_hash="0" * 64,
        text=TEXT,
        word_count=15,
        imported_at=WHEN,
    )
    _insert(connection, "attributes", document_id="D1", name="role", value="Person using a PB")
    question, answer = TEXT.index("How"), TEXT.index("I'm")
    for position, (speaker, kind, start, end) in enumerate(
        [("Interviewer", "question", question, 25), ("Respondent", "answer", answer, len(TEXT))]
    ):
        _insert(
            connection,
            "turns",
            document_id="D1",
            position=position,
            speaker=speaker,
            kind=kind,
            start=start,
            end=end,
            attributes="{}",
        )
    first_end = TEXT.index(" My sister")
    segments = [
        _insert(
            connection,
            "segments",
            document_id="D1",
            turn_position=1,
            position=position,
            start=start,
            end=end,
            speaker="Respondent",
            text=TEXT[start:end],
        )
        for position, (start, end) in enumerate([(answer, first_end), (first_end + 1, len(TEXT))])
    ]
    for segment, (start, end), code, coder, source, status, decided in [
        (segments[0], (answer, first_end), "benefits", "ann", "suggested", "accepted", WHEN),
        (segments[1], (first_end + 1, len(TEXT)), "money", "qualcode", "suggested", "pending", None),
        (segments[1], (first_end + 1, len(TEXT)), "benefits", "bo", "manual", "accepted", WHEN),
    ]:
        _insert(
            connection,
            "codings",
            document_id="D1",
            segment_id=segment,
            start=start,
            end=end,
            code_id=code,
            coder=coder,
            source=source,
            status=status,
            confidence=0.7 if source == "suggested" else None,
            evidence=json.dumps({"terms": ["benefit"]}),
            codebook_version=1,
            quote=TEXT[start:end],
            created_at=WHEN,
            decided_at=decided,
        )


def _first(connection: sa.Connection, table: str) -> int:
    return connection.execute(sa.text(f"SELECT min(id) FROM {table}")).scalar_one()


def _rows_0002(connection: sa.Connection) -> None:
    """Memos on the transcript, on a segment and on a coding."""
    segment, coding = _first(connection, "segments"), _first(connection, "codings")
    for segment_id, coding_id, text in [
        (None, None, "about the whole interview"),
        (segment, None, "on a passage"),
        (None, coding, "why I coded this"),
    ]:
        _insert(
            connection,
            "memos",
            document_id="D1",
            segment_id=segment_id,
            coding_id=coding_id,
            coder="ann",
            text=text,
            created_at=WHEN,
        )


def _rows_0003(connection: sa.Connection) -> None:
    _insert(connection, "identifiers", identifier="Northfield Council", kind="organisation", added_at=WHEN)


def _rows_0005(connection: sa.Connection) -> None:
    """A project memo (no transcript), a memo on a code, and their decision-log rows."""
    for document, code, text in [(None, None, "the study as a whole"), (None, "benefits", "what benefits covers")]:
        memo = _insert(connection, "memos", document_id=document, code_id=code, coder="ann", text=text, created_at=WHEN)
        _insert(
            connection,
            "decisions",
            batch=f"memo-{memo}",
            memo_id=memo,
            action="memo",
            coder="ann",
            decided_at=WHEN,
            after=json.dumps({"text": text}),
        )


def _rows_0006(connection: sa.Connection) -> None:
    _insert(
        connection,
        "segment_encodings",
        segment_id=_first(connection, "segments"),
        embedder="static",
        text_hash="1" * 64,
        vector=bytes(range(16)),
    )


def _rows_0009(connection: sa.Connection) -> None:
    """A user another tool listed who made no coding, who brought D1 in, and a memo with its Note's GUID."""
    _insert(connection, "users", name="cat", guid="C3000000-0000-0000-0000-000000000003", added_at=WHEN)
    connection.execute(sa.text(f"UPDATE documents SET creator = 'cat', created_at = '{WHEN}' WHERE id = 'D1'"))
    _insert(
        connection,
        "memos",
        document_id="D1",
        coder="cat",
        text="from the other tool",
        created_at=WHEN,
        guid="F6000000-0000-0000-0000-000000000001",
    )


ROWS: dict[str, Callable[[sa.Connection], None]] = {
    "0001": _rows_0001,
    "0002": _rows_0002,
    "0003": _rows_0003,
    "0005": _rows_0005,
    "0006": _rows_0006,
    "0009": _rows_0009,
}


# -- stores at a revision ----------------------------------------------------------------------------


def migrate(engine: sa.Engine, direction: str, revision: str) -> None:
    """Run qualcode's migrations up or down to `revision` in one transaction, as opening a store does."""
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, direction)(config, revision)


def revision_of(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def contents(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Every row of every qualcode table, sorted, keyed by table name."""
    with engine.connect() as connection:
        names = [n for n in sa.inspect(connection).get_table_names() if n != "alembic_version"]
        return {n: sorted(tuple(map(str, r)) for r in connection.execute(sa.text(f"SELECT * FROM {n}"))) for n in names}


def shape(engine: sa.Engine) -> dict[str, Any]:
    """The schema as a user's data depends on it: tables, columns with their nullability, and indexes."""
    found: dict[str, Any] = {}
    inspector = sa.inspect(engine)
    for table in sorted(set(inspector.get_table_names()) - {"alembic_version"}):
        found[table] = (
            {(c["name"], bool(c["nullable"])) for c in inspector.get_columns(table)},
            {(i["name"], tuple(i["column_names"])) for i in inspector.get_indexes(table)},
        )
    return found


class Backend:
    """Makes stores of one kind (SQLite files, or schemas in the PostgreSQL test database) and drops them at the end.

    Every test changes a store of its own: a SQLite store at a revision is built once and
    copied; on PostgreSQL each is built afresh in a new schema.
    """

    def __init__(self, kind: str, folder: Path) -> None:
        self.kind, self.folder = kind, folder
        self.engines: list[sa.Engine] = []
        self.schemas: list[str] = []
        self.built: dict[tuple[str, bool], str] = {}
        self.shapes: dict[str, dict[str, Any]] = {}
        self.admin: sa.Engine | None = None

    def empty(self, template: str | None = None) -> tuple[str, sa.Engine]:
        """A new empty store location (a copy of the SQLite file `template` when given), with an engine on it."""
        name = f"qualcode_mig_{uuid.uuid4().hex[:12]}"
        if self.kind == "sqlite":
            location = f"sqlite:///{self.folder / (name + '.db')}"
            if template:
                shutil.copy(template.split("///", 1)[1], location.split("///", 1)[1])
        else:  # a schema of its own in the test database: far quicker to make and drop than a database
            with self._admin() as connection:
                connection.execute(sa.text(f'CREATE SCHEMA "{name}"'))
            self.schemas.append(name)
            location = f"{SERVER}?options=-csearch_path%3D{name}"
        engine = _engine(location, location)
        self.engines.append(engine)
        return location, engine

    def store_at(self, revision: str, rows: bool = True) -> tuple[str, sa.Engine]:
        """A store of its own at `revision` (with the rows of every revision up to it, unless `rows` is false)."""
        if self.kind != "sqlite":
            return build(self, revision, rows)
        if (revision, rows) not in self.built:  # built once, then copied
            location, engine = build(self, revision, rows)
            engine.dispose()  # closing the last connection folds the write-ahead log into the file
            self.built[revision, rows] = location
        return self.empty(self.built[revision, rows])

    def fresh_shape(self, revision: str) -> dict[str, Any]:
        """The schema of a store made at `revision` with no rows (worked out once)."""
        if revision not in self.shapes:
            self.shapes[revision] = shape(build(self, revision, rows=False)[1])
        return self.shapes[revision]

    def _admin(self) -> sa.Connection:
        if self.admin is None:
            self.admin = sa.create_engine(SERVER, isolation_level="AUTOCOMMIT")
        return self.admin.connect()

    def close(self) -> None:
        for engine in self.engines:
            engine.dispose()
        if self.schemas:
            with self._admin() as connection:
                names = ", ".join(f'"{name}"' for name in self.schemas)
                connection.execute(sa.text(f"DROP SCHEMA {names} CASCADE"))
        if self.admin is not None:
            self.admin.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    if request.param == "postgresql" and not SERVER:
        pytest.skip("QUALCODE_TEST_POSTGRES is not set (.ci/run starts PostgreSQL and sets it)")
    made = Backend(request.param, tmp_path_factory.mktemp("migrations"))
    yield made
    made.close()


StoreAt = Callable[..., tuple[str, sa.Engine]]


@pytest.fixture
def store_at(backend: Backend) -> StoreAt:
    """`store_at("0003")`: a store of its own at that revision, holding the rows of every revision up to it."""
    return backend.store_at


def build(backend: Backend, revision: str, rows: bool = True) -> tuple[str, sa.Engine]:
    """A new store at `revision`, each migration applied in turn and followed by the rows of its revision."""
    location, engine = backend.empty()
    for step in REVISIONS[: REVISIONS.index(revision) + 1]:
        migrate(engine, "upgrade", step)
        if rows and step in ROWS:
            with engine.begin() as connection:
                ROWS[step](connection)
    assert revision_of(engine) == revision
    return location, engine


# -- the tests ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("old,new", STEPS, ids=[f"{a}-{b}" for a, b in STEPS])
def test_each_upgrade_keeps_every_row_and_matches_a_store_made_at_that_revision(
    store_at: StoreAt, backend: Backend, old: str, new: str
) -> None:
    _, engine = store_at(old)
    before = contents(engine)
    migrate(engine, "upgrade", new)
    after = contents(engine)
    for table, rows in before.items():
        width = len(rows[0]) if rows else 0
        assert [r[:width] for r in after[table]] == rows, table  # a column added at the end may widen a row
    assert shape(engine) == backend.fresh_shape(new)


def test_upgrading_to_0005_logs_every_coding_and_memo_already_held(store_at: StoreAt) -> None:
    _, engine = store_at("0004")
    migrate(engine, "upgrade", "0005")
    with engine.connect() as connection:
        log = [
            tuple(r)
            for r in connection.execute(
                sa.text("SELECT action, coder, coding_id IS NOT NULL, memo_id IS NOT NULL FROM decisions ORDER BY id")
            )
        ]
    # three codings (a suggestion accepted by ann, one pending, one added by bo) and three memos
    assert sorted(log) == sorted(
        [
            ("suggest", "qualcode", True, False),
            ("accept", "ann", True, False),
            ("suggest", "qualcode", True, False),
            ("add", "bo", True, False),
        ]
        + [("memo", "ann", False, True)] * 3
    )


@pytest.mark.parametrize("old,new", STEPS, ids=[f"{b}-{a}" for a, b in STEPS])
def test_each_downgrade_gives_the_older_schema_and_upgrading_again_works(
    store_at: StoreAt, backend: Backend, old: str, new: str
) -> None:
    _, engine = store_at(new)
    held = contents(engine)
    migrate(engine, "downgrade", old)
    assert revision_of(engine) == old
    assert shape(engine) == backend.fresh_shape(old)
    kept = contents(engine)
    for table in ("documents", "segments", "codings", "codes", "codebook_versions"):
        width = len(kept[table][0]) if kept[table] else 0  # a column dropped at the end narrows a row
        assert kept[table] == [r[:width] for r in held[table]], table  # transcripts and codings survive a downgrade
    migrate(engine, "upgrade", new)
    migrate(engine, "upgrade", "head")
    assert revision_of(engine) == HEAD and shape(engine) == backend.fresh_shape(HEAD)


def test_downgrading_below_0005_drops_only_memos_an_older_qualcode_cannot_hold(store_at: StoreAt) -> None:
    _, engine = store_at("0005")
    migrate(engine, "downgrade", "0004")
    with engine.connect() as connection:
        memos = sorted(connection.execute(sa.text("SELECT text FROM memos")).scalars())
    assert memos == ["about the whole interview", "on a passage", "why I coded this"]


def test_a_store_at_each_revision_goes_down_to_nothing_and_up_to_the_head(store_at: StoreAt, backend: Backend) -> None:
    _, engine = store_at(HEAD)
    migrate(engine, "downgrade", "base")
    assert shape(engine) == {}
    migrate(engine, "upgrade", "head")
    assert shape(engine) == backend.fresh_shape(HEAD)


@pytest.mark.parametrize("revision", REVISIONS[:-1])
def test_qualcode_opens_an_old_sqlite_store_after_a_backup_and_reads_its_codings(
    sqlite: Backend, revision: str
) -> None:
    location, engine = sqlite.store_at(revision)
    before = contents(engine)
    engine.dispose()
    store = Store.open(location)
    try:
        assert store.schema_revision() == HEAD and store.opened.upgraded_from == revision
        codings = store.codings(document_ids=["D1"])
        assert sorted((c["code_id"], c["coder"], c["status"]) for c in codings) == [
            ("benefits", "ann", "accepted"),
            ("benefits", "bo", "accepted"),
            ("money", "qualcode", "pending"),
        ]
        assert [s["text"] for s in store.segments("D1")] == ["I'm scared my benefits will stop.", "My sister helps."]
    finally:
        store.close()
    backup = _engine(f"sqlite:///{store.opened.backup}")
    assert revision_of(backup) == revision and contents(backup) == before  # the backup is the store as it was
    backup.dispose()


@pytest.fixture(scope="module")
def sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    made = Backend("sqlite", tmp_path_factory.mktemp("sqlite-stores"))
    yield made
    made.close()
