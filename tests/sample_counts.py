"""Counts of the sample corpus for transcripts_sample/README.md: words per role, codings per theme and role.

Run `python tests/sample_counts.py` to print the tables; test_sample.py checks that the
README holds exactly these tables, so the figures there are always the files' own.
"""

from __future__ import annotations

import csv
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

from qualcode import project

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "transcripts_sample"
CODEBOOK = ROOT / "codebooks" / "pb_employment.yaml"


def sample_facts(sample: Path = SAMPLE, codebook: Path = CODEBOOK) -> dict:
    """Import the sample into a throw-away store; return its documents and gold rows with themes."""
    with tempfile.TemporaryDirectory() as folder:
        store = project.init_project(Path(folder) / "sample.db", codebook)
        try:
            report = project.import_transcripts(store, [sample])
            if not report.ok:
                raise SystemExit(f"the sample does not import: {report.refused}")
            documents = {row["id"]: store.document(row["id"]) for row in store.documents()}
            book = store.codebook()
        finally:
            store.close()
    with (sample / "gold_codings.csv").open(encoding="utf-8", newline="") as handle:
        gold = list(csv.DictReader(handle))
    for row in gold:
        row["theme_id"] = book.theme_of(row["code_id"])
        row["role"] = documents[row["document_id"]]["attributes"]["role"]
    return {"documents": documents, "gold": gold, "themes": [theme.id for theme in book.themes()]}


def participant_words(document: dict) -> int:
    text = document["text"]
    return sum(len(text[t["start"] : t["end"]].split()) for t in document["turns"] if t["kind"] == "participant")


def render(facts: dict) -> str:
    """The three README tables as Markdown."""
    documents, gold, themes = facts["documents"], facts["gold"], facts["themes"]
    by_role: dict[str, list[dict]] = defaultdict(list)
    for document in documents.values():
        by_role[document["attributes"]["role"]].append(document)
    roles = sorted(by_role)
    lines = ["| Role | Interviews | Words | Participant words | Gold codings |", "|---|---:|---:|---:|---:|"]
    codings_by_role = Counter(row["role"] for row in gold)
    for role in roles:
        docs = by_role[role]
        lines.append(
            f"| {role} | {len(docs)} | {sum(d['word_count'] for d in docs):,} | "
            f"{sum(participant_words(d) for d in docs):,} | {codings_by_role[role]} |"
        )
    lines.append(
        f"| **All** | {len(documents)} | {sum(d['word_count'] for d in documents.values()):,} | "
        f"{sum(participant_words(d) for d in documents.values()):,} | {len(gold)} |"
    )
    lines += ["", "| Theme | Codings | Distinct codes used | Interviews | Roles |", "|---|---:|---:|---:|---:|"]
    for theme in themes:
        rows = [row for row in gold if row["theme_id"] == theme]
        lines.append(
            f"| `{theme}` | {len(rows)} | {len({r['code_id'] for r in rows})} | "
            f"{len({r['document_id'] for r in rows})} | {len({r['role'] for r in rows})} |"
        )
    lines += ["", "| Role | " + " | ".join(f"`{t}`" for t in themes) + " |", "|---|" + "---:|" * len(themes)]
    cells = Counter((row["role"], row["theme_id"]) for row in gold)
    for role in roles:
        lines.append(f"| {role} | " + " | ".join(str(cells[(role, t)]) for t in themes) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render(sample_facts()))
