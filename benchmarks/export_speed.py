"""Quote export speed on a store of 200,000 codings, next to reading the same rows with pandas.

Builds a store from the sample transcripts (each interview stored again and again
under new ids, segmented once) and codes its segments with seeded random codes of
the shipped codebook, about three per segment, nine in ten accepted, through the
Store APIs in bulk. The sample's identifiers list is loaded, so masking runs too.
It then times, in one run:

  1. pandas.read_sql on the store's engine: the accepted codings with their role and
     turn position (the rows a quote table holds), as a baseline;
  2. `qualcode export quotes` of all accepted quotes, as reports.export_quotes does
     it, in each format (csv, xlsx, md, docx),

and prints seconds, rows and each export's ratio to the pandas read (targets: CSV
within 3x, XLSX and DOCX within 10x; Markdown is reported against 3x). Each time is
the best of --repeat runs, so a machine busy with other work skews it less.

Usage:
    python benchmarks/export_speed.py [--codings 200000] [--repeat 3] [--keep DIR [--reuse]]
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from sqlalchemy import and_, select

from qualcode import project
from qualcode.export import reports
from qualcode.ingest import find_transcripts, read_participants, read_transcript
from qualcode.ingest.segments import segment_documents
from qualcode.project import identifiers
from qualcode.store import NewCoding, Store
from qualcode.store import schema as t

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "transcripts_sample"
TARGETS = {"csv": 3.0, "xlsx": 10.0, "md": 3.0, "docx": 10.0}
PER_SEGMENT = 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codings", type=int, default=200_000, help="Codings the store must hold.")
    parser.add_argument("--codebook", default=str(ROOT / "codebooks" / "pb_employment.yaml"))
    parser.add_argument("--keep", help="Build the store and write the exports here instead of a temporary folder.")
    parser.add_argument("--formats", default="csv,xlsx,md,docx")
    parser.add_argument("--reuse", action="store_true", help="Use the store already built in --keep DIR.")
    parser.add_argument("--repeat", type=int, default=3, help="Time each step this many times and keep the best.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(args.keep or temporary)
        work.mkdir(parents=True, exist_ok=True)
        existing = work / "bench.db"
        store = (
            Store.open(existing)
            if args.reuse and existing.exists()
            else build_store(existing, args.codebook, args.codings)
        )
        try:
            run(store, work, args.formats.split(","), args.repeat)
        finally:
            store.close()


def build_store(path: Path, codebook: str, codings: int) -> Store:
    """A store holding copies of the sample interviews and `codings` seeded random codings."""
    if path.exists():
        path.unlink()
    started = time.perf_counter()
    store = project.init_project(path, codebook)
    files, _, _ = find_transcripts([SAMPLE])
    sources = [read_transcript(file) for file in files]
    attributes = read_participants(SAMPLE / "participants.csv")
    spans = segment_documents(sources)
    per_copy = sum(len(s) for s in spans) * PER_SEGMENT
    copies = -(-codings // per_copy)
    for copy in range(copies):
        documents = [
            dataclasses.replace(
                source, id=f"{source.id}_{copy:03d}", attributes={**source.attributes, **attributes.get(source.id, {})}
            )
            for source in sources
        ]
        store.save_documents(documents, spans)
    code_ids = [code.id for code in store.codebook().codes if code.parent]
    rng = random.Random(7)
    batch: list[NewCoding] = []
    made = 0
    for segment in store.segments():
        for code_id in rng.sample(code_ids, PER_SEGMENT):
            if made == codings:
                break
            accepted = rng.random() < 0.9
            batch.append(
                NewCoding(
                    segment["document_id"],
                    segment["start"],
                    segment["end"],
                    code_id,
                    "ana" if accepted else "qualcode",
                    "manual" if accepted else "suggested",
                    "accepted" if accepted else "pending",
                    None if accepted else round(rng.random(), 3),
                    segment_id=segment["id"],
                )
            )
            made += 1
        if len(batch) >= 20_000:
            store.add_codings(batch)
            batch = []
    store.add_codings(batch)
    identifiers.import_identifiers(store, SAMPLE / "identifiers.txt")
    counts = store.counts()
    print(
        f"store: {counts['documents']:,} documents, {counts['segments']:,} segments, {counts['codings']:,} codings "
        f"(built in {time.perf_counter() - started:.1f} s)"
    )
    return store


def best_of(repeat: int, step):
    """(result, seconds) of the fastest of `repeat` runs of step()."""
    best, result = float("inf"), None
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        result = step()
        best = min(best, time.perf_counter() - started)
    return result, best


def read_with_pandas(store: Store, repeat: int) -> tuple[int, float]:
    """(rows, seconds) of pd.read_sql of the accepted codings with role and turn position."""
    c, a, s = t.codings.c, t.attributes, t.segments
    query = (
        select(
            c.id,
            c.document_id,
            c.code_id,
            c.quote,
            c.start,
            c.end,
            c.coder,
            c.status,
            c.confidence,
            s.c.turn_position,
            a.c.value.label("role"),
        )
        .select_from(
            t.codings.outerjoin(s, s.c.id == c.segment_id).outerjoin(
                a, and_(a.c.document_id == c.document_id, a.c.name == "role")
            )
        )
        .where(c.status == "accepted")
    )
    frame, seconds = best_of(repeat, lambda: pd.read_sql(query, store.engine))
    return len(frame), seconds


def run(store: Store, work: Path, formats: list[str], repeat: int) -> None:
    rows, baseline = read_with_pandas(store, repeat)
    print(f"pandas.read_sql: {rows:,} rows in {baseline:.2f} s (best of {repeat})")
    print(f"{'format':<6} {'rows':>9} {'seconds':>8} {'ratio':>6} {'target':>7}  size")
    missed = []
    for fmt in formats:
        path = work / f"quotes.{fmt}"
        result, seconds = best_of(repeat, lambda path=path, fmt=fmt: reports.export_quotes(store, path, fmt))
        ratio = seconds / baseline
        met = "met" if ratio <= TARGETS[fmt] else "MISSED"
        if ratio > TARGETS[fmt]:
            missed.append(fmt)
        print(
            f"{fmt:<6} {result.rows:>9,} {seconds:>8.2f} {ratio:>5.1f}x {TARGETS[fmt]:>5.0f}x {met}  "
            f"{path.stat().st_size / 1e6:.1f} MB, {result.masked:,} identifiers masked"
        )
        if result.rows != rows:
            print(f"  note: the export holds {result.rows:,} rows, pandas read {rows:,}")
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
