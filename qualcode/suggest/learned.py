"""Learned stage: one logistic regression per code (and per theme, when THEME_WEIGHT is set), trained on coders' decisions.

Features are the segment's TF-IDF vector and its meaning (semantic.py), the codebook
evidence for that code (rule strength and standardised profile similarities, of the
segment and of the question that prompted it), and how close the segment is to
segments coders coded with the code and to ones they passed over (as "autocode by
existing pattern" does), so the model learns how far to trust the codebook as well as
the words coders respond to. A theme's model can learn from all its codes' decisions at
once and lend a share (THEME_WEIGHT) of its probability to each code; on real coded
text that blurred sibling codes, so the share is none and no theme model is fitted. Segments a model
was trained on are scored out-of-fold (grouped by document), so no segment is ever
scored by a model that saw it.

At team scale each model learns from a bounded stratified sample of its decisions
(training.stratified_sample) and is kept, with its out-of-fold scores, under a key
digesting the segments and labels it saw: a model whose sample did not change is
taken as it was, so a run with no new decision fits nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import normalize

from .training import NEGATIVE, POSITIVE, UNKNOWN, Labels, reference_sample, stratified_sample

WORKERS = min(4, os.cpu_count() or 1)  # models trained at once
MIN_EXAMPLES = 3
FOLDS = 3
NEIGHBOURS = 3
# Inverse regularisation of each model: 8 overfitted the few positives of a rare code
# (NHS answers, learned from half: macro kappa 0.34 at 8, 0.35 at 1 and 2; the sample the same).
REGULARISATION = 2.0
MEANING_WEIGHT = 1.0  # scale of the meaning columns beside the unit-length TF-IDF vector
# Share of a code's confidence that comes from its theme's model: none, as borrowing from
# sibling codes blurred them on real coded text (NHS Friends and Family Test answers: macro
# kappa learned from half of the respondents 0.28 with 0.3, 0.34 with none; the sample the same).
THEME_WEIGHT = 0.0
CALIBRATION_PAIRS = 20000  # decided segment-code pairs whose out-of-fold scores calibrate the learned confidence
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

    def __init__(self, words: sparse.csr_matrix, meanings: np.ndarray) -> None:
        self.words = words
        self.meanings = MEANING_WEIGHT * meanings

    def stacked(self, rows: np.ndarray, evidence: np.ndarray) -> sparse.csr_matrix:
        """Training matrix for `rows` (evidence given for those rows): words, meaning, then the evidence
        (clipped and scaled so the solver converges fast)."""
        return sparse.hstack(
            [self.words[rows], sparse.csr_matrix(self.meanings[rows]), sparse.csr_matrix(_scaled(evidence))],
            format="csr",
        )

    def probability(self, model: Fitted, rows: np.ndarray, evidence: np.ndarray) -> np.ndarray:
        """The model's probability of the positive class for `rows` (evidence given for those rows)."""
        weights = model.weights()
        vocabulary, meaning = self.words.shape[1], self.meanings.shape[1]
        score = (
            self.words[rows] @ weights[:vocabulary]
            + self.meanings[rows] @ weights[vocabulary : vocabulary + meaning]
            + _scaled(evidence) @ weights[vocabulary + meaning :]
            + model.intercept
        )
        return 1.0 / (1.0 + np.exp(-np.asarray(score).ravel()))


@dataclass
class Fitted:
    """One fitted model: its non-zero weights, and its out-of-fold probabilities for the segments it trained on."""

    index: np.ndarray  # int32 positions of the non-zero weights
    values: np.ndarray  # float32
    width: int
    intercept: float
    held_ids: np.ndarray  # int64 segment ids scored out-of-fold
    held_p: np.ndarray  # float32
    trained_ids: np.ndarray  # int64 segment ids the model learned from (never scored by it directly)
    evidence: np.ndarray | None = None  # float32, the evidence columns it learned from, per trained id

    @classmethod
    def of(
        cls,
        model: LogisticRegression,
        held_ids: np.ndarray,
        held_p: np.ndarray,
        trained_ids: np.ndarray | None = None,
        evidence: np.ndarray | None = None,
    ) -> Fitted:
        coef = model.coef_[0]
        index = np.flatnonzero(coef).astype(np.int32)
        return cls(
            index,
            coef[index].astype(np.float32),
            len(coef),
            float(model.intercept_[0]),
            np.asarray(held_ids, dtype=np.int64),
            np.asarray(held_p, dtype=np.float32),
            np.asarray(held_ids if trained_ids is None else trained_ids, dtype=np.int64),
            None if evidence is None else np.asarray(evidence, dtype=np.float32),
        )

    def weights(self) -> np.ndarray:
        dense = np.zeros(self.width)
        dense[self.index] = self.values
        return dense

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez(
            buffer,
            index=self.index,
            values=self.values,
            shape=np.array([self.width]),
            intercept=np.array([self.intercept]),
            held_ids=self.held_ids,
            held_p=self.held_p,
            trained_ids=self.trained_ids,
            evidence=self.evidence if self.evidence is not None else np.zeros((0, 0), np.float32),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Fitted:
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            return cls(
                stored["index"],
                stored["values"],
                int(stored["shape"][0]),
                float(stored["intercept"][0]),
                stored["held_ids"],
                stored["held_p"],
                stored["trained_ids"] if "trained_ids" in stored.files else stored["held_ids"],
                stored["evidence"] if "evidence" in stored.files and stored["evidence"].size else None,
            )


@dataclass
class Job:
    """One model to have: a code's (key an int column) or a theme's (key its id), its training rows and cache key;
    `touch` digests the decisions made on its passages themselves (not the passages passed over)."""

    name: int | str
    label: str
    column: np.ndarray
    rows: np.ndarray
    key: str
    touch: str = ""


class CodeModels:
    """Per-code and per-theme classifiers over segments; `themes` names each code column's theme.

    Each model learns from a bounded stratified sample of its label column
    (training.stratified_sample) and is known by a key digesting the segments and labels
    it saw (and `signature`: the features' make), so a model whose sample did not change
    is taken from `known` instead of fitted again.
    """

    def __init__(
        self,
        labels: Labels,
        groups: np.ndarray,
        themes: list[str] | None = None,
        segment_ids: np.ndarray | None = None,
        signature: str = "",
    ) -> None:
        self.labels = labels
        self.groups = groups
        self.themes = themes or list(labels.code_ids)
        self.segment_ids = (
            np.arange(len(labels.values)) if segment_ids is None else np.asarray(segment_ids, dtype=np.int64)
        )
        self.signature = signature
        self.models: dict[int | str, Fitted] = {}
        self.fitted: dict[str, bytes] = {}  # entries fitted in this run, by key
        self.nearness: dict[str, bytes] = {}  # segments' nearness to a code's references worked out in this run
        self.known: dict[str, bytes] = {}
        self._held_rows: dict[str, np.ndarray] = {}
        self._levels: dict[tuple[float, float | None], np.ndarray] = {}
        self._evidence_for: tuple[np.ndarray, list[np.ndarray]] = (np.zeros(0, dtype=int), [])
        self.jobs = self._jobs()
        self.row_of = {int(segment_id): row for row, segment_id in enumerate(self.segment_ids)}

    def keys(self, previous: dict | None = None) -> list[str]:
        """Cache keys of every model these labels call for (plus the calibration map's), and of the
        `previous` run's models (see `fit`)."""
        earlier = [key for key, _ in (previous or {}).get("models", {}).values()]
        return (
            [job.key for job in self.jobs]
            + [self.calibration_key()]
            + earlier
            + [(previous or {}).get("calibration", "")]
        )

    def index(self) -> bytes:
        """What this run's models were (each job's stored key and decisions digest, and the calibration's key),
        for the next run for some transcripts to start from (see `fit`'s `previous`)."""
        return json.dumps({"models": self.used, "calibration": self.calibration_used}, sort_keys=True).encode()

    def calibration_key(self) -> str:
        """The models' keys, and how many decisions each sample stands for, rounded so the map is refitted
        when they grow by a fifth (one decision barely moves it)."""
        bucket = lambda n: str(int(np.log1p(n) / np.log(1.2)))
        counts = (bucket(int((job.column == label).sum())) for job in self.jobs for label in (POSITIVE, NEGATIVE))
        return _digest(self.signature, "calibration", *(job.key for job in self.jobs), *counts)

    def fit(
        self,
        words: sparse.csr_matrix,
        meanings: np.ndarray,
        evidence: list[np.ndarray],
        known: dict[str, bytes],
        score_rows: np.ndarray | None = None,
        previous: dict | None = None,
    ) -> None:
        """Take every model from `known` where its key is there; fit the others (and their out-of-fold scores).

        `score_rows` (the rows to be scored next) have their evidence worked out with the
        training rows' in one pass, when there is anything to fit.

        `previous` (a run for some transcripts, given the last run's `index`): a model no
        decision on its own passages changed since is taken as it was, though passages
        passed over since may have entered its sample; one a decision touched is refitted
        on its new sample keeping the earlier out-of-fold scores (one fit, not four), and
        the calibration map is kept. A whole run never does this: it has every model exact."""
        self.features = Features(words, meanings)
        self.known = known
        self._levels = {}
        self.references = References(
            normalize(words),
            self.groups,
            [(rows, job.column[rows]) for job, rows in self._references()],
        )
        self.evidence = evidence
        self.used: dict[str, tuple[str, str]] = {}
        earlier = (previous or {}).get("models", {})
        todo, quick = [], {}
        for job in self.jobs:
            if not len(job.rows):
                continue
            before = earlier.get(job.label)
            if job.key in known:
                self.models[job.name] = Fitted.from_bytes(known[job.key])
                self.used[job.label] = (job.key, job.touch)
            elif before and before[0] in known and before[1] == job.touch:
                self.models[job.name] = Fitted.from_bytes(known[before[0]])
                self.used[job.label] = (before[0], job.touch)
            else:
                todo.append(job)
                if before and before[0] in known:
                    quick[job.key] = Fitted.from_bytes(known[before[0]])
        if todo:
            rows = np.unique(np.concatenate([self._unknown_rows(job, quick.get(job.key)) for job in todo]))
            themes = self._theme_columns()
            wanted: list[int] | None = [
                c for job in todo for c in ([job.name] if isinstance(job.name, int) else themes[job.name])
            ]
            if score_rows is not None and len(score_rows) and len(rows) and np.isin(rows, score_rows).all():
                rows = np.union1d(rows, score_rows)
                wanted = None  # a full run: every column for every row, once, for training and scoring
            code_evidence = self._code_evidence(rows, wanted)
            if wanted is None:
                self._evidence_for = (rows, code_evidence)
            fit = lambda job: self._fit(job, rows, code_evidence, quick.get(job.key))
            with ThreadPoolExecutor(max_workers=WORKERS) as pool:  # the solver releases the GIL: one model per core
                for job, fitted in zip(todo, pool.map(fit, todo)):
                    key = _digest(job.key, "kept out-of-fold scores") if job.key in quick else job.key
                    self.models[job.name] = fitted
                    self.fitted[key] = fitted.to_bytes()
                    self.used[job.label] = (key, job.touch)
        key, kept = self.calibration_key(), (previous or {}).get("calibration", "")
        if key not in known and kept in known:
            key = kept
        if key in known:
            self.calibration = tuple(np.frombuffer(known[key], dtype=np.float64))
        else:
            self.calibration = self._calibrate()
            self.fitted[key] = np.array(self.calibration, dtype=np.float64).tobytes()
        self.calibration_used = key

    def calibrated(self, rows: np.ndarray) -> np.ndarray:
        """Each code's calibrated probability for `rows` (NaN where a code has too few decisions):
        out-of-fold where its model trained on the row, blended with its theme's model (see THEME_WEIGHT)."""
        rows = np.asarray(rows, dtype=int)
        known_rows, known_evidence = self._evidence_for
        if len(rows) and np.isin(rows, known_rows).all():
            at = np.searchsorted(known_rows, rows)
            code_evidence = [e[at] for e in known_evidence]
        else:
            code_evidence = self._code_evidence(rows)
        probability = {job.name: self._predict(job, rows, code_evidence) for job in self.jobs}
        result = (
            np.column_stack([probability[col] for col in range(len(self.labels.code_ids))])
            if len(self.labels.code_ids)
            else np.zeros((len(rows), 0))
        )
        for theme, cols in self._theme_columns().items():
            known = ~np.isnan(probability[theme])
            result[np.ix_(known, cols)] = (1 - THEME_WEIGHT) * result[np.ix_(known, cols)] + THEME_WEIGHT * probability[
                theme
            ][known, None]
        return apply_platt(result, self.calibration)

    def offer_levels(self, default: float = 0.5, towards: float | None = None) -> np.ndarray:
        """Per code, the confidence from which its suggestions agree best with coders (Cohen's kappa on the
        out-of-fold scores of its decisions), drawn towards `towards` (`default` when None) while it has few
        positives, never above `default`.

        A confidence stays the share coded; this is where to start offering a code: a rare
        code is best offered below an even chance (NHS answers learned from half of 1,500
        respondents: macro kappa 0.34 offering every code at 0.5, 0.38 at these levels).
        """
        if (default, towards) in self._levels:  # worked out once per fit: every transcript's update asks again
            return self._levels[(default, towards)].copy()
        levels = np.full(len(self.labels.code_ids), default)
        prior = default if towards is None else min(towards, default)
        jobs = {job.name: job for job in self.jobs}
        for col in range(len(levels)):
            model = self.models.get(col)
            if model is None or not len(model.held_ids):
                continue
            held = self._held(jobs[col], model)
            rows = np.flatnonzero(~np.isnan(held))
            positive = self.labels.values[rows, col] == POSITIVE
            weights = np.where(positive, *_sampling_weights(jobs[col]))
            best = best_kappa_level(apply_platt(held[rows], self.calibration), positive, weights)
            count = int(positive.sum())
            levels[col] = min(default, (count * best + LEVEL_PRIOR * prior) / (count + LEVEL_PRIOR))
        self._levels[(default, towards)] = levels
        return levels.copy()

    def _jobs(self) -> list[Job]:
        values, decided = self.labels.values, self.labels.decided()
        columns = self._theme_columns()
        jobs: list[tuple[int | str, np.ndarray, list[int]]] = [
            (col, values[:, col], [col]) for col in range(len(self.labels.code_ids))
        ]
        jobs += [(theme, theme_labels(values[:, cols]), cols) for theme, cols in columns.items()]
        found = []
        for salt, (name, column, cols) in enumerate(jobs):
            rows = trainable(column)
            if len(rows):
                rows = stratified_sample(column, self.segment_ids, salt)
            label = self.labels.code_ids[name] if isinstance(name, int) else f"theme:{name}"
            touched = np.flatnonzero(decided[:, cols].any(axis=1))
            found.append(
                Job(
                    name,
                    label,
                    column,
                    rows,
                    _digest(self.signature, label, self.segment_ids[rows].tobytes(), column[rows].tobytes()),
                    _digest(
                        label,
                        self.segment_ids[touched].tobytes(),
                        values[np.ix_(touched, np.asarray(cols, dtype=int))].tobytes(),
                    ),
                )
            )
        return found

    def _references(self) -> list[tuple[Job, np.ndarray]]:
        """Each code job with the rows its nearness features compare with (training.reference_sample):
        none when it has no model."""
        return [
            (job, reference_sample(job.column, self.segment_ids, job.name) if len(job.rows) else job.rows)
            for job in self.jobs
            if isinstance(job.name, int)
        ]

    def _code_evidence(self, rows: np.ndarray, wanted: list[int] | None = None) -> list[np.ndarray]:
        """Per code column (the `wanted` ones; all when None), the evidence of `rows`: the codebook's, then
        nearness to the code's sampled decisions."""
        if len(rows) == len(self.segment_ids) and (np.asarray(rows) == np.arange(len(rows))).all():
            neighbours = self._whole_nearness(wanted)  # a whole run: kept per code's references
        else:
            neighbours = self.references.evidence(rows, wanted)
        return [np.column_stack([self.evidence[col][rows], neighbours[:, col]]) for col in range(len(self.evidence))]

    def nearness_keys(self) -> list[str]:
        """Per code column, the key of every segment's nearness to its references (see `_whole_nearness`)."""
        if not hasattr(self, "_nearness_keys"):
            everyone = self.segment_ids.tobytes()
            self._nearness_keys = [
                _digest(
                    self.signature, "nearness", everyone, self.segment_ids[rows].tobytes(), job.column[rows].tobytes()
                )
                for job, rows in self._references()
            ]
        return self._nearness_keys

    def _whole_nearness(self, wanted: list[int] | None) -> np.ndarray:
        """Every segment's nearness to the wanted columns' references: taken from `known` where a run worked it out
        for the same references and segments, the rest worked out at once (and kept in `nearness`)."""
        columns = range(len(self.evidence)) if wanted is None else sorted(set(wanted))
        keys, rows = self.nearness_keys(), np.arange(len(self.segment_ids))
        result = np.zeros((len(rows), len(self.evidence), 3))
        missing = [col for col in columns if keys[col] not in self.known]
        if missing:
            fresh = self.references.unscaled(rows, missing).astype(np.float32)
            for col in missing:
                self.nearness[keys[col]] = fresh[:, col].tobytes()
                self.known[keys[col]] = self.nearness[keys[col]]
        for col in columns:
            result[:, col] = np.frombuffer(self.known[keys[col]], dtype=np.float32).reshape(len(rows), 3)
        return result * 3.0

    def _job_evidence(self, job: Job, code_evidence: list[np.ndarray]) -> np.ndarray:
        if isinstance(job.name, int):
            return code_evidence[job.name]
        stacked = np.stack([code_evidence[c] for c in self._theme_columns()[job.name]])
        return np.column_stack([stacked.max(axis=0), stacked.mean(axis=0)])

    def _fit(self, job: Job, rows: np.ndarray, code_evidence: list[np.ndarray], before: Fitted | None = None) -> Fitted:
        """Fit one model on its sample, with out-of-fold probabilities for every row of the sample (grouped by document);
        given the model it replaces (`before`), keep that one's out-of-fold scores instead of refitting the folds."""
        evidence = self._training_evidence(job, rows, code_evidence, before)
        target = job.column[job.rows] == POSITIVE
        stacked = self.features.stacked(job.rows, evidence)
        model = _model().fit(stacked, target)
        ids = self.segment_ids[job.rows]
        if before is not None:
            still = np.isin(before.held_ids, ids)
            return Fitted.of(model, before.held_ids[still], before.held_p[still], ids, evidence)
        held_ids, held_p = [], []
        groups = self.groups[job.rows]
        folds = min(FOLDS, len(set(groups)))
        if folds >= 2:
            for train, test in GroupKFold(n_splits=folds).split(job.rows, target, groups):
                if target[train].all() or not target[train].any():
                    continue
                fold = _model().fit(stacked[train], target[train])  # the rows of the stacked sample, not stacked again
                held_ids.append(self.segment_ids[job.rows[test]])
                held_p.append(
                    self.features.probability(
                        Fitted.of(fold, np.array([], dtype=int), np.array([])), job.rows[test], evidence[test]
                    )
                )
        concat = lambda parts, kind: np.concatenate(parts) if parts else np.zeros(0, kind)
        return Fitted.of(model, concat(held_ids, np.int64), concat(held_p, np.float32), ids, evidence)

    def _unknown_rows(self, job: Job, before: Fitted | None) -> np.ndarray:
        """The job's training rows whose evidence must be worked out: all, or those the model it replaces did not keep."""
        if before is None or before.evidence is None:
            return job.rows
        return job.rows[~np.isin(self.segment_ids[job.rows], before.trained_ids)]

    def _training_evidence(
        self, job: Job, rows: np.ndarray, code_evidence: list[np.ndarray], before: Fitted | None
    ) -> np.ndarray:
        """The evidence of a job's training rows: kept by the model it replaces where that one learned from the row
        (nearness to decisions moves little with one more decision), worked out (for `rows`) elsewhere."""
        if before is None or before.evidence is None:
            return self._job_evidence(job, code_evidence)[np.searchsorted(rows, job.rows)]
        ids = self.segment_ids[job.rows]
        order = np.argsort(before.trained_ids)
        at = np.searchsorted(before.trained_ids, ids, sorter=order)
        kept = np.isin(ids, before.trained_ids)
        result = np.empty((len(ids), before.evidence.shape[1]))
        result[kept] = before.evidence[order[at[kept]]]
        fresh = job.rows[~kept]
        if len(fresh):
            result[~kept] = self._job_evidence(job, code_evidence)[np.searchsorted(rows, fresh)]
        return result

    def _predict(self, job: Job, rows: np.ndarray, code_evidence: list[np.ndarray]) -> np.ndarray:
        """A model's probabilities for `rows`; where it trained on a row, its out-of-fold one (NaN if none)."""
        result = np.full(len(rows), np.nan)
        model = self.models.get(job.name)
        if model is None or not len(job.rows):
            return result
        result[:] = self.features.probability(model, rows, self._job_evidence(job, code_evidence))
        trained = np.isin(self.segment_ids[rows], model.trained_ids)
        if trained.any():
            result[trained] = self._held(job, model)[rows[trained]]
        return result

    def _held(self, job: Job, model: Fitted) -> np.ndarray:
        """A model's out-of-fold probability per corpus row (NaN where it has none), worked out once."""
        if job.key not in self._held_rows:
            by_row = np.full(len(self.segment_ids), np.nan)
            at = [
                (self.row_of[int(i)], p)
                for i, p in zip(model.held_ids.tolist(), model.held_p.tolist())
                if int(i) in self.row_of
            ]
            if at:
                rows, values = zip(*at)
                by_row[list(rows)] = values
            self._held_rows[job.key] = by_row
        return self._held_rows[job.key]

    def _calibrate(self) -> tuple[float, float]:
        """Platt map fitted on the out-of-fold scores of decided segments, pooled over codes (blended with the theme's)."""
        jobs = {job.name: job for job in self.jobs}
        scored: list[np.ndarray] = []
        truths: list[np.ndarray] = []
        weighed: list[np.ndarray] = []
        for col, theme in enumerate(self.themes):
            model = self.models.get(col)
            if model is None or not len(model.held_ids):
                continue
            rows = np.flatnonzero(~np.isnan(self._held(jobs[col], model)))
            p = self._held(jobs[col], model)[rows]
            if theme in self._theme_columns() and theme in self.models:
                other = self._held(jobs[theme], self.models[theme])[rows]
                p = np.where(np.isnan(other), p, (1 - THEME_WEIGHT) * p + THEME_WEIGHT * other)
            positive = self.labels.values[rows, col] == POSITIVE
            scored.append(p)
            truths.append(positive)
            weighed.append(np.where(positive, *_sampling_weights(jobs[col])))
        if not scored:
            return DEFAULT_PLATT
        scores, truth, weights = np.concatenate(scored), np.concatenate(truths), np.concatenate(weighed)
        if len(scores) > CALIBRATION_PAIRS:
            keep = np.sort(np.random.default_rng(0).choice(len(scores), CALIBRATION_PAIRS, replace=False))
            scores, truth, weights = scores[keep], truth[keep], weights[keep]
        return platt(scores, truth, weights)

    def _theme_columns(self) -> dict[str, list[int]]:
        """Code columns per theme, for themes with two or more codes (one code's theme model would be its own);
        none while THEME_WEIGHT is 0 (no theme model is fitted then)."""
        if not THEME_WEIGHT:
            return {}
        columns: dict[str, list[int]] = {}
        for col, theme in enumerate(self.themes):
            columns.setdefault(theme, []).append(col)
        return {theme: cols for theme, cols in columns.items() if len(cols) > 1}


def best_kappa_level(confidence: np.ndarray, positive: np.ndarray, weights: np.ndarray) -> float:
    """The confidence level (of LEVELS) from which offering a code agrees best with coders' decisions (weighted kappa);
    of levels that agree equally well, the highest (offering no more than the decisions call for)."""
    offered = confidence[None, :] >= LEVELS[:, None]
    tp = (offered & positive) @ weights
    fp = (offered & ~positive) @ weights
    fn = (~offered & positive) @ weights
    tn = (~offered & ~positive) @ weights
    total = tp + fp + fn + tn
    chance = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / np.maximum(total * total, 1e-12)
    kappa = np.where(chance < 1, ((tp + tn) / np.maximum(total, 1e-12) - chance) / np.maximum(1 - chance, 1e-12), 0.0)
    return float(LEVELS[np.flatnonzero(kappa >= kappa.max() - 1e-9).max()])


LEVELS = np.round(np.arange(0.1, 0.91, 0.05), 2)  # offer levels tried
LEVEL_PRIOR = 2.0  # positives' worth of belief in the default offer level


def _sampling_weights(job: Job) -> tuple[float, float]:
    """How many decisions a sampled positive and a sampled negative of a job stand for (the sample is bounded)."""
    sampled = job.column[job.rows]
    share = []
    for label in (POSITIVE, NEGATIVE):
        taken = int((sampled == label).sum())
        share.append(int((job.column == label).sum()) / taken if taken else 1.0)
    return share[0], share[1]


def _digest(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def platt(scores: np.ndarray, positive: np.ndarray, weights: np.ndarray | None = None) -> tuple[float, float]:
    """Slope and bias of a logistic map from score log-odds to the share coded (Platt scaling),
    pooled over codes; the shipped default while there are fewer than MIN_CALIBRATION positives.
    `weights` count each pair as the decisions it stands for (a sampled negative stands for several)."""
    if int(positive.sum()) < MIN_CALIBRATION or int((~positive).sum()) < MIN_CALIBRATION:
        return DEFAULT_PLATT
    model = LogisticRegression(C=1.0).fit(_logit(scores)[:, None], positive, sample_weight=weights)
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


class References:
    """Each code column's labelled reference rows, for the nearness of any rows to a code's decisions.

    Neighbours are a column's own reference rows from other documents only, so a
    training segment's features never depend on its own label. `unit` holds
    unit-length word vectors of every segment. A block of rows is compared with every
    wanted column's references in one product, laid out so that each code's few
    positives are searched in full, all codes at once, and its many negatives (drawn in
    one order shared by every code, so nearly the same passages) among a short list of
    each row's nearest negatives, sorted once for every code.
    """

    def __init__(
        self, unit: sparse.csr_matrix, groups: np.ndarray, columns: list[tuple[np.ndarray, np.ndarray]]
    ) -> None:
        self.unit = sparse.csr_matrix(unit, dtype=np.float32)
        self.groups = np.unique(np.asarray(groups), return_inverse=True)[1].ravel()
        self.columns = columns
        self.prepared: dict[tuple[int, ...], _Prepared] = {}

    COMMON = 128  # words most references use, multiplied as dense columns (the product is mostly theirs)

    def evidence(self, rows: np.ndarray, wanted: list[int] | None = None, chunk: int = 1000) -> np.ndarray:
        """Rows x columns x 3: mean cosine to the column's nearest positives, to its nearest negatives, and their
        difference; for the `wanted` columns only (zeros elsewhere) when given."""
        rows = np.asarray(rows, dtype=int)
        return self.unscaled(rows, wanted, chunk) * 3.0

    def unscaled(self, rows: np.ndarray, wanted: list[int] | None = None, chunk: int = 1000) -> np.ndarray:
        """`evidence` before it is scaled: float32 values (so kept as float32 without loss)."""
        rows = np.asarray(rows, dtype=int)
        result = np.zeros((len(rows), len(self.columns), 3))
        wanted = list(range(len(self.columns))) if wanted is None else sorted(set(wanted))
        prepared = self._prepare(tuple(wanted))
        if not len(rows) or not len(prepared.groups):
            return result

        def one(begin: int) -> None:
            query = rows[begin : begin + chunk]
            block = (self.unit[query] @ prepared.rare).toarray()
            block += prepared.common[query] @ prepared.dense
            block[self.groups[query][:, None] == prepared.groups[None, :]] = -1.0
            width = prepared.positives.size
            near_pos = prepared.positives.top_mean(block[:, :width])
            near_neg = prepared.negatives.top_mean(block[:, width:])
            result[begin : begin + chunk, wanted] = np.stack([near_pos, near_neg, near_pos - near_neg], axis=2)

        starts = range(0, len(rows), chunk)
        if len(starts) < 2 or WORKERS < 2:
            for begin in starts:
                one(begin)
        else:
            with ThreadPoolExecutor(max_workers=WORKERS) as pool:  # the products and sorts release the GIL
                list(pool.map(one, starts))
        return result

    def _prepare(self, wanted: tuple[int, ...]) -> _Prepared:
        """The wanted columns' references as one matrix: every code's positives side by side (padded to the same
        count), then the negatives of them all; kept per set of wanted columns."""
        if wanted not in self.prepared:
            positives = _Searched([self.columns[col][0][self.columns[col][1] == POSITIVE] for col in wanted])
            negatives = _Shortlisted([self.columns[col][0][self.columns[col][1] == NEGATIVE] for col in wanted])
            padded = positives.index.ravel()
            rows = np.concatenate([np.where(padded < 0, 0, padded), negatives.union]).astype(int)
            kept = np.concatenate([padded >= 0, np.ones(len(negatives.union), dtype=bool)]).astype(np.float32)
            examples = (self.unit[rows].T @ sparse.diags(kept)).tocsr()  # padding compares as 0: never above a cosine
            examples.eliminate_zeros()
            groups = self.groups[rows]
            groups[: len(padded)][padded < 0] = -1
            common = np.sort(np.argsort(-np.diff(examples.indptr), kind="stable")[: self.COMMON])
            rare = np.ones(examples.shape[0], dtype=np.float32)
            rare[common] = 0.0
            self.prepared[wanted] = _Prepared(
                (sparse.diags(rare) @ examples).tocsr(),
                self.unit[:, common].tocsr(),
                examples[common].toarray(),
                groups,
                positives,
                negatives,
            )
        return self.prepared[wanted]


@dataclass
class _Prepared:
    """The wanted columns' references: their word vectors (as columns; the words most references use apart, as
    dense columns), documents, and how each side is searched."""

    rare: sparse.csr_matrix  # the references' rare words (the product with them stays sparse)
    common: sparse.csr_matrix  # every segment's COMMON words
    dense: np.ndarray  # the references' COMMON words (most of the product's work), as a dense array
    groups: np.ndarray
    positives: _Searched
    negatives: _Shortlisted


class _Searched:
    """A few references per code (its positives), searched in full for every code at once: laid out per code,
    padded to the same count (`index` -1 where padded)."""

    def __init__(self, sets: list[np.ndarray]) -> None:
        width = max((len(s) for s in sets), default=0)
        self.index = np.full((len(sets), width), -1, dtype=np.int64)
        for code, found in enumerate(sets):
            self.index[code, : len(found)] = found
        self.size = self.index.size
        self.k = np.array([min(NEIGHBOURS, len(s)) for s in sets])

    def top_mean(self, block: np.ndarray) -> np.ndarray:
        """Rows x codes, from the rows' cosines to the laid-out references (changed in place): the mean (negative
        cosines as 0) of each row's NEIGHBOURS most similar references of each code."""
        means = np.zeros((block.shape[0], len(self.k)), dtype=np.float32)
        if not self.size:
            return means
        similar = block.reshape(block.shape[0], *self.index.shape)
        np.maximum(similar, 0.0, out=similar)
        for _ in range(min(NEIGHBOURS, self.index.shape[1])):
            at = similar.argmax(axis=2)[..., None]
            means += np.take_along_axis(similar, at, axis=2)[..., 0]
            np.put_along_axis(similar, at, -1.0, axis=2)
        return means / np.maximum(self.k, 1)


class _Shortlisted:
    """Many references per code (its negatives), mostly the same passages for every code: each row's nearest among
    them all are sorted once and shared; a row whose short list holds too few of a code's is searched in full."""

    SHORTLIST = 64

    def __init__(self, sets: list[np.ndarray]) -> None:
        self.union = np.unique(np.concatenate(sets)) if any(len(s) for s in sets) else np.zeros(0, dtype=int)
        self.sets = [np.searchsorted(self.union, found) for found in sets]  # positions in the union
        self.member = np.zeros((len(self.union), len(sets)), dtype=bool)
        for code, at in enumerate(self.sets):
            self.member[at, code] = True
        self.k = np.array([min(NEIGHBOURS, len(s)) for s in sets])

    def top_mean(self, block: np.ndarray) -> np.ndarray:
        """Rows x codes, from the rows' cosines to the union: the mean (negative cosines as 0) of each row's
        NEIGHBOURS most similar references of each code."""
        means = np.zeros((block.shape[0], len(self.sets)), dtype=np.float32)
        if not len(self.union):
            return means
        width = min(self.SHORTLIST, block.shape[1])
        nearest = np.argpartition(-block, width - 1, axis=1)[:, :width]
        order = np.argsort(-np.take_along_axis(block, nearest, axis=1), axis=1)
        nearest = np.take_along_axis(nearest, order, axis=1)
        similar = np.clip(np.take_along_axis(block, nearest, axis=1), 0.0, None)
        hits = self.member[nearest]  # rows x shortlist x codes
        taken = hits & (np.cumsum(hits, axis=1, dtype=np.int32) <= self.k)
        means[:] = np.einsum("rs,rsc->rc", similar, taken.astype(np.float32)) / np.maximum(self.k, 1)
        short_rows, short_codes = np.nonzero(taken.sum(axis=1) < self.k)
        for code in np.unique(short_codes):
            rows = short_rows[short_codes == code]
            means[rows, code] = _top_mean(block[np.ix_(rows, self.sets[code])])
        return means


def _top_mean(similarities: np.ndarray) -> np.ndarray:
    """Per row, the mean (negative cosines as 0) of its NEIGHBOURS largest values (0 with no columns)."""
    k = min(NEIGHBOURS, similarities.shape[1])
    if k == 0:
        return np.zeros(similarities.shape[0])
    top = np.partition(similarities, -k, axis=1)[:, -k:]
    return np.clip(top, 0.0, None).mean(axis=1)


def _scaled(evidence: np.ndarray) -> np.ndarray:
    return np.clip(evidence, -4.0, 4.0) / 2.0


def _model() -> LogisticRegression:
    return LogisticRegression(
        C=REGULARISATION, solver="liblinear", dual=True, class_weight="balanced", max_iter=1000, tol=1e-3
    )
