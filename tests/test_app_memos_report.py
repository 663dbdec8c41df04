"""The Memos and Code report pages (AppTest) on a copy of the sample project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from qualcode import project
from qualcode.store import Store

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def db(sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "app.db"
    shutil.copy(sample_db, path)
    monkeypatch.setenv("QUALCODE_DB", str(path))
    return path


def page(name: str, coder: str = "ana") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.sidebar.text_input(key="coder").input(coder)
    at.switch_page(f"qualcode/ui/{name}").run()
    assert not at.exception, at.exception
    return at


def test_memos_are_added_listed_searched_and_masked(db: Path) -> None:
    store = Store.open(db)
    project.add_memo(store, "JC01", "Talked about Robin Hale's garage.", "ben")
    assert project.memo_rows(store)[0]["scope"] == "document"
    store.close()
    from click.testing import CliRunner

    from qualcode.cli import main

    assert CliRunner().invoke(main, ["--db", str(db), "identifiers", "add", "Robin Hale"]).exit_code == 0
    at = page("page_memos.py")
    at.text_area(key="memo_text").input("Sites differ in how budgets are offered.")
    at.button(key="memo_save").click().run()
    assert [s.value for s in at.success] == ["Memo saved."] and not at.error
    at.segmented_control(key="memo_scope").set_value("code").run()
    at.selectbox(key="memo_target").select("caseload_pressure").run()
    at.text_area(key="memo_text").input("Caseload talk clusters in social workers.")
    at.button(key="memo_save").click().run()
    shown = at.dataframe[0].value
    assert list(shown["scope"]) == ["document", "project", "code"] and set(shown["author"]) == {"ana", "ben"}
    assert "[name]" in shown["text"].iloc[0] and "Robin Hale" not in " ".join(shown["text"])
    at.text_input(key="memo_search").input("caseload").run()
    assert list(at.dataframe[0].value["scope"]) == ["code"]
    store = Store.open(db)
    assert [(m["code_id"], m["coder"]) for m in store.memos(code_id="caseload_pressure")] == [
        ("caseload_pressure", "ana")
    ]
    store.close()


def test_code_report_page_lists_passages_of_a_theme_by_attribute(db: Path) -> None:
    at = page("page_report.py")
    store = Store.open(db)
    codebook = store.codebook()
    theme = codebook.theme_of("caseload_pressure")
    store.close()
    at.selectbox(key="report_code").select(theme).run()
    everyone = at.dataframe[0].value
    under = {c.id for c in codebook if codebook.theme_of(c.id) == theme}
    assert len(everyone) > 0 and set(everyone["code_id"]) <= under and len(set(everyone["code_id"])) > 1
    at.selectbox(key="report_by").select("role").run()
    at.multiselect(key="report_values").select("Social worker").run()
    social = at.dataframe[0].value
    assert 0 < len(social) < len(everyone) and set(social["role"]) == {"Social worker"}
    assert [b.label for b in at.get("download_button")] == [
        "Download MD",
        "Download DOCX",
        "Download XLSX",
        "Download CSV",
    ]
