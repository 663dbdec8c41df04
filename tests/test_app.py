"""The Streamlit app driven page by page with AppTest on a copy of the sample project."""

from __future__ import annotations

import dataclasses
import re
import shutil
import sqlite3
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from conftest import sample_ids
from streamlit.testing.v1 import AppTest

from qualcode import analysis, nlp, project
from qualcode.store import Store
from qualcode.words import count

pytestmark = pytest.mark.slow(90)  # seconds, all this file's tests together: started first (conftest.py)

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGES = "qualcode/ui/"


@pytest.fixture(scope="module")
def suggested_db(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project with the suggester run once over it (pending suggestions to decide)."""
    path = tmp_path_factory.mktemp("app") / "suggested.db"
    shutil.copy(sample_db, path)
    store = Store.open(path)
    project.suggest(store)
    store.close()
    return path


@pytest.fixture
def app_db(suggested_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the suggested sample project, named to the app by $QUALCODE_DB."""
    path = tmp_path / "app.db"
    shutil.copy(suggested_db, path)
    monkeypatch.setenv("QUALCODE_DB", str(path))
    return path


def open_page(page: str, coder: str | None = "ana", **params: str) -> AppTest:
    """Run the app, give a coder name in the sidebar, switch to a page (with query params) and run it."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    if coder:
        at.sidebar.text_input(key="coder").input(coder)
    at.query_params.update(params)
    at.switch_page(PAGES + page).run()
    assert not at.exception, at.exception
    return at


def ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def picker(at: AppTest, label: str):
    """The Code page's Transcript or Segment picker (its key changes with its labels, so find it by label)."""
    return next(box for box in at.selectbox if box.label == label)


def reopen(db: Path) -> Store:
    return Store.open(db)


@pytest.mark.parametrize(
    "page,title",
    [
        ("page_code.py", "Code transcripts"),
        ("page_dashboard.py", "Themes by role"),
        ("page_codebook.py", "Codebook"),
        ("page_import.py", "Import transcripts"),
    ],
)
def test_every_page_opens_on_the_sample(app_db: Path, page: str, title: str) -> None:
    at = ok(open_page(page))
    assert at.title[0].value == title


def test_a_missing_store_is_one_clear_sentence_and_nothing_is_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nowhere.db"
    monkeypatch.setenv("QUALCODE_DB", str(missing))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert [e.value for e in at.error] == [
        f"{missing}: no qualcode store here; create one with a codebook first "
        "(in a terminal: `qualcode --db PATH init --codebook FILE`)."
    ]
    assert not missing.exists()


# -- Code page ------------------------------------------------------------------------------
def pending_in(db: Path, document_id: str) -> list[dict]:
    store = reopen(db)
    try:
        return store.codings(document_ids=[document_id], statuses=["pending"])
    finally:
        store.close()


def test_accept_a_suggestion_is_stamped_with_the_coder(app_db: Path) -> None:
    suggestion = max(pending_in(app_db, "SW02"), key=lambda c: c["confidence"])
    at = open_page("page_code.py", document="SW02", segment=str(suggestion["segment_id"]))
    assert picker(at, "Transcript").value == "SW02"
    assert picker(at, "Segment").value == suggestion["segment_id"]
    at.button(key=f"accept_{suggestion['id']}").click().run()
    ok(at)
    assert "Suggestion accepted." in [s.value for s in at.success]
    store = reopen(app_db)
    decided = store.codings(
        document_ids=["SW02"], code_ids=[suggestion["code_id"]], segment_ids=[suggestion["segment_id"]]
    )
    store.close()
    assert [(c["status"], c["coder"]) for c in decided if c["id"] == suggestion["id"]] == [("accepted", "ana")]
    assert f"accept_{suggestion['id']}" not in [b.key for b in at.button]


def test_a_second_tab_sees_a_decision_on_its_next_run(app_db: Path) -> None:
    suggestion = pending_in(app_db, "SW01")[0]
    params = {"document": "SW01", "segment": str(suggestion["segment_id"])}
    other_tab = open_page("page_code.py", coder="ben", **params)
    assert f"accept_{suggestion['id']}" in [b.key for b in other_tab.button]
    open_page("page_code.py", **params).button(key=f"accept_{suggestion['id']}").click().run()
    other_tab.run()
    assert f"accept_{suggestion['id']}" not in [b.key for b in other_tab.button]
    assert f"remove_{suggestion['id']}" in [b.key for b in other_tab.button]


def test_reject_keeps_the_suggestion_as_rejected(app_db: Path) -> None:
    suggestion = pending_in(app_db, "PB01")[0]
    at = open_page("page_code.py", document="PB01", segment=str(suggestion["segment_id"]))
    at.button(key=f"reject_{suggestion['id']}").click().run()
    ok(at)
    store = reopen(app_db)
    row = [c for c in store.codings(document_ids=["PB01"]) if c["id"] == suggestion["id"]]
    store.close()
    assert [(c["status"], c["coder"]) for c in row] == [("rejected", "ana")]


def test_decisions_need_a_coder_name(app_db: Path) -> None:
    suggestion = pending_in(app_db, "SW02")[0]
    at = open_page("page_code.py", coder=None, document="SW02", segment=str(suggestion["segment_id"]))
    assert at.button(key=f"accept_{suggestion['id']}").disabled
    assert any("Enter your name as coder" in i.value for i in at.info)


def test_add_a_code_to_a_chosen_sentence_range(app_db: Path) -> None:
    store = reopen(app_db)
    segment = next(s for s in store.segments("CM01") if len(next(nlp.sentence_bounds([s["text"]]))) >= 3)
    store.close()
    bounds = next(nlp.sentence_bounds([segment["text"]]))
    at = open_page("page_code.py", document="CM01", segment=str(segment["id"]))
    at.selectbox(key=f"add_code_{segment['id']}").select("caseload_pressure")  # one form: nothing runs yet
    at.select_slider(key=f"sentences_{segment['id']}").set_range(2, 3)
    at.button(key="add").click().run()
    ok(at)
    store = reopen(app_db)
    added = store.codings(document_ids=["CM01"], code_ids=["caseload_pressure"], coders=["ana"])
    store.close()
    assert [(c["start"], c["end"], c["source"], c["status"], c["segment_id"]) for c in added] == [
        (segment["start"] + bounds[1][0], segment["start"] + bounds[2][1], "manual", "accepted", segment["id"])
    ]


def test_remove_a_coding_and_attach_a_memo(app_db: Path) -> None:
    store = reopen(app_db)
    coding = store.codings(document_ids=["JC02"], statuses=["accepted"])[0]
    store.close()
    at = open_page("page_code.py", document="JC02", segment=str(coding["segment_id"]))
    at.text_area(key=f"memo_{coding['segment_id']}").input("Check this against the job coach's other interview.")
    at.button(key="save_memo").click().run()
    at.button(key=f"remove_{coding['id']}").click().run()
    ok(at)
    store = reopen(app_db)
    assert coding["id"] not in [c["id"] for c in store.codings(document_ids=["JC02"])]
    assert [(m["segment_id"], m["coder"]) for m in store.memos("JC02")] == [(coding["segment_id"], "ana")]
    store.close()
    assert any("Check this against" in c.value for c in at.caption)
    at.button(key="undo").click().run()  # the removal, then the memo, each named as what it was
    at.button(key="undo").click().run()
    ok(at)
    assert "Undid your memo." in "".join(str(m.value) for m in [*at.success, *at.info, *at.toast, *at.markdown])
    store = reopen(app_db)
    assert store.memos("JC02") == [] and coding["id"] in [c["id"] for c in store.codings(document_ids=["JC02"])]
    store.close()


def test_accept_all_above_shows_the_count_before_it_runs(app_db: Path) -> None:
    store = reopen(app_db)
    confident = [c["document_id"] for c in store.codings(statuses=["pending"]) if c["confidence"] >= 0.7]
    store.close()
    assert confident, "the sample should have confident suggestions"
    document = max(sorted(set(confident)), key=confident.count)
    above = [c for c in pending_in(app_db, document) if c["confidence"] >= 0.7]
    at = open_page("page_code.py", document=document)
    at.slider(key="accept_above").set_value(0.7).run()
    button = at.button(key="accept_all")
    assert button.label == f"Accept {count(len(above), 'suggestion')} ≥ 0.70"
    button.click().run()
    ok(at)
    assert not [c for c in pending_in(app_db, document) if c["confidence"] >= 0.7]
    assert f"Accepted {count(len(above), 'suggestion')}." in [s.value for s in at.success]


def test_next_uncoded_segment_skips_coded_ones(app_db: Path) -> None:
    store = reopen(app_db)
    segments = [s["id"] for s in store.segments("CM01")]
    coded = {c["segment_id"] for c in store.codings(document_ids=["CM01"], statuses=["accepted"])}
    store.close()
    start = next(s for s in segments if s in coded)
    at = open_page("page_code.py", document="CM01", segment=str(start))
    at.button(key="next_uncoded").click().run()
    expected = next(s for s in segments[segments.index(start) + 1 :] if s not in coded)
    assert picker(at, "Segment").value == expected


def test_transcript_filters_by_role_and_text_is_escaped(app_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "XX01.txt").write_text(
        "---\nid: XX01\nrole: Tester\n---\nInterviewer: Hi?\nA: I said <script>alert(1)</script> & left.\n",
        encoding="utf-8",
    )
    store = reopen(app_db)
    assert project.import_transcripts(store, [folder]).ok
    store.close()
    at = open_page("page_code.py")
    at.multiselect(key="role_filter").select("Tester").run()
    assert picker(at, "Transcript").options == ["XX01 · Tester · 0/1 coded · 0 pending"]  # its role and progress
    page = "".join(h.value for h in at.html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; left." in page
    assert "<script>" not in page


def test_suggest_codes_runs_on_the_transcript(app_db: Path) -> None:
    before = pending_in(app_db, "TP02")
    store = reopen(app_db)
    for coding in before:
        store.remove_coding(coding["id"], "ana")
    store.close()
    at = open_page("page_code.py", document="TP02")
    at.button(key="suggest").click().run(timeout=120)
    finish(ok(at))
    said = " ".join(s.value for s in at.success)
    assert said.startswith(f"Suggestions: {len(before)} new, 0 updated, 0 withdrawn.")
    assert re.search(
        r"\d+ codes offered below 0\.50 \(from 0\.\d\d at the lowest\), where coders. decisions agree", said
    )
    assert len(pending_in(app_db, "TP02")) == len(before)


def finish(at: AppTest) -> AppTest:
    """Wait for the suggest run going beside the page, then draw the page again (its outcome shows once).

    A run that ended before the last click's page was drawn has shown its outcome on that page already."""
    if "qc_task" not in at.session_state:
        return ok(at)
    at.session_state["qc_task"].thread.join(timeout=120)
    return ok(at.run(timeout=120))


def test_a_run_for_every_transcript_can_be_stopped_and_keeps_whole_transcripts(app_db: Path) -> None:
    store = reopen(app_db)
    expected = {d: len(pending_in(app_db, d)) for d in sorted({s["document_id"] for s in store.segments()})}
    for coding in store.codings(statuses=["pending"]):
        store.remove_coding(coding["id"], "ana")
    store.close()
    writer = sqlite3.connect(app_db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another writer holds the store: the run waits at its first transcript
    at = open_page("page_code.py", document="TP02")
    at.button(key="suggest_all").click().run(timeout=120)
    at.button(key="suggest_stop").click().run(timeout=120)  # shown while the run goes on
    writer.execute("ROLLBACK")
    writer.close()
    at = finish(at)
    assert [w.value for w in at.warning if "suggesting was stopped" in w.value]
    saved = {d: len(pending_in(app_db, d)) for d in expected}
    assert all(saved[d] in (0, expected[d]) for d in expected)  # each transcript whole or as it was
    assert sum(1 for d in saved if saved[d]) <= 1


# -- Themes by role --------------------------------------------------------------------------
def shown_table(at: AppTest):
    return at.dataframe[-1].value


def test_dashboard_shows_every_theme_by_role_as_the_analysis_counts_it(app_db: Path) -> None:
    at = ok(open_page("page_dashboard.py"))
    store = reopen(app_db)
    expected = analysis.theme_frequencies(store, by=["role"])
    themes = [c.label for c in store.codebook().themes()]
    store.close()
    table = shown_table(at)
    assert sorted(set(table["label"])) == sorted(themes)
    merged = table.merge(expected, on=["role", "code_id"], suffixes=("", "_expected"))
    assert len(merged) == len(expected)
    assert (merged["n_of_m"] == merged["n_of_m_expected"]).all()
    assert (merged["segments"] == merged["segments_expected"]).all()
    assert [b.label for b in at.get("download_button")] == ["Download CSV", "Download XLSX"]


def test_dashboard_filters_roles_codes_coders_and_pending(app_db: Path) -> None:
    at = open_page("page_dashboard.py")
    accepted_only = shown_table(at)["segments"].sum()
    at.multiselect(key="values_role").select("Social worker").select("Commissioner").run()
    assert sorted(set(shown_table(at)["role"])) == ["Commissioner", "Social worker"]
    at.multiselect(key="codes_theme").select("pb_process").run()
    assert set(shown_table(at)["code_id"]) == {"pb_process"}
    at.multiselect(key="codes_theme").unselect("pb_process").run()
    at.multiselect(key="values_role").unselect("Social worker").unselect("Commissioner").run()
    at.toggle(key="with_pending").set_value(True).run()
    assert shown_table(at)["segments"].sum() > accepted_only
    assert at.multiselect(key="coders").options == ["gold"]
    at.multiselect(key="coders").select("gold").run()
    ok(at)
    assert shown_table(at)["segments"].sum() == accepted_only
    at.segmented_control(key="level").set_value("code").run()
    ok(at)
    assert "caseload_pressure" in set(shown_table(at)["code_id"])


def test_dashboard_groups_by_any_attribute(app_db: Path) -> None:
    at = open_page("page_dashboard.py")
    at.selectbox(key="by").select("site").run()
    ok(at)
    assert sorted(set(shown_table(at)["site"])) == ["Site A", "Site B", "Site C", "Site D", "Site E"]


def test_quotes_for_a_cell_name_participant_role_and_link_to_the_transcript(app_db: Path) -> None:
    at = open_page("page_dashboard.py")
    at.selectbox(key="quote_code").select("professional_attitudes").run()
    at.selectbox(key="quote_group").select("Social worker").run()
    ok(at)
    lines = [c.value for c in at.caption if c.value.startswith("**")]
    assert lines and all(" · Social worker · " in line for line in lines)
    assert {line.split("**")[1] for line in lines} <= sample_ids("Social worker")
    links = [link for link in at.get("page_link") if link.value == "Open in transcript"]
    assert len(links) == len(lines)
    target = parse_qs(links[0].proto.query_string)
    store = reopen(app_db)
    segment = [s for s in store.segments(target["document"][0]) if s["id"] == int(target["segment"][0])]
    store.close()
    assert segment and target["document"][0] in sample_ids("Social worker")
    linked = open_page("page_code.py", document=target["document"][0], segment=target["segment"][0])
    assert picker(linked, "Segment").value == int(target["segment"][0])


# -- Codebook ------------------------------------------------------------------------------
def test_codebook_browse_shows_guidance_and_counts(app_db: Path) -> None:
    at = ok(open_page("page_codebook.py"))
    assert len(at.expander) == 5
    at.text_input(key="code_search").input("caseload").run()
    text = " ".join(m.value for m in at.markdown)
    assert "Heavy caseloads and no time" in text and "accepted" in text


def test_edit_a_code_saves_a_new_codebook_version(app_db: Path) -> None:
    at = open_page("page_codebook.py")
    at.selectbox(key="edit_code").select("caseload_pressure").run()
    form = [t for t in at.text_area if t.label == "Definition"][0]
    form.input("Too many cases for anyone to think about work.")
    [t for t in at.text_input if t.label == "What changed and why"][0].input("shorter definition")
    [b for b in at.button if b.label == "Save as a new codebook version"][0].click().run()
    ok(at)
    store = reopen(app_db)
    assert store.codebook_version() == 2
    assert store.codebook().get("caseload_pressure").definition == "Too many cases for anyone to think about work."
    store.close()


def test_a_broken_edit_is_one_error_and_saves_nothing(app_db: Path) -> None:
    at = open_page("page_codebook.py")
    at.selectbox(key="edit_code").select("caseload_pressure").run()
    [t for t in at.text_input if t.label == "Label"][0].input("   ")
    [b for b in at.button if b.label == "Save as a new codebook version"][0].click().run()
    assert len(at.error) == 1 and "caseload_pressure" in at.error[0].value
    store = reopen(app_db)
    assert store.codebook_version() == 1
    store.close()


def test_import_a_codebook_yaml_file(app_db: Path) -> None:
    store = reopen(app_db)
    text = store.codebook().to_yaml().replace("Heavy caseloads and no time", "Caseloads too heavy for work")
    store.close()
    at = open_page("page_codebook.py")
    at.file_uploader(key="codebook_file").upload("bad.yaml", b"name: x\ncodes: [\n", "application/x-yaml").run()
    assert len(at.error) == 1 and at.error[0].value.startswith("bad.yaml, line")
    at.file_uploader(key="codebook_file").upload("new.yaml", text.encode(), "application/x-yaml").run()
    ok(at)
    at.button(key="import_yaml").click().run()
    ok(at)
    store = reopen(app_db)
    assert (
        store.codebook_version() == 2
        and store.codebook().get("caseload_pressure").label == "Caseloads too heavy for work"
    )
    store.close()


def test_a_codebook_that_drops_codes_in_use_is_refused(app_db: Path) -> None:
    store = reopen(app_db)
    codebook = store.codebook()
    store.close()
    kept = [code for code in codebook.codes if code.id != "caseload_pressure"]
    text = dataclasses.replace(codebook, codes=kept).to_yaml()
    at = open_page("page_codebook.py")
    at.file_uploader(key="codebook_file").upload("smaller.yaml", text.encode(), "application/x-yaml").run()
    assert any("`caseload_pressure` has codings" in w.value for w in at.warning)
    at.button(key="import_yaml").click().run()
    assert len(at.error) == 1 and at.error[0].value.startswith("smaller.yaml: leaves out `caseload_pressure`")
    store = reopen(app_db)
    assert store.codebook_version() == 1
    store.close()


# -- Import --------------------------------------------------------------------------------
def submit_import(at: AppTest) -> AppTest:
    [b for b in at.button if b.label == "Import"][0].click().run()
    return at


def test_import_a_transcript_with_participants_csv(app_db: Path) -> None:
    at = open_page("page_import.py")
    at.file_uploader(key="transcripts").upload(
        "NEW01.txt", b"Interviewer: How is work?\nSam: My budget pays for a job coach now.\n", "text/plain"
    )
    at.file_uploader(key="transcripts").upload(
        "CM01.txt", (ROOT / "transcripts_sample" / "CM01.txt").read_bytes(), "text/plain"
    )
    at.file_uploader(key="participants").upload(
        "participants.csv", b"id,role,site\nNEW01,Person using a PB,Site F\n", "text/csv"
    )
    submit_import(at)
    ok(at)
    assert [m.value for m in at.metric] == ["1", "1", "0"]
    assert any(m.value == "unchanged: CM01.txt is already in the store as CM01." for m in at.info)
    store = reopen(app_db)
    assert store.attributes()["NEW01"] == {"role": "Person using a PB", "site": "Site F"}
    store.close()


def test_an_unreadable_transcript_is_refused_with_its_reason(app_db: Path) -> None:
    at = open_page("page_import.py")
    at.file_uploader(key="transcripts").upload("broken.docx", b"not a word file", "application/octet-stream")
    submit_import(at)
    assert [m.value for m in at.metric] == ["0", "0", "1"]
    assert len(at.error) == 1 and at.error[0].value.startswith("broken.docx: ")
    store = reopen(app_db)
    assert "broken" not in store.document_hashes()
    store.close()


def test_a_broken_participants_csv_saves_nothing(app_db: Path) -> None:
    at = open_page("page_import.py")
    at.file_uploader(key="transcripts").upload("NEW02.txt", b"Interviewer: Hello?\nSam: Hello.\n", "text/plain")
    at.file_uploader(key="participants").upload("participants.csv", b"name,role\nNEW02,Tester\n", "text/csv")
    submit_import(at)
    assert len(at.error) == 1 and "participants.csv" in at.error[0].value
    store = reopen(app_db)
    assert "NEW02" not in store.document_hashes()
    store.close()


def test_a_segment_is_coded_when_an_accepted_coding_lies_on_it_and_part_coding_is_said() -> None:
    segments = [
        {"id": 1, "start": 0, "end": 22, "text": "First one. Second one."},
        {"id": 2, "start": 25, "end": 35, "text": "Third one."},
        {"id": 3, "start": 37, "end": 47, "text": "Fourth one."},
    ]
    codings = [
        {"segment_id": 1, "start": 0, "end": 10, "status": "accepted"},
        {"segment_id": 2, "start": 25, "end": 35, "status": "accepted"},
        {"segment_id": 1, "start": 11, "end": 22, "status": "pending"},
        {"segment_id": 3, "start": 37, "end": 47, "status": "rejected"},
    ]
    assert project.coded_segments(codings) == {1, 2}
    assert project.segment_labels(segments, codings) == {
        1: "¶1 · coded (part) · suggestions",
        2: "¶2 · coded",
        3: "¶3 · not coded",
    }
    codings.append(
        {"segment_id": 1, "start": 10, "end": 22, "status": "accepted"}
    )  # the rest of the first, by another coding
    assert project.segment_labels(segments, codings)[1] == "¶1 · coded · suggestions"
    assert project.next_uncoded([1, 2, 3], 1, project.coded_segments(codings)) == 3
