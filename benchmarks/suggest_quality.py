"""Suggestion quality on the shipped sample: evaluate's tables, codebook-only and learned.

Builds a temporary project from transcripts_sample/ and its gold coding, then prints
per-theme and per-code precision, recall, F1 and Cohen's kappa:
  * zero-shot: suggestions from the codebook alone (no codings in the store);
  * learned: leave one document out, each document scored by a model trained on the
    gold coding of the other documents only;
and then the learning curve: theme-level macro kappa when each document's model learns
from only k of the other documents (the mean of three random draws of them).
Usage: python benchmarks/suggest_quality.py [--threshold 0.5] [--by theme|code|both] [--no-curve]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from qualcode import project
from qualcode.project.evaluation import evaluate

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "transcripts_sample"


def build(folder: Path, with_gold: bool):
    store = project.init_project(
        folder / ("learned.db" if with_gold else "zero.db"), ROOT / "codebooks" / "pb_employment.yaml"
    )
    project.import_transcripts(store, [SAMPLE])
    if with_gold:
        project.import_codings(store, SAMPLE / "gold_codings.csv", coder="gold")
    return store


def show(title: str, result, seconds: float) -> None:
    print(f"\n## {title} ({result.units} segments, {result.documents} documents, {seconds:.1f} s)")
    print(f"{'id':32} {'gold':>5} {'sugg':>5} {'P':>6} {'R':>6} {'F1':>6} {'kappa':>6}")
    for row in result.rows:
        print(
            f"{row['id']:32} {row['gold']:5d} {row['suggested']:5d} {row['precision']:6.3f} {row['recall']:6.3f} {row['f1']:6.3f} {row['kappa']:6.3f}"
        )
    macro = result.macro
    print(
        f"{'macro average':32} {'':5} {'':5} {macro['precision']:6.3f} {macro['recall']:6.3f} {macro['f1']:6.3f} {macro['kappa']:6.3f}"
    )
    if result.level == "code" and result.calibration:
        print("confidence  segment x code pairs  share the gold coding coded")
        for band in result.calibration:
            share = "" if band["coded"] is None else f"{band['coded']:.0%}"
            print(f"{band['from']:.1f}-{band['to']:.1f}    {band['pairs']:>20,}  {share:>6}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--by", choices=["theme", "code", "both"], default="both")
    parser.add_argument("--no-curve", action="store_true", help="Leave out the learning curve.")
    args = parser.parse_args()
    levels = ["theme", "code"] if args.by == "both" else [args.by]
    gold = SAMPLE / "gold_codings.csv"
    with tempfile.TemporaryDirectory() as folder:
        for mode, with_gold in (("zero-shot", False), ("auto", True)):
            store = build(Path(folder), with_gold)
            for level in levels:
                started = time.perf_counter()
                result = evaluate(store, gold, level=level, mode=mode, threshold=args.threshold)
                label = "zero-shot (codebook only)" if mode == "zero-shot" else "learned, leave one document out"
                show(f"{label}, by {level}", result, time.perf_counter() - started)
            if with_gold and not args.no_curve:
                learning_curve(store, gold, args.threshold)
            store.close()


def learning_curve(store, gold: Path, threshold: float, draws: int = 3) -> None:
    """Theme-level macro kappa as the number of coded documents a model learns from grows."""
    documents = len({row["document_id"] for row in store.codings(statuses=["accepted"])})
    print("\n## learning curve: theme-level macro kappa, each document scored by a model trained on k others")
    print(f"{'k':>4} {'kappa':>6}  (mean of {draws} draws; k = {documents - 1} is leave one document out)")
    for k in sorted({*range(4, documents - 1, 4), documents - 1}):
        kappas = [
            evaluate(store, gold, level="theme", threshold=threshold, training_documents=k, seed=seed).macro["kappa"]
            for seed in range(draws if k < documents - 1 else 1)
        ]
        print(f"{k:>4} {sum(kappas) / len(kappas):6.3f}")


if __name__ == "__main__":
    main()
