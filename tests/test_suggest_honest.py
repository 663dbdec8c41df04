"""Honest suggestions: no bulk-accept confidence from the codebook alone, blind coders learn only from
themselves, encodings kept in the store, and the sentence encoder verified by its hash."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from qualcode import project
from qualcode.errors import NlpModelError
from qualcode.store import encodings
from qualcode.suggest import encoder, semantic

BULK_ACCEPT = 0.8

CODEBOOK = """\
name: Money and support
version: 1
codes:
  - id: money
    label: Money
    definition: Money matters for people using a budget.
  - id: payment_burden
    parent: money
    label: Payment burden
    definition: The work and worry of paying for support from a budget, such as managing a bank account, invoices and payroll.
    keywords: [bank account, invoice, payroll]
  - id: benefits_fear
    parent: money
    label: Fear of losing benefits
    definition: Worry that earning money from a job will stop welfare benefits.
    keywords: [benefit, universal credit]
"""

ON_TOPIC = [
    "Managing the bank account for my son's budget, paying invoices and doing the payroll for his assistant takes hours.",
    "Every month the invoices pile up and I have to pay the agency out of the budget account.",
    "I'm frightened that if she earns anything her benefits will be cut.",
    "We worry the universal credit will stop if he takes the job.",
]
ELSEWHERE = [
    "We refactored the parser, moved the build to a new compiler and the continuous integration now runs in four minutes.",
    "Our book club read a novel set in Lisbon this month and argued about the ending for an hour.",
    "The recipe needs two eggs, flour, and the oven at two hundred degrees for twenty minutes.",
]
KEYWORD_ONLY = "The fishing boat drifted past the old bank account of the river where the herons nest."


def _interview(folder: Path, document_id: str, answers: list[str]) -> None:
    lines = [f"---\nid: {document_id}\nrole: Person using a PB\n---"]
    for answer in answers:
        lines += ["Q: Could you say more?", f"A: {answer}"]
    (folder / f"{document_id}.txt").write_text("\n\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("honest")
    (root / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    transcripts = root / "transcripts"
    transcripts.mkdir()
    _interview(transcripts, "P1", ON_TOPIC[:2] + ELSEWHERE[:1])
    _interview(transcripts, "P2", ON_TOPIC[2:] + ELSEWHERE[1:] + [KEYWORD_ONLY])
    return root


def _project(folder: Path, name: str):
    store = project.init_project(folder / f"{name}.db", folder / "codebook.yaml")
    project.import_transcripts(store, [folder / "transcripts"])
    return store


def _confidences(store, text_part: str) -> list[float]:
    segment_ids = {s["id"] for s in store.segments() if text_part in s["text"]}
    return [c["confidence"] for c in store.codings(statuses=["pending"]) if c["segment_id"] in segment_ids]


def test_a_passage_about_something_else_entirely_gets_no_bulk_accept_suggestion(folder):
    store = _project(folder, "elsewhere")
    project.suggest(store, min_confidence=0.0)
    for passage in ELSEWHERE:
        assert all(c < BULK_ACCEPT for c in _confidences(store, passage[:30]))
    assert all(c["confidence"] < BULK_ACCEPT for c in store.codings(statuses=["pending"]))
    store.close()


def test_a_keyword_alone_stays_below_the_bulk_accept_level(folder):
    store = _project(folder, "keyword")
    project.suggest(store, min_confidence=0.0)
    burden = [
        c for c in store.codings(statuses=["pending"], code_ids=["payment_burden"]) if "fishing boat" in c["quote"]
    ]
    assert burden and burden[0]["evidence"]["terms"] == ["bank account"]
    assert burden[0]["confidence"] < BULK_ACCEPT
    words = project.explain(burden[0]["evidence"])
    assert "matched 'bank account'" in words and "from the codebook alone" in words
    store.close()


def test_evidence_says_in_words_why_without_raw_scores(folder):
    store = _project(folder, "words")
    project.suggest(store, min_confidence=0.3)
    burden = [
        c for c in store.codings(statuses=["pending"], code_ids=["payment_burden"]) if "invoices pile up" in c["quote"]
    ]
    assert burden, "the on-topic passage gets a suggestion"
    words = project.explain(burden[0]["evidence"])
    assert "definition of Payment burden" in words or "matched" in words
    assert "similarity" not in words and "0." not in words
    store.close()


def test_blind_coders_suggestions_do_not_change_when_a_colleague_decides(folder):
    store = _project(folder, "blind")
    segment = next(s for s in store.segments() if "universal credit" in s["text"])
    first = next(s for s in store.segments() if "frightened" in s["text"])
    project.add_coding(store, first["document_id"], first["start"], first["end"], "benefits_fear", "alice")

    def alices_view() -> dict[tuple[int, str], float]:
        project.suggest(store, min_confidence=0.0, blind_coder="alice")
        return {(c["segment_id"], c["code_id"]): c["confidence"] for c in store.codings(statuses=["pending"])}

    before = alices_view()
    for s in store.segments():
        if s["id"] not in (first["id"], segment["id"]):
            project.add_coding(store, s["document_id"], s["start"], s["end"], "payment_burden", "bob")
    after = alices_view()
    still_open = set(before) & set(after)
    assert (segment["id"], "benefits_fear") in still_open and (segment["id"], "payment_burden") in still_open
    assert {key: after[key] for key in still_open} == {key: before[key] for key in still_open}
    colleague_seen = project.suggest(store, min_confidence=0.0)  # not blind: bob's decisions are learned from
    assert colleague_seen.updated > 0
    store.close()


def test_encodings_are_kept_in_the_store_and_not_computed_again(folder):
    store = _project(folder, "kept")
    project.suggest(store)
    embedder = semantic.embedder()
    kept = encodings.stored(store, embedder.name)
    assert len(kept) == len(store.segments())
    calls = []
    project_meanings = encodings.meanings(
        store, store.segments(), embedder.name, lambda texts: calls.append(texts) or embedder.embed(texts)
    )
    assert calls == [] and project_meanings.shape == (len(store.segments()), embedder.dimensions)
    store.close()


def test_without_the_encoder_the_static_table_is_used_and_the_suggestion_says_so(folder, monkeypatch):
    monkeypatch.setattr(semantic, "USE_ENCODER", False)
    store = _project(folder, "static")
    project.suggest(store, min_confidence=0.0)
    pending = store.codings(statuses=["pending"])
    assert pending and {c["evidence"]["encoder"] for c in pending} == {semantic.SentenceEmbedder.name}
    store.close()


@pytest.fixture(scope="session")
def encoder_folder() -> Path:
    folder = encoder.package_folder()
    if folder is None:
        pytest.skip("the sentence encoder package is not installed")
    return folder


@pytest.fixture(scope="session")
def sentence_encoder(encoder_folder):
    return encoder.load(encoder_folder)


def test_the_encoder_tells_related_passages_from_unrelated_ones(sentence_encoder):
    vectors = sentence_encoder.embed([ON_TOPIC[0], ON_TOPIC[1], ELSEWHERE[2], ""])
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
    assert np.allclose(np.linalg.norm(vectors[:3], axis=1), 1.0, atol=1e-4) and not vectors[3].any()


def test_a_corrupt_encoder_weights_file_is_refused_in_one_sentence(encoder_folder, tmp_path):
    copy = tmp_path / "model"
    copy.mkdir()
    shutil.copy(encoder_folder / encoder.TOKENIZER, copy / encoder.TOKENIZER)
    shutil.copy(encoder_folder / encoder.WEIGHTS, copy / encoder.WEIGHTS)
    with open(copy / encoder.WEIGHTS, "r+b") as handle:
        handle.seek(4096)
        handle.write(b"\x00" * 64)
    with pytest.raises(NlpModelError) as raised:
        encoder.load(copy)
    message = str(raised.value)
    assert "do not match their known checksum" in message and "reinstall" in message and message.count(". ") == 0


def test_suggest_says_which_embedder_read_the_meaning(folder, monkeypatch):
    from click.testing import CliRunner

    from qualcode.cli import main

    monkeypatch.setattr(semantic, "USE_ENCODER", False)
    store = _project(folder, "cli")
    store.close()
    result = CliRunner().invoke(main, ["--db", str(folder / "cli.db"), "suggest"])
    assert result.exit_code == 0, result.output
    assert "Meaning read with the WordLlama static word-vector table (256 dimensions)." in result.output


def test_a_code_coders_keep_rejecting_loses_its_codebook_confidence_elsewhere(folder, tmp_path):
    transcripts = tmp_path / "transcripts"
    shutil.copytree(folder / "transcripts", transcripts)
    _interview(
        transcripts,
        "P3",
        [
            f"{who} worries that the {what} benefit will stop if {job}."
            for who in (
                "My mother",
                "Her father",
                "Our neighbour",
                "My brother",
                "His aunt",
                "My cousin",
                "Their son",
                "Her uncle",
            )
            for what, job in (
                ("housing", "she takes the shop job"),
                ("disability", "he works more hours"),
                ("carer's", "the paid work comes through"),
                ("sickness", "the new job starts"),
            )
        ],
    )
    store = project.init_project(tmp_path / "rejected.db", folder / "codebook.yaml")
    project.import_transcripts(store, [transcripts])
    project.suggest(store, min_confidence=0.0)
    frightened = next(s["id"] for s in store.segments() if "frightened" in s["text"])

    def confidence(code_id: str) -> float:
        found = [
            c["confidence"]
            for c in store.codings(statuses=["pending"], code_ids=[code_id])
            if c["segment_id"] == frightened
        ]
        return found[0] if found else 0.0

    before = {code_id: confidence(code_id) for code_id in ("benefits_fear", "payment_burden")}
    assert before["benefits_fear"] > 0.2
    passed_over = [
        c["id"] for c in store.codings(statuses=["pending"], code_ids=["benefits_fear"]) if c["document_id"] == "P3"
    ]
    assert len(passed_over) >= 24  # enough that coders' rejections outweigh the codebook's belief (PRIOR_PASSAGES)
    project.reject(store, passed_over, "alice")
    project.suggest(store, min_confidence=0.0)
    after = {code_id: confidence(code_id) for code_id in ("benefits_fear", "payment_burden")}
    assert after["benefits_fear"] < 0.75 * before["benefits_fear"]
    assert after["payment_burden"] == pytest.approx(before["payment_burden"], abs=1e-3)
    store.close()
