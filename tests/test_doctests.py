"""The examples in the public functions' docstrings are true."""

from __future__ import annotations

import doctest

import pytest

import cleaner.core
import cleaner.learn
import cleaner.lines
import cleaner.mojibake
import cleaner.transforms


MODULES = [cleaner.core, cleaner.learn, cleaner.lines, cleaner.mojibake, cleaner.transforms]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_docstring_examples(module: object) -> None:
    failures, tried = doctest.testmod(module)  # type: ignore[arg-type]
    assert tried > 0 and failures == 0
