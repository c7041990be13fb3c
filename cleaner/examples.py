"""Running a rule's own examples: what `cleaner rules test` and the test suite check.

A ``changes`` example, cleaned by its rule alone (plus the output-form rules),
must give its output, the rule must have recorded a change, and a second pass
must change nothing. A ``keeps`` example must come back unchanged with no
change or warning from the rule. An example that cannot be cleaned at all (a
rule runs past the time limit on it, or the guard stops it) fails with that
message.
"""

from __future__ import annotations

from .changes import CleanResult
from .core import Options, RuleTimeout, clean_text
from .guard import BodyIntegrityError
from .rules import Example, Rule


class ExampleError(Exception):
    """An example that cannot be cleaned at all: a rule timed out, or the guard stopped it."""


def _clean(text: str, rules: list[Rule], options: Options | None) -> CleanResult:
    try:
        return clean_text(text, rules, options=options)
    except (BodyIntegrityError, RuleTimeout) as exc:
        raise ExampleError(str(exc)) from None


def ended(text: str) -> str:
    """The output form of an example's expected text: one final newline."""
    return text + "\n" if text and not text.endswith("\n") else text


def alone(rule: Rule, form: list[Rule]) -> list[Rule]:
    """The rule and the output-form rules, in pipeline order."""
    return [rule] + [f for f in form if f is not rule]


def check_change(rule: Rule, example: Example, form: list[Rule],
                 options: Options | None = None) -> str | None:
    """None if the example holds, else a message with expected and actual text (or why it has none)."""
    try:
        return _check_change(rule, example, form, options)
    except ExampleError as exc:
        return f"{rule.id}: changes example {example.input!r} cannot be cleaned: {exc}"


def _check_change(rule: Rule, example: Example, form: list[Rule], options: Options | None) -> str | None:
    rules = alone(rule, form)
    result = _clean(example.input, rules, options)
    if result.text != ended(example.output):
        return (f"{rule.id}: changes example {example.input!r}\n"
                f"  expected: {ended(example.output)!r}\n  actual:   {result.text!r}")
    if not any(c.rule == rule.id for c in result.changes):
        return f"{rule.id}: changes example {example.input!r}: the rule itself changed nothing"
    again = _clean(result.text, rules, options)
    if again.text != result.text:
        return (f"{rule.id}: changes example {example.input!r}: a second pass changed "
                f"{result.text!r} into {again.text!r}")
    return None


def check_keep(rule: Rule, text: str, form: list[Rule],
               options: Options | None = None) -> str | None:
    """None if the look-alike stays as it is, else a message naming what the rule did (or why it has none)."""
    try:
        result = _clean(text, alone(rule, form), options)
        expected = _clean(text, form, options).text
    except ExampleError as exc:
        return f"{rule.id}: keeps example {text!r} cannot be cleaned: {exc}"
    mine = [c for c in result.changes if c.rule == rule.id]
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
