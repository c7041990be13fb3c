"""Learning a site's boilerplate: lines that repeat across many files of a folder.

Every file is cleaned with the active rules first, so what is left and still
repeats is noise no rule knows yet: a site's footer, header or slogan. Lines
that read as speech (salutations, closings, headings, sentences without any
site marker) are never proposed, even when many speeches share them. The
result is a ready-to-edit rule file.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable

import regex

from .core import Options, RuleTimeout, clean_text
from .guard import BodyIntegrityError
from .rules import Rule

OnError = Callable[[int, Exception], None]
"""Told the index of a text that cannot be cleaned (a rule timed out, the guard stopped it) and why."""

_SALUTATION = regex.compile(
    r"^(?:尊敬的|亲爱的|各位|同志们|朋友们|老师们|同学们|大家|女士们|先生们)[^。！？]{0,30}[：:，,！!]?$")
_CLOSING = regex.compile(r"谢谢|感谢|致以|祝愿|祝大家|再见|此致|敬礼")
_HEADING = regex.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|（[一二三四五六七八九十0-9]+）|\([一二三四五六七八九十0-9]+\)"
    r"|第[一二三四五六七八九十0-9]+[，、部分章节条项]|[0-9]+[、.．])")
_SENTENCE_PUNCT = regex.compile(r"[，。！？；：,!?;:]")
_SITE_MARKER = regex.compile(
    r"网|站|整理|资料|下载|QQ|qq|微信|版权|www|\.com|http|转载|声明|来源|关注|推荐|欢迎|广告|会员"
    r"|范文|文库|客服|公众号|扫码|二维码|联系|©|copyright|出品|原创|精选|收藏")


def looks_like_speech(line: str) -> bool:
    """True for lines a speech itself repeats: salutations, closings, headings, sentences.

    >>> looks_like_speech("同志们："), looks_like_speech("——笔耕书屋 每日精选——")
    (True, False)
    """
    if _SALUTATION.match(line) or _HEADING.match(line):
        return True
    if _CLOSING.search(line) and len(line) <= 30:
        return True
    # A sentence is speech unless it speaks of the site (网, 下载, 关注…).
    return bool(_SENTENCE_PUNCT.search(line)) and not _SITE_MARKER.search(line)


def repeated_lines(texts: list[str], rules: list[Rule] | tuple[Rule, ...], options: Options,
                   min_files: int = 3, min_share: float = 0.3,
                   on_error: OnError | None = None) -> list[tuple[str, int]]:
    """Lines left after cleaning that stand in many files, most frequent first.

    A text that cannot be cleaned is left out and passed to ``on_error``; without it, the error is raised.
    """
    counts: Counter[str] = Counter()
    for i, text in enumerate(texts):
        try:
            kept = clean_text(text, rules, options=options).text
        except (BodyIntegrityError, RuleTimeout) as exc:
            if on_error is None:
                raise
            on_error(i, exc)
            continue
        counts.update({ln.strip() for ln in kept.splitlines() if ln.strip()})
    threshold = max(min_files, math.ceil(min_share * len(texts)))
    found = [(line, n) for line, n in counts.items()
             if n >= threshold and len(line) <= 120 and not looks_like_speech(line)]
    return sorted(found, key=lambda item: (-item[1], item[0]))


def learn_folder(texts: list[str], rules: list[Rule] | tuple[Rule, ...], options: Options,
                 label: str, min_files: int = 3, min_share: float = 0.3,
                 on_error: OnError | None = None) -> str:
    """A rule file proposing one ``drop_line`` rule per repeated line (``on_error``: see :func:`repeated_lines`)."""
    found = repeated_lines(texts, rules, options, min_files, min_share, on_error)
    out = [
        f"# Proposed by `cleaner learn {label}` from {len(texts)} files: lines that the",
        "# active rules keep but that stand in many files. Review each rule (rename the",
        "# ids, widen the patterns to the site's family of lines), then use the file",
        "# with --rules or the `rules` key of the configuration.",
        'family = "learned"',
        'stage = "noise"',
    ]
    if not found:
        out.append("# No repeated line found that does not read as speech.")
    for i, (line, n) in enumerate(found, start=1):
        pattern = "^\\s*" + regex.escape(line, special_only=True) + "\\s*$"
        out += [
            "",
            f"# in {n} of {len(texts)} files",
            "[[rule]]",
            f'id = "SITE{i:03d}"',
            f"summary = {_toml(f'Drop the repeated site line {line!r}.')}",
            f"rationale = {_toml(f'Stands in {n} of {len(texts)} files of {label}; proposed by cleaner learn.')}",
            'action = "drop_line"',
            f"patterns = [{_toml(pattern)}]",
            f"changes = [{{ input = {_toml('正文。' + chr(10) + line)}, output = \"正文。\" }}]",
            f"keeps = [{_toml('他说：“' + line + '”。')}]",
        ]
    return "\n".join(out) + "\n"


def _toml(text: str) -> str:
    """A TOML basic string (JSON's escapes are a subset of TOML's)."""
    return json.dumps(text, ensure_ascii=False)
