"""The dashboard in a real browser: headless Chromium against `streamlit run app.py` on a copy of the sample.

Uses the same helpers that make the README screenshots (docs/screenshots.py). Skipped
only when Debian's chromium or chromedriver is not installed (.ci/run installs them).
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE

from qualcode.ingest import read_participants
from qualcode.store import Store

sys.path.insert(0, str(ROOT / "docs"))
import screenshots

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="Debian's chromium and chromedriver are not installed (apt-get install chromium chromium-driver)",
)

VISIBLE_TEXT = """
return [document.body.innerText,
        ...Array.from(document.querySelectorAll('svg text')).map(t => t.querySelectorAll('tspan').length
            ? Array.from(t.querySelectorAll('tspan')).map(s => s.textContent).join(' ') : t.textContent)].join('\\n');
"""


@pytest.fixture
def running_app(sample_db: Path, tmp_path: Path):
    """The app on a free loopback port, serving a private copy of the sample project."""
    db = tmp_path / "browser.db"
    shutil.copy(sample_db, db)
    port = screenshots.free_port()
    app = screenshots.start_app(db, port)
    try:
        yield f"http://127.0.0.1:{port}", db
    finally:
        app.terminate()
        app.wait(20)


@pytest.fixture
def chromium(tmp_path: Path):
    driver = screenshots.browser(tmp_path / "profile", 1500, 1500)
    try:
        yield driver
    finally:
        driver.quit()


def flat(text: str) -> str:
    return "".join(text.split()).lower()


def cell_caption(driver) -> str:
    """The line naming the theme and role whose quotes are shown."""
    text = driver.execute_script("return document.body.innerText")
    return next(line for line in text.splitlines() if " participants in " in line and "raised by" in line)


def click_heatmap_cell(driver, index: int, timeout: float = 60) -> None:
    """Click one cell of the heatmap, as a person would, and wait for the quotes to follow."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    before = cell_caption(driver)
    cells = driver.find_elements(By.CSS_SELECTOR, "g.mark-rect path")
    ActionChains(driver).move_to_element(cells[index]).click().perform()
    deadline = time.time() + timeout
    while time.time() < deadline and cell_caption(driver) == before:
        time.sleep(0.3)
    screenshots.wait_for_text(driver, "Open in transcript")


def test_dashboard_shows_themes_roles_and_quotes_and_a_clicked_cell_picks_them(
    running_app, chromium, tmp_path: Path
) -> None:
    url, db = running_app
    chromium.get(url + "/")
    screenshots.wait_for_text(chromium, "Illustrative quotes", timeout=120)
    screenshots.wait_for_text(chromium, "Open in transcript", timeout=60)
    store = Store.open(db)
    themes = [theme.label for theme in store.codebook().themes()]
    store.close()
    roles = sorted({values["role"] for values in read_participants(SAMPLE / "participants.csv").values()})
    seen = flat(chromium.execute_script(VISIBLE_TEXT))
    assert "Deploy" not in chromium.execute_script("return document.body.innerText")  # nothing to publish it with
    assert len(themes) >= 4
    assert [label for label in themes if flat(label) not in seen] == []
    assert [role for role in roles if flat(role) not in seen] == []
    quotes = chromium.execute_script(
        "return Array.from(document.querySelectorAll('blockquote')).map(q => q.innerText.trim())"
    )
    assert len(quotes) >= 3 and all(len(quote.split()) >= 3 for quote in quotes)
    assert chromium.execute_script("return document.querySelectorAll('a[href*=\"document=\"]').length") >= len(quotes)
    before = cell_caption(chromium)
    click_heatmap_cell(chromium, 3)
    after = cell_caption(chromium)
    assert after != before
    assert any(f"{label} · role " in after for label in themes) and any(f"role {role}:" in after for role in roles)
    shot = tmp_path / "dashboard.png"
    chromium.save_screenshot(str(shot))
    assert shot.stat().st_size > 20_000
