"""Import + segmentation speed on a corpus of a million words, next to the bare spaCy pipeline.

Builds the corpus from the transcripts it finds (transcripts_sample by default): each
interview is written again and again under new ids, in turn as .txt, .md, .docx, .vtt
and .srt, into a temporary folder. It then times, in one run:

  1. `qualcode import` of that folder into a fresh store (reading every format, turns,
     segmentation, and the SQLite writes), as project.import_transcripts does it;
  2. the bare spaCy pipeline (spacy.blank("en") + sentencizer + the stock lookup
     lemmatizer) over the same document texts with nlp.pipe.

and prints words/second for both, their ratio (target: import at least 0.5 of the
bare pipeline) and the peak memory of the process (target: under 1 GiB).

Usage:
    python benchmarks/import_speed.py [FOLDER ...] [--words 1000000] [--repeat 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import resource
import sys
import tempfile
import time
from pathlib import Path

import docx
import spacy

from qualcode import project
from qualcode.ingest import ParsedDocument, find_transcripts, read_transcript

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("txt", "md", "docx", "vtt", "srt")
CUE_WORDS = 14


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", default=[str(ROOT / "transcripts_sample")])
    parser.add_argument("--words", type=int, default=1_000_000, help="Words the corpus must hold at least.")
    parser.add_argument("--codebook", default=str(ROOT / "codebooks" / "pb_employment.yaml"))
    parser.add_argument("--keep", help="Write the corpus and store here instead of a temporary folder.")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="Time each side this many times and keep the best (a busy machine is noisy).",
    )
    args = parser.parse_args()
    sources = read_sources(args.folders)
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(args.keep or temporary)
        corpus = work / "corpus"
        counts = write_corpus(sources, corpus, args.words)
        baseline = peak_mib()
        runs = [time_import(corpus, work / f"bench{i}.db", args.codebook) for i in range(args.repeat)]
        words, seconds, texts = min(runs, key=lambda run: run[1])
        import_peak = peak_mib()
        bare_seconds = min(time_bare_pipeline(texts) for _ in range(args.repeat))
        final_peak = peak_mib()
    report(counts, words, seconds, bare_seconds, baseline, import_peak, final_peak)


def read_sources(folders: list[str]) -> list[ParsedDocument]:
    """The transcripts found in the folders, parsed (their speakers and turns are reused)."""
    files, _, _ = find_transcripts(folders)
    sources = [read_transcript(path) for path in files]
    if not sources:
        raise SystemExit(f"no transcripts found in {', '.join(folders)}")
    return sources


def turns_of(document: ParsedDocument) -> list[tuple[str, str]]:
    """(speaker, text) of the interviewer and participant turns of a parsed transcript."""
    return [
        (turn.speaker or "Participant", document.text[turn.start : turn.end])
        for turn in document.turns
        if turn.kind != "note"
    ]


def write_corpus(sources: list[ParsedDocument], folder: Path, target_words: int) -> dict[str, int]:
    """Write copies of the sources, cycling through the formats, until they hold target_words."""
    folder.mkdir(parents=True, exist_ok=True)
    counts = dict.fromkeys(FORMATS, 0)
    participants = []
    written, copy = 0, 0
    while written < target_words:
        for source in sources:
            fmt = FORMATS[(copy + len(participants)) % len(FORMATS)]
            document_id = f"{source.id}_{copy:03d}"
            turns = turns_of(source)
            WRITERS[fmt](folder / f"{document_id}.{fmt}", document_id, turns, source.attributes.get("role", ""))
            participants.append({"id": document_id, "role": source.attributes.get("role") or "unknown"})
            counts[fmt] += 1
            written += sum(len(text.split()) for _, text in turns)
            if written >= target_words:
                break
        copy += 1
    with (folder / "participants.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "role"])
        writer.writeheader()
        writer.writerows(participants)
    return counts


def write_text(path: Path, document_id: str, turns: list[tuple[str, str]], role: str) -> None:
    lines = ["---", f"id: {document_id}", f"role: {role}", "---"]
    lines += [f"{speaker}: {text}\n" for speaker, text in turns]
    path.write_text("\n".join(lines), encoding="utf-8")


def write_markdown(path: Path, document_id: str, turns: list[tuple[str, str]], role: str) -> None:
    lines = ["---", f"id: {document_id}", f"role: {role}", "---"]
    lines += [f"**{speaker}:** {text}\n" for speaker, text in turns]
    path.write_text("\n".join(lines), encoding="utf-8")


def write_word(path: Path, document_id: str, turns: list[tuple[str, str]], role: str) -> None:
    document = docx.Document()
    document.add_heading(f"Interview {document_id}", level=1)
    for speaker, text in turns:
        first, *rest = text.split("\n\n")
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{speaker}:").bold = True
        paragraph.add_run(" " + first)
        for more in rest:
            document.add_paragraph(more)
    document.save(path)


def cues(turns: list[tuple[str, str]]):
    """(start, end, speaker, text) caption cues of about CUE_WORDS words each."""
    second = 1.0
    for speaker, text in turns:
        words = text.split()
        for i in range(0, len(words), CUE_WORDS):
            chunk = " ".join(words[i : i + CUE_WORDS])
            yield second, second + 4.5, speaker, chunk
            second += 5.0


def stamp(seconds: float, comma: bool = False) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{int(hours):02d}:{int(minutes):02d}:{secs:06.3f}"
    return text.replace(".", ",") if comma else text


def write_vtt(path: Path, document_id: str, turns: list[tuple[str, str]], role: str) -> None:
    teams = int(document_id.rsplit("_", 1)[1]) % 2 == 1
    blocks = ["WEBVTT"]
    for n, (start, end, speaker, text) in enumerate(cues(turns), 1):
        said = f"<v {speaker}>{text}</v>" if teams else f"{speaker}: {text}"
        blocks.append(f"{n}\n{stamp(start)} --> {stamp(end)}\n{said}")
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")


def write_srt(path: Path, document_id: str, turns: list[tuple[str, str]], role: str) -> None:
    blocks = [
        f"{n}\n{stamp(start, True)} --> {stamp(end, True)}\n{speaker}: {text}"
        for n, (start, end, speaker, text) in enumerate(cues(turns), 1)
    ]
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")


WRITERS = {"txt": write_text, "md": write_markdown, "docx": write_word, "vtt": write_vtt, "srt": write_srt}


def time_import(corpus: Path, db: Path, codebook: str) -> tuple[int, float, list[str]]:
    """(words imported, seconds, document texts) of one import of the corpus into a fresh store."""
    store = project.init_project(db, codebook)
    try:
        started = time.perf_counter()
        result = project.import_transcripts(store, [corpus])
        seconds = time.perf_counter() - started
        if not result.ok:
            raise SystemExit(f"the corpus did not import cleanly: {result.refused[:3]}")
        texts = [store.document(item.document_id)["text"] for item in result.imported]
        counts = store.counts()
    finally:
        store.close()
    print(f"imported {counts['documents']} documents into {counts['segments']} segments")
    return sum(item.words for item in result.imported), seconds, texts


def time_bare_pipeline(texts: list[str]) -> float:
    """Seconds for spacy.blank('en') + sentencizer + lookup lemmatizer over the texts."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    started = time.perf_counter()
    for _ in nlp.pipe(texts):
        pass
    return time.perf_counter() - started


def peak_mib() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def report(
    counts: dict[str, int],
    words: int,
    seconds: float,
    bare_seconds: float,
    baseline: float,
    import_peak: float,
    final_peak: float,
) -> None:
    files = ", ".join(f"{n} {fmt}" for fmt, n in counts.items())
    ours, bare = words / seconds, words / bare_seconds
    print(f"corpus: {words:,} words in {sum(counts.values())} files ({files})")
    print(f"import + segmentation: {seconds:6.1f} s  {ours:10,.0f} words/s")
    print(f"bare spaCy pipeline:   {bare_seconds:6.1f} s  {bare:10,.0f} words/s")
    verdict = "meets" if ours / bare >= 0.5 else "misses"
    print(f"ratio import / bare: {ours / bare:.2f} ({verdict} the 0.5 target)")
    verdict = "meets" if import_peak < 1024 else "misses"
    print(
        f"peak memory: {import_peak:,.0f} MiB at the end of the import ({verdict} the 1 GiB target; "
        f"{baseline:,.0f} MiB before it, {final_peak:,.0f} MiB after the bare pipeline)"
    )


if __name__ == "__main__":
    main()
