"""Suggestions follow decisions without a whole run: one decision refits the models it touches and
rescores the suggestions it affects, a run can be stopped between transcripts, a second run
with nothing new changes nothing, and passage analyses nothing uses any more are dropped."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from test_suggest_scale import coded, coded_db, pending, write_interview  # noqa: F401  (fixtures shared)

from qualcode import project
from qualcode.errors import SuggestStoppedError
from qualcode.store import Store, suggest_cache
from qualcode.store.schema import fitted_models, text_analyses

MONEY = {"money", "benefits", "wages"}  # the theme of `wages` in the small codebook


def models_in_use(store: Store) -> dict[str, str]:
    """The stored model each code and theme was last suggested with."""
    query = select(fitted_models.c.data).where(fitted_models.c.kind == "index").order_by(fitted_models.c.created_at)
    with store.engine.connect() as connection:
        latest = connection.execute(query).all()[-1].data
    return {label: key for label, (key, _) in json.loads(bytes(latest))["models"].items()}


def shown(store: Store) -> dict[int, tuple]:
    return {
        c["id"]: (c["document_id"], c["code_id"], c["confidence"], json.dumps(c["evidence"], sort_keys=True))
        for c in store.codings(statuses=["pending"])
    }


def test_one_decision_refits_only_the_models_of_its_code_and_its_theme(coded):  # noqa: F811
    project.suggest(coded, min_confidence=0.3)
    before = models_in_use(coded)
    wages = next(c for c in coded.codings(document_ids=["T3"], statuses=["pending"]) if c["code_id"] == "wages")
    project.accept(coded, [wages["id"]], "ann")
    run = project.suggest(coded, ["T3"], min_confidence=0.3)
    after = models_in_use(coded)
    touched = {"wages", "theme:money"} & set(before)  # a theme model is there only when themes are learned
    assert "wages" in touched
    assert {label for label in after if after[label] != before.get(label)} == touched
    assert run.fitted == len(touched) and run.reused == len(after) - len(touched)


def test_a_second_run_with_nothing_new_updates_no_suggestion(coded):  # noqa: F811
    first = project.suggest(coded, min_confidence=0.3)
    assert first.added > 0
    again = project.suggest(coded, min_confidence=0.3)
    assert (again.added, again.updated, again.withdrawn) == (0, 0, 0)


def test_a_decision_updates_the_pending_suggestions_it_affects_and_no_others(coded):  # noqa: F811
    project.suggest(coded, min_confidence=0.0)
    before = shown(coded)
    wages = next(c for c in coded.codings(document_ids=["T3"], statuses=["pending"]) if c["code_id"] == "wages")
    affected = [i for i, (doc, code, *_) in before.items() if doc == "T3" and code in MONEY and i != wages["id"]]
    updates = []
    project.decide(coded, [wages["id"]], "accepted", "ann", follow=lambda update: updates.append(update()))
    after = shown(coded)
    assert len(updates) == 1 and updates[0].documents == 1
    assert {i: v for i, v in after.items() if i not in affected} == {
        i: v for i, v in before.items() if i not in affected and i != wages["id"]
    }
    assert [i for i in affected if after.get(i) != before[i]]  # the wages and money models learned the decision
    assert set(affected) <= set(after)  # rescored, none withdrawn for a threshold


def test_a_decision_before_any_learning_run_leaves_suggestions_to_the_next_run(coded):  # noqa: F811
    with coded.engine.begin() as connection:
        connection.execute(fitted_models.delete())
    project.suggest(coded, ["T3"], min_confidence=0.3, blind_coder="nobody")  # suggestions, no learned index
    before = shown(coded)
    first = next(iter(coded.codings(document_ids=["T3"], statuses=["pending"])))
    updates = []
    project.decide(coded, [first["id"]], "rejected", "ann", follow=lambda update: updates.append(update()))
    assert updates == [None]
    assert shown(coded) == {i: v for i, v in before.items() if i != first["id"]}


def test_a_stopped_run_keeps_the_transcripts_it_finished_and_leaves_the_others(coded):  # noqa: F811
    with_suggestions = lambda: {c["document_id"] for c in coded.codings(statuses=["pending"])}
    with pytest.raises(SuggestStoppedError) as stopped:  # at confidence 0 every transcript gets suggestions
        project.suggest(coded, min_confidence=0.0, stop=lambda: len(with_suggestions()) >= 2)
    assert "2 of 4 transcripts were saved" in str(stopped.value)
    saved = with_suggestions()
    assert len(saved) == 2
    kept = {d: pending(coded, [d]) for d in saved}
    finished = project.suggest(coded, min_confidence=0.0)
    assert finished.documents == 4 and with_suggestions() == {"T0", "T1", "T2", "T3"}
    assert {d: pending(coded, [d]) for d in saved} == kept  # the stopped run wrote them whole


def test_a_run_stopped_before_writing_leaves_every_suggestion_as_it_was(coded):  # noqa: F811
    project.suggest(coded, min_confidence=0.3)
    before = shown(coded)
    with pytest.raises(SuggestStoppedError, match="before any transcript"):
        project.suggest(coded, min_confidence=0.0, stop=lambda: True)
    assert shown(coded) == before


def test_a_whole_run_drops_passage_analyses_no_passage_uses_any_more(coded, tmp_path):  # noqa: F811
    project.suggest(coded, min_confidence=0.3)
    changed = write_interview(tmp_path, "T2", 7)  # T2's answers change
    assert project.import_transcripts(coded, [changed], replace=True).ok
    run = project.suggest(coded, min_confidence=0.3)
    assert run.pruned > 0
    segments = coded.segments()
    used = {suggest_cache.text_hash(t) for t in [*(s["text"] for s in segments), *coded.questions(segments)]}
    with coded.engine.connect() as connection:
        stored = set(connection.execute(select(text_analyses.c.text_hash)).scalars())
    assert stored == used
