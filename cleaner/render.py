"""Diffs for a terminal: unified (line by line) and inline (character by character).

Both take plain data and return text; colour is ANSI escapes, on only when
asked (the CLI asks when standard output is a terminal and ``NO_COLOR`` is
unset, or on ``--color``). Without colour the inline view marks changes the
way ``wdiff`` does, ``[-removed-]{+added+}``, followed by ``<RULE>``; the id
of a review-level rule (a judgement that removes text, see ``Rule.safety``)
is followed by ``!``, ``<CT001!>``, so that a reviewer starts there.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Set

from .review import ADDED, REMOVED, REPLACED, SAME, FileReview, LineReview, Segment

RESET = "\x1b[0m"
STYLES = {
    "removed": "\x1b[31;9m",  # red, struck through
    "added": "\x1b[32;1m",  # bold green
    "rule": "\x1b[36m",  # cyan
    "review": "\x1b[33;1m",  # bold yellow: a review-level rule
    "header": "\x1b[1m",
    "hunk": "\x1b[36m",
    "number": "\x1b[2m",
    "minus": "\x1b[31m",
    "plus": "\x1b[32m",
}
ELLIPSIS = "…"
REVIEW_MARK = "!"
"""After the id of a review-level rule in the inline diff."""


def paint(text: str, style: str, color: bool) -> str:
    return f"{STYLES[style]}{text}{RESET}" if color and text else text


def visible(text: str) -> str:
    """Removed or added text with its whitespace and invisible characters made visible.

    >>> visible("a b\\u3000\\u200b")
    'a·b□<U+200B>'
    """
    out = []
    for ch in text:
        if ch == " ":
            out.append("·")
        elif ch == "\t":
            out.append("→")
        elif ch == "\u3000":
            out.append("□")
        elif unicodedata.category(ch) in ("Cf", "Cc", "Zs", "Mn", "Co") and ch not in "\u3000 ":
            out.append(f"<U+{ord(ch):04X}>")
        else:
            out.append(ch)
    return "".join(out)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 and C1 controls but tab and line feed


def harmless(text: str) -> str:
    """Text with its control characters (escape, bell, …) written out, so that it cannot drive a terminal.

    >>> harmless("a\\x1b[2Jb\\x07\\tc\\n")
    'a<U+001B>[2Jb<U+0007>\\tc\\n'
    """
    return _CONTROL.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def unified(label: str, before: str, after: str, color: bool = False) -> str:
    """A unified diff of two texts (line breaks already normalised to ``\\n``), control characters shown."""
    a = harmless(before).splitlines(keepends=True)
    b = harmless(after).splitlines(keepends=True)
    label = harmless(label)
    out = []
    for line in difflib.unified_diff(a, b, f"a/{label}", f"b/{label}"):
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        if line.startswith(("---", "+++")):
            out.append(paint(line.rstrip("\n"), "header", color) + "\n")
        elif line.startswith("@@"):
            out.append(paint(line.rstrip("\n"), "hunk", color) + "\n")
        elif line.startswith("-"):
            out.append(paint(line.rstrip("\n"), "minus", color) + "\n")
        elif line.startswith("+"):
            out.append(paint(line.rstrip("\n"), "plus", color) + "\n")
        else:
            out.append(line)
    return "".join(out)


def inline(review: FileReview, color: bool = False, context: int = 40,
           review_rules: Set[str] = frozenset()) -> str:
    """Every changed or dropped line once, with its changes marked inside it.

    ``context`` is how many unchanged characters to keep on each side of a
    change (the rest of a long paragraph becomes ``…``); negative keeps all.
    The ids in ``review_rules`` (review-level rules) are marked with
    :data:`REVIEW_MARK` (and bold yellow in colour).
    """
    # Empty lines that went are counted in the header (FM002) but not listed.
    changed = [ln for ln in review.lines if ln.status != "kept" and ln.before]
    if not changed:
        return ""
    counts = review.rule_counts()
    total = sum(counts.values())
    head = (f"{harmless(review.label)}: {total} change{'s' if total != 1 else ''} ("
            + ", ".join(f"{r}×{n}" for r, n in sorted(counts.items())) + ")")
    notes = review.result.notes()
    if notes:  # the facts the stderr line would say (the diff's header stands for it)
        head += " [" + "; ".join(notes) + "]"
    width = len(str(changed[-1].number))
    out = [paint(head, "header", color)]
    for ln in changed:
        mark = "-" if ln.status == "dropped" else "~"
        number = paint(f"{ln.number:>{width}} {mark}", "number", color)
        out.append(f"{number} {_line(ln, color, context, review_rules)}")
    return "\n".join(out) + "\n"


def _line(ln: LineReview, color: bool, context: int, review_rules: Set[str]) -> str:
    parts = []
    last = len(ln.segments) - 1
    for i, seg in enumerate(ln.segments):
        if seg.kind == SAME:
            parts.append(harmless(_elide(seg.before, context, first=i == 0, final=i == last)))
        else:
            parts.append(_change(seg, color, review_rules))
    return "".join(parts)


def _change(seg: Segment, color: bool, review_rules: Set[str]) -> str:
    removed = visible(seg.before) if seg.kind in (REMOVED, REPLACED) else ""
    added = visible(seg.after) if seg.kind in (ADDED, REPLACED) else ""
    if color:
        ids = ",".join(paint(r + REVIEW_MARK, "review", True) + STYLES["rule"] if r in review_rules else r
                       for r in seg.rules)
        return (paint(removed, "removed", True) + paint(added, "added", True)
                + paint(f"<{ids}>", "rule", True))
    ids = ",".join(r + REVIEW_MARK if r in review_rules else r for r in seg.rules)
    return (f"[-{removed}-]" if removed else "") + (f"{{+{added}+}}" if added else "") + f"<{ids}>"


def _elide(text: str, context: int, first: bool, final: bool) -> str:
    if context < 0:
        return text
    keep_left = 0 if first else context
    keep_right = 0 if final else context
    if len(text) <= keep_left + keep_right + 1:
        return text
    return text[:keep_left] + ELLIPSIS + (text[len(text) - keep_right:] if keep_right else "")
