"""A project exported as .qdpx and imported again keeps its speakers' roles and its identifiers list.

The transcript is made here: an interviewer whose label is a first name (so the default
rules take her for a participant) and a participant who names a person and a place.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import xmlschema
from test_interop import run

from qualcode.project.identifiers import list_identifiers
from qualcode.project.speakers import list_speakers
from qualcode.store import Store

CODEBOOK = Path(__file__).parent.parent / "codebooks" / "pb_employment.yaml"
SCHEMA = Path(__file__).parent / "fixtures" / "refi-qda" / "Project.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}
TEXT = "Anna: How did you find work?\nBen: It was hard, Sandra helped me.\nAnna: Tell me more.\nBen: The bus to Leeds was late.\n"


@pytest.fixture(scope="module")
def trip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str, str]:
    """Anna made interviewer and two names listed, exported, and the file imported into a new store."""
    folder = tmp_path_factory.mktemp("roles")
    (folder / "in").mkdir()
    (folder / "in" / "ben.txt").write_text(TEXT, encoding="utf-8")
    (folder / "in" / "cara.txt").write_text(
        "Interviewer: Hello.\nCara: Hello, I run the group today.\n", encoding="utf-8"
    )
    db = folder / "p.db"
    assert run(db, "init", "--codebook", CODEBOOK).exit_code == 0
    assert run(db, "import", folder / "in").exit_code == 0
    assert run(db, "speakers", "set", "ben", "Anna", "--role", "interviewer").exit_code == 0
    assert run(db, "speakers", "set", "cara", "Interviewer", "--role", "participant").exit_code == 0
    assert run(db, "identifiers", "add", "Sandra").exit_code == 0
    assert run(db, "identifiers", "add", "Leeds", "--kind", "place").exit_code == 0
    out = folder / "p1.qdpx"
    exported = run(db, "export", "project", "-o", out)
    assert exported.exit_code == 0, exported.output
    imported = run(folder / "p2.db", "import", "project", out)
    assert imported.exit_code == 0, imported.output
    return folder / "p2.db", out, exported.output, imported.output


def test_speaker_roles_come_back_after_a_round_trip(trip) -> None:
    db, _, _, output = trip
    store = Store.open(db)
    roles = {row["speaker"]: row["role"] for row in list_speakers(store, "ben")}
    turned = {row["speaker"]: row["role"] for row in list_speakers(store, "cara")}
    attributes = store.attributes()
    store.close()
    assert roles == {"Anna": "interviewer", "Ben": "participant"}
    assert turned == {"Interviewer": "participant", "Cara": "participant"}
    assert attributes.get("ben", {}) == attributes.get("cara", {}) == {}  # the roles are not left as an attribute
    assert "speaker roles of 2 transcripts" in output


def test_the_identifiers_list_comes_back_and_is_not_a_memo(trip) -> None:
    db, _, _, output = trip
    store = Store.open(db)
    listed = {(row["identifier"], row["kind"]) for row in list_identifiers(store)}
    memos = store.memos()
    store.close()
    assert listed == {("Sandra", "person"), ("Leeds", "place")}
    assert memos == []
    assert "the identifiers list (2 names" in output


def test_export_says_where_roles_and_identifiers_went_in_a_valid_file(trip) -> None:
    _, out, output, _ = trip
    assert "`interviewer speakers`" in output and "`qualcode identifiers`" in output
    with zipfile.ZipFile(out) as archive:
        qde = archive.read("project.qde").decode("utf-8")
    xmlschema.XMLSchema(str(SCHEMA)).validate(qde)
    note = next(n for n in ET.fromstring(qde).iterfind(".//q:Note", NS) if n.get("name") == "qualcode identifiers")
    assert note.findtext("q:PlainTextContent", namespaces=NS) == "Sandra,person\nLeeds,place\n"


def test_an_identifier_of_an_unknown_kind_is_reported_not_dropped_silently(trip, tmp_path: Path) -> None:
    _, out, _, _ = trip
    edited = tmp_path / "edited.qdpx"
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(edited, "w") as target:
        for member in source.namelist():
            data = source.read(member)
            if member == "project.qde":
                data = data.replace(b"Leeds,place", b"Leeds,planet")
            target.writestr(member, data)
    imported = run(tmp_path / "p3.db", "import", "project", edited)
    assert imported.exit_code == 0, imported.output
    assert "skipped: identifier on line 2 of the identifiers note: unknown kind `planet`." in imported.output
    store = Store.open(tmp_path / "p3.db")
    listed = [row["identifier"] for row in list_identifiers(store)]
    store.close()
    assert listed == ["Sandra"]
