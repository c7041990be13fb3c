"""The code is type-checked (mypy --strict) and linted (ruff), with the real tools."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support import REPO


def run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name(tool)
    return subprocess.run([str(exe), *args], cwd=REPO, capture_output=True, text=True, timeout=300)


def test_mypy_strict() -> None:
    proc = run("mypy", "cleaner", "tests", "benchmarks", "docs")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff() -> None:
    proc = run("ruff", "check", "cleaner", "tests", "benchmarks", "docs")
    assert proc.returncode == 0, proc.stdout + proc.stderr
