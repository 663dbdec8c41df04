"""The analysis pages in a real browser: headless Chromium against `streamlit run app.py` on the made-up project.

Each page opens by its own address with no error on it; a search typed as a person
would shows its keyword-in-context lines. Skipped only when Debian's chromium or
chromedriver is not installed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import analysis_project as made
import pytest
from conftest import ROOT, SMALL_CODEBOOK

sys.path.insert(0, str(ROOT / "docs"))
import screenshots

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
pytestmark = [
    pytest.mark.slow(30),  # seconds, this file's tests together: started first (conftest.py)
    pytest.mark.skipif(
        not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
        reason="Debian's chromium and chromedriver are not installed (apt-get install chromium chromium-driver)",
    ),
]
ERRORS = 'return Array.from(document.querySelectorAll(\'[data-testid="stException"], [data-testid="stAlertContentError"]\')).map(e => e.innerText)'


@pytest.fixture(scope="module")
def app_and_browser(tmp_path_factory):
    folder = tmp_path_factory.mktemp("analysis_app")
    codebook = folder / "small.yaml"
    codebook.write_text(SMALL_CODEBOOK, encoding="utf-8")
    store, _ = made.build(folder, codebook)
    store.close()
    port = screenshots.free_port()
    app = screenshots.start_app(folder / "analysis.db", port)
    driver = screenshots.browser(folder / "profile", 1400, 1200)
    try:
        yield f"http://127.0.0.1:{port}", driver
    finally:
        driver.quit()
        app.terminate()
        app.wait(20)


def open_page(driver, url: str, text: str, *more: str) -> str:
    """The page's text once it shows `text` and every one of `more` (a page draws in parts), with no error."""
    driver.get(url)
    for expected in (text, *more):
        screenshots.wait_for_text(driver, expected, timeout=90)
    body = driver.execute_script("return document.body.innerText")
    assert "Page not found" not in body
    assert driver.execute_script(ERRORS) == []
    return body


def test_each_analysis_page_opens_by_its_address_with_no_error(app_and_browser):
    url, driver = app_and_browser
    open_page(driver, url + "/framework", "Edit a cell's summary", "Parent", "Worker", "passages")
    open_page(driver, url + "/cooccurrence", "Passages coded with", "Benefits", "Wages")
    open_page(
        driver,
        url + "/saturation",
        "All interviews: not reached",
        "no new code in the last 3 coded interviews",
        "Worker: not reached",
    )
    open_page(driver, url + "/themes", "Illustrative quotes")


def test_a_search_typed_in_the_app_shows_its_hits_in_context(app_and_browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    url, driver = app_and_browser
    open_page(driver, url + "/search", "Search for")
    field = driver.find_element(By.CSS_SELECTOR, 'input[aria-label="Search for"]')
    field.send_keys("sister benefits", Keys.ENTER)
    screenshots.wait_for_text(driver, "4 hits in 2 transcripts", timeout=60)
    screenshots.wait_for_text(driver, "Code 2 segments", timeout=60)  # the coding form is drawn below the hits
    assert driver.execute_script(ERRORS) == []
