"""No silent loss in the file layer (issue 12): each way a file, a name or a kill could cost data.

Every test runs on real files, most through the real command; the kill is a
real SIGKILL of a real process, and what only a user without root's powers
sees is run as one (``setpriv``, as user nobody). Each failed on the code
before its fix.
"""

from __future__ import annotations

import codecs
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cleaner import DecodeError, decode
from cleaner.fileio import decoder_for
from support import REPO, cleaner_command, run_main

NOISY = "在全县大会上的讲话\n更新时间:2022-10 来源:网友投稿\n同志们:\n　　XX同志代表县委讲话。\n"
CLEAN = "在全县大会上的讲话\n同志们：\n××同志代表县委讲话。\n"
NOBODY = 65534


def make(folder: Path, name: str | bytes, data: str | bytes) -> Path:
    path = Path(os.fsdecode(os.path.join(os.fsencode(folder), os.fsencode(name))))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


# ------------------------------------------------------- 1. every name the detector returns


def detector_names() -> list[str]:
    """Every encoding name chardet can return: its registry's names, and their compatible spellings."""
    from chardet.registry import REGISTRY

    try:
        from chardet.output_names import apply_compat_names
    except ImportError:  # chardet before 7.5
        from chardet.equivalences import apply_compat_names  # type: ignore[attr-defined,no-redef]

    names = set()
    for name in REGISTRY:
        names.add(name)  # returned as is when its compatible spelling would not decode the data
        names.add(str(apply_compat_names({"encoding": name})["encoding"]))  # type: ignore[typeddict-item]
    return sorted(names)


SIMPLIFIED = "在全县大会上的讲话\n同志们：今天，我们召开会议，部署全年工作。\n"
TRADITIONAL = "在全縣大會上的講話\n同志們：今天，我們召開會議，部署全年工作。\n"


def test_the_detector_names_are_enumerated_not_guessed() -> None:
    names = detector_names()
    assert len(names) > 80  # the registry, not a hand list
    assert {"utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "GB18030", "Big5"} <= set(names)


@pytest.mark.parametrize("name", detector_names())
def test_every_name_the_detector_returns_decodes_or_falls_back(name: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever spelling the detector uses, its encoding is used when it is one a Chinese document comes in.

    Other encodings (Cyrillic, Japanese, EBCDIC…) fall back to GB18030 and
    Big5; none is a crash, and none turns the text into nonsense.
    """
    import chardet

    codec = decoder_for(name)
    if codec in ("utf-16", "utf-32"):  # without a byte-order mark: the machine's order, little-endian here
        text, data = SIMPLIFIED, SIMPLIFIED.encode(codec + "-le")
    elif codec is not None and codec.startswith(("utf-16", "utf-32")):
        text, data = SIMPLIFIED, SIMPLIFIED.encode(codec)
    elif codec == "big5hkscs":
        text, data = TRADITIONAL, TRADITIONAL.encode("big5")
    else:  # not a Chinese encoding, or UTF-8 (which these bytes are not): the fallback decodes them
        text, data = SIMPLIFIED, SIMPLIFIED.encode("gb18030")
    monkeypatch.setattr(chardet, "detect", lambda data: {"encoding": name, "confidence": 0.9})
    decoded = decode(data)
    assert decoded.text == text
    assert "\x00" not in decoded.text


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize(("text", "clean"), [
    ("2023年工作报告\n", "2023年工作报告\n"),  # was rewritten as GB18030 nonsense full of NULs
    ("Hello 大家好\n", "Hello 大家好\n"),  # the same
    ("2023年工作报告\nXX同志：大家好！\n", "2023年工作报告\n××同志：大家好！\n"),  # was refused
], ids=["title", "latin-and-chinese", "two-lines"])
def test_short_utf16_and_utf32_without_bom_are_rewritten_as_their_text(tmp_path: Path, encoding: str,
                                                                       text: str, clean: str) -> None:
    src = make(tmp_path, "a.txt", text.encode(encoding))
    log = tmp_path / "log.jsonl"
    proc = run_main("clean", str(src), "--in-place", "--log", str(log))
    assert proc.returncode == 0, proc.stderr
    assert src.read_text(encoding="utf-8") == clean
    assert json.loads(log.read_text(encoding="utf-8").splitlines()[0])["encoding"] == encoding


def test_nul_bytes_are_never_decoded_into_the_text(tmp_path: Path) -> None:
    """Too short for the detector to name, UTF-16 can be valid UTF-8; its NULs refuse it, not garble it."""
    src = make(tmp_path, "a.txt", "一、\n".encode("utf-16-le"))
    before = src.read_bytes()
    proc = run_main("clean", str(src), "--in-place")
    assert proc.returncode == 2
    assert "NUL" in proc.stderr.decode("utf-8") and "--encoding" in proc.stderr.decode("utf-8")
    assert src.read_bytes() == before
    assert decode("同志们\x00：\n".encode("utf-8") + b"\x00" * 200).text == "同志们\x00：\n" + "\x00" * 200


# ------------------------------------------------------- 2. a forced encoding that reads as nonsense

GB_AS_BIG5 = "---此处隐藏5379字,下载后查看---\n2023年主题教育专题党课讲稿:把学习贯彻主题教育不断引向深入\n"


def test_forced_encoding_that_reads_as_nonsense_is_refused_unless_forced(tmp_path: Path) -> None:
    data = GB_AS_BIG5.encode("gb18030")
    data.decode("big5hkscs")  # it does decode: only the plausibility check can tell
    src = make(tmp_path, "a.txt", data)
    proc = run_main("clean", str(src), "--in-place", "--encoding", "big5hkscs")
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2
    assert "does not read as Chinese" in err and "--force-encoding big5hkscs" in err
    assert src.read_bytes() == data
    assert run_main("clean", str(src), "--in-place", "--encoding", "gb18030", "-q").returncode == 0
    assert src.read_text(encoding="utf-8").startswith("2023年主题教育专题党课讲稿")
    src.write_bytes(data)
    insisted = run_main("clean", str(src), "--in-place", "--force-encoding", "big5hkscs", "-q")
    assert insisted.returncode == 0, insisted.stderr
    assert src.read_bytes() != data and "爛" in src.read_text(encoding="utf-8")  # what the user asked for
    both = run_main("clean", str(src), "--encoding", "gb18030", "--force-encoding", "big5")
    assert both.returncode == 2 and b"choose one of --encoding and --force-encoding" in both.stderr


# ------------------------------------------------------- 3. damaged documents

DAMAGED = (NOISY + "　　今天的会议很重要。\n").encode("utf-8") + "同志们".encode("gbk") + "好。\n".encode("utf-8")


def test_damaged_document_is_not_rewritten_in_place_unless_allowed(tmp_path: Path) -> None:
    src = make(tmp_path, "a.txt", DAMAGED)
    proc = run_main("clean", str(src), "--in-place")
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2
    assert str(src) in err and "U+FFFD" in err and "--allow-damaged" in err
    assert src.read_bytes() == DAMAGED
    allowed = run_main("clean", str(src), "--in-place", "--allow-damaged")
    assert allowed.returncode == 0, allowed.stderr
    assert "\ufffd" in src.read_text(encoding="utf-8") and "DAMAGED" in allowed.stderr.decode("utf-8")


SPEECH = {"gb18030": "在全县经济工作会议上的讲话\n同志们：\n"
                     "　　今天我们召开全县经济工作会议，总结去年的工作，部署今年的任务。\n",
          "big5": "在全縣經濟工作會議上的講話\n同志們：\n"
                  "　　今天我們召開全縣經濟工作會議，總結去年的工作，部署今年的任務。\n"}


@pytest.mark.parametrize(("codec", "damage"), [
    ("gb18030", lambda b: b[:-2]),  # a download cut inside its last character (its line break gone too)
    ("gb18030", lambda b: b.replace(b"\n", b"\xff\n", 1)),  # a stray byte (before ASCII: one U+FFFD)
    ("big5", lambda b: b[:-2]),
], ids=["gb18030-cut", "gb18030-stray-byte", "big5-cut"])
def test_a_legacy_encoding_with_a_few_bad_bytes_is_cleaned_and_flagged_as_utf8_would_be(
        tmp_path: Path, codec: str, damage: Callable[[bytes], bytes]) -> None:
    # It was refused whole ("not gb18030, big5hkscs either"), and --encoding gb18030 failed too.
    data = damage(SPEECH[codec].encode(codec))
    src = make(tmp_path, "a.txt", data)
    for extra in ([], ["--encoding", codec]):
        proc = run_main("clean", str(src), "-o", str(tmp_path / "out.txt"), *extra)
        err = proc.stderr.decode("utf-8")
        assert proc.returncode == 0, err
        assert "DAMAGED" in err
        out = (tmp_path / "out.txt").read_text(encoding="utf-8")
        assert out.count("\ufffd") == 1 and SPEECH[codec].splitlines()[2][2:16] in out
    refused = run_main("clean", str(src), "--in-place")  # as for UTF-8: not rewritten unless allowed
    assert refused.returncode == 2 and "--allow-damaged" in refused.stderr.decode("utf-8")
    assert src.read_bytes() == data


def test_an_encoding_that_does_not_fit_says_what_to_do(tmp_path: Path) -> None:
    src = make(tmp_path, "a.txt", SPEECH["gb18030"].encode("utf-8"))
    wrong = run_main("clean", str(src), "--encoding", "ascii").stderr.decode("utf-8")
    assert "is not ascii: ordinal not in range(128) at byte 0, and more such bytes follow; leave out " \
           "--encoding to detect its encoding" in wrong and "codec can't decode" not in wrong
    unknown = run_main("clean", str(src), str(src.parent), "--encoding", "utf-9")  # said once, not file by file
    err = unknown.stderr.decode("utf-8")
    assert unknown.returncode == 2 and err.count("no such encoding 'utf-9'; give one such as utf-8, gb18030") == 1
    with pytest.raises(DecodeError, match="--encoding utf-9: no such encoding"):  # the API says the same
        decode(b"x", encoding="utf-9")


def test_damaged_document_is_written_and_flagged_with_an_output_folder(tmp_path: Path) -> None:
    make(tmp_path / "in", "a.txt", DAMAGED)
    make(tmp_path / "in", "b.txt", NOISY)
    out, log = tmp_path / "out", tmp_path / "log.jsonl"
    proc = run_main("clean", str(tmp_path / "in"), "-o", str(out), "--log", str(log))
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 0, err
    assert "\ufffd" in (out / "a.txt").read_text(encoding="utf-8")
    assert f"1 damaged document(s), where bytes that could not be decoded became U+FFFD: {tmp_path}/in/a.txt" in err
    documents = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()
                 if json.loads(x)["type"] == "document"]
    assert [(d["path"].rsplit("/", 1)[1], d["damaged"]) for d in documents] == [("a.txt", True), ("b.txt", False)]


# ------------------------------------------------------- 4. what --in-place keeps


def _xattr_supported(path: Path) -> bool:
    try:
        os.setxattr(path, "user.cleaner-test", b"1")
        os.removexattr(path, "user.cleaner-test")
        return True
    except OSError:
        return False


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another owner needs root")
def test_in_place_keeps_owner_group_mode_and_extended_attributes(tmp_path: Path) -> None:
    src = make(tmp_path, "a.txt", NOISY)
    os.chown(src, NOBODY, NOBODY)
    src.chmod(0o640)
    xattrs = _xattr_supported(src)
    if xattrs:
        os.setxattr(src, "user.origin", "文库下载".encode("utf-8"))
    assert run_main("clean", str(src), "--in-place", "-q").returncode == 0
    st = src.stat()
    assert src.read_text(encoding="utf-8") == CLEAN
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (NOBODY, NOBODY, 0o640)
    if xattrs:
        assert os.getxattr(src, "user.origin") == "文库下载".encode("utf-8")


def test_in_place_refuses_to_split_hard_links(tmp_path: Path) -> None:
    src = make(tmp_path, "a.txt", NOISY)
    other = tmp_path / "same-file.txt"
    os.link(src, other)
    proc = run_main("clean", str(src), "--in-place")
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2
    assert str(src) in err and "2 hard links" in err and "-o DIR" in err
    assert src.read_text(encoding="utf-8") == NOISY and os.path.samefile(src, other)


def test_in_place_writes_through_a_symbolic_link(tmp_path: Path) -> None:
    real = make(tmp_path, "real/a.txt", NOISY)
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    assert run_main("clean", str(link), "--in-place", "-q").returncode == 0
    assert link.is_symlink() and real.read_text(encoding="utf-8") == CLEAN


def test_read_only_file_is_not_rewritten_even_by_root(tmp_path: Path) -> None:
    src = make(tmp_path, "a.txt", NOISY)
    src.chmod(0o444)
    proc = run_main("clean", str(src), "--in-place")
    assert proc.returncode == 2
    assert "read-only" in proc.stderr.decode("utf-8") and "Traceback" not in proc.stderr.decode("utf-8")
    assert src.read_text(encoding="utf-8") == NOISY and src.stat().st_mode & 0o777 == 0o444


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


def give_to_the_user(*paths: Path) -> None:
    """Make ``paths`` user nobody's, when the tests run as root (otherwise they are this user's already)."""
    if os.geteuid() == 0:
        for path in paths:
            os.chown(path, NOBODY, NOBODY)


def test_read_only_file_is_not_rewritten_for_a_user(shared_tmp: Path) -> None:
    """Root's rename ignores a file's permissions, and so does a user's when the folder is theirs."""
    src = make(shared_tmp, "a.txt", NOISY)
    give_to_the_user(shared_tmp, src)
    src.chmod(0o444)
    proc = as_nobody("clean", "a.txt", "--in-place", cwd=shared_tmp)
    assert proc.returncode == 2, proc.stderr
    assert b"a.txt: is read-only" in proc.stderr and b"Traceback" not in proc.stderr
    assert src.read_text(encoding="utf-8") == NOISY


def test_in_place_keeps_mode_group_and_extended_attributes_for_a_user(shared_tmp: Path) -> None:
    src = make(shared_tmp, "a.txt", NOISY)
    give_to_the_user(shared_tmp, src)
    src.chmod(0o600)
    owner = src.stat()
    xattrs = _xattr_supported(src)
    if xattrs:
        os.setxattr(src, "user.origin", b"wenku")
    proc = as_nobody("clean", "a.txt", "--in-place", "-q", cwd=shared_tmp)
    assert proc.returncode == 0, proc.stderr
    st = src.stat()
    assert src.read_text(encoding="utf-8") == CLEAN
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (owner.st_uid, owner.st_gid, 0o600)
    if xattrs:
        assert os.getxattr(src, "user.origin") == b"wenku"


# ------------------------------------------------------- 5. temporary files a SIGKILL left

PAUSED_WRITER = """
import os, sys, time
from pathlib import Path
from cleaner import fileio

def pause(src, dst):
    print("written", flush=True)
    time.sleep(120)

os.replace = pause
fileio.write_atomic(Path(sys.argv[1]), "新内容".encode("utf-8"))
"""


def paused_writer(target: Path) -> subprocess.Popen[bytes]:
    """A real process that has written its temporary file beside ``target`` and waits before the rename."""
    proc = subprocess.Popen([sys.executable, "-c", PAUSED_WRITER, str(target)], stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline() == b"written\n"
    return proc


def temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_rerun_removes_the_temp_file_a_sigkilled_run_left_and_only_that(tmp_path: Path) -> None:
    src = make(tmp_path, "a.txt", NOISY)
    killed = paused_writer(src)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    [left] = temps(tmp_path)
    assert left.startswith(".a.txt.") and src.read_text(encoding="utf-8") == NOISY
    live_target = make(tmp_path, "b.txt", NOISY)
    live = paused_writer(live_target)  # a run still writing: its temporary file is not stale
    try:
        [live_temp] = [t for t in temps(tmp_path) if t.startswith(".b.txt.")]
        not_ours = [make(tmp_path, ".notes.md.abcdefgh.tmp", "x").name,  # no such target
                    make(tmp_path, ".a.txt.backup.tmp", "x").name]  # not our naming
        proc = run_main("clean", str(tmp_path), "--in-place")
        err = proc.stderr.decode("utf-8")
        assert proc.returncode == 0, err
        assert f"removed {tmp_path / left}: a temporary file left by an interrupted run" in err
        assert temps(tmp_path) == sorted([live_temp, *not_ours])
        assert src.read_text(encoding="utf-8") == CLEAN
    finally:
        live.kill()
        live.wait()


def test_a_rerun_into_an_output_folder_removes_a_stale_temp_file_there(tmp_path: Path) -> None:
    make(tmp_path / "in", "sub/a.txt", NOISY)
    stale = make(tmp_path / "out/sub", ".a.txt.k3_9x0qz.tmp", "half a fi")  # the exact naming pattern
    proc = run_main("clean", str(tmp_path / "in"), "-o", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    assert not stale.exists() and (tmp_path / "out/sub/a.txt").read_text(encoding="utf-8") == CLEAN


LONG = "在全县经济工作会议上的讲话" * 6 + "讲" * 2 + ".txt"  # 244 bytes: a legal name, 14 short of a temp name


@pytest.mark.parametrize("mode", ["-o", "--in-place"])
def test_a_name_near_the_length_limit_is_written_and_its_stale_temp_removed(tmp_path: Path, mode: str) -> None:
    # The temporary file ".NAME.XXXXXXXX.tmp" took 14 bytes more than the name: over 255, it could not be made.
    assert len(LONG.encode("utf-8")) == 244
    src = make(tmp_path / "in", LONG, NOISY)
    folder = tmp_path / "out" if mode == "-o" else src.parent
    stem = LONG.encode("utf-8")[:241].decode("utf-8", "ignore")
    stale = make(folder, f".{stem}.k3_9x0qz.tmp", "half a fi")  # what a killed run left
    proc = run_main("clean", str(src.parent), *([mode, str(folder)] if mode == "-o" else [mode]))
    assert proc.returncode == 0, proc.stderr.decode("utf-8")
    assert (folder / LONG).read_text(encoding="utf-8") == CLEAN
    assert not stale.exists() and temps(folder) == []


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


def test_unreadable_files_and_folders_are_errors_for_a_user(shared_tmp: Path) -> None:
    make(shared_tmp, "in/good.txt", NOISY)
    make(shared_tmp, "in/locked/inside.txt", NOISY)
    make(shared_tmp, "in/secret.txt", NOISY).chmod(0o000)
    give_to_the_user(shared_tmp)
    (shared_tmp / "in/locked").chmod(0o000)
    proc = as_nobody("clean", "in", "--check", cwd=shared_tmp)
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2, err
    assert "error: in/locked: cannot read this folder (Permission denied); the files in it were not cleaned" in err
    assert "error: in/secret.txt: cannot read: Permission denied" in err
    assert "3 file(s) seen: 1 changed, 0 unchanged, 2 skipped" in err
    assert err.count("in/locked") == err.count("in/secret.txt") == 1  # one message each, not echoed again
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
        # 2,000 rmdir calls take seconds of disk wait on a file system mounted with discard; they
        # overlap the next tests. The thread is not a daemon: Python waits for it before it exits.
        threading.Thread(target=remove_deep, args=(top,), name=f"remove {top}").start()


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
    proc = run_main("clean", "--diff", str(tmp_path / "in"))  # strict UTF-8 streams, as in a UTF-8 locale
    assert proc.returncode == 1, proc.stderr
    assert f"--- a/{SHOWN}\n+++ b/{SHOWN}\n".encode("utf-8") in proc.stdout
    assert b"Traceback" not in proc.stderr


def test_codecs_used_for_the_detector_are_real_codecs() -> None:
    for name in detector_names():
        codec = decoder_for(name)
        assert codec is None or codecs.lookup(codec)


# ------------------------------------------------------- a full disk

FULL_DISK = """
set -e
mount -t tmpfs -o size=64k tmpfs "$1"
printf '%s' "$2" > "$1/a.txt"
dd if=/dev/zero of="$1/filler" bs=1k 2>/dev/null || true
set +e
"$3" clean "$1/a.txt" --in-place 2>"$1/../stderr"
echo "exit $?"
cmp -s "$1/a.txt" "$4" && echo unchanged
ls -A "$1"
"""


def test_a_full_disk_leaves_the_file_as_it_was_and_no_temp_file(tmp_path: Path) -> None:
    """On a real full file system (a 64 kB tmpfs in a namespace of our own), --in-place fails cleanly."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare is not installed: no way to mount a small file system without root")
    noisy = NOISY * 300  # 40 kB: its clean copy cannot fit beside it on 64 kB
    original = make(tmp_path, "original.txt", noisy)
    (tmp_path / "disk").mkdir()
    script = cleaner_command()[0] if len(cleaner_command()) == 1 else ""
    if not script:
        pytest.skip("the cleaner script is not installed next to this Python")
    proc = subprocess.run([unshare, "-rm", "sh", "-c", FULL_DISK, "sh", str(tmp_path / "disk"), noisy, script,
                           str(original)], capture_output=True, timeout=120)
    if proc.returncode != 0 or not proc.stdout.startswith(b"exit "):
        pytest.skip(f"this kernel does not let us mount a tmpfs in a user namespace: {proc.stderr[-300:]!r}")
    out = proc.stdout.decode("utf-8").split("\n")
    err = (tmp_path / "stderr").read_text(encoding="utf-8")
    assert out[0] == "exit 2", err
    assert out[1] == "unchanged"  # the file is as it was
    assert sorted(out[2:-1]) == ["a.txt", "filler"]  # and no temporary file is left
    assert "a.txt: cannot write: No space left on device; it was left as it was" in err and "None" not in err
