"""Measure the codebook-only calibration map on real coded text and print it as the constants qualcode ships.

The codebook-only confidence is a logistic function of a few evidence features that
mean the same in any project (keyword strength, the cosine of a passage's meaning to
a code's definition and its margin to the best-fitting code, and how unusual the
passage's words are for the code). Its weights are fitted here, with the cosines below
which a passage counts as far from every code's definition and every coded passage
(semantic.NEAR, the 2nd percentile of what coded passages reach), per embedder, on real
passages coded by their own analysts, drawn from respondents that
benchmarks/real_quality.py does not test on (its default draw is left out). The real
answers are short (a median of seven words) and the cosines of longer passages run
higher, so the shipped sample's interview passages join them (those outside the test
half real_quality.py draws for the sample), weighing half as much as the real answers
in all: fitted on the answers alone, the map overstated on the sample's passages.
Usage: python benchmarks/calibrate_codebook_only.py --data ../shared/realworld/coded/nhs_fft_v6 [--encoder]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent))
from real_quality import build_sample_project, build_units_project

from qualcode.project.evaluation import _gold_codings, _unit_matrix
from qualcode.suggest import Suggester, semantic
from qualcode.suggest.combine import ZERO_SHOT_FEATURES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--respondents", type=int, default=1500)
    parser.add_argument(
        "--sample-weight",
        type=float,
        default=0.5,
        help="weight of the sample's interview passages beside the real answers (0 leaves them out)",
    )
    parser.add_argument("--encoder", action="store_true", help="the sentence encoder's map, not the static table's")
    args = parser.parse_args()
    semantic.USE_ENCODER = args.encoder
    units = list(csv.DictReader(open(args.data / "units.csv", encoding="utf-8", newline="")))
    documents = list(dict.fromkeys(u["document_id"] for u in units))
    benchmarked = set(random.Random(0).sample(documents, min(1500, len(documents))))
    others = [d for d in documents if d not in benchmarked]
    chosen = set(random.Random(1).sample(others, min(args.respondents, len(others))))
    with tempfile.TemporaryDirectory() as folder:
        store, gold = build_units_project(args.data, Path(folder), None, 0, keep=chosen)
        suggester, x, truth = _evidence(store, gold, lambda document: True)
        definition, passage = nearness(suggester.features["meaning"], suggester.raw_meanings, truth)
        store.close()
        described = f"{len(truth)} segments, {truth.sum()} codings, {len(suggester.code_ids)} codes"
        y, weights = truth.ravel(), np.ones(truth.size)
        if args.sample_weight:
            (Path(folder) / "sample").mkdir()
            store, gold = build_sample_project(Path(folder) / "sample")
            documents = sorted({s["document_id"] for s in store.segments()})
            tested = set(random.Random(0).sample(documents, len(documents) // 2))  # real_quality.py's test half
            _, more, more_truth = _evidence(store, gold, lambda document: document not in tested)
            store.close()
            x, y = np.vstack([x, more]), np.concatenate([y, more_truth.ravel()])
            weights = np.concatenate(
                [weights, np.full(more_truth.size, args.sample_weight * truth.size / more_truth.size)]
            )
            described += (
                f"; with {len(more_truth)} sample passages outside its test half, weighing {args.sample_weight}"
            )
        model = LogisticRegression(C=1.0, max_iter=2000).fit(x, y, sample_weight=weights)
    print(f"# {suggester.embedder.name}: {described}")
    print(
        f'"{suggester.embedder.name}": ({{'
        + ", ".join(f'"{n}": {w:.3f}' for n, w in zip(ZERO_SHOT_FEATURES, model.coef_[0]))
        + f"}}, {model.intercept_[0]:.3f}),"
    )
    print(f'NEAR: "{suggester.embedder.name}": ({definition:.3f}, {passage:.3f}),')


def _evidence(store, gold: Path, kept) -> tuple[Suggester, np.ndarray, np.ndarray]:
    """The codebook-only evidence (pairs x features) and human coding (segments x codes) of a project's kept documents."""
    codebook = store.codebook()
    segments = store.segments()
    suggester = Suggester(codebook).fit(segments, [])
    rows = np.array([i for i, s in enumerate(segments) if kept(s["document_id"])], dtype=int)
    truth = _unit_matrix(segments, rows, _gold_codings(store, gold), codebook, suggester.code_ids, "code")
    x = np.column_stack([suggester.features[name][rows].ravel() for name in ZERO_SHOT_FEATURES])
    if len(rows) < len(segments):
        suggester.raw_meanings = suggester.raw_meanings[rows]
        suggester.features = {name: value[rows] for name, value in suggester.features.items()}
    return suggester, x, truth


def nearness(
    cosine: np.ndarray, meanings: np.ndarray, truth: np.ndarray, percentile: float = 2.0
) -> tuple[float, float]:
    """The cosines below which a passage counts as far (semantic.NEAR): the `percentile` of what coded passages
    reach to their nearest code's definition, and to their nearest other coded passage."""
    coded = np.flatnonzero(truth.any(axis=1))
    to_definition = cosine[coded].max(axis=1)
    to_passage = np.empty(len(coded))
    for begin in range(0, len(coded), 1000):
        block = coded[begin : begin + 1000]
        between = meanings[block] @ meanings[coded].T
        between[np.arange(len(block)), begin + np.arange(len(block))] = -1.0
        to_passage[begin : begin + len(block)] = between.max(axis=1)
    return float(np.percentile(to_definition, percentile)), float(np.percentile(to_passage, percentile))


if __name__ == "__main__":
    main()
