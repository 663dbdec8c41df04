"""Memos as first-class notes (export, .qdpx Notes with NoteRefs, masking) and the code report."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pytest
import xmlschema
from click.testing import CliRunner

from qualcode import project
from qualcode.cli import main
from qualcode.errors import MemoError
from qualcode.store import Store

SCHEMA = Path(__file__).parent / "fixtures" / "refi-qda" / "Project.xsd"
NAME = "Priya Raman"


def run(db: str, *args: str):
    return CliRunner().invoke(main, ["--db", db, *map(str, args)], catch_exceptions=False)


@pytest.fixture
def noted(sample_store: Store) -> dict:
    """The sample with a memo of every kind, one naming a person on the identifiers list."""
    coding = sample_store.codings(code_ids=["caseload_pressure"], statuses=["accepted"])[0]
    segment = sample_store.segments("JC01")[2]
    ids = {
        "project": project.add_memo(sample_store, None, "Pilot memo: the sites were chosen by the council.", "ana"),
        "document": project.add_memo(sample_store, "JC01", "Long pauses throughout.", "ben"),
        "segment": project.add_memo(
            sample_store, "JC01", f"{NAME} is mentioned here by first name.", "ana", segment_id=segment["id"]
        ),
        "coding": project.add_memo(
            sample_store, coding["document_id"], "Caseloads again, see SW02.", "ana", coding_id=coding["id"]
        ),
        "code": project.add_memo(sample_store, None, "Merge with time pressure?", "ben", code_id="caseload_pressure"),
    }
    assert run(sample_store.location, "identifiers", "add", NAME).exit_code == 0
    return {"ids": ids, "coding": coding, "segment": segment}


def test_memos_have_a_scope_author_time_and_can_be_searched(sample_store: Store, noted: dict) -> None:
    rows = project.memo_rows(sample_store)
    assert [(r["scope"], r["coder"]) for r in rows] == [
        ("project", "ana"),
        ("document", "ben"),
        ("segment", "ana"),
        ("coding", "ana"),
        ("code", "ben"),
    ]
    assert all(r["created_at"].startswith("20") for r in rows)
    assert [r["scope"] for r in project.memo_rows(sample_store, search="CASELOADS")] == ["coding"]
    with pytest.raises(MemoError):
        project.add_memo(sample_store, None, "   ", "ana")
    with pytest.raises(MemoError) as caught:
        project.add_memo(sample_store, None, "on a code", "ana", code_id="no_such_code")
    assert "no_such_code" in str(caught.value)
    assert [r["action"] for r in sample_store.history(coder="ben")] == ["memo", "memo"]
    # the history names a memo's code only when it is on one (a transcript memo has none)
    assert [r["code_id"] for r in project.history(sample_store, coder="ben")] == ["", "caseload_pressure"]


def test_export_memos_masks_identifiers(sample_store: Store, noted: dict, tmp_path: Path) -> None:
    out = tmp_path / "memos.csv"
    result = run(sample_store.location, "export", "memos", "-o", out)
    assert result.exit_code == 0 and "Wrote 5 memos" in result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["scope"] for r in rows] == ["project", "document", "segment", "coding", "code"]
    assert rows[2]["text"] == "[name] is mentioned here by first name." and rows[2]["author"] == "ana"
    assert NAME not in out.read_text(encoding="utf-8")


def test_qdpx_carries_memos_as_notes_with_noterefs_and_validates(
    sample_store: Store, noted: dict, tmp_path: Path
) -> None:
    out = tmp_path / "noted.qdpx"
    result = run(sample_store.location, "export", "project", "--format", "qdpx", "-o", out)
    assert result.exit_code == 0, result.output
    text = zipfile.ZipFile(out).read("project.qde").decode("utf-8")
    schema = xmlschema.XMLSchema(str(SCHEMA))
    schema.validate(text)
    parsed = schema.to_dict(text)
    listed = [n for n in parsed["Notes"]["Note"] if n["@name"] == "qualcode identifiers"]  # the names to mask
    assert len(listed) == 1 and NAME in listed[0]["PlainTextContent"]
    assert NAME not in text.replace(listed[0]["PlainTextContent"], "") and "[name] is mentioned here" in text
    notes = {n["@guid"]: n for n in parsed["Notes"]["Note"] if n not in listed}
    assert len(notes) == 5 and {u["@name"] for u in parsed["Users"]["User"]} >= {"ana", "ben"}
    project_refs = [r["@targetGUID"] for r in parsed["NoteRef"] if r["@targetGUID"] in notes]
    assert [notes[g]["PlainTextContent"] for g in project_refs] == ["Pilot memo: the sites were chosen by the council."]
    sources = {s["@name"]: s for s in parsed["Sources"]["TextSource"]}
    document_refs = [notes[r["@targetGUID"]]["PlainTextContent"] for r in sources["JC01"].get("NoteRef", [])]
    assert document_refs == ["Long pauses throughout."]
    segment = noted["segment"]
    selection = next(
        s
        for s in sources["JC01"]["PlainTextSelection"]
        if (s["@startPosition"], s["@endPosition"]) == (segment["start"], segment["end"])
    )
    assert [notes[r["@targetGUID"]]["PlainTextContent"] for r in selection["NoteRef"]] == [
        "[name] is mentioned here by first name."
    ]
    coding = noted["coding"]
    coded = next(
        s
        for s in sources[coding["document_id"]]["PlainTextSelection"]
        if (s["@startPosition"], s["@endPosition"]) == (coding["start"], coding["end"])
    )
    assert "Caseloads again, see SW02." in [notes[r["@targetGUID"]]["PlainTextContent"] for r in coded["NoteRef"]]
    assert "Merge with time pressure?" in text and text.index("Merge with time pressure?") > text.index("<Notes>")


def test_code_report_lists_every_passage_of_a_theme_with_speaker_role_coder_and_memo(
    sample_store: Store, noted: dict, tmp_path: Path
) -> None:
    codebook = sample_store.codebook()
    theme = codebook.theme_of("caseload_pressure")
    under = {c.id for c in codebook if codebook.theme_of(c.id) == theme}
    expected = [c for c in sample_store.codings(statuses=["accepted"]) if c["code_id"] in under]
    out = tmp_path / "theme.csv"
    result = run(sample_store.location, "export", "code-report", theme, "-o", out)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == len(expected) and {r["code_id"] for r in rows} == {c["code_id"] for c in expected}
    memo_row = next(r for r in rows if r["quote"] == noted["coding"]["quote"] and r["code_id"] == "caseload_pressure")
    assert "ana" in memo_row["memos"] and "Caseloads again, see SW02." in memo_row["memos"]
    assert all(r["speaker"] and r["role"] and r["coder"] == "gold" for r in rows)
    social = tmp_path / "sw.md"
    assert (
        run(
            sample_store.location,
            "export",
            "code-report",
            "caseload_pressure",
            "-o",
            social,
            "--where",
            "role=Social worker",
        ).exit_code
        == 0
    )
    text = social.read_text(encoding="utf-8")
    roles = {r["role"] for r in rows if r["code_id"] == "caseload_pressure"}
    assert "Social worker" in text and all(
        role not in text.split("# Code report")[1] for role in roles - {"Social worker"}
    )
    for fmt in ("docx", "xlsx"):
        made = tmp_path / f"r.{fmt}"
        assert run(sample_store.location, "export", "code-report", "caseload_pressure", "-o", made).exit_code == 0
        assert zipfile.is_zipfile(made)
    unknown = run(sample_store.location, "export", "code-report", "caseload", "-o", tmp_path / "x.md")
    assert unknown.exit_code == 1 and "code `caseload` is not in the codebook" in unknown.output
    assert not (tmp_path / "x.md").exists()
