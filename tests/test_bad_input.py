"""Hostile and broken input at every entry point: refused in one sentence naming the file, the store unchanged.

Each case builds its file in the test (a YAML alias bomb, a zip bomb, a PNG called
.txt, a lone surrogate, ...), runs the command a researcher would, and checks the
refusal is one `Error:` line naming the file, that the exit status is not 0, and that
the store's bytes did not change. A folder holding every bad transcript and two good
ones imports the good ones and exits 3. Cases that would eat memory if a limit
regressed run in a subprocess under an address-space limit, so they fail instead.
"""

from __future__ import annotations

import io
import os
import resource
import shutil
import sqlite3
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from conftest import SMALL_CODEBOOK

from qualcode import project
from qualcode.cli import main
from qualcode.store import Store

GOOD = "Interviewer: How was work this week?\n\nSam: The wage was late again.\n\nInterviewer: And then?\n\nSam: My benefits stopped.\n"
WAGE = GOOD.index("wage")
MEMORY_LIMIT = 1536 * 1024 * 1024  # address space for the memory-hungry cases: a regression fails instead of swapping


# -- builders of hostile files -------------------------------------------------------------
def alias_bomb(levels: int = 9) -> str:
    """Nested YAML anchors: ~450 bytes that expand to 9**9 strings when aliases are followed."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def front_matter(yaml_text: str, body: str = GOOD) -> str:
    return f"---\n{yaml_text}---\n{body}"


def docx_bytes(text: str = "Sam: The wage was late.") -> bytes:
    document = docx.Document()
    for line in ["Interviewer: How was work?", text, "Interviewer: And then?", "Sam: My benefits stopped."]:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_with(member: str, data: bytes) -> bytes:
    """A real .docx whose member is replaced by `data`."""
    source = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, data if info.filename == member else source.read(info.filename))
    return out.getvalue()


def corrupt_member(data: bytes, member: str) -> bytes:
    """A zip whose member's compressed bytes are damaged (its CRC no longer matches)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    damaged = bytearray(data)
    for i in range(start + 10, start + min(info.compress_size, 200)):
        damaged[i] ^= 0x5A
    return bytes(damaged)


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


QDE = (
    '<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="p">'
    '<CodeBook><Codes><Code guid="{0}" name="Money" isCodable="true"/></Codes></CodeBook>'
    '<Sources><TextSource guid="{1}" name="{name}" plainTextPath="internal://{1}.txt"/></Sources></Project>'
)
G1, G2 = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"


def qdpx(
    name: str = "P1.txt", text: str = GOOD, qde: str | None = None, extra: dict[str, bytes] | None = None
) -> bytes:
    xml = qde if qde is not None else QDE.replace("{0}", G1).replace("{1}", G2).replace("{name}", name)
    return zip_of({"project.qde": xml.encode(), f"sources/{G2}.txt": text.encode(), **(extra or {})})


def nested_xml(depth: int, root: str = "Project") -> bytes:
    return (
        f'<?xml version="1.0"?><{root} xmlns="urn:QDA-XML:project:1.0">' + "<a>" * depth + "</a>" * depth + f"</{root}>"
    ).encode()


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><CodeBook xmlns="urn:QDA-XML:codebook:1.0">&lol3;</CodeBook>'
)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    + bytes(64)
)
LONG_PARAGRAPH = "Interviewer: Go on.\n\nSam: " + "word " * 200_001 + "\n"
UTF16_LONE_SURROGATE = b"\xff\xfe" + "Sam: hello ".encode("utf-16-le") + b"\x00\xd8" + "there".encode("utf-16-le")
CSV_HEADER = "document_id,start,end,code_id,quote\n"


# -- the table: (case id, file name, content, command (None: import), words the sentence holds, environment) ----
Case = tuple[str, str, "bytes | str", "list[str] | None", list[str], dict[str, str]]
TRANSCRIPTS: list[Case] = [
    ("txt-alias-bomb", "bomb.txt", front_matter(alias_bomb() + "role: *a8\n"), None, ["alias", "anchor"], {}),
    ("md-alias-bomb", "bomb.md", front_matter(alias_bomb() + "role: *a8\n"), None, ["anchor"], {}),
    (
        "md-deep-yaml",
        "deep.md",
        front_matter("role: " + "[" * 500 + "]" * 500 + "\n"),
        None,
        ["deeper", "QUALCODE_MAX_DEPTH"],
        {},
    ),
    ("txt-png", "picture.txt", PNG, None, ["binary"], {}),
    ("txt-nul", "nul.txt", GOOD.encode() + b"\x00\x00garbage", None, ["NUL"], {}),
    ("txt-too-large", "large.txt", GOOD * 40_000, None, ["MB", "QUALCODE_MAX_FILE_MB"], {"QUALCODE_MAX_FILE_MB": "1"}),
    ("txt-lone-surrogate-yaml", "surrogate.txt", front_matter('title: "\\ud800"\n'), None, ["surrogate"], {}),
    ("txt-lone-surrogate-utf16", "surrogate16.txt", UTF16_LONE_SURROGATE, None, ["UTF-16", "broken"], {}),
    ("txt-long-paragraph", "paragraph.txt", LONG_PARAGRAPH, None, ["1,000,000", "QUALCODE_MAX_PARAGRAPH_CHARS"], {}),
    (
        "txt-id-dotdot",
        "escape.txt",
        front_matter("id: ../../etc/passwd\n"),
        None,
        ["../../etc/passwd", "document id"],
        {},
    ),
    ("txt-id-newline", "newline.txt", front_matter('id: "P1\\nP2"\n'), None, ["P1\\nP2", "document id"], {}),
    ("txt-id-nul", "nulid.txt", front_matter('id: "P1\\0"\n'), None, ["document id"], {}),
    ("docx-not-zip", "notzip.docx", b"this is not a word file", None, ["Word"], {}),
    (
        "docx-bad-xml",
        "badxml.docx",
        docx_with("word/document.xml", b"<w:document><w:body><unclosed></w:document>"),
        None,
        ["Word"],
        {},
    ),
    ("docx-laughs", "laughs.docx", docx_with("word/document.xml", LAUGHS), None, ["DOCTYPE"], {}),
    (
        "docx-deep",
        "deep.docx",
        docx_with(
            "word/document.xml",
            nested_xml(5000, "w:document").replace(
                b'xmlns="urn:QDA-XML:project:1.0"',
                b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"',
            ),
        ),
        None,
        ["Word"],
        {},
    ),
    (
        "docx-zip-bomb",
        "bomb.docx",
        docx_with("word/document.xml", b" " * (3 * 1024 * 1024)),
        None,
        ["expands", "QUALCODE_MAX_FILE_MB"],
        {"QUALCODE_MAX_FILE_MB": "1"},
    ),
    ("docx-bad-member", "crc.docx", corrupt_member(docx_bytes(), "word/document.xml"), None, ["word/document.xml"], {}),
    ("vtt-png", "call.vtt", PNG, None, ["binary"], {}),
    (
        "vtt-too-large",
        "call2.vtt",
        "WEBVTT\n\n" + "00:00:01.000 --> 00:00:02.000\nSam: hi\n\n" * 30_000,
        None,
        ["QUALCODE_MAX_FILE_MB"],
        {"QUALCODE_MAX_FILE_MB": "1"},
    ),
    ("srt-nul", "call.srt", b"1\n00:00:01,000 --> 00:00:02,000\nSam: hi\x00\x00\n", None, ["NUL"], {}),
]
OTHER_FILES: list[Case] = [
    (
        "participants-ragged",
        "participants.csv",
        "id,role\nP1,Job coach,extra,cells\n",
        ["import", "good.txt", "--meta", "{file}"],
        ["line 2", "cells"],
        {},
    ),
    (
        "participants-huge-cell",
        "people.csv",
        'id,role\nP1,"' + "x" * 3000 + '"\n',
        ["import", "good.txt", "--meta", "{file}"],
        ["line 2", "QUALCODE_MAX_CSV_FIELD_KB"],
        {"QUALCODE_MAX_CSV_FIELD_KB": "1"},
    ),
    ("participants-png", "pictures.csv", PNG, ["import", "good.txt", "--meta", "{file}"], ["binary"], {}),
    (
        "codings-huge-cell",
        "codings.csv",
        CSV_HEADER + 'good,0,3,money,"' + "x" * 3000 + '"\n',
        ["import-codings", "{file}", "--coder", "ana"],
        ["QUALCODE_MAX_CSV_FIELD_KB"],
        {"QUALCODE_MAX_CSV_FIELD_KB": "1"},
    ),
    (
        "codings-unclosed-quote",
        "codings2.csv",
        CSV_HEADER + 'good,0,3,money,"' + "x" * 2_000_000 + "\n",
        ["import-codings", "{file}", "--coder", "ana"],
        ["KB", "quotes"],
        {},
    ),
    ("codings-png", "codings3.csv", PNG, ["import-codings", "{file}", "--coder", "ana"], ["binary"], {}),
    (
        "gold-huge-cell",
        "gold.csv",
        CSV_HEADER + 'good,0,3,money,"' + "x" * 3000 + '"\n',
        ["evaluate", "--gold", "{file}"],
        ["QUALCODE_MAX_CSV_FIELD_KB"],
        {"QUALCODE_MAX_CSV_FIELD_KB": "1"},
    ),
    (
        "gold-nul",
        "gold2.csv",
        CSV_HEADER.encode() + b"good,0,3,money\x00,x\n",
        ["evaluate", "--gold", "{file}"],
        ["NUL"],
        {},
    ),
    (
        "codebook-alias-bomb",
        "bomb.yaml",
        alias_bomb() + "name: x\ncodes:\n  - id: a\n    label: *a8\n",
        ["init", "--codebook", "{file}"],
        ["anchor", "alias"],
        {},
    ),
    (
        "codebook-alias-bomb-init",
        "bomb2.yaml",
        alias_bomb() + "name: x\ncodes:\n  - id: a\n    label: *a8\n",
        ["codebook", "import", "{file}"],
        ["anchor"],
        {},
    ),
    (
        "codebook-deep-yaml",
        "deep.yaml",
        "name: x\ncodes:\n  - id: a\n    label: " + "[" * 2000 + "]" * 2000 + "\n",
        ["codebook", "import", "{file}"],
        ["deeper", "QUALCODE_MAX_DEPTH"],
        {},
    ),
    (
        "codebook-parent-chain",
        "chain.yaml",
        "name: x\ncodes:\n"
        + "".join(f"  - id: c{i}\n    label: C{i}\n" + (f"    parent: c{i - 1}\n" if i else "") for i in range(1100)),
        ["codebook", "import", "{file}"],
        ["levels", "QUALCODE_MAX_DEPTH"],
        {},
    ),
    (
        "codebook-surrogate",
        "surrogate.yaml",
        'name: x\ncodes:\n  - id: a\n    label: "\\ud800"\n',
        ["codebook", "import", "{file}"],
        ["surrogate"],
        {},
    ),
    (
        "codebook-too-large",
        "large.yaml",
        "name: x\ncodes:\n  - id: a\n    label: A\n" + "# padding\n" * 150_000,
        ["codebook", "import", "{file}"],
        ["QUALCODE_MAX_FILE_MB"],
        {"QUALCODE_MAX_FILE_MB": "1"},
    ),
    ("qdc-laughs", "laughs.qdc", LAUGHS, ["codebook", "import", "{file}"], ["entities"], {}),
    (
        "qdc-deep",
        "deep.qdc",
        nested_xml(3000, "CodeBook"),
        ["codebook", "import", "{file}"],
        ["deeper", "QUALCODE_MAX_DEPTH"],
        {},
    ),
    ("qdc-broken", "broken.qdc", b"<CodeBook><Codes>", ["codebook", "import", "{file}"], ["broken"], {}),
    (
        "qdpx-zip-bomb",
        "bomb.qdpx",
        qdpx(extra={f"sources/{G2}.txt": b" " * (3 * 1024 * 1024)}),
        ["import", "project", "{file}"],
        ["expands", "QUALCODE_MAX_FILE_MB"],
        {"QUALCODE_MAX_FILE_MB": "1"},
    ),
    (
        "qdpx-two-qde",
        "twice.qdpx",
        zip_of({"project.qde": b"<Project/>", "PROJECT.QDE": b"<Project/>"}),
        ["import", "project", "{file}"],
        ["project.qde", "PROJECT.QDE"],
        {},
    ),
    ("qdpx-not-zip", "plain.qdpx", b"hello", ["import", "project", "{file}"], ["zip"], {}),
    (
        "qdpx-bad-member",
        "crc.qdpx",
        corrupt_member(qdpx(text=GOOD * 50), "project.qde"),
        ["import", "project", "{file}"],
        ["project.qde"],
        {},
    ),
    (
        "qdpx-deep",
        "deep.qdpx",
        zip_of({"project.qde": nested_xml(3000)}),
        ["import", "project", "{file}"],
        ["deeper"],
        {},
    ),
    (
        "qdpx-laughs",
        "laughs.qdpx",
        zip_of({"project.qde": LAUGHS.replace(b"CodeBook", b"Project")}),
        ["import", "project", "{file}"],
        ["entities"],
        {},
    ),
    (
        "qdpx-id-dotdot",
        "escape.qdpx",
        qdpx(name="../../evil.txt"),
        ["import", "project", "{file}"],
        ["../../evil", "document id"],
        {},
    ),
    (
        "restore-not-sqlite",
        "backup.db",
        b"not a database at all" * 10,
        ["restore", "{file}"],
        ["not a qualcode store"],
        {},
    ),
]


# -- fixtures ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def base_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small store built once: the small codebook and one good transcript, `good`."""
    folder = tmp_path_factory.mktemp("base")
    (folder / "small.yaml").write_text(SMALL_CODEBOOK, encoding="utf-8")
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    store = project.init_project(folder / "base.db", folder / "small.yaml")
    assert project.import_transcripts(store, [folder / "good.txt"]).ok
    store.close()
    return folder / "base.db"


@pytest.fixture
def db(base_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "project.db"
    shutil.copy(base_db, path)
    return path


def run(db: Path | str, args: list[str], cwd: Path, env: dict[str, str] | None = None):
    """`qualcode --db DB ARGS` in-process, from `cwd`, with extra environment variables."""
    runner = CliRunner()
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, ["--db", str(db), *args], env=env or {}, catch_exceptions=False)
    finally:
        os.chdir(old)


def refusal(result) -> str:
    """The one `Error:` sentence of a refused command (no traceback, non-zero exit)."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code not in (0, 2), (result.exit_code, result.output)
    assert "Traceback" not in result.output and "failed unexpectedly" not in result.output, result.output
    errors = [line for line in lines if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def write(folder: Path, name: str, content: bytes | str) -> Path:
    path = folder / name
    path.write_bytes(content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content)
    return path


# -- every bad file at its entry point -------------------------------------------------------
@pytest.mark.parametrize("case", TRANSCRIPTS + OTHER_FILES, ids=[c[0] for c in TRANSCRIPTS + OTHER_FILES])
def test_bad_file_is_refused_in_one_sentence_and_the_store_is_unchanged(case: Case, db: Path, tmp_path: Path) -> None:
    _, name, content, command, words, env = case
    write(tmp_path, "good.txt", GOOD)
    path = write(tmp_path, name, content)
    before = db.read_bytes()
    args = [a.replace("{file}", name) for a in command] if command else ["import", name]
    sentence = refusal(run(db, args, tmp_path, env))
    assert name in sentence, sentence
    for word in words:
        assert word in sentence, (word, sentence)
    assert db.read_bytes() == before
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0 or db.read_bytes() == before
    assert path.exists()


def test_a_folder_import_keeps_the_good_files_names_each_refused_one_and_exits_3(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    for _, name, content, command, _, env in TRANSCRIPTS:
        if command is None and not env:
            write(folder, name, content)
    write(folder, "fresh_one.txt", GOOD.replace("wage", "salary"))
    write(folder, "fresh_two.md", GOOD.replace("wage", "pay packet"))
    refused = [c for c in TRANSCRIPTS if not c[5]]
    result = run(db, ["import", "batch"], tmp_path)
    assert result.exit_code == 3, result.output
    assert f"2 imported, {len(refused)} refused" in result.stdout
    for _, name, *_ in refused:
        assert any(line.startswith("Error: ") and name in line for line in result.stderr.splitlines()), name
    store = Store.open(db)
    assert {"good", "fresh_one", "fresh_two"} <= set(store.document_hashes())
    store.close()


def test_an_import_where_every_file_is_refused_exits_1(db: Path, tmp_path: Path) -> None:
    write(tmp_path, "picture.txt", PNG)
    assert run(db, ["import", "picture.txt"], tmp_path).exit_code == 1


def test_utf8_with_one_stray_byte_stays_utf8_and_says_where(db: Path, tmp_path: Path) -> None:
    text = "Interviewer: Olá, como está?\n\nSam: A situação é difícil, não sei.\n"
    data = text.encode("utf-8").replace("difícil".encode(), b"dif\x92cil")
    write(tmp_path, "stray.txt", data)
    result = run(db, ["import", "stray.txt"], tmp_path)
    assert result.exit_code == 0, result.output
    assert "stray.txt: 1 byte that is not UTF-8" in result.stderr and "line 3, column 22" in result.stderr
    store = Store.open(db)
    stored = store.document("stray")
    store.close()
    assert "situação" in stored["text"] and "dif\ufffdcil" in stored["text"] and stored["encoding"] == "utf-8"


def test_a_windows_1252_file_is_still_read_as_windows_1252(db: Path, tmp_path: Path) -> None:
    write(tmp_path, "cp.txt", "Interviewer: Hello?\n\nSam: It’s café time.\n".encode("cp1252"))
    result = run(db, ["import", "cp.txt"], tmp_path)
    assert result.exit_code == 0 and "(txt, cp1252;" in result.stdout


# -- the store location itself --------------------------------------------------------------
def test_db_that_is_a_folder_a_foreign_file_or_an_unreachable_server_is_one_sentence(tmp_path: Path) -> None:
    folder = tmp_path / "afolder"
    folder.mkdir()
    foreign = write(tmp_path, "notes.db", b"these are my notes, not a database\n" * 20)
    for location, words in [
        (folder, "is a folder"),
        (foreign, "not a qualcode store"),
        ("postgresql+psycopg://someone:secret@127.0.0.1:1/nowhere", "cannot be reached"),
    ]:
        for args in (["documents"], ["import", "x.txt"], ["suggest"]):
            sentence = refusal(run(str(location), args, tmp_path))
            assert words in sentence and "secret" not in sentence, sentence
        checked = run(str(location), ["check"], tmp_path)
        assert checked.exit_code == 1 and words in checked.stderr and "Traceback" not in checked.output
    assert foreign.read_bytes() == b"these are my notes, not a database\n" * 20


def damage(path: Path, tables: tuple[str, ...] = ("segments", "ix_segments_document", "ix_codings_document")) -> None:
    """Overwrite the pages of some tables and indexes of a SQLite file with noise, as a failing disk would."""
    connection = sqlite3.connect(path)
    pages = [
        row[0]
        for row in connection.execute(
            f"SELECT pageno FROM dbstat WHERE name IN ({','.join('?' * len(tables))})", tables
        )
    ]
    connection.close()
    data = bytearray(path.read_bytes())
    size = int.from_bytes(data[16:18], "big") or 65536
    for page in pages:
        data[(page - 1) * size : page * size] = bytes([0x5A]) * size
    path.write_bytes(bytes(data))


@pytest.fixture
def damaged(db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "damaged.db"
    shutil.copy(db, path)
    damage(path)
    return path


def test_check_names_a_damaged_store_and_what_to_do(damaged: Path, tmp_path: Path) -> None:
    result = run(damaged, ["check"], tmp_path)
    assert result.exit_code == 1
    assert "damaged" in result.stderr and "qualcode recover" in result.stderr and "Traceback" not in result.output
    sentence = refusal(run(damaged, ["documents"], tmp_path))
    assert "damaged" in sentence and str(damaged) in sentence


def test_restore_works_onto_a_damaged_store_and_keeps_it_aside(db: Path, damaged: Path, tmp_path: Path) -> None:
    backup = tmp_path / "backup.db"
    assert run(db, ["backup", str(backup)], tmp_path).exit_code == 0
    broken = damaged.read_bytes()
    result = run(damaged, ["restore", str(backup)], tmp_path)
    assert result.exit_code == 0, result.output
    kept = [
        p
        for p in tmp_path.iterdir()
        if p.name.startswith("damaged.db.damaged.") and not p.name.endswith(("-wal", "-shm"))
    ]
    assert len(kept) == 1 and kept[0].read_bytes() == broken
    assert run(damaged, ["check"], tmp_path).exit_code == 0


def test_restore_onto_a_missing_store_creates_it(db: Path, tmp_path: Path) -> None:
    backup = tmp_path / "backup.db"
    assert run(db, ["backup", str(backup)], tmp_path).exit_code == 0
    missing = tmp_path / "new" / "missing.db"
    missing.parent.mkdir()
    assert run(missing, ["restore", str(backup)], tmp_path).exit_code == 0
    assert run(missing, ["check"], tmp_path).exit_code == 0


def test_recover_copies_every_readable_row_and_reports_what_was_lost(damaged: Path, tmp_path: Path) -> None:
    before = damaged.read_bytes()
    result = CliRunner().invoke(
        main, ["recover", str(damaged), "-o", str(tmp_path / "recovered.db")], catch_exceptions=False
    )
    assert result.exit_code == 1, result.output  # something was lost, and the exit status says so
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert (
        "unreadable" in lines["segments"]
        and "1 rows copied" in lines["documents"]
        and "5 rows copied" in lines["codes"]
    )
    assert damaged.read_bytes() == before
    assert run(tmp_path / "recovered.db", ["check"], tmp_path).exit_code == 0
    store = Store.open(tmp_path / "recovered.db")
    assert len(store.codebook()) == 5 and set(store.document_hashes()) == {"good"}
    store.close()


def test_a_store_without_a_codebook_is_named_by_check_and_replaced_by_init(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    store = Store.create(empty)  # what a stopped init of an older qualcode left: a schema, no codebook
    store.close()
    sentence = run(empty, ["check"], tmp_path).stderr
    assert "holds no codebook" in sentence and "init" in sentence
    (tmp_path / "small.yaml").write_text(SMALL_CODEBOOK, encoding="utf-8")
    assert run(empty, ["init", "--codebook", "small.yaml"], tmp_path).exit_code == 0
    assert run(empty, ["check"], tmp_path).exit_code == 0


def test_a_read_only_store_can_be_read_and_refuses_writes_in_a_sentence(db: Path, tmp_path: Path) -> None:
    os.chmod(db, 0o444)
    try:
        before = db.read_bytes()
        listed = run(db, ["documents"], tmp_path)
        assert listed.exit_code == 0 and "good" in listed.stdout
        assert run(db, ["check"], tmp_path).exit_code == 0
        sentence = refusal(run(db, ["identifiers", "add", "Sam"], tmp_path))
        assert "read-only" in sentence and str(db) in sentence
        assert db.read_bytes() == before
    finally:
        os.chmod(db, 0o644)


# -- process edges and repeated imports -------------------------------------------------------
def test_suggest_on_a_store_without_transcripts_is_a_sentence(tmp_path: Path) -> None:
    (tmp_path / "small.yaml").write_text(SMALL_CODEBOOK, encoding="utf-8")
    empty = tmp_path / "empty.db"
    assert run(empty, ["init", "--codebook", "small.yaml"], tmp_path).exit_code == 0
    sentence = refusal(run(empty, ["suggest"], tmp_path))
    assert "no transcripts" in sentence


def test_import_codings_twice_adds_nothing_the_second_time(db: Path, tmp_path: Path) -> None:
    row = f"good,{WAGE},{WAGE + 4},wages,wage\n"
    write(tmp_path, "codings.csv", CSV_HEADER + row + row)
    first = run(db, ["import-codings", "codings.csv", "--coder", "ana"], tmp_path)
    assert first.exit_code == 0 and "Imported 1 coding" in first.stdout and "1 was already" in first.stdout

    second = run(db, ["import-codings", "codings.csv", "--coder", "ana"], tmp_path)
    assert (
        second.exit_code == 0
        and "Imported 0 codings" in second.stdout
        and "2 were already in the store" in second.stdout
    )
    store = Store.open(db)
    assert len(store.codings(coders=["ana"])) == 1
    store.close()


# -- app uploads -------------------------------------------------------------------------------
def test_the_import_page_refuses_bad_uploads_by_name_and_imports_the_good_one(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest
    from test_app import APP, PAGES

    monkeypatch.setenv("QUALCODE_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.sidebar.text_input(key="coder").input("ana")
    at.switch_page(PAGES + "page_import.py").run()
    uploads = at.file_uploader(key="transcripts")
    uploads.upload("picture.txt", PNG, "text/plain")
    uploads.upload("bomb.md", front_matter(alias_bomb() + "role: *a8\n").encode(), "text/markdown")
    uploads.upload("fresh.txt", GOOD.replace("wage", "salary").encode(), "text/plain")
    at.button[0].click().run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert any("picture.txt" in e and "binary" in e for e in errors), errors
    assert any("bomb.md" in e and "anchor" in e for e in errors), errors
    store = Store.open(db)
    assert "fresh" in store.document_hashes() and "picture" not in store.document_hashes()
    store.close()


# -- memory-hungry inputs, under an address-space limit ------------------------------------------
def _limited(code: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run Python code in a subprocess whose address space is capped, so a regression fails rather than eats the machine."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, preexec_fn=cap, capture_output=True, text=True, timeout=120
    )


def big_zip(path: Path, small: bytes, member: str, megabytes: int, prefix: bytes = b"", suffix: bytes = b"") -> None:
    """A copy of the zip `small` with `member` replaced by `megabytes` MB of one repeated byte (a zip bomb).

    The deflate stream is one fully flushed block repeated, so a bomb of hundreds of
    MB is written in a fraction of a second; the zip structure is written by hand.
    """
    source = zipfile.ZipFile(io.BytesIO(small))
    entries = [(info.filename, source.read(info.filename)) for info in source.infolist() if info.filename != member]
    chunk = b"a" * (1024 * 1024)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = packer.compress(prefix) + packer.flush(zlib.Z_FULL_FLUSH)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    tail = packer.compress(suffix) + packer.flush()
    crc = zlib.crc32(prefix)
    for _ in range(megabytes):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(suffix, crc)
    with path.open("wb") as out:
        central = b""
        for name, data in [*entries, (member, None)]:
            if data is None:
                body, size, checksum = None, len(prefix) + megabytes * len(chunk) + len(suffix), crc
                packed_size = len(head) + len(block) * megabytes + len(tail)
            else:
                packer_one = zlib.compressobj(6, zlib.DEFLATED, -15)
                body = packer_one.compress(data) + packer_one.flush()
                size, checksum, packed_size = len(data), zlib.crc32(data), len(body)
            encoded = name.encode()
            fields = struct.pack("<HHHHHIIIHH", 20, 0, 8, 0, 0x21, checksum, packed_size, size, len(encoded), 0)
            offset = out.tell()
            out.write(b"PK\x03\x04" + fields + encoded)
            if body is not None:
                out.write(body)
            else:
                out.write(head)
                for _ in range(megabytes):
                    out.write(block)
                out.write(tail)
            central += (
                b"PK\x01\x02" + struct.pack("<H", 20) + fields + struct.pack("<HHHII", 0, 0, 0, 0, offset) + encoded
            )
        start = out.tell()
        out.write(central)
        count = len(entries) + 1
        out.write(b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, count, count, len(central), start, 0))


WORD_OPEN = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w='
    b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Sam: '
)
WORD_CLOSE = b"</w:t></w:r></w:p><w:p><w:r><w:t>Sam: again</w:t></w:r></w:p></w:body></w:document>"
MEMORY_CASES: list[tuple[str, Callable[[Path], None], list[str]]] = [
    (
        "text-200mb",
        lambda folder: os.truncate(write(folder, "huge.txt", b""), 200 * 1024 * 1024),
        ["import", "huge.txt"],
    ),
    (
        "docx-300mb-xml",
        lambda folder: big_zip(folder / "huge.docx", docx_bytes(), "word/document.xml", 300, WORD_OPEN, WORD_CLOSE),
        ["import", "huge.docx"],
    ),
    (
        "qdpx-600mb-source",
        lambda folder: big_zip(folder / "huge.qdpx", qdpx(), f"sources/{G2}.txt", 600),
        ["import", "project", "huge.qdpx"],
    ),
    (
        "yaml-bomb-front-matter",
        lambda folder: write(folder, "bomb.txt", front_matter(alias_bomb() + "role: *a8\n")),
        ["import", "bomb.txt"],
    ),
    (
        "yaml-bomb-codebook",
        lambda folder: write(folder, "bomb.yaml", alias_bomb() + "name: x\ncodes:\n  - id: a\n    label: *a8\n"),
        ["init", "--codebook", "bomb.yaml"],
    ),
]


MEMORY_SCRIPT = """
import sys
from qualcode.cli import main
for args in {cases!r}:
    print("=== " + args[-1], file=sys.stderr, flush=True)
    try:
        main(["--db", {db!r}, *args])
    except SystemExit as stop:
        print("=== exit " + str(stop.code), file=sys.stderr, flush=True)
"""


def test_memory_hungry_inputs_are_refused_within_a_memory_limit(db: Path, tmp_path: Path) -> None:
    for _, build, _ in MEMORY_CASES:
        build(tmp_path)
    before = db.read_bytes()
    script = MEMORY_SCRIPT.format(cases=[args for _, _, args in MEMORY_CASES], db=str(db))
    result = _limited(script, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    blocks = result.stderr.split("=== ")[1:]
    assert len(blocks) == 2 * len(MEMORY_CASES), result.stderr[-3000:]
    for (name, _, args), said, status in zip(MEMORY_CASES, blocks[0::2], blocks[1::2]):
        lines = [line for line in said.splitlines()[1:] if line.strip()]
        assert status.strip() == "exit 1", (name, said, status)
        assert len(lines) == 1 and lines[0].startswith("Error: ") and args[-1] in lines[0], (name, said)
        assert "QUALCODE_MAX_" in lines[0] or "anchor" in lines[0], (
            name,
            said,
        )  # refused by a limit, not by running out
    assert db.read_bytes() == before


def test_an_argument_with_bytes_that_are_not_text_is_one_sentence(tmp_path: Path) -> None:
    result = run("bad\udcff.db", ["documents"], tmp_path)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "bad\\udcff.db" in result.stderr and "not text in this system's encoding" in result.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "url, says",
    [
        ("postgresql+asyncpg://ann:secret@localhost:1/x", "is not installed"),
        ("postgresql+nosuchdriver://ann:secret@localhost:1/x", "not a kind of database"),
    ],
)
def test_a_database_url_qualcode_cannot_drive_is_one_sentence_without_its_password(url: str, says: str) -> None:
    result = CliRunner().invoke(main, ["--db", url, "documents"])
    assert result.exit_code != 0
    assert says in result.output and "failed unexpectedly" not in result.output
    assert "secret" not in result.output and result.output.count("\n") == 1
