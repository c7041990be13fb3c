"""The real pre-commit program runs this repository's hook on a real commit.

A temporary git repository uses this checkout (at its HEAD commit) as a hook
repository. Committing a noisy speech fails and the hook fixes the file;
committing the fixed file passes. pre-commit builds the hook's environment
from the project's own files, as any user's machine would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import REPO

# One worker runs the module (pytest -n): its tests share one hook environment, built once.
pytestmark = pytest.mark.xdist_group("pre-commit")

NOISY = "在全县大会上的讲话\n更新时间:2022-10 来源:网友投稿\n同志们:\n　　XX同志讲了话。\n"
CLEAN = "在全县大会上的讲话\n同志们：\n××同志讲了话。\n"


def git(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One home for the module's tests: the hook's environment is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture()
def env(pre_commit_home: Path) -> dict[str, str]:
    environ = dict(os.environ)
    environ.update({
        "PRE_COMMIT_HOME": str(pre_commit_home),
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
        "PATH": str(Path(sys.executable).parent) + os.pathsep + environ.get("PATH", ""),
    })
    return environ


def hooked_repository(tmp_path: Path, env: dict[str, str], hook: str = "") -> Path:
    """A git repository with this checkout's hook installed (``hook``: more lines of its entry)."""
    if shutil.which("git") is None:
        pytest.fail("git is needed for the pre-commit test")
    head = git("rev-parse", "HEAD", cwd=REPO, env=env)
    assert head.returncode == 0, "this checkout must be a git repository with a commit"
    repo = tmp_path / "texts"
    repo.mkdir()
    assert git("init", "-q", cwd=repo, env=env).returncode == 0
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {REPO.as_uri()}\n  rev: {head.stdout.strip()}\n"
        "  hooks:\n  - id: speech-cleaner\n" + hook, encoding="utf-8")
    pre_commit = [sys.executable, "-m", "pre_commit"]
    installed = subprocess.run([*pre_commit, "install"], cwd=repo, env=env, capture_output=True,
                               text=True, timeout=600)
    assert installed.returncode == 0, installed.stderr
    return repo


def test_hook_fixes_a_noisy_speech_then_passes(tmp_path: Path, env: dict[str, str]) -> None:
    repo = hooked_repository(tmp_path, env)
    speech = repo / "speech.txt"
    speech.write_text(NOISY, encoding="utf-8")
    git("add", ".", cwd=repo, env=env)

    first = git("commit", "-m", "add a speech", cwd=repo, env=env)
    assert first.returncode != 0, first.stdout + first.stderr
    assert "clean Chinese speeches" in first.stdout + first.stderr
    assert speech.read_text(encoding="utf-8") == CLEAN

    git("add", ".", cwd=repo, env=env)
    second = git("commit", "-m", "add a speech", cwd=repo, env=env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Passed" in second.stdout + second.stderr


def test_hook_takes_a_file_named_like_an_option_and_leaves_what_the_configuration_excludes(
        tmp_path: Path, env: dict[str, str]) -> None:
    repo = hooked_repository(tmp_path, env, "    args: [--ignore, PU, --]\n")
    (repo / ".cleaner.toml").write_text('exclude = ["drafts"]\n', encoding="utf-8")
    (repo / "drafts").mkdir()
    dashed, draft = repo / "-v.txt", repo / "drafts" / "draft.txt"
    for path in (dashed, draft):
        path.write_text(NOISY, encoding="utf-8")
    git("add", ".", cwd=repo, env=env)

    first = git("commit", "-m", "add speeches", cwd=repo, env=env)
    assert first.returncode != 0, first.stdout + first.stderr
    assert dashed.read_text(encoding="utf-8") == CLEAN.replace("同志们：", "同志们:")  # PU ignored by args
    assert draft.read_text(encoding="utf-8") == NOISY  # excluded by the configuration

    git("add", ".", cwd=repo, env=env)
    second = git("commit", "-m", "add speeches", cwd=repo, env=env)
    assert second.returncode == 0, second.stdout + second.stderr
