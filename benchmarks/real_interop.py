"""What qualcode makes of files other tools wrote: every .qdpx, .qdc, .xlsx, .csv and .txt codebook in a folder.

For each project (.qdpx) it imports the file into a new store through the service (as
`qualcode import project` does) and prints: codes, texts, codings, the unit the
positions were judged to be in, the share of codings that start and end on a word
boundary as imported, the same share had the offsets been read as code points
without judging (the baseline: how the file read before positions were judged), and
what was skipped and why. Each codebook file is read as `qualcode codebook import`
reads it: codes, themes, and its notes.

Usage:
    python benchmarks/real_interop.py --data ../shared/realworld/qda
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qualcode.errors import QualcodeError  # noqa: E402
from qualcode.export.refi.positions import CODE_POINTS, boundary_share  # noqa: E402
from qualcode.export.refi.qdpx import read_qdpx  # noqa: E402
from qualcode.project import exchange  # noqa: E402
from qualcode.project.codebook import read_codebook_file  # noqa: E402
from qualcode.store import Store  # noqa: E402

CODEBOOKS = (".qdc", ".xlsx", ".csv", ".txt")


def share(good: int, total: int) -> str:
    return f"{good}/{total} ({100 * good / total:.0f}%)" if total else "no codings"


def project_row(path: Path, folder: Path) -> None:
    """Import one .qdpx into a new store and print what came in, where it landed, and what was skipped."""
    db = folder / f"{path.stem}.db"
    try:
        report = exchange.import_project(db, path)
    except QualcodeError as problem:
        print(f"{path.name}: refused: {problem}")
        return
    store = Store.open(db)
    try:
        texts = {d["id"]: store.document(d["id"])["text"] for d in store.documents()}
        rows = store.codings()
        codes = len(store.codebook())
    finally:
        store.close()
    judged = [0, 0]
    for document_id, text in texts.items():
        good, total = boundary_share(text, [(r["start"], r["end"]) for r in rows if r["document_id"] == document_id])
        judged[0] += good
        judged[1] += total
    raw = read_qdpx(path, positions=CODE_POINTS)  # the offsets as numbers, read without judging their unit
    baseline = [0, 0]
    for document in raw.documents:
        good, total = boundary_share(
            document.text, [(c.start, c.end) for c in raw.codings if c.document_id == document.id]
        )
        baseline[0] += good
        baseline[1] += total
    print(
        f"{path.name}: {codes} codes, {len(texts)} texts, {len(rows)} codings, {report.memos_added} memos; "
        f"positions {report.positions}; on word boundaries {share(*judged)} (read as code points: {share(*baseline)})"
    )
    for item in report.skipped:
        print(f"    skipped: {item}")
    for note in report.notes:
        print(f"    note: {note}")


def codebook_row(path: Path) -> None:
    try:
        read = read_codebook_file(path)
    except QualcodeError as problem:
        print(f"{path.name}: refused: {problem}")
        return
    book = read.codebook
    uncodable = sum(1 for code in book.codes if not code.codable)
    print(
        f"{path.name}: codebook, {len(book)} codes in {len(book.themes())} themes"
        + (f", {uncodable} not codable" if uncodable else "")
        + (f", {len(book.groups)} code groups" if book.groups else "")
    )
    for note in read.notes:
        print(f"    note: {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, type=Path, help="A folder of files other tools wrote.")
    args = parser.parse_args()
    files = sorted(p for p in args.data.iterdir() if p.suffix.lower() in (".qdpx", *CODEBOOKS))
    with tempfile.TemporaryDirectory() as folder:
        for path in files:
            if path.suffix.lower() == ".qdpx":
                project_row(path, Path(folder))
            else:
                codebook_row(path)


if __name__ == "__main__":
    main()
