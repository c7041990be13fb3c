"""Reviewing a clean: the inline and unified diffs, colour, and the report's data."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from cleaner import clean_text
from cleaner.review import FORM_ONLY
from cleaner.report import build_report, file_data, skipped_data
from cleaner.review import review
from support import run_main

NOISY = (
    "在全镇春耕生产动员会上的讲话\n"
    "XX同志们:\n"
    "今年春耕任务重、时间紧，×××镇长已经作了具体部署。\n"
    "笔墨文行整理，咨询QQ2233445566\n"
    "让我们撸起袖子加油干！\n"
)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_review_labels_every_changed_stretch_with_its_rule() -> None:
    r = review("a.txt", NOISY, clean_text(NOISY))
    status = {ln.number: ln.status for ln in r.lines}
    assert status == {1: "kept", 2: "changed", 3: "changed", 4: "dropped", 5: "kept"}
    changed = [(s.kind, s.before, s.after, s.rules) for s in r.lines[1].segments if s.kind != "same"]
    assert changed == [("replaced", "XX", "××", ("AN001",)), ("replaced", ":", "：", ("PU002",))]
    assert r.lines[3].rules == ("CT001",)
    assert r.lines[3].segments[0].before == "笔墨文行整理，咨询QQ2233445566"


def test_a_result_without_a_log_is_refused_for_review_not_reviewed_wrong() -> None:
    quiet = clean_text(NOISY, log=False)  # counts only, and no map of output lines to input lines
    assert quiet.lines == [] and quiet.text == clean_text(NOISY).text
    with pytest.raises(ValueError, match="a.txt: a review needs every change: clean with log=True"):
        review("a.txt", NOISY, quiet)


def test_inline_diff_marks_changes_inside_the_line_with_rule_ids(tmp_path: Path) -> None:
    path = write(tmp_path, "speech.txt", NOISY)
    done = run_main("diff", str(path), "--no-color")
    assert done.returncode == 1  # something would change
    out = done.stdout.decode()
    assert "[-XX-]{+××+}<AN001>同志们[-:-]{+：+}<PU002>" in out
    assert "[-笔墨文行整理，咨询QQ2233445566-]<CT001!>" in out  # ! : a review-level rule
    assert "让我们撸起袖子加油干" not in out  # unchanged lines are not repeated
    assert path.read_text(encoding="utf-8") == NOISY  # diff writes nothing
    assert not ANSI.search(out)


def test_inline_diff_shows_a_small_change_in_a_long_paragraph_briefly(tmp_path: Path) -> None:
    paragraph = "我们要坚持以人民为中心的发展思想，" * 20 + "XX" + "扎实推进乡村振兴各项工作。" * 20
    path = write(tmp_path, "long.txt", paragraph + "\n")
    out = run_main("diff", str(path), "--no-color").stdout.decode()
    [line] = [ln for ln in out.splitlines() if "<AN001>" in ln]
    assert "[-XX-]{+××+}<AN001>" in line
    assert len(line) < 120 < len(paragraph)
    assert line.count("…") == 2
    whole = run_main("diff", str(path), "--no-color", "--context", "-1").stdout.decode()
    assert paragraph.replace("XX", "[-XX-]{+××+}<AN001>") in whole


def test_the_inline_diff_marks_the_ids_of_review_level_rules(tmp_path: Path) -> None:
    # CT001 drops a line (a judgement: review); AN001 and PU002 change only the form (safe).
    path = write(tmp_path, "speech.txt", NOISY)
    out = run_main("diff", str(path), "--no-color").stdout.decode()
    assert "<AN001>" in out and "<PU002>" in out and "<CT001!>" in out
    assert "AN001!" not in out and "PU002!" not in out
    coloured = run_main("diff", str(path), "--color").stdout.decode()
    assert "\x1b[33;1mCT001!" in coloured and "\x1b[33;1mAN001" not in coloured
    assert "<CT001!>" in ANSI.sub("", coloured)


def test_invisible_removals_are_made_visible(tmp_path: Path) -> None:
    path = write(tmp_path, "zw.txt", "同志\u200b们，大家好！\n")
    out = run_main("diff", str(path), "--no-color").stdout.decode()
    assert "同志[-<U+200B>-]<WM001>们" in out


def test_colour_is_opt_in_off_a_terminal(tmp_path: Path) -> None:
    path = write(tmp_path, "speech.txt", NOISY)
    for args in (["diff", str(path)], ["clean", "--diff", str(path)]):
        plain = run_main(*args).stdout.decode()
        assert plain and not ANSI.search(plain)
        coloured = run_main(*args, "--color").stdout.decode()
        assert "\x1b[31" in coloured and "\x1b[32" in coloured
        assert ANSI.sub("", coloured).replace("[-", "").replace("-]", "") != ""
    unified = run_main("clean", "--diff", "--color", str(path)).stdout.decode()
    assert "\x1b[31m-XX同志们:\x1b[0m" in unified
    assert "\x1b[32m+××同志们：\x1b[0m" in unified


def test_unified_diff_without_colour_is_a_plain_patch(tmp_path: Path) -> None:
    path = write(tmp_path, "speech.txt", NOISY)
    done = run_main("clean", "--diff", str(path))
    assert done.returncode == 1
    out = done.stdout.decode()
    assert out.startswith("--- a/speech.txt\n+++ b/speech.txt\n@@ ")
    assert "-笔墨文行整理，咨询QQ2233445566\n" in out
    assert run_main("diff", "--unified", str(path)).stdout.decode() == out


def test_clean_files_give_no_diff_and_exit_0(tmp_path: Path) -> None:
    path = write(tmp_path, "clean.txt", "同志们：\n大家好！\n")
    done = run_main("diff", str(path))
    assert (done.returncode, done.stdout) == (0, b"")


def test_report_data_holds_changed_lines_with_context_only() -> None:
    body = "".join(f"第{i}段正文，内容不变。\n" for i in range(1, 40))
    text = body + "笔墨文行整理，咨询QQ2233445566\n" + body
    data = file_data(review("b.txt", text, clean_text(text)))
    assert data["status"] == "changed" and data["counts"] == {"CT001": 1}
    kinds = [ln.get("s", "gap") for ln in data["lines"]]
    assert kinds == ["gap", "kept", "dropped", "kept", "gap"]
    assert data["lines"][0]["gap"] == 38


def test_report_text_cannot_break_out_of_the_page() -> None:
    hostile = "</script><script>alert(1)</script>XX同志\n"
    page = build_report([file_data(review("x.txt", hostile, clean_text(hostile))),
                         skipped_data("bin.txt", "binary <b>")], {"AN001": "a & b"})
    assert "<script>alert(1)" not in page and "<b>" not in page
    assert page.count("<script") == 2  # the data and the page's own script
    assert "http://" not in page and "https://" not in page and "src=" not in page


def test_report_page_carries_its_language_and_the_review_level_rules() -> None:
    record = file_data(review("a.txt", NOISY, clean_text(NOISY)))
    page = build_report([record], {"AN001": "a", "CT001": "c", "PU002": "p"}, review={"CT001", "FN001"},
                        lang="zh")
    assert '<html lang="en" data-lang="zh">' in page
    assert '"review":["CT001"]' in page  # only the rules that changed something
    assert '<td class="fix review" data-fix="review">review</td>' in page
    assert 'content="default-src \'none\'; style-src \'unsafe-inline\'; script-src \'unsafe-inline\'"' in page
    with pytest.raises(ValueError, match="lang must be one of auto, zh, en"):
        build_report([record], {}, lang="fr")
    assert run_main("report", "-", "-o", "r.html", "--lang", "fr").returncode == 2


def test_a_huge_line_is_reviewed_without_a_quadratic_diff(tmp_path: Path) -> None:
    # 600,000 characters with changes near both ends: too long for a character
    # diff, so the changes are placed from the change log's columns instead.
    middle = "我们要坚持以人民为中心的发展思想，" * 35_000
    line = "XX同志们:" + middle + "笔墨文行整理，咨询QQ2233445566"
    path = write(tmp_path, "huge.txt", line + "\n")
    start = time.perf_counter()
    done = run_main("diff", str(path), "--no-color")
    assert time.perf_counter() - start < 30
    out = done.stdout.decode()
    assert done.returncode == 1 and len(out) < 2_000
    assert "[-XX-]{+××+}<AN001>同志们[-:-]{+：+}<PU002>我们" in out
    assert "笔墨文行整理[-，咨询QQ2233445566-]<CT002!>" in out


def test_a_file_that_changes_only_its_encoding_says_so(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("同志们：\r\n大家好！\r\n".encode("gbk"))
    done = run_main("diff", str(path), "--no-color", "-q")
    assert done.returncode == 1
    assert done.stdout.decode() == f"{path}: {FORM_ONLY}\n"
    page = tmp_path / "r.html"
    run_main("report", str(path), "-o", str(page), "-q")
    text = page.read_text(encoding="utf-8")
    assert '"status":"changed"' in text and "only the encoding" in text
