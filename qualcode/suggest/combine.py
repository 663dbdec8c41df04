"""Combiner: one confidence in [0, 1] per segment and code, from the stages' evidence.

With no decisions to learn from, confidence is a logistic function of the codebook
evidence (keyword strength and how unusually close the segment is to the code's and
its theme's profile), with fixed weights. Once a code has a learned model, the
model's probability is used: it was fitted on those same evidence features plus
the words and meaning, on coders' decisions. Its classes are weighted equally, so
0.5 means a passage looks as much like the ones coders coded as like the ones they
passed over, whatever the code's share of passages; it is not the chance that a
coder accepts (a rare code is accepted less often than its confidence says).
"""

from __future__ import annotations

import numpy as np

STATIC = "WordLlama static word-vector table (256 dimensions)"
ZERO_SHOT_FEATURES = ("rules", "meaning", "meaning_margin", "z_code", "z_segment", "z_theme")
# The NHS codebook has no keywords, so their weight is set rather than measured, and set
# low: one plain match multiplies the odds by about e^1.6 (5), enough to suggest a passage
# that is also near the code's definition, never enough alone.
KEYWORD_WEIGHT = 2.5
# Codebook-only calibration map per embedder: logistic weights and bias measured on real
# passages coded by their own analysts (benchmarks/calibrate_codebook_only.py on the NHS
# Friends and Family Test answers, with the sample's interview passages outside its test
# half weighing half as much), so a confidence is the share of such passages coded so.
CALIBRATION = {
    "all-MiniLM-L6-v2 sentence encoder": (
        {
            "rules": KEYWORD_WEIGHT,
            "meaning": 3.319,
            "meaning_margin": 3.741,
            "z_code": -0.027,
            "z_segment": 0.573,
            "z_theme": 0.044,
        },
        -3.931,
    ),
    STATIC: (
        {
            "rules": KEYWORD_WEIGHT,
            "meaning": 2.536,
            "meaning_margin": 7.646,
            "z_code": -0.073,
            "z_segment": 0.499,
            "z_theme": 0.111,
        },
        -3.072,
    ),
}
EVIDENCE_FEATURES = ("rules", "z_code", "z_segment", "z_theme", "question_z_code", "question_z_segment")


def evidence_matrix(features: dict[str, np.ndarray], col: int) -> np.ndarray:
    """Segments x evidence features for one code (the columns the learner adds to the words)."""
    return np.column_stack([features[name][:, col] for name in EVIDENCE_FEATURES if name in features])


def zero_shot_confidence(features: dict[str, np.ndarray], embedder: str = "placeholder") -> np.ndarray:
    """Segments x codes confidence from the codebook alone, through the calibration map of the embedder in use."""
    weights, bias = CALIBRATION.get(embedder, CALIBRATION[STATIC])
    score = np.full(features["rules"].shape, bias)
    for name, weight in weights.items():
        score = score + weight * features[name]
    return 1.0 / (1.0 + np.exp(-score))


# Passages' worth of belief in the codebook's calibration before the project's decisions
# check it: a code the confidences expected on a few decided passages, but that coders did
# not use, loses little; one expected on many and never used loses most of its odds.
PRIOR_PASSAGES = 10.0


def checked_by_decisions(zero_shot: np.ndarray, decided: np.ndarray, positives: np.ndarray) -> np.ndarray:
    """Codebook-only confidence per code scaled down by how seldom coders used the code on the passages they decided.

    `decided` holds the codebook-only confidence of each decided segment x code (NaN where
    undecided) and `positives` how many of them coders coded so, per code. A confidence
    says what share of such passages is coded so; when coders coded far fewer than those
    confidences add up to (a code they keep passing over), its odds shrink by the ratio,
    so the project's own decisions correct the codebook's calibration.
    """
    expected = np.nansum(decided, axis=0)
    ratio = np.minimum(1.0, (positives + PRIOR_PASSAGES) / (expected + PRIOR_PASSAGES))
    odds = zero_shot / np.maximum(1.0 - zero_shot, 1e-9) * ratio
    return odds / (1.0 + odds)


# Highest learned confidence. The calibration map is fitted on out-of-fold scores, but new
# passages are scored by the model fitted on every decision, whose scores run further out:
# on the sample, passages it put above 0.9 were coded 78% of the time. Confidences above
# LEARNED_KNEE are pressed, in order, into the band below LEARNED_CEILING.
LEARNED_CEILING = 0.9
LEARNED_KNEE = 0.85


def combined_confidence(zero_shot: np.ndarray, learned: np.ndarray | None) -> np.ndarray:
    """Learned probability (pressed below LEARNED_CEILING) where a model exists, zero-shot confidence elsewhere."""
    if learned is None:
        return zero_shot
    pressed = LEARNED_KNEE + (learned - LEARNED_KNEE) * (LEARNED_CEILING - LEARNED_KNEE) / (1 - LEARNED_KNEE)
    return np.where(np.isnan(learned), zero_shot, np.where(learned > LEARNED_KNEE, pressed, learned))
