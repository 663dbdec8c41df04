"""Assisted coding: propose codes for participant segments, say why, and learn from coders.

Small stages over a stream of segments (as prodigy recipes are built):
`analyse` lemmatises each segment, matches the codebook's keywords (rules.py) and
embeds its meaning (semantic.py); `ProfileSimilarity` scores it against each code's
profile (similarity.py); `CodeModels` learns from accepted and rejected decisions,
per code and per theme (learned.py); and
`combine` turns the evidence into one confidence per code (combine.py).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.preprocessing import normalize

from .. import nlp
from ..codebook import Codebook
from ..store.codings import SUGGESTER, NewCoding
from . import semantic
from .combine import checked_by_decisions, combined_confidence, evidence_matrix, zero_shot_confidence
from .corpus import CorpusState, fingerprint
from .learned import CodeModels
from .profiles import definition_text, profiles, suggestible_codes
from .rules import KeywordRules, RuleEvidence
from .similarity import ProfileSimilarity
from .training import POSITIVE, UNKNOWN, Labels, segment_labels

Progress = Callable[[int, int], None]
MAX_PER_SEGMENT = 4
COMMON_TERM = 0.03  # a keyword found in more than this share of segments counts for less
CHUNK = 2000  # texts embedded at once
CODEBOOK_CEILING = 0.75  # highest confidence from the codebook alone, below the bulk-accept level
# A code with a learned model is offered from its own level (CodeModels.offer_levels: where coders' decisions
# agree with it best, drawn towards OWN_LEVEL_PRIOR while it has few coded passages, as a code coders seldom use
# agrees best offered below an even chance), never above the level asked for nor below OWN_LEVEL_FLOOR.
# Confidences stay the share coded; only where offering starts moves (learned from half of the respondents, NHS
# answers: macro kappa 0.38 offering every code at 0.5, 0.41 at these levels; the sample's passages 0.43 and 0.49).
OWN_LEVEL_PRIOR = 0.3
OWN_LEVEL_FLOOR = 0.2
# Level from which a code no coder has decided on is offered (when below the level asked for): codebook-only
# confidences are shares coded, and people agree with them best offered from about a quarter (macro kappa on the
# NHS answers 0.17 from 0.5, 0.24 from 0.25; on the sample's interview passages 0.32 and 0.42; flat from 0.2 to 0.3).
CODEBOOK_LEVEL = 0.25
log = logging.getLogger(__name__)


@dataclass
class Analysed:
    """One segment after the rules stage: lemmas and keyword evidence per code."""

    lemmas: str
    rules: dict[str, RuleEvidence]


def analyse(texts: list[str], rules: KeywordRules, model: str | None = None) -> Iterator[Analysed]:
    """Stage: lemmatise each text and match the codebook's keywords in it."""
    for begin in range(0, len(texts), CHUNK):
        chunk = texts[begin : begin + CHUNK]
        for doc, lemmas in nlp.lemma_texts(nlp.lemma_docs(chunk, model)):
            yield Analysed(lemmas, rules.match(doc))


def analyse_remembered(
    texts: list[str], rules: KeywordRules, model: str | None = None, progress: Progress | None = None
) -> list[Analysed]:
    """`analyse`, remembering results for this process, so suggesting again for one transcript
    (as the app does after every few decisions) does not lemmatise the whole project again.

    Results are kept per keyword set and pipeline, for the latest few codebooks only.
    """
    key = (model, rules.signature)
    if key not in _REMEMBERED:
        while len(_REMEMBERED) >= 2:
            _REMEMBERED.pop(next(iter(_REMEMBERED)))
        _REMEMBERED[key] = {}
    known = _REMEMBERED[key]
    missing = list(dict.fromkeys(t for t in texts if t not in known))
    if len(known) + len(missing) > REMEMBER_AT_MOST:
        known.clear()
    for text, analysed in zip(missing, _with_progress(analyse(missing, rules, model), len(missing), progress)):
        known[text] = analysed
    return [known[text] for text in texts]


_REMEMBERED: dict[tuple[str | None, int], dict[str, Analysed]] = {}
REMEMBER_AT_MOST = 400_000


@dataclass
class Chosen:
    """A code chosen for a scored row: its place among the rows scored, corpus row, code column and confidence."""

    i: int
    row: int
    col: int
    confidence: float


class Suggester:
    """Fitted on a project's segments and decisions; scores any of those segments."""

    def __init__(self, codebook: Codebook, code_ids: list[str] | None = None, model: str | None = None) -> None:
        self.codebook = codebook
        self.code_ids = suggestible_codes(codebook, code_ids)
        self.model = model
        self.rules = KeywordRules(codebook, self.code_ids, model)
        profile_text = profiles(codebook)
        needed = {*self.code_ids, *(codebook.theme_of(c) for c in self.code_ids)}
        profile_lemmas = {
            c: a.lemmas
            for c, a in zip(needed, analyse_remembered([profile_text[c] for c in needed], self.rules, model))
        }
        self.similarity = ProfileSimilarity(codebook, profile_lemmas, self.code_ids)
        self.embedder = semantic.embedder()
        self.definitions = self.embedder.embed([definition_text(codebook.get(c)) for c in self.code_ids])
        self.learned: np.ndarray | None = None
        self.reading = _digest(
            "reading", str(model), *(f"{c}\t{lemma}\t{k}" for (c, lemma), k in sorted(self.rules.keywords.items()))
        )
        self.signature = _digest(
            self.reading,
            self.embedder.name,
            *self.code_ids,
            *(f"{c}\t{profile_text[c]}" for c in sorted(needed)),
            *(definition_text(codebook.get(c)) for c in self.code_ids),
        )
        self.known: dict[str, bytes] = {}  # fitted models by key: given by the caller, and grown by each fit
        self.fitted: dict[str, bytes] = {}  # the entries this suggester fitted itself
        self.previous: dict | None = None  # the last run's models, for a run for some transcripts (CodeModels.fit)
        self.fit_seconds = self.fit_processor = 0.0
        self._models: tuple[Labels, CodeModels] | None = None
        # codes the last `choose` offered from their learned level, below the one asked
        self.own_levels: dict[str, float] = {}
        self.from_codebook: list[str] = []  # codes the last `choose` offered from CODEBOOK_LEVEL, below the one asked

    def fit(
        self,
        segments: list[dict[str, Any]],
        codings: Sequence[dict[str, Any]] = (),
        progress: Progress | None = None,
        exclude_documents: Iterable[str] = (),
        questions: list[str] | None = None,
        meanings: np.ndarray | None = None,
        analysed: list[Analysed] | None = None,
        asked: list[Analysed] | None = None,
        state: CorpusState | None = None,
    ) -> Suggester:
        """Analyse the corpus, fit the profile similarity and take the labels coders' decisions give.

        `questions` holds, per segment, the interviewer's question that prompted it
        (context the learner may use). Decisions on documents in `exclude_documents`
        are not learned from (for evaluation by held-out document). `meanings`,
        `analysed` and `asked` (the questions analysed) are given when already known
        (kept in the store); `state` is a corpus state fitted before, read by instead of
        fitting one on `segments` (see corpus.py).
        """
        self.segments = segments
        log.info("Analysing %d segments against %d codes", len(segments), len(self.code_ids))
        self.analysed = (
            analysed
            if analysed is not None
            else analyse_remembered([s["text"] for s in segments], self.rules, self.model, progress)
        )
        if meanings is None:
            meanings = semantic.remembered(self.embedder, [s["text"] for s in segments])
        lemmas = [a.lemmas for a in self.analysed]
        learning = semantic.for_learning(self.embedder, meanings)
        if state is None:
            self.vectors = self.similarity.fit(lemmas)
            self.specificity = self._specificity()
            self.state = CorpusState(
                fingerprint(self.signature, segments),
                self.similarity.state(),
                self.specificity,
                learning.mean(axis=0) if len(learning) else np.zeros(learning.shape[1], np.float32),
            )
            self.state_fitted = True
        else:
            self.similarity.restore(state.similarity)
            self.vectors = state.word_vectors(lemmas, self.similarity.transform)
            self.specificity, self.state, self.state_fitted = state.specificity, state, False
        self.features = self.similarity.features(self.vectors)
        self.features.update(semantic.definition_features(meanings, self.definitions))
        self.raw_meanings = meanings
        self.meanings = semantic.centred(learning, self.state.centre)
        self.unit_words = normalize(self.vectors)  # a passage is its words beside its meaning (_passage_cosines)
        self.passage_norms = np.sqrt(
            np.asarray(self.unit_words.multiply(self.unit_words).sum(axis=1)).ravel()
            + (self.meanings.astype(np.float64) ** 2).sum(axis=1)
        )
        self.features["rules"] = self._rule_strength()
        if questions is not None:
            asked = asked if asked is not None else analyse_remembered(questions, self.rules, self.model)
            asked_lemmas = [a.lemmas for a in asked]
            asked_vectors = (
                self.similarity.transform(asked_lemmas)
                if self.state_fitted
                else self.state.word_vectors(asked_lemmas, self.similarity.transform)
            )
            if self.state_fitted:
                self.state.keep_vectors(
                    [*lemmas, *asked_lemmas], sparse.vstack([self.vectors, asked_vectors], format="csr")
                )
            question_features = self.similarity.features(asked_vectors)
            self.features["question_z_code"] = question_features["z_code"]
            self.features["question_z_segment"] = question_features["z_segment"]
        self.zero_shot = zero_shot_confidence(self.features, self.embedder.name)
        self.labels = segment_labels(segments, list(codings), self.code_ids, set(exclude_documents))
        log.info("Learning from %d segments that coders decided on", len(self.labels.trained_rows()))
        self.learned = None
        return self

    def models(self) -> CodeModels | None:
        """The learned models the current labels call for (not yet fitted), or None with no decisions to learn from."""
        if not len(self.labels.trained_rows()):
            return None
        if self._models is None or self._models[0] is not self.labels:
            groups = np.array([s["document_id"] for s in self.segments])
            themes = [self.codebook.theme_of(code_id) for code_id in self.code_ids]
            ids = np.array([s["id"] for s in self.segments], dtype=np.int64)
            self._models = (
                self.labels,
                CodeModels(self.labels, groups, themes, ids, _digest(self.signature, self.state.key)),
            )
        return self._models[1]

    def learn(self, rows: Iterable[int] | None = None) -> CodeModels | None:
        """Fit the models the labels call for, taking each from `known` when it saw the same decisions
        (`rows`: the rows to be scored next, prepared in the same pass)."""
        models = self.models()
        if models is not None and not hasattr(models, "calibration"):
            started, processor = time.perf_counter(), time.process_time()
            evidence = [evidence_matrix(self.features, col) for col in range(len(self.code_ids))]
            score_rows = None if rows is None else np.asarray(list(rows), dtype=int)
            models.fit(self.vectors, self.meanings, evidence, self.known, score_rows, self.previous)
            self.known.update(models.fitted)
            self.fitted.update(models.fitted)
            self.fit_seconds += time.perf_counter() - started
            self.fit_processor += time.process_time() - processor
        return models

    def score(self, rows: np.ndarray) -> np.ndarray:
        """Confidence (rows x codes) for corpus rows, learning from decisions first if there are any.

        From the codebook alone a confidence stays below CODEBOOK_CEILING (nothing is
        sure enough to accept in bulk before anyone has coded); a passage far from every
        code's definition, keyword and coded passage gets none at all.
        """
        rows = np.asarray(rows, dtype=int)
        zero_shot = self._zero_shot(rows)
        self.learned = None
        models = self.learn(rows)
        if models is not None:
            self.learned = models.calibrated(rows)
            self.calibration = models.calibration
        confidence = combined_confidence(zero_shot, self.learned)
        confidence[self.far(rows)] = 0.0
        return confidence

    def offer_levels(self, default: float = 0.5, towards: float | None = None) -> np.ndarray:
        """Per code, the confidence from which to offer it, learned from coders' decisions (CodeModels.offer_levels);
        `default` for every code before there is a learned model."""
        models = self.models()
        if models is None or not hasattr(models, "calibration"):
            return np.full(len(self.code_ids), default)
        return models.offer_levels(default, towards)

    def offered_from(self, min_confidence: float) -> np.ndarray:
        """Per code, the confidence from which it is offered, never above `min_confidence`: CODEBOOK_LEVEL for a code
        no coder has decided on yet; for one with a learned model, where its decisions agree with it best (never below
        OWN_LEVEL_FLOOR); `min_confidence` for the others (a code coders have seldom used is offered no lower than
        asked: from the codebook level, it added more passages they pass over than ones they code)."""
        levels = np.full(len(self.code_ids), float(min_confidence))
        levels[~(self.labels.values != UNKNOWN).any(axis=0)] = min(float(min_confidence), CODEBOOK_LEVEL)
        learned = self.learned_codes()
        if not learned.any():
            return levels
        own = np.maximum(self.offer_levels(min_confidence, OWN_LEVEL_PRIOR), OWN_LEVEL_FLOOR)
        levels[learned] = np.minimum(own[learned], min_confidence)
        return levels

    def learned_codes(self) -> np.ndarray:
        """Per code, whether it has a learned model (bool); all False before any model is fitted."""
        models = self.models()
        if models is None or not hasattr(models, "calibration"):
            return np.zeros(len(self.code_ids), dtype=bool)
        return np.array([col in models.models for col in range(len(self.code_ids))], dtype=bool)

    def _zero_shot(self, rows: np.ndarray) -> np.ndarray:
        """Codebook-only confidence of `rows`, below CODEBOOK_CEILING, checked against the coders' decisions."""
        capped = np.minimum(self.zero_shot, CODEBOOK_CEILING)
        values = self.labels.values
        if not (values != UNKNOWN).any():
            return capped[rows]
        decided = np.where(values != UNKNOWN, capped, np.nan)
        return checked_by_decisions(capped[rows], decided, (values == POSITIVE).sum(axis=0))

    def far(self, rows: np.ndarray) -> np.ndarray:
        """Rows whose meaning is far from every code's definition and every coded passage, with no keyword."""
        near_codebook = self.features["meaning"][rows].max(axis=1, initial=-1.0) >= semantic.near(self.embedder.name)
        keyword = self.features["rules"][rows].max(axis=1, initial=0.0) > 0
        near = near_codebook | keyword
        coded = np.flatnonzero((self.labels.values == POSITIVE).any(axis=1))
        if len(coded) and not near.all():
            todo = rows[~near]
            cosine = self.raw_meanings[todo] @ self.raw_meanings[coded].T
            cosine[todo[:, None] == coded[None, :]] = -1.0
            near[~near] = cosine.max(axis=1) >= semantic.near(self.embedder.name, coded=True)
        return ~near

    def suggestions(
        self, rows: Iterable[int], min_confidence: float = 0.5, max_per_segment: int = MAX_PER_SEGMENT
    ) -> list[NewCoding]:
        """Pending codings for the given corpus rows, each with its confidence and evidence."""
        return self.build(self.choose(rows, min_confidence, max_per_segment))

    def choose(
        self, rows: Iterable[int], min_confidence: float = 0.5, max_per_segment: int = MAX_PER_SEGMENT
    ) -> list[Chosen]:
        """The codes to suggest for the given corpus rows (scored at once), most confident first per row."""
        rows = np.asarray(list(rows), dtype=int)
        confidence = self.score(rows)
        levels, learned = self.offered_from(min_confidence), self.learned_codes()
        below = levels < min_confidence
        self.own_levels = {self.code_ids[col]: round(float(levels[col]), 2) for col in np.flatnonzero(below & learned)}
        self.from_codebook = [self.code_ids[col] for col in np.flatnonzero(below & ~learned)]
        order = np.argsort(-confidence, axis=1)[:, :max_per_segment]  # each row sorted as on its own
        best = np.take_along_axis(confidence, order, axis=1)
        chosen = [
            Chosen(int(i), int(rows[i]), int(order[i, k]), float(best[i, k]))
            for i, k in zip(*np.nonzero(best >= levels[order]))
        ]
        log.info("%d suggestions for %d segments at confidence %.2f or more", len(chosen), len(rows), min_confidence)
        return chosen

    def build(self, chosen: list[Chosen]) -> list[NewCoding]:
        """The pending codings of chosen codes, with their evidence (the passages coded alike looked up per code)."""
        pairs = [(c.i, c.row, c.col) for c in chosen]
        similar, like = self._similar_examples(pairs), self._like_coded(pairs)
        return [
            self._suggestion(
                c.i, c.row, c.col, c.confidence, similar.get((c.row, c.col), []), like.get((c.row, c.col), 0)
            )
            for c in chosen
        ]

    def pair(self, chosen: Chosen) -> tuple[int, str]:
        """The (segment id, code) a chosen code would be suggested on."""
        return int(self.segments[chosen.row]["id"]), self.code_ids[chosen.col]

    def _suggestion(
        self, i: int, row: int, col: int, confidence: float, similar: list[dict], like_coded: int
    ) -> NewCoding:
        segment = self.segments[row]
        code_id = self.code_ids[col]
        rules = self.analysed[row].rules.get(code_id, RuleEvidence())
        learned = (
            None if self.learned is None or np.isnan(self.learned[i, col]) else round(float(self.learned[i, col]), 3)
        )
        evidence = {
            "terms": rules.terms,
            "negated": rules.negated,
            "hedged": rules.hedged,
            "similar": similar,
            "label": self.codebook.get(code_id).label,
            "definition": self._definition_word(row, col),
            "like_coded": like_coded,
            "model": "learned" if learned is not None else "codebook",
            "encoder": self.embedder.name,
            "scores": {
                "rules": round(float(self.features["rules"][row, col]), 3),
                "meaning": round(float(self.features["meaning"][row, col]), 3),
                "similarity": round(float(self.features["similarity"][row, col]), 3),
                "codebook": round(float(self.zero_shot[row, col]), 3),
                "learned": learned,
            },
        }
        return NewCoding(
            segment["document_id"],
            segment["start"],
            segment["end"],
            code_id,
            SUGGESTER,
            source="suggested",
            status="pending",
            confidence=round(float(confidence), 4),
            evidence=evidence,
            segment_id=segment["id"],
        )

    def _definition_word(self, row: int, col: int) -> str | None:
        """'closest' when the code's definition is the nearest of all to the passage, 'close' when near it, else None."""
        if self.features["meaning"][row, col] < semantic.near(self.embedder.name):
            return None
        return (
            "closest"
            if self.features["meaning_margin"][row, col] >= 0
            else "close"
            if self.features["meaning_margin"][row, col] > -0.05
            else None
        )

    def _like_coded(self, chosen: list[tuple[int, int, int]], chunk: int = 2000) -> dict[tuple[int, int], int]:
        """For each (row, code) chosen, how many passages coders coded with the code are near it in meaning."""
        by_code: dict[int, list[int]] = {}
        for _, row, col in chosen:
            by_code.setdefault(col, []).append(row)
        found: dict[tuple[int, int], int] = {}
        near = semantic.near(self.embedder.name, coded=True)
        for col, rows in by_code.items():
            positives = np.flatnonzero(self.labels.values[:, col] == POSITIVE)
            for begin in range(0, len(rows), chunk):
                block = np.asarray(rows[begin : begin + chunk])
                cosine = self.raw_meanings[block] @ self.raw_meanings[positives].T
                cosine[block[:, None] == positives[None, :]] = -1.0
                found.update(zip(((row, col) for row in block.tolist()), (cosine >= near).sum(axis=1).tolist()))
        return found

    def _similar_examples(self, chosen: list[tuple[int, int, int]], k: int = 2) -> dict[tuple[int, int], list[dict]]:
        """For each (row, code) chosen, the most similar segments coders coded with that code.

        Similarity is the mean of the cosines of words and of meaning, so a passage
        that says the same thing in other words is found too.
        """
        found: dict[tuple[int, int], list[dict]] = {}
        by_code: dict[int, list[int]] = {}
        for _, row, col in chosen:
            by_code.setdefault(col, []).append(row)
        for col, rows in by_code.items():
            positives = np.flatnonzero(self.labels.values[:, col] == POSITIVE)
            if not len(positives):
                continue
            sims = self._passage_cosines(np.asarray(rows), positives)
            order = np.argsort(-sims, axis=1)[:, : min(k + 1, sims.shape[1])]
            sims = np.take_along_axis(sims, order, axis=1)
            for row, indices, values in zip(rows, order, sims):
                examples = [
                    {
                        "document_id": self.segments[p]["document_id"],
                        "segment_id": self.segments[p]["id"],
                        "quote": self.segments[p]["text"],
                        "similarity": round(float(v), 3),
                    }
                    for p, v in zip(positives[indices], values)
                    if p != row and v > 0
                ]
                found[(row, col)] = examples[:k]
        return found

    def _passage_cosines(self, rows: np.ndarray, others: np.ndarray) -> np.ndarray:
        """Cosines of passages (words and meaning side by side) to others: the words' sparse product plus the
        meanings' dense one, so the meaning columns never enter a sparse product."""
        words = (self.unit_words[rows] @ self.unit_words[others].T).toarray()
        meaning = self.meanings[rows].astype(np.float64) @ self.meanings[others].astype(np.float64).T
        norms = np.where(self.passage_norms > 0, self.passage_norms, 1.0)
        return (words + meaning) / norms[rows][:, None] / norms[others][None, :]

    def _specificity(self) -> dict[str, float]:
        """Weight of each keyword: 1 when rare in the corpus, less when many segments use it."""
        counts: dict[str, int] = {}
        for analysed in self.analysed:
            for evidence in analysed.rules.values():
                for term in {*evidence.terms, *evidence.hedged, *evidence.negated}:
                    counts[term] = counts.get(term, 0) + 1
        total = max(1, len(self.analysed))
        return {term: float(np.clip((COMMON_TERM * total + 1) / n, 0.15, 1.0)) for term, n in counts.items()}

    def _rule_strength(self) -> np.ndarray:
        strength = np.zeros((len(self.analysed), len(self.code_ids)))
        column = {code_id: i for i, code_id in enumerate(self.code_ids)}
        for row, analysed in enumerate(self.analysed):
            for code_id, evidence in analysed.rules.items():
                strength[row, column[code_id]] = evidence.weight(self.specificity)
        return strength


def _digest(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8") + b"\x00")
    return digest.hexdigest()


def _with_progress(items: Iterator[Any], total: int, progress: Progress | None) -> Iterator[Any]:
    for done, item in enumerate(items, start=1):
        if progress and (done % 50 == 0 or done == total):
            progress(done, total)
        yield item
