"""A line of the document that remembers where its characters came from.

Every stage of the cleaner edits lines; the change log must still report
positions in the *input* (line and column), not in some intermediate text.
:class:`Line` keeps a compact piecewise map from positions in its current
text to columns of the original input line, and updates it on every batch of
edits, so any later rule can ask where a match really was.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

Edit = tuple[int, int, str]
"""``(start, end, replacement)`` in the current text of a line."""


@dataclass(slots=True)
class _Piece:
    start: int  # position in the current text
    orig: int  # column (0-based) in the original line
    length: int
    exact: bool  # True: copied text, maps 1:1; False: inserted text, maps to ``orig``


@dataclass(slots=True)
class Line:
    """One input line: its 1-based number, current text and position map."""

    number: int
    text: str
    original_length: int = -1
    _pieces: list[_Piece] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.original_length < 0:
            self.original_length = len(self.text)
        if not self._pieces and self.text:
            self._pieces = [_Piece(0, 0, len(self.text), True)]

    def column(self, pos: int) -> int:
        """Original 0-based column of position ``pos`` of the current text."""
        if not self._pieces or pos >= len(self.text):
            return self.original_length if pos > 0 or not self._pieces else 0
        starts = [p.start for p in self._pieces]
        piece = self._pieces[max(0, bisect_right(starts, pos) - 1)]
        return piece.orig + (pos - piece.start) if piece.exact else piece.orig

    def apply(self, edits: list[Edit]) -> None:
        """Apply non-overlapping edits (sorted by start) in one pass."""
        if not edits:
            return
        out: list[str] = []
        pieces: list[_Piece] = []
        cur = 0
        new_pos = 0
        for start, end, repl in edits:
            if start < cur:
                raise ValueError("overlapping edits")
            new_pos = self._copy(cur, start, new_pos, out, pieces)
            if repl:
                pieces.append(_Piece(new_pos, self.column(start), len(repl), False))
                out.append(repl)
                new_pos += len(repl)
            cur = end
        self._copy(cur, len(self.text), new_pos, out, pieces)
        self.text = "".join(out)
        self._pieces = pieces

    def replace_all(self, text: str) -> None:
        """Replace the whole text (for whole-line repairs such as mojibake)."""
        self.apply([(0, len(self.text), text)])

    def _copy(self, a: int, b: int, new_pos: int, out: list[str], pieces: list[_Piece]) -> int:
        """Copy current text ``[a, b)`` with its map to the output; return the new position."""
        if a >= b:
            return new_pos
        out.append(self.text[a:b])
        for p in self._pieces:
            lo, hi = max(a, p.start), min(b, p.start + p.length)
            if lo >= hi:
                continue
            orig = p.orig + (lo - p.start) if p.exact else p.orig
            pieces.append(_Piece(new_pos + (lo - a), orig, hi - lo, p.exact))
        return new_pos + (b - a)
