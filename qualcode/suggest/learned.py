"""Learned stage: one logistic regression per code, trained on coders' decisions.

Features are the segment's TF-IDF vector, the codebook evidence for that code (rule
strength and standardised profile similarities, of the segment and of the question
that prompted it), and how close the segment is to segments coders coded with the
code and to ones they passed over (as "autocode by existing pattern" does), so the
model learns how far to trust the codebook as well as the words coders respond to. Segments a model was
trained on are scored out-of-fold (grouped by document), so no segment is ever
scored by a model that saw it.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import normalize

from .training import NEGATIVE, POSITIVE, Labels

MIN_EXAMPLES = 3
FOLDS = 4
NEIGHBOURS = 3


def code_features(text_vectors: sparse.csr_matrix, evidence: np.ndarray) -> sparse.csr_matrix:
    """TF-IDF vector of each segment beside the evidence for one code (clipped and scaled so the solver converges fast)."""
    return sparse.hstack([text_vectors, sparse.csr_matrix(np.clip(evidence, -4.0, 4.0) / 2.0)], format="csr")


class CodeModels:
    """Per-code classifiers; `predict` returns probabilities, NaN where a code has no model."""

    def __init__(self, labels: Labels, groups: np.ndarray) -> None:
        self.labels = labels
        self.groups = groups
        self.models: dict[int, LogisticRegression] = {}

    def trainable(self, col: int) -> np.ndarray:
        column = self.labels.values[:, col]
        rows = np.flatnonzero(column != -1)
        positives = int((column[rows] == POSITIVE).sum())
        negatives = int((column[rows] == NEGATIVE).sum())
        return rows if positives >= MIN_EXAMPLES and negatives >= MIN_EXAMPLES else np.array([], dtype=int)

    def fit_predict(self, text_vectors: sparse.csr_matrix, evidence: list[np.ndarray], score_rows: np.ndarray) -> np.ndarray:
        """Train every code's model; return probabilities for `score_rows`.

        Rows the model was trained on get out-of-fold probabilities, or NaN when no
        fold could be trained without them.
        """
        result = np.full((len(score_rows), len(self.labels.code_ids)), np.nan)
        position = {row: i for i, row in enumerate(score_rows)}
        neighbours = neighbour_evidence(text_vectors, self.labels.values, self.groups)
        for col in range(len(self.labels.code_ids)):
            rows = self.trainable(col)
            if not len(rows):
                continue
            features = code_features(text_vectors, np.column_stack([evidence[col], neighbours[:, col]]))
            target = self.labels.values[rows, col] == POSITIVE
            model = _model().fit(features[rows], target)
            self.models[col] = model
            result[:, col] = model.predict_proba(features[score_rows])[:, 1]
            seen = [position[row] for row in rows if row in position]
            if not seen:
                continue
            result[seen, col] = np.nan
            for held_out, probability in self._out_of_fold(features, rows, target):
                for row, p in zip(held_out, probability):
                    if row in position:
                        result[position[row], col] = p
        return result

    def _out_of_fold(self, features: sparse.csr_matrix, rows: np.ndarray, target: np.ndarray):
        groups = self.groups[rows]
        folds = min(FOLDS, len(set(groups)))
        if folds < 2:
            return
        for train, test in GroupKFold(n_splits=folds).split(rows, target, groups):
            if target[train].all() or not target[train].any():
                continue
            model = _model().fit(features[rows[train]], target[train])
            yield rows[test], model.predict_proba(features[rows[test]])[:, 1]


def neighbour_evidence(vectors: sparse.csr_matrix, labels: np.ndarray, groups: np.ndarray, chunk: int = 1000) -> np.ndarray:
    """Segments x codes x 3: mean cosine to the nearest positives, to the nearest negatives, and their difference.

    Neighbours are labelled segments from other documents only, so a training
    segment's features never depend on its own label.
    """
    result = np.zeros((vectors.shape[0], labels.shape[1], 3))
    labelled = np.flatnonzero((labels != -1).any(axis=1))
    if not len(labelled):
        return result
    unit = normalize(vectors)
    examples = unit[labelled].T.tocsc()
    known = labels[labelled]
    for begin in range(0, vectors.shape[0], chunk):
        block = np.asarray((unit[begin:begin + chunk] @ examples).todense())
        block[groups[begin:begin + chunk, None] == groups[labelled][None, :]] = -1.0
        for col in range(labels.shape[1]):
            near_pos = _top_mean(block[:, known[:, col] == POSITIVE])
            near_neg = _top_mean(block[:, known[:, col] == NEGATIVE])
            result[begin:begin + chunk, col] = np.column_stack([near_pos, near_neg, near_pos - near_neg])
    return result * 3.0


def _top_mean(similarities: np.ndarray) -> np.ndarray:
    if similarities.shape[1] == 0:
        return np.zeros(similarities.shape[0])
    k = min(NEIGHBOURS, similarities.shape[1])
    top = np.partition(similarities, -k, axis=1)[:, -k:]
    return np.clip(top, 0.0, None).mean(axis=1)


def _model() -> LogisticRegression:
    return LogisticRegression(C=8.0, solver="liblinear", dual=True, class_weight="balanced", max_iter=1000)
