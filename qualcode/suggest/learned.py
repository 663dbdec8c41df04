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

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import normalize

from .training import NEGATIVE, POSITIVE, UNKNOWN, Labels

WORKERS = min(4, os.cpu_count() or 1)  # models trained at once
MIN_EXAMPLES = 3
FOLDS = 3
NEIGHBOURS = 3
MEANING_WEIGHT = 1.0  # scale of the meaning columns beside the unit-length TF-IDF vector
THEME_WEIGHT = 0.3  # share of a code's confidence that comes from its theme's model
CALIBRATION_ROWS = 1000  # decided segments whose out-of-fold scores calibrate the learned confidence
MIN_CALIBRATION = 30  # positives (and negatives) needed to calibrate on the project's own decisions
# Platt map used until then, measured on real coded text (NHS Friends and Family Test answers,
# benchmarks/real_quality.py): balanced-class models overstate how often a rare code applies.
DEFAULT_PLATT = (0.9, -1.7)


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
        themes = self._theme_columns()
        jobs = [(col, code_evidence[col], self.labels.values[:, col]) for col in range(len(self.labels.code_ids))]
        for theme, cols in themes.items():
            stacked = np.stack([code_evidence[c] for c in cols])
            jobs.append((theme, np.column_stack([stacked.max(axis=0), stacked.mean(axis=0)]),
                         theme_labels(self.labels.values[:, cols])))
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:  # the solver releases the GIL: one model per core
            probability = dict(zip([key for key, _, _ in jobs], pool.map(
                lambda job: self._fit_score(job[0], features, job[1], job[2], score_rows), jobs)))
        result = np.column_stack([probability[col] for col in range(len(self.labels.code_ids))])
        for theme, cols in themes.items():
            known = ~np.isnan(probability[theme])
            result[np.ix_(known, cols)] = ((1 - THEME_WEIGHT) * result[np.ix_(known, cols)]
                                           + THEME_WEIGHT * probability[theme][known, None])
        return result

    def calibrated(self, words: sparse.csr_matrix, meanings: np.ndarray, evidence: list[np.ndarray],
                   score_rows: np.ndarray) -> np.ndarray:
        """`fit_predict` turned into shares: a map from score to the share coded so, fitted on the
        out-of-fold scores of decided segments (the shipped default until there are enough decisions)."""
        key = self._calibration_key()
        if key in _CALIBRATIONS:
            self.calibration = _CALIBRATIONS[key]
            return apply_platt(self.fit_predict(words, meanings, evidence, score_rows), self.calibration)
        decided = self.labels.trained_rows()
        if len(decided) > CALIBRATION_ROWS:
            decided = np.sort(np.random.default_rng(0).choice(decided, CALIBRATION_ROWS, replace=False))
        every = np.union1d(np.asarray(score_rows, dtype=int), decided)
        result = self.fit_predict(words, meanings, evidence, every)
        at = {row: i for i, row in enumerate(every)}
        held = result[[at[row] for row in decided]]
        known = self.labels.values[decided]
        usable = ~np.isnan(held) & (known != UNKNOWN)
        self.calibration = _CALIBRATIONS[key] = platt(held[usable], known[usable] == POSITIVE)
        return apply_platt(result[[at[row] for row in score_rows]], self.calibration)

    def _calibration_key(self) -> tuple:
        """The codes and the number of decisions, rounded so the map is refitted when they grow by a fifth."""
        values = self.labels.values
        positives, negatives = int((values == POSITIVE).sum()), int((values == NEGATIVE).sum())
        return (tuple(self.labels.code_ids), int(np.log1p(positives) / np.log(1.2)), int(np.log1p(negatives) / np.log(1.2)))

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


_CALIBRATIONS: dict[tuple, tuple[float, float]] = {}  # remembered for this process: one decision barely moves the map


def platt(scores: np.ndarray, positive: np.ndarray) -> tuple[float, float]:
    """Slope and bias of a logistic map from score log-odds to the share coded (Platt scaling),
    pooled over codes; the shipped default while there are fewer than MIN_CALIBRATION positives."""
    if int(positive.sum()) < MIN_CALIBRATION or int((~positive).sum()) < MIN_CALIBRATION:
        return DEFAULT_PLATT
    model = LogisticRegression(C=1.0).fit(_logit(scores)[:, None], positive)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def apply_platt(probability: np.ndarray, calibration: tuple[float, float]) -> np.ndarray:
    """Learned scores as calibrated shares (NaN stays NaN)."""
    slope, bias = calibration
    return 1.0 / (1.0 + np.exp(-(slope * _logit(probability) + bias)))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


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
    labelled = np.flatnonzero((labels != UNKNOWN).any(axis=1))
    if not len(labelled):
        return result
    unit = normalize(vectors)
    examples = unit[labelled].T.tocsc()
    known = labels[labelled]
    for begin in range(0, vectors.shape[0], chunk):
        block = np.asarray((unit[begin:begin + chunk] @ examples).todense())
        block[groups[begin:begin + chunk, None] == groups[labelled][None, :]] = -1.0
        nearest = _Nearest(block)
        for col in range(labels.shape[1]):
            near_pos = nearest.top_mean(known[:, col] == POSITIVE)
            near_neg = nearest.top_mean(known[:, col] == NEGATIVE)
            result[begin:begin + chunk, col] = np.column_stack([near_pos, near_neg, near_pos - near_neg])
    return result * 3.0


class _Nearest:
    """The most similar labelled segments of a block of rows, sorted once and shared by every code.

    Each code's nearest positives (or negatives) are nearly always among a row's few
    dozen most similar labelled segments; rows where they are not are searched in full.
    """

    SHORTLIST = 32

    def __init__(self, block: np.ndarray) -> None:
        self.block = block
        width = min(self.SHORTLIST, block.shape[1])
        candidates = np.argpartition(-block, width - 1, axis=1)[:, :width]
        order = np.argsort(-np.take_along_axis(block, candidates, axis=1), axis=1)
        self.columns = np.take_along_axis(candidates, order, axis=1)
        self.similarities = np.clip(np.take_along_axis(block, self.columns, axis=1), 0.0, None)

    def top_mean(self, wanted: np.ndarray) -> np.ndarray:
        """Per row, the mean (negative cosines as 0) of its NEIGHBOURS most similar `wanted` columns."""
        k = min(NEIGHBOURS, int(wanted.sum()))
        if k == 0:
            return np.zeros(self.block.shape[0])
        hits = wanted[self.columns]
        taken = hits & (np.cumsum(hits, axis=1) <= k)
        means = (self.similarities * taken).sum(axis=1) / k
        short = np.flatnonzero(taken.sum(axis=1) < k)
        if len(short):
            means[short] = _top_mean(self.block[np.ix_(short, np.flatnonzero(wanted))], k)
        return means


def _top_mean(similarities: np.ndarray, k: int) -> np.ndarray:
    top = np.partition(similarities, -k, axis=1)[:, -k:]
    return np.clip(top, 0.0, None).mean(axis=1)


def _scaled(evidence: np.ndarray) -> np.ndarray:
    return np.clip(evidence, -4.0, 4.0) / 2.0


def _model() -> LogisticRegression:
    return LogisticRegression(C=8.0, solver="liblinear", dual=True, class_weight="balanced", max_iter=1000, tol=1e-3)
