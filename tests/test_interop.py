"""Interop with the tools researchers use: NVivo's UTF-16 positions, what QualCoder expects of a .qdpx,
and nothing another tool wrote silently lost on the way in or out. Files are made here in each tool's convention."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import xmlschema
from click.testing import CliRunner

from qualcode.cli import main
from qualcode.export.refi.positions import Offsets, judge_unit
from qualcode.export.refi.qdpx import read_qdpx
from qualcode.store import Store

SCHEMA = Path(__file__).parent / "fixtures" / "refi-qda" / "Project.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}
TEXT = (
    "Interviewer: How was the first week? 😀\n\n"
    "Sam: Honestly 🎉🎉 it was exhausting, but the coffee 😀 helped and my manager listened.\n"
)
WORDS = ("exhausting", "coffee", "manager listened")
CODES = {
    "tired": "A1000000-0000-0000-0000-000000000001",
    "coffee": "A1000000-0000-0000-0000-000000000002",
    "support": "A1000000-0000-0000-0000-000000000003",
}
SOURCE = "B2000000-0000-0000-0000-000000000001"
USERS = {
    "ann": "C3000000-0000-0000-0000-000000000001",
    "ben": "C3000000-0000-0000-0000-000000000002",
    "cat": "C3000000-0000-0000-0000-000000000003",
}


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMA))


def run(db: Path, *args: object):
    return CliRunner().invoke(main, ["--db", str(db), *map(str, args)], catch_exceptions=False)


def utf16(text: str, index: int) -> int:
    """What NVivo writes for code point `index`: the UTF-16 units before it."""
    return len(text[:index].encode("utf-16-le")) // 2


def span(word: str) -> tuple[int, int]:
    start = TEXT.index(word)
    return start, start + len(word)


def nvivo_project(
    path: Path,
    origin: str = "NVivo for Windows 12.6",
    unit=utf16,
    extra_selection: str = "",
    sets: str = "",
    extra_code: str = "",
) -> Path:
    """A project in NVivo's convention: positions counted in UTF-16 units, one coder per selection."""
    selections = []
    for n, (word, code) in enumerate(zip(WORDS, CODES)):
        start, end = span(word)
        selections.append(
            f'<PlainTextSelection guid="D4000000-0000-0000-0000-00000000000{n}" startPosition="{unit(TEXT, start)}" '
            f'endPosition="{unit(TEXT, end)}" creatingUser="{USERS["ann"]}" creationDateTime="2024-03-0{n + 1}T09:30:00Z">'
            + (extra_selection if n == 0 else "")
            + f'<Coding guid="E5000000-0000-0000-0000-00000000000{n}" creatingUser="{USERS["ann"]}" creationDateTime="2024-03-0{n + 1}T09:30:00Z">'
            f'<CodeRef targetGUID="{CODES[code]}"/></Coding></PlainTextSelection>'
        )
    codes = "".join(f'<Code guid="{guid}" name="{name.title()}" isCodable="true"/>' for name, guid in CODES.items())
    qde = (
        f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="Week one" origin="{origin}">'
        f"<Users>" + "".join(f'<User guid="{g}" name="{n}"/>' for n, g in USERS.items()) + "</Users>"
        f'<CodeBook><Codes><Code guid="A1000000-0000-0000-0000-0000000000FF" name="Work" isCodable="false">{codes}</Code>'
        f"{extra_code}</Codes></CodeBook>"
        f'<Sources><TextSource guid="{SOURCE}" name="Sam.txt" plainTextPath="internal://{SOURCE}.txt" creatingUser="{USERS["cat"]}">'
        + "".join(selections)
        + f"</TextSource></Sources>{sets}</Project>"
    )
    return packed(path, qde, SOURCE, TEXT)


def packed(path: Path, qde: str, source: str, text: str) -> Path:
    """A .qdpx as another tool writes it: the project file and one source's plain text."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr(f"sources/{source}.txt", text.encode("utf-8"))
    return path


def qde_of(path: Path) -> ET.Element:
    """The project file of a .qdpx, parsed."""
    with zipfile.ZipFile(path) as archive:
        return ET.fromstring(archive.read("project.qde"))


def selections(path: Path) -> list:
    return qde_of(path).findall(".//q:PlainTextSelection", NS)


# -- positions ---------------------------------------------------------------------------------
def test_offsets_convert_both_ways_around_emoji() -> None:
    offsets = Offsets(TEXT)
    for index in range(len(TEXT) + 1):
        assert offsets.from_utf16(offsets.to_utf16(index)) == index
        assert offsets.to_utf16(index) == utf16(TEXT, index)
    assert offsets.utf16_length() == len(TEXT.encode("utf-16-le")) // 2


def test_nvivo_positions_are_converted_on_import_and_the_report_says_so(tmp_path: Path) -> None:
    db = tmp_path / "week.db"
    result = run(db, "import", "project", nvivo_project(tmp_path / "nvivo.qdpx"))
    assert result.exit_code == 0, result.output
    assert (
        "counted in UTF-16 units (as NVivo writes them) and converted to characters; 3 of 3 selections moved"
        in result.output
    )
    store = Store.open(db)
    try:
        assert sorted(r["quote"] for r in store.codings()) == sorted(WORDS)
    finally:
        store.close()


def test_the_unit_is_judged_from_word_boundaries_when_the_origin_does_not_say(tmp_path: Path) -> None:
    as_units = read_qdpx(nvivo_project(tmp_path / "a.qdpx", origin="Some tool 1.0"))
    assert as_units.positions == "utf16" and [TEXT[c.start : c.end] for c in as_units.codings] == list(WORDS)
    as_points = read_qdpx(nvivo_project(tmp_path / "b.qdpx", origin="NVivo 14", unit=lambda text, index: index))
    assert as_points.positions == "codepoints" and [TEXT[c.start : c.end] for c in as_points.codings] == list(WORDS)
    assert judge_unit("NVivo 14", {"plain": "no emoji here"}, {"plain": [(0, 2)]}) == "codepoints"


def test_export_writes_code_points_and_utf16_units_for_nvivo(tmp_path: Path, schema: xmlschema.XMLSchema) -> None:
    db = tmp_path / "week.db"
    assert run(db, "import", "project", nvivo_project(tmp_path / "nvivo.qdpx")).exit_code == 0
    standard, for_nvivo = tmp_path / "standard.qdpx", tmp_path / "nvivo_again.qdpx"
    assert run(db, "export", "project", "-o", standard).exit_code == 0
    assert run(db, "export", "project", "-o", for_nvivo, "--positions", "utf16").exit_code == 0
    points = sorted((int(s.get("startPosition")), int(s.get("endPosition"))) for s in selections(standard))
    units = sorted((int(s.get("startPosition")), int(s.get("endPosition"))) for s in selections(for_nvivo))
    assert points == sorted(span(word) for word in WORDS)
    assert units == sorted((utf16(TEXT, a), utf16(TEXT, b)) for a, b in map(span, WORDS)) and units != points
    for path in (standard, for_nvivo):
        with zipfile.ZipFile(path) as archive:
            schema.validate(archive.read("project.qde").decode("utf-8"))
        assert sorted(TEXT[c.start : c.end] for c in read_qdpx(path).codings) == sorted(WORDS)


# -- QualCoder's expectations and a round trip that keeps what came in ---------------------------
TWO_CODERS = (
    f'<PlainTextSelection guid="D4000000-0000-0000-0000-0000000000B1" startPosition="{{0}}" endPosition="{{1}}" '
    f'creatingUser="{USERS["ben"]}" creationDateTime="2024-03-05T10:00:00+01:00">'
    f'<Coding guid="E5000000-0000-0000-0000-0000000000B1" creatingUser="{USERS["ben"]}">'
    f'<CodeRef targetGUID="{CODES["coffee"]}"/></Coding></PlainTextSelection>'
)
MEMO = "<Description>said with a laugh</Description>"
SETS = (
    f'<Sets><Set guid="F6000000-0000-0000-0000-000000000001" name="Everyday"><MemberCode targetGUID="{CODES["coffee"]}"/>'
    f'<MemberCode targetGUID="{CODES["tired"]}"/></Set>'
    f'<Set guid="F6000000-0000-0000-0000-000000000002" name="Wave 1"><MemberSource targetGUID="{SOURCE}"/></Set></Sets>'
)
DUPLICATE = '<Code guid="A1000000-0000-0000-0000-000000000004" name="Other" isCodable="true"><Code guid="A1000000-0000-0000-0000-000000000005" name="coffee" isCodable="true"/></Code>'


def rich_project(path: Path) -> Path:
    """Two coders on one span, a memo on a selection, an uncodable folder, duplicate labels, Sets, UTC+1 times."""
    nvivo_project(
        path,
        origin="QualCoder 3.8",
        unit=lambda text, index: index,
        extra_selection=MEMO,
        sets=SETS,
        extra_code=DUPLICATE,
    )
    start, end = span("coffee")
    with zipfile.ZipFile(path) as archive:
        qde, text = archive.read("project.qde").decode(), archive.read(f"sources/{SOURCE}.txt")
    qde = qde.replace("</TextSource>", TWO_CODERS.format(start, end) + "</TextSource>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr(f"sources/{SOURCE}.txt", text)
    return path


def round_trip(source: Path) -> tuple[Path, Path, str, str]:
    """`source` imported into a new store beside it and exported for QualCoder: the store, the export, and
    what the import and the export printed."""
    db, out = source.with_suffix(".db"), source.with_name(f"{source.stem}_for_qualcoder.qdpx")
    imported = run(db, "import", "project", source)
    assert imported.exit_code == 0, imported.output
    exported = run(db, "export", "project", "-o", out, "--for", "qualcoder")
    assert exported.exit_code == 0, exported.output
    return db, out, imported.output, exported.output


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """A store imported from the rich project, and its export for QualCoder (with the import's output)."""
    db, out, imported, exported = round_trip(rich_project(tmp_path_factory.mktemp("rich") / "rich.qdpx"))
    return db, out, imported + exported


def test_qualcoder_gets_one_selection_per_coder_stamped_with_that_coder(rich, schema: xmlschema.XMLSchema) -> None:
    _, out, _ = rich
    with zipfile.ZipFile(out) as archive:
        qde = archive.read("project.qde").decode("utf-8")
    schema.validate(qde)
    root = ET.fromstring(qde)
    users = {u.get("name"): u.get("guid") for u in root.iterfind(".//q:User", NS)}
    at_coffee = [
        s
        for s in root.iterfind(".//q:PlainTextSelection", NS)
        if (int(s.get("startPosition")), int(s.get("endPosition"))) == span("coffee")
    ]
    assert sorted(s.get("creatingUser") for s in at_coffee) == sorted([users["ann"], users["ben"]])
    for selection in at_coffee:
        assert [c.get("creatingUser") for c in selection.iterfind("q:Coding", NS)] == [selection.get("creatingUser")]
    times = re.findall(r'(?:creation|modified)DateTime="([^"]+)"', qde)
    assert times and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", t) for t in times)
    assert "2024-03-05T09:00:00Z" in times  # ben's coding, made at 10:00 in UTC+1
    source = root.find(".//q:TextSource", NS)
    assert source.get("creatingUser") in users.values()
    values = {v.find("q:VariableRef", NS).get("targetGUID"): v[1].text for v in source.iterfind("q:VariableValue", NS)}
    variables = {v.get("guid"): v.get("name") for v in root.iterfind(".//q:Variable", NS)}
    assert {variables[g]: text for g, text in values.items()} == {"document set": "Wave 1"}


def test_duplicate_labels_are_warned_about_and_kept_apart_for_qualcoder(rich) -> None:
    db, out, output = rich
    assert "the label `Coffee` names 2 codes (coffee, coffee_2)" in output
    names = [c.get("name") for c in ET.fromstring(zipfile.ZipFile(out).read("project.qde")).iterfind(".//q:Code", NS)]
    assert len(names) == len(set(n.casefold() for n in names)) and "coffee (Other)" in names
    plain = db.parent / "plain.qdpx"
    result = run(db, "export", "project", "-o", plain)
    assert "QualCoder merges them" in result.output


def test_a_round_trip_keeps_coders_memos_guids_codability_times_and_sets(rich, tmp_path: Path) -> None:
    db, out, output = rich
    assert "users with no codings, selections or memos kept as users of the project: cat." in output
    with zipfile.ZipFile(out) as archive:
        qde = archive.read("project.qde").decode("utf-8")
    for guid in [
        *CODES.values(),
        SOURCE,
        "D4000000-0000-0000-0000-000000000000",
        "E5000000-0000-0000-0000-000000000001",
        "E5000000-0000-0000-0000-0000000000B1",
    ]:
        assert f'"{guid}"' in qde
    assert re.search(r'name="Work" isCodable="false"|isCodable="false"[^>]*name="Work"', qde)
    again = tmp_path / "again.db"
    assert run(again, "import", "project", out).exit_code == 0
    for location in (db, again):
        store = Store.open(location)
        try:
            rows = store.codings()
            assert sorted((r["quote"], r["coder"]) for r in rows) == sorted(
                [("exhausting", "ann"), ("coffee", "ann"), ("manager listened", "ann"), ("coffee", "ben")]
            )
            assert {r["quote"]: r["created_at"] for r in rows if r["coder"] == "ann"}[
                "coffee"
            ] == "2024-03-02T09:30:00+00:00"
            assert [r["created_at"] for r in rows if r["coder"] == "ben"] == ["2024-03-05T09:00:00+00:00"]
            (memo,) = store.memos()
            coding = next(r for r in rows if r["id"] == memo["coding_id"])
            assert (memo["text"], memo["coder"], coding["quote"]) == ("said with a laugh", "ann", "exhausting")
            book = store.codebook()
            assert book.get("work").codable is False and book.get("coffee").guid == CODES["coffee"]
            assert book.groups == {"Everyday": ["coffee", "tired"]}
            assert store.attributes()["Sam"] == {"document set": "Wave 1"}
        finally:
            store.close()


def test_times_qualcoder_wrote_back_as_offset_and_z_keep_their_moment() -> None:
    from qualcode.project.exchange import store_time

    assert store_time("2024-03-05T10:00:00+00:00Z") == "2024-03-05T10:00:00+00:00"
    assert store_time("2024-03-05T10:00:00+01:00") == "2024-03-05T09:00:00+00:00"
    assert store_time("2024-03-05T10:00:00Z") == store_time("2024-03-05 10:00:00") == "2024-03-05T10:00:00+00:00"
    assert store_time("last Tuesday") is None


def test_document_sets_go_back_as_sets_of_sources(rich, schema: xmlschema.XMLSchema) -> None:
    _, out, _ = rich
    root = ET.fromstring(zipfile.ZipFile(out).read("project.qde"))
    sets = {
        s.get("name"): (
            [m.get("targetGUID") for m in s.iterfind("q:MemberCode", NS)],
            [m.get("targetGUID") for m in s.iterfind("q:MemberSource", NS)],
        )
        for s in root.iterfind(".//q:Set", NS)
    }
    assert sets == {"Everyday": ([CODES["coffee"], CODES["tired"]], []), "Wave 1": ([], [SOURCE])}
