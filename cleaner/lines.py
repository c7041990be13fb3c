"""A line of the document that remembers where its characters came from.

Every stage of the cleaner edits lines; the change log must still report
positions in the *input* (line and column), not in some intermediate text.
:class:`Line` keeps a compact piecewise map from positions in its current
text to columns of the original input line, and updates it on every batch of
edits in one linear pass, so any later rule can ask where a match really was.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

Edit = tuple[int, int, str]
"""``(start, end, replacement)`` in the current text of a line."""

_NEWLINE = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """The input's lines, split at CRLF, CR or LF; a final line break ends the last line.

    The core and the guard both number lines this way, so their positions agree.

    >>> split_lines("一\\r\\n二\\r三\\n")
    ['一', '二', '三']
    """
    # Without a CR, a plain split does the same in a fraction of the time.
    parts: list[str] = text.split("\n") if "\r" not in text else _NEWLINE.split(text)
    if parts and parts[-1] == "":
        parts.pop()
    return parts


def line_spans(text: str, numbers: list[int]) -> Iterator[tuple[int, int, int]]:
    """``(number, start, end)``: where each of the given 1-based lines (sorted) of ``text`` is.

    Lines are numbered as :func:`split_lines` numbers them; ``text[start:end]``
    is the line without its break. Nothing is copied, so a long text is
    walked once without splitting it.

    >>> list(line_spans("一\\r\\n二\\r三\\n", [2, 3]))
    [(2, 3, 4), (3, 5, 6)]
    """
    breaks = (m.span() for m in _NEWLINE.finditer(text)) if "\r" in text else _lf_breaks(text)
    number, start = 1, 0
    for wanted in numbers:
        while number < wanted:
            brk = next(breaks, None)
            if brk is None:
                return
            number, start = number + 1, brk[1]
        brk = next(breaks, None)
        if brk is None:  # the last line, unless the text ended with a break (split_lines drops it)
            if start < len(text):
                yield number, start, len(text)
            return
        yield number, start, brk[0]
        number, start = number + 1, brk[1]


def _lf_breaks(text: str) -> Iterator[tuple[int, int]]:
    pos = text.find("\n")
    while pos >= 0:
        yield pos, pos + 1
        pos = text.find("\n", pos + 1)


def common_prefix(a: str, b: str, i: int = 0, j: int = 0) -> int:
    """How many characters ``a[i:]`` and ``b[j:]`` share at their start.

    Found by comparing slices (in C), not character by character, so the
    guard and the review stay fast on a line of millions of characters.

    >>> common_prefix("同志们好", "同志好"), common_prefix("xx同志", "同志", 2)
    (2, 2)
    """
    lo, hi = 0, min(len(a) - i, len(b) - j)
    while lo < hi:  # the longest n with a[i:i+n] == b[j:j+n]
        mid = (lo + hi + 1) // 2
        if a[i:i + mid] == b[j:j + mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


@dataclass(slots=True)
class _Piece:
    start: int  # position in the current text
    orig: int  # column (0-based) in the original line
    length: int
    exact: bool  # True: copied text, maps 1:1; False: inserted text, maps to ``orig``


class Line:
    """One input line: its 1-based number, current text and position map.

    A line nothing has edited maps every position to itself and keeps no
    map at all (most lines of a document): the map is made by the first edit.

    >>> ln = Line(3, "同志们,XX同志")
    >>> ln.apply([(3, 4, "，"), (4, 6, "××")])
    >>> ln.text, ln.column(ln.text.index("同", 1))
    ('同志们，××同志', 6)
    """

    __slots__ = ("number", "text", "original_length", "_pieces", "_starts")

    def __init__(self, number: int, text: str) -> None:
        self.number = number
        self.text = text
        self.original_length = len(text)
        self._pieces: list[_Piece] | None = None  # None: not edited, position == column
        self._starts: Sequence[int] = ()  # one shared empty tuple, not a list for each of a big file's lines

    def __repr__(self) -> str:
        return f"Line({self.number}, {self.text!r})"

    def column(self, pos: int) -> int:
        """Original 0-based column of position ``pos`` of the current text."""
        if self._pieces is None:
            return pos if pos < len(self.text) else self.original_length
        if not self._pieces:
            return 0
        if pos >= len(self.text):
            return self.original_length
        piece = self._pieces[bisect_right(self._starts, pos) - 1]
        return piece.orig + (pos - piece.start) if piece.exact else piece.orig

    def apply(self, edits: list[Edit]) -> None:
        """Apply non-overlapping edits, sorted by start, in one pass over the map."""
        if not edits:
            return
        if all(end - start == 1 and len(repl) == 1 for start, end, repl in edits):
            self._swap(edits)
            return
        if self._pieces is None:
            self._apply_to_original(edits)
            return
        out: list[str] = []
        pieces: list[_Piece] = []
        cursor = _Cursor(self._pieces)
        cur = 0  # position in the old text
        new_pos = 0  # position in the new text
        for start, end, repl in edits:
            if start < cur:
                raise ValueError("overlapping edits")
            new_pos = self._copy(cursor, cur, start, new_pos, out, pieces)
            if repl:
                pieces.append(_Piece(new_pos, cursor.column(start, self.original_length),
                                     len(repl), False))
                out.append(repl)
                new_pos += len(repl)
            cur = end
        self._copy(cursor, cur, len(self.text), new_pos, out, pieces)
        self.text = "".join(out)
        self._pieces = pieces
        self._starts = [p.start for p in pieces]

    def _swap(self, edits: list[Edit]) -> None:
        """:meth:`apply` for edits that each put one character in the place of one.

        The commonest edit (a mark made full-width) moves no position, so the
        map stays as it is: a swapped character keeps the column it had,
        which is the column a replacement maps to. A line without a map
        stays without one.
        """
        chars = list(self.text)
        previous = -1
        for start, _, repl in edits:
            if start <= previous:
                raise ValueError("overlapping edits")
            chars[start] = repl
            previous = start
        self.text = "".join(chars)

    def _apply_to_original(self, edits: list[Edit]) -> None:
        """:meth:`apply` for a line not edited before: positions are still its columns."""
        out: list[str] = []
        pieces: list[_Piece] = []
        cur = new_pos = 0
        for start, end, repl in edits:
            if start < cur:
                raise ValueError("overlapping edits")
            if start > cur:
                out.append(self.text[cur:start])
                pieces.append(_Piece(new_pos, cur, start - cur, True))
                new_pos += start - cur
            if repl:  # inserted text maps to the column it replaced (or the end of the line)
                out.append(repl)
                pieces.append(_Piece(new_pos, start if start < len(self.text) else self.original_length,
                                     len(repl), False))
                new_pos += len(repl)
            cur = end
        if cur < len(self.text):
            out.append(self.text[cur:])
            pieces.append(_Piece(new_pos, cur, len(self.text) - cur, True))
        self.text = "".join(out)
        self._pieces = pieces
        self._starts = [p.start for p in pieces]

    def _copy(self, cursor: _Cursor, a: int, b: int, new_pos: int, out: list[str],
              pieces: list[_Piece]) -> int:
        """Copy old text ``[a, b)`` with its map to the output; return the new position."""
        if a >= b:
            return new_pos
        out.append(self.text[a:b])
        for p in cursor.overlapping(a, b):
            lo, hi = max(a, p.start), min(b, p.start + p.length)
            orig = p.orig + (lo - p.start) if p.exact else p.orig
            pieces.append(_Piece(new_pos + (lo - a), orig, hi - lo, p.exact))
        return new_pos + (b - a)


class _Cursor:
    """Walks the old pieces forward only: edits come sorted, so each piece is visited once."""

    def __init__(self, pieces: list[_Piece]) -> None:
        self.pieces = pieces
        self.i = 0

    def _advance(self, pos: int) -> None:
        while self.i < len(self.pieces) and self.pieces[self.i].start + self.pieces[self.i].length <= pos:
            self.i += 1

    def column(self, pos: int, end_column: int) -> int:
        self._advance(pos)
        if self.i >= len(self.pieces):
            return end_column
        p = self.pieces[self.i]
        return p.orig + (pos - p.start) if p.exact else p.orig

    def overlapping(self, a: int, b: int) -> list[_Piece]:
        self._advance(a)
        found = []
        j = self.i
        while j < len(self.pieces) and self.pieces[j].start < b:
            found.append(self.pieces[j])
            j += 1
        return found
