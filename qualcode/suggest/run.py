"""One suggest run over a store, doing only what changed since the last one.

- Passages are read (lemmas, keyword matches) and encoded once, and kept in the store.
- The corpus-fitted reading (corpus.py) is fitted on a full run when the transcripts
  changed; a run for some transcripts reads them as the project was last read, so a new
  transcript is suggested for without reading the project again.
- Each learned model is kept under a key of the decisions it saw (learned.py): a run
  with no new decision fits nothing; one decision refits the models whose sample it enters.
- Suggestions are written one transcript at a time, each in its own transaction, so an
  interrupted run keeps the transcripts it finished and leaves the others as they were.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ..codebook import Codebook
from ..errors import SuggestStoppedError
from ..store import encodings, suggest_cache
from ..store.codings import SuggestionSync
from . import CODEBOOK_LEVEL, Analysed, Suggester, analyse
from .corpus import CorpusState, fingerprint
from .rules import RuleEvidence
from .training import Labels, segment_labels

Progress = Callable[[int, int], None]
Stop = Callable[[], bool]


@dataclass
class SuggestRun(SuggestionSync):
    """What a run changed (as SuggestionSync), and what it had to learn to do it."""

    fitted: int = 0  # models fitted in this run (0 when no decision changed)
    reused: int = 0  # models taken from the store
    fit_seconds: float = 0.0
    fit_processor: float = 0.0  # processor seconds of the fitting, all threads (what load on the machine barely moves)
    documents: int = 0  # transcripts whose suggestions were written
    pruned: int = 0  # stored passage analyses no passage uses any more, deleted on a whole run
    own_levels: dict[str, float] = field(default_factory=dict)  # codes offered below the level asked for, from where
    from_codebook: list[str] = field(default_factory=list)  # codes no coder decided on, offered from CODEBOOK_LEVEL
    codebook_level: float = CODEBOOK_LEVEL
    asked: float = 0.5  # the level asked for, the highest any code is offered from


def suggest_store(
    store: Any,
    codebook: Codebook,
    segments: list[dict[str, Any]] | None,
    document_ids: list[str] | None,
    code_ids: list[str] | None,
    min_confidence: float,
    progress: Progress | None = None,
    blind_coder: str | None = None,
    stop: Stop | None = None,
    sync_codes: list[str] | None = None,
) -> SuggestRun:
    """Suggest for the segments of `document_ids` (all when None) and write them, transcript by transcript.

    `stop` is asked between steps and between transcripts: when it says so, the run ends
    (SuggestStoppedError) keeping the transcripts already written. `sync_codes` limits
    which codes' pending suggestions are rewritten (all the suggester's codes when None).

    A run for some transcripts starts from this process's last suggester for the same store,
    codebook, transcripts and coder where there is one (see `Warm`): only the labels of the
    transcripts decided on since are read again. `segments` may then be None (read only when
    that suggester cannot be used)."""
    key = _warm_key(store, codebook, code_ids, blind_coder)
    warm = _take_warm(store, key) if document_ids else None
    decided: set[tuple[int, str]] | None = None  # read again per transcript when the run did not read them
    if warm is not None:
        suggester = warm.suggester
        result = SuggestRun()
    else:
        segments = store.segments() if segments is None else segments
        corpus = suggest_cache.corpus_mark(store, segments)
        suggester, result, mark, decided = _fitted(
            store, codebook, segments, document_ids, code_ids, progress, blind_coder, stop
        )
        warm = Warm(key, suggester, mark, corpus)
    _suggest(store, suggester, document_ids, blind_coder, min_confidence, progress, result, stop, sync_codes, decided)
    while len(_WARM) >= KEEP_WARM:
        _WARM.pop(next(iter(_WARM)), None)
    _WARM[store.location] = warm
    return result


def _fitted(
    store: Any,
    codebook: Codebook,
    segments: list[dict[str, Any]],
    document_ids: list[str] | None,
    code_ids: list[str] | None,
    progress: Progress | None,
    blind_coder: str | None,
    stop: Stop | None,
) -> tuple[Suggester, SuggestRun, tuple[int, str], set[tuple[int, str]]]:
    """A suggester fitted on the project's passages and decisions, read from the store (and what it was
    read at: the decision log's mark, and the decided (segment id, code) pairs read with the decisions)."""
    suggester = Suggester(codebook, code_ids)
    questions = store.questions(segments)
    analysed = _analysed(store, suggester, [s["text"] for s in segments], progress)
    asked = _analysed(store, suggester, questions)
    result = SuggestRun()
    if not document_ids and not code_ids:  # a whole run reads every passage: what none uses is dropped
        result.pruned = suggest_cache.prune_analyses(
            store, suggester.reading, [*(s["text"] for s in segments), *questions]
        )
    meanings = encodings.meanings(store, segments, suggester.embedder.name, suggester.embedder.embed)
    _check(stop, 0, 0)
    state = _corpus_state(store, suggester, segments, whole=not document_ids)
    mark = suggest_cache.decision_mark(store)  # before the decisions are read: a later one is read again
    decided = suggest_cache.decided(store, blind_coder)  # one read of 200,000 decisions, not one per use
    suggester.fit(
        segments, decided.learning, questions=questions, meanings=meanings, analysed=analysed, asked=asked, state=state
    )
    if suggester.state_fitted:
        suggest_cache.keep(store, suggester.signature, "corpus", {suggester.state.key: suggester.state.to_bytes()})
    return suggester, result, mark, decided.pairs


def _suggest(
    store: Any,
    suggester: Suggester,
    document_ids: list[str] | None,
    blind_coder: str | None,
    min_confidence: float,
    progress: Progress | None,
    result: SuggestRun,
    stop: Stop | None,
    sync_codes: list[str] | None,
    decided: set[tuple[int, str]] | None = None,
) -> None:
    """Learn what the suggester's labels call for (taking kept models), then write the wanted transcripts'
    suggestions (`decided`: the pairs that get none, as read with the decisions; read here when None)."""
    segments = suggester.segments
    wanted = set(document_ids or [])
    rows = [row for row, segment in enumerate(segments) if not wanted or segment["document_id"] in wanted]
    models = suggester.models()
    if models is not None:
        index = suggest_cache.latest(store, models.signature, "index")
        suggester.previous = None
        if document_ids and index and blind_coder is None:  # start from the last run's models (CodeModels.fit)
            suggester.previous = json.loads(index[1])
        keys = set(models.keys(suggester.previous))
        if not document_ids:
            keys.update(models.nearness_keys())
        suggester.known = {key: data for key, data in suggester.known.items() if key in keys}  # a kept one's too
        suggester.known.update(suggest_cache.fitted(store, keys - set(suggester.known)))
        suggester.fitted, suggester.fit_seconds, suggester.fit_processor = {}, 0.0, 0.0
        suggester.learn(rows)
        suggest_cache.keep(store, suggester.signature, "model", suggester.fitted)
        index_data = models.index()
        if blind_coder is None and (index is None or index[1] != index_data):  # the latest entry is the one read
            stamped = _digest(index_data + str(time.time_ns()).encode())
            suggest_cache.keep(store, models.signature, "index", {stamped: index_data})
        result.fitted = sum(1 for key in suggester.fitted if key != models.calibration_key())
        result.reused = sum(1 for job in models.jobs if len(job.rows)) - result.fitted
        result.fit_seconds, result.fit_processor = suggester.fit_seconds, suggester.fit_processor
    _check(stop, 0, 0)
    _write(store, suggester, segments, rows, min_confidence, progress, result, stop, sync_codes, decided)
    if models is not None:  # worked out while scoring, for the next whole run
        suggest_cache.keep(store, suggester.signature, "nearness", models.nearness)


@dataclass
class Warm:
    """A suggester fitted in this process, kept for the next run for some transcripts of the same store.

    It is taken only when the codebook version, the codes, the coder it learned for
    (`key`) and the transcripts (`corpus`: every passage's place and every transcript's
    content) are as they were; the transcripts coders decided on since `mark` (the
    decision log's last entry it read) have their labels read again, so an update after
    a decision reads one transcript's decisions, not the project's. A blind coder's
    suggester is kept under that coder, and learns from that coder's decisions only.
    """

    key: tuple[Any, ...]
    suggester: Suggester
    mark: tuple[int, str]
    corpus: str


KEEP_WARM = 2  # stores whose last suggester a process keeps
_WARM: dict[str, Warm] = {}  # by store location; taken out while a run uses it, so no two runs share one


def _warm_key(store: Any, codebook: Codebook, code_ids: list[str] | None, blind_coder: str | None) -> tuple[Any, ...]:
    """What a kept suggester must have been made for: the codebook (its version and content), codes and coder."""
    content = _digest(json.dumps(codebook.to_dict(), sort_keys=True, default=str).encode("utf-8"))
    return (store.codebook_version(), content, tuple(code_ids or ()), blind_coder)


def _take_warm(store: Any, key: tuple[Any, ...]) -> Warm | None:
    """This process's last suggester for the store, brought up to date with the decisions made since;
    None when the codebook, codes, coder or transcripts changed (or the log was rewound)."""
    warm = _WARM.pop(store.location, None)
    if warm is None or warm.key != key or warm.corpus != suggest_cache.corpus_mark(store):
        return None
    mark = suggest_cache.decision_mark(store)
    touched = suggest_cache.decided_since(store, warm.mark)
    if touched is None:
        return None
    suggester = warm.suggester
    if touched:
        rows = np.flatnonzero([s["document_id"] in touched for s in suggester.segments])
        decisions = suggest_cache.learning_decisions(store, warm.key[-1], sorted(touched))
        fresh = segment_labels([suggester.segments[r] for r in rows], decisions, suggester.code_ids)
        values, decided = suggester.labels.values.copy(), suggester.labels.decided().copy()
        values[rows], decided[rows] = fresh.values, fresh.decided()
        suggester.labels = Labels(values, suggester.code_ids, decided)
    warm.mark = mark
    return warm


def _write(
    store: Any,
    suggester: Suggester,
    segments: list[dict[str, Any]],
    rows: list[int],
    min_confidence: float,
    progress: Progress | None,
    result: SuggestRun,
    stop: Stop | None = None,
    sync_codes: list[str] | None = None,
    decided: set[tuple[int, str]] | None = None,
) -> None:
    """Score every wanted passage at once, then store each transcript's suggestions in a transaction of its own.

    `decided` only spares looking up evidence for pairs that get no suggestion: each transcript's
    transaction checks again, so a decision made since it was read is still kept."""
    rows_of: dict[str, list[int]] = {}
    for row in rows:
        rows_of.setdefault(segments[row]["document_id"], []).append(row)
    not_codable = [code.id for code in suggester.codebook if not code.codable]  # their old suggestions are withdrawn
    codes = suggester.code_ids if sync_codes is None else [c for c in suggester.code_ids if c in set(sync_codes)]
    chosen = [c for c in suggester.choose(rows, min_confidence) if suggester.code_ids[c.col] in set(codes)]
    result.own_levels = {code: level for code, level in suggester.own_levels.items() if code in set(codes)}
    result.from_codebook = [code for code in suggester.from_codebook if code in set(codes)]
    result.asked = min_confidence
    if decided is None:  # their evidence is never looked up: they get no suggestion
        decided = store.decided_pairs(list(rows_of))
    kept: dict[str, int] = {}
    for c in chosen:
        if suggester.pair(c) in decided:
            kept[segments[c.row]["document_id"]] = kept.get(segments[c.row]["document_id"], 0) + 1
    made: dict[str, list] = {}
    for suggestion in suggester.build([c for c in chosen if suggester.pair(c) not in decided]):
        made.setdefault(suggestion.document_id, []).append(suggestion)
    try:
        for done, (document_id, mine) in enumerate(rows_of.items(), start=1):
            _check(stop, done - 1, len(rows_of))
            sync = store.sync_suggestions(
                made.get(document_id, []), [segments[i]["id"] for i in mine], [*codes, *not_codable]
            )
            result.added += sync.added
            result.updated += sync.updated
            result.withdrawn += sync.withdrawn
            result.kept_decisions += sync.kept_decisions + kept.get(document_id, 0)
            result.documents = done
            if progress:
                progress(done, len(rows_of))
    except KeyboardInterrupt:
        _check(lambda: True, result.documents, len(rows_of))


def _check(stop: Stop | None, saved: int, total: int) -> None:
    """End the run when `stop` says so, saying how many transcripts were saved."""
    if stop is not None and stop() and not saved:
        raise SuggestStoppedError(
            "suggesting was stopped before any transcript's suggestions were saved: the suggestions are as they "
            "were; suggest again to finish."
        )
    if stop is not None and stop():
        raise SuggestStoppedError(
            f"suggesting was stopped: suggestions for {saved} of {total} transcripts were saved "
            "and the others left as they were; suggest again to finish."
        )


def _analysed(store: Any, suggester: Suggester, texts: list[str], progress: Progress | None = None) -> list[Analysed]:
    """Each text's lemmas and keyword matches: from the store where read before, else read now (and kept)."""

    def read(missing: list[str]) -> list[tuple[str, dict[str, Any]]]:
        found = []
        for done, item in enumerate(analyse(missing, suggester.rules, suggester.model), start=1):
            found.append((item.lemmas, {code: asdict(evidence) for code, evidence in item.rules.items()}))
            if progress and (done % 200 == 0 or done == len(missing)):
                progress(done, len(missing))
        return found

    stored = suggest_cache.analyses(store, texts, suggester.reading, read)
    return [
        Analysed(lemmas, {code: RuleEvidence(**evidence) for code, evidence in rules.items()})
        for lemmas, rules in stored
    ]


def _corpus_state(store: Any, suggester: Suggester, segments: list[dict[str, Any]], whole: bool) -> CorpusState | None:
    """The corpus state to read by: on a whole run, the one fitted on exactly these segments (None: fit it);
    on a run for some transcripts, the latest one (None when the project was never read whole)."""
    if whole:
        key = fingerprint(suggester.signature, segments)
        found = suggest_cache.fitted(store, [key]).get(key)
        return CorpusState.from_bytes(key, found) if found else None
    latest = suggest_cache.latest(store, suggester.signature, "corpus")
    return CorpusState.from_bytes(*latest) if latest else None


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
