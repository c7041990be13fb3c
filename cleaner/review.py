"""Review a clean: what each input line became, and which rule made every change.

Pure functions from the input text and its :class:`~cleaner.changes.CleanResult`
to a :class:`FileReview`, which the inline diff (:mod:`cleaner.render`) and
the HTML report (:mod:`cleaner.report`) draw. A changed line is compared with
its output character by character (Chinese has no spaces to split words at),
and every removed, added or replaced stretch is labelled with the rules whose
logged change covers it, using the change log's input line and columns.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from .changes import Change, CleanResult
from .lines import common_prefix, split_lines

SAME, REMOVED, ADDED, REPLACED = "same", "removed", "added", "replaced"
FORM_ONLY = "no line changes; only the encoding, byte-order mark or line endings are rewritten"
"""Said of a file whose bytes change while none of its lines does (a GBK file with CRLF)."""
_KINDS = {"equal": SAME, "delete": REMOVED, "insert": ADDED, "replace": REPLACED}


@dataclass(frozen=True)
class Segment:
    """A stretch of one line: kept as it was, or removed/added/replaced by ``rules``."""

    kind: str
    before: str
    after: str
    rules: tuple[str, ...] = ()


@dataclass
class LineReview:
    """One input line: its number, its text before and after (``None``: dropped)."""

    number: int
    before: str
    after: str | None
    segments: list[Segment] = field(default_factory=list)
    rules: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        if self.after is None:
            return "dropped"
        return "kept" if self.after == self.before else "changed"


@dataclass
class FileReview:
    """Every input line of one file, reviewed."""

    label: str
    lines: list[LineReview]
    result: CleanResult

    @property
    def changed(self) -> bool:
        return any(ln.status != "kept" for ln in self.lines)

    def rule_counts(self) -> Counter[str]:
        return self.result.rule_counts()


def review(label: str, source: str, result: CleanResult) -> FileReview:
    """Line by line, what cleaning ``source`` into ``result`` did.

    >>> from cleaner import clean_text
    >>> text = "XX同志:\\n笔墨文行整理，咨询QQ12345\\n"
    >>> r = review("a.txt", text, clean_text(text))
    >>> [(ln.number, ln.status, ln.rules) for ln in r.lines]
    [(1, 'changed', ('AN001', 'PU002')), (2, 'dropped', ('CT001',))]
    >>> [(s.kind, s.before, s.after, s.rules) for s in r.lines[0].segments]
    [('replaced', 'XX', '××', ('AN001',)), ('same', '同志', '同志', ()), ('replaced', ':', '：', ('PU002',))]
    """
    if not result.logged:
        raise ValueError(f"{label}: a review needs every change: clean with log=True (Options(log=True), the default)")
    by_line: dict[int, list[Change]] = defaultdict(list)
    for c in result.changes:
        if c.kind == "change":
            by_line[c.line].append(c)
    output = dict(result.lines)
    lines = []
    for number, before in enumerate(split_lines(source), start=1):
        changes = by_line.get(number, [])
        after = output.get(number)
        if after is None:
            drops = [c for c in changes if c.column == 1 and c.after == "" and c.before]
            rules = _ids(drops or changes)
            lines.append(LineReview(number, before, None, [Segment(REMOVED, before, "", rules)],
                                    rules))
        elif after == before:
            lines.append(LineReview(number, before, after, [Segment(SAME, before, after)]))
        else:
            segments = _segments(before, after, changes)
            lines.append(LineReview(number, before, after, segments, _ids(changes)))
    return FileReview(label, lines, result)


# Above this many character pairs, the middle of a line (between the parts
# that agree at both ends) is shown as one replaced stretch: a character diff
# costs time and memory in proportion to it (a hostile 50 MB line).
MAX_DIFF_CELLS = 4_000_000


def _segments(before: str, after: str, changes: list[Change]) -> list[Segment]:
    head = common_prefix(before, after)
    tail = common_prefix(before[head:][::-1], after[head:][::-1])
    b_mid, a_mid = before[head:len(before) - tail], after[head:len(after) - tail]
    if len(b_mid) * len(a_mid) > MAX_DIFF_CELLS:
        from_log = _from_log(before, after, changes)
        if from_log is not None:
            return from_log
        opcodes: Sequence[tuple[str, int, int, int, int]] = [
            ("replace", 0, len(b_mid), 0, len(a_mid))]
    else:
        opcodes = SequenceMatcher(None, b_mid, a_mid, autojunk=False).get_opcodes()
    out = [Segment(SAME, before[:head], after[:head])] if head else []
    for tag, i1, i2, j1, j2 in opcodes:
        kind = _KINDS[tag]
        rules: tuple[str, ...] = ()
        if kind != SAME:
            rules = _ids(c for c in changes if _covers(c, head + i1, head + i2)) or _ids(changes)
        out.append(Segment(kind, b_mid[i1:i2], a_mid[j1:j2], rules))
    if tail:
        out.append(Segment(SAME, before[len(before) - tail:], after[len(after) - tail:]))
    return _merged(out)


def _from_log(before: str, after: str, changes: list[Change]) -> list[Segment] | None:
    """The segments as the change log tells them, when its spans are disjoint and add up.

    For lines too long for a character diff. ``None`` when the logged changes
    overlap (a later rule changed what an earlier one wrote) or do not turn
    ``before`` into ``after``.
    """
    out: list[Segment] = []
    pos = 0
    for c in sorted(changes, key=lambda c: (c.column, c.end_column)):
        start, end = c.column - 1, max(c.end_column - 1, c.column - 1)
        if start < pos or before[start:end] != c.before:
            return None
        out.append(Segment(SAME, before[pos:start], before[pos:start]))
        kind = REMOVED if not c.after else ADDED if not c.before else REPLACED
        out.append(Segment(kind, c.before, c.after, (c.rule,)))
        pos = end
    out.append(Segment(SAME, before[pos:], before[pos:]))
    if "".join(seg.after for seg in out) != after:
        return None
    return _merged(out)


def _merged(segments: list[Segment]) -> list[Segment]:
    """Adjacent unchanged stretches as one (the trimmed ends meet the diff's own)."""
    out: list[Segment] = []
    for seg in segments:
        if out and seg.kind == SAME and out[-1].kind == SAME:
            out[-1] = Segment(SAME, out[-1].before + seg.before, out[-1].after + seg.after)
        elif seg.before or seg.after:
            out.append(seg)
    return out


def _covers(change: Change, start: int, end: int) -> bool:
    """Does the change's input span ``[column, end_column)`` meet ``[start, end)`` (0-based)?"""
    a, b = change.column - 1, max(change.end_column - 1, change.column - 1)
    if start == end or a == b:  # an insertion point, or a change of nothing
        return a <= end and start <= b
    return a < end and start < b


def _ids(changes: Iterable[Change]) -> tuple[str, ...]:
    """The rule ids, each once, in the order the rules ran."""
    return tuple(dict.fromkeys(c.rule for c in changes))
