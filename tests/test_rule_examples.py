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
from cleaner.rules import Rule

RULES = default_rules()
FORM = [r for r in RULES if r.stage == "form"]


def alone(rule: Rule) -> list[Rule]:
    return [rule] + [f for f in FORM if f is not rule]


def ended(text: str) -> str:
    return text + "\n" if text and not text.endswith("\n") else text


CHANGES = [pytest.param(r, i, id=f"{r.id}-change{i}") for r in RULES for i in range(len(r.changes))]
KEEPS = [pytest.param(r, i, id=f"{r.id}-keep{i}") for r in RULES for i in range(len(r.keeps))]


@pytest.mark.parametrize(("rule", "index"), CHANGES)
def test_change_example(rule: Rule, index: int) -> None:
    example = rule.changes[index]
    result = clean_text(example.input, alone(rule))
    assert result.text == ended(example.output)
    assert any(c.rule == rule.id for c in result.changes), "the rule itself made no change"
    again = clean_text(result.text, alone(rule))
    assert again.text == result.text, "a second pass changed the output"


@pytest.mark.parametrize(("rule", "index"), KEEPS)
def test_keep_example(rule: Rule, index: int) -> None:
    text = rule.keeps[index]
    result = clean_text(text, alone(rule))
    assert [c for c in result.changes if c.rule == rule.id] == []  # no change, no warning
    assert result.text == clean_text(text, FORM).text


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
