"""The examples in the public functions' docstrings are true."""

from __future__ import annotations

import doctest

import pytest

import cleaner.config
import cleaner.core
import cleaner.defaults
import cleaner.fileio
import cleaner.files
import cleaner.guard
import cleaner.learn
import cleaner.lines
import cleaner.mojibake
import cleaner.pipeline
import cleaner.render
import cleaner.review
import cleaner.speech
import cleaner.transforms


MODULES = [cleaner.config, cleaner.core, cleaner.defaults, cleaner.fileio, cleaner.files, cleaner.guard,
           cleaner.learn, cleaner.lines, cleaner.mojibake, cleaner.pipeline, cleaner.render, cleaner.review,
           cleaner.speech, cleaner.transforms]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_docstring_examples(module: object) -> None:
    failures, tried = doctest.testmod(module)  # type: ignore[arg-type]
    assert tried > 0 and failures == 0
