"""Hostile input: nothing crashes, nothing hangs, each gets a clear message.

Run through the real command on real files; a hang would hit the subprocess
timeout. Sizes are real (a 50 MB single-line file), so this module is the
slowest of the suite.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from support import SAMPLES, run_main

BODY = (SAMPLES / "expected" / "01_county_style_meeting.txt").read_text(encoding="utf-8")


def clean_file(tmp_path: Path, data: bytes, *args: str) -> tuple[int, bytes, str, list[dict[str, Any]]]:
    src = tmp_path / "in.txt"
    src.write_bytes(data)
    log = tmp_path / "log.jsonl"
    proc = run_main("clean", str(src), "--log", str(log), *args)
    records = ([json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()]
               if log.exists() else [])
    return proc.returncode, proc.stdout, proc.stderr.decode("utf-8"), records


@pytest.mark.parametrize("data", [b"", b"   \n\t\n\xe3\x80\x80\r\n", b"\xef\xbb\xbf"],
                         ids=["empty", "whitespace", "bom-only"])
def test_empty_and_blank_files_give_empty_output(tmp_path: Path, data: bytes) -> None:
    code, out, err, _ = clean_file(tmp_path, data)
    assert (code, out) == (0, b"")
    assert "Traceback" not in err


def test_binary_file_is_refused_with_a_reason(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 4
    code, out, err, _ = clean_file(tmp_path, png)
    assert code == 2 and out == b""
    assert "in.txt" in err and "binary" in err and "Traceback" not in err


def test_a_file_of_only_noise_is_empty_and_the_log_says_why(tmp_path: Path) -> None:
    noise = "登录 | 注册 | 返回首页\n更新时间:2021-06 来源:网友投稿\n墨香文行整理，咨询QQ318842759\n"
    code, out, _, records = clean_file(tmp_path, noise.encode("utf-8"))
    assert (code, out) == (0, b"")
    assert "noise" in records[0]["empty_reason"]


def test_invalid_utf8_in_the_middle_is_kept_flagged_and_the_rest_cleaned(tmp_path: Path) -> None:
    good = BODY.encode("utf-8")
    cut = good.index("一、".encode("utf-8"))
    data = good[:cut] + b"\xff\xfe\x80" + good[cut:]
    code, out, err, records = clean_file(tmp_path, data)
    assert code == 0
    text = out.decode("utf-8")
    assert text.replace("\ufffd", "") == BODY
    assert records[0]["encoding"] == "utf-8" and records[0]["damaged"] is True
    assert any(r["type"] == "warning" and r["rule"] == "MJ004" for r in records)
    assert "DAMAGED" in err


LINEAR_BOUND = 60.0  # seconds for a 300,000-character line


@pytest.mark.parametrize("line", [
    "X" * 300_000 + "同志",
    "×" * 300_000 + "同志",
    "***" * 100_000 + "同志",
    "XX同志，" * 100_000,
    "a. " * 100_000 + "同志",
    "- q! T5 w0 ]$ " * 30_000,
    "（" * 100_000 + "同志",
    "此处隐藏" * 100_000,
    ", " * 150_000 + "同志",
    "[复制" * 3_000 + "。",
    "中(" + "中" * 300_000,
    "|" * 300_000 + "中",
    "的." * 100_000 + "。",
    "中)" * 100_000,
    "a" + " " * 300_000 + "m.com",
    "开学致辞 篇1" * 50_000 + "x",
], ids=["X-run", "times-run", "asterisks", "many-placeholders", "dots", "jammer", "parens",
        "notice-words", "commas", "nav-words", "open-paren", "table-bars", "anti-copy-dots",
        "close-parens", "spaces-before-address", "contents-line"])
def test_pathological_lines_finish(tmp_path: Path, line: str) -> None:
    started = time.monotonic()
    code, out, err, _ = clean_file(tmp_path, line.encode("utf-8"))
    assert code == 0, err
    assert "Traceback" not in err
    # A pattern that backtracks on such a line takes minutes to hours; a linear one, a second or
    # two. The bound is far from both, so a busy machine does not make it flaky.
    assert time.monotonic() - started < LINEAR_BOUND


def test_repeated_placeholders_collapse(tmp_path: Path) -> None:
    code, out, _, _ = clean_file(tmp_path, ("X" * 300_000 + "同志").encode("utf-8"))
    assert (code, out.decode("utf-8")) == (0, "××同志\n")


def test_50_mb_single_line_file(tmp_path: Path) -> None:
    unit = BODY.replace("\n", "").encode("utf-8")
    data = unit * (50_000_000 // len(unit) + 1)
    data = data[: len(data[:50_000_000].decode("utf-8", "ignore").encode("utf-8"))]
    assert len(data) > 49_000_000
    out_dir = tmp_path / "out"
    src = tmp_path / "big.txt"
    src.write_bytes(data)
    proc = run_main("clean", str(src), "-o", str(out_dir), "-q")
    assert proc.returncode == 0, proc.stderr
    assert (out_dir / "big.txt").stat().st_size >= len(data) - 10
