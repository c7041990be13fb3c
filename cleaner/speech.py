"""What counts as speech on a line that a rule wants to drop.

A rule that drops lines recognises a site's sentence; it does not know what
else shares the line. Sites glue their intros before ``同志们：…`` and their
outros or copyright notices after ``谢谢大家！``, so before any line is
dropped the engine (:mod:`cleaner.core`) asks what the rule's match leaves
over, and the guard (:mod:`cleaner.guard`) asks the same of the change log.
Both use the measures here, so they cannot disagree.

The measure is deliberately simple and errs towards keeping:

- a *speech clause* is what is left when the recognised noise is cut out and
  it still holds six or more Han characters, or two or more together with a
  sentence end (``。！？!?``): ``谢谢大家！`` is speech, ``阅读：1234次`` is not;
- a line that is one piece is one clause, the site's when it is no longer
  than a clause of noise can be (:data:`CLAUSE_HAN`); on a longer line a
  match that runs across a sentence end is not trusted;
- a line splits into *pieces* after every sentence end (``。！？!?；;``, with
  any closing quotes or brackets), so that a site's sentence can be cut off
  at the edge of the speech without cutting into a clause. Colons, spaces
  and a label's brackets do not split: ``上一篇：在全市大会上的讲话`` and
  ``【导语】本文由某某网整理，供参考。`` are one piece each.
"""

from __future__ import annotations

from collections.abc import Callable

import regex

SPEECH_HAN = 6
"""Han characters that make a leftover a speech clause on their own."""

CLAUSE_HAN = 70
"""The most Han characters that one unbroken clause of a site's noise holds.

A line that is one piece (no sentence end inside) and that a rule matches
is the site's clause when it holds at most this many Han characters; a
longer one may be a speech paragraph glued to the site's words without a
break, and is kept with a warning. (Of the 1,437 one-piece lines the default
rules drop from the 312 real pages in ../shared, the longest holds 64; a
speech paragraph is seldom shorter than 70.)
"""

_HAN = regex.compile(r"\p{Han}")
_NOT_HAN = regex.compile(r"\P{Han}+")
_SENTENCE_END = regex.compile(r"\p{Han}[”’」』）)》]*[。！？!?]")
# A piece ends after a sentence end, with any closing quotes or brackets and
# the spaces after it.
_PIECE_END = regex.compile(r"[。！？!?；;]+[”’」』）)》】\]]*\s*")

# What opens or closes a speech: a colon (a salutation such as 同志们：, or a
# list) or thanks. The genre talk a site puts before its lead-in has neither.
_SPEECH_MARK = regex.compile(r"[:：]|[谢謝][谢謝]|感[谢謝](?:大家|各位|你们|你們|您)")

Span = tuple[int, int]


def is_speech(text: str) -> bool:
    """Does ``text`` (what a removal leaves over) still hold a speech clause?

    >>> is_speech("谢谢大家！"), is_speech("阅读：1234次"), is_speech("同志们今天我们召开会议")
    (True, False, True)
    """
    han = han_count(text)
    return han >= SPEECH_HAN or (han >= 2 and _SENTENCE_END.search(text) is not None)


def outside(text: str, spans: list[Span]) -> str:
    """``text`` without the (possibly overlapping, unsorted) ``spans``.

    >>> outside("一二三四五", [(3, 4), (0, 1)])
    '二三五'
    """
    parts = []
    pos = 0
    for start, end in sorted(spans):
        if start > pos:
            parts.append(text[pos:start])
        pos = max(pos, end)
    parts.append(text[pos:])
    return "".join(parts)


PARAGRAPH_HAN = 20
"""Han characters that, with a sentence end, make a line a paragraph of speech."""


def is_paragraph(text: str) -> bool:
    """Is the line a paragraph of speech (for the zones of :func:`zones`)?

    >>> is_paragraph("同志们：今天我们召开全县安全生产工作会议，部署下一阶段工作。"), is_paragraph("登录 | 注册")
    (True, False)
    """
    return han_count(text) >= PARAGRAPH_HAN and _SENTENCE_END.search(text) is not None


def zones(lines: list[str], paragraph: Callable[[str], bool] = is_paragraph) -> tuple[int, int] | None:
    """The body of a document: the indices of its first and last speech paragraph.

    Lines before the first are its head zone, lines after the last its tail
    zone (a site's header and footer live there, as jusText uses context).
    ``None`` when no line is a paragraph: there is no body to tell them from.
    ``paragraph`` is :func:`is_paragraph` or a caller's memo of it. Only the
    head and the tail are read: a line between two paragraphs cannot change
    the answer.

    >>> zones(["登录", "同志们：今天我们召开全县安全生产工作会议，部署下一阶段工作。", "返回"])
    (1, 1)
    >>> zones(["登录 | 注册"]) is None
    True
    """
    first = next((i for i, text in enumerate(lines) if paragraph(text)), None)
    if first is None:
        return None
    # from the end down to the first: the lines between are never asked about
    last = next(i for i in range(len(lines) - 1, first - 1, -1) if paragraph(lines[i]))
    return first, last


def han_count(text: str) -> int:
    """How many Han characters ``text`` holds.

    Counted as what is left when every run of other characters is deleted:
    one string built in C, three times faster than a list of every Han
    character (this runs for every piece the engine weighs).

    >>> han_count("阅读：1234次")
    3
    """
    return len(_NOT_HAN.sub("", text))


def han_covered(text: str, spans: list[Span]) -> float:
    """The share of the Han characters of ``text`` that lie inside ``spans`` (0 without Han).

    >>> han_covered("作者：张三 阅读", [(0, 5)])
    0.6666666666666666
    """
    covered: set[int] = set()
    for start, end in spans:
        covered.update(range(start, end))
    han = [m.start() for m in _HAN.finditer(text)]
    return sum(1 for i in han if i in covered) / len(han) if han else 0.0


def leaves_speech(text: str, spans: list[Span], across: bool = False) -> bool:
    """Would dropping the line ``text``, whose noise a rule matched at ``spans``, drop speech?

    A line of one piece (no sentence end inside) is one clause: the site's
    when it is no longer than :data:`CLAUSE_HAN` Han characters, whatever the
    match covers. A longer line must show where the noise ends: a match that
    runs across a sentence end may have swallowed a sentence of speech, so
    only a match that stays inside pieces is trusted, and then nothing
    outside it may be a speech clause. ``across``: the match may run across
    sentence ends (a site's lead-in on the first paragraph of a page, where
    no speech can stand before it).

    >>> leaves_speech("小编精心推荐", []), leaves_speech("阅读全文。同志们：今天我们开会。", [(0, 5)])
    (False, True)
    >>> leaves_speech("谢谢大家！QQ：318842759", [(0, 18)]), leaves_speech("来源：网络。编辑：张三", [(0, 6), (6, 11)])
    (True, False)
    """
    if not is_speech(text):
        return False
    ends = piece_ends(text)
    if len(ends) == 1:
        return han_count(text) > CLAUSE_HAN
    if not across and any(a < e < b for a, b in spans for e in ends[:-1]):
        return True
    return is_speech(outside(text, spans))


def is_genre_talk(text: str) -> bool:
    """Can ``text``, a line with a site's lead-in on a page's first paragraph, be all the site's?

    A template site's talk about the genre (``发言稿的写法比较灵活…``) and its
    offer hold no colon and no thanks to the audience; a speech that opens
    with ``同志们：`` or closes with ``谢谢大家！`` does, so on such a line the
    lead-in takes only its own sentence.

    >>> is_genre_talk("演讲稿是在一定的场合使用的文稿。"), is_genre_talk("同志们：今天开会。谢谢大家！")
    (True, False)
    """
    return _SPEECH_MARK.search(text) is None


EDGE_REACH = 400
"""How far from either end of a line a site's sentence is looked for."""


def edge_ends(text: str, reach: int = EDGE_REACH) -> list[int]:
    """The piece ends (as :func:`piece_ends`) within ``reach`` of either end of the line.

    A site's sentence glued to speech sits at an edge; looking no further
    keeps a line of millions of characters as cheap as a short one.
    """
    if len(text) <= 2 * reach:
        return piece_ends(text)
    head = [m.end() for m in _PIECE_END.finditer(text, 0, reach) if m.end() > 0]
    tail_from = len(text) - reach
    tail = [m.end() for m in _PIECE_END.finditer(text, tail_from) if m.end() < len(text)]
    return head + tail + [len(text)]


def piece_ends(text: str) -> list[int]:
    """Where the pieces of a line end (the last one at ``len(text)``).

    >>> t = "下面是小编整理的讲话，欢迎阅读。同志们：今天开会。"
    >>> [t[a:b] for a, b in zip([0] + piece_ends(t), piece_ends(t))]
    ['下面是小编整理的讲话，欢迎阅读。', '同志们：今天开会。']
    """
    ends = [m.end() for m in _PIECE_END.finditer(text) if 0 < m.end() < len(text)]
    ends.append(len(text))
    return ends
