"""Suggestion quality on real coded text: codebook only, learned (a learning curve), and what a confidence means.

DATA is a folder holding `units.csv` (unit_id, document_id, speaker_or_role, text),
`codings.csv` (unit_id, code) and `codebook.yaml` (codes with id, label, parent,
definition). The units table (of the respondents drawn) is imported as a researcher
imports one, each document a transcript with one participant turn per unit; the human
coding is imported as one coder's decisions by unit through import-codings. Respondents (documents) are split with a
fixed seed: half are the test set, never learned from; the learned runs learn from the
other half, drawn down to each share of all respondents. Printed per run: macro
Cohen's kappa, macro F1 (over codes the humans or the suggester used on the test
set, at --threshold) and P@1 (the top-ranked code is one of the human codes, over
test units that carry a code); then a reliability table: for each confidence band,
the segment x code pairs in it and the share the humans coded. Confidences are
calibrated shares, so kappa is also shown at a confidence of 0.3. Each run offers
codes as suggest does (Suggester.offered_from, never above --threshold: a code with
no learned model from the codebook-only level, one with enough coded passages from
its own level), and is shown again with every code offered at --threshold.
With --sample the shipped sample project (transcripts_sample/ and its gold coding,
codebooks/pb_employment.yaml) is measured the same way, by document.
Usage: python benchmarks/real_quality.py --data ../shared/realworld/coded/nhs_fft_v6 [--respondents 1500]
       python benchmarks/real_quality.py --sample
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

from qualcode import project
from qualcode.project.evaluation import _unit_matrix, calibration, confusion, scores
from qualcode.suggest import Suggester, semantic
from qualcode.suggest.training import segment_labels

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "transcripts_sample"
SHARES = (0.1, 0.25, 0.5)
LOW_THRESHOLD = 0.3  # confidences are shares coded, so a lower cut is shown beside --threshold
CODER = "human coding"


def build_units_project(data: Path, folder: Path, respondents: int | None, seed: int, keep: set[str] | None = None):
    """A project from a units/codings/codebook folder (`respondents` drawn with `seed`, or those in `keep`), built
    as a researcher would: the units table imported, then the codings by unit; returns the store and the gold codings file."""
    units = list(csv.DictReader(open(data / "units.csv", encoding="utf-8", newline="")))
    documents = list(dict.fromkeys(u["document_id"] for u in units))
    if keep is not None:
        units = [u for u in units if u["document_id"] in keep]
    elif respondents and respondents < len(documents):
        kept = set(random.Random(seed).sample(documents, respondents))
        units = [u for u in units if u["document_id"] in kept]
    codebook = yaml.safe_load((data / "codebook.yaml").read_text(encoding="utf-8"))
    codebook.setdefault("name", data.name)
    codebook.setdefault("version", 1)
    (folder / "codebook.yaml").write_text(yaml.safe_dump(codebook, allow_unicode=True), encoding="utf-8")
    store = project.init_project(folder / "project.db", folder / "codebook.yaml")
    _write_rows(folder / "units.csv", units)
    project.import_transcripts(store, [folder / "units.csv"])
    unit_ids = {u["unit_id"] for u in units}
    codings = [
        c for c in csv.DictReader(open(data / "codings.csv", encoding="utf-8", newline="")) if c["unit_id"] in unit_ids
    ]
    gold = folder / "codings.csv"
    _write_rows(gold, codings)
    project.import_codings(store, gold, coder=CODER)
    return store, gold


def _write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def build_sample_project(folder: Path):
    store = project.init_project(folder / "project.db", ROOT / "codebooks" / "pb_employment.yaml")
    project.import_transcripts(store, [SAMPLE])
    project.import_codings(store, SAMPLE / "gold_codings.csv", coder=CODER)
    return store, SAMPLE / "gold_codings.csv"


def measure(confidence: np.ndarray, truth: np.ndarray, threshold: float | np.ndarray) -> dict[str, float]:
    """Macro kappa and F1 over codes in use, and P@1 over units with a human code."""
    figures, low = _per_code(confidence >= threshold, truth), _per_code(confidence >= LOW_THRESHOLD, truth)
    coded = truth.any(axis=1)
    top = confidence.argmax(axis=1)
    return {
        "kappa": float(np.mean([f["kappa"] for f in figures])),
        "f1": float(np.mean([f["f1"] for f in figures])),
        "kappa_low": float(np.mean([f["kappa"] for f in low])),
        "p_at_1": float(truth[np.arange(len(top)), top][coded].mean()) if coded.any() else 0.0,
        "suggested": int((confidence >= threshold).sum()),
        "units": len(truth),
    }


def _per_code(predicted: np.ndarray, truth: np.ndarray) -> list[dict[str, float]]:
    used = [c for c in range(truth.shape[1]) if truth[:, c].any() or predicted[:, c].any()]
    return [scores(**confusion(truth[:, c], predicted[:, c])) for c in used]


def show_reliability(title: str, confidence: np.ndarray, truth: np.ndarray) -> None:
    print(f"\n{title}\nconfidence  pairs      share the humans coded  (off from the band's middle)")
    for band in calibration(confidence, truth):
        if not band["pairs"]:
            continue
        middle = (band["from"] + band["to"]) / 2
        flag = "" if band["pairs"] < 50 or abs(band["coded"] - middle) <= 0.15 else "  <- off by more than 0.15"
        print(
            f"{band['from']:.1f}-{band['to']:.1f}  {band['pairs']:>9,}  {band['coded']:6.1%}  ({band['coded'] - middle:+.2f}){flag}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="folder with units.csv, codings.csv and codebook.yaml")
    parser.add_argument("--sample", action="store_true", help="measure the shipped sample project instead")
    parser.add_argument(
        "--respondents", type=int, default=1500, help="respondents (documents) drawn from DATA, 0 for all"
    )
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--codebook-only", action="store_true", help="leave out the learned runs")
    parser.add_argument(
        "--encoder", action="store_true", help="use the sentence encoder (as QUALCODE_ENCODER=minilm does)"
    )
    args = parser.parse_args()
    if not args.sample and not args.data:
        parser.error("give --data DIR or --sample")
    semantic.USE_ENCODER = args.encoder or semantic.USE_ENCODER
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        if args.sample:
            store, gold = build_sample_project(Path(folder))
        else:
            store, gold = build_units_project(args.data, Path(folder), args.respondents or None, args.seed)
        run(store, gold, args, time.perf_counter() - started)
        store.close()


def run(store, gold: Path, args, built: float) -> None:
    from qualcode.project.evaluation import _gold_codings

    codebook = store.codebook()
    segments = store.segments()
    gold_rows = _gold_codings(store, gold)
    documents = sorted({s["document_id"] for s in segments})
    draw = random.Random(args.seed)
    test = set(draw.sample(documents, len(documents) // 2))
    pool = [d for d in documents if d not in test]
    draw.shuffle(pool)
    rows = np.array([i for i, s in enumerate(segments) if s["document_id"] in test], dtype=int)
    codings = project.learning_codings(store)
    suggester = Suggester(codebook)
    started = time.perf_counter()
    suggester.fit(segments, [], questions=store.questions(segments))
    fitted = time.perf_counter() - started
    truth = _unit_matrix(segments, rows, gold_rows, codebook, suggester.code_ids, "code")
    words = sum(len(s["text"].split()) for s in segments)
    print(
        f"# {'sample project' if args.sample else args.data}: {len(documents)} documents"
        f"{f' (drawn with seed {args.seed})' if not args.sample and args.respondents else ''}, {len(segments)} segments, "
        f"{words:,} words; test set {len(test)} documents, {len(rows)} segments; {len(suggester.code_ids)} codes"
    )
    print(f"meaning from: {suggester.embedder.name}; project built in {built:.0f} s, analysed in {fitted:.0f} s")
    print(f"\n{'run':34} {'kappa':>6} {'F1':>6} {'P@1':>6} {'suggested':>9} {f'kappa at {LOW_THRESHOLD}':>13}")
    zero = suggester.score(rows)
    results = [("codebook only", zero)]
    print(f"{'codebook only':34} " + _line(measure(zero, truth, suggester.offered_from(args.threshold)[None, :])))
    print(f"{f'  every code at {args.threshold}':34} " + _line(measure(zero, truth, args.threshold)))
    for share in () if args.codebook_only else SHARES:
        count = min(len(pool), max(1, round(share * len(documents))))
        learned_from = set(pool[:count])
        suggester.labels = segment_labels(segments, codings, suggester.code_ids, set(documents) - learned_from)
        started = time.perf_counter()
        confidence = suggester.score(rows)
        name = f"learned from {share:.0%} ({count} documents)"
        results.append((name, confidence))
        levels = suggester.offered_from(args.threshold)
        print(
            f"{name:34} "
            + _line(measure(confidence, truth, levels[None, :]))
            + f"  ({time.perf_counter() - started:.0f} s;"
            f" calibration {', '.join(f'{v:.2f}' for v in suggester.calibration)};"
            f" {int((levels < args.threshold).sum())} codes offered below {args.threshold})"
        )
        print(f"{f'  every code at {args.threshold}':34} " + _line(measure(confidence, truth, args.threshold)))
    for name, confidence in results[:1] + results[1:][-1:]:
        show_reliability(f"## reliability, {name}", confidence, truth)


def _line(figures: dict[str, float]) -> str:
    return (
        f"{figures['kappa']:6.3f} {figures['f1']:6.3f} {figures['p_at_1']:6.3f} {figures['suggested']:9,}"
        f" {figures['kappa_low']:13.3f}"
    )


if __name__ == "__main__":
    main()
