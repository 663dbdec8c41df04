"""Text search speed on a project of one million words, against scanning every turn's text.

Builds a store from the sample transcripts (each interview stored again under new ids,
segmented once) until it holds --words words, on SQLite (a temporary file) or on the
PostgreSQL server given as --db. It then times, in one run:

  1. the baseline: reading every turn's text from the store and running the query's
     regular expression over all of it (what a search without an index does);
  2. bringing the search index up to date the first time (SQLite's FTS5 table, or
     PostgreSQL's table of turn words under a GIN index);
  3. each query through `qualcode search` (analysis.search: the index picks the turns,
     the hits and keyword-in-context lines are found in the text).

and prints seconds, hits and each query's ratio to the baseline (target: every query
under 1 s). Each time is the best of --repeat runs.

Usage:
    python benchmarks/search_speed.py [--words 1000000] [--db postgresql+psycopg://...] [--repeat 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, select, text

from qualcode import project
from qualcode.analysis.search import Query, search
from qualcode.ingest import find_transcripts, read_participants, read_transcript
from qualcode.ingest.segments import segment_documents
from qualcode.store import Store
from qualcode.store import schema as t
from qualcode.store import search as index

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "transcripts_sample"
QUERIES = [
    ("jobcentre", "words"),
    ("work", "words"),
    ('"personal budget"', "words"),
    ("benefits family", "words"),
    ("child", "lemma"),
    (r"job ?coach\w*", "regex"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000, help="Words the project must hold.")
    parser.add_argument("--db", help="A PostgreSQL URL of a role that may create databases (default: a SQLite file).")
    parser.add_argument("--codebook", default=str(ROOT / "codebooks" / "pb_employment.yaml"))
    parser.add_argument("--repeat", type=int, default=3, help="Time each step this many times and keep the best.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        location, drop = _location(args.db, Path(temporary))
        try:
            store = build_store(location, args.codebook, args.words)
            try:
                run(store, args.repeat)
            finally:
                store.close()
        finally:
            drop()


def _location(server: str | None, folder: Path):
    if not server:
        return str(folder / "bench.db"), lambda: None
    name = f"qualcode_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()

    return server.rsplit("/", 1)[0] + "/" + name, drop


def build_store(location: str, codebook: str, words: int) -> Store:
    """A store holding copies of the sample interviews until it has `words` words."""
    started = time.perf_counter()
    store = project.init_project(location, codebook)
    files, _, _ = find_transcripts([SAMPLE])
    sources = [read_transcript(file) for file in files]
    attributes = read_participants(SAMPLE / "participants.csv")
    for source in sources:
        source.attributes.update(attributes.get(source.id, {}))
    spans = segment_documents(sources)
    per_copy = sum(s.word_count for s in sources)
    copies = -(-words // per_copy)
    for copy in range(copies):
        batch = [
            dataclasses.replace(
                s, id=f"{s.id}_{copy:03d}", attributes=dict(s.attributes, participant=f"{s.id}_{copy:03d}")
            )
            for s in sources
        ]
        store.save_documents(batch, spans)
    with store.engine.connect() as connection:
        total = connection.execute(select(t.documents.c.word_count)).scalars().all()
    print(
        f"store: {store.engine.dialect.name}, {len(total)} transcripts, {sum(total):,} words "
        f"({copies} copies of the sample), built in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return store


def best(repeat: int, step):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - started)
    return min(times), result


def scan(store: Store, query: Query) -> int:
    """The baseline: every turn's text read from the store and the query's pattern run over all of it."""
    pattern = query.pattern()
    return sum(
        len(pattern.findall(turn["text"]))
        for turn in index.candidate_turns(store, None)
        if query.speech == "all" or turn["kind"] == "participant"
    )


def run(store: Store, repeat: int) -> None:
    started = time.perf_counter()
    indexed = index.refresh(store)
    print(
        f"index: {indexed} transcripts indexed in {time.perf_counter() - started:.1f} s (once, at the first search; later "
        "searches re-index only transcripts imported or replaced since)"
    )
    print(f"{'query':<22} {'mode':<6} {'hits':>7} {'scan s':>8} {'search s':>9} {'ratio':>6}  under 1 s")
    worst = 0.0
    for text_, mode in QUERIES:
        query = Query(text_, mode)
        search(store, query)  # warm: the lemma table loads once per process
        baseline, _ = best(repeat, lambda query=query: scan(store, query))
        seconds, hits = best(repeat, lambda query=query: search(store, query))
        worst = max(worst, seconds)
        print(
            f"{text_:<22} {mode:<6} {len(hits):>7} {baseline:>8.3f} {seconds:>9.3f} {seconds / baseline:>6.2f}  "
            f"{'yes' if seconds < 1 else 'NO'}",
            flush=True,
        )
    print(f"slowest search: {worst:.3f} s ({'within' if worst < 1 else 'over'} the 1 s target)")
    sys.exit(0 if worst < 1 else 1)


if __name__ == "__main__":
    main()
