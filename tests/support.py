"""Helpers for the tests: where the shared data lives and how to run the command."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any
from pathlib import Path

import pytest

from cleaner.cli import main

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SAMPLES = REPO / "samples"


def shared_dir(*parts: str) -> Path:
    """A folder of ../shared; skipped outside CI when absent, a failure in CI."""
    path = SHARED.joinpath(*parts)
    if not path.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing; CI must have ../shared beside the checkout")
        pytest.skip(f"{path} is not here (it is in CI)")
    return path


def cleaner_command() -> list[str]:
    """The installed console script next to this Python, else the module."""
    script = Path(sys.executable).with_name("cleaner")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cleaner.cli"]


def run_cleaner(*args: str, stdin: bytes | None = None, cwd: Path | None = None
                ) -> subprocess.CompletedProcess[bytes]:
    """The installed command in a process of its own (for what only a process shows)."""
    return subprocess.run([*cleaner_command(), *args], input=stdin, capture_output=True,
                          cwd=cwd, timeout=120)


def run_main(*args: str, stdin: bytes | None = None, cwd: Path | None = None
             ) -> subprocess.CompletedProcess[bytes]:
    """``cleaner ARGS`` run in this process by :func:`cleaner.cli.main`, as :func:`run_cleaner` gives it.

    Standard input, output and error are byte streams of their own, as in a
    process whose streams are pipes (not terminals).
    """
    buffers = {"stdin": io.BytesIO(stdin or b""), "stdout": io.BytesIO(), "stderr": io.BytesIO()}
    streams = {name: io.TextIOWrapper(buffer, encoding="utf-8") for name, buffer in buffers.items()}
    with contextlib.chdir(cwd or Path.cwd()), contextlib.ExitStack() as stack:
        for name, stream in streams.items():
            stack.enter_context(_replaced(name, stream))
        code = main(list(args))
    return subprocess.CompletedProcess(["cleaner", *args], code, buffers["stdout"].getvalue(),
                                       buffers["stderr"].getvalue())


@contextlib.contextmanager
def _replaced(name: str, stream: io.TextIOWrapper) -> Iterator[None]:
    old = getattr(sys, name)
    setattr(sys, name, stream)
    try:
        yield
    finally:
        stream.flush()
        setattr(sys, name, old)


SLOGAN_RULE = """\
family = "mine"

[[rule]]
id = "MY001"
summary = "Drop the Bigeng shop slogan."
rationale = "An ad the default rules do not know."
action = "drop_line"
patterns = ['^笔耕书屋，好文共赏$']
changes = [{ input = "笔耕书屋，好文共赏\\n正文", output = "正文" }]
keeps = ["正文"]
"""
"""A valid user rule file for an ad the default rules do not know."""


def extra(module: str, extra_name: str) -> Any:
    """Import an optional extra's module; skipped with the reason when it is not installed, a failure in CI.

    CI installs every extra (.ci/run), so there a missing one is a broken install, not a reason to skip.
    """
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        why = f"{module} is not installed: pip install -e '.[{extra_name}]' (CI installs it)"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
