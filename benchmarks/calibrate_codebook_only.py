"""Measure the codebook-only calibration map on real coded text and print it as the constants qualcode ships.

The codebook-only confidence is a logistic function of a few evidence features that
mean the same in any project (keyword strength, the cosine of a passage's meaning to
a code's definition and its margin to the best-fitting code, and how unusual the
passage's words are for the code). Its weights are fitted here, per embedder, on real
passages coded by their own analysts, drawn from respondents that
benchmarks/real_quality.py does not test on (its default draw is left out).
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
from real_quality import build_units_project

from qualcode.project.evaluation import _gold_codings, _unit_matrix
from qualcode.suggest import Suggester, semantic
from qualcode.suggest.combine import ZERO_SHOT_FEATURES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--respondents", type=int, default=1500)
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
        codebook = store.codebook()
        segments = store.segments()
        suggester = Suggester(codebook).fit(segments, [])
        rows = np.arange(len(segments))
        truth = _unit_matrix(segments, rows, _gold_codings(store, gold), codebook, suggester.code_ids, "code")
        x = np.column_stack([suggester.features[name].ravel() for name in ZERO_SHOT_FEATURES])
        model = LogisticRegression(C=1.0, max_iter=2000).fit(x, truth.ravel())
        store.close()
    print(
        f"# {suggester.embedder.name}: {len(segments)} segments, {truth.sum()} codings, {len(suggester.code_ids)} codes"
    )
    print(
        f'"{suggester.embedder.name}": ({{'
        + ", ".join(f'"{n}": {w:.3f}' for n, w in zip(ZERO_SHOT_FEATURES, model.coef_[0]))
        + f"}}, {model.intercept_[0]:.3f}),"
    )


if __name__ == "__main__":
    main()
