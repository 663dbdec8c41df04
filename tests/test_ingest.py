"""Reading transcripts: every format, encoding, line ending and speaker-label style."""

from __future__ import annotations

import codecs
from pathlib import Path

import docx
import pytest
from fixtures.make_fixtures import A1, A_ACCENTS, ONE_OFF, Q1, UNDECODABLE, Expected, build, fixtures

from qualcode.errors import EncodingError, ParticipantsError, TranscriptError
from qualcode.ingest import SpeakerRules, find_transcripts, read_participants, read_transcript

NAMES = sorted(fixtures())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Expected]]:
    folder = tmp_path_factory.mktemp("fixture_corpus")
    return folder, build(folder)


def parse(corpus, name):
    folder, expected = corpus
    wanted = expected[name]
    return read_transcript(folder / name, SpeakerRules.with_interviewers(list(wanted.interviewers))), wanted


@pytest.mark.parametrize("name", NAMES)
def test_every_fixture_parses_to_its_speakers_kinds_and_text(corpus, name):
    document, wanted = parse(corpus, name)
    assert [(turn.speaker, turn.kind, document.text[turn.start : turn.end]) for turn in document.turns] == wanted.turns
    assert document.encoding == wanted.encoding
    assert document.id == (wanted.id or Path(name).stem)
    assert document.attributes == wanted.attributes
    if wanted.turn_attributes is not None:
        assert [turn.attributes for turn in document.turns] == wanted.turn_attributes


@pytest.mark.parametrize("name", NAMES)
def test_turn_offsets_point_at_trimmed_text_in_order(corpus, name):
    document, _ = parse(corpus, name)
    previous_end = 0
    for turn in document.turns:
        said = document.text[turn.start : turn.end]
        assert said and said == said.strip()
        assert turn.start >= previous_end
        previous_end = turn.end
    assert "\r" not in document.text and "\ufeff" not in document.text


@pytest.mark.parametrize("name", NAMES)
def test_a_one_off_label_inside_an_answer_stays_speech(corpus, name):
    document, _ = parse(corpus, name)
    assert "Honestly" not in {turn.speaker for turn in document.turns}
    if ONE_OFF in document.text:
        holder = next(t for t in document.turns if t.start <= document.text.index(ONE_OFF) < t.end)
        assert holder.kind == "participant" and holder.speaker not in ("", "Honestly")


def test_every_encoding_gives_the_same_text(corpus):
    texts = {parse(corpus, name)[0].text for name in NAMES if name.startswith("enc_")}
    assert len(texts) == 1
    assert A_ACCENTS in texts.pop()


def test_line_endings_give_the_same_document(corpus):
    hashes = {parse(corpus, name)[0].content_hash for name in ("endings_crlf.txt", "endings_cr.txt", "endings_lf.txt")}
    assert len(hashes) == 1


def test_utf16_big_endian_with_a_mark(tmp_path):
    path = tmp_path / "be.txt"
    path.write_bytes(codecs.BOM_UTF16_BE + f"Interviewer: {Q1}\nP1: {A_ACCENTS}\n".encode("utf-16-be"))
    document = read_transcript(path)
    assert document.encoding == "utf-16"
    assert [document.text[t.start : t.end] for t in document.turns] == [Q1, A_ACCENTS]


def test_undecodable_file_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "garbled.txt"
    path.write_bytes(UNDECODABLE)
    with pytest.raises(EncodingError) as caught:
        read_transcript(path)
    message = str(caught.value)
    assert message.startswith(str(path)) and "UTF-8" in message
    assert message.count(". ") == 0 and message.endswith(".")


def test_interviewer_labels_are_configurable(corpus):
    folder, _ = corpus
    default = read_transcript(folder / "configured_dana.txt")
    assert {t.speaker: t.kind for t in default.turns} == {"Dana": "participant", "Sam": "participant"}
    configured = read_transcript(folder / "configured_dana.txt", SpeakerRules.with_interviewers(["dana"]))
    assert {t.speaker: t.kind for t in configured.turns} == {"Dana": "interviewer", "Sam": "participant"}
    moderator = read_transcript(folder / "labels_moderator_sam.txt", SpeakerRules.with_interviewers(["Moderator"]))
    assert {t.speaker: t.kind for t in moderator.turns} == {"Moderator": "interviewer", "Sam": "participant"}


def test_a_repeated_name_becomes_a_speaker_but_a_one_off_does_not(tmp_path):
    path = tmp_path / "names.txt"
    path.write_text(
        f"Interviewer: {Q1}\nMaya Patel: {A1}\nAnyway: it was fine.\nInterviewer: Thanks.\nMaya Patel: Pleasure.\n"
    )
    document = read_transcript(path)
    assert [t.speaker for t in document.turns] == ["Interviewer", "Maya Patel", "Interviewer", "Maya Patel"]
    assert document.text[document.turns[1].start : document.turns[1].end] == f"{A1}\nAnyway: it was fine."


def test_text_before_the_first_label_is_a_note(tmp_path):
    path = tmp_path / "heading.txt"
    path.write_text(f"Interview 12, recorded at the day centre\n\nInterviewer: {Q1}\nP1: {A1}\n")
    document = read_transcript(path)
    assert [(t.speaker, t.kind) for t in document.turns] == [
        ("", "note"),
        ("Interviewer", "interviewer"),
        ("P1", "participant"),
    ]


def test_front_matter_errors_name_file_and_line(tmp_path):
    unclosed = tmp_path / "unclosed.md"
    unclosed.write_text("---\nid: X\nrole: coach\n\nInterviewer: hi\n")
    with pytest.raises(TranscriptError, match=r"unclosed.md, line 1: .*never closed"):
        read_transcript(unclosed)
    broken = tmp_path / "broken.md"
    broken.write_text("---\nid: X\nrole: [coach\n---\nInterviewer: hi\nP1: hello\n")
    with pytest.raises(TranscriptError, match=r"broken.md, line \d+: the front matter is not valid YAML"):
        read_transcript(broken)


def test_unreadable_files_are_refused_with_a_sentence(tmp_path):
    for name, data in [
        ("empty.txt", b"\n\n"),
        ("fake.docx", b"not a zip"),
        ("broken.vtt", b"no header here\n"),
        ("notes.pdf", b"%PDF"),
    ]:
        (tmp_path / name).write_bytes(data)
        with pytest.raises(TranscriptError) as caught:
            read_transcript(tmp_path / name)
        assert str(caught.value).startswith(str(tmp_path / name)), name
        assert "\n" not in str(caught.value)


def test_word_headings_and_notes_before_the_first_label_are_not_speech(tmp_path):
    document = docx.Document()
    document.add_heading("Participant PB09", level=1)
    document.add_paragraph("Recorded on 3 March; consent confirmed.")
    document.add_paragraph(f"Interviewer: {Q1}")
    document.add_paragraph(f"PB09: {A1}")
    document.save(tmp_path / "PB09.docx")
    parsed = read_transcript(tmp_path / "PB09.docx")
    assert [(t.speaker, t.kind) for t in parsed.turns] == [
        ("", "note"),
        ("Interviewer", "interviewer"),
        ("PB09", "participant"),
    ]
    assert parsed.title == "Participant PB09"
    assert (
        parsed.text[parsed.turns[0].start : parsed.turns[0].end]
        == "Participant PB09\n\nRecorded on 3 March; consent confirmed."
    )


def test_find_transcripts_walks_folders_and_skips_other_files(tmp_path):
    (tmp_path / "nested" / "deeper").mkdir(parents=True)
    (tmp_path / "nested" / "deeper" / "a.txt").write_text("P1: hi\n")
    (tmp_path / "b.vtt").write_text("WEBVTT\n")
    (tmp_path / "README.md").write_text("# about\n")
    (tmp_path / ".hidden.txt").write_text("P1: hi\n")
    (tmp_path / "~$b.docx").write_bytes(b"lock")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    (tmp_path / "participants.csv").write_text("id,role\na,Job coach\n")
    transcripts, participants, skipped = find_transcripts([tmp_path])
    assert sorted(p.name for p in transcripts) == ["a.txt", "b.vtt"]
    assert [p.name for p in participants] == ["participants.csv"]
    assert sorted(p.name for p in skipped) == ["README.md", "notes.pdf"]
    with pytest.raises(TranscriptError, match="no such file or folder"):
        find_transcripts([tmp_path / "missing"])


def test_participants_csv(tmp_path):
    path = tmp_path / "participants.csv"
    path.write_bytes(
        codecs.BOM_UTF8 + b"id,role,site,pb_years\r\nPB01,Person using a PB,Site A,4\r\nJC01,Job coach,Site C,\r\n"
    )
    assert read_participants(path) == {
        "PB01": {"role": "Person using a PB", "site": "Site A", "pb_years": "4"},
        "JC01": {"role": "Job coach", "site": "Site C"},
    }
    path.write_text("name,role\nPB01,x\n")
    with pytest.raises(ParticipantsError, match=r"participants.csv, line 1: needs an `id` column"):
        read_participants(path)
    path.write_text("id,role\nPB01,x\nPB01,y\n")
    with pytest.raises(ParticipantsError, match=r"participants.csv, line 3: participant `PB01` appears twice"):
        read_participants(path)


def test_sample_transcripts_read_in_the_layouts_they_were_written_in():
    """The gold coding is anchored to the sample's text: its files must keep reading as labelled turns."""
    sample = Path(__file__).resolve().parent.parent / "transcripts_sample"
    transcripts, _, _ = find_transcripts([sample])
    documents = {path: read_transcript(path) for path in transcripts}
    assert {d.layout for p, d in documents.items() if p.suffix in (".txt", ".md")} == {"Name: text"}
    assert all({"interviewer", "participant"} <= {t.kind for t in d.turns} for d in documents.values())


def test_a_zero_byte_transcript_is_refused(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(TranscriptError, match=r"empty.txt: holds no interview text"):
        read_transcript(path)


def test_caption_cues_that_cannot_be_read_are_named_and_the_rest_imports(tmp_path):
    path = tmp_path / "broken_times.vtt"
    path.write_text(
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:59.900\nJo: Hello there.\n\n"
        "2\n00:00:59.900 --> 00:00:60.500\nJo: A cue with a bad end.\n\n"
        "3\n00:01:01.000 --> 00:01:03.000\nJo: And the last one.\n",
        encoding="utf-8",
    )
    document = read_transcript(path)
    assert document.text.count("Jo:") == 1 and "A cue with a bad end." in document.text
    assert document.notes == [
        f"{path}, cue 2: the time `00:00:60.500` has seconds over 59; its text is kept without a time"
    ]
