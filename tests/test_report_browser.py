"""The HTML report, opened in a real headless Chromium and read through the page.

These tests drive Debian's `chromium` with its `chromedriver` (installed by
.ci/run) through Selenium: they read what the page displays (rendered text,
visibility, layout), not the HTML source. The report is made by the installed
`cleaner report` from the samples.
"""

from __future__ import annotations

import os
import shutil
import subprocess
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

# One worker runs the module (pytest -n): its tests share one browser and one report.
pytestmark = pytest.mark.xdist_group("browser")

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
                 "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,900",
                 "--lang=en-US"):  # the page follows the browser's language: English here
        options.add_argument(flag)
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    try:
        yield chrome
    finally:
        chrome.quit()


def open_report(browser: WebDriver, report: Path, width: int = 1280, height: int = 900,
                hash: str = "") -> None:
    browser.set_window_size(width, height)
    browser.get(report.as_uri() + hash)


def shown_rows(browser: WebDriver) -> list[WebElement]:
    return [r for r in browser.find_elements(By.CSS_SELECTOR, "details.file") if r.is_displayed()]


def open_rules(browser: WebDriver) -> None:
    """Unfold the table of rules (collapsed below the summary)."""
    rules = browser.find_element(By.ID, "rules")
    if not rules.get_attribute("open"):
        rules.find_element(By.TAG_NAME, "summary").click()


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
    open_rules(browser)
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


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_the_summary_and_the_file_list_come_first(browser: WebDriver, report: Path,
                                                  width: int, height: int) -> None:
    open_report(browser, report, width, height)
    first = browser.find_elements(By.CSS_SELECTOR, "details.file")[0]
    # The first file is on the first screen, on a desktop and on a phone.
    assert first.location["y"] + 30 < browser.execute_script("return window.innerHeight")
    totals = browser.find_element(By.ID, "totals")
    assert totals.is_displayed() and totals.location["y"] < first.location["y"]
    # The table of rules is a filter folded away until asked for.
    table = browser.find_element(By.CSS_SELECTOR, "#rules table")
    assert not table.is_displayed()
    open_rules(browser)
    assert table.is_displayed()


def test_a_filtered_view_is_kept_in_the_address_and_survives_a_reload(
        browser: WebDriver, report: Path) -> None:
    open_report(browser, report)
    Select(browser.find_element(By.ID, "rule-filter")).select_by_value("CT001")
    browser.find_element(By.ID, "review-filter").click()
    assert browser.current_url.endswith("#rule=CT001&review=1")
    names = [r.get_attribute("data-label") for r in shown_rows(browser)]
    assert 0 < len(names) < SAMPLE_COUNT
    for reopen in (browser.refresh, lambda: open_report(browser, report, hash="#rule=CT001&review=1")):
        reopen()  # a reload, and the address shared with someone else
        assert Select(browser.find_element(By.ID, "rule-filter")).first_selected_option.get_attribute(
            "value") == "CT001"
        assert browser.find_element(By.ID, "review-filter").is_selected()
        assert [r.get_attribute("data-label") for r in shown_rows(browser)] == names
    # A new address in the same tab (its back button, a pasted link) applies too.
    browser.execute_script("location.hash = 'status=all&lang=zh'")
    WebDriverWait(browser, 10).until(lambda _: len(shown_rows(browser)) == SAMPLE_COUNT)
    assert Select(browser.find_element(By.ID, "rule-filter")).first_selected_option.text == "全部规则"


def test_a_rule_filter_dims_the_changes_of_other_rules_clearly(browser: WebDriver, report: Path) -> None:
    open_report(browser, report, hash="#rule=PU002")
    body = expand(browser, file_row(browser, "02_school_opening_web.txt"))
    focused = body.find_elements(By.CSS_SELECTOR, "del.rm[data-rule='PU002'], ins.add[data-rule='PU002']")
    others = [d for d in body.find_elements(By.CSS_SELECTOR, "del.rm") if "PU002" not in str(
        d.get_attribute("data-rule"))]
    assert focused and others

    def opacity(e: WebElement) -> float:
        return float(browser.execute_script(
            "var o = 1; for (var n = arguments[0]; n; n = n.parentElement) "
            "o *= parseFloat(getComputedStyle(n).opacity); return o;", e))

    assert all(opacity(d) <= 0.35 for d in others)  # faded to a third
    assert all(opacity(d) == 1 and d.value_of_css_property("outline-style") == "solid" for d in focused)


def test_review_level_changes_are_marked_and_can_be_shown_alone(browser: WebDriver, report: Path) -> None:
    open_report(browser, report)
    summary = browser.find_element(By.ID, "review-summary")
    assert summary.is_displayed() and "review-level change" in summary.text
    body = expand(browser, file_row(browser, FILE_01))
    ad = [d for d in body.find_elements(By.CSS_SELECTOR, "del.rm") if d.text == AD_LINE][0]
    tag = ad.find_element(By.XPATH, "following-sibling::span[contains(@class, 'tag')][1]")
    mark = browser.execute_script("return getComputedStyle(arguments[0], '::after').content", tag)
    assert "review" in str(tag.get_attribute("class")) and mark == '"!"'  # CT001 drops a line
    placeholder = [d for d in body.find_elements(By.CSS_SELECTOR, "del.rm") if d.text == "XX"][0]
    tag = placeholder.find_element(By.XPATH, "following-sibling::span[contains(@class, 'tag')][1]")
    assert "review" not in str(tag.get_attribute("class"))  # AN001 only changes the form
    assert "to review" in file_row(browser, FILE_01).find_element(By.TAG_NAME, "summary").text
    # The summary's button shows only the review-level changes: the others fade.
    browser.find_element(By.ID, "review-jump").click()
    assert browser.find_element(By.ID, "review-filter").is_selected()
    assert all("to review" in r.find_element(By.TAG_NAME, "summary").text for r in shown_rows(browser))
    body = expand(browser, file_row(browser, FILE_01))
    ad = [d for d in body.find_elements(By.CSS_SELECTOR, "del.rm") if d.text == AD_LINE][0]
    placeholder = [d for d in body.find_elements(By.CSS_SELECTOR, "del.rm") if d.text == "XX"][0]
    assert "focus" in str(ad.find_element(By.XPATH, "..").get_attribute("class"))
    assert "dim" in str(placeholder.find_element(By.XPATH, "..").get_attribute("class"))


def test_the_interface_is_in_chinese_when_asked_or_when_the_browser_is(
        browser: WebDriver, report: Path, tmp_path: Path) -> None:
    page = tmp_path / "zh.html"
    assert run_main("report", str(SAMPLES / "input"), "-o", str(page), "--lang", "zh", "-q").returncode == 0
    open_report(browser, page)
    assert browser.find_element(By.ID, "count").text == f"显示 {SAMPLE_COUNT} / {SAMPLE_COUNT} 个文件"
    assert browser.find_element(By.ID, "totals").text.startswith(f"共 {SAMPLE_COUNT} 个文件")
    assert browser.find_element(By.TAG_NAME, "h1").text == "speech-cleaner 清理报告"
    body = expand(browser, file_row(browser, FILE_01))
    assert "（整行删除）" in body.text and "(line removed)" not in body.text
    # The switch turns it into English, and the address keeps the choice.
    browser.find_element(By.ID, "lang-switch").click()
    assert browser.find_element(By.ID, "count").text == f"{SAMPLE_COUNT} of {SAMPLE_COUNT} file(s) shown"
    assert "lang=en" in browser.current_url
    # `auto` (the default) follows the browser's language.
    agent = browser.execute_script("return navigator.userAgent")
    try:
        browser.execute_cdp_cmd("Emulation.setUserAgentOverride",
                                {"userAgent": agent, "acceptLanguage": "zh-CN,zh"})
        open_report(browser, report)
        assert browser.find_element(By.ID, "count").text == f"显示 {SAMPLE_COUNT} / {SAMPLE_COUNT} 个文件"
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    finally:
        browser.execute_cdp_cmd("Emulation.setUserAgentOverride", {"userAgent": agent,
                                                                   "acceptLanguage": "en-US"})
    open_report(browser, report)
    assert browser.find_element(By.ID, "count").text == f"{SAMPLE_COUNT} of {SAMPLE_COUNT} file(s) shown"


def _has_font_for(char: str) -> bool:
    fonts = subprocess.run(["fc-list", f":charset={ord(char):x}", "family"], capture_output=True,
                           text=True, check=False).stdout
    return bool(fonts.strip())


@pytest.mark.skipif(not shutil.which("fc-list"), reason="fc-list (fontconfig) says which fonts exist")
def test_an_emoji_without_a_font_shows_its_code_point_not_a_box(browser: WebDriver, tmp_path: Path) -> None:
    speech = tmp_path / "emoji.txt"
    speech.write_text("会议讲话\n大家好👍\nXX同志们:\n🔥笔墨文行整理，咨询QQ2233445566\n谢谢大家。\n",
                      encoding="utf-8")
    page = tmp_path / "emoji.html"
    assert run_main("report", str(speech), "-o", str(page), "-q").returncode == 0
    open_report(browser, page)
    body = expand(browser, file_row(browser, "emoji.txt"))
    for char in ("👍", "🔥"):
        code = f"<U+{ord(char):X}>"
        if _has_font_for(char):
            assert char in body.text and code not in body.text
        else:  # no font draws it: its code point, not an empty box
            assert code in body.text and char not in body.text
    removed = [d.text for d in body.find_elements(By.CSS_SELECTOR, "del.rm")]
    assert any("笔墨文行整理" in d and ("🔥" in d or "<U+1F525>" in d) for d in removed)
