"""An NVivo project goes back to NVivo with each selection's own maker and times, and its codes' Descriptions as they came.

The project is built here in NVivo's shape (one PlainTextSelection per coding, made by one
user at one time, each holding a Coding made by another user earlier; codes with a plain
Description or none; positions in UTF-16 units); no real file is copied.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import xmlschema
from test_interop import packed, qde_of, run, utf16

SCHEMA = Path(__file__).parent / "fixtures" / "refi-qda" / "Project.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}
TEXT = "Interviewer: 🙂 How was the vaccine?\n\nIda: I was afraid 🙂 of side effects, then my doctor explained.\n"
MAKER, CODER = "B1000000-0000-0000-0000-00000000000A", "B1000000-0000-0000-0000-00000000000B"
SOURCE = "C2000000-0000-0000-0000-0000000000A1"
CODES = {
    "fear": ("D3000000-0000-0000-0000-0000000000A1", "Fear", "People act when they feel at risk (Someone, 1974)."),
    "trust": ("D3000000-0000-0000-0000-0000000000A2", "Trust", None),
}
MADE, CHANGED, CODED = "2025-06-11T16:31:16Z", "2025-06-12T09:00:00Z", "2025-06-08T12:42:55Z"


def nvivo_project(path: Path) -> Path:
    """Two selections made by `maker` (one changed later), each with a coding by `coder` made before."""
    codes = "".join(
        f'<Code guid="{guid}" name="{name}" isCodable="true">'
        + (f"<Description>{description}</Description>" if description else "")
        + "</Code>"
        for guid, name, description in CODES.values()
    )
    selections = ""
    for n, (word, code) in enumerate((("afraid", "fear"), ("my doctor explained", "trust"))):
        start = TEXT.index(word)
        changed = f' modifyingUser="{MAKER}" modifiedDateTime="{CHANGED}"' if n == 0 else ""
        selections += (
            f'<PlainTextSelection guid="E4000000-0000-0000-0000-00000000000{n}" name="" '
            f'startPosition="{utf16(TEXT, start)}" endPosition="{utf16(TEXT, start + len(word))}" '
            f'creatingUser="{MAKER}" creationDateTime="{MADE}"{changed}><Description />'
            f'<Coding guid="F5000000-0000-0000-0000-00000000000{n}" creatingUser="{CODER}" creationDateTime="{CODED}">'
            f'<CodeRef targetGUID="{CODES[code][0]}"/></Coding></PlainTextSelection>'
        )
    qde = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="Vaccines" origin="NVivo 14">'
        f'<Users><User guid="{MAKER}" name="maker"/><User guid="{CODER}" name="coder"/></Users>'
        f"<CodeBook><Codes>{codes}</Codes></CodeBook>"
        f'<Sources><TextSource guid="{SOURCE}" name="Ida" plainTextPath="internal://{SOURCE}.txt" '
        f'creatingUser="{MAKER}" creationDateTime="{MADE}">{selections}</TextSource></Sources>'
        "</Project>"
    )
    return packed(path, qde, SOURCE, TEXT)


def valid_qde(path: Path) -> ET.Element:
    """The project file of a .qdpx, checked against the REFI-QDA schema, parsed."""
    with zipfile.ZipFile(path) as archive:
        xmlschema.XMLSchema(str(SCHEMA)).validate(archive.read("project.qde").decode("utf-8"))
    return qde_of(path)


@pytest.fixture(scope="module")
def trip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, str]:
    """The NVivo project, imported into a store, exported for NVivo, and that export imported and exported again."""
    folder = tmp_path_factory.mktemp("nvivo")
    source = nvivo_project(folder / "vaccines.qdpx")
    imported = run(folder / "p.db", "import", "project", source)
    assert imported.exit_code == 0, imported.output
    out = folder / "out.qdpx"
    assert run(folder / "p.db", "export", "project", "-o", out, "--positions", "utf16").exit_code == 0
    assert run(folder / "again.db", "import", "project", out).exit_code == 0
    again = folder / "again.qdpx"
    assert run(folder / "again.db", "export", "project", "-o", again, "--positions", "utf16").exit_code == 0
    return source, out, again, imported.output


def selections(path: Path) -> dict[str, dict[str, str]]:
    """Each selection's attributes (but its name) by GUID."""
    found = valid_qde(path).iterfind(".//q:PlainTextSelection", NS)
    return {s.get("guid", ""): {k: v for k, v in s.attrib.items() if k != "name"} for s in found}


def test_each_selection_goes_back_with_its_own_maker_times_and_position(trip) -> None:
    source, out, again, _ = trip
    original = selections(source)
    assert selections(out) == original
    assert selections(again) == original
    first = original["E4000000-0000-0000-0000-000000000000"]
    assert (first["creatingUser"], first["creationDateTime"]) == (MAKER, MADE)
    assert (first["modifyingUser"], first["modifiedDateTime"]) == (MAKER, CHANGED)


def test_each_coding_keeps_its_coder_and_time_inside_the_selection(trip) -> None:
    _, out, _, _ = trip
    codings = list(valid_qde(out).iterfind(".//q:Coding", NS))
    assert [(c.get("creatingUser"), c.get("creationDateTime")) for c in codings] == [(CODER, CODED)] * 2


def test_the_selection_maker_is_not_reported_as_a_user_who_did_nothing(trip) -> None:
    _, _, _, output = trip
    assert "kept as users of the project" not in output
    assert "2 codings by coder" in output


def test_codes_from_the_other_tool_go_back_with_their_description_as_it_came(trip) -> None:
    source, out, again, _ = trip

    def descriptions(path: Path) -> dict[str, str | None]:
        codes = valid_qde(path).iterfind(".//q:Code", NS)
        return {c.get("guid", ""): c.findtext("q:Description", namespaces=NS) for c in codes}

    assert descriptions(out) == descriptions(source) == descriptions(again)
    assert descriptions(out)[CODES["trust"][0]] is None


def test_for_qualcoder_each_selection_names_its_coder_and_the_export_says_what_that_leaves_out(trip) -> None:
    source, _, _, _ = trip
    out = source.with_name("for_qualcoder.qdpx")
    exported = run(source.with_name("p.db"), "export", "project", "-o", out, "--for", "qualcoder")
    assert exported.exit_code == 0, exported.output
    assert "so who made 2 selections in the tool they came from is not written." in exported.output
    found = selections(out)
    assert sorted(found) == sorted(selections(source))  # same selections, same GUIDs
    assert {s["creatingUser"] for s in found.values()} == {CODER}
    assert not any("modifyingUser" in s for s in found.values())
