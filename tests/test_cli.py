"""The `cleaner` command on real files: modes, exit codes, errors.

The tests call :func:`cleaner.cli.main` in this process (``run_main``); the
last ones check that the installed console script, in a process of its own,
gives the same bytes and exit codes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from support import SLOGAN_RULE, run_cleaner, run_main

NOISY = "在全县大会上的讲话\n更新时间:2022-10 来源:网友投稿\n同志们:\n　　XX同志代表县委讲话。\n"
CLEAN = "在全县大会上的讲话\n同志们：\n××同志代表县委讲话。\n"


def make(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_file_to_stdout_and_stdin_filter_agree(tmp_path: Path) -> None:
    src = make(tmp_path, "a.txt", NOISY)
    by_file = run_main("clean", str(src))
    by_pipe = run_main("clean", "-", stdin=src.read_bytes())
    assert by_file.returncode == by_pipe.returncode == 0
    assert by_file.stdout == by_pipe.stdout == CLEAN.encode("utf-8")
    assert "FN001" in by_file.stderr.decode("utf-8")


def test_folder_to_output_folder_keeps_relative_paths(tmp_path: Path) -> None:
    make(tmp_path / "in", "a.txt", NOISY)
    make(tmp_path / "in", "sub/b.txt", "第一段。\n")
    make(tmp_path / "in", "notes.md", "not a speech")
    out = tmp_path / "out"
    proc = run_main("clean", str(tmp_path / "in"), "-o", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    assert (out / "a.txt").read_text(encoding="utf-8") == CLEAN
    assert (out / "sub/b.txt").read_text(encoding="utf-8") == "第一段。\n"
    assert not (out / "notes.md").exists()
    assert (tmp_path / "in/a.txt").read_text(encoding="utf-8") == NOISY  # input untouched


def test_in_place_writes_only_files_that_change(tmp_path: Path) -> None:
    noisy = make(tmp_path, "noisy.txt", NOISY)
    clean = make(tmp_path, "clean.txt", CLEAN)
    os.utime(clean, (1_000_000_000, 1_000_000_000))
    proc = run_main("clean", str(tmp_path), "--in-place", "-q")
    assert proc.returncode == 0, proc.stderr
    assert noisy.read_text(encoding="utf-8") == CLEAN
    assert clean.stat().st_mtime == 1_000_000_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean.txt", "noisy.txt"]  # no temp files


def test_check_exits_1_when_something_would_change_and_writes_nothing(tmp_path: Path) -> None:
    noisy = make(tmp_path, "noisy.txt", NOISY)
    assert run_main("clean", "--check", str(noisy)).returncode == 1
    assert noisy.read_text(encoding="utf-8") == NOISY
    clean = make(tmp_path, "clean.txt", CLEAN)
    assert run_main("clean", "--check", str(clean)).returncode == 0


def test_diff_prints_a_unified_diff_and_exits_1(tmp_path: Path) -> None:
    noisy = make(tmp_path, "noisy.txt", NOISY)
    proc = run_main("clean", "--diff", str(noisy))
    assert proc.returncode == 1
    out = proc.stdout.decode("utf-8")
    assert "--- a/noisy.txt" in out and "+++ b/noisy.txt" in out
    assert "-更新时间:2022-10 来源:网友投稿" in out and "+××同志代表县委讲话。" in out
    assert noisy.read_text(encoding="utf-8") == NOISY


def test_log_is_json_lines_with_documented_fields(tmp_path: Path) -> None:
    src = make(tmp_path, "a.txt", NOISY)
    log = tmp_path / "log.jsonl"
    proc = run_main("clean", str(src), "-o", str(tmp_path / "out"), "--log", str(log))
    assert proc.returncode == 0
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    doc, changes = records[0], records[1:]
    assert doc["type"] == "document" and doc["encoding"] == "utf-8" and doc["changes"] == len(changes)
    fn = next(r for r in changes if r["rule"] == "FN001")
    assert (fn["action"], fn["line"], fn["column"], fn["after"]) == ("drop_line", 2, 1, "")
    assert fn["before"] == "更新时间:2022-10 来源:网友投稿"


def test_placeholder_options(tmp_path: Path) -> None:
    src = make(tmp_path, "a.txt", "XX同志讲话。\n")
    assert run_main("clean", str(src), "--placeholder", "某某").stdout.decode() == "某某同志讲话。\n"
    assert run_main("clean", str(src), "--anonymise", "keep").stdout.decode() == "XX同志讲话。\n"
    assert run_main("clean", str(src), "--anonymise", "drop").stdout.decode() == "同志讲话。\n"


def test_missing_path_is_exit_2_with_a_message(tmp_path: Path) -> None:
    proc = run_main("clean", str(tmp_path / "nope.txt"))
    assert proc.returncode == 2
    err = proc.stderr.decode("utf-8")
    assert "nope.txt" in err and "no such file" in err and "Traceback" not in err


def test_bad_file_in_a_batch_is_skipped_and_the_rest_is_cleaned(tmp_path: Path) -> None:
    src = tmp_path / "in"
    make(src, "good.txt", NOISY)
    make(src, "gbk.txt", NOISY.encode("gbk"))
    make(src, "binary.txt", bytes(range(256)) * 8)
    make(src, "empty.txt", b"")
    out = tmp_path / "out"
    proc = run_main("clean", str(src), "-o", str(out))
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2
    assert "binary.txt" in err and "binary" in err and "Traceback" not in err
    assert (out / "good.txt").read_text(encoding="utf-8") == CLEAN
    assert (out / "gbk.txt").read_text(encoding="utf-8") == CLEAN
    assert (out / "empty.txt").read_bytes() == b""
    assert not (out / "binary.txt").exists()


def test_bad_rule_file_is_exit_2_naming_file_rule_and_field(tmp_path: Path) -> None:
    rules = make(tmp_path, "mine.toml", SLOGAN_RULE.replace("'^笔耕书屋，好文共赏$'", "'(oops'"))
    src = make(tmp_path, "a.txt", NOISY)
    proc = run_main("clean", str(src), "--rules", str(rules))
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2
    assert str(rules) in err and "MY001" in err and "patterns[0]" in err
    assert proc.stdout == b""


def test_user_rule_file_adds_a_rule_that_is_logged_under_its_id(tmp_path: Path) -> None:
    rules = make(tmp_path, "mine.toml", SLOGAN_RULE)
    src = make(tmp_path, "a.txt", "笔耕书屋，好文共赏\n同志们：\n")
    log = tmp_path / "log.jsonl"
    proc = run_main("clean", str(src), "--rules", str(rules), "--log", str(log))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode("utf-8") == "同志们：\n"
    assert '"rule": "MY001"' in log.read_text(encoding="utf-8")


def test_batch_summary_and_parallel_equals_serial(tmp_path: Path) -> None:
    src = tmp_path / "in"
    for i in range(12):
        make(src, f"{i:02d}.txt", NOISY if i % 2 else CLEAN)
    make(src, "gbk.txt", NOISY.encode("gbk"))
    make(src, "binary.txt", bytes(range(256)) * 8)
    make(src, "empty.txt", b"")
    runs = {}
    for jobs in ("1", "2"):
        out, log = tmp_path / f"out{jobs}", tmp_path / f"log{jobs}.jsonl"
        proc = run_main("clean", str(src), "-o", str(out), "--jobs", jobs, "--log", str(log))
        err = proc.stderr.decode("utf-8")
        assert proc.returncode == 2  # something was skipped
        assert "15 file(s) seen: 7 changed, 7 unchanged, 1 skipped" in err
        assert "skipped" in err and "binary.txt" in err and "changes per rule:" in err
        runs[jobs] = ({p.name: p.read_bytes() for p in out.iterdir()},
                      log.read_text(encoding="utf-8").replace(f"out{jobs}", "out"))
    assert runs["1"] == runs["2"]
    assert runs["1"][0]["gbk.txt"] == CLEAN.encode("utf-8")


def test_output_folder_is_rewritten_only_where_content_changes(tmp_path: Path) -> None:
    make(tmp_path / "in", "a.txt", NOISY)
    out = tmp_path / "out"
    assert run_main("clean", str(tmp_path / "in"), "-o", str(out), "-q").returncode == 0
    os.utime(out / "a.txt", (1_000_000_000, 1_000_000_000))
    assert run_main("clean", str(tmp_path / "in"), "-o", str(out), "-q").returncode == 0
    assert (out / "a.txt").stat().st_mtime == 1_000_000_000


@pytest.mark.parametrize("args, code", [
    (["clean", "{noisy}"], 0),  # the clean text to stdout
    (["clean", "--check", "{noisy}"], 1),
    (["clean", "--diff", "{noisy}"], 1),
    (["clean", "{missing}"], 2),
    (["clean", "{noisy}", "--check", "--in-place"], 2),  # an error that ends the run
    (["rules", "show", "NO999"], 2),
])
def test_installed_script_gives_what_main_gives(tmp_path: Path, args: list[str], code: int) -> None:
    noisy = make(tmp_path, "noisy.txt", NOISY)
    argv = [a.format(noisy=noisy, missing=tmp_path / "nope.txt") for a in args]
    script, in_process = run_cleaner(*argv), run_main(*argv)
    assert script.returncode == in_process.returncode == code
    assert (script.stdout, script.stderr) == (in_process.stdout, in_process.stderr)
    assert noisy.read_text(encoding="utf-8") == NOISY


START_UP = """\
import sys
from cleaner.cli import main
code = main(["clean", sys.argv[1], "-o", sys.argv[2]])
print(code, sorted(m for m in sys.modules if m.split(".")[0] in ("chardet", "ftfy", "concurrent", "xml")
                   or m in ("cleaner.records", "cleaner.docx", "cleaner.report", "cleaner.review", "cleaner.render")))
"""


def test_one_text_file_loads_none_of_the_code_it_does_not_need(tmp_path: Path) -> None:
    """Start-up of one small file: no records, Word, report or pool code, no detector, no ftfy (UTF-8 input)."""
    src = make(tmp_path, "a.txt", NOISY)
    proc = subprocess.run([sys.executable, "-c", START_UP, str(src), str(tmp_path / "out")], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "0 []"
    assert (tmp_path / "out" / "a.txt").read_text(encoding="utf-8") == CLEAN


@given(st.binary(max_size=64), st.sampled_from(["a.txt", "a.docx", "A.DOCX", "<stdin>"]))
def test_what_skips_the_word_code_is_what_it_would_neither_refuse_nor_read(data: bytes, name: str) -> None:
    from cleaner import docx
    from cleaner.files import may_be_word

    if not may_be_word(data, name):
        assert docx.refusal(data, name) is None and not docx.is_docx(data)


def test_a_log_longer_than_one_piece_is_written_whole_and_taken_back_whole(tmp_path: Path) -> None:
    from cleaner.cli import _LOG_PIECE, _LogFile

    first = '{"type": "document", "path": "a.txt"}\n'
    big = "".join(f'{{"type": "change", "before": "同志们{i}"}}\n' for i in range(_LOG_PIECE // 20))
    assert len(big) > 2 * _LOG_PIECE
    log = _LogFile(tmp_path / "log.jsonl")
    try:
        log.add(first)
        log.add(big)
        assert (tmp_path / "log.jsonl").read_text(encoding="utf-8") == first + big
        log.take_back()
        assert (tmp_path / "log.jsonl").read_text(encoding="utf-8") == first
    finally:
        log.close()
