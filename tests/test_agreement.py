"""Inter-coder agreement reproduces published values through the CLI; units, levels, documents,
disagreements, resolutions and blind mode behave as a team relies on."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from click.testing import CliRunner

from qualcode import project
from qualcode.cli import main
from qualcode.store import NewCoding, Store
from qualcode.store.codings import SUGGESTER
from qualcode.team import coders as team
from qualcode.team.agreement import agreement
from qualcode.team.statistics import pattern_alpha

NA = None
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the example of four observers
# coding twelve units with values 1-5 and missing data; nominal alpha = 0.743.
KRIPPENDORFF = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, NA, NA, NA],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NA, 3],
    "C": [NA, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NA],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NA],
}
VALUES_CODEBOOK = "name: Values\ncodes:\n" + "".join(f"  - id: value_{v}\n    label: Value {v}\n" for v in range(1, 6))
YES_CODEBOOK = "name: Work or not\ncodes:\n  - id: work\n    label: About work\n  - id: other\n    label: Other\n"


def run(db: Path, *args: str):
    return CliRunner().invoke(main, ["--db", str(db), *map(str, args)], catch_exceptions=False)


def build(tmp_path: Path, codebook: str, paragraphs: list[str], name: str = "units") -> tuple[Path, list[dict]]:
    """A store whose one document has one segment per paragraph (no speaker labels: one participant turn)."""
    (tmp_path / "codebook.yaml").write_text(codebook, encoding="utf-8")
    db = tmp_path / "team.db"
    if not db.exists():
        assert run(db, "init", "--codebook", tmp_path / "codebook.yaml").exit_code == 0
    transcript = tmp_path / f"{name}.txt"
    transcript.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    assert run(db, "import", transcript).exit_code == 0
    store = Store.open(db)
    segments = store.segments(name)
    store.close()
    assert len(segments) == len(paragraphs)
    return db, segments


def import_codings(db: Path, tmp_path: Path, coder: str, rows: list[tuple[dict, str]]) -> None:
    """Load (segment, code) pairs as `coder`'s accepted codings through `qualcode import-codings`."""
    path = tmp_path / f"{coder}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["document_id", "start", "end", "code_id"])
        writer.writerows([s["document_id"], s["start"], s["end"], code] for s, code in rows)
    result = run(db, "import-codings", path, "--coder", coder)
    assert result.exit_code == 0, result.output


def csv_rows(text: str) -> dict[str, dict[str, str]]:
    return {row["code_id"]: row for row in csv.DictReader(io.StringIO(text))}


def statements(n: int) -> list[str]:
    return [f"Statement number {i} says something about work. It has a second sentence." for i in range(1, n + 1)]


def test_krippendorff_four_coders_twelve_units_give_the_published_alpha(tmp_path: Path) -> None:
    db, segments = build(tmp_path, VALUES_CODEBOOK, statements(12))
    for coder, values in KRIPPENDORFF.items():
        import_codings(db, tmp_path, coder, [(s, f"value_{v}") for s, v in zip(segments, values) if v is not None])
    result = run(db, "agreement", "--coders", "A,B,C,D", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = csv_rows(result.stdout)
    assert float(rows["(all)"]["alpha"]) == pytest.approx(0.743, abs=5e-4)
    assert int(rows["(all)"]["units"]) == 11  # unit 12 has one value: not pairable
    assert float(rows["(all)"]["alpha_low"]) < 0.743 < float(rows["(all)"]["alpha_high"])
    assert rows["(all)"]["kappa"] == ""  # Cohen's kappa is for two coders only
    for v in range(1, 6):  # per code: present/absent for every coder who coded the document
        binary = [[int(value == v) for value in values] for values in KRIPPENDORFF.values()]
        expected = krippendorff.alpha(reliability_data=binary, level_of_measurement="nominal")
        assert float(rows[f"value_{v}"]["alpha"]) == pytest.approx(expected, abs=1e-4)


def kappa_store(tmp_path: Path) -> Path:
    """50 segments: 20 both yes, 5 A yes / B no, 10 A no / B yes, 15 both no (Cohen's kappa 0.4)."""
    db, segments = build(tmp_path, YES_CODEBOOK, statements(50))
    import_codings(db, tmp_path, "A", [(s, "work") for s in segments[:25]])
    import_codings(db, tmp_path, "B", [(s, "work") for s in segments[:20] + segments[25:35]])
    return db


def test_two_coders_reproduce_a_kappa_known_by_hand(tmp_path: Path) -> None:
    db = kappa_store(tmp_path)
    result = run(db, "agreement", "--coders", "A,B", "--format", "csv")
    assert result.exit_code == 0, result.output
    row = csv_rows(result.stdout)["work"]
    assert float(row["kappa"]) == pytest.approx(0.4, abs=1e-9)
    assert float(row["agreement_pct"]) == 70.0
    assert (row["units"], row["units_coded"], row["units_A"], row["units_B"]) == ("50", "35", "25", "30")
    a = [1] * 25 + [0] * 25
    b = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    assert float(row["alpha"]) == pytest.approx(
        krippendorff.alpha(reliability_data=[a, b], level_of_measurement="nominal"), abs=1e-4
    )
    assert float(row["kappa_low"]) < 0.4 < float(row["kappa_high"])
    overall = csv_rows(run(db, "agreement", "--coders", "A,B", "--format", "csv", "--uncoded", "value").stdout)["(all)"]
    assert (
        float(overall["kappa"]) == pytest.approx(0.4) and overall["units"] == "50"
    )  # one code: same as present/absent
    assert csv_rows(result.stdout)["(all)"]["units"] == "20"  # uncoded is missing: only units both coded


def test_intervals_are_reproducible_with_the_seed_and_change_with_another(tmp_path: Path) -> None:
    db = kappa_store(tmp_path)
    first = run(db, "agreement", "--coders", "A,B", "--format", "csv").stdout
    assert run(db, "agreement", "--coders", "A,B", "--format", "csv").stdout == first
    other = csv_rows(run(db, "agreement", "--coders", "A,B", "--format", "csv", "--seed", "7").stdout)["work"]
    assert (
        other["kappa"] == csv_rows(first)["work"]["kappa"]
        and other["kappa_low"] != csv_rows(first)["work"]["kappa_low"]
    )
    none = csv_rows(run(db, "agreement", "--coders", "A,B", "--format", "csv", "--resamples", "0").stdout)["work"]
    assert none["kappa_low"] == "" and float(none["kappa"]) == pytest.approx(0.4)


def test_table_and_xlsx_outputs(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    db = kappa_store(tmp_path)
    table = run(db, "agreement", "--coders", "A,B")
    assert table.exit_code == 0
    assert "Agreement of A, B on 50 segments in 1 documents" in table.stdout
    assert "1000 bootstrap resamples" in table.stdout and "0.400 (" in table.stdout
    out = tmp_path / "agreement.xlsx"
    assert run(db, "agreement", "--coders", "A,B", "--format", "xlsx", "-o", out).exit_code == 0
    sheet = load_workbook(out).active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    yes = dict(zip(header, [c.value for c in list(sheet.iter_rows(min_row=2, max_row=2))[0]]))
    assert yes["code_id"] == "work" and yes["kappa"] == pytest.approx(0.4)
    refused = run(db, "agreement", "--coders", "A,B", "--format", "xlsx")
    assert refused.exit_code == 2 and "-o FILE.xlsx" in refused.output


SENTENCES = [
    "The money was late again. My family helped me out.",
    "Nothing else happened that week. That was the end of it.",
]


def two_coder_sentence_store(tmp_path: Path, small_codebook: Path) -> tuple[Path, list[dict]]:
    db, segments = build(tmp_path, small_codebook.read_text(encoding="utf-8"), SENTENCES)
    first = segments[0]
    sentence_one = SENTENCES[0].index(".") + 1
    import_codings(db, tmp_path, "A", [({**first, "end": first["start"] + sentence_one}, "benefits")])
    import_codings(db, tmp_path, "B", [(first, "benefits")])
    return db, segments


def test_units_segment_sentence_and_character(tmp_path: Path, small_codebook: Path) -> None:
    db, segments = two_coder_sentence_store(tmp_path, small_codebook)
    store = Store.open(db)
    try:
        by_segment = agreement(store, ["A", "B"], unit="segment").rows[0]
        by_sentence = agreement(store, ["A", "B"], unit="sentence").rows[0]
        by_character = agreement(store, ["A", "B"], unit="character").rows[0]
    finally:
        store.close()
    assert (by_segment["units"], by_segment["agreement_pct"]) == (2, 100.0)
    assert (by_sentence["units"], by_sentence["agreement_pct"], by_sentence["units_A"], by_sentence["units_B"]) == (
        4,
        75.0,
        1,
        2,
    )
    characters = sum(len(p) for p in SENTENCES)
    differing = len(SENTENCES[0]) - (SENTENCES[0].index(".") + 1)
    assert by_character["units"] == characters
    assert by_character["agreement_pct"] == round(100 * (characters - differing) / characters, 1)


def test_character_disagreements_join_into_one_span_with_its_text(tmp_path: Path, small_codebook: Path) -> None:
    db, segments = two_coder_sentence_store(tmp_path, small_codebook)
    result = run(db, "agreement", "disagreements", "--coders", "A,B", "--unit", "character", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 1
    assert rows[0]["text"] == " My family helped me out." and (rows[0]["A"], rows[0]["B"]) == ("no", "yes")
    assert rows[0]["span"] == f"units:{segments[0]['start'] + SENTENCES[0].index('.') + 1}-{segments[0]['end']}"


def test_theme_level_counts_sibling_codes_as_agreement(tmp_path: Path, small_codebook: Path) -> None:
    db, segments = build(tmp_path, small_codebook.read_text(encoding="utf-8"), statements(4))
    import_codings(db, tmp_path, "A", [(segments[0], "benefits"), (segments[1], "family")])
    import_codings(db, tmp_path, "B", [(segments[0], "wages"), (segments[1], "family")])
    codes = csv_rows(run(db, "agreement", "--coders", "A,B", "--format", "csv").stdout)
    themes = csv_rows(run(db, "agreement", "--coders", "A,B", "--format", "csv", "--level", "theme").stdout)
    assert float(codes["benefits"]["agreement_pct"]) == 75.0 and set(codes) == {"benefits", "wages", "family", "(all)"}
    assert set(themes) == {"money", "people", "(all)"}
    assert float(themes["money"]["agreement_pct"]) == 100.0 and float(themes["(all)"]["alpha"]) == 1.0


def test_only_documents_every_coder_coded_count(tmp_path: Path) -> None:
    db, segments = build(tmp_path, YES_CODEBOOK, statements(4))
    _, others = build(tmp_path, YES_CODEBOOK, statements(3), name="half")
    import_codings(db, tmp_path, "A", [(segments[0], "work"), (others[0], "work")])
    import_codings(db, tmp_path, "B", [(segments[0], "work"), (segments[1], "work")])
    result = run(db, "agreement", "--coders", "A,B", "--format", "csv")
    assert result.exit_code == 0
    assert "half left out: not coded by B" in result.stderr
    assert csv_rows(result.stdout)["work"]["units"] == "4"
    only_half = run(db, "agreement", "--coders", "A,B", "--documents", "half")
    assert only_half.exit_code == 1 and "was coded by all of A, B" in only_half.output


def test_user_mistakes_are_one_sentence(tmp_path: Path) -> None:
    db = kappa_store(tmp_path)
    one = run(db, "agreement", "--coders", "A")
    assert one.exit_code == 1 and "name at least 2 coders" in one.output
    unknown = run(db, "agreement", "--coders", "A,Zed")
    assert unknown.exit_code == 1 and "coder `Zed` has made no decision" in unknown.output and "A, B" in unknown.output
    missing = run(db, "agreement")
    assert missing.exit_code == 2 and "--coders" in missing.output
    bad_code = run(db, "agreement", "disagreements", "--coders", "A,B", "--code", "nope")
    assert bad_code.exit_code == 1 and "no coder applied `nope`" in bad_code.output
    store = Store.open(db)
    segment = store.segments()[0]
    store.add_codings(
        [
            NewCoding(segment["document_id"], segment["start"], segment["end"], "other", "C", status="rejected"),
            NewCoding(segment["document_id"], segment["start"], segment["end"], "other", "D", status="rejected"),
        ]
    )
    store.close()
    nothing = run(db, "agreement", "--coders", "C,D")
    assert nothing.exit_code == 1 and "nothing to compare yet" in nothing.output


def test_a_resolution_is_a_new_decision_and_overwrites_nothing(tmp_path: Path) -> None:
    db = kappa_store(tmp_path)
    listed = run(db, "agreement", "disagreements", "--coders", "A,B", "--code", "work")
    assert listed.exit_code == 0 and "15 disagreements." in listed.stdout and "A: yes  B: no" in listed.stdout
    rows = list(
        csv.DictReader(io.StringIO(run(db, "agreement", "disagreements", "--coders", "A,B", "--format", "csv").stdout))
    )
    assert len(rows) == 15 and rows[0]["text"].startswith("Statement number 21")
    store = Store.open(db)
    before = store.codings()
    store.close()
    result = run(
        db,
        "agreement",
        "resolve",
        "--coder",
        "consensus",
        "--span",
        rows[0]["span"],
        "--code",
        "work",
        "--does-not-apply",
        "--memo",
        "Not about work after all.",
    )
    assert result.exit_code == 0, result.output
    run(db, "agreement", "resolve", "--coder", "consensus", "--span", rows[1]["span"], "--code", "work", "--applies")
    store = Store.open(db)
    try:
        after = store.codings()
        assert [r for r in after if r["coder"] != "consensus"] == before
        decisions = store.codings(coders=["consensus"])
        assert [(r["start"], r["status"]) for r in decisions] == [
            (int(rows[0]["start"]), "rejected"),
            (int(rows[1]["start"]), "accepted"),
        ]
        assert [m["text"] for m in store.memos()] == ["Not about work after all."]
    finally:
        store.close()
    compared = csv_rows(run(db, "agreement", "--coders", "A,consensus", "--format", "csv").stdout)["work"]
    assert compared["units_consensus"] == "1"


def test_blind_mode_shows_a_coder_only_their_own_work_and_open_suggestions(store: Store) -> None:
    report = project.import_transcripts(store, [Path(__file__).parent.parent / "transcripts_sample" / "PB01.txt"])
    assert report.ok
    segment = store.segments("PB01")[3]
    suggested = dict(
        document_id="PB01",
        start=segment["start"],
        end=segment["end"],
        coder=SUGGESTER,
        source="suggested",
        status="pending",
    )
    first, second = store.add_codings(
        [
            NewCoding(code_id="low_expectations", confidence=0.8, **suggested),
            NewCoding(code_id="benefits_worries", confidence=0.4, **suggested),
        ]
    )
    manual = project.add_coding(store, "PB01", segment["start"], segment["end"], "family_aspiration", "alice")
    project.accept(store, [first], "alice")
    bob_view = team.blind_codings(store, "bob")
    assert sorted((r["id"], r["status"], r["coder"]) for r in bob_view) == [
        (first, "pending", SUGGESTER),
        (second, "pending", SUGGESTER),
    ]
    assert manual not in {r["id"] for r in bob_view}
    new_ids = team.decide_blind(store, [first], "rejected", "bob")
    assert new_ids != [first]
    alice_rows = {r["id"]: r for r in store.codings(coders=["alice"])}
    assert alice_rows[first]["status"] == "accepted" and manual in alice_rows
    bob_rows = store.codings(coders=["bob"])
    assert [(r["code_id"], r["status"], r["source"]) for r in bob_rows] == [
        ("low_expectations", "rejected", "suggested")
    ]
    assert {r["id"] for r in team.blind_codings(store, "bob")} == {new_ids[0], second}
    assert team.decide_blind(store, [second], "accepted", "bob") == [second]
    alice_view = team.blind_codings(store, "alice")
    assert {(r["code_id"], r["status"]) for r in alice_view} == {
        ("low_expectations", "accepted"),
        ("family_aspiration", "accepted"),
        ("benefits_worries", "pending"),
    }


def test_blind_command_lists_and_decides(store: Store, db_path: Path) -> None:
    project.import_transcripts(store, [Path(__file__).parent.parent / "transcripts_sample" / "PB01.txt"])
    segment = store.segments("PB01")[3]
    [suggestion] = store.add_codings(
        [
            NewCoding(
                "PB01",
                segment["start"],
                segment["end"],
                "low_expectations",
                SUGGESTER,
                source="suggested",
                status="pending",
                confidence=0.8,
            )
        ]
    )
    project.accept(store, [suggestion], "alice")
    listed = run(db_path, "blind", "bob")
    assert listed.exit_code == 0 and f"[{suggestion}] PB01" in listed.stdout and "pending (suggested)" in listed.stdout
    decided = run(db_path, "blind", "bob", "--accept", suggestion)
    assert decided.exit_code == 0 and "Recorded 1 decision by bob." in decided.stdout
    assert [r["coder"] for r in store.codings(statuses=["accepted"])] == ["alice", "bob"]
    stranger = run(db_path, "blind", "bob", "--accept", "99999")
    assert stranger.exit_code == 1 and "coding 99999" in stranger.output


def test_bootstrap_statistic_is_the_package_alpha_for_any_pattern_weights() -> None:
    rng = np.random.default_rng(3)
    ratings = rng.integers(-1, 4, size=(3, 400))
    ratings[:, :5] = 2  # make sure some units are pairable
    expected = krippendorff.alpha(
        reliability_data=np.where(ratings < 0, np.nan, ratings), level_of_measurement="nominal"
    )
    counts = (ratings.T[:, :, None] == np.arange(4)).sum(axis=1)
    assert pattern_alpha(counts, np.ones(len(counts)))[0] == pytest.approx(expected, abs=1e-12)
