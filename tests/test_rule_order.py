"""The order the rules run in is declared (cleaner.rules.PIPELINE); where it matters it is pinned.

The order of the families inside a stage changes nothing: shuffled, the
samples, every rule's examples and the development set (when ../shared is
here) come out the same. The order of some rules inside their file does
matter, and is pinned here with the text that shows why.
"""

from __future__ import annotations

import random

import pytest

from cleaner import clean_text, default_rules, load_rules
from cleaner.fileio import decode
from cleaner.rules import PIPELINE, Rule, in_pipeline_order
from support import REPO, SHARED

RULES = default_rules()


def texts() -> list[str]:
    found = [decode(p.read_bytes()).text for p in sorted((REPO / "samples" / "input").glob("*.txt"))]
    found += [ex.input for r in RULES for ex in r.changes] + [k for r in RULES for k in r.keeps]
    devset = SHARED / "devset" / "raw"
    if devset.is_dir():  # the real pages too, when they are here
        found += [decode(p.read_bytes()).text for p in sorted(devset.glob("*.txt"))]
    return found


def test_every_default_family_is_declared_in_its_stage() -> None:
    declared = {(stage, family) for stage, families in PIPELINE for family in families}
    assert {(r.stage, r.family) for r in load_rules()} <= declared


@pytest.mark.parametrize("seed", [1, 2])
def test_the_order_of_families_inside_a_stage_changes_nothing(seed: int) -> None:
    shuffle = random.Random(seed)
    families = {stage: tuple(shuffle.sample(names, len(names))) for stage, names in PIPELINE}
    shuffled = in_pipeline_order(list(RULES), families)
    assert [r.id for r in shuffled] != [r.id for r in RULES] or all(len(n) == 1 for _, n in PIPELINE)
    for text in texts():
        assert clean_text(text, shuffled).text == clean_text(text, RULES).text, text[:80]


def swapped(a: str, b: str) -> list[Rule]:
    rules = list(RULES)
    ids = [r.id for r in rules]
    i, j = ids.index(a), ids.index(b)
    assert i < j, f"{a} runs before {b}"
    rules[i], rules[j] = rules[j], rules[i]
    return rules


@pytest.mark.parametrize(("first", "then", "text", "clean"), [
    # ASCII commas become Chinese ones before spaces at Chinese punctuation go
    ("PU002", "PU004", "今天开会 , 大家好", "今天开会，大家好\n"),
    # the lead-in with its genre talk goes as one before the editor's sentence alone
    ("ED004", "ED001", "开工致辞\n在日常工作中，大家总免不了要接触致辞吧，致辞是指在仪式上表示祝贺的文字。"
     "下面是小编整理的开工致辞，欢迎阅读。\n致辞一", "开工致辞\n致辞一\n"),
    # the page counter goes before the copies of the title are compared
    ("TI002", "TI001", "巡察工作方案_第1页\n巡察工作方案_第2页\n一、背景", "巡察工作方案\n一、背景\n"),
])
def test_the_order_inside_a_file_is_pinned_where_it_matters(first: str, then: str, text: str,
                                                           clean: str) -> None:
    assert clean_text(text, RULES).text == clean
    assert clean_text(text, swapped(first, then)).text != clean
