"""Suggest throughput on a corpus of a million words, next to the bare spaCy pipeline; retraining time.

Builds the corpus as benchmarks/import_speed.py does (the sample interviews written
again under new ids), imports it with the sample itself and its gold coding (so the
learned models are trained and used, not only the codebook), then times in one run:
  1. `qualcode suggest` over every participant segment (analysis, rules, similarity,
     learned models, writing the pending suggestions);
  2. the bare spaCy pipeline (spacy.blank("en") + sentencizer + lookup lemmatizer)
     over the same segment texts;
and prints words/second of both, their ratio (target >= 0.3) and peak memory
(target < 1.5 GiB). Then, on the sample project alone, the time to retrain every
code's model after one more accepted coding (target < 1 s).
With --encoder, suggest reads meaning with the sentence encoder (QUALCODE_ENCODER=minilm);
give it a smaller --words, as the encoder reads far fewer words a second.
Usage: python benchmarks/suggest_speed.py [--words 1000000] [--encoder]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_speed import peak_mib, read_sources, time_bare_pipeline, write_corpus

from qualcode import project
from qualcode.suggest import Suggester
from qualcode.suggest.training import segment_labels

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "transcripts_sample"
CODEBOOK = ROOT / "codebooks" / "pb_employment.yaml"


def sample_project(folder: Path):
    store = project.init_project(folder / "sample.db", CODEBOOK)
    project.import_transcripts(store, [SAMPLE])
    project.import_codings(store, SAMPLE / "gold_codings.csv", coder="gold")
    return store


def time_suggest(folder: Path, words: int) -> tuple[int, float, float, list[str]]:
    corpus = folder / "corpus"
    corpus.mkdir()
    write_corpus(read_sources([str(SAMPLE)]), corpus, words)
    store = sample_project(folder)
    project.import_transcripts(store, [corpus])
    segments = store.segments()
    texts = [s["text"] for s in segments]
    total = sum(len(t.split()) for t in texts)
    before = peak_mib()
    started = time.perf_counter()
    sync = project.suggest(store)
    seconds = time.perf_counter() - started
    print(f"suggest: {len(segments)} segments, {sync.added} suggestions stored")
    store.close()
    return total, seconds, before, texts


def time_retraining(folder: Path) -> tuple[float, float]:
    """Seconds, after one more accepted coding on the sample, to retrain every code's model and
    score the segments no coder has decided (what the next suggestions need), and to also
    re-score every decided segment out-of-fold."""
    store = sample_project(folder / "retrain")
    segments = store.segments()
    suggester = Suggester(store.codebook()).fit(
        segments, project.learning_codings(store), questions=store.questions(segments)
    )
    suggester.score(np.flatnonzero((suggester.labels.values == -1).all(axis=1)))  # the suggestions before the decision
    uncoded = next(s for s in segments if not store.codings(segment_ids=[s["id"]]))
    project.add_coding(store, uncoded["document_id"], uncoded["start"], uncoded["end"], suggester.code_ids[0], "bench")
    started = time.perf_counter()
    suggester.labels = segment_labels(segments, project.learning_codings(store), suggester.code_ids)
    undecided = np.flatnonzero((suggester.labels.values == -1).all(axis=1))
    suggester.score(undecided)
    retrain = time.perf_counter() - started
    started = time.perf_counter()
    suggester.score(np.arange(len(segments)))
    everything = time.perf_counter() - started
    store.close()
    return retrain, everything


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--words", type=int, default=1_200_000, help="corpus size in words (participant speech is about 87%% of it)"
    )
    parser.add_argument("--encoder", action="store_true", help="read meaning with the sentence encoder")
    args = parser.parse_args()
    from qualcode.suggest import semantic

    semantic.USE_ENCODER = args.encoder or semantic.USE_ENCODER
    print(f"meaning from: {semantic.embedder().name}")
    with tempfile.TemporaryDirectory() as folder:
        words, seconds, before, texts = time_suggest(Path(folder), args.words)
        suggest_peak = peak_mib()
        bare = time_bare_pipeline(texts)
        (Path(folder) / "retrain").mkdir()
        retrain, rescore = time_retraining(Path(folder))
    print(f"participant words scored:   {words:,}")
    print(f"suggest:                    {seconds:.1f} s, {words / seconds:,.0f} words/s")
    print(f"bare spaCy pipeline:        {bare:.1f} s, {words / bare:,.0f} words/s")
    print(f"ratio suggest / bare:       {bare / seconds:.2f} (target >= 0.3)")
    print(f"peak memory:                {suggest_peak:,.0f} MiB (before suggest {before:,.0f} MiB; target < 1,536 MiB)")
    print(
        f"retrain after one accept:   {retrain:.2f} s on the sample project, scoring the undecided segments (target < 1 s)"
    )
    print(f"  and re-scoring every decided segment out-of-fold as well: {rescore:.2f} s")


if __name__ == "__main__":
    main()
