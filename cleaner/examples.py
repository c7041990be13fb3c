"""Running a rule's own examples: what `cleaner rules test` and the test suite check.

A ``changes`` example, cleaned by its rule alone (plus the output-form rules),
must give its output, the rule must have recorded a change, and a second pass
must change nothing. A ``keeps`` example must come back unchanged with no
change or warning from the rule.
"""

from __future__ import annotations

from .core import Options, clean_text
from .rules import Example, Rule


def ended(text: str) -> str:
    """The output form of an example's expected text: one final newline."""
    return text + "\n" if text and not text.endswith("\n") else text


def alone(rule: Rule, form: list[Rule]) -> list[Rule]:
    """The rule and the output-form rules, in pipeline order."""
    return [rule] + [f for f in form if f is not rule]


def check_change(rule: Rule, example: Example, form: list[Rule],
                 options: Options | None = None) -> str | None:
    """None if the example holds, else a message with expected and actual text."""
    rules = alone(rule, form)
    result = clean_text(example.input, rules, options=options)
    if result.text != ended(example.output):
        return (f"{rule.id}: changes example {example.input!r}\n"
                f"  expected: {ended(example.output)!r}\n  actual:   {result.text!r}")
    if not any(c.rule == rule.id for c in result.changes):
        return f"{rule.id}: changes example {example.input!r}: the rule itself changed nothing"
    again = clean_text(result.text, rules, options=options)
    if again.text != result.text:
        return (f"{rule.id}: changes example {example.input!r}: a second pass changed "
                f"{result.text!r} into {again.text!r}")
    return None


def check_keep(rule: Rule, text: str, form: list[Rule],
               options: Options | None = None) -> str | None:
    """None if the look-alike stays as it is, else a message naming what the rule did."""
    result = clean_text(text, alone(rule, form), options=options)
    mine = [c for c in result.changes if c.rule == rule.id]
    expected = clean_text(text, form, options=options).text
    if mine or result.text != expected:
        what = ", ".join(f"{c.kind} {c.before!r} -> {c.after!r}" for c in mine) or "changed"
        return (f"{rule.id}: keeps example {text!r} must stay unchanged; the rule made: {what}\n"
                f"  expected: {expected!r}\n  actual:   {result.text!r}")
    return None


def check_rule(rule: Rule, form: list[Rule], options: Options | None = None) -> list[str]:
    """Every failing example of ``rule``, as messages."""
    problems = [check_change(rule, ex, form, options) for ex in rule.changes]
    problems += [check_keep(rule, k, form, options) for k in rule.keeps]
    return [p for p in problems if p]
