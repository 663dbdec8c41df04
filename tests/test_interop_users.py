"""Who a .qdpx names goes back out with it: users who made no coding, who brought each source in, and Note GUIDs.

The project is made here in QualCoder's shape (a user per coder and an idle one, a source
credited to a user, Notes on the project and on a document); the real files are not copied.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import xmlschema
from test_interop import packed, qde_of, round_trip, run

from qualcode import project
from qualcode.store import Store
from qualcode.store.users import creators, users

SCHEMA = Path(__file__).parent / "fixtures" / "refi-qda" / "Project.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}
TEXT = "Interviewer: How was work?\n\nRia: The bus was late but my manager understood.\n"
USERS = {
    "ann": "C3000000-0000-0000-0000-00000000000A",
    "dan": "C3000000-0000-0000-0000-00000000000D",  # brought the transcript in, coded nothing
    "eve": "C3000000-0000-0000-0000-00000000000E",  # listed by the tool, did nothing at all
}
SOURCE = "B2000000-0000-0000-0000-0000000000A1"
CODE = "A1000000-0000-0000-0000-0000000000A1"
NOTES = {
    "project": "F7000000-0000-0000-0000-0000000000A1",
    "document": "F7000000-0000-0000-0000-0000000000A2",
}


def qualcoder_project(path: Path) -> Path:
    """Users ann, dan and eve; dan's source; ann's one coding; a project Note and a Note on the document."""
    start = TEXT.index("manager understood")
    qde = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="Buses" origin="QualCoder 3.6">'
        "<Users>" + "".join(f'<User guid="{g}" name="{n}"/>' for n, g in USERS.items()) + "</Users>"
        f'<CodeBook><Codes><Code guid="{CODE}" name="Support" isCodable="true"/></Codes></CodeBook>'
        f'<Sources><TextSource guid="{SOURCE}" name="Ria.txt" plainTextPath="internal://{SOURCE}.txt" '
        f'creatingUser="{USERS["dan"]}" creationDateTime="2024-02-01T08:00:00Z">'
        f'<PlainTextSelection guid="D4000000-0000-0000-0000-0000000000A1" startPosition="{start}" '
        f'endPosition="{start + 18}" creatingUser="{USERS["ann"]}" creationDateTime="2024-02-02T08:00:00Z">'
        f'<Coding guid="E5000000-0000-0000-0000-0000000000A1" creatingUser="{USERS["ann"]}">'
        f'<CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection>'
        f'<NoteRef targetGUID="{NOTES["document"]}"/></TextSource></Sources>'
        "<Notes>"
        f'<Note guid="{NOTES["project"]}" name="aims" creatingUser="{USERS["ann"]}"><PlainTextContent>why buses matter</PlainTextContent></Note>'
        f'<Note guid="{NOTES["document"]}" name="ria" creatingUser="{USERS["ann"]}"><PlainTextContent>a calm interview</PlainTextContent></Note>'
        "</Notes>"
        f'<NoteRef targetGUID="{NOTES["project"]}"/>'
        "</Project>"
    )
    return packed(path, qde, SOURCE, TEXT)


@pytest.fixture(scope="module")
def trip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """The project imported into a new store and exported for QualCoder; the import's output."""
    db, out, imported, _ = round_trip(qualcoder_project(tmp_path_factory.mktemp("users") / "buses.qdpx"))
    return db, out, imported


def test_idle_users_and_who_brought_each_source_in_and_when_are_kept_not_reported_lost(trip) -> None:
    db, _, output = trip
    assert "not kept" not in output
    assert "users with no codings, selections or memos kept as users of the project: dan, eve." in output
    store = Store.open(db)
    try:
        assert users(store) == {"ann": USERS["ann"], "dan": USERS["dan"], "eve": USERS["eve"]}
        assert creators(store) == {"Ria": "dan"} and store.document("Ria")["created_at"] == "2024-02-01T08:00:00+00:00"
        assert store.coders() == ["ann"]  # coders are still those who coded
    finally:
        store.close()


def test_the_export_names_every_user_with_their_guid_and_credits_the_source_to_its_creator_and_time(trip) -> None:
    _, out, _ = trip
    root = qde_of(out)
    assert {u.get("name"): u.get("guid") for u in root.iterfind(".//q:User", NS)} == USERS
    (source,) = root.iterfind(".//q:TextSource", NS)
    assert source.get("guid") == SOURCE and source.get("creatingUser") == USERS["dan"]
    assert source.get("creationDateTime") == "2024-02-01T08:00:00Z"  # when dan brought it in, not when it was imported
    selection = source.find("q:PlainTextSelection", NS)
    assert selection.get("creatingUser") == USERS["ann"]


def test_note_guids_go_back_unchanged_and_their_references_follow(trip) -> None:
    _, out, _ = trip
    root = qde_of(out)
    notes = {n.find("q:PlainTextContent", NS).text: n.get("guid") for n in root.iterfind(".//q:Note", NS)}
    assert notes == {"why buses matter": NOTES["project"], "a calm interview": NOTES["document"]}
    assert [r.get("targetGUID") for r in root.findall("q:NoteRef", NS)] == [NOTES["project"]]
    source = root.find(".//q:TextSource", NS)
    assert [r.get("targetGUID") for r in source.findall("q:NoteRef", NS)] == [NOTES["document"]]


def test_the_export_for_qualcoder_is_valid_refi_qda(trip) -> None:
    _, out, _ = trip
    with zipfile.ZipFile(out) as archive:
        xmlschema.XMLSchema(str(SCHEMA)).validate(archive.read("project.qde").decode("utf-8"))


def test_a_second_round_trip_gives_the_same_users_creators_and_note_guids(trip, tmp_path: Path) -> None:
    _, out, _ = trip
    again, second = tmp_path / "again.db", tmp_path / "second.qdpx"
    assert run(again, "import", "project", out).exit_code == 0
    assert run(again, "export", "project", "-o", second).exit_code == 0
    first_root, second_root = qde_of(out), qde_of(second)
    for path in (".//q:User", ".//q:Note", ".//q:TextSource"):
        assert sorted(
            (e.get("guid"), e.get("name"), e.get("creatingUser"), e.get("creationDateTime"))
            for e in first_root.iterfind(path, NS)
        ) == sorted(
            (e.get("guid"), e.get("name"), e.get("creatingUser"), e.get("creationDateTime"))
            for e in second_root.iterfind(path, NS)
        )


def test_importing_into_a_store_keeps_the_first_guid_a_user_came_with(trip, tmp_path: Path) -> None:
    db, _, _ = trip
    copy = tmp_path / "copy.db"
    copy.write_bytes(db.read_bytes())
    other = qualcoder_project(tmp_path / "other.qdpx")
    with zipfile.ZipFile(other) as archive:
        qde = archive.read("project.qde").decode().replace(USERS["eve"], "C3000000-0000-0000-0000-0000000000FF")
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr(f"sources/{SOURCE}.txt", TEXT.encode("utf-8"))
    result = run(copy, "import", "project", other)
    assert result.exit_code == 0, result.output
    store = Store.open(copy)
    try:
        assert users(store)["eve"] == USERS["eve"] and len(store.memos()) == 2  # nothing doubled
    finally:
        store.close()


def test_codings_another_tool_kept_in_separate_selections_go_back_in_them_with_their_guids(tmp_path: Path) -> None:
    """NVivo writes one selection per coding, so one span coded twice by one user is two selections."""
    start, end = TEXT.index("bus"), TEXT.index("bus") + len("bus was late")
    selections = "".join(
        f'<PlainTextSelection guid="{selection}" startPosition="{start}" endPosition="{end}" creatingUser="{USERS["ann"]}">'
        f'<Coding guid="{coding}" creatingUser="{USERS["ann"]}"><CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>'
        for selection, coding, code in [
            ("D4000000-0000-0000-0000-0000000000B1", "E5000000-0000-0000-0000-0000000000B1", CODE),
            ("D4000000-0000-0000-0000-0000000000B2", "E5000000-0000-0000-0000-0000000000B2", CODE.replace("A1", "B2")),
        ]
    )
    qde = (
        '<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="Buses" origin="NVivo 14">'
        f'<Users><User guid="{USERS["ann"]}" name="ann"/></Users><CodeBook><Codes>'
        f'<Code guid="{CODE}" name="Support" isCodable="true"/><Code guid="{CODE.replace("A1", "B2")}" name="Delay" isCodable="true"/>'
        f'</Codes></CodeBook><Sources><TextSource guid="{SOURCE}" name="Ria" plainTextPath="internal://{SOURCE}.txt" '
        f'richTextPath="internal://{SOURCE}.docx">'
        f"{selections}</TextSource></Sources></Project>"
    )
    path = packed(tmp_path / "nvivo.qdpx", qde, SOURCE, TEXT)
    db, out = tmp_path / "n.db", tmp_path / "out.qdpx"
    imported = run(db, "import", "project", path)
    assert imported.exit_code == 0, imported.output
    assert "1 source also came as formatted text (richTextPath)" in imported.output  # said, not dropped silently
    assert run(db, "export", "project", "-o", out, "--for", "qualcoder").exit_code == 0
    written = {
        s.get("guid"): [c.get("guid") for c in s.iterfind("q:Coding", NS)]
        for s in qde_of(out).iterfind(".//q:PlainTextSelection", NS)
    }
    assert written == {
        "D4000000-0000-0000-0000-0000000000B1": ["E5000000-0000-0000-0000-0000000000B1"],
        "D4000000-0000-0000-0000-0000000000B2": ["E5000000-0000-0000-0000-0000000000B2"],
    }
    with zipfile.ZipFile(out) as archive:
        xmlschema.XMLSchema(str(SCHEMA)).validate(archive.read("project.qde").decode("utf-8"))


def test_a_team_store_on_postgresql_keeps_users_creators_and_note_guids_too(postgres_url, tmp_path: Path) -> None:
    from qualcode.project.exchange import export_project, import_project

    book = tmp_path / "book.yaml"
    book.write_text("name: Buses\nversion: 1\ncodes:\n  - id: delay\n    label: Delay\n", encoding="utf-8")
    project.init_project(postgres_url, book).close()  # a team's store is made first, then the project comes in
    import_project(postgres_url, qualcoder_project(tmp_path / "buses.qdpx"))
    store = Store.open(postgres_url)
    try:
        assert users(store) == USERS and creators(store) == {"Ria": "dan"}
        assert sorted(m["guid"] for m in store.memos()) == sorted(NOTES.values())
        export_project(store, tmp_path / "out.qdpx")
    finally:
        store.close()
    root = qde_of(tmp_path / "out.qdpx")
    assert {u.get("name"): u.get("guid") for u in root.iterfind(".//q:User", NS)} == USERS
    assert {n.get("guid") for n in root.iterfind(".//q:Note", NS)} == set(NOTES.values())


def test_a_project_imported_into_an_empty_postgresql_database_creates_the_store_there(postgres_url, tmp_path) -> None:
    from qualcode.project.exchange import import_project

    report = import_project(postgres_url, qualcoder_project(tmp_path / "buses.qdpx"))
    assert report.created_store
    store = Store.open(postgres_url)
    try:
        assert users(store) == USERS and creators(store) == {"Ria": "dan"}
        assert store.codebook().codes
    finally:
        store.close()
