"""The defaults of the default policy, defined once (the options, the config and the rules read them here)."""

from __future__ import annotations

from typing import Literal, get_args

Anonymise = Literal["replace", "drop", "keep"]
ANONYMISE_MODES: tuple[Anonymise, ...] = get_args(Anonymise)
"""What to do with anonymised tokens: replace them with the placeholder, delete them, or keep them."""

PLACEHOLDER = "××"
"""What anonymised tokens (``XX``, ``×××``, ``***`` …) become."""

TIMEOUT = 10.0
"""Seconds one pattern of a user rule may spend on one line."""
