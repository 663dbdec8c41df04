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

from qualcode.store import Store

sys.path.insert(0, str(ROOT / "docs"))
import screenshots

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
pytestmark = [
    pytest.mark.slow(110),  # seconds, this file's tests together: started first (conftest.py)
    pytest.mark.skipif(
        not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
        reason="Debian's chromium and chromedriver are not installed (apt-get install chromium chromium-driver)",
    ),
]

PROBLEMS = """return Array.from(document.querySelectorAll('[data-testid="stException"], [data-testid="stAlertContentError"]'))
                .map(e => e.innerText)"""
KEYS = """return Array.from(document.querySelectorAll('[class*="st-key-accept_"]'))
                .map(e => Array.from(e.classList).find(c => c.startsWith('st-key-accept_')).slice(14))
                .filter(k => /^[0-9]+$/.test(k)).map(Number)"""


# A run of the page is under way while any element is stale (drawn by the previous run and not yet by
# this one) or the status widget shows (Streamlit shows it only after a run has taken half a second).
BUSY = """!!document.querySelector('[data-stale="true"], [data-testid="stStatusWidget"]')"""
# Notes in window.__runs each moment the page turns busy, so a run that starts and ends between two
# looks is still seen.
WATCH = f"""window.__runs = 0;
if (window.__watcher) window.__watcher.disconnect();
window.__watcher = new MutationObserver(() => {{ if ({BUSY}) window.__runs += 1; }});
window.__watcher.observe(document.body, {{subtree: true, childList: true, attributes: true, attributeFilter: ["data-stale"]}});"""
TIMEOUT = 60  # seconds a run may take on a loaded machine


class ChromiumDriver:
    """Clicks on the Code page in headless Chromium; after each action, waits for the run it starts to finish."""

    def __init__(self, driver, url: str, label: str) -> None:
        self.driver, self.url, self.label = driver, url, label

    def settle(self) -> None:
        """Wait until no run of the page is under way (seen idle three times in a row, a tenth of a second apart)."""
        deadline, idle = time.time() + TIMEOUT, 0
        while idle < 3:
            assert time.time() < deadline, f"the page was still running after {TIMEOUT} s"
            idle = 0 if self.driver.execute_script("return " + BUSY) else idle + 1
            time.sleep(0.1)

    def act(self, action, starts_within: float = 5) -> None:
        """Do `action` (a click, keys) and wait for the run it starts to begin, then to end."""
        self.driver.execute_script(WATCH)
        action()
        deadline = time.time() + starts_within  # a run that began and ended before this look was noted by the watcher
        while not self.driver.execute_script("return window.__runs > 0 || " + BUSY) and time.time() < deadline:
            time.sleep(0.05)
        self.settle()

    def element(self, css: str):
        """The element, once the page has it, scrolled to the middle of the window."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as shown
        from selenium.webdriver.support.ui import WebDriverWait

        found = WebDriverWait(self.driver, TIMEOUT).until(shown.presence_of_element_located((By.CSS_SELECTOR, css)))
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", found)
        return found

    def press_on(self, css: str, use) -> None:
        """Find the element and use it; if the page redrew it in between, find it again (the action never happened)."""
        from selenium.common.exceptions import StaleElementReferenceException

        for attempt in range(3):
            try:
                return self.act(lambda: use(self.element(css)))
            except StaleElementReferenceException:
                if attempt == 2:
                    raise
                self.settle()

    def segment(self) -> int:
        return int(parse_qs(urlparse(self.driver.current_url).query)["segment"][0])

    def suggestion_ids(self) -> list[int]:
        return self.driver.execute_script(KEYS)

    def click(self, key: str) -> None:
        self.press_on(f".st-key-{key} button", lambda button: button.click())

    def add_code(self, segment_id: int, code_id: str, first: int, last: int, count: int) -> None:
        """Choose the code and the sentences in the add form (no run), then Add code (one run)."""
        from selenium.webdriver.common.keys import Keys

        box = self.element(f".st-key-add_code_{segment_id} input")
        box.click()
        box.send_keys(self.label, Keys.ENTER)
        if last > 1:
            thumbs = f".st-key-sentences_{segment_id} input[type='range']"  # older Streamlit: div[role=slider]
            if not self.driver.find_elements("css selector", thumbs):
                thumbs = f".st-key-sentences_{segment_id} [role='slider']"
            self.press(thumbs, 0, Keys.ARROW_RIGHT, first - 1, runs=False)
            self.press(thumbs, 1, Keys.ARROW_LEFT, count - last, runs=False)
        self.click("add")

    def press(self, css: str, index: int, key: str, times: int, runs: bool = True) -> None:
        """Move a slider thumb with the keyboard, as a person tabbing to it would (in a form: no run starts)."""
        from selenium.webdriver.common.action_chains import ActionChains

        if times <= 0:
            return
        self.element(css)  # the slider is on the page
        thumb = self.driver.find_elements("css selector", css)[index]
        self.driver.execute_script("arguments[0].focus()", thumb)
        keys = lambda: ActionChains(self.driver).send_keys(*([key] * times)).perform()
        # a slider may keep its new value until the next action sends it, so its run need not start at once
        self.act(keys, starts_within=1) if runs else keys()

    def accept_level(self, level: float) -> None:
        """Slide the bulk-accept level down to `level` (the slider steps by 0.05 from 0.8)."""
        from selenium.webdriver.common.keys import Keys

        thumbs = ".st-key-accept_above input[type='range']"
        if not self.driver.find_elements("css selector", thumbs):
            thumbs = ".st-key-accept_above [role='slider']"
        for _ in range(3):  # a run starting mid-way may redraw the slider, and the keys after it go nowhere
            thumb = self.driver.find_elements("css selector", thumbs)[0]
            now = float(thumb.get_attribute("aria-valuenow") or thumb.get_attribute("value") or 0.8)
            self.press(thumbs, 0, Keys.ARROW_LEFT, round((now - level) / 0.05))
            try:
                screenshots.wait_for_text(self.driver, f"≥ {level:.2f}", timeout=10)  # the button counts at it
                return
            except TimeoutError:
                continue
        screenshots.wait_for_text(self.driver, f"≥ {level:.2f}", timeout=30)

    def memo(self, segment_id: int, text: str) -> None:
        area = self.element(f".st-key-memo_{segment_id} textarea")
        area.click()
        area.send_keys(text)  # a text area sends its text with the click that follows, in one run
        self.click("save_memo")

    def pick_segment(self, segment_id: int) -> None:
        from selenium.webdriver.common.keys import Keys

        self.driver.get(f"{self.url}/code?document={DOCUMENT}&segment={segment_id}")
        screenshots.wait_for_text(self.driver, "Suggestions", timeout=90)
        self.press_on('input[aria-label="Coder"]', lambda field: field.send_keys(CODER, Keys.ENTER))
        screenshots.wait_for_text(self.driver, "Save memo")
        self.settle()

    def check(self) -> None:
        assert self.driver.execute_script(PROBLEMS) == []
        assert parse_qs(urlparse(self.driver.current_url).query)["document"] == [DOCUMENT]


@pytest.fixture
def running_app(suggested_cm01: Path, tmp_path: Path):
    db = tmp_path / "browser.db"
    shutil.copy(suggested_cm01, db)
    store = Store.open(db)
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
