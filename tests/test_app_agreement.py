"""The Agreement page and blind coding in the app, driven with AppTest on copies of the sample project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from qualcode import analysis, project
from qualcode.store import NewCoding, Store
from qualcode.team import agreement as agree

pytestmark = pytest.mark.slow(75)  # seconds, all this file's tests together: started first (conftest.py)

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGES = "qualcode/ui/"
SKIPPED = "TP02"  # a transcript ben has not coded yet


def second_coder(store: Store) -> None:
    """`ben` codes as `gold` did, except one transcript left out, some codings dropped and some codes changed."""
    ids = store.codebook().ids()
    new = []
    for i, row in enumerate(store.codings(coders=["gold"])):
        if row["document_id"] == SKIPPED or i % 9 == 4:
            continue
        code = ids[(ids.index(row["code_id"]) + 1) % len(ids)] if i % 13 == 6 else row["code_id"]
        new.append(NewCoding(row["document_id"], row["start"], row["end"], code, "ben", source="imported"))
    store.add_codings(new)


@pytest.fixture(scope="module")
def team_template(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project (coder `gold`) with a second coder `ben`: built once, copied for each test."""
    path = tmp_path_factory.mktemp("team") / "team.db"
    shutil.copy(sample_db, path)
    store = Store.open(path)
    second_coder(store)
    store.close()
    return path


@pytest.fixture
def team_db(team_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the team project of its own, named to the app by $QUALCODE_DB."""
    path = tmp_path / "team.db"
    shutil.copy(team_template, path)
    monkeypatch.setenv("QUALCODE_DB", str(path))
    return path


def open_page(page: str, coder: str = "ana", blind: bool = False, **params: str) -> AppTest:
    """Run the app with a coder (and blind coding on or off), switch to a page and run it."""
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.sidebar.text_input(key="coder").input(coder)
    at.sidebar.toggle(key="blind").set_value(blind)
    at.query_params.update(params)
    at.switch_page(PAGES + page).run()
    return ok(at)


def ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def in_store(db: Path, **filters) -> list[dict]:
    store = Store.open(db)
    try:
        return store.codings(**filters)
    finally:
        store.close()


def expected_disagreements(db: Path) -> list[dict]:
    store = Store.open(db)
    try:
        return agree.disagreements(store, ["gold", "ben"])
    finally:
        store.close()


def compare(at: AppTest, *coders: str) -> AppTest:
    chooser = at.multiselect(key="agreement_coders")
    for coder in coders:
        chooser.select(coder)
    return ok(chooser.run(timeout=90))


# -- Agreement page -----------------------------------------------------------------------
def test_agreement_table_has_kappa_and_alpha_per_code_and_the_overall_row(team_db: Path) -> None:
    at = open_page("page_agreement.py")
    assert at.title[0].value == "Agreement between coders"
    assert any("at least two coders" in i.value for i in at.info)
    at = compare(at, "gold", "ben")
    table = at.dataframe[0].value
    store = Store.open(team_db)
    expected = agree.agreement(store, ["gold", "ben"])
    store.close()
    assert list(table["code_id"]) == [r["code_id"] for r in expected.rows]
    assert table["code_id"].iloc[-1] == agree.OVERALL
    assert list(table["kappa"]) == [r["kappa"] for r in expected.rows]
    assert list(table["alpha"]) == [r["alpha"] for r in expected.rows]
    assert table["kappa"].notna().all() and table["alpha_low"].notna().all()
    overall = table.iloc[-1]
    assert 0 < overall["alpha"] < 1 and overall["alpha_low"] <= overall["alpha"] <= overall["alpha_high"]
    assert f"alpha {overall['alpha']:.3f} (95% CI {overall['alpha_low']:.3f} to" in " ".join(
        m.value for m in at.markdown
    )
    assert any(SKIPPED in w.value and "not coded by ben" in w.value for w in at.warning)
    assert [b.label for b in at.get("download_button")][:2] == ["Download CSV", "Download XLSX"]


def test_three_coders_drop_kappa_and_theme_level_compares_themes(team_db: Path) -> None:
    store = Store.open(team_db)
    store.add_codings(
        [
            NewCoding(r["document_id"], r["start"], r["end"], r["code_id"], "cal", source="imported")
            for r in store.codings(coders=["gold"], document_ids=["SW01", "SW02"])
        ]
    )
    themes = {c.id for c in store.codebook().themes()}
    store.close()
    at = compare(open_page("page_agreement.py"), "gold", "ben", "cal")
    table = at.dataframe[0].value
    assert "kappa" not in table.columns and table["alpha"].notna().all()
    assert any("not coded by " in w.value and "cal" in w.value for w in at.warning)
    at.selectbox(key="agreement_level").select("theme").run(timeout=90)
    ok(at)
    assert set(at.dataframe[0].value["code_id"]) <= themes | {agree.OVERALL}


def test_disagreements_list_the_differing_units_and_filter_by_code(team_db: Path) -> None:
    at = compare(open_page("page_agreement.py"), "gold", "ben")
    expected = expected_disagreements(team_db)
    shown = at.dataframe[1].value
    assert expected and list(shown["span"]) == [r["span"] for r in expected]
    assert list(shown["gold"]) == [r["gold"] for r in expected] and list(shown["ben"]) == [r["ben"] for r in expected]
    assert list(shown["text"]) == [r["text"] for r in expected]
    assert set(shown["gold"] + shown["ben"]) == {"yesno", "noyes"}
    code = expected[0]["code_id"]
    at.selectbox(key="disagreement_code").select(code).run(timeout=90)
    ok(at)
    filtered = at.dataframe[1].value
    assert set(filtered["code_id"]) == {code}
    assert len(filtered) == len([r for r in expected if r["code_id"] == code])


def test_resolving_records_a_new_decision_and_changes_no_coding_compared(team_db: Path) -> None:
    before = in_store(team_db, coders=["gold", "ben"])
    target = expected_disagreements(team_db)[1]
    at = compare(open_page("page_agreement.py"), "gold", "ben")
    assert at.dataframe[1].value["span"].iloc[1] == target["span"]
    at.selectbox(key="resolve_pick").select(1).run()
    at.text_input(key="resolver").input("consensus")
    at.radio(key="resolve_applies").set_value(False)
    at.text_area(key="resolve_memo").input("Talked it through: not this code.")
    at.button(key="FormSubmitter:resolve-Record decision").click().run(timeout=90)
    ok(at)
    assert f"Recorded consensus's decision: `{target['code_id']}` does not apply at {target['span']}." in [
        s.value for s in at.success
    ]
    resolved = in_store(team_db, coders=["consensus"])
    assert [(r["document_id"], r["start"], r["end"], r["code_id"], r["status"], r["source"]) for r in resolved] == [
        (target["document_id"], target["start"], target["end"], target["code_id"], "rejected", "manual")
    ]
    assert in_store(team_db, coders=["gold", "ben"]) == before
    store = Store.open(team_db)
    memos = [m for m in store.memos(target["document_id"]) if m["coder"] == "consensus"]
    store.close()
    assert [(m["coding_id"], m["text"]) for m in memos] == [(resolved[0]["id"], "Talked it through: not this code.")]


def test_resolving_without_a_name_uses_the_session_coder(team_db: Path) -> None:
    target = expected_disagreements(team_db)[0]
    at = compare(open_page("page_agreement.py", coder="ana"), "gold", "ben")
    at.button(key="FormSubmitter:resolve-Record decision").click().run(timeout=90)
    ok(at)
    resolved = in_store(team_db, coders=["ana"])
    assert [(r["start"], r["end"], r["code_id"], r["status"]) for r in resolved] == [
        (target["start"], target["end"], target["code_id"], "accepted")
    ]


# -- Blind coding ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def blind_template(team_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The team project with fresh suggestions on SW02, one of them already accepted by `gold`: built once."""
    path = tmp_path_factory.mktemp("blind") / "blind.db"
    shutil.copy(team_template, path)
    store = Store.open(path)
    project.suggest(store, document_ids=["SW02"])
    coded = {c["segment_id"] for c in store.codings(document_ids=["SW02"], coders=["gold"])}
    coded &= {c["segment_id"] for c in store.codings(document_ids=["SW02"], coders=["ben"])}
    pending = [c for c in store.codings(document_ids=["SW02"], statuses=["pending"]) if c["segment_id"] in coded]
    assert pending, "SW02 should have suggestions on segments both coders coded"
    decided = max(pending, key=lambda c: c["confidence"])
    project.accept(store, [decided["id"]], "gold")
    store.close()
    return path, decided


@pytest.fixture
def blind_db(blind_template: tuple[Path, dict], team_db: Path) -> tuple[Path, dict]:
    """A copy of the blind project of its own, in place of the team project $QUALCODE_DB names."""
    shutil.copy(blind_template[0], team_db)
    return team_db, blind_template[1]


def test_blind_code_page_shows_only_the_coders_own_codings(blind_db: tuple[Path, dict]) -> None:
    db, decided = blind_db
    segment = str(decided["segment_id"])
    gold = [c["id"] for c in in_store(db, document_ids=["SW02"], coders=["gold"], segment_ids=[decided["segment_id"]])]
    ben = [c["id"] for c in in_store(db, document_ids=["SW02"], coders=["ben"], segment_ids=[decided["segment_id"]])]
    assert gold and ben
    seen = open_page("page_code.py", coder="ben", document="SW02", segment=segment)
    keys = [b.key for b in seen.button]
    assert all(f"remove_{i}" in keys for i in gold) and f"accept_{decided['id']}" not in keys
    blind = open_page("page_code.py", coder="ben", blind=True, document="SW02", segment=segment)
    keys = [b.key for b in blind.button]
    assert not [i for i in gold if f"remove_{i}" in keys]
    assert all(f"remove_{i}" in keys for i in ben)
    assert f"accept_{decided['id']}" in keys
    assert any("Blind coding" in c.value for c in blind.caption)


def test_accepting_blind_adds_the_coders_decision_and_leaves_a_colleagues(blind_db: tuple[Path, dict]) -> None:
    db, decided = blind_db
    at = open_page("page_code.py", coder="ben", blind=True, document="SW02", segment=str(decided["segment_id"]))
    at.button(key=f"accept_{decided['id']}").click().run()
    ok(at)
    original = [c for c in in_store(db, document_ids=["SW02"]) if c["id"] == decided["id"]]
    assert [(c["status"], c["coder"]) for c in original] == [("accepted", "gold")]
    mine = in_store(db, document_ids=["SW02"], coders=["ben"], sources=["suggested"])
    assert [(c["start"], c["end"], c["code_id"], c["status"]) for c in mine] == [
        (decided["start"], decided["end"], decided["code_id"], "accepted")
    ]
    assert f"accept_{decided['id']}" not in [b.key for b in at.button]
    assert f"remove_{mine[0]['id']}" in [b.key for b in at.button]


def test_blind_dashboard_counts_only_the_coders_codings_and_agreement_waits(team_db: Path) -> None:
    at = open_page("page_dashboard.py", coder="ben", blind=True)
    assert at.multiselect(key="coders_blind").value == ["ben"]
    store = Store.open(team_db)
    mine = analysis.theme_frequencies(store, by=["role"], coders=["ben"])
    everyone = analysis.theme_frequencies(store, by=["role"])
    store.close()
    shown = at.dataframe[-1].value
    assert shown["segments"].sum() == mine["segments"].sum() < everyone["segments"].sum()
    headings = [c.value for c in at.caption if c.value.startswith("**")]
    assert headings and all(" · ben · " in heading for heading in headings)  # there are headings, and each names ben
    waiting = open_page("page_agreement.py", coder="ben", blind=True)
    assert any("coding blind" in i.value for i in waiting.info)
    assert not waiting.dataframe
