#!/usr/bin/env python3
"""Make docs/report.png and docs/report-phone.png: the HTML report of samples/input in headless Chromium.

    .venv/bin/python docs/screenshot.py

The desktop picture is the English page with the first file opened; the phone
picture (390 pixels wide) is the Chinese page with a rule filter on, as its
address (#rule=PU002&lang=zh) restores it. Needs the test extras (Selenium)
and Debian's chromium, chromium-driver and fonts-noto-cjk, as .ci/run
installs them.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

ROOT = Path(__file__).resolve().parent.parent
SHOTS = {  # file name: (width, height, address after the page's, file to open)
    "report.png": (1100, 1000, "", "01_county_style_meeting.txt"),
    "report-phone.png": (390, 844, "#rule=PU002&lang=zh", "02_school_opening_web.txt"),
}


def shoot(browser: WebDriver, page: Path, name: str) -> None:
    width, height, address, opened = SHOTS[name]
    browser.set_window_size(width, height)
    browser.get(page.as_uri() + address)
    for row in browser.find_elements(By.CSS_SELECTOR, "details.file"):
        if (row.get_attribute("data-label") or "").endswith(opened):
            row.find_element(By.TAG_NAME, "summary").click()
    browser.save_screenshot(str(ROOT / "docs" / name))


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
                     "--disable-sync", "--hide-scrollbars", "--lang=en-US"):
            options.add_argument(flag)
        browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        try:
            for name in SHOTS:
                shoot(browser, page, name)
        finally:
            browser.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
