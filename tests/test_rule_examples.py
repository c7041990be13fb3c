"""Every example of every default rule, run through that rule alone.

A rule's ``changes`` examples must produce their output, and a second pass
must change nothing; its ``keeps`` examples must come back unchanged. The
output form rules (stage "form") run with every rule, so examples can be
written as a reader sees them. A second set of checks runs every ``keeps``
example through the *whole* default rule set: no rule may delete a Chinese
character that some rule's author listed as a look-alike to keep.
"""

from __future__ import annotations

import pytest
import regex

from cleaner import clean_text, default_rules
from cleaner.examples import check_change, check_keep
from cleaner.rules import Rule

RULES = default_rules()
FORM = [r for r in RULES if r.stage == "form"]

CHANGES = [pytest.param(r, i, id=f"{r.id}-change{i}") for r in RULES for i in range(len(r.changes))]
KEEPS = [pytest.param(r, i, id=f"{r.id}-keep{i}") for r in RULES for i in range(len(r.keeps))]


@pytest.mark.parametrize(("rule", "index"), CHANGES)
def test_change_example(rule: Rule, index: int) -> None:
    problem = check_change(rule, rule.changes[index], FORM)
    assert problem is None, problem


@pytest.mark.parametrize(("rule", "index"), KEEPS)
def test_keep_example(rule: Rule, index: int) -> None:
    problem = check_keep(rule, rule.keeps[index], FORM)
    assert problem is None, problem


HAN = regex.compile(r"\p{Han}")


@pytest.mark.parametrize(("rule", "index"), KEEPS)
def test_keep_example_survives_all_rules(rule: Rule, index: int) -> None:
    text = rule.keeps[index]
    out = clean_text(text).text
    assert HAN.findall(out) == HAN.findall(text)


def test_every_rule_is_documented_and_has_both_kinds_of_example() -> None:
    for rule in RULES:
        assert rule.summary.strip() and rule.rationale.strip(), rule.id
        assert rule.changes and rule.keeps, rule.id


def test_every_spec_family_has_rules() -> None:
    families = {r.family for r in RULES}
    assert families >= {
        "promotional", "editorial", "spam", "seller", "contact", "truncation", "furniture",
        "length", "title", "watermark", "anonymised", "punctuation", "mojibake", "form",
    }
