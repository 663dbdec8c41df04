"""How fast each app page's reads are on a large project, next to a plain SQL read of the same rows.

Builds (or reuses, with --db) a store of 500 transcripts and 200,000 codings in bulk:
the sample interviews cloned under new ids and roles, codings spread over their
participant segments (accepted by two coders, pending suggestions with evidence,
some rejected). Then, for every page, it times in one run:

  1. the reads the page makes on a cold cache (the qualcode calls its cached queries wrap);
  2. a plain SQL read (sqlite3, no qualcode) of the same rows;
  3. the whole page run by streamlit's AppTest, cold (caches cleared) and warm;

and prints seconds and the ratio of 1 to 2 (target: within 3x), and the page times
(target: under 3 s with 500 transcripts; under 1 s on the sample with --sample).

Usage:
    python benchmarks/app_speed.py [--documents 500] [--codings 200000] [--db PATH] [--sample]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qualcode import analysis, project  # noqa: E402
from qualcode.ingest import find_transcripts, read_participants, read_transcript  # noqa: E402
from qualcode.ingest.segments import segment_documents  # noqa: E402
from qualcode.store import NewCoding, Store, overview  # noqa: E402

SAMPLE = ROOT / "transcripts_sample"
CODEBOOK = ROOT / "codebooks" / "pb_employment.yaml"


def build(db: Path, documents: int, codings: int, seed: int = 7) -> None:
    """A store with `documents` cloned sample interviews and `codings` codings over their segments."""
    store = project.init_project(db, CODEBOOK)
    files, _, _ = find_transcripts([SAMPLE])
    sources = [read_transcript(path) for path in files]
    spans = segment_documents(sources)
    roles = read_participants(SAMPLE / "participants.csv")
    clones, clone_spans = [], []
    for i in range(documents):
        source = sources[i % len(sources)]
        attributes = dict(roles.get(source.id, {}), site=f"Site {chr(65 + i % 6)}", original=source.id)
        clones.append(
            dataclasses.replace(source, id=f"P{i:04d}", attributes=attributes, text=source.text + f"\n[copy {i}]")
        )
        clone_spans.append(spans[i % len(sources)])
    store.save_documents(clones, clone_spans)
    add_codings(store, codings, random.Random(seed))
    store.close()


def add_codings(store: Store, total: int, rng: random.Random, chunk: int = 20_000) -> None:
    """`total` codings: 55% accepted by two coders, 35% pending suggestions, 10% rejected."""
    codes = store.codebook().ids()
    segments = store.segments()
    batch: list[NewCoding] = []
    for n in range(total):
        segment = rng.choice(segments)
        kind = rng.random()
        code = rng.choice(codes)
        if kind < 0.55:
            coding = NewCoding(
                segment["document_id"],
                segment["start"],
                segment["end"],
                code,
                rng.choice(["ana", "ben"]),
                segment_id=segment["id"],
            )
        else:
            status = "pending" if kind < 0.9 else "rejected"
            coding = NewCoding(
                segment["document_id"],
                segment["start"],
                segment["end"],
                code,
                "qualcode",
                source="suggested",
                status=status,
                confidence=round(rng.uniform(0.3, 1.0), 3),
                segment_id=segment["id"],
                evidence={"terms": ["budget", "job"], "scores": {"rules": 0.5, "similarity": 0.4}},
            )
        batch.append(coding)
        if len(batch) == chunk or n == total - 1:
            store.add_codings(batch)
            batch = []


def best(action: Callable[[], object], repeat: int = 3) -> float:
    """The fastest of `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def page_reads(store: Store, document_id: str) -> dict[str, Callable[[], object]]:
    """The reads each page makes after a coding decision (what qualcode/ui/queries.py caches), by page.

    The app parses the codebook's YAML once per codebook version, so a page reads only its number;
    `report` times the parse on its own line.
    """

    def documents() -> object:
        return overview.document_overview(store)

    def code_page() -> object:
        return (
            documents(),
            store.codebook_version(),
            store.document(document_id),
            store.segments(document_id),
            store.codings(document_ids=[document_id], statuses=["accepted", "pending"]),
            store.memos(document_id),
        )

    def dashboard() -> object:
        table = analysis.theme_frequencies(store, by=["role"])
        return (
            store.attributes(),
            store.codebook_version(),
            store.coders(),
            table,
            analysis.illustrative_quotes(store, "demand", group={"role": "Social worker"}, n=5),
        )

    def codebook_page() -> object:
        return store.codebook_version(), overview.code_counts(store), store.codebook_versions()

    return {"Code": code_page, "Themes by role": dashboard, "Codebook": codebook_page, "Import": documents}


def plain_reads(path: Path, document_id: str) -> dict[str, Callable[[], object]]:
    """Plain SQL reads of the same rows, with no qualcode code in between."""

    def run(*queries: tuple[str, tuple]) -> object:
        connection = sqlite3.connect(path)
        try:
            return [connection.execute(sql, args).fetchall() for sql, args in queries]
        finally:
            connection.close()

    attributes = ("SELECT document_id, name, value FROM attributes", ())
    documents = (
        ("SELECT document_id, count(*) FROM segments GROUP BY document_id", ()),
        (
            "SELECT document_id, count(DISTINCT CASE WHEN status='accepted' THEN segment_id END), "
            "sum(status='accepted'), sum(status='pending') FROM codings GROUP BY document_id",
            (),
        ),
        ("SELECT id, word_count FROM documents ORDER BY id", ()),
        attributes,
    )
    accepted = (
        'SELECT c.id, c.document_id, c.segment_id, s.turn_position, c.start, c."end", c.code_id, c.coder, c.status, '
        "c.confidence, c.source, c.quote FROM codings c LEFT JOIN segments s ON s.id = c.segment_id "
        "WHERE c.status = 'accepted' ORDER BY c.document_id, c.start, c.code_id, c.id",
        (),
    )
    codebook = (("SELECT max(version) FROM codebook_versions", ()),)
    return {
        "Code": lambda: run(
            *documents,
            *codebook,
            ("SELECT * FROM documents WHERE id=?", (document_id,)),
            ("SELECT * FROM turns WHERE document_id=?", (document_id,)),
            ("SELECT * FROM segments WHERE document_id=?", (document_id,)),
            (
                "SELECT * FROM codings WHERE document_id=? AND status IN ('accepted', 'pending') "
                "ORDER BY start, code_id, id",
                (document_id,),
            ),
            ("SELECT * FROM memos WHERE document_id=?", (document_id,)),
        ),
        "Themes by role": lambda: run(attributes, *codebook, ("SELECT DISTINCT coder FROM codings", ()), accepted),
        "Codebook": lambda: run(
            *codebook,
            ("SELECT code_id, status, count(*) FROM codings GROUP BY code_id, status", ()),
            ("SELECT version, author, message FROM codebook_versions", ()),
        ),
        "Import": lambda: run(*documents),
    }


def page_runs(db: Path, document_id: str) -> dict[str, tuple[float, float]]:
    """(cold, warm) seconds of a whole AppTest run of each page."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["QUALCODE_DB"] = str(db)
    files = {
        "Code": "page_code.py",
        "Themes by role": "page_dashboard.py",
        "Codebook": "page_codebook.py",
        "Import": "page_import.py",
    }
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.query_params.update({"document": document_id})
    found = {}
    for name, file in files.items():
        at.switch_page(f"qualcode/ui/{file}")
        st.cache_data.clear()
        cold = best(lambda: at.run(), repeat=1)
        warm = best(lambda: at.run(), repeat=3)
        if at.exception:
            raise SystemExit(f"{name} page failed: {at.exception}")
        found[name] = (cold, warm)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--codings", type=int, default=200_000)
    parser.add_argument("--db", help="Build the store here (or reuse it if it exists) instead of a temporary file.")
    parser.add_argument("--sample", action="store_true", help="Time the sample project (qualcode demo's) instead.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        db = Path(args.db or Path(temporary) / "app_speed.db")
        if not db.exists():
            started = time.perf_counter()
            if args.sample:
                from qualcode.project.sample import build_sample_project

                build_sample_project(db)
            else:
                build(db, args.documents, args.codings)
            print(f"built {db} in {time.perf_counter() - started:.1f} s")
        report(db)


def report(db: Path) -> None:
    store = Store.open(db)
    counts = store.counts()
    document_id = sorted(store.document_hashes())[len(counts) and counts["documents"] // 2]
    print(
        f"store: {counts['documents']} documents, {counts['segments']} segments, {counts['codings']} codings; "
        f"Code page on {document_id}"
    )
    ours, plain = page_reads(store, document_id), plain_reads(db, document_id)
    print(f"{'page':<16}{'qualcode reads':>16}{'plain SQL':>12}{'ratio':>8}{'page cold':>12}{'page warm':>12}")
    runs = page_runs(db, document_id)
    ratios = []
    for name in ours:
        mine, bare = best(ours[name]), best(plain[name])
        ratios.append(mine / bare)
        cold, warm = runs[name]
        print(f"{name:<16}{mine:>15.3f}s{bare:>11.3f}s{mine / bare:>7.1f}x{cold:>11.2f}s{warm:>11.2f}s")
    print(f"codebook parse (once per codebook version): {best(store.codebook):.3f}s")
    print(
        f"median ratio {statistics.median(ratios):.1f}x (target within 3x); "
        f"slowest cold page {max(c for c, _ in runs.values()):.2f} s"
    )
    store.close()


if __name__ == "__main__":
    main()
