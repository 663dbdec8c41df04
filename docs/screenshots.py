"""Make the README screenshots from the sample project: docs/screenshots/dashboard.png and coding.png (mid-session).

Builds the sample project in a temporary folder (as `qualcode demo` does), starts the app
on a free local port, and photographs two pages with headless Chromium.

    python docs/screenshots.py [--out docs/screenshots] [--db EXISTING_STORE]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from qualcode.cli.app import streamlit_command

ROOT = Path(__file__).resolve().parent.parent
CHROME_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


SCROLL_TO_SEGMENT = """
const segment = document.getElementById(arguments[0]);
let box = segment.parentElement;
while (box && box.scrollHeight <= box.clientHeight + 2) { box = box.parentElement; }
if (box) { box.scrollTop += segment.getBoundingClientRect().top - box.getBoundingClientRect().top - 120; }
"""


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(db: Path, port: int) -> subprocess.Popen:
    """`streamlit run app.py` on the store, headless, on 127.0.0.1:port; waits until it answers."""
    command = [*streamlit_command(port), "--", "--db", str(db)]
    app = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return app
        except OSError:
            time.sleep(0.3)
    app.terminate()
    raise RuntimeError(f"the app did not start on port {port} within 60 s")


def browser(profile: Path, width: int = 1500, height: int = 1100):
    """Headless Chromium driven by chromedriver, with a fresh profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (*CHROME_FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def wait_for_text(driver, text: str, timeout: float = 60) -> None:
    """Wait until `text` is on the page and Streamlit has finished running."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        body = driver.execute_script("return document.body ? document.body.innerText : ''")
        running = driver.execute_script("return !!document.querySelector('[data-testid=\"stStatusWidget\"]')")
        if text in body and not running:
            return
        time.sleep(0.4)
    raise TimeoutError(f"`{text}` did not appear on {driver.current_url}")


def build_sample(db: Path) -> None:
    """The sample project, as `qualcode demo` builds it."""
    from qualcode.project import sample

    sample.build_sample_project(db)


def showcase_segment(db: Path) -> tuple[str, int]:
    """A family member's segment with both accepted codes and pending suggestions, to show on the Code page."""
    from collections import Counter

    from qualcode.store import Store

    store = Store.open(db)
    try:
        rows = store.codings(document_ids=["FM02"], statuses=["accepted", "pending"])
    finally:
        store.close()
    both = {r["segment_id"] for r in rows if r["status"] == "accepted"} & {
        r["segment_id"] for r in rows if r["status"] == "pending"
    }
    counts = Counter(r["segment_id"] for r in rows if r["segment_id"] in both)
    return "FM02", (counts.most_common(1)[0][0] if counts else 1)


def type_coder(driver, name: str) -> None:
    """Type the coder's name into the sidebar, as a person would."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    field = driver.find_element(By.CSS_SELECTOR, 'input[aria-label="Coder"]')
    field.send_keys(name, Keys.ENTER)
    time.sleep(1.5)


def code_mid_session(driver, port: int, document: str, segment: int) -> None:
    """The Code page after a few decisions: one suggestion accepted, the next segment open, the history shown."""
    from selenium.webdriver.common.by import By

    driver.get(f"http://127.0.0.1:{port}/code?document={document}&segment={segment}")
    wait_for_text(driver, "Suggestions")
    type_coder(driver, "sample")
    wait_for_text(driver, "Accept")
    accept = driver.find_elements(By.CSS_SELECTOR, "[class*='st-key-accept_'] button")
    buttons = [b for b in accept if b.text.strip() == "Accept"]
    if buttons:
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", buttons[0])
        buttons[0].click()
        wait_for_text(driver, "Suggestion accepted.")
    history = driver.find_elements(By.XPATH, "//summary[contains(., 'History of this transcript')]")
    if history:
        driver.execute_script("arguments[0].click()", history[0])
    driver.execute_script("window.scrollTo(0, 0)")
    driver.execute_script(SCROLL_TO_SEGMENT, f"seg-{segment}")
    time.sleep(2)


def analysis_pages(driver, port: int, out: Path) -> None:
    """The framework matrix and the saturation chart, as a researcher writing up sees them."""
    driver.set_window_size(1500, 1400)
    driver.get(f"http://127.0.0.1:{port}/framework")
    wait_for_text(driver, "Edit a cell's summary", timeout=180)
    time.sleep(2)
    driver.save_screenshot(str(out / "framework.png"))
    driver.set_window_size(1500, 1200)
    driver.get(f"http://127.0.0.1:{port}/saturation")
    wait_for_text(driver, "Saturation: no new code", timeout=120)
    time.sleep(3)
    driver.save_screenshot(str(out / "saturation.png"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--db", help="use this store instead of building the sample")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.db) if args.db else Path(tmp) / "sample.db"
        if not args.db:
            build_sample(db)
        port = free_port()
        app = start_app(db, port)
        driver = browser(Path(tmp) / "profile")
        try:
            driver.set_window_size(1500, 1500)
            driver.get(f"http://127.0.0.1:{port}/")
            wait_for_text(driver, "Illustrative quotes")
            time.sleep(2)
            driver.save_screenshot(str(out / "dashboard.png"))
            driver.set_window_size(1500, 1300)
            document, segment = showcase_segment(db)
            code_mid_session(driver, port, document, segment)
            driver.save_screenshot(str(out / "coding.png"))
            analysis_pages(driver, port, out)
        finally:
            driver.quit()
            app.terminate()
            app.wait(10)
    print(f"wrote {out / 'dashboard.png'}, {out / 'coding.png'}, {out / 'framework.png'} and {out / 'saturation.png'}")


if __name__ == "__main__":
    main()
