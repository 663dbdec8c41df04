"""Segmentation and the NLP pipeline: participant turns become segments with exact offsets."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLE
from fixtures.make_fixtures import build

from qualcode import nlp
from qualcode.ingest import SpeakerRules, find_transcripts, read_transcript
from qualcode.ingest.segments import MAX_WORDS, segment_documents

SENTENCE = "We talked about the job at the garden centre for a long while that {n} afternoon."


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> list:
    folder = tmp_path_factory.mktemp("fixture_corpus")
    expected = build(folder)
    parsed = [
        read_transcript(folder / name, SpeakerRules.with_interviewers(list(e.interviewers)))
        for name, e in expected.items()
    ]
    transcripts, _, _ = find_transcripts([SAMPLE])
    return parsed + [read_transcript(path) for path in transcripts]


def one_turn(tmp_path: Path, answer: str):
    path = tmp_path / "long.txt"
    path.write_text(f"Interviewer: Tell me about it.\nP1: {answer}\nInterviewer: Thanks.\n")
    document = read_transcript(path)
    return document, segment_documents([document])[0]


def test_every_segment_is_exactly_its_slice_of_a_participant_turn(documents):
    for document, spans in zip(documents, segment_documents(documents)):
        assert spans, document.id
        previous_end = -1
        for span in spans:
            turn = document.turns[span.turn_index]
            piece = document.text[span.start : span.end]
            assert turn.kind == "participant", (document.id, piece)
            assert turn.start <= span.start < span.end <= turn.end
            assert piece and piece == piece.strip()
            assert span.start > previous_end
            previous_end = span.end


def test_segments_cover_every_word_of_participant_turns_and_no_interviewer_words(documents):
    for document, spans in zip(documents, segment_documents(documents)):
        for index, turn in enumerate(document.turns):
            inside = [document.text[s.start : s.end] for s in spans if s.turn_index == index]
            if turn.kind == "participant":
                assert " ".join(inside).split() == document.text[turn.start : turn.end].split(), document.id
            else:
                assert inside == [], document.id


def test_a_long_turn_splits_into_groups_of_whole_sentences(tmp_path):
    answer = " ".join(SENTENCE.format(n=i) + (" Dr. Patel agreed, though." if i == 3 else "") for i in range(14))
    document, spans = one_turn(tmp_path, answer)
    assert len(spans) >= 2
    turn = document.turns[1]
    sentences = next(nlp.sentence_bounds([document.text[turn.start : turn.end]]))
    starts = {turn.start + a for a, _ in sentences}
    ends = {turn.start + b for _, b in sentences}
    assert len(sentences) == 15  # "Dr. Patel" does not end a sentence
    for span in spans:
        assert span.start in starts and span.end in ends
        assert len(document.text[span.start : span.end].split()) <= MAX_WORDS
    assert "Dr. Patel agreed" in " ".join(document.text[s.start : s.end] for s in spans)


def test_a_short_turn_is_one_segment_and_paragraphs_are_segments(tmp_path):
    document, spans = one_turn(tmp_path, "It was fine. Really it was.")
    assert [document.text[s.start : s.end] for s in spans] == ["It was fine. Really it was."]
    path = tmp_path / "paragraphs.md"
    path.write_text("**Interviewer:** Go on.\n\n**P1:** First thought.\n\nSecond thought, later.\n")
    document = read_transcript(path)
    spans = segment_documents([document])[0]
    assert [document.text[s.start : s.end] for s in spans] == ["First thought.", "Second thought, later."]


def test_one_very_long_sentence_is_never_cut(tmp_path):
    answer = "and then " * 80 + "we stopped."
    document, spans = one_turn(tmp_path, answer.strip())
    assert len(spans) == 1
    assert document.text[spans[0].start : spans[0].end] == answer.strip()


def test_lemmas_handle_capitals_without_moving_offsets():
    text = "Running late, she was Running and the Meetings were cancelled."
    doc = nlp.get_pipeline()(text)
    assert doc.text == text
    by_text = {(token.text, token.idx): token.lemma_ for token in doc}
    assert by_text[("Running", 0)] == "run"
    assert by_text[("Running", 22)] == "run"
    assert by_text[("Meetings", 38)] == "meeting"
    assert by_text[("cancelled", 52)] == "cancel"
    assert all(text[token.idx : token.idx + len(token.text)] == token.text for token in doc)
    assert [d.text for d in nlp.lemma_docs(["Running."])] == ["Running."]


def test_the_pipeline_is_blank_english_with_sentences_and_lemmas():
    pipeline = nlp.get_pipeline()
    assert pipeline is nlp.get_pipeline(nlp.DEFAULT_MODEL)
    assert pipeline.lang == "en" and pipeline.pipe_names == ["sentencizer", nlp.LEMMATIZER]
    with pytest.raises(nlp.NlpModelError, match="not installed"):
        nlp.get_pipeline("en_no_such_pipeline_sm")


def test_a_sentence_starting_with_a_bracketed_placeholder_keeps_its_bracket(tmp_path):
    """Anonymised transcripts start sentences with "[name]"; the bracket belongs to the next sentence."""
    answer = " ".join(
        ["I waited for months and nobody rang me back about the job coach at all."] * 6
        + ["It depends on the job. [name] said the panel would decide.", "(laughs) We waited again."]
    )
    document, spans = one_turn(tmp_path, answer)
    pieces = [document.text[s.start : s.end] for s in spans]
    assert len(pieces) >= 2 and " ".join(pieces).split() == answer.split()  # no word cut in two
    sentences = [answer[a:b] for a, b in next(nlp.sentence_bounds([answer]))]
    assert "[name] said the panel would decide." in sentences and "(laughs) We waited again." in sentences
