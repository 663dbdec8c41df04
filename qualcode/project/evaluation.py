"""How good are the suggestions? Precision, recall, F1 and Cohen's kappa against a human coding.

Units are participant segments of the documents the gold coding covers: a segment
counts as coded with X when any gold span with X overlaps it, and as suggested with
X when a suggestion of X at or above the threshold sits on it. Figures are never
computed on training data: by default every document is scored by a model that
learned from the store's decisions on the other documents only (leave one document out).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..codebook import Codebook
from ..errors import CodingsFileError
from ..store import Store
from ..suggest import Suggester
from ..suggest.training import POSITIVE, segment_labels
from . import learning_codings, locate_codings

MODES = ("auto", "zero-shot", "stored")
FOLDS = 10  # documents are held out in at most this many groups
CALIBRATION_EDGES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


@dataclass
class Evaluation:
    """Per-code (or per-theme) figures and their macro averages."""

    rows: list[dict[str, Any]]
    macro: dict[str, float]
    level: str
    mode: str
    units: int
    documents: int
    calibration: list[dict[str, Any]] = field(default_factory=list)  # empty in stored mode


def calibration(
    confidence: np.ndarray, truth: np.ndarray, edges: tuple[float, ...] = CALIBRATION_EDGES
) -> list[dict[str, Any]]:
    """How often the human coding has a code at each confidence the suggester gives it.

    Unit x code pairs are put in confidence bins; each bin reports how many pairs it
    holds and the share the gold coding coded: what a confidence means on this project,
    so a coder can choose where to accept suggestions in bulk.
    """
    table = []
    for low, high in zip(edges, edges[1:]):
        inside = (confidence >= low) & ((confidence < high) if high < edges[-1] else (confidence <= high))
        pairs = int(inside.sum())
        table.append({"from": low, "to": high, "pairs": pairs, "coded": float(truth[inside].mean()) if pairs else None})
    return table


def confusion(truth: np.ndarray, predicted: np.ndarray) -> dict[str, int]:
    """Counts of one binary code over units."""
    return {
        "tp": int((truth & predicted).sum()),
        "fp": int((~truth & predicted).sum()),
        "fn": int((truth & ~predicted).sum()),
        "tn": int((~truth & ~predicted).sum()),
    }


def scores(tp: int, fp: int, fn: int, tn: int) -> dict[str, float]:
    """Precision, recall, F1 and Cohen's kappa from a 2x2 table (kappa 1 when both agree on every unit)."""
    n = tp + fp + fn + tn
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    observed = (tp + tn) / n if n else 0.0
    expected = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / (n * n) if n else 0.0
    kappa = (observed - expected) / (1 - expected) if expected < 1 else (1.0 if observed == 1 else 0.0)
    return {"precision": precision, "recall": recall, "f1": f1, "kappa": kappa}


def evaluate(
    store: Store,
    gold_path: str | Path,
    level: str = "code",
    mode: str = "auto",
    threshold: float = 0.5,
    training_documents: int | None = None,
    seed: int = 0,
) -> Evaluation:
    """Compare suggestions with the human coding in `gold_path` at segment level.

    With `training_documents`, each document's model learns from only that many of the
    other documents (drawn with `seed`): how quality grows as coders code more interviews.
    """
    codebook = store.codebook()
    gold = _gold_codings(store, gold_path)
    documents = sorted({g["document_id"] for g in gold})
    segments = store.segments()
    rows = np.array([i for i, s in enumerate(segments) if s["document_id"] in set(documents)], dtype=int)
    suggester = Suggester(codebook)
    names = _names(codebook, suggester.code_ids, gold, level)
    truth = _unit_matrix(segments, rows, gold, codebook, names, level)
    if mode == "stored":
        predicted_codings = [
            dict(c, status="accepted") for c in store.codings(sources=["suggested"], min_confidence=threshold)
        ]
        predicted = _unit_matrix(segments, rows, predicted_codings, codebook, names, level)
    else:
        confidence = _held_out_confidence(store, suggester, segments, rows, documents, mode, training_documents, seed)
        predicted = _roll_up(confidence >= threshold, suggester.code_ids, codebook, names, level)
    result = _table(codebook, names, truth, predicted, level, mode, len(rows), len(documents))
    if mode != "stored":
        code_truth = _unit_matrix(segments, rows, gold, codebook, suggester.code_ids, "code")
        result.calibration = calibration(confidence, code_truth)
    return result


def _held_out_confidence(
    store: Store,
    suggester: Suggester,
    segments: list[dict],
    rows: np.ndarray,
    documents: list[str],
    mode: str,
    training_documents: int | None = None,
    seed: int = 0,
) -> np.ndarray:
    """Confidence for each unit from a model that never learned from the unit's own document
    (and, with `training_documents`, learned from only that many others).

    Documents are held out in at most FOLDS groups (each document in one), so a project of
    hundreds of transcripts is evaluated in FOLDS refits rather than one per transcript.
    """
    codings = [] if mode == "zero-shot" else learning_codings(store)
    suggester.fit(segments, codings, questions=store.questions(segments))
    confidence = np.zeros((len(rows), len(suggester.code_ids)))
    if not codings:
        return suggester.score(rows)
    draw = random.Random(seed)
    ordered = sorted(documents)
    for fold in range(min(FOLDS, len(ordered))):
        group = set(ordered[fold::FOLDS])
        held_out = np.array([i for i, row in enumerate(rows) if segments[row]["document_id"] in group])
        if not len(held_out):
            continue
        unused = _unused_documents(documents, group, training_documents, draw)
        suggester.labels = segment_labels(segments, codings, suggester.code_ids, group | unused)
        confidence[held_out] = suggester.score(rows[held_out])
    return confidence


def _unused_documents(
    documents: list[str], held_out: set[str], training_documents: int | None, draw: random.Random
) -> set[str]:
    """The other documents a held-out group's model may not learn from: none, or all but `training_documents` drawn."""
    if training_documents is None:
        return set()
    others = [d for d in documents if d not in held_out]
    return set(others) - set(draw.sample(others, min(training_documents, len(others))))


def _gold_codings(store: Store, path: str | Path) -> list[dict[str, Any]]:
    """Gold rows checked against the store and placed on their quotes, the same way an import of codings is."""
    gold = [
        {
            "document_id": found.row.document_id,
            "start": found.start,
            "end": found.end,
            "code_id": found.row.code_id,
            "status": "accepted",
        }
        for found in locate_codings(store, path)
    ]
    if not gold:
        raise CodingsFileError(f"{path}: has no codings to compare with; add rows below the header.")
    return gold


def _names(codebook: Codebook, code_ids: list[str], gold: list[dict], level: str) -> list[str]:
    if level == "theme":
        return [theme.id for theme in codebook.themes()]
    used = {g["code_id"] for g in gold}
    return [c.id for c in codebook if c.id in set(code_ids) or c.id in used]


def _target(codebook: Codebook, code_id: str, level: str) -> str:
    return codebook.theme_of(code_id) if level == "theme" else code_id


def _unit_matrix(
    segments: list[dict], rows: np.ndarray, codings: list[dict], codebook: Codebook, names: list[str], level: str
) -> np.ndarray:
    """Units x names: True where a coding of that code (or theme) overlaps the unit."""
    unit_segments = [segments[r] for r in rows]
    column = {name: i for i, name in enumerate(names)}
    matrix = np.zeros((len(rows), len(names)), dtype=bool)
    by_code: dict[str, list[dict]] = {}
    for coding in codings:
        if coding["code_id"] in codebook:
            by_code.setdefault(_target(codebook, coding["code_id"], level), []).append(coding)
    for name, group in by_code.items():
        if name not in column:
            continue
        labels = segment_labels(unit_segments, [dict(c, code_id="x") for c in group], ["x"])
        matrix[:, column[name]] = labels.values[:, 0] == POSITIVE
    return matrix


def _roll_up(
    predicted: np.ndarray, code_ids: list[str], codebook: Codebook, names: list[str], level: str
) -> np.ndarray:
    column = {name: i for i, name in enumerate(names)}
    matrix = np.zeros((predicted.shape[0], len(names)), dtype=bool)
    for col, code_id in enumerate(code_ids):
        target = _target(codebook, code_id, level)
        if target in column:
            matrix[:, column[target]] |= predicted[:, col]
    return matrix


def _table(
    codebook: Codebook,
    names: list[str],
    truth: np.ndarray,
    predicted: np.ndarray,
    level: str,
    mode: str,
    units: int,
    documents: int,
) -> Evaluation:
    rows = []
    for i, name in enumerate(names):
        counts = confusion(truth[:, i], predicted[:, i])
        rows.append(
            {
                "id": name,
                "label": codebook.get(name).label,
                "gold": counts["tp"] + counts["fn"],
                "suggested": counts["tp"] + counts["fp"],
                **counts,
                **scores(**counts),
            }
        )
    scored = [r for r in rows if r["gold"] or r["suggested"]]
    macro = {
        key: float(np.mean([r[key] for r in scored])) if scored else 0.0
        for key in ("precision", "recall", "f1", "kappa")
    }
    return Evaluation(rows, macro, level, mode, units, documents)
