"""A gate scan is skipped only when a hit of it cannot start in the document.

The document keeps a superset of its characters (the input's, the line
break that joins its lines, and the new text of every logged change); a
literal whose first or last character is not in it is not searched for, nor
a pattern none of whose first characters (as re's parser tells them) is. This must never change a rule's candidates: at
every rule of whole runs over every text we have (rule examples, samples,
and the seeds, devset and wild pages when ../shared is here), the candidates
with the skip are the candidates without it. A rule whose action works only
on its gate's lines is not even called where none of its gate's first
characters is in the document: whole results are the same without that.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cleaner import Options, Rule, clean_text, decode, default_rules
from cleaner import core
from cleaner.lines import Line
from support import SAMPLES, SHARED

RULES = list(default_rules())


def documents() -> Iterator[str]:
    yield from (e.input for r in RULES for e in r.changes)
    yield from (k for r in RULES for k in r.keeps)
    for path in sorted((SAMPLES / "input").glob("*.txt")):
        yield decode(path.read_bytes()).text
    for part in ("seeds", "devset", "wild"):
        for path in sorted((SHARED / part / "raw").glob("*.txt")):
            yield decode(path.read_bytes()).text


class _Everything:
    """A set that holds every character: no scan is skipped."""

    def __contains__(self, item: object) -> bool:
        return True

    def isdisjoint(self, other: object) -> bool:
        return False

    def update(self, other: object) -> None:
        pass


@pytest.mark.parametrize("options", [Options(), Options(anonymise="drop"),
                                     Options(anonymise="keep", placeholder="某某")],
                         ids=["replace", "drop", "keep"])
def test_skipped_scans_change_no_candidate(options: Options, monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[bool] = []
    candidates = core._Document._candidates

    def both(self: core._Document, rule: Rule) -> list[Line]:
        fast = candidates(self, rule)
        chars, self._chars = self._chars, _Everything()  # type: ignore[assignment]
        try:
            full = candidates(self, rule)
        finally:
            self._chars = chars
        assert [id(ln) for ln in fast] == [id(ln) for ln in full], rule.id
        checked.append(bool(full))
        return fast

    monkeypatch.setattr(core._Document, "_candidates", both)
    for text in documents():
        clean_text(text, options=options)
    assert sum(checked) > 500


def test_a_change_brings_its_characters_in() -> None:
    # PU002 writes ： where the input had only ':'; a later gate literal such as 来源： must then be searched for.
    doc = core._Document("a:b", Options())
    assert "：" not in doc._chars
    doc._record(RULES[0], doc.lines[0], 1, ":", "：")
    assert "：" in doc._chars


def test_rules_not_called_where_their_gate_cannot_hit_change_no_result(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = list(documents())
    skipped: list[str] = []
    run = core._Document.run

    def counting(self: core._Document, rule: Rule) -> None:
        if rule.action in core._BY_GATE and self._misses(rule.matcher.gate_plan(self.options.placeholder)):
            skipped.append(rule.id)
        run(self, rule)

    monkeypatch.setattr(core._Document, "run", counting)
    fast = [clean_text(t) for t in texts]
    monkeypatch.undo()
    init = core._Document.__init__

    def every_character(self: core._Document, text: str, options: Options) -> None:
        init(self, text, options)
        self._chars = _Everything()  # type: ignore[assignment]

    monkeypatch.setattr(core._Document, "__init__", every_character)
    full = [clean_text(t) for t in texts]
    assert len(skipped) > 1000  # the skip was taken, on these texts, many times
    for text, a, b in zip(texts, fast, full, strict=True):
        assert (a.text, a.changes) == (b.text, b.changes), text[:80]
