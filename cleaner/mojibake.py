"""Mojibake repair: text that was decoded with the wrong encoding somewhere.

Three repairs, each a pure function from a line to a list of edits
``(start, end, replacement)``; the ``fix_mojibake`` rules choose one with
their ``transform`` key:

``ftfy``
    UTF-8 read as Latin-1 or Windows-1252 (``å¤§å®¶å¥½`` → ``大家好``), by ftfy
    configured to fix the encoding only.
``utf8_read_as_gbk``
    UTF-8 read as GBK (``鍚屽織`` → ``同志``), the commonest Chinese case.
``gbk_read_as_latin1``
    GBK read as Latin-1 (``ÎÒÃÇ`` → ``我们``).

A repair is made only when it is exact (the bytes round-trip strictly) and
the result is plausibly Chinese: the repaired Chinese characters are mostly
common ones (level 1 of GB2312, the 3,755 commonest characters) while the
text they replace is not. Correct Chinese text never passes that test, so
it is never "repaired".
"""

from __future__ import annotations

from collections.abc import Callable

import ftfy
import regex

Edit = tuple[int, int, str]

# ftfy's defaults would turn "，" into "," (fix_character_width) and "“”" into
# '""' (uncurl_quotes), unescape HTML, and re-normalise the text. For Chinese
# speeches we want only the encoding repair; every other fix is switched off
# so that ftfy cannot touch correct Chinese punctuation.
FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=True,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)

_HAN = regex.compile(r"\p{Han}")
_NON_ASCII_RUN = regex.compile(r"[^\x00-\x7f\ufffd]+")
_LATIN1_RUN = regex.compile(r"[\x80-\xff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
                            r"\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030"
                            r"\u2039\u203a\u20ac\u2122]{8,}")
_CHINESE_REPAIR = regex.compile(
    r"[\p{Han}\u3000-\u303f\uff00-\uffef\u2000-\u206f\u00b7\x20-\x7e\t]"
)


def is_common_han(ch: str) -> bool:
    """True for the 3,755 commonest Chinese characters (level 1 of GB2312).

    >>> is_common_han("的"), is_common_han("鍚")
    (True, False)
    """
    try:
        b = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(b) == 2 and 0xB0 <= b[0] <= 0xD7


def common_share(text: str) -> float:
    """The share of common characters among the Chinese characters of ``text``."""
    han = _HAN.findall(text)
    return sum(map(is_common_han, han)) / len(han) if han else 0.0


def _plausible(before: str, after: str) -> bool:
    """The repaired text reads as Chinese and the text it replaces does not."""
    introduced = set(after) - set(before)
    if not introduced or not all(_CHINESE_REPAIR.match(c) for c in introduced):
        return False
    if len(_HAN.findall(after)) < 2:
        return False
    return common_share(after) >= 0.8 and common_share(before) <= 0.5


def repair_ftfy(text: str) -> list[Edit]:
    """UTF-8 read as Latin-1/Windows-1252, repaired by ftfy.

    >>> repair_ftfy("å¤§å®¶å¥½ï¼Œ")
    [(0, 12, '大家好，')]
    """
    fixed = ftfy.fix_text(text, FTFY_CONFIG)
    if fixed == text:
        return []
    # ftfy also "repairs" some correct text into other scripts (`×“` read back
    # as UTF-8 is Hebrew `ד`): accept only repairs that bring in Chinese.
    introduced = set(fixed) - set(text)
    if not introduced or not all(_CHINESE_REPAIR.match(c) for c in introduced):
        return []
    if not any(_HAN.match(c) for c in introduced):
        return []
    return [(0, len(text), fixed)]


def repair_utf8_read_as_gbk(text: str) -> list[Edit]:
    """UTF-8 bytes that were decoded as GBK, run by run of non-ASCII characters.

    >>> s = "同志们，大家好！"
    >>> bad = s.encode("utf-8").decode("gb18030")
    >>> repair_utf8_read_as_gbk(bad) == [(0, len(bad), s)]
    True
    """
    edits = []
    for m in _NON_ASCII_RUN.finditer(text):
        run = m.group()
        try:
            fixed = run.encode("gb18030").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if fixed != run and _plausible(run, fixed):
            edits.append((m.start(), m.end(), fixed))
    return edits


def repair_gbk_read_as_latin1(text: str) -> list[Edit]:
    """GBK bytes that were decoded as Latin-1 (or Windows-1252), on lines with no Chinese.

    Only runs of eight or more such characters (four Chinese characters) are
    tried: shorter runs of Latin-1 symbols (`±°×÷`) decode to common Chinese
    characters too often to be evidence.

    >>> s = "同志们，大家好！"
    >>> repair_gbk_read_as_latin1(s.encode("gbk").decode("latin-1")) == [(0, 16, s)]
    True
    """
    if _HAN.search(text):
        return []
    edits = []
    for m in _LATIN1_RUN.finditer(text):
        run = m.group()
        for codec in ("latin-1", "cp1252"):
            try:
                fixed = run.encode(codec).decode("gb18030")
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
            if _plausible(run, fixed):
                edits.append((m.start(), m.end(), fixed))
                break
    return edits


REPAIRS: dict[str, Callable[[str], list[Edit]]] = {
    "ftfy": repair_ftfy,
    "utf8_read_as_gbk": repair_utf8_read_as_gbk,
    "gbk_read_as_latin1": repair_gbk_read_as_latin1,
}
