"""The 30-step coding session in a real browser: headless Chromium clicking the Code page of `streamlit run app.py`.

Skipped only when Debian's chromium or chromedriver is not installed (.ci/run installs them).
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from coding_session import CODE, CODER, DOCUMENT, Session
from conftest import ROOT
from qualcode import project
from qualcode.store import Store

sys.path.insert(0, str(ROOT / "docs"))
import screenshots  # noqa: E402

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
                                reason="Debian's chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")

PROBLEMS = """return Array.from(document.querySelectorAll('[data-testid="stException"], [data-testid="stAlertContentError"]'))
                .map(e => e.innerText)"""
KEYS = """return Array.from(document.querySelectorAll('[class*="st-key-accept_"]'))
                .map(e => Array.from(e.classList).find(c => c.startsWith('st-key-accept_')).slice(14))
                .filter(k => /^[0-9]+$/.test(k)).map(Number)"""


class ChromiumDriver:
    """Clicks on the Code page in headless Chromium, waiting for each run of the page to finish."""

    def __init__(self, driver, url: str, label: str) -> None:
        self.driver, self.url, self.label = driver, url, label

    def settle(self) -> None:
        time.sleep(0.25)
        deadline = time.time() + 30
        while time.time() < deadline and self.driver.execute_script(
                "return !!document.querySelector('[data-testid=\"stStatusWidget\"]')"):
            time.sleep(0.1)
        time.sleep(0.1)

    def element(self, css: str):
        from selenium.webdriver.common.by import By

        found = self.driver.find_element(By.CSS_SELECTOR, css)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", found)
        return found

    def segment(self) -> int:
        return int(parse_qs(urlparse(self.driver.current_url).query)["segment"][0])

    def suggestion_ids(self) -> list[int]:
        return self.driver.execute_script(KEYS)

    def click(self, key: str) -> None:
        self.element(f".st-key-{key} button").click()
        self.settle()

    def add_code(self, segment_id: int, code_id: str, first: int, last: int, count: int) -> None:
        from selenium.webdriver.common.keys import Keys

        box = self.element(f".st-key-add_code_{segment_id} input")
        box.click()
        box.send_keys(self.label, Keys.ENTER)
        self.settle()
        if last > 1:
            thumbs = f".st-key-sentences_{segment_id} input[type='range']"  # older Streamlit: div[role=slider]
            if not self.driver.find_elements("css selector", thumbs):
                thumbs = f".st-key-sentences_{segment_id} [role='slider']"
            self.press(thumbs, 0, Keys.ARROW_RIGHT, first - 1)
            self.press(thumbs, 1, Keys.ARROW_LEFT, count - last)
        self.click("add")

    def press(self, css: str, index: int, key: str, times: int) -> None:
        """Move a slider thumb with the keyboard, as a person tabbing to it would."""
        from selenium.webdriver.common.action_chains import ActionChains

        if times <= 0:
            return
        thumb = self.driver.find_elements("css selector", css)[index]
        self.driver.execute_script("arguments[0].focus()", thumb)
        ActionChains(self.driver).send_keys(*([key] * times)).perform()
        self.settle()

    def accept_level(self, level: float) -> None:
        """Slide the bulk-accept level down to `level` (the slider steps by 0.05 from 0.8)."""
        from selenium.webdriver.common.keys import Keys

        thumbs = ".st-key-accept_above input[type='range']"
        if not self.driver.find_elements("css selector", thumbs):
            thumbs = ".st-key-accept_above [role='slider']"
        self.press(thumbs, 0, Keys.ARROW_LEFT, round((0.8 - level) / 0.05))
        screenshots.wait_for_text(self.driver, f"≥ {level:.2f}", timeout=30)  # the button counts at the new level

    def memo(self, segment_id: int, text: str) -> None:
        area = self.element(f".st-key-memo_{segment_id} textarea")
        area.click()
        area.send_keys(text)
        self.click("save_memo")

    def pick_segment(self, segment_id: int) -> None:
        self.driver.get(f"{self.url}/code?document={DOCUMENT}&segment={segment_id}")
        screenshots.wait_for_text(self.driver, "Suggestions", timeout=90)
        screenshots.type_coder(self.driver, CODER)
        screenshots.wait_for_text(self.driver, "Save memo")
        self.settle()

    def check(self) -> None:
        assert self.driver.execute_script(PROBLEMS) == []
        assert parse_qs(urlparse(self.driver.current_url).query)["document"] == [DOCUMENT]


@pytest.fixture
def running_app(sample_db: Path, tmp_path: Path):
    db = tmp_path / "browser.db"
    shutil.copy(sample_db, db)
    store = Store.open(db)
    project.suggest(store, document_ids=[DOCUMENT], min_confidence=0.1)  # calibrated shares: several per segment
    label = store.codebook().get(CODE).label
    store.close()
    port = screenshots.free_port()
    app = screenshots.start_app(db, port)
    try:
        yield f"http://127.0.0.1:{port}", db, label
    finally:
        app.terminate()
        app.wait(20)


def test_a_coder_codes_a_transcript_for_thirty_steps_and_every_decision_is_kept(running_app, tmp_path: Path) -> None:
    url, db, label = running_app
    driver = screenshots.browser(tmp_path / "profile", 1500, 1400)
    try:
        session = Session(ChromiumDriver(driver, url, label), db)
        session.run()
        session.assert_log()
    finally:
        driver.quit()
