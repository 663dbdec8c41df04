"""Many coders at once: 4 processes x 1,000 decisions while two `suggest` runs rewrite the pending suggestions.

Builds the sample project (codebook, interviews, suggestions on half of them), then starts at
the same moment four coder processes, each making 1,000 decisions (accepting or
rejecting its share of the pending suggestions, and coding segments by hand), and
two processes each running `suggest` over the whole project, made to start writing
their suggestions at the same moment (the race a lock must win). When all are done it
reads the store and prints:
  lost        decisions or hand codings a coder was told were saved that are not in the store
  duplicated  (segment, code) pairs holding two pending suggestions, or a pending
              suggestion beside a decision; hand codings saved twice
  undone      decisions whose coding no longer has the status and coder the coder gave it
  locked      operations that failed with "database is locked" (or a lock timeout)
  errors      any other failure
All must be 0 (the exit status is 1 otherwise). Also prints how long the run took.
Usage:
  python benchmarks/concurrent_coders.py                      (SQLite, a temporary file)
  python benchmarks/concurrent_coders.py --db postgresql+psycopg://USER:PASS@HOST/DB
      (a role that may create databases: the run uses a database of its own and drops it)
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

from qualcode import project
from qualcode.store.codings import UnknownCodingError

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "transcripts_sample"
CODEBOOK = ROOT / "codebooks" / "pb_employment.yaml"
CODERS = 4
DECISIONS = 1000


def build(location: str) -> None:
    """The sample project with suggestions on half its documents: the concurrent runs add the rest at the same time."""
    store = project.init_project(location, CODEBOOK)
    project.import_transcripts(store, [SAMPLE])
    documents = sorted(store.document_hashes())
    project.suggest(store, document_ids=documents[: len(documents) // 2])
    store.close()


def plan(location: str) -> list[dict]:
    """Each coder's share: pending suggestion ids to decide and (segment, code) pairs to code by hand."""
    store = project.open_project(location)
    pending = [c["id"] for c in store.codings(statuses=["pending"])]
    taken = {(c["segment_id"], c["code_id"]) for c in store.codings()}
    codes = store.codebook().ids()
    segments = store.segments()
    store.close()
    chance = random.Random(18)
    free = [(s, code) for s in segments for code in codes if (s["id"], code) not in taken]
    chance.shuffle(free)
    shares = []
    for i in range(CODERS):
        ids = pending[i::CODERS][: DECISIONS // 2]
        hand = [(s["document_id"], s["start"], s["end"], code) for s, code in free[i::CODERS][: DECISIONS - len(ids)]]
        shares.append({"coder": f"coder{i}", "pending": ids, "hand": hand})
    return shares


def coder(location: str, share: dict) -> dict:
    """Make DECISIONS decisions, alternating a decision on a suggestion with a hand coding; report what was saved."""
    store = project.open_project(location)
    decided, added, locked, errors, gone = {}, [], 0, [], 0
    steps = [("decide", i) for i in share["pending"]] + [("hand", pair) for pair in share["hand"]]
    random.Random(share["coder"]).shuffle(steps)
    began = time.monotonic()
    for n, (kind, what) in enumerate(steps):
        try:
            if kind == "decide":
                status = "accepted" if n % 2 else "rejected"
                changed = (project.accept if status == "accepted" else project.reject)(store, [what], share["coder"])
                if changed == 1:
                    decided[what] = status
                else:
                    gone += 1
            else:
                document, start, end, code = what
                project.add_coding(store, document, start, end, code, share["coder"])
                added.append(what)
        except UnknownCodingError:
            gone += 1  # the suggestion was withdrawn by a suggest run before this coder got to it: nothing to decide
        except Exception as error:
            if "locked" in str(error).lower() or "busy" in str(error).lower():
                locked += 1
            else:
                errors.append(f"{type(error).__name__}: {error}")
    store.close()
    return {
        "coder": share["coder"],
        "decided": decided,
        "added": added,
        "locked": locked,
        "errors": errors,
        "gone": gone,
        "seconds": time.monotonic() - began,
    }


def suggester(location: str, share: dict) -> dict:
    """One suggest run; it enters its write at the same moment as the other run (a barrier), the worst case for a race."""
    store = project.open_project(location)
    write = store.sync_suggestions

    def together(*args, **kwargs):
        share["barrier"].wait(timeout=900)
        return write(*args, **kwargs)

    store.sync_suggestions = together
    locked, errors = 0, []
    try:
        project.suggest(store)
    except Exception as error:
        if "locked" in str(error).lower() or "busy" in str(error).lower():
            locked += 1
        else:
            errors.append(f"{type(error).__name__}: {error}")
    store.close()
    return {
        "coder": "suggest",
        "decided": {},
        "added": [],
        "locked": locked,
        "errors": errors,
        "gone": 0,
        "seconds": 0.0,
    }


def run_all(location: str, shares: list[dict], with_suggest: bool) -> tuple[list[dict], float]:
    context = multiprocessing.get_context("spawn")
    jobs = [(coder, location, share) for share in shares]
    began = time.monotonic()
    with context.Manager() as manager, context.Pool(len(jobs) + 2) as pool:
        if with_suggest:
            barrier = manager.Barrier(2)
            jobs += [(suggester, location, {"barrier": barrier}), (suggester, location, {"barrier": barrier})]
        results = pool.starmap(_call, jobs)
    return results, time.monotonic() - began


def _call(function, location: str, share: dict) -> dict:
    return function(location, share)


def verdict(location: str, results: list[dict]) -> dict[str, int]:
    store = project.open_project(location)
    codings = store.codings()
    store.close()
    by_id = {c["id"]: c for c in codings}
    lost = undone = 0
    for result in results:
        for coding_id, status in result["decided"].items():
            row = by_id.get(coding_id)
            if row is None:
                lost += 1
            elif row["status"] != status or row["coder"] != result["coder"]:
                undone += 1
    hand = Counter(
        (c["document_id"], c["start"], c["end"], c["code_id"], c["coder"]) for c in codings if c["source"] == "manual"
    )
    for result in results:
        for document, start, end, code in result["added"]:
            if hand[(document, start, end, code, result["coder"])] == 0:
                lost += 1
    pending = Counter(
        (c["segment_id"], c["code_id"]) for c in codings if c["status"] == "pending" and c["source"] == "suggested"
    )
    decided_pairs = {
        (c["segment_id"], c["code_id"])
        for c in codings
        if not (c["status"] == "pending" and c["source"] == "suggested")
    }
    duplicated = sum(n - 1 for n in pending.values() if n > 1) + sum(1 for pair in pending if pair in decided_pairs)
    duplicated += sum(n - 1 for n in hand.values() if n > 1)
    return {
        "lost": lost,
        "duplicated": duplicated,
        "undone": undone,
        "locked": sum(r["locked"] for r in results),
        "errors": sum(len(r["errors"]) for r in results),
    }


def server_database(url: str) -> tuple[str, callable]:
    """A database of its own on the server, and how to drop it."""
    from sqlalchemy import create_engine, text

    name = f"qualcode_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.rsplit("/", 1)[0] + "/" + name, drop


def measure(location: str) -> dict[str, int]:
    build(location)
    shares = plan(location)
    decisions = sum(len(s["pending"]) + len(s["hand"]) for s in shares)
    results, seconds = run_all(location, shares, with_suggest=True)
    counts = verdict(location, results)
    for result in results:
        for error in result["errors"][:3]:
            print(f"  error ({result['coder']}): {error}")
    gone = sum(r["gone"] for r in results)
    print(
        f"  {len(shares)} coders x {decisions // len(shares)} decisions with 2 suggest runs: {seconds:.1f} s, "
        f"{decisions / seconds:.0f} decisions/s ({gone} suggestions were withdrawn by a suggest run before their coder decided)"
    )
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", help="A PostgreSQL server URL (a role that may create databases); default a SQLite file."
    )
    args = parser.parse_args()
    if args.db:
        location, drop = server_database(args.db)
        kind = "PostgreSQL"
    else:
        folder = tempfile.mkdtemp(prefix="qualcode-concurrent-")
        location, drop, kind = str(Path(folder) / "team.db"), (lambda: None), "SQLite"
    print(f"{kind}:")
    try:
        counts = measure(location)
    finally:
        drop()
    print("  " + ", ".join(f"{name} {value}" for name, value in counts.items()))
    return 0 if not any(counts.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
