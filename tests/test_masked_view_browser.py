"""What a person sees in a real browser: the masked view hides listed names; the Names to mask page offers candidates.

Headless Chromium against `streamlit run app.py` on the hostile project of hostile_project.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import hostile_project as hostile
import pytest
from conftest import ROOT

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


def test_the_dashboard_masks_names_on_screen_and_the_names_page_lists_them(tmp_path: Path) -> None:
    db = tmp_path / "hostile.db"
    hostile.build(tmp_path / "h", db).close()
    port = screenshots.free_port()
    app = screenshots.start_app(db, port)
    driver = screenshots.browser(tmp_path / "profile", 1500, 1500)
    try:
        driver.get(f"http://127.0.0.1:{port}/")
        screenshots.wait_for_text(driver, "Illustrative quotes", timeout=120)
        screenshots.wait_for_text(driver, "[name]", timeout=60)
        screenshots.wait_for_text(driver, "Masked view", timeout=60)  # the sidebar may be drawn after the page
        seen = driver.execute_script("return document.body.innerText")
        assert "Masked view" in seen and hostile.identifier_leaks(seen) == []
        driver.get(f"http://127.0.0.1:{port}/identifiers")
        screenshots.wait_for_text(driver, "Candidates found in the transcripts", timeout=60)
        screenshots.wait_for_text(driver, "Brightway Works", timeout=30)  # the list is drawn after the caption
        page = driver.execute_script("return document.body.innerText")
        assert "Brightway Works" in page and "provider" in page  # the list itself is where names are managed
    finally:
        driver.quit()
        app.terminate()
        app.wait(20)
