"""Learned stage: one logistic regression per code and one per theme, trained on coders' decisions.

Features are the segment's TF-IDF vector and its meaning (semantic.py), the codebook
evidence for that code (rule strength and standardised profile similarities, of the
segment and of the question that prompted it), and how close the segment is to
segments coders coded with the code and to ones they passed over (as "autocode by
existing pattern" does), so the model learns how far to trust the codebook as well as
the words coders respond to. A theme's model learns from all its codes' decisions at
once, so a code with few examples borrows strength from its siblings: a code's
confidence is its own model's probability blended with its theme's. Segments a model
was trained on are scored out-of-fold (grouped by document), so no segment is ever
scored by a model that saw it.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import normalize

from .training import NEGATIVE, POSITIVE, UNKNOWN, Labels

MIN_EXAMPLES = 3
FOLDS = 4
NEIGHBOURS = 3
MEANING_WEIGHT = 1.0  # scale of the meaning columns beside the unit-length TF-IDF vector
THEME_WEIGHT = 0.3  # share of a code's confidence that comes from its theme's model


class Features:
    """A segment's words and meaning beside one model's evidence columns.

    Only the rows a model trains on are ever stacked into one matrix; scoring sums the
    parts of the linear score (words, meaning, evidence), so a corpus of thousands of
    segments is not copied once per code.
    """

    def __init__(self, words: sparse.csr_matrix, meanings: np.ndarray, score_rows: np.ndarray) -> None:
        self.words = words
        self.meanings = MEANING_WEIGHT * meanings
        self.score_rows = score_rows
        self.scored = (words[score_rows], self.meanings[score_rows])  # every model scores these rows

    def stacked(self, rows: np.ndarray, evidence: np.ndarray) -> sparse.csr_matrix:
        """Training matrix for `rows`: words, meaning, then the evidence (clipped and scaled so the solver converges fast)."""
        return sparse.hstack([self.words[rows], sparse.csr_matrix(self.meanings[rows]),
                              sparse.csr_matrix(_scaled(evidence[rows]))], format="csr")

    def probability(self, model: LogisticRegression, rows: np.ndarray, evidence: np.ndarray) -> np.ndarray:
        """The model's probability of the positive class for `rows`."""
        words, meanings = self.scored if rows is self.score_rows else (self.words[rows], self.meanings[rows])
        weights = model.coef_[0]
        vocabulary, meaning = words.shape[1], meanings.shape[1]
        score = (words @ weights[:vocabulary] + meanings @ weights[vocabulary:vocabulary + meaning]
                 + _scaled(evidence[rows]) @ weights[vocabulary + meaning:] + model.intercept_[0])
        return 1.0 / (1.0 + np.exp(-np.asarray(score).ravel()))


class CodeModels:
    """Per-code and per-theme classifiers over segments; `themes` names each code column's theme."""

    def __init__(self, labels: Labels, groups: np.ndarray, themes: list[str] | None = None) -> None:
        self.labels = labels
        self.groups = groups
        self.themes = themes or list(labels.code_ids)
        self.models: dict[int | str, LogisticRegression] = {}

    def fit_predict(self, words: sparse.csr_matrix, meanings: np.ndarray, evidence: list[np.ndarray],
                    score_rows: np.ndarray) -> np.ndarray:
        """Train every code's and theme's model; return each code's probability for `score_rows`.

        Rows a model was trained on get out-of-fold probabilities, or NaN when no fold
        could be trained without them. NaN also marks a code with too few decisions.
        """
        features = Features(words, meanings, score_rows)
        neighbours = neighbour_evidence(words, self.labels.values, self.groups)
        code_evidence = [np.column_stack([evidence[col], neighbours[:, col]]) for col in range(len(evidence))]
        result = np.full((len(score_rows), len(self.labels.code_ids)), np.nan)
        for col in range(len(self.labels.code_ids)):
            result[:, col] = self._fit_score(col, features, code_evidence[col], self.labels.values[:, col], score_rows)
        for theme, cols in self._theme_columns().items():
            stacked = np.stack([code_evidence[c] for c in cols])
            theme_evidence = np.column_stack([stacked.max(axis=0), stacked.mean(axis=0)])
            theme_probability = self._fit_score(theme, features, theme_evidence, theme_labels(self.labels.values[:, cols]), score_rows)
            known = ~np.isnan(theme_probability)
            result[np.ix_(known, cols)] = ((1 - THEME_WEIGHT) * result[np.ix_(known, cols)]
                                           + THEME_WEIGHT * theme_probability[known, None])
        return result

    def _theme_columns(self) -> dict[str, list[int]]:
        """Code columns per theme, for themes with two or more codes (one code's theme model would be its own)."""
        columns: dict[str, list[int]] = {}
        for col, theme in enumerate(self.themes):
            columns.setdefault(theme, []).append(col)
        return {theme: cols for theme, cols in columns.items() if len(cols) > 1}

    def _fit_score(self, key: int | str, features: Features, evidence: np.ndarray, column: np.ndarray,
                   score_rows: np.ndarray) -> np.ndarray:
        """Fit one model on a label column; its probabilities for `score_rows`, out-of-fold where it trained."""
        result = np.full(len(score_rows), np.nan)
        rows = trainable(column)
        if not len(rows):
            return result
        target = column[rows] == POSITIVE
        self.models[key] = model = _model().fit(features.stacked(rows, evidence), target)
        result[:] = features.probability(model, score_rows, evidence)
        position = {row: i for i, row in enumerate(score_rows)}
        seen = [position[row] for row in rows if row in position]
        if seen:
            result[seen] = np.nan
            for held_out, probability in self._out_of_fold(features, evidence, rows, target):
                for row, p in zip(held_out, probability):
                    if row in position:
                        result[position[row]] = p
        return result

    def _out_of_fold(self, features: Features, evidence: np.ndarray, rows: np.ndarray, target: np.ndarray):
        groups = self.groups[rows]
        folds = min(FOLDS, len(set(groups)))
        if folds < 2:
            return
        for train, test in GroupKFold(n_splits=folds).split(rows, target, groups):
            if target[train].all() or not target[train].any():
                continue
            model = _model().fit(features.stacked(rows[train], evidence), target[train])
            yield rows[test], features.probability(model, rows[test], evidence)


def trainable(column: np.ndarray) -> np.ndarray:
    """Rows with a known label, when there are enough positives and negatives to learn from."""
    rows = np.flatnonzero(column != UNKNOWN)
    positives = int((column[rows] == POSITIVE).sum())
    negatives = int((column[rows] == NEGATIVE).sum())
    return rows if positives >= MIN_EXAMPLES and negatives >= MIN_EXAMPLES else np.array([], dtype=int)


def theme_labels(code_labels: np.ndarray) -> np.ndarray:
    """A theme's label per segment from its codes' labels: positive when any code is, negative when all are."""
    positive = (code_labels == POSITIVE).any(axis=1)
    negative = (code_labels == NEGATIVE).all(axis=1)
    return np.where(positive, POSITIVE, np.where(negative, NEGATIVE, UNKNOWN)).astype(np.int8)


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


def _scaled(evidence: np.ndarray) -> np.ndarray:
    return np.clip(evidence, -4.0, 4.0) / 2.0


def _model() -> LogisticRegression:
    return LogisticRegression(C=8.0, solver="liblinear", dual=True, class_weight="balanced", max_iter=1000)
