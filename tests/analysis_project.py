"""A tiny made-up project for the analysis tests: four interviews, dated out of import order, coded by hand.

    doc  role    date        segment (one per answer)                                            codes
    A1   Parent  2024-01-10  a1 "My benefits stopped when I started the job and my wages were low."  benefits, wages
                             a2 "My sister helps with the forms for the benefits office."            family, benefits
    A2   Parent  2024-01-05  b1 "The wages are low but the job is mine. Sandra at the centre found it." wages
    B1   Worker  2024-01-20  c1 "Families worry about benefits and wages."                          benefits, wages
                             c2 "Nothing to add."                                                   -
    B2   Worker  2024-02-01  d1 "Her sister phones me about the benefits."                          family

Every interviewer asks "Tell me about your work." except B2's, who asks "What about benefits?".
"""

from __future__ import annotations

from pathlib import Path

from qualcode import project
from qualcode.store import NewCoding, Store

ANSWERS = {
    "A1": (
        "Parent",
        "2024-01-10",
        [
            "My benefits stopped when I started the job and my wages were low.",
            "My sister helps with the forms for the benefits office.",
        ],
    ),
    "A2": ("Parent", "2024-01-05", ["The wages are low but the job is mine. Sandra at the centre found it."]),
    "B1": ("Worker", "2024-01-20", ["Families worry about benefits and wages.", "Nothing to add."]),
    "B2": ("Worker", "2024-02-01", ["Her sister phones me about the benefits."]),
}
CODES = {
    "a1": ["benefits", "wages"],
    "a2": ["family", "benefits"],
    "b1": ["wages"],
    "c1": ["benefits", "wages"],
    "d1": ["family"],
}
NAMES = {("A1", 0): "a1", ("A1", 1): "a2", ("A2", 0): "b1", ("B1", 0): "c1", ("B1", 1): "c2", ("B2", 0): "d1"}


def write(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for document_id, (role, date, answers) in ANSWERS.items():
        question = "What about benefits?" if document_id == "B2" else "Tell me about your work."
        lines = ["---", f"id: {document_id}", f"role: {role}", f"date: {date}", "---"]
        for answer in answers:
            lines += [f"Interviewer: {question}", "", f"Respondent: {answer}", ""]
        (folder / f"{document_id}.txt").write_text("\n".join(lines), encoding="utf-8")
    return folder


def build(folder: Path, codebook: Path, location: str | None = None) -> tuple[Store, dict[str, dict]]:
    """The project (in `location`, else a SQLite file in `folder`) and its segments by name (a1 ... d1)."""
    store = project.init_project(location or folder / "analysis.db", codebook)
    report = project.import_transcripts(store, [write(folder / "transcripts")])
    assert report.ok and len(report.imported) == 4, report.notes()
    segments = {}
    for document_id in ANSWERS:
        for position, segment in enumerate(store.segments(document_id)):
            segments[NAMES[(document_id, position)]] = segment
    assert len(segments) == 6
    store.add_codings(
        [
            NewCoding(s["document_id"], s["start"], s["end"], code, "alice", segment_id=s["id"])
            for name, s in segments.items()
            for code in CODES.get(name, [])
        ]
    )
    return store, segments
