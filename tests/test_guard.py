"""The body-integrity guard catches a rule that loses Chinese text."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner import BodyIntegrityError, Options, clean_text, decode, load_rule_file
from cleaner.actions import REMOVALS
from cleaner.changes import Change
from cleaner.core import _Document, default_rules
from cleaner.guard import Removals, check_body
from support import SAMPLES, run_main

# A user's rule meant to turn "某局XX" into "某局××" but whose replacement
# forgets the captured name: it silently deletes the Chinese before XX.
BAD_RULE = """\
family = "mine"
stage = "noise"

[[rule]]
id = "MY900"
summary = "Normalise XX after a unit name."
rationale = "A deliberately bad rule: the replacement drops group 1."
action = "replace"
patterns = ['(\\p{Han}{2})XX']
replacement = '××'
changes = [{ input = "在XX局", output = "××局" }]
keeps = ["在××局"]
"""

SPEECH = "同志们：\n今天，财政局XX同志作了发言。\n"


def test_guard_names_the_rule_that_lost_body_text(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(BAD_RULE, encoding="utf-8")
    with pytest.raises(BodyIntegrityError) as info:
        clean_text(SPEECH, load_rule_file(path))
    assert info.value.rule == "MY900"
    assert (info.value.line, info.value.column) == (2, 5)  # 政 of 财政局
    # Without the guard the damage goes through: this is what it prevents.
    assert clean_text(SPEECH, load_rule_file(path), guard=False).text == "同志们：\n今天，财××同志作了发言。\n"


def test_guard_names_the_same_rule_and_place_without_a_log(tmp_path: Path) -> None:
    """Without a log the replacements are only counted; a failure still names the change that lost text."""
    path = tmp_path / "bad.toml"
    path.write_text(BAD_RULE, encoding="utf-8")
    errors = []
    for log in (True, False):
        with pytest.raises(BodyIntegrityError) as info:
            clean_text(SPEECH, load_rule_file(path), log=log)
        errors.append((str(info.value), info.value.rule, info.value.line, info.value.column))
    assert errors[0] == errors[1]


def test_guard_leaves_the_file_unchanged_in_place(tmp_path: Path) -> None:
    rules = tmp_path / "bad.toml"
    rules.write_text(BAD_RULE, encoding="utf-8")
    speech = tmp_path / "speech.txt"
    speech.write_text(SPEECH, encoding="utf-8")
    proc = run_main("clean", str(speech), "--in-place", "--rules", str(rules))
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2
    assert "MY900" in err and "left unchanged" in err and "Traceback" not in err
    assert speech.read_text(encoding="utf-8") == SPEECH


def test_guard_catches_loss_that_no_change_recorded() -> None:
    with pytest.raises(BodyIntegrityError, match="no rule recorded a change"):
        check_body("同志们好", "同志好", [])


def test_guard_accepts_logged_removals_and_chinese_placeholders() -> None:
    drop = Change("FN001", "drop_line", 1, 1, "来源：网友", "", end_column=6)
    check_body("来源：网友\n同志们好\n", "同志们好\n", [drop])
    assert clean_text("XX同志", placeholder="某某").text == "某某同志\n"


def test_default_rules_pass_the_guard_on_every_sample() -> None:
    for path in sorted((Path(__file__).parent.parent / "samples" / "input").glob("*.txt")):
        from cleaner import clean_bytes

        clean_bytes(path.read_bytes())  # raises if the guard fails


def test_guard_refuses_a_dropped_line_whose_speech_was_not_the_rules_noise() -> None:
    """A logged drop is not enough: outside the noise it names, a dropped line holds no speech."""
    source = "下面是小编整理的讲话稿，欢迎阅读。同志们：今天我们召开全县大会。\n正文。\n"
    output = "正文。\n"
    line = source.split("\n")[0]
    honest = Change("ED001", "drop_line", 1, 1, line, "", end_column=len(line) + 1,
                    noise=(0, len(line)))
    check_body(source, output, [honest])  # claims the whole line: the guard takes the rule's word
    sly = honest._replace(noise=(0, 17))  # names only the intro, yet the whole line went
    with pytest.raises(BodyIntegrityError) as info:
        check_body(source, output, [sly])
    assert info.value.rule == "ED001" and "同志们" in str(info.value)
    unnamed = honest._replace(noise=None)  # a path that drops lines without saying what was noise
    with pytest.raises(BodyIntegrityError):
        check_body(source, output, [unnamed])


def test_guard_reads_a_long_text_a_block_at_a_time_with_the_same_verdicts() -> None:
    # Several of the guard's blocks, a character beyond U+FFFF among them, and a
    # removal deep in the text: the piecewise comparison must agree with the whole.
    line = "同志们，今天我们在这里召开全县工作会议，𠀋部署全年工作。\n"
    body = line * 6000  # about 180,000 characters
    ad = "本文来源：某某文库网\n"
    source = body + ad + body
    drop = Change("FN001", "drop_line", 6001, 1, ad.strip(), "", end_column=len(ad), noise=(0, len(ad) - 1))
    check_body(source, body + body, [drop])
    check_body(source, body + "某某" + body, [drop])  # more Chinese in the output is not a loss
    lost = body + body[:-3] + "\n"  # the last clause's final characters are gone
    with pytest.raises(BodyIntegrityError, match="line 12001, column 27"):
        check_body(source, lost, [drop])
    with pytest.raises(BodyIntegrityError, match="no rule recorded a change"):
        check_body(source, body + body, [])  # the ad's Chinese went with no change that says so


def test_without_a_log_the_guard_reads_the_same_removals_as_from_the_log() -> None:
    """The spans kept without a log are those the log's removals give, change for change.

    (Were they wrong, the guard would fail and the document be cleaned again
    with the log: the same text, so only this test would see it.)
    """
    texts = [decode(p.read_bytes()).text for p in sorted((SAMPLES / "input").glob("*.txt"))]
    texts.append("更新时间:2022-10 来源:网友投稿\n同志们：\n今天，我们召开会议，部署全年工作。\n"
                 "本文由某某文库整理，咨询QQ12345\n")
    seen = 0
    for text in texts:
        doc = _Document(text, Options(log=False))
        for rule in default_rules():
            doc.run(rule)
        expected = Removals()
        for c in clean_text(text).changes:
            if c.kind == "change" and c.action in REMOVALS:
                expected.add(c.action, c.line, c.column, c.end_column, c.before, c.noise)
        assert doc.removals.spans == expected.spans and not doc.removals.speech_dropped
        seen += len(expected.spans) // 3
    assert seen > 10


def test_the_guard_refuses_a_dropped_line_with_speech_from_the_spans_alone() -> None:
    source = "下面是小编整理的讲话稿，欢迎阅读。同志们：今天我们召开全县大会。\n正文。\n"
    line = source.split("\n")[0]
    honest, sly = Removals(), Removals()
    honest.add("drop_line", 1, 1, len(line) + 1, line, (0, len(line)))
    sly.add("drop_line", 1, 1, len(line) + 1, line, (0, 17))
    check_body(source, "正文。\n", [], honest)
    with pytest.raises(BodyIntegrityError, match="a dropped line took speech"):
        check_body(source, "正文。\n", [], sly)
    with pytest.raises(BodyIntegrityError, match="no rule recorded a change"):
        check_body(source, "正文。\n", [], Removals())  # the line went, and no span says so
