"""Named transforms that ``replace`` rules may use instead of a fixed replacement.

A transform is a pure ``str -> str`` function applied to the matched text.
They exist for replacements that a regex template cannot express (mapping a
run of characters one by one). The repairs behind the ``fix_mojibake``
action live in :mod:`cleaner.mojibake`.
"""

from __future__ import annotations

from collections.abc import Callable


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
