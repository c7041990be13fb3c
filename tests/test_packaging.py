"""What a non-editable install ships: every package of cleaner/, and its data files."""

from __future__ import annotations

import shutil
import subprocess
import tomllib

import pytest

from support import REPO


def test_every_subpackage_is_listed_for_the_wheel() -> None:
    # An editable install finds any folder; a wheel ships only the packages listed.
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
                 ["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "cleaner").rglob("__init__.py")}
    assert found <= listed, sorted(found - listed)


def test_the_top_of_the_repository_holds_only_the_projects_parts() -> None:
    # A stray output of a manual run (a change log named '-' once) must not be committed.
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    top = {line.split("/", 1)[0] for line in tracked.splitlines()}
    expected = {".ci", ".gitignore", ".pre-commit-hooks.yaml", "README.md", "pyproject.toml",
                "cleaner", "rules", "samples", "tests", "benchmarks", "docs"}
    assert top <= expected, sorted(top - expected)
