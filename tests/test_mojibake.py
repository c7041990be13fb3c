"""Mojibake repair: exact where possible, flagged where not, never on correct text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import clean_text, default_rules
from cleaner.mojibake import may_be_utf8_read_as_gbk, repair_utf8_read_as_gbk
from support import SAMPLES, SHARED, shared_dir

REPAIR = [r for r in default_rules() if r.stage == "repair"]


def correct_texts() -> list[Path]:
    paths = sorted((SAMPLES / "expected").glob("*.txt"))
    for part in ("seeds/gold", "devset/gold"):
        if (SHARED / part).is_dir():
            paths += sorted((SHARED / part).glob("*.txt"))
    return paths


def correct_lines() -> list[str]:
    return [ln for p in correct_texts() for ln in p.read_text(encoding="utf-8").splitlines() if ln]


@pytest.mark.parametrize("path", correct_texts(), ids=lambda p: p.name)
def test_correct_chinese_passes_the_repair_stage_unchanged(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    result = clean_text(text, REPAIR)
    assert result.text == text
    assert result.changes == [] and not result.info.mojibake_repaired


def exact_mojibake(decode_as: str, encode_as: str) -> list[tuple[str, str]]:
    pairs = []
    for line in correct_lines():
        try:
            bad = line.encode(encode_as).decode(decode_as)
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if bad != line:
            pairs.append((line, bad))
    return pairs


def test_utf8_read_as_gbk_is_repaired_exactly() -> None:
    pairs = exact_mojibake("gb18030", "utf-8")
    assert len(pairs) >= 10
    for good, bad in pairs:
        result = clean_text(bad, REPAIR)
        assert result.text == good + "\n", bad[:40]
        assert result.info.mojibake_repaired


def test_the_document_check_lets_through_every_line_a_repair_would_change() -> None:
    # Lines that are mojibake, lines that are not, and lines with some of both
    # around U+FFFD and ASCII: wherever the line repair changes something
    # (even relaxed), the whole-document check must not have said no.
    good = correct_lines()
    bad = [b for _, b in exact_mojibake("gb18030", "utf-8")]
    mixed = [f"{g[:6]}\ufffd{b[:9]} 12{g[-4:]}" for g, b in zip(good, bad, strict=False)]
    repaired = 0
    for line in good + bad + mixed:
        if repair_utf8_read_as_gbk(line, True):
            repaired += 1
            assert may_be_utf8_read_as_gbk(line), line[:40]
    assert repaired >= len(bad)
    assert not any(may_be_utf8_read_as_gbk(text.read_text(encoding="utf-8"))
                   for text in correct_texts())


def test_gbk_read_as_latin1_is_repaired_exactly() -> None:
    pairs = [(g, b) for g, b in exact_mojibake("latin-1", "gbk") if len(b) >= 8]
    assert len(pairs) >= 10
    for good, bad in pairs:
        assert clean_text(bad, REPAIR).text == good + "\n", bad[:40]


def test_short_lines_are_repaired_once_the_document_shows_the_same_mojibake() -> None:
    shared_dir("seeds", "gold")  # the short lines come from the shared texts
    pairs = exact_mojibake("latin-1", "gbk")
    good = "\n".join(g for g, _ in pairs) + "\n"
    bad = "\n".join(b for _, b in pairs)
    assert any(len(b) < 8 for _, b in pairs)
    assert clean_text(bad, REPAIR).text == good


def test_the_issue_example_is_repaired_where_exact_and_flagged_where_not() -> None:
    # 同志们 in UTF-8 read as GBK with the last byte lost: 鍚屽織浠.
    lossy = "同志们".encode("utf-8")[:-1].decode("gbk", errors="ignore")
    assert lossy == "鍚屽織浠"
    result = clean_text(f"{lossy}，今天开会。\n锟斤拷锟斤拷")
    assert result.info.damaged
    assert "锟斤拷锟斤拷" in result.text  # kept, not guessed


def test_mojibake_in_a_whole_seed_round_trips() -> None:
    gold = correct_texts()[0].read_text(encoding="utf-8")
    bad = "\n".join(
        line.encode("utf-8").decode("gb18030", errors="strict") if _strict(line) else line
        for line in gold.splitlines())
    assert clean_text(bad).text == clean_text(gold).text


def _strict(line: str) -> bool:
    try:
        line.encode("utf-8").decode("gb18030")
        return True
    except UnicodeDecodeError:
        return False


def _stretch_model(document: str) -> bool:
    """The document check written plainly: split the UTF-8 reading of the GBK bytes into stretches."""
    as_utf8 = document.replace("\ufffd", "?").encode("gb18030", errors="replace").decode("utf-8", "replace")
    stretches = re.split(r"[\x00-\x7f]+", as_utf8)  # non-ASCII stretches between ASCII or the ends
    return any("\ufffd" not in s and re.search("[\u2e80-\ufffc\ufffe-\U0010ffff]", s) for s in stretches)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.text(alphabet=["\ufffd", "a", " ", "\n", "鍚", "屽", "織", "é", "ĸ", "я", "中", "，",
                         "\U0003ed35", "\ue862", "锟", "斤"], max_size=12))
def test_the_document_check_agrees_with_a_plain_model(document: str) -> None:
    assert may_be_utf8_read_as_gbk(document) == _stretch_model(document)
