"""The command line a researcher uses: init, import, documents, segments, export segments, and its errors."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest
from conftest import CODEBOOK, Cli
from fixtures.make_fixtures import A1, UNDECODABLE, build
from test_store import table_contents


@pytest.fixture
def project_dir(tmp_path: Path, cli) -> Path:
    """A folder of fixture transcripts with a participants.csv, and an initialised store."""
    folder = tmp_path / "interviews"
    build(folder)
    (folder / "participants.csv").write_text("id,role,site\nword_table2,Job coach,Site A\nzoom,Family member,Site B\n")
    result = cli("init", "--codebook", CODEBOOK)
    assert result.exit_code == 0, result.stderr
    return folder


def one_sentence_error(result) -> str:
    """The single `Error: ...` line a failing command prints (beside any warnings), with no traceback."""
    lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("warning: ")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ") and "Traceback" not in result.stderr + result.output
    return lines[0]


def test_init_refuses_to_overwrite(cli, project_dir):
    before = cli.db.read_bytes()
    result = cli("init", "--codebook", CODEBOOK)
    assert result.exit_code != 0
    assert str(cli.db) in one_sentence_error(result)
    assert cli.db.read_bytes() == before


def test_import_reports_each_file_with_its_encoding(cli, project_dir):
    result = cli("import", project_dir, "--interviewer", "Dana", "--interviewer", "Dana Smith")
    assert result.exit_code == 0, result.stderr
    lines = {line.split()[1]: line for line in result.output.splitlines() if line.startswith("imported")}
    assert len(lines) == 24
    for document_id, encoding in [
        ("enc_cp1252", "cp1252"),
        ("enc_utf16_bom", "utf-16"),
        ("enc_utf16_nobom", "utf-16-le"),
        ("enc_utf8_bom", "utf-8-sig"),
        ("enc_utf8", "utf-8"),
    ]:
        assert f"(txt, {encoding};" in lines[document_id]
    assert "(docx;" in lines["word_table2"] and "(vtt, utf-8;" in lines["teams"]
    assert "24 imported, 0 refused, 0 unchanged" in result.output


def test_import_is_idempotent(cli, project_dir):
    assert cli("import", project_dir).exit_code == 0
    before = table_contents(cli.db)
    again = cli("import", project_dir)
    assert again.exit_code == 0
    assert "0 imported, 0 refused, 24 unchanged" in again.output
    assert table_contents(cli.db) == before


def test_a_changed_file_is_refused_unless_replace(cli, project_dir):
    assert cli("import", project_dir).exit_code == 0
    before = table_contents(cli.db)
    (project_dir / "labels_int_p1.txt").write_text(f"INT: A different question?\nP1: {A1}\n")
    refused = cli("import", project_dir)
    assert refused.exit_code != 0
    error = one_sentence_error(refused)
    assert "labels_int_p1.txt" in error and "--replace" in error
    assert table_contents(cli.db) == before
    replaced = cli("import", project_dir, "--replace")
    assert replaced.exit_code == 0, replaced.stderr
    assert "replaced  labels_int_p1" in replaced.output
    assert table_contents(cli.db) != before


def test_an_undecodable_file_is_refused_and_the_rest_imported(cli, project_dir):
    (project_dir / "garbled.txt").write_bytes(UNDECODABLE)
    result = cli("import", project_dir)
    assert result.exit_code != 0
    error = one_sentence_error(result)
    assert "garbled.txt" in error and "UTF-8" in error
    assert "24 imported, 1 refused, 0 unchanged" in result.output


def test_a_project_or_codebook_file_given_as_a_transcript_names_the_command_that_reads_it(cli, project_dir, tmp_path):
    (tmp_path / "study.qdpx").write_bytes(b"PK")
    (tmp_path / "codes.qdc").write_text("<CodeBook/>", encoding="utf-8")
    before = cli("documents").output
    result = cli("import", tmp_path / "study.qdpx", tmp_path / "codes.qdc")
    assert result.exit_code != 0
    assert "study.qdpx: is a whole project" in result.output and "`qualcode import project FILE.qdpx`" in result.output
    assert "codes.qdc: is a codebook" in result.output and "`qualcode codebook import FILE`" in result.output
    assert "0 imported, 2 refused" in result.output and cli("documents").output == before


def test_errors_are_one_sentence_without_traceback_unless_debug(cli, tmp_path):
    missing = cli("documents")
    assert missing.exit_code != 0
    assert str(cli.db) in one_sentence_error(missing)
    debug = cli("--debug", "documents")
    assert debug.exit_code != 0
    assert "Traceback" in debug.stderr and "StoreError" in debug.stderr


def test_an_unexpected_failure_says_so_and_debug_shows_where(cli, project_dir, monkeypatch):
    import qualcode.store as store_module

    def crash(*args, **kwargs):
        raise RuntimeError("disk unplugged")

    monkeypatch.setattr(store_module, "_insert_documents", crash)
    result = cli("import", project_dir)
    assert result.exit_code == 2
    assert "failed unexpectedly" in one_sentence_error(result) and "--debug" in result.stderr
    with pytest.raises(RuntimeError):
        cli("--debug", "import", project_dir)
    assert not cli("documents").output.splitlines()[1:]


def test_documents_lists_roles_and_counts(cli, project_dir):
    cli("import", project_dir)
    result = cli("documents")
    assert result.exit_code == 0
    header, *rows = result.output.splitlines()
    assert header.split()[:2] == ["id", "role"]
    by_id = {row.split()[0]: row for row in rows}
    assert len(by_id) == 24
    assert "Job coach" in by_id["word_table2"] and "Family member" in by_id["zoom"]
    assert "Job coach" in by_id["MD7"]  # from the Markdown front matter


def test_segments_of_one_document(cli, project_dir):
    cli("import", project_dir)
    result = cli("segments", "--document", "word_table2")
    assert result.exit_code == 0
    assert A1 in result.output and "How did you first hear" not in result.output
    unknown = cli("segments", "--document", "nobody")
    assert unknown.exit_code != 0 and "nobody" in one_sentence_error(unknown)


def test_export_segments_text_equals_document_text_at_offsets(cli, project_dir, tmp_path):
    cli("import", project_dir, "--interviewer", "Dana Smith")
    out = tmp_path / "segments.csv"
    result = cli("export", "segments", "--format", "csv", "-o", out)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["document_id", "role", "segment_id", "start", "end", "speaker", "media_time", "text"]
    connection = sqlite3.connect(cli.db)
    texts = dict(connection.execute("select id, text from documents"))
    connection.close()
    assert {row["document_id"] for row in rows} == set(texts)
    for row in rows:
        assert texts[row["document_id"]][int(row["start"]) : int(row["end"])] == row["text"]
    assert {row["role"] for row in rows if row["document_id"] == "zoom"} == {"Family member"}
    assert not any(row["speaker"] in ("Interviewer", "Dana Smith", "INT", "I", "Q") for row in rows)


def test_interviewer_option_changes_who_is_coded(cli, project_dir, tmp_path):
    cli("import", project_dir / "configured_dana.txt", "--interviewer", "Dana")
    out = tmp_path / "segments.csv"
    cli("export", "segments", "-o", out)
    speakers = {row["speaker"] for row in csv.DictReader(out.open(encoding="utf-8"))}
    assert speakers == {"Sam"}


def test_reimporting_with_other_interviewer_labels_says_why_it_is_refused(cli, project_dir):
    assert cli("import", project_dir / "configured_dana.txt", "--interviewer", "Dana").exit_code == 0
    assert "1 unchanged" in cli("import", project_dir / "configured_dana.txt", "--interviewer", "Dana").output
    refused = cli("import", project_dir / "configured_dana.txt")
    assert refused.exit_code != 0
    error = one_sentence_error(refused)
    assert "same text but other speaker turns" in error and "--interviewer" in error


def test_a_copy_of_a_transcript_under_another_name_is_named_as_such(cli, project_dir, tmp_path):
    assert cli("import", project_dir).exit_code == 0
    copy = tmp_path / "copies" / "p1_again.txt"
    copy.parent.mkdir()
    copy.write_bytes((project_dir / "labels_int_p1.txt").read_bytes())
    result = cli("import", copy)
    assert result.exit_code == 0, result.stderr
    assert "p1_again.txt: holds the same transcript as `labels_int_p1`" in result.stderr


def test_a_folder_holding_no_transcript_imports_nothing_and_says_so(cli, project_dir, tmp_path):
    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "interview.pdf").write_bytes(b"%PDF-1.4")
    (folder / "README.md").write_text("About these files.\n")
    before = table_contents(cli.db)
    result = cli("import", folder)
    assert result.exit_code == 1
    assert "interview.pdf is a .pdf file, not read as a transcript; save it as one of" in result.stderr
    assert "README.md is not a transcript" in result.stderr
    assert one_sentence_error(result).startswith("Error: no transcript was found to import (2 files skipped)")
    assert table_contents(cli.db) == before


def test_a_transcript_with_no_interviewer_recognised_says_so(cli, project_dir, tmp_path):
    call = tmp_path / "call.txt"
    call.write_text(
        "Sara Lind: What brought you to the job centre?\nTom Reyes: My benefits advisor sent me there.\n"
        "Sara Lind: And what happened next?\nTom Reyes: They found me a placement at the garden centre.\n",
        encoding="utf-8",
    )
    result = cli("import", call)
    assert result.exit_code == 0, result.stderr
    assert (
        "no interviewer recognised in" in result.stderr and "both speakers are coded as participants" in result.stderr
    )
    assert "--role interviewer" in result.stderr
    named = cli("import", call, "--replace", "--interviewer", "Sara Lind")
    assert named.exit_code == 0 and "no interviewer recognised" not in named.stderr
    calls = [tmp_path / f"call{n}.txt" for n in range(2, 9)]
    for n, path in enumerate(calls):
        path.write_text(call.read_text(encoding="utf-8").replace("job centre", f"job centre {n}"), encoding="utf-8")
    several = cli("import", *calls)
    assert several.exit_code == 0 and several.stderr.count("no interviewer recognised") == 1  # one sentence for all
    assert f"no interviewer recognised in 7 files ({calls[0]}, " in several.stderr and "and 2 more)" in several.stderr


def test_a_participants_file_naming_an_unknown_transcript_is_named_itself(cli, project_dir, tmp_path):
    meta = tmp_path / "roles_2024.csv"
    meta.write_text("id,role\nzoom,Job coach\nnobody_here,Family member\n", encoding="utf-8")
    result = cli("import", project_dir, "--meta", meta)
    assert result.exit_code == 0, result.stderr
    assert f"{meta} names `nobody_here`, which is not a document" in result.stderr


def test_init_in_a_folder_that_does_not_exist_says_so_and_makes_nothing(tmp_path):
    missing = tmp_path / "studdy" / "2024"
    result = Cli(missing / "project.db")("init", "--codebook", CODEBOOK)
    assert result.exit_code != 0
    assert f"{missing}: no such folder; create it first" in one_sentence_error(result)
    assert not (tmp_path / "studdy").exists()


def test_suggest_for_an_unknown_transcript_prints_only_its_error(cli, project_dir):
    assert cli("import", project_dir).exit_code == 0
    result = cli("suggest", "--document", "NOPE")
    assert result.exit_code == 1
    assert one_sentence_error(result).startswith("Error: no document `NOPE`")
    assert "Reading passages" not in result.output + result.stderr
