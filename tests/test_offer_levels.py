"""Where to start offering a code: learned from coders' decisions, while the confidence stays the share coded."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from qualcode import project
from qualcode.suggest.learned import best_kappa_level


def _decisions(positives: list[float], negatives: list[float]) -> tuple[np.ndarray, np.ndarray]:
    return np.array(positives + negatives), np.array([True] * len(positives) + [False] * len(negatives))


def test_a_rare_code_whose_coded_passages_score_below_an_even_chance_is_offered_below_it():
    confidence, positive = _decisions([0.32, 0.35, 0.4, 0.45, 0.38], [0.05] * 80 + [0.12] * 15 + [0.25] * 3)
    level = best_kappa_level(confidence, positive, np.ones(len(confidence)))
    assert 0.25 < level <= 0.35  # every coded passage offered, the passed-over ones not


def test_passed_over_passages_that_stand_for_many_decisions_raise_the_level():
    confidence, positive = _decisions([0.3, 0.32, 0.36, 0.6, 0.65], [0.1] * 20 + [0.33])
    equal = best_kappa_level(confidence, positive, np.ones(len(confidence)))
    weights = np.where(confidence == 0.33, 40.0, 1.0)  # a bounded sample: that passed-over passage stands for forty
    heavy = best_kappa_level(confidence, positive, weights)
    assert equal <= 0.3 and 0.35 <= heavy <= 0.36


CODEBOOK = """\
name: Ward visit
version: 1
codes:
  - id: care
    label: Care from staff
    definition: How kind, attentive and skilled the nurses and doctors were.
  - id: parking
    label: Parking
    definition: Finding and paying for a place to leave the car at the hospital.
  - id: car_charges
    label: Car park charges
    definition: Paying at the machine to leave the car in the hospital car park.
"""
CARE = [
    "The nurses were kind and explained every step.",
    "Doctors listened and the staff were attentive all night.",
    "Lovely caring nurse who made me feel safe.",
    "Staff were skilled, calm and kind to my mother.",
]
CAR = [
    "The car park by the entrance was full again.",
    "Paying for the car park took ages at the machine.",
    "No space left in the car park near the clinic.",
]


@pytest.fixture(scope="module")
def survey(tmp_path_factory):
    """A survey project: each respondent answers twice, about the car park and about care. A coder coded the
    first CODED respondents: every care answer, and only one car park answer in four as parking (a code
    used sparingly, so its coded passages score well below an even chance)."""
    root = tmp_path_factory.mktemp("levels")
    (root / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    folder = root / "answers"
    folder.mkdir()
    for n in range(RESPONDENTS):
        text = "\n\n".join(f"Respondent: {a}" for a in (CAR[n % len(CAR)], CARE[n % len(CARE)]))
        (folder / f"r{n:03d}.txt").write_text(f"---\nid: r{n:03d}\nrole: patient\n---\n\n{text}\n", encoding="utf-8")
    store = project.init_project(root / "project.db", root / "codebook.yaml")
    project.import_transcripts(store, [folder])
    with open(root / "coded.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["document_id", "start", "end", "code_id", "quote"])
        for segment in store.segments():
            n = int(segment["document_id"][1:])
            care = segment["text"] in CARE
            if n < CODED and (care or n % 4 == 0):
                code = "care" if care else "parking"
                writer.writerow([segment["document_id"], segment["start"], segment["end"], code, segment["text"]])
    project.import_codings(store, root / "coded.csv", coder="ana")
    store.answers = folder  # the transcripts, for a project nobody has coded yet
    yield store
    store.close()


RESPONDENTS, CODED = 48, 36


def test_a_sparingly_used_code_is_offered_below_the_level_asked_for_and_the_run_says_so(survey):
    run = project.suggest(survey, min_confidence=0.5)
    assert set(run.own_levels) == {"parking"} and 0.2 <= run.own_levels["parking"] < 0.5
    pending = [c for c in survey.codings(statuses=["pending"]) if c["code_id"] == "parking"]
    assert pending and all(c["confidence"] >= run.own_levels["parking"] for c in pending)
    assert any(c["confidence"] < 0.5 for c in pending)  # offered below 0.5, with the confidence it has
    assert all(c["confidence"] >= 0.5 for c in survey.codings(statuses=["pending"]) if c["code_id"] == "care")


def test_the_suggest_command_says_which_codes_it_offered_below_the_level_asked_for(survey):
    from click.testing import CliRunner

    from qualcode.cli import main

    result = CliRunner().invoke(main, ["--db", survey.location, "suggest"])
    assert result.exit_code == 0, result.output
    level = project.suggest(survey, min_confidence=0.5).own_levels["parking"]
    assert f"1 code was offered below 0.50 (from {level:.2f} at the lowest)" in result.output
    assert "a confidence is still the share of passages like it that coders coded so" in result.output


def test_codes_nobody_has_decided_on_are_offered_from_the_codebook_level_and_the_run_says_so(survey, tmp_path):
    store = project.init_project(tmp_path / "fresh.db", survey.answers.parent / "codebook.yaml")
    project.import_transcripts(store, [survey.answers])
    run = project.suggest(store, min_confidence=0.5)
    assert sorted(run.from_codebook) == ["car_charges", "care", "parking"] and run.codebook_level == 0.25
    confidences = [c["confidence"] for c in store.codings(statuses=["pending"])]
    assert confidences and min(confidences) >= 0.25 and any(c < 0.5 for c in confidences)
    assert not project.suggest(store, min_confidence=0.2).from_codebook  # asked for lower: offered from there
    store.close()


def test_a_code_coders_passed_over_is_offered_no_lower_than_asked(survey):
    run = project.suggest(survey, min_confidence=0.5)
    assert not run.from_codebook and "car_charges" not in run.own_levels  # passed over wherever coders went
    assert all(c["confidence"] >= 0.5 for c in survey.codings(statuses=["pending"]) if c["code_id"] == "car_charges")
