"""A dropped line never takes speech with it: the engine's rule, for every rule.

Sites glue their sentences to the speech: an editor intro before
``同志们：…``, an outro or a copyright notice after ``谢谢大家！``. For every
line-dropping rule (the defaults and two user rules written the way users
write them: a lookahead marker and an unanchored keyword), each line that one
of its ``changes`` examples drops is glued to speech paragraphs written for
this test, before and after it on the same line. Cleaned by that rule (plus
the output form), every Han character of the speech must survive in order,
and the rule must still say something about the line: where the glued noise
ends a sentence the rule can name it, so it must be cut out; otherwise the
line is kept with a warning.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import regex

from cleaner import clean_text, default_rules, load_rule_file
from cleaner.actions import LINE_DROPS
from cleaner.rules import Rule
from cleaner.speech import CLAUSE_HAN, han_count, piece_ends

HAN = regex.compile(r"\p{Han}")

# Speech paragraphs of the kind that sits next to a site's sentence: the
# salutation and opening, a closing with thanks, a body paragraph. The first
# and the last are one clause each (no sentence end inside) of more than
# CLAUSE_HAN Han characters.
SPEECH = [
    "同志们：今天我们召开全县秋冬季安全生产工作会议，主要任务是认真分析当前全县安全生产形势、查找各个行业领域存在的突出问题和薄弱环节、研究部署今冬明春安全生产和安全防范重点工作。",
    "最后，祝大家工作顺利、身体健康！谢谢大家！",
    "三年来，全镇新建和改造农村公路四十二公里，改造农村危房三百余户，新建村级卫生室十一个、村级文化广场九个、农村幸福院五个，全镇群众的获得感、幸福感和满意度明显提升。",
]
# A paragraph of an earlier speech above the glued line (a page that collects
# several speeches): speech may then stand before a site's sentence on a line.
ABOVE = "各位来宾：在这个收获的季节，我们欢聚一堂，共同庆祝全镇第五届农民丰收节开幕。"

USER_RULES = """\
family = "mine"

[[rule]]
id = "MY101"
summary = "Drop the shop's reading tip (a lookahead marker, as users often write it)."
rationale = "A user rule: the pattern is zero-width and names no span at all."
action = "drop_line"
patterns = ['^(?=.*墨香书屋)']
changes = [{ input = "墨香书屋提醒您：收藏本页，阅读更方便。\\n正文", output = "正文" }]
keeps = ["正文"]

[[rule]]
id = "MY102"
summary = "Drop a line with the shop's QQ (an unanchored keyword)."
rationale = "A user rule: the pattern matches only the handle inside the line."
action = "drop_line"
patterns = ['书屋QQ\\d{5,}']
changes = [{ input = "资料请联系书屋QQ3188427，备注来意。\\n正文", output = "正文" }]
keeps = ["正文"]

[[rule]]
id = "MY103"
summary = "Drop the shop's lead-in, with the genre talk before it, at the head of a page."
rationale = "A user rule that leads: its match takes the sentences before the offer."
action = "drop_line"
leads = true
patterns = ['^(?:[^。！？!?\\n]{1,80}[。！？!?]){0,3}下面是墨香书屋整理的[^。\\n]{1,30}，供参考。']
changes = [{ input = "下面是墨香书屋整理的讲话稿，供参考。\\n正文", output = "正文" }]
keeps = ["正文"]
"""


def user_rules(tmp: Path) -> list[Rule]:
    path = tmp / "mine.toml"
    path.write_text(USER_RULES, encoding="utf-8")
    return load_rule_file(path)


def form(rules: list[Rule] | tuple[Rule, ...]) -> list[Rule]:
    return [r for r in rules if r.stage == "form"]


def dropped_lines(rule: Rule, rules: list[Rule]) -> list[str]:
    """The lines that the rule's own examples drop whole."""
    found = []
    for example in rule.changes:
        lines = example.input.split("\n")
        result = clean_text(example.input, rules)
        for c in result.changes:
            if (c.rule == rule.id and c.kind == "change" and c.action in LINE_DROPS
                    and c.column == 1 and c.before.strip() == lines[c.line - 1].strip()):
                found.append(lines[c.line - 1].strip())
    return found


def check_glued(rule: Rule, rules: list[Rule]) -> list[str]:
    """Every way the rule damaged glued speech or ignored glued noise, as messages.

    Speech is glued after every noise line, and before it where the noise
    ends a piece (a sentence end or a closing bracket). A noise line without
    such an end runs into the speech as one clause, which no measure can
    split; it is glued only before the long one-clause paragraphs, which the
    engine must then keep whole. Where the noise is one piece, the rule must
    cut it off (or keep the line with a warning, when too long for it),
    except a block rule, a line scorer or a preamble rule: a block is a run
    of whole lines, a scored line has no sentence, and a preamble is known by
    its place between a collection's title and its first piece, so a line
    glued to speech is none of them.
    """
    problems = []
    # A block is a run of whole lines, a scored line has no sentence, and a
    # preamble is known by its place: a line glued to speech is none of them,
    # so these rules leave it to the others.
    blockless = rule.action not in ("drop_block", "score_line", "drop_preamble")
    for noise in dropped_lines(rule, rules):
        one_piece = len(piece_ends(noise)) == 1
        ends_piece = len(noise) in piece_ends(noise + "甲")  # a piece ends where the noise does
        for speech in SPEECH:
            glued = [(speech + noise, False)]
            if ends_piece or (len(piece_ends(speech)) == 1 and han_count(speech) > CLAUSE_HAN):
                glued.append((noise + speech, True))
            for text, noise_first in glued:
                result = clean_text(f"{ABOVE}\n{text}\n正文结束。\n", rules)
                kept = "".join(HAN.findall(result.text))
                wanted = "".join(HAN.findall(speech))
                if not is_subsequence(wanted, kept):
                    problems.append(f"{rule.id}: speech lost from {text!r}: {result.text!r}")
                mine = [c for c in result.changes if c.rule == rule.id and c.line == 2]
                if one_piece and (ends_piece or not noise_first) and not mine and blockless:
                    problems.append(f"{rule.id}: said nothing about the glued noise in {text!r}")
    return problems


def is_subsequence(small: str, big: str) -> bool:
    it = iter(big)
    return all(ch in it for ch in small)


DROPPING = [r for r in default_rules()
            if r.action in LINE_DROPS and r.action != "drop_repeated_title" and r.stage != "form"]


@pytest.mark.parametrize("rule", DROPPING, ids=lambda r: r.id)
def test_default_rule_never_drops_glued_speech(rule: Rule) -> None:
    rules = [rule, *form(default_rules())]
    assert dropped_lines(rule, rules), f"{rule.id}: no example drops a whole line"
    assert check_glued(rule, rules) == []


def test_user_rules_never_drop_glued_speech(tmp_path: Path) -> None:
    for rule in user_rules(tmp_path):
        rules = [rule, *form(default_rules())]
        assert dropped_lines(rule, rules), rule.id
        assert check_glued(rule, rules) == []


def test_a_site_sentence_before_the_salutation_is_cut_and_the_speech_kept() -> None:
    text = "下面是小编为大家整理的讲话稿，欢迎阅读。同志们：今天我们召开全县大会。\n"
    result = clean_text(text)
    assert result.text == "同志们：今天我们召开全县大会。\n"
    (change,) = [c for c in result.changes if c.rule.startswith("ED")]
    assert change.before == "下面是小编为大家整理的讲话稿，欢迎阅读。" and change.column == 1


def test_a_line_whose_noise_cannot_be_separated_is_kept_with_a_warning(tmp_path: Path) -> None:
    rule = user_rules(tmp_path)[0]  # MY101: a zero-width marker, here in the middle sentence
    text = "同志们：今天我们开会。墨香书屋的同志也来了，大家欢迎。我们一起学习。\n"
    result = clean_text(text, [rule])
    assert result.text == text
    assert [(c.rule, c.kind) for c in result.changes] == [("MY101", "warning")]


def test_a_lead_in_takes_the_genre_talk_before_it_only_at_the_head_of_a_page(tmp_path: Path) -> None:
    rule = user_rules(tmp_path)[2]  # MY103: leads
    lead = "讲话稿是领导在会议上使用的文稿，用途十分广泛。下面是墨香书屋整理的讲话稿，供参考。"
    speech = "同志们：今天我们召开全县大会，主要任务是总结工作、部署任务，请大家认真抓好落实。"
    top = clean_text(f"{lead}\n{speech}\n", [rule])
    assert top.text == f"{speech}\n"
    # The speech that follows the lead-in on its line stays.
    glued = clean_text(f"{lead}{speech}\n", [rule])
    assert glued.text == f"{speech}\n"
    # Below a paragraph of speech, what stands before the offer may be speech: only the offer goes.
    below = clean_text(f"{speech}\n{lead}\n", [rule])
    assert below.text == f"{speech}\n讲话稿是领导在会议上使用的文稿，用途十分广泛。\n"


def test_a_lead_in_after_a_salutation_or_thanks_takes_only_its_own_sentence(tmp_path: Path) -> None:
    rule = user_rules(tmp_path)[2]  # MY103: leads
    offer = "下面是墨香书屋整理的讲话稿，供参考。"
    for speech in ("同志们：今天开会，部署工作。", "今天的会就开到这里。谢谢大家！"):
        result = clean_text(f"{speech}{offer}\n正文。\n", [rule])
        assert result.text == f"{speech}\n正文。\n"


def test_a_line_of_noise_alone_still_goes(tmp_path: Path) -> None:
    rule = user_rules(tmp_path)[1]  # MY102: only the handle matches; the rest is short
    result = clean_text("加书屋QQ3188427\n正文。\n", [rule])
    assert result.text == "正文。\n"
