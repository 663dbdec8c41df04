"""Suggest at scale redoes only what changed: models are kept under the decisions they saw, a new
transcript is suggested for alone, and a stopped run keeps whole transcripts only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import SMALL_CODEBOOK
from sqlalchemy import event, select

from qualcode import project
from qualcode.errors import SuggestStoppedError
from qualcode.store import Store, suggest_cache
from qualcode.store.schema import fitted_models

TOPICS = {
    "benefits": [
        "I'm scared my benefit will stop if I take the job.",
        "Universal credit went down when I earned more.",
        "The benefit letters frighten me every month.",
        "My benefits were cut after the assessment.",
    ],
    "wages": [
        "The wage was paid late again this month.",
        "My salary barely covers the rent.",
        "The pay packet was short by twenty pounds.",
        "They raised my wage after a year there.",
    ],
    "family": [
        "My mum helps me get ready for work.",
        "My sister drives me to the garden centre.",
        "Dad worries about me travelling alone.",
        "My mum and dad came to the meeting with me.",
    ],
    None: [
        "The weather has been awful this month.",
        "I like cooking pasta for my tea.",
        "The bus into town takes forty minutes.",
        "We watched football on Sunday.",
    ],
}


def write_interview(folder: Path, document_id: str, n: int) -> Path:
    """An interview whose answers go round the topics, shifted by `n` so transcripts differ."""
    answers = [TOPICS[topic][(n + i) % 4] for i, topic in enumerate([*TOPICS, *TOPICS])]
    lines = [f"---\nid: {document_id}\nrole: Person using a PB\n---"]
    for i, answer in enumerate(answers, start=1):
        lines += [f"Interviewer: Question {i}?", f"Respondent: {answer} ({document_id} answer {i})"]
    path = folder / f"{document_id}.txt"
    path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def coded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four interviews: three of them coded by ann (a code accepted on each topical answer), one not."""
    folder = tmp_path_factory.mktemp("scale")
    (folder / "small.yaml").write_text(SMALL_CODEBOOK, encoding="utf-8")
    store = project.init_project(folder / "coded.db", folder / "small.yaml")
    for n in range(4):
        write_interview(folder, f"T{n}", n)
    assert project.import_transcripts(store, [folder / f"T{n}.txt" for n in range(4)]).ok
    for n in range(3):
        for segment in store.segments(f"T{n}"):
            code = next((c for c, texts in TOPICS.items() if c and any(t in segment["text"] for t in texts)), None)
            if code:
                project.add_coding(store, segment["document_id"], segment["start"], segment["end"], code, "ann")
    store.close()
    return folder / "coded.db"


@pytest.fixture
def coded(coded_db: Path, tmp_path: Path) -> Store:
    path = tmp_path / "coded.db"
    shutil.copy(coded_db, path)
    store = Store.open(path)
    yield store
    store.close()


def pending(store: Store, document_ids: list[str] | None = None) -> list[tuple]:
    return sorted(
        (c["id"], c["segment_id"], c["code_id"], c["confidence"], str(c["evidence"]))
        for c in store.codings(document_ids=document_ids, statuses=["pending"])
    )


def stored_models(store: Store) -> list[tuple]:
    with store.engine.connect() as connection:
        return sorted(connection.execute(select(fitted_models.c.key, fitted_models.c.created_at)).all())


def test_a_run_with_no_new_decisions_fits_no_model(coded):
    first = project.suggest(coded, min_confidence=0.3)
    assert first.fitted > 0 and first.added > 0
    models, suggestions = stored_models(coded), pending(coded)
    again = project.suggest(coded, min_confidence=0.3)
    assert again.fitted == 0 and again.reused == first.fitted
    assert stored_models(coded) == models
    assert pending(coded) == suggestions  # the reused models score every passage as the fitted ones did


def test_suggesting_for_a_new_transcript_leaves_every_other_transcripts_suggestions_untouched(coded, tmp_path):
    project.suggest(coded, min_confidence=0.3)
    others = pending(coded)
    write_interview(tmp_path, "NEW", 5)
    assert project.import_transcripts(coded, [tmp_path / "NEW.txt"]).ok
    run = project.suggest(coded, ["NEW"], min_confidence=0.3)
    assert run.fitted == 0 and run.documents == 1 and run.added > 0
    assert pending(coded, ["NEW"])
    assert [p for p in pending(coded) if p not in pending(coded, ["NEW"])] == others


def test_an_interrupted_run_leaves_no_half_written_transcript(tmp_path, small_codebook):
    store = project.init_project(tmp_path / "stopped.db", small_codebook)
    assert project.import_transcripts(store, [write_interview(tmp_path, f"T{n}", n) for n in range(4)]).ok
    store.close()
    shutil.copy(tmp_path / "stopped.db", tmp_path / "reference.db")
    store = Store.open(tmp_path / "stopped.db")
    reference = Store.open(tmp_path / "reference.db")
    project.suggest(reference, min_confidence=0.3)
    expected = {d: [p[1:] for p in pending(reference, [d])] for d in ["T0", "T1", "T2", "T3"]}
    reference.close()
    assert all(expected.values())

    writes = []

    def stop_inside_the_second_transcript(connection, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO decisions"):
            writes.append(statement)
            if len(writes) == 2:  # the second transcript's codings are written, its log not yet: Ctrl-C now
                raise KeyboardInterrupt

    event.listen(store.engine, "before_cursor_execute", stop_inside_the_second_transcript)
    with pytest.raises(SuggestStoppedError) as stopped:
        project.suggest(store, min_confidence=0.3)
    event.remove(store.engine, "before_cursor_execute", stop_inside_the_second_transcript)
    assert "1 of 4 transcripts were saved" in str(stopped.value)
    assert [p[1:] for p in pending(store, ["T0"])] == expected["T0"]
    assert all(pending(store, [d]) == [] for d in ["T1", "T2", "T3"])
    project.suggest(store, min_confidence=0.3)
    assert {d: [p[1:] for p in pending(store, [d])] for d in expected} == expected
    store.close()


def test_a_whole_run_reads_the_decisions_once_for_learning_and_for_the_pairs_it_leaves_alone(coded):
    project.suggest(coded, min_confidence=0.3)
    first, second = coded.codings(document_ids=["T3"], statuses=["pending"])[:2]
    project.decide(coded, [first["id"]], "rejected", "bob")
    project.decide(coded, [second["id"]], "accepted", "ann")
    every = [f"T{n}" for n in range(4)]
    for coder in (None, "bob"):  # bob coding blind learns from his own decisions only
        once = suggest_cache.decided(coded, coder)
        assert once.learning == suggest_cache.learning_decisions(coded, coder)
        assert once.pairs == coded.decided_pairs(every)
    assert {(first["segment_id"], first["code_id"]), (second["segment_id"], second["code_id"])} <= once.pairs

    project.suggest(coded, min_confidence=0.0)
    left = {(c["segment_id"], c["code_id"]) for c in coded.codings(statuses=["pending"])}
    assert left and not left & suggest_cache.decided(coded).pairs  # nothing decided is suggested again
