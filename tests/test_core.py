"""The pure core: positions in the change log, settings, output form."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cleaner import Options, clean_text


def test_positions_are_in_the_original_input() -> None:
    # Line 3's "XX" sits after a space-indent and text that earlier rules
    # change (a fullwidth digit, an ASCII comma); the log must still point at
    # the input column of "XX", 1-based.
    text = "标题\n更新时间:2022-10 来源:网友投稿\n　　第１项,XX同志发言。\n"
    result = clean_text(text)
    assert result.text == "标题\n第1项，××同志发言。\n"
    by_rule = {c.rule: c for c in result.changes}
    assert (by_rule["FN001"].line, by_rule["FN001"].column) == (2, 1)
    anon = by_rule["AN001"]
    assert (anon.line, anon.column, anon.before, anon.after) == (3, 7, "XX", "××")
    comma = by_rule["PU002"]
    assert (comma.line, comma.column, comma.before, comma.after) == (3, 6, ",", "，")


def test_without_a_log_the_text_and_counts_are_the_same_and_removals_keep_their_place() -> None:
    text = "标题\n更新时间:2022-10 来源:网友投稿\n　　第１项,XX同志发言。\n请关注公众号：某某文库\n"
    full, lean = clean_text(text), clean_text(text, log=False)
    assert lean.text == full.text and lean.info == full.info
    assert full.lines and lean.lines == []  # the map for a review goes with the log
    assert lean.rule_counts() == full.rule_counts() and sum(lean.rule_counts().values()) == len(full.changes)
    assert lean.changes == full.warnings  # the removals' spans went to the guard only
    assert full.logged and not lean.logged
    with pytest.raises(ValueError, match="log=True"):
        lean.jsonl()


def test_positions_after_a_deletion_earlier_in_the_line() -> None:
    text = "会议材料已印发，咨询QQ318842759，请XX局认真学习。"
    result = clean_text(text)
    assert result.text == "会议材料已印发，请××局认真学习。\n"
    anon = next(c for c in result.changes if c.rule == "AN001")
    assert anon.column == text.index("XX") + 1


@pytest.mark.parametrize(("settings", "expected"), [
    ({}, "××同志在××县工作。\n"),
    ({"placeholder": "某某"}, "某某同志在某某县工作。\n"),
    ({"placeholder": "[*]"}, "[*]同志在[*]县工作。\n"),
    ({"anonymise": "drop"}, "同志在县工作。\n"),
    ({"anonymise": "keep"}, "XXX同志在×县工作。\n"),
])
def test_anonymised_token_settings(settings: dict[str, Any], expected: str) -> None:
    assert clean_text("XXX同志在×县工作。", options=Options(**settings)).text == expected


def test_unknown_anonymise_mode_is_an_error() -> None:
    with pytest.raises(ValueError, match="anonymise"):
        Options(anonymise="hide")  # type: ignore[arg-type]  # as a caller without a type checker


@pytest.mark.parametrize(("args", "settings", "error", "said"), [
    ((b"XX\n",), {}, TypeError, "takes the text as a str, not bytes; for bytes, use cleaner.clean_bytes"),
    ((None,), {}, TypeError, "takes the text as a str, not NoneType"),
    (("XX\n",), {"placeholder": 3}, TypeError, "placeholder must be a str, not int"),
    (("XX\n",), {"placeholder": "某\n某"}, ValueError, "a placeholder is text on one line"),
    (("XX\n",), {"blank_lines": "no"}, TypeError, "blank_lines must be True or False, not 'no'"),
    (("XX\n",), {"timeout": 0}, ValueError, "timeout must be a number of seconds above 0"),
    (("XX\n",), {"colour": True}, TypeError, "unknown option(s) colour; the options are placeholder"),
], ids=["bytes", "none", "placeholder-int", "placeholder-newline", "blank-lines-str", "timeout-0", "unknown"])
def test_a_wrong_argument_is_named_before_any_rule_runs(args: tuple[object, ...], settings: dict[str, object],
                                                        error: type[Exception], said: str) -> None:
    # They failed deep inside (a line split, a regex compile) or passed: "no" was true, a line break went in.
    with pytest.raises(error, match=re.escape(said)):
        clean_text(*args, **settings)  # type: ignore[arg-type]


def test_blank_lines_setting_puts_one_blank_line_between_paragraphs() -> None:
    text = "标题\n\n\n第一段。\n第二段。"
    assert clean_text(text).text == "标题\n第一段。\n第二段。\n"
    assert clean_text(text, blank_lines=True).text == "标题\n\n第一段。\n\n第二段。\n"


@pytest.mark.parametrize("text", ["", "\n", "  \n\u3000\n\t"])
def test_empty_and_whitespace_input_give_empty_output(text: str) -> None:
    assert clean_text(text).text == ""


def test_a_document_of_only_noise_is_empty_and_says_why() -> None:
    result = clean_text("登录 | 注册 | 返回首页\n更新时间:2022-10 来源:网友投稿\n")
    assert result.text == ""
    assert "noise" in result.info.empty_reason


def test_newlines_of_every_kind_become_one_final_lf() -> None:
    assert clean_text("第一段。\r\n第二段。\r第三段。").text == "第一段。\n第二段。\n第三段。\n"


def test_truncation_is_recorded_with_hidden_count() -> None:
    result = clean_text("正文。\n---此处隐藏1200字,下载后查看---\n结尾。\n（未完，全文共900字，当前显示300字）")
    assert result.text == "正文。\n结尾。\n"
    assert result.info.truncated
    assert result.info.hidden_chars == 1200 + 600


def test_text_no_rule_touches_comes_back_identical() -> None:
    text = "在全市大会上的讲话\n同志们：\n今天，我们召开会议。3×4米，X光，二〇二二年，举报电话12388。\n"
    result = clean_text(text)
    assert result.text == text
    assert result.changes == []


def test_unsure_rule_keeps_the_line_and_warns() -> None:
    # A line with the editor-voice markers but far too long to be a site intro.
    body = "下面是小编为大家整理的材料，供大家参考" + "，我们要坚持实事求是" * 45 + "。"
    result = clean_text(body)
    warnings = result.warnings
    assert [w.rule for w in warnings] == ["ED001"]
    assert "kept" in warnings[0].message
    assert "我们要坚持实事求是" in result.text


def test_jsonl_has_a_document_record_then_one_record_per_change() -> None:
    import json

    result = clean_text("XX同志:大家好")
    records = [json.loads(line) for line in result.jsonl("a.txt").splitlines()]
    assert records[0]["type"] == "document" and records[0]["changes"] == 2
    assert {"type", "path", "rule", "action", "line", "column", "before", "after"} <= set(records[1])


@pytest.mark.parametrize("placeholder", ["××", "某某", "[*]"])
def test_mixed_marks_for_one_name_become_one_placeholder(placeholder: str) -> None:
    text = "XX××同志、***×局长和×╳处长"
    once = clean_text(text, placeholder=placeholder).text
    assert once == f"{placeholder}同志、{placeholder}局长和{placeholder}处长\n"
    assert clean_text(once, placeholder=placeholder).text == once


def test_the_log_marks_changes_a_reviewer_should_start_with() -> None:
    import json

    result = clean_text("本文来源于网络，如有侵权请联系删除。\n同志们,今天开会。\n")
    records = {r["rule"]: r for r in map(json.loads, result.jsonl("a.txt").splitlines()[1:])}
    assert records["ED003"]["review"] is True  # a judgement that removed a line
    assert "review" not in records["PU002"]  # a comma made fullwidth is pure form
