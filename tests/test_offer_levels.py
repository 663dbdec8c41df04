"""Where to start offering a code: learned from coders' decisions, while the confidence stays the share coded."""

from __future__ import annotations

import numpy as np

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
