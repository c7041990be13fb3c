"""No silent loss in the file layer (issue 12): each way a file, a name or a kill could cost data.

Every test runs on real files, most through the real command; the kill is a
real SIGKILL of a real process, and what only a user without root's powers
sees is run as one (``setpriv``, as user nobody). Each failed on the code
before its fix.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from support import REPO, cleaner_command, run_main

NOISY = "在全县大会上的讲话\n更新时间:2022-10 来源:网友投稿\n同志们:\n　　XX同志代表县委讲话。\n"
CLEAN = "在全县大会上的讲话\n同志们：\n××同志代表县委讲话。\n"
NOBODY = 65534


def make(folder: Path, name: str | bytes, data: str | bytes) -> Path:
    path = Path(os.fsdecode(os.path.join(os.fsencode(folder), os.fsencode(name))))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


# ------------------------------------------------------- running as a user without root's powers


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder that user nobody can use (pytest's own is root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="cleaner-nobody-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for root, dirs, _ in os.walk(folder):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)
        shutil.rmtree(folder)


def as_nobody(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """The installed command run by user nobody (as this user when the tests do not run as root)."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("setpriv is not installed, so the tests cannot run as a user without root's powers")
        prefix = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
        probe = subprocess.run([*prefix, *cleaner_command(), "--version"], capture_output=True, cwd=cwd)
        if probe.returncode != 0:
            pytest.skip(f"user nobody cannot run the installed command from {REPO}: {probe.stderr[-200:]!r}")
    return subprocess.run([*prefix, *cleaner_command(), *args], capture_output=True, cwd=cwd, timeout=120)


# ------------------------------------------------------- 6. what cannot be read is said


def test_what_a_walk_cannot_clean_is_named_with_its_reason(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    make(folder, "good.txt", NOISY)
    os.mkfifo(folder / "pipe.txt")
    (folder / "dangling.txt").symlink_to(folder / "gone.txt")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    (folder / "linked").symlink_to(tmp_path)
    os.mkfifo(folder / "pipe.md")  # not a file it would clean: nothing to say
    proc = subprocess.run([*cleaner_command(), "clean", str(folder), "--check"], capture_output=True,
                          timeout=60)
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 1, err  # a file would change; nothing that was asked for failed
    assert "5 file(s) seen: 1 changed, 0 unchanged, 4 skipped" in err
    assert f"skipped {folder}/pipe.txt: a named pipe (FIFO), not a file" in err
    assert f"skipped {folder}/dangling.txt: a dangling link: it points to {folder}/gone.txt" in err
    assert f"skipped {folder}/loop.txt: a link loop" in err
    assert f"skipped {folder}/linked: a link to a folder, not followed" in err
    assert "pipe.md" not in err


@pytest.mark.parametrize("kind", ["fifo", "dangling", "loop"])
def test_a_path_given_by_name_that_cannot_be_read_is_an_error_and_never_hangs(tmp_path: Path,
                                                                            kind: str) -> None:
    path = tmp_path / "x.txt"
    if kind == "fifo":
        os.mkfifo(path)  # reading it would wait for ever for a writer
    elif kind == "dangling":
        path.symlink_to(tmp_path / "gone.txt")
    else:
        path.symlink_to(path)
    proc = subprocess.run([*cleaner_command(), "clean", str(path), "--in-place"], capture_output=True,
                          timeout=60)
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2
    assert err.startswith(f"error: {path}: ") and "Traceback" not in err
    assert {"fifo": "named pipe", "dangling": "dangling link", "loop": "link loop"}[kind] in err


def test_an_unreadable_folder_is_an_error_for_a_user(shared_tmp: Path) -> None:
    make(shared_tmp, "in/good.txt", NOISY)
    make(shared_tmp, "in/locked/inside.txt", NOISY)
    os.chown(shared_tmp, NOBODY, NOBODY)
    (shared_tmp / "in/locked").chmod(0o000)
    proc = as_nobody("clean", "in", "--check", cwd=shared_tmp)
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2, err
    assert "error: in/locked: cannot read this folder (Permission denied); the files in it were not cleaned" in err
    assert "skipped in/locked" in err
    by_name = as_nobody("clean", "in/locked", "--check", cwd=shared_tmp)
    assert by_name.returncode == 2 and b"error: in/locked: cannot read this folder" in by_name.stderr


# ------------------------------------------------------- 7. deep folders


def test_a_folder_1000_levels_deep_is_cleaned() -> None:
    # Not in pytest's tmp_path: pytest removes old ones with shutil.rmtree, which recurses once a level.
    top = Path(tempfile.mkdtemp(prefix="cleaner-deep-"))
    deep = Path(*["d"] * 1000)
    try:
        folder = top / "in"
        folder.mkdir()
        for _ in range(1000):  # mkdir -p would recurse once a level too
            folder = folder / "d"
            folder.mkdir()
        make(folder, "a.txt", NOISY)
        proc = run_main("clean", str(top / "in"), "-o", str(top / "out"))
        assert proc.returncode == 0, proc.stderr[-500:]
        assert (top / "out" / deep / "a.txt").read_text(encoding="utf-8") == CLEAN
        assert run_main("clean", str(top / "in"), "--in-place", "-q").returncode == 0
        assert (top / "in" / deep / "a.txt").read_text(encoding="utf-8") == CLEAN
    finally:
        remove_deep(top)


def remove_deep(top: Path) -> None:
    """rm -r without recursion (shutil.rmtree, and so pytest's own clean-up, recurse once a level)."""
    folders, stack = [], [str(top)]
    while stack:
        folder = stack.pop()
        if not os.path.isdir(folder):
            continue
        folders.append(folder)
        for entry in os.scandir(folder):
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            else:
                os.unlink(entry.path)
    for folder in reversed(folders):  # the deepest first
        os.rmdir(folder)


# ------------------------------------------------------- 8. file names that are not UTF-8

GBK_NAME = "讲话稿".encode("gbk") + b".txt"
SHOWN = r"\xbd\xb2\xbb\xb0\xb8\xe5.txt"  # its bytes, visibly


def test_a_non_utf8_file_name_in_the_log(tmp_path: Path) -> None:
    make(tmp_path / "in", GBK_NAME, NOISY)
    log = tmp_path / "log.jsonl"
    proc = run_main("clean", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--log", str(log))
    assert proc.returncode == 0, proc.stderr
    assert SHOWN in proc.stderr.decode("utf-8")
    assert json.loads(log.read_text(encoding="utf-8").splitlines()[0])["path"] == f"{tmp_path}/in/{SHOWN}"
    assert (tmp_path / "out" / os.fsdecode(GBK_NAME)).read_text(encoding="utf-8") == CLEAN


def test_a_non_utf8_file_name_in_the_report(tmp_path: Path) -> None:
    make(tmp_path / "in", GBK_NAME, NOISY)
    report = tmp_path / "report.html"
    proc = run_main("report", str(tmp_path / "in"), "-o", str(report))
    assert proc.returncode == 0, proc.stderr
    assert SHOWN.replace("\\", "\\\\") in report.read_text(encoding="utf-8")  # in the page's JSON


def test_a_non_utf8_file_name_in_the_diff(tmp_path: Path) -> None:
    make(tmp_path / "in", GBK_NAME, NOISY)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}  # strict, as in a UTF-8 locale's terminal
    proc = subprocess.run([*cleaner_command(), "clean", "--diff", str(tmp_path / "in")], capture_output=True,
                          env=env, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert f"--- a/{SHOWN}\n+++ b/{SHOWN}\n".encode("utf-8") in proc.stdout
    assert b"Traceback" not in proc.stderr
