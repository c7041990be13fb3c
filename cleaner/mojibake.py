"""Mojibake repair: text that was decoded with the wrong encoding somewhere.

Three repairs, each a pure function from a line to a list of edits
``(start, end, replacement)``; the ``fix_mojibake`` rules choose one with
their ``transform`` key. ``relaxed`` is set once the same repair has fixed
another line of the document, which is evidence enough for short lines:

``ftfy``
    UTF-8 read as Latin-1 or Windows-1252 (``å¤§å®¶å¥½`` → ``大家好``), by ftfy
    configured to fix the encoding only.
``utf8_read_as_gbk``
    UTF-8 read as GBK (``鍚屽織`` → ``同志``), the commonest Chinese case.
``gbk_read_as_latin1``
    GBK read as Latin-1 (``ÎÒÃÇ`` → ``我们``).

A repair is made only when it is exact (the bytes round-trip strictly) and
the result is plausibly Chinese: the repaired Chinese characters are mostly
common ones (level 1 of GB2312, the frequent block of Big5) while the text
they replace is not. Correct Chinese text never passes that test, so it is
never "repaired". The runs of a line are judged together, so a short run
(a `×` between digits, a lone punctuation mark) is repaired with the rest.
"""

from __future__ import annotations

from collections.abc import Callable
import re
from functools import lru_cache
from typing import Any

import regex

Edit = tuple[int, int, str]


@lru_cache(maxsize=1)
def ftfy_config() -> Any:
    """ftfy configured for Chinese text (ftfy is imported on first use: start-up stays fast).

    ftfy's defaults would turn "，" into "," (fix_character_width) and "“”"
    into '""' (uncurl_quotes), unescape HTML, and re-normalise the text. For
    Chinese speeches we want only the encoding repair; every other fix is
    switched off so that ftfy cannot touch correct Chinese punctuation.
    """
    import ftfy

    return ftfy.TextFixerConfig(
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

_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f\ufffd]+")
_LATIN1_RUN = re.compile(r"[\x80-\xff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
                            r"\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030"
                            r"\u2039\u203a\u20ac\u2122]{2,}")
_CHINESE_REPAIR_SOURCE = (
    r"[\p{Han}\u3000-\u303f\uff00-\uffef\u2000-\u206f\u00b7\x20-\x7e\t]"
)
# What else a Chinese document's own characters include (GBK has them): Latin-1
# symbols and pinyin letters, Greek, Cyrillic, arrows, maths, boxes, ①②③.
_GBK_REPERTOIRE_SOURCE = (
    r"[\p{Han}\u3000-\u33ff\uff00-\uffef\u2000-\u27ff\u00a0-\u00ff\u0391-\u03c9"
    r"\u0401-\u0451\x20-\x7e\t]"
)




# Patterns with Unicode properties need the regex module, whose compiling is
# slow: they are compiled on first use, so a run without mojibake never pays.
@lru_cache(maxsize=None)
def _compiled(source: str) -> regex.Pattern[str]:
    return regex.compile(source)


def _han() -> regex.Pattern[str]:
    return _compiled(r"\p{Han}")


def _chinese_repair() -> regex.Pattern[str]:
    return _compiled(_CHINESE_REPAIR_SOURCE)


def _gbk_repertoire() -> regex.Pattern[str]:
    return _compiled(_GBK_REPERTOIRE_SOURCE)


def is_common_han(ch: str) -> bool:
    """True for the commonest Chinese characters, simplified or traditional.

    Level 1 of GB2312 (the 3,755 commonest simplified characters) and the
    frequently used block of Big5 (5,401 traditional characters).

    >>> is_common_han("的"), is_common_han("們"), is_common_han("屽")
    (True, True, False)
    """
    if _is_common_simplified(ch):
        return True
    try:
        b = ch.encode("big5")
    except UnicodeEncodeError:
        return False
    return len(b) == 2 and (0xA4 < b[0] < 0xC6 or (b[0] == 0xA4 and b[1] >= 0x40)
                            or (b[0] == 0xC6 and b[1] <= 0x7E))


def common_share(text: str, traditional: bool = True) -> float:
    """The share of common characters among the Chinese characters of ``text``."""
    han = _han().findall(text)
    if not han:
        return 0.0
    test = is_common_han if traditional else _is_common_simplified
    return sum(map(test, han)) / len(han)


def _is_common_simplified(ch: str) -> bool:
    try:
        b = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(b) == 2 and 0xB0 <= b[0] <= 0xD7


def _plausible(before: str, after: str, min_han: int = 2) -> bool:
    """The repaired text reads as Chinese and the text it replaces does not."""
    introduced = set(after) - set(before)
    if not introduced or not all(_gbk_repertoire().match(c) for c in introduced):
        return False
    if len(_han().findall(after)) < min_han:
        return False
    # The text being replaced is judged on simplified frequency only: mojibake
    # made through GBK is full of traditional forms (織, 細) that Big5 counts
    # as common, while correct text is recognised by its repaired form.
    return common_share(after) >= 0.8 and common_share(before, traditional=False) <= 0.5


def repair_ftfy(text: str, relaxed: bool = False) -> list[Edit]:
    """UTF-8 read as Latin-1/Windows-1252, repaired by ftfy.

    >>> repair_ftfy("å¤§å®¶å¥½ï¼Œ")
    [(0, 12, '大家好，')]
    """
    import ftfy

    fixed = ftfy.fix_text(text, ftfy_config())
    if fixed == text:
        return []
    # ftfy also "repairs" some correct text into other scripts (`×“` read back
    # as UTF-8 is Hebrew `ד`): accept only repairs that bring in Chinese.
    introduced = set(fixed) - set(text)
    if not introduced or not all(_chinese_repair().match(c) for c in introduced):
        return []
    # ...and only when the Chinese it brings in is common: a partial "repair"
    # of other mojibake (GBK read as Latin-1) yields rare characters (飬).
    if common_share("".join(c for c in introduced if _han().match(c))) < 0.8:
        return []
    return [(0, len(text), fixed)]


def repair_utf8_read_as_gbk(text: str, relaxed: bool = False) -> list[Edit]:
    """UTF-8 bytes that were decoded as GBK, run by run of non-ASCII characters.

    >>> s = "同志们，大家好！"
    >>> bad = s.encode("utf-8").decode("gb18030")
    >>> repair_utf8_read_as_gbk(bad) == [(0, len(bad), s)]
    True
    """
    if not _gbk_lead_bytes_suggest_utf8(text):
        return []
    return _repair_runs(text, _NON_ASCII_RUN, _utf8_from_gbk, min_han=1 if relaxed else 2)


_UTF8_CJK_LEADS = [bytes([b]) for b in range(0xE4, 0xEA)]


def _gbk_lead_bytes_suggest_utf8(text: str) -> bool:
    """The cheap pre-check: is this line's GBK encoding full of UTF-8 lead bytes?

    UTF-8 for Chinese starts every character with a byte E4–E9, so in text that
    is really UTF-8 read as GBK more than one in six bytes is one of them; in
    correct Chinese text about one in forty is (never more than one in nine
    in our corpora). Short lines are always tried.
    """
    data = text.encode("gb18030", errors="ignore")
    non_ascii = len(data) - len(text.encode("ascii", errors="ignore"))
    if non_ascii < 12:
        return True
    return sum(data.count(b) for b in _UTF8_CJK_LEADS) * 7 >= non_ascii


# In the UTF-8 reading of a document's GBK bytes: a character from U+2E80 up
# (every Chinese character is there) in a stretch of non-ASCII characters
# between ASCII characters (or the ends) with no decoding error (U+FFFD). It
# starts with one range, so the regex engine skips ahead to the few candidates
# in C; the stretch around each is then checked both ways. Compiled on first
# use, like the patterns above.
_CJK_IN_CLEAN_STRETCH_SOURCE = (
    "[\u2e80-\ufffc\ufffe-\U0010ffff]"
    "(?<=(?:^|[\x00-\x7f])[^\x00-\x7f\ufffd]+)(?=[^\x00-\x7f\ufffd]*(?:[\x00-\x7f]|\\Z))")


def may_be_utf8_read_as_gbk(document: str) -> bool:
    """The whole-document check: could any run of any line be UTF-8 that was read as GBK?

    A repair needs a run of non-ASCII characters (between ASCII characters,
    U+FFFD or the ends of a line) whose GBK bytes decode as UTF-8 with no
    error and bring in a Chinese character. ASCII bytes end any unfinished
    UTF-8 sequence, so decoding the GBK bytes of the whole document at once
    decodes each run on its own; only if one of them comes out clean and
    Chinese is any line of the document tried. Correct text almost never does.

    >>> may_be_utf8_read_as_gbk("同志们，大家好！"), may_be_utf8_read_as_gbk("鍚屽織 2023")
    (False, True)
    >>> may_be_utf8_read_as_gbk("\ufffd鍚屽織\ufffd")
    True
    """
    # A line break ends every run, so a long document is checked a block of lines at a
    # time: the same answer, without three copies of a 50 MB document at once.
    start = 0
    while start < len(document):
        end = document.find("\n", start + _CHECK_BLOCK)
        end = len(document) if end < 0 else end + 1
        # U+FFFD separates runs too: it becomes an ASCII "?" so that it stays a separator.
        gbk = document[start:end].replace("\ufffd", "?").encode("gb18030", errors="replace")
        as_utf8 = gbk.decode("utf-8", errors="replace")
        if _compiled(_CJK_IN_CLEAN_STRETCH_SOURCE).search(as_utf8) is not None:
            return True
        start = end
    return False


_CHECK_BLOCK = 1 << 16  # characters of a document checked at once (then on to the next line break)


def repair_gbk_read_as_latin1(text: str, relaxed: bool = False) -> list[Edit]:
    """GBK bytes that were decoded as Latin-1 (or Windows-1252), on lines with no Chinese.

    A line needs eight or more such characters (four Chinese characters) to
    count as evidence: a few Latin-1 symbols (`±°×÷`) decode to common
    Chinese characters too often. Once another line of the document has been
    repaired, ``relaxed`` lets short lines (`1¡¢ÌýÈ¡` → `1、听取`) through.

    >>> s = "同志们，大家好！"
    >>> repair_gbk_read_as_latin1(s.encode("gbk").decode("latin-1")) == [(0, 16, s)]
    True
    """
    if _han().search(text):
        return []
    # GBK's second byte may be ASCII (縣 is BF 68, "¿h"), so try the whole line
    # first; runs between ASCII characters are the fallback for mixed lines.
    evidence, min_han = (2, 1) if relaxed else (8, 2)
    whole = _gbk_from_latin1(text)
    if (whole is not None and whole != text and len(text) >= evidence
            and _plausible(text, whole, min_han)):
        return [(0, len(text), whole)]
    return _repair_runs(text, _LATIN1_RUN, _gbk_from_latin1, evidence, min_han)


def _utf8_from_gbk(run: str) -> str | None:
    try:
        return run.encode("gb18030").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None


def _gbk_from_latin1(run: str) -> str | None:
    for codec in ("latin-1", "cp1252"):
        try:
            return run.encode(codec).decode("gb18030")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return None


def _repair_runs(text: str, runs: re.Pattern[str], decode: Callable[[str], str | None],
                 min_evidence: int = 1, min_han: int = 2) -> list[Edit]:
    """Repair the runs that decode exactly, judged together as the line's evidence.

    The runs that decode, taken together, must be at least ``min_evidence``
    characters and their repair plausible; then each is repaired (a short
    run, such as one character between two numbers, proves nothing alone).
    """
    candidates = []
    for m in runs.finditer(text):
        fixed = decode(m.group())
        if fixed is not None and fixed != m.group():
            candidates.append((m.start(), m.end(), fixed))
    before = "".join(text[a:b] for a, b, _ in candidates)
    after = "".join(f for _, _, f in candidates)
    if len(before) < min_evidence or not _plausible(before, after, min_han):
        return []
    return [(a, b, f) for a, b, f in candidates if all(_gbk_repertoire().match(c) for c in f)]


REPAIRS: dict[str, Callable[[str, bool], list[Edit]]] = {
    "ftfy": repair_ftfy,
    "utf8_read_as_gbk": repair_utf8_read_as_gbk,
    "gbk_read_as_latin1": repair_gbk_read_as_latin1,
}

# Cheap checks on the whole document (lines joined): when one says no, no
# line of the document can be repaired and none is tried.
DOCUMENT_CHECKS: dict[str, Callable[[str], bool]] = {
    "utf8_read_as_gbk": may_be_utf8_read_as_gbk,
}
