"""Real transcript layouts: each export's way of marking speakers and times is read into clean turns.

Every fixture is a few lines in the shape an export tool writes (Otter.ai, Zoom,
diarisation, bold Markdown, Word, captions), made here; the words are our own.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import docx
import pytest

from qualcode import project
from qualcode.errors import SpeakerPatternError, TranscriptError
from qualcode.ingest import SpeakerRules, read_transcript

ROOT = Path(__file__).resolve().parent.parent
Q1 = "How did you first hear about the budget?"
A1 = "My support worker told me at a review meeting."
Q2 = "And did it help you find work?"
A2 = "It paid for a job coach for three months, then it stopped."


def said(document) -> list[tuple[str, str, str]]:
    return [(t.speaker, t.kind, document.text[t.start : t.end]) for t in document.turns]


def spoken(document) -> list[tuple[str, str, str]]:
    return [turn for turn in said(document) if turn[1] != "note"]


def write(tmp_path, name: str, text: str) -> object:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


OTTER = f"""
Interview 4 transcript
SUMMARY KEYWORDS
budget, work, coach
SPEAKERS
Sara Lind, PB04

Sara Lind  00:13
{Q1}

PB04  00:20
{A1}
It was a while ago now.

Sara Lind  01:02
{Q2}

PB04  01:09
{A2}

Transcribed by https://otter.ai
"""


def test_otter_name_and_time_lines_start_turns_and_the_header_is_a_note(tmp_path):
    document = read_transcript(write(tmp_path, "PB04.txt", OTTER), SpeakerRules.with_interviewers(["Sara Lind"]))
    assert spoken(document) == [
        ("Sara Lind", "interviewer", Q1),
        ("PB04", "participant", f"{A1}\nIt was a while ago now."),
        ("Sara Lind", "interviewer", Q2),
        ("PB04", "participant", A2),
    ]
    assert [t.attributes.get("timestamp") for t in document.turns if t.kind != "note"] == [
        "00:13",
        "00:20",
        "01:02",
        "01:09",
    ]
    notes = [text for _, kind, text in said(document) if kind == "note"]
    assert "SUMMARY KEYWORDS" in notes[0] and notes[-1] == "Transcribed by https://otter.ai"
    assert document.layout.startswith("name and time on a line of their own")


def test_without_the_interviewer_named_both_speakers_are_kept_apart(tmp_path):
    document = read_transcript(write(tmp_path, "PB04.txt", OTTER))
    assert [speaker for speaker, _, _ in spoken(document)] == ["Sara Lind", "PB04", "Sara Lind", "PB04"]


def test_short_ids_with_short_times_and_a_bom_and_crlf(tmp_path):
    text = f"A1  0:04\r\n{Q1}\r\n\r\nP2  0:09\r\n{A1}\r\n\r\nA1  0:15\r\n{Q2}\r\n\r\nP2  0:21\r\n{A2}\r\n"
    path = tmp_path / "ids.txt"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    document = read_transcript(path)
    assert [(s, x) for s, _, x in spoken(document)] == [("A1", Q1), ("P2", A1), ("A1", Q2), ("P2", A2)]
    assert "\r" not in document.text and "\ufeff" not in document.text


def test_zoom_bracketed_name_then_clock_time(tmp_path):
    text = f"[Dana Smith] 11:02:09\n{Q1}\n\n[Jo Bloggs] 11:02:15\n{A1}\n\n[Dana Smith] 11:03:01\n{Q2}\n\n[Jo Bloggs] 11:03:07\n{A2}\n"
    document = read_transcript(write(tmp_path, "zoom.txt", text), SpeakerRules.with_interviewers(["Dana Smith"]))
    assert spoken(document) == [
        ("Dana Smith", "interviewer", Q1),
        ("Jo Bloggs", "participant", A1),
        ("Dana Smith", "interviewer", Q2),
        ("Jo Bloggs", "participant", A2),
    ]
    assert document.turns[0].attributes == {"timestamp": "11:02:09"}


def test_time_before_the_name_on_a_line_of_its_own(tmp_path):
    text = (
        f"[00:00:05] Interviewer\n{Q1}\n\n[00:00:12] Jo\n{A1}\n\n[00:01:00] Interviewer\n{Q2}\n\n[00:01:07] Jo\n{A2}\n"
    )
    document = read_transcript(write(tmp_path, "before.txt", text))
    assert spoken(document) == [
        ("Interviewer", "interviewer", Q1),
        ("Jo", "participant", A1),
        ("Interviewer", "interviewer", Q2),
        ("Jo", "participant", A2),
    ]


def test_name_then_bracketed_time_then_the_turn(tmp_path):
    text = f"Interviewer (00:13): {Q1}\nJo (00:20): {A1}\nInterviewer (01:02): {Q2}\nJo (01:09): {A2}\n"
    document = read_transcript(write(tmp_path, "after.txt", text))
    assert spoken(document) == [
        ("Interviewer", "interviewer", Q1),
        ("Jo", "participant", A1),
        ("Interviewer", "interviewer", Q2),
        ("Jo", "participant", A2),
    ]
    assert document.turns[3].attributes == {"timestamp": "01:09"}


def test_diarisation_ids_are_speakers_even_one_used_once(tmp_path):
    text = (
        f"[0:00:06.835000 - 0:00:07.235000] SPEAKER_00 -  {Q1}\n"
        f"[0:00:07.300000 - 0:00:09.100000] SPEAKER_01 - {A1}\n"
        f"[0:00:09.500000 - 0:00:10] SPEAKER_00 - {Q2}\n"
        f"[0:00:10.200000 - 0:00:12.900000] SPEAKER_02 - {A2}\n"
    )
    document = read_transcript(write(tmp_path, "diarised.txt", text))
    assert [(s, x) for s, _, x in spoken(document)] == [
        ("SPEAKER_00", Q1),
        ("SPEAKER_01", A1),
        ("SPEAKER_00", Q2),
        ("SPEAKER_02", A2),
    ]
    assert document.turns[2].attributes == {"timestamp": "0:00:09.500000", "end_time": "0:00:10"}


def test_bold_markdown_names_breaks_and_times_leave_no_markup(tmp_path):
    text = (
        f"**Dana Smith:** {Q1}\n\n**Jo Bloggs:** {A1}\n\n\\[04:40\\] {A2}\n\n**Break**: \\[25:07\\]\n\n"
        f"**Dana Smith:** \\[25:30\\] {Q2}\n\n**Jo Bloggs:** Yes, it did, in the end \\[laughs\\].\n"
    )
    document = read_transcript(write(tmp_path, "podcast.md", text), SpeakerRules.with_interviewers(["Dana Smith"]))
    assert spoken(document) == [
        ("Dana Smith", "interviewer", Q1),
        ("Jo Bloggs", "participant", A1),
        ("Jo Bloggs", "participant", A2),
        ("Dana Smith", "interviewer", Q2),
        ("Jo Bloggs", "participant", "Yes, it did, in the end [laughs]."),
    ]
    assert [t.attributes.get("timestamp") for t in document.turns] == [None, None, "04:40", "25:07", "25:30", None]
    assert document.turns[3].kind == "note"
    assert document.layout.startswith("**Name:**")


def test_a_one_off_label_after_an_interviewer_is_a_speaker(tmp_path):
    text = f"I: {Q1}\nMum: {A1}\nHonestly: we had no idea.\n"
    document = read_transcript(write(tmp_path, "mum.txt", text))
    assert spoken(document) == [("I", "interviewer", Q1), ("Mum", "participant", f"{A1}\nHonestly: we had no idea.")]


def test_otter_word_paragraphs_name_and_time_then_the_turn(tmp_path):
    document = docx.Document()
    document.add_paragraph("SUMMARY KEYWORDS").runs[0].bold = True
    document.add_paragraph("budget, work")
    for speaker, stamp, text in [
        ("Sara Lind", "00:01", Q1),
        ("PB09", "00:09", A1),
        (None, "00:30", A2),
        ("Sara Lind", "01:02", Q2),
    ]:
        if speaker:
            paragraph = document.add_paragraph()
            paragraph.add_run(speaker + "  ").bold = True
            paragraph.add_run(stamp)
        else:
            document.add_paragraph(stamp)
        document.add_paragraph(text)
    document.save(tmp_path / "PB09.docx")
    parsed = read_transcript(tmp_path / "PB09.docx", SpeakerRules.with_interviewers(["Sara Lind"]))
    assert spoken(parsed) == [
        ("Sara Lind", "interviewer", Q1),
        ("PB09", "participant", A1),
        ("PB09", "participant", A2),
        ("Sara Lind", "interviewer", Q2),
    ]
    assert [t.attributes.get("timestamp") for t in parsed.turns if t.kind != "note"] == [
        "00:01",
        "00:09",
        "00:30",
        "01:02",
    ]


def test_a_speaker_pattern_reads_a_layout_nothing_else_does(tmp_path):
    text = f">> DANA | {Q1}\n>> JO | {A1}\n>> DANA | {Q2}\n>> JO | {A2}\n"
    path = write(tmp_path, "custom.txt", text)
    assert [s for s, _, _ in spoken(read_transcript(path))] == ["Participant"]
    document = read_transcript(path, SpeakerRules.with_interviewers(["DANA"], r">> (?P<speaker>[A-Z]+) \| "))
    assert spoken(document) == [
        ("DANA", "interviewer", Q1),
        ("JO", "participant", A1),
        ("DANA", "interviewer", Q2),
        ("JO", "participant", A2),
    ]
    with pytest.raises(SpeakerPatternError, match="group named speaker"):
        read_transcript(path, SpeakerRules.with_interviewers([], r">> ([A-Z]+) "))


@pytest.mark.parametrize("content", [b"", b"00:01\n\n00:02\n[00:03]\n"])
def test_an_empty_file_or_one_of_only_times_is_refused(tmp_path, content):
    path = tmp_path / "times.txt"
    path.write_bytes(content)
    with pytest.raises(TranscriptError, match=r"times.txt: holds no interview text"):
        read_transcript(path)


# -- captions ---------------------------------------------------------------------------------------

CAPTIONS = """WEBVTT

1
00:00:01.000 --> 00:00:04.000
<v Dana Far&#237;as>How did you first hear about it?</v>

2
00:00:04.500 --> 00:00:60.500
<v Jo Bloggs>From my support worker &amp; my mum.</v>

3
00:00:09.000 --> 00:00:07.000
<v Jo Bloggs>It was at a review.</v>

4
00:00:10.000 --> 00:00:12.000
<v Dana Far&#237;as>The rule is simple:</v>

5
00:00:12.000 --> 00:00:14.000
you ask, and they decide.
"""


def test_caption_cues_with_unreadable_times_are_kept_and_named(tmp_path):
    document = read_transcript(write(tmp_path, "call.vtt", CAPTIONS))
    assert spoken(document) == [
        ("Dana Farías", "participant", "How did you first hear about it?"),
        ("Jo Bloggs", "participant", "From my support worker & my mum. It was at a review."),
        ("Dana Farías", "participant", "The rule is simple: you ask, and they decide."),
    ]
    assert len(document.notes) == 2
    assert document.notes[0].startswith(f"{tmp_path / 'call.vtt'}, cue 2: ") and "seconds over 59" in document.notes[0]
    assert "cue 3: it ends (00:00:07.000) before it starts (00:00:09.000)" in document.notes[1]
    assert document.turns[0].attributes == {"start_time": "00:00:01.000", "end_time": "00:00:04.000"}


def test_a_cue_ending_in_a_colon_is_speech_and_unlabelled_cues_continue_the_speaker(tmp_path):
    text = (
        "1\n00:00:01,000 --> 00:00:03,000\nInterviewer: What happened next?\n\n"
        "2\n00:00:03,500 --> 00:00:05,000\nJo: The rule is simple:\n\n"
        "3\n00:00:05,000 --> 00:00:07,000\nyou ask first.\n\n"
        "4\n00:00:07,500 --> 00:00:09,000\nInterviewer: And then?\n\n"
        "5\n00:00:09,000 --> 00:00:11,000\nJo: Then you wait.\n"
    )
    document = read_transcript(write(tmp_path, "talk.srt", text))
    assert spoken(document) == [
        ("Interviewer", "interviewer", "What happened next?"),
        ("Jo", "participant", "The rule is simple: you ask first."),
        ("Interviewer", "interviewer", "And then?"),
        ("Jo", "participant", "Then you wait."),
    ]


# -- import, roles and exports ---------------------------------------------------------------------


@pytest.fixture
def otter_project(cli, small_codebook, tmp_path):
    assert cli("init", "--codebook", small_codebook).exit_code == 0
    folder = tmp_path / "otter"
    folder.mkdir()
    write(folder, "PB04.txt", OTTER)
    return cli, folder


def test_import_names_the_layout_and_the_interviewer_option_works(otter_project):
    cli, folder = otter_project
    result = cli("import", folder, "--interviewer", "Sara Lind")
    assert result.exit_code == 0, result.output
    assert "speakers: name and time on a line of their own, the turn below; [name]; PB04" in result.output
    listed = cli("speakers", "PB04")
    assert listed.exit_code == 0
    rows = [line.split() for line in listed.output.splitlines()[1:]]
    assert rows[0][:4] == ["1", "[name]", "interviewer", "2"] and rows[1][:4] == ["2", "PB04", "participant", "2"]
    assert "Sara" not in result.output + listed.output  # a speaker named in full is masked on screen


def test_setting_a_role_resegments_and_keeps_every_coding(otter_project, db_path):
    cli, folder = otter_project
    cli("import", folder)
    store = project.open_project(db_path)
    try:
        segments = store.segments("PB04")
        assert {s["speaker"] for s in segments} == {"Sara Lind", "PB04"}
        question = next(s for s in segments if s["speaker"] == "Sara Lind")
        coding = project.add_coding(store, "PB04", question["start"], question["end"], "money", "ann")
    finally:
        store.close()
    result = cli("speakers", "set", "PB04", "sara lind", "--role", "interviewer")
    assert result.exit_code == 0, result.output
    assert "[name] is now interviewer in PB04: 2 turns changed" in result.output
    assert f"coding {coding} money (accepted, ann)" in result.output
    store = project.open_project(db_path)
    try:
        assert {s["speaker"] for s in store.segments("PB04")} == {"PB04"}
        kept = store.codings(document_ids=["PB04"])
        assert [(c["id"], c["quote"], c["segment_id"]) for c in kept] == [(coding, Q1, None)]
    finally:
        store.close()
    unknown = cli("speakers", "set", "PB04", "Nobody", "--role", "interviewer")
    assert unknown.exit_code != 0 and "has no speaker `Nobody`; give a speaker's name or their number (1 to 2)" in (
        unknown.output
    )
    assert "Sara" not in unknown.output
    back = cli("speakers", "set", "PB04", "1", "--role", "participant")  # the number the list gives, for a masked name
    assert back.exit_code == 0 and "[name] is now participant in PB04: 2 turns changed" in back.output
    assert cli("speakers", "set", "PB04", "3", "--role", "participant").exit_code != 0


def test_a_role_set_by_hand_survives_importing_the_transcript_again_as_a_replacement(otter_project, db_path):
    cli, folder = otter_project
    cli("import", folder)
    assert cli("speakers", "set", "PB04", "Sara Lind", "--role", "interviewer").exit_code == 0
    write(folder, "PB04.txt", OTTER.replace("It was a while ago now.", "It was a long while ago now."))  # a typo mended
    result = cli("import", folder, "--replace")
    assert result.exit_code == 0 and "replaced" in result.output, result.output
    store = project.open_project(db_path)
    try:
        assert {s["speaker"] for s in store.segments("PB04")} == {"PB04"}
    finally:
        store.close()


def test_exports_carry_speaker_and_media_time(otter_project, db_path, tmp_path):
    cli, folder = otter_project
    cli("import", folder, "--interviewer", "Sara Lind")
    result = cli("export", "segments", "-o", "-")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["speaker"], r["media_time"]) for r in rows] == [("PB04", "00:00:20"), ("PB04", "00:01:09")]
    store = project.open_project(db_path)
    try:
        segment = store.segments("PB04")[1]
        project.add_coding(store, "PB04", segment["start"], segment["end"], "wages", "ann")
    finally:
        store.close()
    out = tmp_path / "quotes.docx"
    assert cli("export", "quotes", "--format", "docx", "-o", out).exit_code == 0
    cells = [row.cells[1].text for row in docx.Document(str(out)).tables[0].rows[1:]]
    assert cells and cells[0] == "PB04, 00:01:09"  # participant, role (none here), media time
    quotes = tmp_path / "quotes.csv"
    cli("export", "quotes", "-o", quotes)
    row = next(csv.DictReader(quotes.open(encoding="utf-8-sig")))
    assert (row["speaker"], row["media_time"]) == ("PB04", "00:01:09")


def test_frequencies_without_roles_count_all_participants(otter_project, tmp_path):
    cli, folder = otter_project
    cli("import", folder)
    out = tmp_path / "frequencies.csv"
    result = cli("export", "frequencies", "-o", out)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert {r["role"] for r in rows} == {"all participants", "All"}


def test_a_long_file_without_labels_is_reported_with_what_to_do(cli, small_codebook, tmp_path):
    cli("init", "--codebook", small_codebook)
    write(tmp_path, "monologue.txt", " ".join([A1] * 60) + "\n")
    result = cli("import", tmp_path / "monologue.txt")
    assert result.exit_code == 0
    assert "no speaker labels recognised in" in result.output and "speaker pattern" in result.output
    bad = cli("import", tmp_path / "monologue.txt", "--speaker-pattern", "(unclosed")
    assert bad.exit_code != 0 and "not a valid regular expression" in bad.output


def test_the_import_page_sets_a_speakers_role(otter_project, db_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    cli, folder = otter_project
    cli("import", folder)
    monkeypatch.setenv("QUALCODE_DB", str(db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("qualcode/ui/page_import.py").run()
    assert not at.exception and not at.error
    at.selectbox(key="speakers_document").select("PB04").run()
    roles = {
        name: at.selectbox(key="speakers_name").select(name).run().radio(key="speakers_role").value
        for name in ("PB04", "Sara Lind")
    }
    assert roles == {"PB04": "participant", "Sara Lind": "participant"}  # each speaker's own role is shown
    at.radio(key="speakers_role").set_value("interviewer").run()
    at.button(key="speakers_set").click().run()
    assert not at.error, [e.value for e in at.error]
    assert any("[name] is now interviewer in PB04: 2 turns changed" in s.value for s in at.success)  # masked view
    assert at.selectbox(key="speakers_name").options == ["1 · [name]", "2 · PB04"]
    assert "Sara" not in " ".join(frame.value.to_string() for frame in at.dataframe)
    store = project.open_project(db_path)
    try:
        assert {s["speaker"] for s in store.segments("PB04")} == {"PB04"}
    finally:
        store.close()
    at.selectbox(key="speakers_name").select("PB04").run()
    assert at.radio(key="speakers_role").value == "participant"
    assert at.selectbox(key="speakers_name").select("Sara Lind").run().radio(key="speakers_role").value == "interviewer"


def test_a_speech_line_ending_in_a_time_stays_in_its_turn(tmp_path):
    text = OTTER.replace("It was a while ago now.", "It was a while ago now.\nWe met at 10:30")
    document = read_transcript(write(tmp_path, "PB04.txt", text))
    assert spoken(document)[1] == ("PB04", "participant", f"{A1}\nIt was a while ago now.\nWe met at 10:30")


def test_the_dashboard_opens_on_transcripts_without_roles(otter_project, db_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    cli, folder = otter_project
    cli("import", folder, "--interviewer", "Sara Lind")
    store = project.open_project(db_path)
    try:
        segment = store.segments("PB04")[0]
        project.add_coding(store, "PB04", segment["start"], segment["end"], "wages", "ann")
    finally:
        store.close()
    monkeypatch.setenv("QUALCODE_DB", str(db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("qualcode/ui/page_dashboard.py").run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert not [i.value for i in at.info if "Nothing to show" in i.value]


def test_zoom_bracketed_name_and_time_with_the_turn_on_the_same_line(tmp_path):
    text = f"[Dana Smith] 11:02:09 {Q1}\n[Jo Bloggs] 11:02:15 {A1}\n[Dana Smith] 11:03:01 {Q2}\n[Jo Bloggs] 11:03:07 {A2}\n"
    document = read_transcript(write(tmp_path, "zoom_inline.txt", text))
    assert [(s, x) for s, _, x in spoken(document)] == [
        ("Dana Smith", Q1),
        ("Jo Bloggs", A1),
        ("Dana Smith", Q2),
        ("Jo Bloggs", A2),
    ]
    assert document.turns[1].attributes == {"timestamp": "11:02:15"}


def test_a_file_with_no_participant_segment_says_how_to_fix_it(store, tmp_path):
    path = write(tmp_path, "only_q.txt", f"Interviewer: {Q1}\nModerator: {Q2}\n")
    report = project.import_transcripts(store, [path], interviewer_labels=["Moderator"])
    assert report.ok and report.imported[0].segments == 0
    assert report.warnings == [
        f"no participant segment in {path}: every turn is by an interviewer (Interviewer, Moderator); "
        "set the participant's speaker role so their answers can be coded."
    ]
