"""Search with keyword in context, code-all-hits, co-occurrence, the framework matrix and saturation,
each figure checked against the made-up project in analysis_project.py, counted by hand."""

from __future__ import annotations

import re

import analysis_project as made
import pytest
from click.testing import CliRunner

from qualcode.analysis import saturation as sat
from qualcode.cli import main
from qualcode.errors import AnalysisError, SearchQueryError, UnknownAttributeError
from qualcode.project import analysis as ops
from qualcode.project import coding, identifiers


@pytest.fixture(scope="module")
def built(tmp_path_factory, request):
    from conftest import SMALL_CODEBOOK

    folder = tmp_path_factory.mktemp("analysis")
    codebook = folder / "small.yaml"
    codebook.write_text(SMALL_CODEBOOK, encoding="utf-8")
    store, segments = made.build(folder, codebook)
    identifiers.add_identifiers(store, ["Sandra"])
    yield store, segments, folder
    store.close()


def keywords(hits):
    return [(h["document_id"], h["keyword"]) for h in hits]


def test_words_phrases_lemmas_and_regexes_find_the_hits_counted_by_hand(built):
    store, segments, _ = built
    hits = ops.search_hits(store, "benefits")
    assert keywords(hits) == [("A1", "benefits"), ("A1", "benefits"), ("B1", "benefits"), ("B2", "benefits")]
    assert [h["segment_id"] for h in hits] == [segments[n]["id"] for n in ("a1", "a2", "c1", "d1")]
    assert len(ops.search_hits(store, "benefits", speech="all")) == 5  # B2's interviewer asks about benefits too
    assert keywords(ops.search_hits(store, '"the benefits"')) == [("A1", "the benefits"), ("B2", "the benefits")]
    both = ops.search_hits(store, "sister BENEFITS")  # every word must occur in the turn; case is ignored
    assert keywords(both) == [("A1", "sister"), ("A1", "benefits"), ("B2", "sister"), ("B2", "benefits")]
    assert keywords(ops.search_hits(store, "family", mode="lemma")) == [("B1", "Families")]
    assert [h["document_id"] for h in ops.search_hits(store, "wage", mode="lemma")] == ["A1", "A2", "B1"]
    assert ops.search_hits(store, "wage") == []  # a word matches whole words only
    assert ops.search_hits(store, r"\bwork\w*", mode="regex") == []
    assert len(ops.search_hits(store, r"\bwork\w*", mode="regex", speech="all")) == 5


def test_a_hit_reads_as_keyword_in_context_with_who_said_it_and_names_masked(built):
    store, segments, _ = built
    [hit] = ops.search_hits(store, "phones", context=12)
    assert (hit["left"], hit["keyword"], hit["right"]) == ("Her sister ", "phones", " me about th…")
    assert (hit["participant"], hit["role"], hit["speaker"]) == ("B2", "Worker", "Respondent")
    text = store.document("B2")["text"]
    assert text[hit["start"] : hit["end"]] == "phones"
    [centre] = ops.search_hits(store, "centre", context=40)
    assert "Sandra" not in centre["left"] and "[name]" in centre["left"]


def test_search_filters_by_attribute_and_refuses_bad_queries_in_one_sentence(built):
    store, _, _ = built
    assert [h["document_id"] for h in ops.search_hits(store, "benefits", where={"role": ["Worker"]})] == ["B1", "B2"]
    with pytest.raises(UnknownAttributeError):
        ops.search_hits(store, "benefits", where={"role": ["Wroker"]})
    with pytest.raises(SearchQueryError, match="not a valid regular expression"):
        ops.search_hits(store, "(unclosed", mode="regex")
    with pytest.raises(SearchQueryError, match="at least one word"):
        ops.search_hits(store, '  "" ')


def test_code_all_hits_is_one_logged_decision_per_segment_and_one_undo(built):
    store, segments, _ = built
    before = len(store.codings())
    hits = ops.search_hits(store, "sister benefits")
    report = ops.code_hits(store, hits, "wages", "zoe")
    assert len(report.added) == 2 and report.hits == 4 and report.outside_segments == 0
    coded = {(c["segment_id"], c["code_id"]) for c in store.codings() if c["coder"] == "zoe"}
    assert coded == {(segments["a2"]["id"], "wages"), (segments["d1"]["id"], "wages")}
    logged = [row for row in coding.history(store, coder="zoe")]
    assert [row["action"] for row in logged] == ["add", "add"]
    assert ops.code_hits(store, hits, "wages", "zoe").added == []  # coding them again adds nothing
    coding.undo(store, "zoe")
    assert len(store.codings()) == before
    interviewer = ops.search_hits(store, "benefits", speech="all")
    assert (
        ops.code_hits(store, [h for h in interviewer if h["kind"] != "participant"], "wages", "zoe").outside_segments
        == 1
    )
    coding.undo(store, "zoe") if [c for c in store.codings() if c["coder"] == "zoe"] else None


def test_the_search_index_follows_a_transcript_imported_after_a_search(built, tmp_path):
    from qualcode import project

    store, _, _ = built
    assert ops.search_hits(store, "pension") == []
    extra = tmp_path / "C1.txt"
    extra.write_text(
        "---\nid: C1\nrole: Worker\ndate: 2024-03-01\n---\nInterviewer: Anything else?\n\nRespondent: My pension is safe.\n",
        encoding="utf-8",
    )
    try:
        project.import_transcripts(store, [extra])
        assert keywords(ops.search_hits(store, "pension")) == [("C1", "pension")]
    finally:
        with store.engine.begin() as connection:
            from sqlalchemy import text

            for table in ("segments", "turns", "attributes", "documents"):
                connection.execute(
                    text(f"DELETE FROM {table} WHERE {'id' if table == 'documents' else 'document_id'} = 'C1'")
                )
    assert ops.search_hits(store, "pension") == []


def test_cooccurrence_counts_segments_and_participants_as_counted_by_hand(built):
    store, segments, _ = built
    rows = {(r["code_a"], r["code_b"]): r for r in ops.cooccurrence_rows(store)}
    assert rows[("benefits", "benefits")]["both"] == 3 and rows[("wages", "wages")]["both"] == 3
    assert rows[("benefits", "wages")]["both"] == 2 and rows[("benefits", "wages")]["jaccard"] == 0.5
    assert rows[("benefits", "family")]["both"] == 1 and rows[("benefits", "family")]["jaccard"] == 0.25
    assert rows[("wages", "family")]["both"] == 0 and rows[("wages", "family")]["jaccard"] == 0.0
    people = {(r["code_a"], r["code_b"]): r["both"] for r in ops.cooccurrence_rows(store, unit="participant")}
    assert (people[("benefits", "benefits")], people[("wages", "wages")], people[("family", "family")]) == (2, 3, 2)
    assert (people[("benefits", "wages")], people[("benefits", "family")], people[("wages", "family")]) == (2, 1, 1)
    themes = {(r["code_a"], r["code_b"]): r["both"] for r in ops.cooccurrence_rows(store, level="theme")}
    assert (themes[("money", "money")], themes[("people", "people")], themes[("money", "people")]) == (4, 2, 1)
    codes, table = ops.cooccurrence_matrix(list(rows.values()), "jaccard")
    assert table[codes.index("wages")][codes.index("benefits")] == 0.5
    shared = ops.shared_segments(store, "benefits", "wages")
    assert [s["segment_id"] for s in shared] == [segments["a1"]["id"], segments["c1"]["id"]]
    with pytest.raises(AnalysisError):
        ops.cooccurrence_matrix(list(rows.values()), "cosine")


def test_saturation_follows_the_date_order_and_states_its_rule(built):
    store, _, _ = built
    result = ops.saturation(store, window=2)
    overall = result.overall.rows
    assert [r["document_id"] for r in overall] == ["A2", "A1", "B1", "B2"]  # by date, not by import
    assert [(r["new"], r["cumulative"]) for r in overall] == [(1, 1), (2, 3), (0, 3), (0, 3)]
    assert overall[1]["new_codes"] == "benefits, family"
    assert result.order == "date" and result.overall.reached_at == 2
    assert "reached at coded interview 2 of 4 (A1)" in result.overall.verdict(2)
    parent, worker = result.by_role
    assert [(r["new"], r["cumulative"]) for r in parent.rows] == [(1, 1), (2, 3)] and parent.reached_at is None
    assert [(r["new"], r["cumulative"]) for r in worker.rows] == [(2, 2), (1, 3)]
    assert ops.saturation(store, window=3).overall.reached_at is None
    assert "no new code in the last 2 coded interviews" in result.rule()
    order, by = sat.interview_order(store, {d: {} for d in made.ANSWERS})  # no dates: the order of import
    assert by == "import" and order == ["A1", "A2", "B1", "B2"]


def sentences_of(passages: list[str]) -> set[str]:
    return {s.strip() for text in passages for s in re.split(r"(?<=[.!?])\s+", text)}


def test_a_framework_cell_counts_its_passages_and_summarises_only_from_them(built):
    store, segments, _ = built
    matrix = ops.framework(store, "role")
    assert matrix.rows == ["Parent", "Worker"] and [c for c, _ in matrix.columns] == ["money", "people"]
    cell = matrix.cell("Parent", "money")
    assert (cell.count, cell.participants) == (3, 2)  # a1 (two codes, one passage), a2, b1
    assert (
        matrix.cell("Parent", "people").count,
        matrix.cell("Worker", "money").count,
        matrix.cell("Worker", "people").count,
    ) == (1, 1, 1)
    own = sentences_of([segments[n]["text"] for n in ("a1", "a2", "b1")])
    assert 2 <= len(cell.computed) <= 3
    assert all(s["sentence"] in own and s["participant"] in ("A1", "A2") for s in cell.computed)
    assert cell.summary.count("(A1)") + cell.summary.count("(A2)") == len(cell.computed)
    with pytest.raises(AnalysisError, match="no cell"):
        matrix.cell("Teacher", "money")


def test_an_edited_summary_is_kept_with_its_author_and_survives_recomputation(built, tmp_path):
    store, segments, _ = built
    matrix = ops.framework(store, "role")
    ops.keep_summary(store, matrix, "Worker", "people", "Workers hear about family help by phone.", "ruth")
    s = segments["c1"]
    from qualcode.store import NewCoding

    added = store.add_codings(
        [NewCoding(s["document_id"], s["start"], s["end"], "family", "alice", segment_id=s["id"])]
    )
    again = ops.framework(store, "role")
    cell = again.cell("Worker", "people")
    assert cell.count == 2 and cell.summary == "Workers hear about family help by phone."
    assert cell.edit["author"] == "ruth" and cell.edit["edited_at"] and cell.computed_text != cell.summary
    path = tmp_path / "framework.md"
    ops.export_framework(store, path)
    written = path.read_text(encoding="utf-8")
    assert "Workers hear about family help by phone." in written and "summary by ruth" in written
    assert str(store.location) not in written and "Sandra" not in written
    store.remove_coding(added[0], "alice")
    with pytest.raises(AnalysisError, match="who wrote"):
        ops.keep_summary(store, again, "Worker", "people", "x", " ")


def test_the_cli_searches_codes_hits_and_exports_the_framework_cooccurrence_and_saturation(built, tmp_path):
    store, _, folder = built
    db = str(folder / "analysis.db")
    run = CliRunner()
    found = run.invoke(main, ["--db", db, "search", "sister", "--context", "10"])
    assert found.exit_code == 0 and "«sister»" in found.output and "(A1, Parent)" in found.output
    coded = run.invoke(main, ["--db", db, "search", "sister", "--code", "wages", "--coder", "yan"])
    assert coded.exit_code == 0 and "Coded 2 segments" in coded.output
    assert run.invoke(main, ["--db", db, "undo", "--coder", "yan"]).exit_code == 0
    bad = run.invoke(main, ["--db", db, "search", "(x", "--regex"])
    assert bad.exit_code == 1 and "not a valid regular expression" in bad.output
    docx = tmp_path / "framework.docx"
    assert run.invoke(main, ["--db", db, "export", "framework", "--by", "role", "-o", str(docx)]).exit_code == 0
    from docx import Document

    document = Document(str(docx))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "Parent" in cells and "Worker" in cells and all("Sandra" not in c for c in cells)
    assert all(str(folder) not in p.text for p in document.paragraphs)
    matrix = run.invoke(main, ["--db", db, "export", "cooccurrence", "--measure", "jaccard", "-o", "-"])
    assert matrix.exit_code == 0 and matrix.output.splitlines()[0] == "code,benefits,wages,family"
    assert matrix.output.splitlines()[1] == "benefits,1.0,0.5,0.25"
    curve = run.invoke(main, ["--db", db, "saturation", "--window", "2"])
    assert (
        curve.exit_code == 0
        and "reached at coded interview 2 of 4" in curve.output
        and "no new code in the last 2" in curve.output
    )
    wrong = run.invoke(main, ["--db", db, "export", "framework", "--by", "site", "-o", str(tmp_path / "f.md")])
    assert wrong.exit_code == 1 and "attribute `site`" in wrong.output and not (tmp_path / "f.md").exists()


SERVER = __import__("os").environ.get("QUALCODE_TEST_POSTGRES")


@pytest.mark.skipif(not SERVER, reason="QUALCODE_TEST_POSTGRES is not set (.ci/run starts PostgreSQL and sets it)")
def test_search_on_postgresql_uses_its_word_index_and_finds_the_same_hits(tmp_path):
    import uuid

    from conftest import SMALL_CODEBOOK
    from sqlalchemy import create_engine, text

    name = f"qualcode_{uuid.uuid4().hex[:12]}"
    admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        codebook = tmp_path / "small.yaml"
        codebook.write_text(SMALL_CODEBOOK, encoding="utf-8")
        store, segments = made.build(tmp_path, codebook, SERVER.rsplit("/", 1)[0] + "/" + name)
        try:
            with store.engine.connect() as connection:
                indexes = connection.execute(
                    text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_turn_search_words'")
                ).scalar()
            assert "gin" in indexes.lower() and "words" in indexes
            assert keywords(ops.search_hits(store, "benefits")) == [
                ("A1", "benefits"),
                ("A1", "benefits"),
                ("B1", "benefits"),
                ("B2", "benefits"),
            ]
            assert keywords(ops.search_hits(store, '"the benefits"')) == [
                ("A1", "the benefits"),
                ("B2", "the benefits"),
            ]
            assert keywords(ops.search_hits(store, "family", mode="lemma")) == [("B1", "Families")]
            assert len(ops.search_hits(store, "benefits", speech="all")) == 5
            assert ops.cooccurrence_rows(store)[1]["both"] == 2  # benefits x wages
        finally:
            store.close()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
