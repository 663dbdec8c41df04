"""A process keeps its last fitted suggester, so the update after a decision reads one transcript's
decisions, not the project's: what it writes is what a fresh process would write, and whatever
changed meanwhile (another coder's decision, a new transcript, a blind coder) is taken into account.
Reviewing at the command line updates the pending suggestions after each decision, as the app does."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_suggest_incremental import shown
from test_suggest_scale import coded_db, write_interview  # noqa: F401  (fixtures shared)

from qualcode import project
from qualcode.cli import main
from qualcode.project import suggesting
from qualcode.store import Store
from qualcode.suggest import run


def copy_of(coded_db: Path, folder: Path) -> Store:  # noqa: F811
    folder.mkdir()
    shutil.copy(coded_db, folder / "coded.db")
    return Store.open(folder / "coded.db")


def alike(one: Any, other: Any) -> bool:
    """Equal, numbers to float noise: a fresh process reads the corpus state back from the store (stored as
    float32), a kept suggester holds it as it was fitted."""
    if isinstance(one, dict) and isinstance(other, dict):
        return one.keys() == other.keys() and all(alike(one[k], other[k]) for k in one)
    if isinstance(one, list | tuple) and isinstance(other, list | tuple):
        return len(one) == len(other) and all(alike(a, b) for a, b in zip(one, other))
    if isinstance(one, float) or isinstance(other, float):
        return one is not None and other is not None and abs(one - other) <= 2e-3
    return one == other


def same_suggestions(one: dict[int, tuple], other: dict[int, tuple]) -> bool:
    parsed = lambda shown: {i: (*v[:3], json.loads(v[3])) for i, v in shown.items()}
    return alike(parsed(one), parsed(other))


def first_pending(store: Store, document_id: str, code_id: str | None = None) -> int:
    found = store.codings(document_ids=[document_id], statuses=["pending"])
    return next(c["id"] for c in found if code_id is None or c["code_id"] == code_id)


def updated_after(store: Store, fresh: bool, colleague: bool = False) -> dict[int, tuple]:
    """Suggest, let ann (and maybe a colleague in another connection) decide, then update: the pending
    suggestions afterwards; with `fresh`, the update runs as in a new process (nothing kept)."""
    project.suggest(store, min_confidence=0.0)
    if colleague:
        other = Store.open(store.location)
        project.decide(other, [first_pending(other, "T0")], "rejected", "bob")
        other.close()
    decided = project.decide(store, [first_pending(store, "T3", "wages")], "accepted", "ann")
    if fresh:
        run._WARM.clear()
    else:
        assert store.location in run._WARM  # the update starts from the kept suggester
    suggesting.after_decision(store, decided)
    return shown(store)


@pytest.mark.parametrize("colleague", [False, True], ids=["own decision", "and a colleague's meanwhile"])
def test_the_update_from_a_kept_suggester_writes_what_a_fresh_process_would(coded_db, tmp_path, colleague):  # noqa: F811
    kept = copy_of(coded_db, tmp_path / "kept")
    fresh = copy_of(coded_db, tmp_path / "fresh")
    try:
        assert same_suggestions(updated_after(kept, False, colleague), updated_after(fresh, True, colleague))
    finally:
        kept.close()
        fresh.close()


def test_a_blind_coder_kept_suggester_never_learns_a_colleagues_decisions(coded_db, tmp_path):  # noqa: F811
    results = []
    for fresh in (False, True):
        store = copy_of(coded_db, tmp_path / f"blind-{fresh}")
        project.suggest(store, ["T3"], min_confidence=0.0, blind_coder="bob")
        project.decide(store, [first_pending(store, "T3", "wages")], "accepted", "ann")  # ann's, not bob's
        if fresh:
            run._WARM.clear()
        project.suggest(store, ["T3"], min_confidence=0.0, blind_coder="bob")
        results.append({i: v for i, v in shown(store).items() if v[0] == "T3"})
        store.close()
    assert same_suggestions(results[0], results[1])
    assert all('"model": "codebook"' in evidence for *_, evidence in results[0].values())  # bob decided nothing


def test_a_new_transcript_is_suggested_for_after_a_kept_suggester(coded_db, tmp_path):  # noqa: F811
    store = copy_of(coded_db, tmp_path / "new")
    project.suggest(store, min_confidence=0.0)
    assert store.location in run._WARM
    assert project.import_transcripts(store, [write_interview(tmp_path, "T9", 5)]).ok
    made = project.suggest(store, ["T9"], min_confidence=0.0)
    assert made.added > 0 and {v[0] for v in shown(store).values()} >= {"T9"}
    store.close()


def test_review_at_the_prompt_updates_the_transcripts_pending_suggestions(coded_db, tmp_path):  # noqa: F811
    store = copy_of(coded_db, tmp_path / "review")
    project.suggest(store, min_confidence=0.0)
    before = shown(store)
    first = project.review_queue(store, "T3")[0]["suggestions"][0]
    result = CliRunner().invoke(
        main, ["--db", str(store.location), "review", "--document", "T3", "--coder", "ann"], input="a\nq\n"
    )
    assert result.exit_code == 0 and "1 decision saved" in result.output
    after = shown(store)
    assert first["id"] not in after  # accepted
    changed = {i for i in before if i != first["id"] and after.get(i) != before[i]}
    assert changed and {before[i][0] for i in changed} == {"T3"}  # rescored in its transcript only
