"""The body-integrity guard: proof that cleaning removed only what it logged.

Like black's ``--safe``, the guard re-checks the result independently of the
pipeline's own bookkeeping. From the input and the change log alone it
computes which Chinese characters must survive: every Han character of the
input outside the spans that a removal (a line-dropping action of
``LINE_DROPS``, ``delete``) or a mojibake repair took out. Those
characters must appear in the output, in order. A ``replace`` rule normalises
marks, punctuation and spacing and may never lose a Chinese character, so its
spans are checked too. A failure names the rule that covers the first lost
character; else a replacement that changed Chinese characters (swapped or
substituted them: the loss then shows up later in the text); else it says
that no rule recorded a change there (a bug in the cleaner).

A logged removal is not enough on its own: a rule that recognised a site's
sentence could still have dropped the speech that shared its line. So the
guard also reads every line-dropping change (``LINE_DROPS``): what its ``before`` holds outside the ``noise``
the rule recognised must not be a speech clause (:func:`cleaner.speech.is_speech`):
every path that drops a line has to say which of it was noise, and may not
claim less than all the speech-like text on it.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator

import regex

from .actions import LINE_DROPS, REMOVALS
from .changes import Change
from .lines import common_prefix, line_spans, split_lines
from .speech import is_speech, outside

_NOT_HAN = regex.compile(r"[^\p{Han}]+")
_HAN = regex.compile(r"\p{Han}")


class BodyIntegrityError(Exception):
    """Cleaning lost Chinese text that no removal accounts for."""

    def __init__(self, message: str, rule: str | None, line: int, column: int) -> None:
        self.rule = rule
        self.line = line
        self.column = column
        super().__init__(message)


class Removals:
    """What the guard reads of a document's removals, kept without their changes.

    Without a log (``Options(log=False)``) the engine keeps no
    :class:`~cleaner.changes.Change` for a removal, only this: the input
    span it took (line, first and last column: three numbers in an array),
    and whether a dropped line took a speech clause beside its noise (read
    as :func:`check_dropped_lines` reads it, when the line is dropped). A
    failure then names no rule; the engine cleans again with the log to say
    which.
    """

    __slots__ = ("spans", "speech_dropped")

    def __init__(self) -> None:
        self.spans = array("q")  # line, start, end (0-based columns of the input line), for each removal
        self.speech_dropped = False

    def add(self, action: str, line: int, column: int, end_column: int, before: str,
            noise: tuple[int, int] | None) -> None:
        """A removal, its columns 1-based as a change's are."""
        self.spans.extend((line, column - 1, end_column - 1))
        if action in LINE_DROPS and _speech_beside(before, noise):
            self.speech_dropped = True

    def by_line(self) -> dict[int, list[tuple[int, int]]]:
        removed: dict[int, list[tuple[int, int]]] = defaultdict(list)
        spans = self.spans
        for i in range(0, len(spans), 3):
            removed[spans[i]].append((spans[i + 1], spans[i + 2]))
        return removed


def check_body(source: str, output: str, changes: list[Change], removals: Removals | None = None) -> None:
    """Raise :class:`BodyIntegrityError` unless the output keeps the input's body text.

    ``removals``: the removals, when ``changes`` has none of them (a document cleaned without a log).
    """
    removed: dict[int, list[tuple[int, int]]]
    if removals is None:
        check_dropped_lines(changes)
        removed = defaultdict(list)
        for c in changes:
            if c.kind == "change" and c.action in REMOVALS:
                removed[c.line].append((c.column - 1, c.end_column - 1))
    else:
        if removals.speech_dropped:
            raise BodyIntegrityError("a dropped line took speech beside its noise", None, 0, 0)
        removed = removals.by_line()
    if _same(_kept_han_blocks(source, removed), _han_blocks(output, 0, len(output))):
        return  # read a block at a time: a long text's Han characters are not copied whole
    expected = _kept_han(source, removed)
    actual = _han_of(output, 0, len(output))
    missing = _first_missing(expected, actual)
    if missing is None:
        return  # the output only has more (a placeholder made of Chinese characters)
    lines = split_lines(source)
    line, column = _locate(lines, removed, missing)
    rule = _covering_rule(changes, line, column)
    who = f"rule {rule}" if rule else "no rule recorded a change there (a bug in the cleaner)"
    changer = None if rule else _han_changer(changes)
    if changer is not None:  # the loss shows up later than the change that made it
        rule = changer.rule
        who = (f"rule {rule} changed {changer.before!r} into {changer.after!r} at line {changer.line}, "
               f"column {changer.column}, which changes Chinese characters (a replace rule may change "
               "marks, punctuation and spacing, not the Chinese text)")
    raise BodyIntegrityError(
        f"body text lost at line {line}, column {column} "
        f"({lines[line - 1][column - 1]!r}): {who}", rule, line, column)


def _kept_han(source: str, removed: dict[int, list[tuple[int, int]]]) -> str:
    """The Han characters of ``source`` outside the removed spans (by input line), in order.

    >>> _kept_han("广告：某网\\n同志们好！\\n", {1: [(0, 5)]})
    '同志们好'
    """
    return "".join(_kept_han_blocks(source, removed))


def _kept_han_blocks(source: str, removed: dict[int, list[tuple[int, int]]]) -> Iterator[str]:
    """:func:`_kept_han` a piece at a time.

    Line breaks are not Han: with nothing removed, the input itself is what
    must survive, and only the lines a removal touched need their spans cut
    out; the text between them is read in place, a block at a time.
    """
    pos = 0
    for number, start, end in line_spans(source, sorted(removed)):
        yield from _han_blocks(source, pos, start)
        yield _NOT_HAN.sub("", outside(source[start:end], removed[number]))
        pos = end
    yield from _han_blocks(source, pos, len(source))


_BLOCK = 1 << 16  # characters copied at once (a slice of a 50 MB text is not made whole)


def _han_of(text: str, start: int, end: int) -> str:
    """The Han characters of ``text[start:end]``."""
    return "".join(_han_blocks(text, start, end))


def _han_blocks(text: str, start: int, end: int) -> Iterator[str]:
    """:func:`_han_of` a block of ``text`` at a time."""
    if start == 0 and end == len(text) and end <= _BLOCK:
        yield _NOT_HAN.sub("", text)
        return
    for i in range(start, end, _BLOCK):
        yield _NOT_HAN.sub("", text[i:min(i + _BLOCK, end)])


def _same(a: Iterable[str], b: Iterable[str]) -> bool:
    """Do two streams of pieces make the same text? Read piece by piece, never joined.

    >>> _same(["同志", "们好"], ["同", "", "志们好"]), _same(["同志"], ["同志们"]), _same([], [""])
    (True, False, True)
    """
    left, right = iter(a), iter(b)
    x: str | None = ""
    y: str | None = ""
    while True:
        while not x and (x := next(left, None)) is not None:
            pass
        while not y and (y := next(right, None)) is not None:
            pass
        if x is None or y is None:
            return x is None and y is None
        n = min(len(x), len(y))
        if x[:n] != y[:n]:
            return False
        x, y = x[n:], y[n:]


def check_dropped_lines(changes: list[Change]) -> None:
    """Raise :class:`BodyIntegrityError` if a dropped line took a speech clause with it.

    >>> from cleaner.changes import Change
    >>> ok = Change("X1", "drop_line", 3, 1, "广告：某某网", "", noise=(0, 6))
    >>> bad = ok._replace(before="广告：某某网。同志们：今天我们开会。", noise=(0, 7))
    >>> check_dropped_lines([ok]); check_dropped_lines([bad])
    Traceback (most recent call last):
    ...
    cleaner.guard.BodyIntegrityError: rule X1 dropped line 3 with speech beside its noise: '同志们：今天我们开会。'
    """
    for c in changes:
        if c.kind != "change" or c.action not in LINE_DROPS:
            continue
        rest = _speech_beside(c.before, c.noise)
        if rest:
            raise BodyIntegrityError(
                f"rule {c.rule} dropped line {c.line} with speech beside its noise: {rest!r}",
                c.rule, c.line, c.column)


def _speech_beside(before: str, noise: tuple[int, int] | None) -> str:
    """What a dropped line held outside the noise its rule named, if that is speech; else ''."""
    rest = outside(before, [noise] if noise else [])
    return rest if is_speech(rest) else ""


def _first_missing(expected: str, actual: str) -> int | None:
    """Index in ``expected`` of the first character that is not a subsequence of ``actual``.

    Greedy, as a subsequence test must be, but it jumps over the long stretches
    where the two agree (found by comparing slices, not characters one by one).

    >>> _first_missing("大家好", "大家都好"), _first_missing("大家好", "大好")
    (None, 1)
    """
    i = j = 0
    while i < len(expected):
        same = common_prefix(expected, actual, i, j)
        i, j = i + same, j + same
        if i >= len(expected):
            break
        j = actual.find(expected[i], j)
        if j < 0:
            return i
        i, j = i + 1, j + 1
    return None


def _locate(lines: list[str], removed: dict[int, list[tuple[int, int]]],
            index: int) -> tuple[int, int]:
    """Input line and 1-based column of the ``index``-th Han character that must survive."""
    seen = 0
    for number, text in enumerate(lines, start=1):
        spans = removed.get(number, [])
        for m in _HAN.finditer(text):
            col = m.start()
            if any(a <= col < b for a, b in spans):
                continue
            if seen == index:
                return number, col + 1
            seen += 1
    return len(lines), 1


def _han_changer(changes: list[Change]) -> Change | None:
    """The first replacement that loses or reorders the Chinese characters of what it replaced.

    >>> _han_changer([Change("MY1", "replace", 2, 1, "大家", "家大")]).rule
    'MY1'
    """
    for c in changes:
        if c.kind == "change" and c.action not in REMOVALS:
            if _first_missing(_NOT_HAN.sub("", c.before), _NOT_HAN.sub("", c.after)) is not None:
                return c
    return None


def _covering_rule(changes: list[Change], line: int, column: int) -> str | None:
    for c in changes:
        if c.kind == "change" and c.line == line and c.column <= column < max(c.end_column, c.column + 1):
            return c.rule
    return None
