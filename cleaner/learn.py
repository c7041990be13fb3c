r"""Learning a site's boilerplate: lines that repeat across many files of a folder.

Every file is cleaned with the active rules first, so what is left and still
repeats is noise no rule knows yet: a site's footer, header or slogan. Lines
that read as speech (salutations, closings, headings, sentences without any
site marker) are never proposed, even when many speeches share them. The
result is a ready-to-edit rule file.

Lines that differ only in their numbers (``第12期``, ``第13期``) are one family
and one rule, with ``\d+`` where the numbers differ. A learned file declares a
family and an id prefix of its own (from the folder, or ``--prefix``), so
that two learned files load together.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import regex

from .core import Options, RuleTimeout, clean_text
from .guard import BodyIntegrityError
from .rules import PREFIX_RE, Rule, prefix_clash

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


_NUMBER = regex.compile(r"\d+")


@dataclass(frozen=True)
class Family:
    """Repeated lines that differ only in their numbers, and the pattern that takes them all.

    ``lines`` are the members, most frequent first; ``files`` counts the files
    that have any of them.
    """

    lines: tuple[str, ...]
    files: int
    pattern: str


def repeated_families(texts: list[str], rules: list[Rule] | tuple[Rule, ...], options: Options,
                      min_files: int = 3, min_share: float = 0.3,
                      on_error: OnError | None = None) -> list[Family]:
    """Lines left after cleaning that stand in many files, most frequent first.

    Lines that differ only by a number are counted together, as one family.
    A text that cannot be cleaned is left out and passed to ``on_error``;
    without it, the error is raised.
    """
    counts: Counter[str] = Counter()  # line -> files it stands in
    shapes: defaultdict[str, set[int]] = defaultdict(set)  # numbers blanked -> files
    for i, text in enumerate(texts):
        try:
            kept = clean_text(text, rules, options=options).text
        except (BodyIntegrityError, RuleTimeout) as exc:
            if on_error is None:
                raise
            on_error(i, exc)
            continue
        lines = {ln.strip() for ln in kept.splitlines() if ln.strip()}
        lines = {ln for ln in lines if len(ln) <= 120 and not looks_like_speech(ln)}
        counts.update(lines)
        for line in lines:
            shapes[_shape(line)].add(i)
    members: defaultdict[str, list[str]] = defaultdict(list)
    for line in counts:
        members[_shape(line)].append(line)
    threshold = max(min_files, math.ceil(min_share * len(texts)))
    found = []
    for shape, files in shapes.items():
        if len(files) < threshold:
            continue
        ranked = sorted(members[shape], key=lambda ln: (-counts[ln], ln))
        found.append(Family(tuple(ranked), len(files), _pattern(ranked)))
    return sorted(found, key=lambda f: (-f.files, f.lines[0]))


def repeated_lines(texts: list[str], rules: list[Rule] | tuple[Rule, ...], options: Options,
                   min_files: int = 3, min_share: float = 0.3,
                   on_error: OnError | None = None) -> list[tuple[str, int]]:
    """The most frequent line of each repeated family, and the files the family stands in."""
    return [(f.lines[0], f.files)
            for f in repeated_families(texts, rules, options, min_files, min_share, on_error)]


def _shape(line: str) -> str:
    """A line with its numbers blanked: lines of one family have the same shape."""
    return str(_NUMBER.sub("0", line))


def _pattern(lines: list[str]) -> str:
    r"""A pattern for a family's lines: ``\d+`` where their numbers differ, the rest literal.

    >>> _pattern(["——文库 第12期 2023——", "——文库 第13期 2023——"])
    '^\\s*——文库\\ 第\\d+期\\ 2023——\\s*$'
    """
    numbers = [_NUMBER.findall(ln) for ln in lines]
    texts = _NUMBER.split(lines[0])
    out = [regex.escape(texts[0], special_only=True)]
    for k, rest in enumerate(texts[1:]):
        same = len({n[k] for n in numbers}) == 1
        out.append(regex.escape(numbers[0][k], special_only=True) if same else r"\d+")
        out.append(regex.escape(rest, special_only=True))
    return "^\\s*" + "".join(out) + "\\s*$"


def folder_prefix(folder: str, taken: Iterable[str] = ()) -> str:
    """An id prefix for the rules learned from ``folder``: its letters and two from its hash.

    Two to six capital letters (as a rule file's ``prefix`` must be), none the
    start of a ``taken`` prefix nor starting with one, so that the learned
    file loads beside the default rules; the hash of the whole path sets two
    folders of the same name apart.

    >>> folder_prefix("/data/downloads"), folder_prefix("/data/下载")
    ('DOWNGE', 'XBJTJE')
    >>> folder_prefix("/data/spam", taken=["SP"])
    'XSPABF'
    """
    name = folder.rstrip("/").rsplit("/", 1)[-1]
    letters = "".join(c for c in name.upper() if "A" <= c <= "Z")
    digest = hashlib.sha256(folder.encode("utf-8", "surrogateescape")).digest()
    mixed = "".join(chr(ord("A") + b % 26) for b in digest)
    taken = list(taken)
    candidates = [letters[:4] + mixed[:2]] if letters else []
    candidates += ["X" + (letters[:3] + mixed)[:5]]
    candidates += [mixed[i:i + 6] for i in range(0, len(mixed) - 6)]
    for prefix in candidates:
        if PREFIX_RE.match(prefix) and not prefix_clash(prefix, taken):
            return prefix
    raise ValueError(f"no free prefix for {folder!r}")  # pragma: no cover: 26 tries of six letters


def learn_folder(texts: list[str], rules: list[Rule] | tuple[Rule, ...], options: Options,
                 label: str, min_files: int = 3, min_share: float = 0.3,
                 on_error: OnError | None = None, prefix: str | None = None) -> str:
    """A rule file proposing one ``drop_line`` rule per repeated family of lines.

    The file declares a family and id ``prefix`` of its own (by default
    :func:`folder_prefix` of ``label``, avoiding the prefixes of ``rules``);
    ``on_error``: see :func:`repeated_families`.
    """
    found = repeated_families(texts, rules, options, min_files, min_share, on_error)
    prefix = prefix or folder_prefix(label, {r.prefix for r in rules})
    where = _toml(label)
    out = [
        f"# Proposed by `cleaner learn` from {len(texts)} files of {_comment(where)}: lines",
        "# that the active rules keep but that stand in many files (lines that differ",
        "# only in a number are one rule). Review each rule (rename the ids if you like,",
        "# keeping the prefix; widen the patterns to the site's family of lines), then",
        "# use the file with --rules or the `rules` key of the configuration.",
        f"family = {_toml('learned-' + prefix.lower())}",
        f"prefix = {_toml(prefix)}",
        'stage = "noise"',
    ]
    if not found:
        out.append("# No repeated line found that does not read as speech.")
    for i, family in enumerate(found, start=1):
        line = family.lines[0]
        n = family.files
        if len(family.lines) == 1:
            what = f"the repeated site line {line!r}"
            count = f"# in {n} of {len(texts)} files"
        else:
            what = f"the repeated site lines like {line!r} (numbers differ)"
            count = f"# in {n} of {len(texts)} files, {len(family.lines)} variants"
        examples = family.lines[:2]
        changes = ", ".join(f"{{ input = {_toml('正文。' + chr(10) + ln)}, output = \"正文。\" }}"
                            for ln in examples)
        out += [
            "",
            _comment(count),
            "[[rule]]",
            f'id = "{prefix}{i:03d}"',
            f"summary = {_toml(f'Drop {what}.')}",
            f"rationale = {_toml(f'Stands in {n} of {len(texts)} files of {label}; proposed by cleaner learn.')}",
            'action = "drop_line"',
            f"patterns = [{_toml(family.pattern)}]",
            f"changes = [{changes}]",
            f"keeps = [{_toml('他说：“' + line + '”。')}]",
        ]
    return "\n".join(out) + "\n"


def _toml(text: str) -> str:
    """A TOML basic string: JSON's escapes (a subset of TOML's), DEL escaped too, lone surrogates as U+FFFD.

    >>> _toml('a"b\\nc\\x7f')
    '"a\\\\"b\\\\nc\\\\u007f"'
    """
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _comment(text: str) -> str:
    """Text for a TOML comment: one line, with no control character."""
    return "".join(c if c >= " " and c != "\x7f" else "?" for c in text.replace("\n", " "))
