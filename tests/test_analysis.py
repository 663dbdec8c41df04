"""Theme frequencies checked against counts made by hand, and illustrative quote selection."""

from __future__ import annotations

import pytest
from fixtures.report_project import build

from qualcode import analysis
from qualcode.analysis import illustrative_quotes, pick_illustrative, theme_frequencies
from qualcode.errors import UnknownAttributeError, UnknownCodeError


@pytest.fixture
def made_up(tmp_path, small_codebook):
    store = build(tmp_path, small_codebook)
    yield store
    store.close()


def counts(frame, *keys):
    """{(key values..., code_id): (segments, participants, n_of_m)} from a frequency frame."""
    return {
        (*(row[k] for k in keys), row["code_id"]): (row["segments"], row["participants"], row["n_of_m"])
        for row in frame.to_dict("records")
    }


def test_theme_frequency_by_role_matches_the_hand_count(made_up):
    frame = theme_frequencies(made_up, by=["role"], totals=True)
    assert list(frame.columns[:3]) == ["role", "code_id", "label"]
    assert counts(frame, "role") == {
        ("Parent", "money"): (4, 2, "2 of 2"),
        ("Parent", "people"): (1, 1, "1 of 2"),
        ("Worker", "money"): (1, 1, "1 of 2"),
        ("Worker", "people"): (1, 1, "1 of 2"),
        ("All", "money"): (5, 3, "3 of 4"),
        ("All", "people"): (2, 2, "2 of 4"),
    }
    assert set(frame["participants_total"]) == {2, 4}


def test_code_level_rolls_sub_codes_into_their_ancestors(made_up):
    frame = theme_frequencies(made_up, by=[], level="code")
    assert "role" not in frame.columns
    assert counts(frame) == {
        ("money",): (5, 3, "3 of 4"),
        ("benefits",): (3, 2, "2 of 4"),
        ("wages",): (2, 2, "2 of 4"),
        ("people",): (2, 2, "2 of 4"),
        ("family",): (2, 2, "2 of 4"),
    }
    assert list(frame["depth"]) == [0, 1, 1, 0, 1]


def test_statuses_coders_and_where_change_the_counts_as_expected(made_up):
    with_pending = counts(theme_frequencies(made_up, statuses=("accepted", "pending")), "role")
    assert with_pending[("Worker", "money")] == (2, 2, "2 of 2")
    bob = counts(theme_frequencies(made_up, coders=["bob"]), "role")
    assert bob[("Parent", "money")] == (1, 1, "1 of 2") and bob[("Parent", "people")] == (0, 0, "0 of 2")
    workers = theme_frequencies(made_up, where={"role": ["Worker"]}, totals=True)
    assert set(workers["role"]) == {"Worker", "All"}
    assert counts(workers, "role")[("All", "money")] == (1, 1, "1 of 2")
    only = theme_frequencies(made_up, code_ids=["people"])
    assert set(only["code_id"]) == {"people"}


def test_a_document_without_the_attribute_falls_in_not_set(made_up):
    made_up.set_attributes({"W2": {"role": None}})
    frame = theme_frequencies(made_up)
    assert counts(frame, "role")[(analysis.NOT_SET, "money")] == (0, 0, "0 of 1")
    pending = illustrative_quotes(made_up, "money", {"role": analysis.NOT_SET}, statuses=("pending",))
    assert [q["document_id"] for q in pending] == ["W2"]  # the dashboard can open the "(not set)" cell too


def test_filters_on_two_attributes_that_no_document_combines_give_an_empty_table(made_up):
    made_up.set_attributes({"P1": {"site": "North"}, "W1": {"site": "South"}})
    frame = theme_frequencies(made_up, where={"role": ["Worker"], "site": ["North"]}, totals=True)
    assert frame.empty


def test_unknown_names_are_errors_that_list_the_valid_ones(made_up):
    with pytest.raises(UnknownAttributeError, match="Parent; Worker"):
        theme_frequencies(made_up, where={"role": ["Nurse"]})
    with pytest.raises(UnknownAttributeError, match="participant, role"):
        theme_frequencies(made_up, by=["site"])
    with pytest.raises(UnknownCodeError, match="money, people"):
        theme_frequencies(made_up, code_ids=["benefit"])
    with pytest.raises(UnknownCodeError, match="money, benefits, wages"):
        illustrative_quotes(made_up, "salary")


def test_illustrative_quotes_carry_attribution_and_follow_the_filters(made_up):
    quotes = illustrative_quotes(made_up, "money", {"role": "Parent"}, n=5)
    assert {q["document_id"] for q in quotes} <= {"P1", "P1B", "P2"}
    assert all(q["theme_id"] == "money" and q["status"] == "accepted" for q in quotes)
    first = quotes[0]
    for key in (
        "document_id",
        "participant",
        "role",
        "code_id",
        "code_label",
        "theme_id",
        "quote",
        "start",
        "end",
        "turn",
        "segment_id",
        "coder",
        "status",
        "confidence",
    ):
        assert key in first
    text = made_up.document(first["document_id"])["text"]
    assert text[first["start"] : first["end"]] == first["quote"]
    assert illustrative_quotes(made_up, "benefits", {"role": "Worker"}, statuses=("pending",))[0]["document_id"] == "W2"
    assert illustrative_quotes(made_up, "benefits", {"role": "Worker"}, statuses=("pending",), min_confidence=0.7) == []


def test_each_participant_is_heard_before_anyone_is_quoted_twice(made_up):
    quotes = illustrative_quotes(made_up, "money", {"role": "Parent"}, n=2)
    assert {q["participant"] for q in quotes} == {"P1", "P2"}  # P1 has three quotes (two documents), P2 one
    more = illustrative_quotes(made_up, "money", {"role": "Parent"}, n=10)
    assert [q["participant"] for q in more[:2]].count("P1") == 1
    # P2's second wages coding (bob) overlaps the first one in the same place: taken once
    assert sum(q["document_id"] == "P2" for q in more) == 1


def test_the_sample_picks_are_deterministic_and_spread_across_participants(sample_store):
    first = illustrative_quotes(sample_store, "demand", {"role": "Family member"}, n=3)
    again = illustrative_quotes(sample_store, "demand", {"role": "Family member"}, n=3)
    assert [q["coding_id"] for q in first] == [q["coding_id"] for q in again]
    assert len({q["participant"] for q in first}) == 3  # three quotes from three family members


def record(i, quote, participant="A", status="accepted", confidence=None, start=None):
    start = i * 100 if start is None else start
    return {
        "coding_id": i,
        "document_id": participant,
        "participant": participant,
        "role": "R",
        "code_id": "c",
        "code_label": "C",
        "theme_id": "c",
        "theme_label": "C",
        "quote": quote,
        "start": start,
        "end": start + len(quote),
        "segment_id": i,
        "turn": i,
        "coder": "x",
        "status": status,
        "confidence": confidence,
        "source": "manual",
    }


def test_the_most_typical_quote_comes_first_and_an_outlier_last():
    candidates = [
        record(1, "The weather was lovely on the day of the bus trip to the seaside."),
        record(2, "My benefits might stop if I work more hours, the benefits people said so."),
        record(3, "I worry my benefits will be cut if I earn money from a job."),
        record(4, "Earning money from work could mean losing benefits, which worries me."),
    ]
    picked = pick_illustrative(candidates, 4)
    assert picked[-1]["coding_id"] == 1
    assert picked[0]["score"] >= picked[1]["score"] >= picked[-1]["score"]


def test_near_duplicates_are_skipped_and_accepted_beats_pending():
    candidates = [
        record(1, "I worry my benefits will be cut if I earn money from a job.", participant="A"),
        record(2, "I worry my benefits will be cut if I earn money from a job!", participant="B"),
        record(3, "Losing benefits is the fear for every family we see here.", participant="C"),
        record(
            4,
            "The benefits fear stops families from asking for a job coach.",
            participant="D",
            status="pending",
            confidence=0.99,
        ),
    ]
    picked = pick_illustrative(candidates, 4)
    ids = [q["coding_id"] for q in picked]
    assert not {1, 2} <= set(ids)  # the same words said twice are quoted once
    assert ids[-1] == 4  # a pending suggestion comes after accepted codings, however confident
    assert pick_illustrative(candidates, 0) == [] and pick_illustrative([], 3) == []
