"""Named transforms that ``replace`` rules may use instead of a fixed replacement.

A transform is a pure ``str -> str`` function applied to the matched text.
They exist for replacements that a regex template cannot express (mapping a
run of characters one by one). ``fix_mojibake`` is the ftfy call behind the
``fix_mojibake`` action, configured for Chinese text.
"""

from __future__ import annotations

from collections.abc import Callable

import ftfy
import regex

_HALF_TO_FULL_PUNCT = str.maketrans({
    ",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）",
})


def to_halfwidth(text: str) -> str:
    """Fullwidth Latin letters and digits (``ＡＢＣ１２３``) to ASCII; nothing else.

    >>> to_halfwidth("ＡＢＣ１２３")
    'ABC123'
    """
    return "".join(
        chr(ord(c) - 0xFEE0) if ("０" <= c <= "９" or "Ａ" <= c <= "Ｚ" or "ａ" <= c <= "ｚ") else c
        for c in text
    )


def to_fullwidth_punct(text: str) -> str:
    """ASCII ``, ; : ! ? ( )`` to their Chinese fullwidth forms; nothing else.

    >>> to_fullwidth_punct("吗?!")
    '吗？！'
    """
    return text.translate(_HALF_TO_FULL_PUNCT)


TRANSFORMS: dict[str, Callable[[str], str]] = {
    "halfwidth": to_halfwidth,
    "fullwidth_punct": to_fullwidth_punct,
}

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


def fix_mojibake(text: str) -> str:
    """Repair UTF-8 that was decoded as Latin-1/Windows-1252 (and similar).

    >>> fix_mojibake("å¤§å®¶å¥½ï¼Œ")
    '大家好，'
    """
    fixed = ftfy.fix_text(text, FTFY_CONFIG)
    return fixed if _plausibly_chinese(text, fixed) else text


# What a repair of Chinese text may bring in: Han characters, CJK and general
# punctuation, fullwidth forms, ASCII. ftfy also "repairs" some correct text
# into other scripts (`×“` read back as UTF-8 is Hebrew `ד`); such a repair
# is refused and the line kept as it was.
_CHINESE_REPAIR = regex.compile(
    r"[\p{Han}\u3000-\u303f\uff00-\uffef\u2000-\u206f\u00b7\x20-\x7e\t]"
)


def _plausibly_chinese(before: str, after: str) -> bool:
    """True when every character the repair introduced is Chinese text or ASCII."""
    if after == before:
        return True
    introduced = set(after) - set(before)
    han = sum(1 for c in introduced if regex.match(r"\p{Han}", c))
    return han > 0 and all(_CHINESE_REPAIR.match(c) for c in introduced)
