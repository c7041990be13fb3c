"""The HTML report, opened in a real headless Chromium and read through the page.

These tests drive Debian's `chromium` with its `chromedriver` (installed by
.ci/run) through Selenium: they read what the page displays (rendered text,
visibility, layout), not the HTML source. The report is made by the installed
`cleaner report` from the samples.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from support import SAMPLES, run_main

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

AD_LINE = "墨香书斋整理，咨询QQ318842759"  # samples/input/01_county_style_meeting.txt
FILE_01 = "01_county_style_meeting.txt"
SAMPLE_COUNT = len(list((SAMPLES / "input").glob("*.txt")))  # every sample has something to clean


INSTALL_CHROMIUM = "sudo apt-get install chromium chromium-driver fonts-noto-cjk"


def _chromium() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not (browser and driver):
        message = (f"the report's browser tests need Chromium and its driver: {INSTALL_CHROMIUM} "
                   "(as .ci/run does)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return browser, driver


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    done = run_main("report", str(SAMPLES / "input"), "-o", str(path))
    assert done.returncode == 0, done.stderr.decode()
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    binary, driver = _chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(flag)
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    try:
        yield chrome
    finally:
        chrome.quit()


def open_report(browser: WebDriver, report: Path, width: int = 1280) -> None:
    browser.set_window_size(width, 900)
    browser.get(report.as_uri())


def file_row(browser: WebDriver, name: str) -> WebElement:
    rows = [r for r in browser.find_elements(By.CSS_SELECTOR, "details.file")
            if (r.get_attribute("data-label") or "").endswith(name)]
    assert len(rows) == 1, [r.get_attribute("data-label") for r in rows]
    return rows[0]


def expand(browser: WebDriver, row: WebElement) -> WebElement:
    row.find_element(By.TAG_NAME, "summary").click()
    body = row.find_element(By.CSS_SELECTOR, "div.body")
    # the script draws the lines after the click: on a busy machine that takes a moment
    WebDriverWait(browser, 10).until(lambda _: body.is_displayed())
    return body


def tag_after(mark: WebElement) -> str:
    """The rule label displayed right after a highlighted span."""
    tag = mark.find_element(By.XPATH, "following-sibling::span[contains(@class, 'tag')][1]")
    assert tag.is_displayed()
    return str(tag.text)


def test_removed_ad_and_replaced_placeholder_are_shown_with_rule_ids(
        browser: WebDriver, report: Path, tmp_path: Path) -> None:
    open_report(browser, report)
    totals = browser.find_element(By.ID, "totals").text
    assert totals.startswith(f"{SAMPLE_COUNT} file(s): {SAMPLE_COUNT} changed, 0 unchanged, 0 skipped")
    body = expand(browser, file_row(browser, FILE_01))

    removed = [d for d in body.find_elements(By.CSS_SELECTOR, "del.rm") if d.text == AD_LINE]
    assert removed, "the ad line is not shown as removed"
    assert all(d.is_displayed() for d in removed)
    assert {tag_after(d) for d in removed} == {"CT001"}
    assert any(d.value_of_css_property("text-decoration-line") == "line-through" for d in removed)

    placeholders = [d for d in body.find_elements(By.CSS_SELECTOR, "del.rm") if d.text == "XX"]
    assert placeholders and tag_after(placeholders[0]) == "AN001"
    added = [i.text for i in body.find_elements(By.CSS_SELECTOR, "ins.add")]
    assert "××" in added
    # The row reads as text too: the dropped line says it was removed.
    assert "(line removed)" in body.text

    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    # Nothing was fetched: no stylesheet, script, font or image from anywhere.
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0


def test_filter_by_rule_shows_only_files_with_that_rule(browser: WebDriver, report: Path) -> None:
    open_report(browser, report)
    Select(browser.find_element(By.ID, "rule-filter")).select_by_value("CT001")
    shown = [r for r in browser.find_elements(By.CSS_SELECTOR, "details.file") if r.is_displayed()]
    names = [(r.get_attribute("data-label") or "").rsplit("/", 1)[-1] for r in shown]
    assert FILE_01 in names and 0 < len(names) < SAMPLE_COUNT
    assert all("CT001" in r.find_element(By.TAG_NAME, "summary").text for r in shown)
    assert browser.find_element(By.ID, "count").text == f"{len(names)} of {SAMPLE_COUNT} file(s) shown"
    # A rule id in the table of rules is a shortcut for the same filter.
    Select(browser.find_element(By.ID, "rule-filter")).select_by_value("")
    browser.find_element(By.CSS_SELECTOR, "button.rule[data-rule='PU002']").click()
    shown = [r for r in browser.find_elements(By.CSS_SELECTOR, "details.file") if r.is_displayed()]
    assert len(shown) >= 2
    assert all("PU002" in r.find_element(By.TAG_NAME, "summary").text for r in shown)


def test_files_are_collapsed_until_opened(browser: WebDriver, report: Path) -> None:
    open_report(browser, report)
    rows = browser.find_elements(By.CSS_SELECTOR, "details.file")
    assert len(rows) == SAMPLE_COUNT
    assert not any(r.get_attribute("open") for r in rows)
    assert not browser.find_elements(By.CSS_SELECTOR, "del.rm")  # drawn only when opened


def test_phone_width_has_no_sideways_scroll_and_stacks_before_and_after(
        browser: WebDriver, report: Path, tmp_path: Path) -> None:
    open_report(browser, report, width=390)
    body = expand(browser, file_row(browser, FILE_01))
    width = browser.execute_script("return document.documentElement.scrollWidth")
    inner = browser.execute_script("return window.innerWidth")
    assert width <= inner
    before = body.find_elements(By.CSS_SELECTOR, ".diff .before.changed")[0]
    after = body.find_elements(By.CSS_SELECTOR, ".diff .after.changed")[0]
    assert before.location["x"] == after.location["x"]  # stacked, not side by side
    assert after.location["y"] > before.location["y"]
    assert browser.save_screenshot(str(tmp_path / "phone.png"))


def test_a_report_of_a_thousand_files_stays_paged_and_lazy(browser: WebDriver, tmp_path: Path) -> None:
    corpus = tmp_path / "many"
    corpus.mkdir()
    for i in range(1000):
        body = f"第{i}次会议\n同志们：\n今年的任务很重。\n"
        if i % 2:
            body = body.replace("同志们：", "XX同志们:") + "笔墨文行整理，咨询QQ2233445566\n"
        (corpus / f"{i:04d}.txt").write_text(body, encoding="utf-8")
    page = tmp_path / "many.html"
    done = run_main("clean", str(corpus), "-o", str(tmp_path / "out"), "--report", str(page), "-q")
    assert done.returncode == 0, done.stderr.decode()
    assert len(list((tmp_path / "out").glob("*.txt"))) == 1000  # --report comes on top of -o

    open_report(browser, page)
    assert browser.find_element(By.ID, "count").text == "500 of 1000 file(s) shown"
    assert len(browser.find_elements(By.CSS_SELECTOR, "details.file")) == 200
    assert not browser.find_elements(By.CSS_SELECTOR, "div.diff")  # nothing drawn until opened
    more = browser.find_element(By.ID, "more")
    assert more.is_displayed() and more.text == "show more (300 left)"
    more.click()
    assert len(browser.find_elements(By.CSS_SELECTOR, "details.file")) == 400
    search = browser.find_element(By.ID, "name-filter")
    search.send_keys("0999")
    [found] = browser.find_elements(By.CSS_SELECTOR, "details.file")
    opened = expand(browser, found)
    assert tag_after(opened.find_element(By.CSS_SELECTOR, "del.rm")) in {"AN001", "PU002", "CT001"}
    Select(browser.find_element(By.ID, "status-filter")).select_by_value("unchanged")
    search.clear()
    search.send_keys("0998")
    [row] = browser.find_elements(By.CSS_SELECTOR, "details.file")
    assert "0 changes" in row.text
