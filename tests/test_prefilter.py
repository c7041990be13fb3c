"""The gates (`requires` literals, `prefilter`) only skip work: results are the same without them.

A rule's gate must be implied by its patterns. If it were not, the rule would
silently stop firing on some input; these tests run the default rules with
and without their gates over every text we have (rule examples, samples,
seeds, devset) and demand identical results, and check the gate's contract
line by line: every line a pattern matches is found by the gate.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from cleaner import clean_text, default_rules
from support import SAMPLES, SHARED

RULES = list(default_rules())
UNFILTERED = [dataclasses.replace(r, requires=[], prefilter=None) for r in RULES]


def corpus() -> list[str]:
    texts = [e.input for r in RULES for e in r.changes] + [k for r in RULES for k in r.keeps]
    paths = sorted((SAMPLES / "expected").glob("*.txt"))
    for part in ("seeds/raw", "devset/raw"):
        folder = SHARED / part
        if folder.is_dir():
            paths += sorted(folder.glob("*.txt"))
    texts += [p.read_text(encoding="utf-8") for p in paths]
    from cleaner import decode

    texts += [decode(p.read_bytes()).text for p in sorted((SAMPLES / "input").glob("*.txt"))]
    return texts


def test_prechecks_change_no_result() -> None:
    for text in corpus():
        fast, slow = clean_text(text, RULES), clean_text(text, UNFILTERED)
        assert fast.text == slow.text, text[:80]
        assert fast.changes == slow.changes, text[:80]


def test_unfiltered_rules_really_have_no_gate() -> None:
    assert all(r.gate("××") == [] for r in UNFILTERED)
    assert sum(bool(r.gate("××")) for r in RULES) >= 55


def test_every_line_a_pattern_matches_is_found_by_the_gate() -> None:
    lines = {ln for text in corpus() for ln in text.splitlines()}
    for rule in RULES:
        scanners = rule.gate("××")
        if not scanners:
            continue
        for line in lines:
            if not any(p.search(line) for p in rule.patterns_for("××")):
                continue
            found = any(scan in line if isinstance(scan, str) else scan.search(f"\n{line}\n")
                        for scan in scanners)
            assert found, f"{rule.id}: gate misses {line[:60]!r}"
            assert rule.may_match(line), f"{rule.id}: the per-line pre-check misses {line[:60]!r}"


def test_every_requires_literal_is_a_plain_nonempty_string() -> None:
    for rule in RULES:
        assert all(isinstance(r, str) and r for r in rule.requires), rule.id


def test_shared_is_used_when_present() -> None:
    assert not SHARED.is_dir() or (SHARED / "seeds" / "raw").is_dir()
    assert Path(SAMPLES).is_dir()
