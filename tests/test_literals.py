"""The one literal pass per document (cleaner.literals) finds a superset of what the rules match.

A rule whose literals the pass does not report is skipped without a scan, so
the pass must report every literal of every line a rule's patterns match:
on every line of the seeds, the development set, the wild pages and the
samples, and on lines hypothesis generates from each pattern. And across a
whole run, where rules edit lines that later rules read, the candidates of
every rule must be the ones its full gate finds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaner import Options, Rule, clean_text, decode, default_rules
from cleaner import core
from cleaner.literals import LiteralIndex, literal_index
from support import SAMPLES, SHARED
from test_prefilter import GENERATED

RULES = list(default_rules())
INDEX = literal_index(frozenset(lit for r in RULES for lit in r.literals("××")))


def documents() -> Iterator[str]:
    """Every text we have: rule examples, samples, and ../shared's pages when present."""
    yield from (e.input for r in RULES for e in r.changes)
    yield from (k for r in RULES for k in r.keeps)
    for path in sorted((SAMPLES / "input").glob("*.txt")):
        yield decode(path.read_bytes()).text
    for path in sorted((SAMPLES / "expected").glob("*.txt")):
        yield path.read_text(encoding="utf-8")
    for part in ("seeds", "devset", "wild"):
        for path in sorted((SHARED / part / "raw").glob("*.txt")):
            yield decode(path.read_bytes()).text


LINES = sorted({ln for text in documents() for ln in text.splitlines()})


def hits(scanners: list[str | re.Pattern[str] | regex.Pattern[str]], line: str) -> bool:
    return any(scan in line if isinstance(scan, str) else scan.search(f"\n{line}\n") is not None
               for scan in scanners)


def live_gate_hits(rule: Rule, line: str) -> bool:
    """Does the gate left after the pass hit the line, whenever the full gate does?"""
    full = hits(rule.gate("××"), line)
    live = hits(rule.live_gate("××", INDEX.found(line)), line)
    return live == full


def test_the_pass_finds_exactly_the_literals_of_a_line() -> None:
    literals = sorted(frozenset(lit for r in RULES for lit in r.literals("××")))
    for line in LINES:
        assert INDEX.found(line) == {lit for lit in literals if lit in line}, line[:60]


def test_the_live_gate_hits_every_line_the_full_gate_hits() -> None:
    # The full gate finds every line a pattern matches (tests/test_prefilter.py).
    assert len(LINES) > 1000
    for rule in RULES:
        if rule.requires:
            for line in LINES:
                assert live_gate_hits(rule, line), f"{rule.id}: the pass misses {line[:60]!r}"


@pytest.mark.parametrize(("rule", "pattern", "twin"), [g for g in GENERATED if g[0].requires],
                         ids=[f"{r.id}-{i}" for i, (r, _, _) in enumerate(g for g in GENERATED if g[0].requires)])
def test_lines_generated_from_the_pattern_keep_a_live_gate(rule: Rule, pattern: regex.Pattern[str],
                                                           twin: re.Pattern[str]) -> None:
    @settings(max_examples=30, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.from_regex(twin).map(lambda s: s.replace("\n", " ").replace("\r", " ")))
    def live(line: str) -> None:
        if pattern.search(line) is not None:
            found.append(line)
        assert live_gate_hits(rule, line), f"{rule.id}: the pass misses {line!r}"

    found: list[str] = []
    live()
    assert found, f"{rule.id}: no generated line matches the pattern"


@pytest.mark.parametrize("options", [Options(), Options(anonymise="drop"),
                                     Options(anonymise="keep", placeholder="某某")],
                         ids=["replace", "drop", "keep"])
def test_candidates_are_those_of_the_full_gate_throughout_a_run(options: Options,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # Rules edit lines (PU002 makes ：, a deletion joins 更新X时间 into 更新时间)
    # that later rules read: the lines edited are searched again, so at every
    # rule the live gate picks the very lines the full gate picks.
    checked = []
    live = core._Document._candidates

    def both(self: core._Document, rule: Rule) -> list[core.Line]:
        fast = live(self, rule)
        present, self._present = self._present, None
        try:
            full = live(self, rule)
        finally:
            self._present = present
        assert [id(ln) for ln in fast] == [id(ln) for ln in full], rule.id
        checked.append(bool(full))
        return fast

    monkeypatch.setattr(core._Document, "_candidates", both)
    for text in documents():
        clean_text(text, options=options)
    assert sum(checked) > 1000


def test_an_empty_index_finds_nothing() -> None:
    assert LiteralIndex([]).found("来源：网络") == set()
    assert LiteralIndex(["来源"]).found("") == set()
