"""REFI-QDA project exchange: export validates against Project.xsd, import reads what other tools write,
a round trip keeps everything the format carries, and broken files are refused before anything changes."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
import xmlschema
from click.testing import CliRunner
from conftest import SAMPLE_INTERVIEWS
from sqlalchemy import inspect, text
from sqlalchemy.exc import OperationalError

from qualcode.cli import main
from qualcode.errors import DocumentChangedError, ProjectFileError
from qualcode.export.refi.qdpx import read_qdpx
from qualcode.project import exchange
from qualcode.store import NewCoding, Store
from qualcode.store import codings as store_codings
from qualcode.store.codings import SUGGESTER
from qualcode.team import coders as team

pytestmark = pytest.mark.slow(30)  # seconds, all this file's tests together: started first (conftest.py)

SCHEMA = Path(__file__).parent / "fixtures" / "refi-qda" / "Project.xsd"


@pytest.fixture(scope="module")
def project_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMA))


def run(db: Path, *args: str):
    return CliRunner().invoke(main, ["--db", str(db), *map(str, args)], catch_exceptions=False)


def qde_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read("project.qde").decode("utf-8")


def add_second_coder(store: Store) -> None:
    """bob codes half of gold's spans (one with another code); a suggestion is left pending, one rejected."""
    rows = store.codings(coders=["gold"])
    bob = [
        NewCoding(r["document_id"], r["start"], r["end"], r["code_id"] if i % 3 else "benefits_worries", "bob")
        for i, r in enumerate(rows[::2])
    ]
    pending = NewCoding(
        rows[1]["document_id"],
        rows[1]["start"],
        rows[1]["end"],
        "low_expectations",
        SUGGESTER,
        source="suggested",
        status="pending",
        confidence=0.7,
    )
    rejected = NewCoding(
        rows[3]["document_id"],
        rows[3]["start"],
        rows[3]["end"],
        "low_expectations",
        "bob",
        source="suggested",
        status="rejected",
        confidence=0.6,
    )
    store.add_codings([*bob, pending, rejected])


def test_exported_sample_project_validates_against_project_xsd(
    sample_store: Store, tmp_path: Path, project_schema
) -> None:
    out = tmp_path / "sample.qdpx"
    result = run(Path(sample_store.location), "export", "project", "--format", "qdpx", "-o", out)
    assert result.exit_code == 0, result.output
    assert f"{SAMPLE_INTERVIEWS} documents" in result.output
    text = qde_text(out)
    project_schema.validate(text)
    parsed = project_schema.to_dict(text)
    sources = parsed["Sources"]["TextSource"]
    assert len(sources) == SAMPLE_INTERVIEWS
    assert {u["@name"] for u in parsed["Users"]["User"]} == {"gold", "qualcode"}
    assert {v["@name"]: v["@typeOfVariable"] for v in parsed["Variables"]["Variable"]}["pb_years"] == "Integer"
    assert len(parsed["Cases"]["Case"]) == SAMPLE_INTERVIEWS
    with zipfile.ZipFile(out) as archive:
        for source in sources:
            member = "sources/" + source["@plainTextPath"].removeprefix("internal://")
            assert archive.read(member).decode("utf-8") == sample_store.document(source["@name"])["text"]


def test_selections_are_code_point_offsets_into_the_source_text(sample_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "sample.qdpx"
    exchange.export_project(sample_store, out)
    read = read_qdpx(out)
    texts = {d.id: d.text for d in read.documents}
    accepted = sample_store.codings(statuses=["accepted"])
    quotes = {(c["document_id"], c["start"], c["end"]): c["quote"] for c in accepted}
    assert len(read.codings) == len(accepted)
    for coding in read.codings:
        assert (
            texts[coding.document_id][coding.start : coding.end]
            == quotes[(coding.document_id, coding.start, coding.end)]
        )


def test_guids_and_file_are_the_same_on_every_export(sample_store: Store, tmp_path: Path) -> None:
    exchange.export_project(sample_store, tmp_path / "one.qdpx")
    exchange.export_project(sample_store, tmp_path / "two.qdpx")
    assert qde_text(tmp_path / "one.qdpx") == qde_text(tmp_path / "two.qdpx")


def test_round_trip_into_a_fresh_store_keeps_documents_codebook_attributes_and_codings(
    sample_store: Store, tmp_path: Path
) -> None:
    add_second_coder(sample_store)
    out, fresh = tmp_path / "project.qdpx", tmp_path / "fresh.db"
    exported = run(Path(sample_store.location), "export", "project", "-o", out)
    assert exported.exit_code == 0
    assert "not written: 1 pending codings or suggestions, 1 rejected decisions" in exported.stderr
    result = run(fresh, "import", "project", out)
    assert result.exit_code == 0, result.output
    assert "Created" in result.output
    copy = Store.open(fresh)
    try:
        assert [(d["id"], d["title"]) for d in copy.documents()] == [
            (d["id"], d["title"]) for d in sample_store.documents()
        ]
        for row in sample_store.documents():
            assert copy.document(row["id"])["text"] == sample_store.document(row["id"])["text"]
        assert copy.attributes() == sample_store.attributes()
        before, after = sample_store.codebook(), copy.codebook()
        assert (after.name, after.description) == (before.name, before.description)
        assert [c.to_dict() for c in after.codes] == [c.to_dict() for c in before.codes]
        key = lambda r: (r["document_id"], r["start"], r["end"], r["code_id"], r["coder"], r["status"])
        accepted = sorted(map(key, sample_store.codings(statuses=["accepted"])))
        assert sorted(map(key, copy.codings())) == accepted
        assert {r["coder"] for r in copy.codings()} == {"gold", "bob"}
        assert [(s["document_id"], s["start"], s["end"]) for s in copy.segments()] == [
            (s["document_id"], s["start"], s["end"]) for s in sample_store.segments()
        ]
    finally:
        copy.close()


def test_import_into_an_existing_store_adds_only_what_is_new(sample_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "project.qdpx"
    exchange.export_project(sample_store, out)
    counts = sample_store.counts()
    version = sample_store.codebook_version()
    report = exchange.import_project(sample_store.location, out)
    assert report.documents_added == [] and report.codings_added == 0 and report.codes_added == []
    assert report.codings_already_there == counts["codings"]
    assert sample_store.counts() == counts and sample_store.codebook_version() == version


def test_codes_a_store_lacks_become_a_new_codebook_version(
    tmp_path: Path, small_codebook: Path, sample_store: Store
) -> None:
    out = tmp_path / "project.qdpx"
    exchange.export_project(sample_store, out)
    db = tmp_path / "small.db"
    assert run(db, "init", "--codebook", small_codebook).exit_code == 0
    report = exchange.import_project(db, out, author="ana")
    store = Store.open(db)
    try:
        assert report.codebook_version == 2
        codebook = store.codebook()
        assert codebook.ids()[:5] == ["money", "benefits", "wages", "people", "family"]
        assert "benefits_worries" in codebook and codebook.get("benefits_worries").parent == "demand"
        assert store.counts()["codings"] == sample_store.counts()["codings"]
    finally:
        store.close()


def test_a_document_with_other_text_refuses_the_whole_file(sample_store: Store, tmp_path: Path, store: Store) -> None:
    out = tmp_path / "project.qdpx"
    exchange.export_project(sample_store, out)
    project_file = tmp_path / "other.qdpx"
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(project_file, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("sources/") and b"Respondent:" in data:
                data = data.replace(b"Respondent:", b"Respondent :", 1)
            target.writestr(item, data)
    exchange.import_project(store.location, out)
    counts = store.counts()
    with pytest.raises(DocumentChangedError, match="already in"):
        exchange.import_project(store.location, project_file)
    assert store.counts() == counts


FOREIGN_QDE = """<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Breakfast study" origin="Another tool" creatingUserGUID="{AD68FBE7-E1EE-4A82-A279-23CC698C89EB}">
 <Users>
  <User guid="AD68FBE7-E1EE-4A82-A279-23CC698C89EB" name="Friedrich Markgraf"/>
  <User guid="A5DE7584-8296-418B-A322-136F77ADF87B" name="Sébastien"/>
 </Users>
 <CodeBook>
  <Codes>
   <Code guid="0F8A1907-7E42-4739-8610-A676B4D1B69F" name="Émotions" isCodable="false" color="#F00">
    <Description>thoughts about breakfast</Description>
    <Code guid="85D17F60-7BB0-481E-B742-B4861DD669DF" name="happiness" isCodable="true" color="#F00082"/>
    <Code guid="D2C1E38E-5220-42FA-A442-908471CC7964" name="Happiness!" isCodable="true"/>
   </Code>
   <Code guid="7496BA52-9C8D-4396-8FAB-CC438614E453" name="2 Coke" isCodable="true" color="not a colour"/>
  </Codes>
 </CodeBook>
 <Variables>
  <Variable guid="11111111-2222-3333-4444-555555555555" name="age" typeOfVariable="Integer"/>
  <Variable guid="11111111-2222-3333-4444-666666666666" name="role" typeOfVariable="Text"/>
 </Variables>
 <Cases>
  <Case guid="22222222-2222-3333-4444-555555555555" name="Mabel">
   <VariableValue><VariableRef targetGUID="11111111-2222-3333-4444-555555555555"/><IntegerValue>34</IntegerValue></VariableValue>
   <SourceRef targetGUID="{EC0A7242-65E1-457C-B7D1-310DAE603FAB}"/>
  </Case>
 </Cases>
 <Sources>
  <TextSource plainTextPath="internal://B2F54555-0D2D-43B2-B40C-2A1C048F5F1C.txt" guid="EC0A7242-65E1-457C-B7D1-310DAE603FAB" name="Mabêl interview.txt">
   <PlainTextSelection startPosition="0" endPosition="9" guid="2F24EA88-C6A7-482B-8F89-893EF66D7A21" creatingUser="A5DE7584-8296-418B-A322-136F77ADF87B">
    <Coding guid="2284BF5B-8F78-45B6-A6EF-A128D991408B"><CodeRef targetGUID="85D17F60-7BB0-481E-B742-B4861DD669DF"/></Coding>
    <Coding guid="89B9918E-4209-4FE0-BEA0-0C7FF56D67A4" creatingUser="AD68FBE7-E1EE-4A82-A279-23CC698C89EB"><CodeRef targetGUID="7496BA52-9C8D-4396-8FAB-CC438614E453"/></Coding>
   </PlainTextSelection>
   <VariableValue><VariableRef targetGUID="11111111-2222-3333-4444-666666666666"/><TextValue>Parent</TextValue></VariableValue>
  </TextSource>
  <TextSource guid="57C6099B-934F-4C86-90F2-CC6C2F2A3CC3" name="Notes">
   <PlainTextContent>Café notes, ☕ first.</PlainTextContent>
   <PlainTextSelection startPosition="5" endPosition="10" guid="4191294A-E287-4510-95B0-69BCE4638E56">
    <Coding guid="445A6AEC-1400-4502-919D-0867832FF211"><CodeRef targetGUID="D2C1E38E-5220-42FA-A442-908471CC7964"/></Coding>
   </PlainTextSelection>
  </TextSource>
  <PictureSource guid="02255470-09E6-400B-9E20-97D71FBEC65D" path="internal://87EAD86F-3112-4537-8A01-01427CAE1C6D.jpg" name="cornflakes.jpg"/>
 </Sources>
 <Notes><Note guid="03F134F1-AB05-46E6-8F49-2A9C4E2B1B30" name="memo"><PlainTextContent>hello</PlainTextContent></Note></Notes>
</Project>
"""
MABEL = "\ufeffI’m a mum with a toddler, and breakfast is mayhem.\n"


def write_project(path: Path, qde: str, sources: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde.encode("utf-8"))
        for name, text in ({"B2F54555-0D2D-43B2-B40C-2A1C048F5F1C.txt": MABEL} if sources is None else sources).items():
            archive.writestr(f"sources/{name}", text.encode("utf-8"))
    return path


def test_a_project_written_by_another_tool_is_read_with_coders_cases_and_nested_codes(tmp_path: Path) -> None:
    path = write_project(tmp_path / "breakfast.qdpx", FOREIGN_QDE)
    read = read_qdpx(path)
    codes = {c.id: c for c in read.codebook.codes}
    assert list(codes) == ["emotions", "happiness", "happiness_2", "code_2_coke"]
    assert codes["emotions"].label == "Émotions" and codes["emotions"].definition == "thoughts about breakfast"
    assert codes["happiness"].parent == "emotions" and codes["happiness"].colour == "#F00082"
    assert codes["code_2_coke"].colour is None
    mabel, notes = read.documents
    assert (mabel.id, notes.id) == ("Mabêl interview", "Notes")
    assert mabel.text == MABEL.lstrip("\ufeff") and mabel.attributes == {"role": "Parent", "age": "34"}
    assert [(c.document_id, c.start, c.end, c.code_id, c.coder) for c in read.codings] == [
        ("Mabêl interview", 0, 9, "happiness", "Sébastien"),
        ("Mabêl interview", 0, 9, "code_2_coke", "Friedrich Markgraf"),
        ("Notes", 5, 10, "happiness_2", "Friedrich Markgraf"),
    ]
    assert notes.text[5:10] == "notes"
    assert any("PictureSource" in item for item in read.skipped)
    assert [(m.text, m.document_id, m.code_id) for m in read.memos] == [("hello", None, None)]
    assert codes["emotions"].codable is False and codes["happiness"].codable is True
    assert codes["happiness"].guid == "85D17F60-7BB0-481E-B742-B4861DD669DF"


def test_a_foreign_project_imports_into_a_new_store_through_the_cli(tmp_path: Path) -> None:
    path = write_project(tmp_path / "breakfast.qdpx", FOREIGN_QDE)
    db = tmp_path / "breakfast.db"
    result = run(db, "import", "project", path)
    assert result.exit_code == 0, result.output
    store = Store.open(db)
    try:
        assert store.codebook().name == "Breakfast study"
        assert {r["coder"] for r in store.codings()} == {"Sébastien", "Friedrich Markgraf"}
        assert store.coders() == sorted(["Friedrich Markgraf", "Sébastien"])
        assert len(store.segments("Mabêl interview")) == 1
        assert [r["quote"] for r in store.codings(document_ids=["Notes"])] == ["notes"]
        blind = team.blind_codings(store, "Sébastien")
        assert [r["code_id"] for r in blind] == ["happiness"]
    finally:
        store.close()


@pytest.mark.parametrize(
    "broken, expected",
    [
        (FOREIGN_QDE[:900], r"project\.qde\), line \d+, column \d+: the XML is broken"),
        (
            FOREIGN_QDE.replace('<CodeRef targetGUID="D2C1E38E', '<CodeRef targetGUID="D2C1E38F'),
            r"line 38, column \d+: a coding refers to a code",
        ),
        (
            FOREIGN_QDE.replace('endPosition="10"', 'endPosition="99"'),
            r"line 37, column \d+: selection 5-99 lies outside source `Notes`",
        ),
        (
            FOREIGN_QDE.replace('startPosition="5"', 'startPosition="six"'),
            r"line 37, column \d+: startPosition `six` is not a whole number",
        ),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE p [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>\n<Project name="x">&b;</Project>',
            "entities",
        ),
    ],
    ids=["truncated", "unknown code", "selection out of range", "position not a number", "entity expansion"],
)
def test_broken_files_are_refused_with_their_line_and_nothing_is_created(
    tmp_path: Path, broken: str, expected: str
) -> None:
    path = write_project(tmp_path / "broken.qdpx", broken)
    db = tmp_path / "never.db"
    result = run(db, "import", "project", path)
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    with pytest.raises(ProjectFileError, match=expected):
        read_qdpx(path)
    assert not db.exists()


def test_a_missing_text_is_skipped_and_named_while_the_rest_is_imported(tmp_path: Path) -> None:
    path = write_project(tmp_path / "nosource.qdpx", FOREIGN_QDE, sources={})
    db = tmp_path / "salvaged.db"
    result = run(db, "import", "project", path)
    assert result.exit_code == 0, result.output
    assert re.search(
        r"skipped: source `Mabêl interview.txt` \(.*line 28, column \d+\): its text internal://\S+ "
        r"is not in the file's sources/ folder",
        result.output,
    )
    store = Store.open(db)
    try:
        assert len(store.codebook()) == 4
        assert [d["id"] for d in store.documents()] == ["Notes"]
        assert [(r["document_id"], r["quote"], r["code_id"]) for r in store.codings()] == [
            ("Notes", "notes", "happiness_2")
        ]
    finally:
        store.close()


def test_a_file_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    not_zip = tmp_path / "plain.qdpx"
    not_zip.write_text("hello", encoding="utf-8")
    with pytest.raises(ProjectFileError, match=r"is not a \.qdpx project"):
        read_qdpx(not_zip)


def test_export_for_one_coder_carries_only_their_codings(sample_store: Store, tmp_path: Path) -> None:
    add_second_coder(sample_store)
    out = tmp_path / "bob.qdpx"
    result = run(Path(sample_store.location), "export", "project", "-o", out, "--coder", "bob")
    assert result.exit_code == 0, result.output
    read = read_qdpx(out)
    assert {c.coder for c in read.codings} == {"bob"}
    assert len(read.codings) == len(sample_store.codings(coders=["bob"], statuses=["accepted"]))
    unknown = run(Path(sample_store.location), "export", "project", "-o", out, "--coder", "nobody")
    assert unknown.exit_code == 1 and "coder `nobody` has made no decision" in unknown.output


def table_contents(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table in the store, in a fixed order."""
    with store.engine.connect() as connection:
        return {
            name: sorted(map(tuple, connection.execute(text(f'SELECT * FROM "{name}"'))), key=repr)
            for name in inspect(store.engine).get_table_names()
        }


def test_a_database_failure_while_writing_codings_leaves_a_store_with_data_as_it_was(
    sample_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_project(tmp_path / "breakfast.qdpx", FOREIGN_QDE)
    before = table_contents(sample_store)
    assert before["documents"] and before["codings"] and before["codebook_versions"]

    def disk_full(*args, **kwargs) -> None:
        raise OperationalError("INSERT INTO codings", {}, Exception("database or disk is full"))

    monkeypatch.setattr(store_codings, "_check_coding", disk_full)
    with pytest.raises(OperationalError, match="disk is full"):
        exchange.import_project(sample_store.location, path)
    assert table_contents(sample_store) == before
    monkeypatch.undo()
    report = exchange.import_project(sample_store.location, path)
    assert report.documents_added == ["Mabêl interview", "Notes"] and report.codings_added == 3
    assert report.codebook_version == 2 and table_contents(sample_store) != before
