"""How well real transcript exports import: speakers, clean segments, and no words lost.

Imports every transcript in a folder through qualcode's own import into a temporary
store, then prints one row per file:

  layout      the speaker layout the import recognised
  turns       speaker turns (notes such as an export's header are not counted)
  speakers    the speakers found
  part.words  words in participant turns
  dirty       segments that still hold a speaker label, a time on a line of its own or
              at a segment's start, or markup (`**`, `<v ...>`, `&amp;`, `\\[`)
  lost        source words (minus speaker labels, times and caption cue lines) that are
              not among the stored words of any turn

Targets on a folder of real exports: 0 dirty segments, 0 words lost, the right
speakers in every file that has labels.

Usage:
    python benchmarks/real_transcripts.py --data ../shared/realworld/transcripts [--interviewer NAME ...]
"""

from __future__ import annotations

import argparse
import html
import re
import tempfile
from collections import Counter
from pathlib import Path

import docx

from qualcode import project
from qualcode.ingest.encoding import decode

ROOT = Path(__file__).resolve().parent.parent
CODEBOOK = ROOT / "codebooks" / "pb_employment.yaml"
TIME = r"\[?\(?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\]?\)?"
LABEL_LINE = re.compile(rf"^\s*\[?[A-Z][\w .,'’()\-]{{0,40}}\]?\s+{TIME}\s*$")  # `Name  00:13` left in a segment
TIME_START = re.compile(rf"^\s*{TIME}(\s|$)")
MARKUP = re.compile(r"\*\*|__|<\/?[a-z][^>]*>|&#?\w+;|\\[\[\]_*]")
CUE_TIMING = re.compile(r"-->")
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, type=Path, help="Folder of real transcript exports.")
    parser.add_argument(
        "--interviewer", action="append", default=[], help="A label that means the interviewer (repeatable)."
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = project.init_project(Path(folder) / "bench.db", CODEBOOK)
        report = project.import_transcripts(store, [args.data], interviewer_labels=args.interviewer)
        rows = [measure(store, item) for item in report.imported]
        store.close()
    for path, reason in report.refused:
        print(f"refused: {path}: {reason}")
    print_table(rows)
    print(
        f"\n{len(rows)} files; dirty segments {sum(r['dirty'] for r in rows)}; words lost {sum(r['lost'] for r in rows)}; "
        f"{len(report.warnings)} report lines (unreadable cues, files without labels)."
    )


def measure(store, item: project.ImportedFile) -> dict:
    """One file's row: what the import made of it, checked against the source file."""
    document = store.document(item.document_id)
    text, turns = document["text"], document["turns"]
    spoken = [t for t in turns if t["kind"] != "note"]
    speakers = list(dict.fromkeys(t["speaker"] for t in spoken))
    participant_words = sum(len(text[t["start"] : t["end"]].split()) for t in spoken if t["kind"] == "participant")
    dirty = sum(1 for segment in store.segments(item.document_id) if is_dirty(segment["text"], speakers))
    stored = Counter(w for t in turns for w in words(text[t["start"] : t["end"]]))
    names = {w for t in turns for w in words(t["speaker"])}
    missing = Counter(source_words(Path(item.path))) - stored
    lost = sum(n for w, n in missing.items() if w not in names)
    return {
        "file": Path(item.path).name,
        "layout": item.layout,
        "turns": len(spoken),
        "speakers": speakers,
        "part.words": participant_words,
        "dirty": dirty,
        "lost": lost,
        "missing": missing.most_common(5),
    }


def is_dirty(segment: str, speakers: list[str]) -> bool:
    """Whether a segment still holds a label, a time where a label would be, or markup."""
    for line in segment.split("\n"):
        if LABEL_LINE.match(line) or TIME_START.match(line) or MARKUP.search(line):
            return True
        if any(line.startswith(f"{speaker}:") for speaker in speakers if speaker):
            return True
    return False


def words(text: str) -> list[str]:
    """Words of a text, lower case, without punctuation or markup (times removed)."""
    text = re.sub(TIME, " ", html.unescape(text))
    return [w.lower() for w in WORD.findall(text)]


def source_words(path: Path) -> list[str]:
    """The words a reader sees in the source file, minus caption cue numbers and times."""
    if path.suffix.lower() == ".docx":
        document = docx.Document(str(path))
        parts = [p.text for p in document.paragraphs]
        parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        return words("\n".join(parts))
    text, _ = decode(path.read_bytes(), path)
    if path.suffix.lower() in (".vtt", ".srt"):
        kept = []
        for block in re.split(r"\n[ \t]*\n", text):
            lines = [line for line in block.split("\n") if line.strip()]
            at = next((i for i, line in enumerate(lines) if CUE_TIMING.search(line)), None)
            if at is not None:
                kept.extend(re.sub(r"<[^>]*>", " ", line) for line in lines[at + 1 :])
        return words("\n".join(kept))
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        text = text[end + 4 :] if end > 0 else text
    return words(text)


def print_table(rows: list[dict]) -> None:
    print("| file | layout | turns | speakers | part. words | dirty segments | words lost |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        speakers = "; ".join(row["speakers"][:5]) + (
            f" +{len(row['speakers']) - 5}" if len(row["speakers"]) > 5 else ""
        )
        print(
            f"| {row['file']} | {row['layout']} | {row['turns']} | {speakers} | {row['part.words']} | {row['dirty']} | {row['lost']} |"
        )
    for row in rows:
        if row["lost"]:
            print(f"  {row['file']}: most missing words {row['missing']}")


if __name__ == "__main__":
    main()
