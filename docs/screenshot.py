#!/usr/bin/env python3
"""Make docs/report.png: the HTML report of samples/input, one file opened, in headless Chromium.

    .venv/bin/python docs/screenshot.py

Needs the test extras (Selenium) and Debian's chromium, chromium-driver and
fonts-noto-cjk, as .ci/run installs them.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        cleaner = Path(sys.executable).with_name("cleaner")
        subprocess.run([str(cleaner), "report", "samples/input", "-o", str(page), "-q"],
                       cwd=ROOT, check=True)
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--hide-scrollbars", "--window-size=1100,1000"):
            options.add_argument(flag)
        browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        try:
            browser.get(page.as_uri())
            row = browser.find_elements(By.CSS_SELECTOR, "details.file")[0]
            row.find_element(By.TAG_NAME, "summary").click()
            browser.execute_script("document.getElementById('files').scrollIntoView()")
            browser.save_screenshot(str(ROOT / "docs" / "report.png"))
        finally:
            browser.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
