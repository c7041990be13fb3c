"""The defaults of the default policy, defined once (the options, the config and the rules read them here)."""

from __future__ import annotations

import unicodedata
from typing import Literal, get_args

Anonymise = Literal["replace", "drop", "keep"]
ANONYMISE_MODES: tuple[Anonymise, ...] = get_args(Anonymise)
"""What to do with anonymised tokens: replace them with the placeholder, delete them, or keep them."""

PLACEHOLDER = "××"
"""What anonymised tokens (``XX``, ``×××``, ``***`` …) become."""

TIMEOUT = 10.0
"""Seconds one pattern of a user rule may spend on one line."""


def placeholder_problem(value: str) -> str | None:
    """Why ``value`` cannot be the placeholder, or None: it must stay inside its line.

    >>> placeholder_problem("某某") is None
    True
    >>> print(placeholder_problem("某\\n某"))
    holds '\\n': a placeholder is text on one line, without line breaks or control characters
    """
    for ch in value:
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
            return (f"holds {ch!r}: a placeholder is text on one line, without line breaks or "
                    "control characters")
    return None
