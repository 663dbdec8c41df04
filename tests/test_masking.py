"""Masking as a service rule: every form of a listed name, in every export command and every table the CLI shows."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import hostile_project as hostile
import pytest
from conftest import Cli

from qualcode import project
from qualcode.export.masking import Masker, speaker_names
from qualcode.project import identifiers
from qualcode.store import Store


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    store = hostile.build(folder, folder / "hostile.db")
    store.close()
    return folder / "hostile.db"


@pytest.fixture(scope="module")
def cli(hostile_db: Path) -> Cli:
    return Cli(hostile_db)


MASKER = Masker(hostile.IDENTIFIERS + [("brightwayworks.co.uk", "provider")])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("O’Neil said so", "[name] said so"),  # curly apostrophe against a straight one in the list
        ("ONeil said so", "[name] said so"),
        ("Zoë came", "[name] came"),  # composed text, decomposed name
        (unicodedata.normalize("NFD", "Zoë came"), "[name] came"),
        ("STRASSE and strasse and Straße", "[place] and [place] and [place]"),  # ß against SS
        ("Sarahs bag and Sarah's and Sarah’s", "[name]s bag and [name]'s and [name]’s"),
        ("SarahJones, Sarah_Jones, sarah.jones and Sarah-Jones", "[name], [name], [name] and [name]"),
        ("Sa\u200brah and Sar\u00adah", "[name] and [name]"),  # zero-width and soft hyphen inside a name
        ("see www.brightwayworks.co.uk/jobs now", "see [provider] now"),  # a web address holding a name, whole
        ("https://BrightwayWorks.co.uk", "[provider]"),
        ("mail jo.bloggs+x@mail.example.com today", "mail [email] today"),  # any email, listed or not
        ("Sarahville, Alan and Sarahson stay", "Sarahville, Alan and Sarahson stay"),  # other words are left alone
    ],
)
def test_every_form_of_a_listed_name_is_masked(text, expected):
    assert MASKER.mask(text)[0] == expected


def test_masking_keeps_the_text_around_a_name_exactly(tmp_path):
    text = "Ünïcode café — Zoe\u0308’s “quote”, then Straße."
    assert MASKER.mask(text)[0] == "Ünïcode café — [name]’s “quote”, then [place]."


COMMANDS = [
    *[
        ("export", kind, "-o", f"{kind}.{fmt}")
        for kind in ("segments", "codings", "suggestions")
        for fmt in ("csv", "xlsx", "md")
    ],
    *[("export", "quotes", "-o", f"quotes.{fmt}") for fmt in ("csv", "xlsx", "md", "docx")],
    *[
        ("export", "frequencies", "--by", by, "-o", f"freq_{by}.{fmt}")
        for by in ("name", "role")
        for fmt in ("csv", "xlsx", "md", "docx")
    ],
    *[
        ("agreement", "--coders", ",".join(hostile.CODERS), "-o", f"agreement.{fmt}")
        for fmt in ("csv", "xlsx", "md", "txt")
    ],
    *[
        ("agreement", "disagreements", "--coders", ",".join(hostile.CODERS), "-o", f"disagree.{fmt}")
        for fmt in ("csv", "xlsx", "md", "txt")
    ],
    *[("blind", hostile.CODERS[0], "-o", f"blind.{fmt}") for fmt in ("csv", "md")],
    *[("search", "benefit", "--all-speech", "-o", f"search.{fmt}") for fmt in ("csv", "xlsx", "md")],
    *[
        ("export", "cooccurrence", "--unit", "participant", "-o", f"cooccurrence.{fmt}")
        for fmt in ("csv", "xlsx", "md")
    ],
    *[("saturation", "-o", f"saturation.{fmt}") for fmt in ("csv", "xlsx", "md")],
    *[("export", "framework", "--by", "participant", "-o", f"framework.{fmt}") for fmt in ("md", "xlsx", "docx")],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]) + " " + c[-1])
def test_no_export_shows_a_listed_name_or_a_formula_cell(cli, tmp_path, command):
    *args, name = command
    output = tmp_path / name
    result = cli(*args, str(output))
    assert result.exit_code == 0, result.output
    assert hostile.identifier_leaks(result.output) == []
    assert hostile.identifier_leaks(hostile.output_text(output)) == []
    assert hostile.formula_cells(output) == []
    sidecar = output.with_name(output.name + ".about.json")
    if sidecar.exists():
        assert hostile.identifier_leaks(sidecar.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "args",
    [
        ("export", "segments", "-o", "-"),
        ("export", "codings", "-o", "-"),
        ("export", "suggestions", "-o", "-", "--format", "md"),
        ("agreement", "--coders", ",".join(hostile.CODERS)),
        ("agreement", "disagreements", "--coders", ",".join(hostile.CODERS)),
        ("agreement", "disagreements", "--coders", ",".join(hostile.CODERS), "--format", "csv"),
        ("documents",),
        ("segments", "--document", "SarahJones_01"),
        ("segments", "--document", "p2"),
        ("review", "--coder", "ann", "--document", "SarahJones_01"),
        ("history",),
        ("saturation", "--window", "1"),
    ],
)
def test_what_the_terminal_shows_is_masked_too(cli, args):
    result = cli(*args, input="s\n" * 20)
    assert result.exit_code == 0, result.output
    assert "[name]" in result.output and hostile.identifier_leaks(result.output) == []


def test_the_one_opt_out_is_for_files_only_and_needs_a_check(cli, tmp_path):
    refused = cli("export", "segments", "--no-mask", "-o", str(tmp_path / "s.csv"))
    assert refused.exit_code == 1 and "--i-have-checked" in refused.output and not (tmp_path / "s.csv").exists()
    assert cli("export", "segments", "--no-mask", "--i-have-checked", "-o", "-").exit_code == 1
    written = cli("export", "segments", "--no-mask", "--i-have-checked", "-o", str(tmp_path / "s.csv"))
    assert written.exit_code == 0 and "Sarah" in (tmp_path / "s.csv").read_text(encoding="utf-8")


def test_candidate_names_offer_recurring_names_not_yet_listed(tmp_path):
    (tmp_path / "codebook.yaml").write_text(hostile.CODEBOOK, encoding="utf-8")
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "c1.txt").write_text(
        "Interviewer: Where did you go?\nParticipant: I went to Brightway Works on Monday. Then Brightway Works rang me. "
        "Ask Priya about it, since Priya knows the job and Sarah knows it too. Sarah said it was fine.\n",
        encoding="utf-8",
    )
    store = project.init_project(tmp_path / "c.db", tmp_path / "codebook.yaml")
    project.import_transcripts(store, [tmp_path / "t"])
    identifiers.add_identifiers(store, ["Sarah"])
    found = [c["name"] for c in identifiers.candidate_names(store)]
    store.close()
    assert "Brightway Works" in found and "Priya" in found
    assert not {"Sarah", "Monday", "Then", "Ask", "I", "Participant"} & set(found)


def test_names_are_listed_added_and_removed_in_the_app(hostile_db, tmp_path, monkeypatch):
    import shutil

    from streamlit.testing.v1 import AppTest

    db = tmp_path / "app.db"
    shutil.copy(hostile_db, db)
    monkeypatch.setenv("QUALCODE_DB", str(db))
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60).run()
    at.switch_page("qualcode/ui/page_identifiers.py").run()
    assert not at.exception and "Brightway Works" in at.table[0].value.index
    at.text_input(key="identifier_names").input("Priya; Kirkdale")
    at.selectbox(key="identifier_kind").select("place")
    next(b for b in at.button if b.label == "Add").click().run()
    at.multiselect(key="identifier_remove").select("Sarah")
    next(b for b in at.button if b.label == "Remove").click().run()
    assert not at.exception
    store = Store.open(db)
    listed = {row["identifier"]: row["kind"] for row in identifiers.list_identifiers(store)}
    store.close()
    assert listed["Priya"] == listed["Kirkdale"] == "place" and "Sarah" not in listed


def test_speakers_named_in_a_transcript_are_masked_without_being_listed(tmp_path):
    (tmp_path / "codebook.yaml").write_text(hostile.CODEBOOK, encoding="utf-8")
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "call.txt").write_text(
        "Interviewer: Thanks for joining, Maria Okafor.\n"
        "Maria Okafor: Happy to. My job coach, Tom Reyes, set it up.\n"
        "Job Coach: I did, and Maria Okafor chose the day.\n",
        encoding="utf-8",
    )
    store = project.init_project(tmp_path / "c.db", tmp_path / "codebook.yaml")
    assert project.import_transcripts(store, [tmp_path / "t"]).ok
    masker = Masker.for_store(store)
    shown = [masker.mask(segment["text"])[0] for segment in store.segments()]
    assert identifiers.list_identifiers(store) == []
    store.close()
    assert all("Maria Okafor" not in text for text in shown) and "[name]" in " ".join(shown)
    assert "My job coach" in " ".join(shown)  # a speaker label naming a part, not a person, is left alone


def test_speaker_labels_are_read_as_names_the_way_transcription_tools_write_them():
    labels = ["Inglis, Jake", "Ashlee Kupor (SL)", "Carlos Farías", "Mary O'Brien", "John F. Kennedy"]
    parts = ["Interviewer", "Speaker 1", "Unknown Speaker", "SPEAKER_00", "Job Coach", "BSR01", "INT RESP"]
    assert speaker_names(labels + parts) == [
        "Inglis, Jake",
        "Jake Inglis",  # Teams writes `Surname, First`; the text says it the other way round
        "Ashlee Kupor",
        "Carlos Farías",
        "Mary O'Brien",
        "John F. Kennedy",
    ]
