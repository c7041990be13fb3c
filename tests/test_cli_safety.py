"""No silent loss in a run (issue 12, the command's part): each way a run could lose or hide something.

Every test here failed before its fix. Where signals, pipes, exit codes or
other processes matter, the installed ``cleaner`` runs in a process of its
own on real files; a real full disk is ``/dev/full`` or a 64 kB tmpfs in a
mount namespace of its own (skipped where the kernel does not allow one).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from support import SAMPLES, SLOGAN_RULE, cleaner_command, run_main

NOISY = "在全县大会上的讲话\n更新时间:2022-10 来源:网友投稿\n同志们:\n　　XX同志代表县委讲话。\n"
CLEAN = "在全县大会上的讲话\n同志们：\n××同志代表县委讲话。\n"


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def rule_file(path: Path, rule_id: str, action: str, fields: str, changes: str, keeps: str) -> Path:
    """A user rule file of one rule; ``fields`` are its TOML lines besides the usual ones."""
    return write(path, f"""\
family = "mine"

[[rule]]
id = "{rule_id}"
summary = "A rule of a user's."
rationale = "For the test."
action = "{action}"
{fields}
changes = [{changes}]
keeps = [{keeps}]
""")


# ------------------------------------------------------------ hostile rules

# (a|aa)+b backtracks for ever on a long run of a's without a b.
CATASTROPHIC = "'(a|aa)+b'"
STUCK_LINE = "同志们\n" + "a" * 60 + "\n"


@pytest.mark.parametrize("action, fields", [
    ("delete", f"patterns = ['a']\nexclude = [{CATASTROPHIC}]"),
    ("warn", f"patterns = ['a']\nexclude = [{CATASTROPHIC}]"),
    ("drop_block", "patterns = ['^同志们$', '^b$']\ngap_max_length = 100\n"
                   f"gap_stop = [{CATASTROPHIC}]"),
], ids=["exclude", "warn-exclude", "gap_stop"])
def test_every_pattern_of_a_user_rule_runs_under_the_time_limit(tmp_path: Path, action: str,
                                                                fields: str) -> None:
    """A catastrophic ``exclude`` or ``gap_stop`` stops its file, named, instead of hanging the run."""
    rules = rule_file(tmp_path / "bad.toml", "MY666", action, fields,
                      '{ input = "aab", output = "" }' if action != "warn" else '{ input = "x", output = "x" }',
                      '"c"')
    src = write(tmp_path / "a.txt", STUCK_LINE + "b\n")
    before = src.read_bytes()
    started = time.monotonic()
    proc = run_main("clean", str(src), "--in-place", "--rules", str(rules), "--timeout", "0.2")
    err = proc.stderr.decode("utf-8")
    assert time.monotonic() - started < 30
    assert proc.returncode == 2 and "MY666" in err and "took longer than 0.2 s" in err, err
    assert src.read_bytes() == before


def test_a_warn_rules_timeout_names_its_line_not_a_prefilter(tmp_path: Path) -> None:
    """The message says where the rule was stuck: line 2, not "its prefilter" (it has none)."""
    rules = rule_file(tmp_path / "bad.toml", "MY667", "warn", f"patterns = [{CATASTROPHIC}]",
                      '{ input = "ab", output = "ab" }', '"c"')
    src = write(tmp_path / "a.txt", STUCK_LINE)
    proc = run_main("clean", str(src), "--rules", str(rules), "--timeout", "0.2")
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2
    assert "rule MY667 took longer than 0.2 s on line 2" in err and "prefilter" not in err, err


def test_a_rule_that_swaps_characters_is_named_not_called_a_bug_in_the_cleaner(tmp_path: Path) -> None:
    rules = rule_file(tmp_path / "swap.toml", "MY668", "replace",
                      "patterns = ['大家']\nreplacement = '家大'",
                      '{ input = "大家", output = "家大" }', '"同志"')
    src = write(tmp_path / "a.txt", "同志们：\n大家好，家里人都好。\n")
    proc = run_main("clean", str(src), "--in-place", "--rules", str(rules))
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2
    assert "MY668" in err and "bug in the cleaner" not in err, err
    assert src.read_text(encoding="utf-8") == "同志们：\n大家好，家里人都好。\n"


def test_rules_test_reports_an_example_that_trips_the_guard_or_times_out(tmp_path: Path) -> None:
    """``rules test`` counts such an example as failed, with the rule's message; no traceback."""
    swap = rule_file(tmp_path / "rules" / "swap.toml", "MY668", "replace",
                     "patterns = ['大家']\nreplacement = '家大'",
                     '{ input = "大家好，家里人", output = "家大好，家里人" }', '"同志"')
    proc = run_main("rules", "test", str(swap))
    out, err = proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
    assert proc.returncode == 1, err
    assert "MY668" in out and "1 passed, 1 failed" in out and "Traceback" not in err
    stuck = rule_file(tmp_path / "stuck.toml", "MY666", "delete", f"patterns = [{CATASTROPHIC}]",
                      '{ input = "aab", output = "" }', f'"{"a" * 60}"')
    proc = run_main("rules", "test", str(stuck), "--timeout", "0.2")
    out, err = proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
    assert proc.returncode == 1, err
    assert "MY666" in out and "took longer than 0.2 s" in out and "Traceback" not in err


def test_learn_leaves_out_a_file_a_rule_cannot_clean_and_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    for i in range(4):
        write(folder / f"{i}.txt", f"同志们：\n今天是第{i}次会议。\n——笔耕书屋 每日精选——\n")
    write(folder / "stuck.txt", STUCK_LINE)
    stuck = rule_file(tmp_path / "stuck.toml", "MY666", "delete", f"patterns = [{CATASTROPHIC}]",
                      '{ input = "aab", output = "" }', '"c"')
    proc = run_main("learn", str(folder), "--rules", str(stuck), "--timeout", "0.2")
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 0, err
    assert "stuck.txt" in err and "MY666" in err and "left out" in err and "Traceback" not in err
    assert "笔耕书屋" in proc.stdout.decode("utf-8")


# ------------------------------------------------------------ configuration files

SPEECH = "XX同志讲话。\n"


@pytest.mark.parametrize("pyproject", [
    "tool = 1\n",  # valid TOML, but not the tables a pyproject.toml has
    "[project\nname = 'x'\n",  # not TOML at all
    "[tool.black]\nline-length = 'x\n",
], ids=["tool-not-a-table", "not-toml", "broken-other-tool"])
def test_an_unrelated_broken_pyproject_above_is_skipped_with_a_warning(tmp_path: Path, pyproject: str) -> None:
    write(tmp_path / "pyproject.toml", pyproject)
    src = write(tmp_path / "work" / "deep" / "a.txt", SPEECH)
    proc = run_main("clean", "a.txt", cwd=src.parent)
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 0, err
    assert proc.stdout.decode("utf-8") == "××同志讲话。\n" and "Traceback" not in err
    if pyproject != "tool = 1\n":  # unparsable: said, since the user may have meant it for us
        assert f"warning: {tmp_path / 'pyproject.toml'}" in err and "skipped" in err, err


@pytest.mark.parametrize("pyproject, problem", [
    ("[tool.cleaner]\nplaceholder = \n", "not valid TOML"),
    ("[tool]\ncleaner = 5\n", "must be a table"),
    ("[tool]\ncleaner = 'placeholder = 1'\n", "must be a table"),
], ids=["not-toml", "not-a-table", "a-string"])
def test_a_broken_configuration_of_ours_is_an_error_naming_the_file(tmp_path: Path, pyproject: str,
                                                                    problem: str) -> None:
    write(tmp_path / "pyproject.toml", pyproject)
    src = write(tmp_path / "work" / "a.txt", SPEECH)
    proc = run_main("clean", "a.txt", cwd=src.parent)
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2 and proc.stdout == b""
    assert err.startswith(f"error: {tmp_path / 'pyproject.toml'}") and problem in err, err
    assert len(err.splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize(("content", "said"), [
    (None, "error: nope.toml: no such configuration file; fix the file or leave it out"),
    (b"\xff\xfeplaceholder = 1\n", "error: nope.toml: not UTF-8 (invalid start byte at byte 0); save it as UTF-8"),
], ids=["missing", "not-utf8"])
def test_a_config_that_cannot_be_read_is_one_line_without_errno(tmp_path: Path, content: bytes | None,
                                                                said: str) -> None:
    if content is not None:
        write(tmp_path / "nope.toml", content)
    write(tmp_path / "a.txt", SPEECH)
    proc = run_main("clean", "a.txt", "--config", "nope.toml", cwd=tmp_path)
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2 and err.startswith(said) and len(err.splitlines()) == 1, err
    assert "Errno" not in err


def test_no_default_rules_and_no_other_rules_is_said_even_with_q(tmp_path: Path) -> None:
    # It ran no rule without a word: a user who forgot --rules got the input back as "cleaned".
    write(tmp_path / "a.txt", SPEECH)
    alone = run_main("clean", "a.txt", "-q", "--no-default-rules", cwd=tmp_path)
    assert alone.returncode == 0 and b"--no-default-rules without --rules" in alone.stderr
    rules = rule_file(tmp_path / "mine.toml", "MY001", "delete", 'patterns = ["讲话"]',
                      '{ input = "讲话", output = "" }', '"会议"')
    with_rules = run_main("clean", "a.txt", "-q", "--no-default-rules", "--rules", str(rules), cwd=tmp_path)
    assert with_rules.returncode == 0 and b"no-default-rules" not in with_rules.stderr, with_rules.stderr


def test_the_configuration_in_use_is_named_with_v_and_in_the_log(tmp_path: Path) -> None:
    config = write(tmp_path / ".cleaner.toml", 'placeholder = "某某"\n')
    src = write(tmp_path / "texts" / "a.txt", SPEECH)
    log = tmp_path / "log.jsonl"
    proc = run_main("clean", "a.txt", "-o", "out", "-v", "--log", str(log), cwd=src.parent)
    assert proc.returncode == 0, proc.stderr
    assert f"config: {config}\n" in proc.stderr.decode("utf-8")
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert records[0] == {"type": "config", "file": str(config)}
    assert (src.parent / "out" / "a.txt").read_text(encoding="utf-8") == "某某同志讲话。\n"
    quiet = run_main("clean", "a.txt", cwd=src.parent)
    assert "config:" not in quiet.stderr.decode("utf-8")  # said only with -v


def _other_users(path: Path) -> None:
    os.chown(path, 65534, 65534)


def _everyones(path: Path) -> None:
    path.chmod(0o666)


@pytest.mark.parametrize("make_unsafe", [_other_users, _everyones], ids=["owned-by-another-user",
                                                                          "world-writable"])
def test_a_configuration_another_user_can_write_is_ignored_with_a_warning(tmp_path: Path,
                                                                          make_unsafe: object) -> None:
    if make_unsafe is _other_users and os.geteuid() != 0:
        pytest.skip("giving a file to another user needs root")
    config = write(tmp_path / "shared" / "pyproject.toml", '[tool.cleaner]\nplaceholder = "某某"\n')
    assert callable(make_unsafe)
    make_unsafe(config)
    src = write(tmp_path / "shared" / "texts" / "a.txt", SPEECH)
    proc = run_main("clean", "a.txt", cwd=src.parent)
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 0, err
    assert proc.stdout.decode("utf-8") == "××同志讲话。\n"  # the default placeholder: the file was not used
    assert f"warning: {config}: ignored" in err and "--config" in err, err
    named = run_main("clean", "a.txt", "--config", str(config), cwd=src.parent)
    assert named.stdout.decode("utf-8") == "某某同志讲话。\n"  # named outright, it is taken


NOBODY = 65534


def as_nobody(*args: str) -> list[str]:
    """A command run as the user nobody (uid 65534), not root."""
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *args]


def test_as_a_plain_user_a_configuration_of_another_users_is_ignored() -> None:
    """The attack itself: user 1234 leaves a configuration where user nobody cleans files."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to act as two plain users")
    top = Path(tempfile.mkdtemp(dir="/tmp"))  # not below pytest's folders, which only root may enter
    try:
        top.chmod(0o755)
        config = write(top / "shared" / "pyproject.toml", '[tool.cleaner]\nplaceholder = "某某"\n')
        texts = top / "shared" / "texts"
        write(texts / "a.txt", SPEECH)
        for path in (top / "shared", config, texts, texts / "a.txt"):
            os.chown(path, 1234, 1234)
            path.chmod(0o755 if path.is_dir() else 0o644)
        proc = subprocess.run(as_nobody(*cleaner_command(), "clean", "a.txt"), cwd=texts,
                              capture_output=True, timeout=120)
        err = proc.stderr.decode("utf-8")
        assert proc.returncode == 0, err
        assert proc.stdout.decode("utf-8") == "××同志讲话。\n"
        assert f"warning: {config}: ignored: it belongs to another user (uid 1234)" in err, err
        for path in (top / "shared", config):
            os.chown(path, NOBODY, NOBODY)  # now the user's own: used
        proc = subprocess.run(as_nobody(*cleaner_command(), "clean", "a.txt"), cwd=texts,
                              capture_output=True, timeout=120)
        assert proc.stdout.decode("utf-8") == "某某同志讲话。\n", proc.stderr
    finally:
        shutil.rmtree(top)


# ------------------------------------------------------------ options

@pytest.mark.parametrize("args, option", [
    (["--timeout", "0"], "--timeout"),  # was taken as the default, 10 s
    (["--timeout", "inf"], "--timeout"),  # failed every user rule at once
    (["--timeout", "nan"], "--timeout"),
    (["--timeout", "-1"], "--timeout"),
    (["--placeholder", "某\n某"], "--placeholder"),  # added a line to every anonymised one
    (["--placeholder", "某\x1b[2J"], "--placeholder"),
])
def test_an_option_that_cannot_work_is_refused_naming_it(tmp_path: Path, args: list[str], option: str) -> None:
    src = write(tmp_path / "a.txt", NOISY)
    rules = write(tmp_path / "mine.toml", SLOGAN_RULE)
    proc = run_main("clean", str(src), "--rules", str(rules), *args)
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2 and proc.stdout == b""
    assert f"Invalid value for '{option}'" in err and "Traceback" not in err, err


def test_a_placeholder_with_a_line_break_in_the_configuration_is_an_error_naming_file_and_key(
        tmp_path: Path) -> None:
    config = write(tmp_path / ".cleaner.toml", 'placeholder = "某\\n某"\n')
    src = write(tmp_path / "a.txt", NOISY)
    proc = run_main("clean", str(src), cwd=tmp_path)
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2 and proc.stdout == b""
    assert str(config) in err and "'placeholder'" in err and "line break" in err, err


def _descendants(pid: int) -> set[int]:
    """The processes below ``pid``, from /proc."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = list(Path(f"/proc/{parent}/task").iterdir())
        except OSError:  # it ended while we looked: no processes below it
            continue
        for task in tasks:
            try:
                kids = {int(k) for k in (task / "children").read_text().split()}
            except OSError:
                continue
            todo += kids - found
            found |= kids
    return found


def test_jobs_beyond_the_cores_are_capped_and_said(tmp_path: Path) -> None:
    if not Path("/proc/self/task").is_dir():
        pytest.skip("needs /proc to count processes")
    cores = len(os.sched_getaffinity(0))
    for i in range(300):
        write(tmp_path / "in" / f"{i:03d}.txt", NOISY * 20)
    proc = subprocess.Popen([*cleaner_command(), "clean", str(tmp_path / "in"), "-o", str(tmp_path / "out"),
                             "-j", "64"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    most = 0
    while proc.poll() is None:
        most = max(most, len(_descendants(proc.pid)))
        time.sleep(0.005)
    said = proc.communicate(timeout=120)[1].decode("utf-8")
    assert proc.returncode == 0, said
    assert f"note: --jobs 64 is more than the {cores} core(s)" in said and f"using {cores}" in said
    assert 0 < most <= cores, f"{most} worker processes for {cores} cores"


# ------------------------------------------------------------ diffs on a terminal

@pytest.mark.parametrize("args", [["clean", "--diff"], ["diff", "--unified"], ["diff"]],
                         ids=["clean-diff", "diff-unified", "diff-inline"])
@pytest.mark.parametrize("color", ["--no-color", "--color"])
def test_a_diff_shows_control_characters_and_never_sends_them_to_the_terminal(
        tmp_path: Path, args: list[str], color: str) -> None:
    """Escape and bell bytes of a document (or its name) show as <U+001B> and <U+0007>, as removed text does."""
    src = write(tmp_path / "bell\x07.txt", "同志们：\n\x1b[2J\x07大家好\x1b]0;pwned\x07。\n清屏\x1b[H后的正文。\n")
    proc = run_main(*args, color, str(src))
    out = proc.stdout.decode("utf-8")
    assert proc.returncode == 1, proc.stderr
    ours = re.sub(r"\x1b\[[0-9;]*m", "", out)  # the colours the diff itself asked for
    assert "\x1b" not in ours and "\x07" not in ours, repr(out)
    assert "<U+001B>" in ours and "<U+0007>" in ours and "pwned" in ours


# ------------------------------------------------------------ overlapping and colliding outputs

@pytest.mark.parametrize("output, where", [
    ("in", "is the input folder"),  # rewrote every input without --in-place
    ("link", "is the input folder"),  # a link to it: the same
    (".", "holds the input"),  # the clean copies mixed with the inputs
], ids=["same", "link-to-it", "holds-it"])
def test_an_output_folder_that_overlaps_the_inputs_is_refused(tmp_path: Path, output: str, where: str) -> None:
    src = write(tmp_path / "in" / "a.txt", NOISY)
    (tmp_path / "link").symlink_to("in")
    proc = run_main("clean", "in", "-o", output, cwd=tmp_path)
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2, err
    assert err == f"error: -o {output} {where} " + err.split(f"{where} ", 1)[1] and "choose" in err, err
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["in", "in/a.txt", "link"]
    assert src.read_text(encoding="utf-8") == NOISY


@pytest.mark.parametrize(("command", "option"), [("clean", "--log"), ("clean", "--report"), ("report", "-o")])
def test_a_log_or_report_that_is_an_input_is_refused(tmp_path: Path, command: str, option: str) -> None:
    # The message names the option as the user typed it: `cleaner report` takes the page's file as -o.
    src = write(tmp_path / "a.txt", NOISY)
    proc = run_main(command, "a.txt", *(["-o", "out"] if command == "clean" else []), option, "a.txt", cwd=tmp_path)
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2 and f"error: {option} a.txt is the input a.txt" in err, err
    assert src.read_text(encoding="utf-8") == NOISY and not (tmp_path / "out").exists()


@pytest.mark.parametrize("inputs", [["d1/a.txt", "d2/a.txt"], ["d1", "d2"]], ids=["files", "folders"])
def test_two_inputs_for_one_output_file_are_refused_naming_both(tmp_path: Path, inputs: list[str]) -> None:
    write(tmp_path / "d1" / "a.txt", NOISY)
    write(tmp_path / "d2" / "a.txt", "第二篇。\n")
    proc = run_main("clean", *inputs, "-o", "out", cwd=tmp_path)
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2
    assert "error: d1/a.txt and d2/a.txt would both be written to out/a.txt" in err, err
    assert not (tmp_path / "out").exists()


def test_standard_input_given_twice_is_refused(tmp_path: Path) -> None:
    proc = run_main("clean", "-o", "out", "-", "-", stdin=NOISY.encode("utf-8"), cwd=tmp_path)
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2 and "error: - is given 2 times: standard input can be read only once" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", [["clean", "{src}", "-o", "{out}"], ["clean", "{src}", "--report", "{out}"],
                                     ["report", "{src}", "-o", "{out}"]], ids=["clean-o", "clean-report", "report"])
def test_an_output_that_names_a_pipe_is_written_into_not_replaced(tmp_path: Path, command: list[str]) -> None:
    """``-o /dev/null`` as root put a regular file where the device was; a FIFO stands in for it here."""
    src = write(tmp_path / "a.txt", NOISY)
    out = tmp_path / "out.txt"
    os.mkfifo(out)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(out.read_bytes()), daemon=True)
    reader.start()
    # A process of its own, with a time limit: a run that waits on the FIFO fails the test, not hangs it.
    proc = subprocess.run([*cleaner_command(), *(a.format(src=src, out=out) for a in command)], cwd=tmp_path,
                          capture_output=True, timeout=60)
    reader.join(timeout=30)
    assert proc.returncode in (0, 1), proc.stderr.decode("utf-8")
    assert stat.S_ISFIFO(out.stat().st_mode) and got and got[0]
    if command[2] == "-o" and command[0] == "clean":
        assert got == [CLEAN.encode("utf-8")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "out.txt"]


# ------------------------------------------------------------ standard output that fails

@pytest.mark.parametrize("args", [["clean", "{src}"], ["clean", "--diff", "{src}"], ["diff", "{src}"],
                                  ["rules", "list"], ["--help"], ["clean", "--help"], ["--version"]],
                         ids=["text", "clean-diff", "diff", "rules-list", "help", "clean-help", "version"])
def test_a_full_disk_on_standard_output_is_one_line_and_exit_2(tmp_path: Path, args: list[str]) -> None:
    src = write(tmp_path / "a.txt", NOISY)
    with open("/dev/full", "wb") as full:
        proc = subprocess.run([*cleaner_command(), *(a.format(src=src) for a in args)], stdout=full,
                              stderr=subprocess.PIPE, timeout=120)
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2, err
    assert err.endswith("error: cannot write to standard output: No space left on device; "
                        "standard output is incomplete\n"), err
    assert "Traceback" not in err and "Exception ignored" not in err


@pytest.mark.parametrize("args", [["clean", "--diff", "-q", "{folder}"], ["diff", "-q", "{folder}"]],
                         ids=["clean-diff", "diff"])
def test_a_closed_pipe_ends_the_run_quietly_as_sigpipe_would(tmp_path: Path, args: list[str]) -> None:
    """``cleaner … | head``: exit 141 (128 + SIGPIPE) and not a word, as a Unix tool whose reader went away."""
    for i in range(200):
        write(tmp_path / "in" / f"{i:03d}.txt", NOISY)
    proc = subprocess.Popen([*cleaner_command(), *(a.format(folder=tmp_path / "in") for a in args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(100)
    proc.stdout.close()  # as head does when it has its lines
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=120) == 141, err
    assert err == "", err


# ------------------------------------------------------------ a full file system

def _small_filesystem_allowed() -> bool:
    try:
        return subprocess.run(["unshare", "-rm", "true"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


FILL_AND_RUN = """\
mount -t tmpfs -o size=64k none "$DISK" || exit 99
if [ -n "$INPUT" ]; then cp "$INPUT" "$DISK/"; fi
head -c 1000000 /dev/zero > "$DISK/filler" 2>/dev/null
"$@"
echo "exit $?"
if [ -n "$INPUT" ] && cmp -s "$INPUT" "$DISK/$(basename "$INPUT")"; then echo "input kept"; fi
"""


@pytest.mark.parametrize("mode", ["-o", "--in-place"])
def test_a_full_disk_names_the_file_it_could_not_write_and_leaves_it(tmp_path: Path, mode: str) -> None:
    """On a real 64 kB file system, full: the message says which file and why, not "(None)"."""
    if shutil.which("unshare") is None or not _small_filesystem_allowed():
        pytest.skip("this kernel does not let a test mount a small file system of its own (unshare -rm)")
    src = write(tmp_path / "big.txt", NOISY * 20)
    disk = tmp_path / "disk"
    disk.mkdir()
    if mode == "-o":
        target, args, env = disk / "out" / "big.txt", [str(src), "-o", str(disk / "out")], {"INPUT": ""}
    else:
        target, args, env = disk / "big.txt", [str(disk / "big.txt"), "--in-place"], {"INPUT": str(src)}
    proc = subprocess.run(["unshare", "-rm", "sh", "-c", FILL_AND_RUN, "sh", *cleaner_command(), "clean", *args],
                          capture_output=True, timeout=120, env={**os.environ, "DISK": str(disk), **env})
    err, out = proc.stderr.decode("utf-8"), proc.stdout.decode("utf-8")
    assert "exit 2" in out, (out, err)
    where = "" if mode == "--in-place" else f" {target}"  # the file itself is not named twice
    assert f"error: {args[0]}: cannot write{where}: No space left on device; it was left as it was" in err, err
    assert "(None)" not in err and "Traceback" not in err
    if mode == "--in-place":
        assert "input kept" in out


# ------------------------------------------------------------ interrupted and killed runs

SAMPLE = sorted((SAMPLES / "input").glob("*.txt"))[0].read_bytes()


def batch(folder: Path, count: int = 1500) -> list[Path]:
    """A batch that takes a few seconds with two workers."""
    return [write(folder / f"{i:04d}.txt", SAMPLE) for i in range(count)]


def _alive(pid: int) -> bool:
    """Is ``pid`` running (not gone, and not a zombie that no one reaped)?"""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


_AS_FROM_A_TERMINAL = ("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
                       "os.execv(sys.argv[1], sys.argv[1:])")


class Run:
    """The installed command in a process of its own, its streams in files (a killed parent's
    orphans must not hold a test's pipe), and every process it started, ended when the test is done."""

    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.err_path = tmp_path / "stderr.txt"
        with open(tmp_path / "stdout.txt", "wb") as out, open(self.err_path, "wb") as err:
            # Started as from a terminal: Ctrl-C delivered. A test run launched in the background
            # (`cmd &` in a script) ignores SIGINT, its children inherit that, and the cleaner rightly
            # leaves an ignored SIGINT ignored; exec keeps the process, and its pid, the cleaner's.
            self.proc = subprocess.Popen([sys.executable, "-c", _AS_FROM_A_TERMINAL, *cleaner_command(), *args],
                                         stdout=out, stderr=err, env={**os.environ, "PYTHONFAULTHANDLER": "1"})
        self.seen: set[int] = set()

    def wait(self, timeout: float = 30) -> int:
        """The exit code; a run still going after ``timeout`` seconds fails the test, with where it hangs."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            for pid in [self.proc.pid, *self.workers()]:
                os.kill(pid, signal.SIGABRT)  # the fault handler prints every thread's stack
            self.proc.wait(timeout=30)
            pytest.fail(f"still running {timeout} s on; where it was:\n{self.stderr()[-6000:]}")

    def workers(self) -> set[int]:
        found = _descendants(self.proc.pid)
        self.seen |= found
        return found

    def wait_until(self, ready: Callable[[], bool], what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            assert self.proc.poll() is None, f"the run ended before {what}: {self.stderr()}"
            assert time.monotonic() < deadline, f"no {what} after {timeout} s"
            self.workers()
            time.sleep(0.005)

    def stderr(self) -> str:
        return self.err_path.read_text(encoding="utf-8", errors="replace")

    def end(self) -> None:
        for pid in [self.proc.pid, *self.seen]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        self.proc.wait(timeout=30)


@pytest.fixture
def runs() -> Iterator[list[Run]]:
    started: list[Run] = []
    yield started
    for run in started:
        run.end()


def _gone(pids: set[int], timeout: float) -> set[int]:
    """Those of ``pids`` still running after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return {p for p in pids if _alive(p)}


def test_workers_end_when_the_main_process_is_killed(tmp_path: Path, runs: list[Run]) -> None:
    """SIGKILL of the main process alone (an OOM killer, kill -9): its workers do not wait for work for ever."""
    batch(tmp_path / "in")
    run = Run(tmp_path, "clean", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "-j", "2")
    runs.append(run)
    run.wait_until(lambda: len(run.workers()) >= 2 and (tmp_path / "out").is_dir(), "two busy workers")
    workers = run.workers()
    run.proc.kill()
    run.wait()
    assert _gone(workers, timeout=15) == set(), "workers left behind by a killed run"
    assert not list((tmp_path / "out").glob(".*.tmp")), "a stopped worker left its temporary file"


def test_ctrl_c_exits_130_stops_the_workers_and_says_how_far_it_got(tmp_path: Path, runs: list[Run]) -> None:
    inputs = batch(tmp_path / "in")
    log = tmp_path / "log.jsonl"
    run = Run(tmp_path, "clean", str(tmp_path / "in"), "--in-place", "--log", str(log), "-j", "2")
    runs.append(run)
    run.wait_until(lambda: inputs[0].read_bytes() != SAMPLE, "rewritten file")
    workers = run.workers()
    run.proc.send_signal(signal.SIGINT)  # to the main process alone, as `kill -INT` does
    assert run.wait() == 130, run.stderr()
    err = run.stderr()
    assert "interrupted: stopped after " in err and f"of {len(inputs)} file(s)" in err, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert _gone(workers, timeout=15) == set()
    rewritten = {str(p) for p in inputs if p.read_bytes() != SAMPLE}
    done = int(err.split("stopped after ")[1].split()[0])
    assert len(rewritten) == done < len(inputs)  # no input rewritten beyond what was reported
    logged = [json.loads(line)["path"] for line in log.read_text(encoding="utf-8").splitlines()
              if json.loads(line)["type"] == "document"]
    assert set(logged) == rewritten
    assert not list((tmp_path / "in").glob(".*.tmp"))


def test_an_in_place_run_killed_midway_has_every_rewritten_file_in_its_log(tmp_path: Path,
                                                                           runs: list[Run]) -> None:
    """SIGKILL, no chance to clean up: still, no input is rewritten before its change log is on disk."""
    inputs = batch(tmp_path / "in")
    log = tmp_path / "log.jsonl"
    run = Run(tmp_path, "clean", str(tmp_path / "in"), "--in-place", "--log", str(log), "-j", "2")
    runs.append(run)
    run.wait_until(lambda: sum(p.read_bytes() != SAMPLE for p in inputs[:3]) == 3, "rewritten files")
    run.proc.kill()
    run.wait()
    _gone(run.seen, timeout=15)
    rewritten = {str(p) for p in inputs if p.read_bytes() != SAMPLE}
    assert 3 <= len(rewritten) < len(inputs)
    # The kill may cut the last write short: that file was not rewritten yet.
    *lines, torn = log.read_text(encoding="utf-8", errors="replace").split("\n") if log.exists() else [""]
    logged = {r["path"] for r in map(json.loads, lines) if r["type"] == "document"}
    assert rewritten <= logged, f"rewritten but not in the log: {sorted(rewritten - logged)[:5]} ({torn[:80]!r})"
