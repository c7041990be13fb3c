"""The pipeline from Python is the pipeline the command runs: same bytes, same log, same errors."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

import cleaner
from cleaner.files import Source
from cleaner.pipeline import WriteBack
from support import SAMPLES, run_main

NOISY = "在全县大会上的讲话\n更新时间:2022-10 来源:网友投稿\n同志们:\n　　XX同志代表县委讲话。\n"


def test_clean_file_gives_what_the_command_writes_and_logs(tmp_path: Path) -> None:
    out, log = tmp_path / "out", tmp_path / "log.jsonl"
    assert run_main("clean", str(SAMPLES / "input"), "-o", str(out), "--log", str(log), "-q").returncode == 0
    logs = []
    for path in sorted((SAMPLES / "input").glob("*.txt")):
        outcome = cleaner.clean_file(path, log=True)
        assert outcome.ok and outcome.label == str(path)
        assert outcome.output == (out / path.name).read_bytes()
        stamp = cleaner.Pipeline(log=True).stamp  # the version and the rules, in the document record
        assert outcome.result is not None and outcome.result.jsonl(outcome.label, stamp) == outcome.log
        logs.append(outcome.log)
    assert "".join(logs) == log.read_text(encoding="utf-8")


@pytest.mark.parametrize("data, error", [
    (bytes(range(256)) * 8, "looks like a binary file"),  # what the command prints after "error: NAME: "
    (b"\xef\xbb\xbf\xff\xfe", "starts with a utf-8-sig byte-order mark but is not utf-8-sig"),
])
def test_a_bad_file_is_an_outcome_with_the_commands_message(tmp_path: Path, data: bytes, error: str) -> None:
    outcome = cleaner.clean_file(data, name="doc-17")
    assert not outcome.ok and outcome.error is not None and outcome.error.startswith(error)
    assert (outcome.label, outcome.output, outcome.result) == ("doc-17", None, None)
    (tmp_path / "doc-17.txt").write_bytes(data)
    done = run_main("clean", str(tmp_path / "doc-17.txt"))
    assert done.returncode == 2
    assert done.stderr.decode("utf-8") == f"error: {tmp_path / 'doc-17.txt'}: {outcome.error}\n"


def test_bytes_are_named_in_the_log_and_take_the_options() -> None:
    outcome = cleaner.clean_file(NOISY.encode("gbk"), options=cleaner.Options(placeholder="某某"),
                                 name="doc-17", log=True)
    assert outcome.text == "在全县大会上的讲话\n同志们：\n某某同志代表县委讲话。\n"
    assert outcome.changed and outcome.result is not None and outcome.result.info.encoding == "gb18030"
    assert '"path": "doc-17"' in outcome.log and '"rule": "FN001"' in outcome.log


def test_a_pipeline_in_place_rewrites_only_what_changes_and_in_parallel(tmp_path: Path) -> None:
    files = [tmp_path / f"{i}.txt" for i in range(4)]
    for i, path in enumerate(files):
        path.write_text(NOISY if i % 2 else "同志们：\n", encoding="utf-8")
    before = {p: p.stat().st_mtime_ns for p in files}
    pipeline = cleaner.Pipeline(write_back=WriteBack.IN_PLACE)
    sources = cleaner.find_sources([str(tmp_path)], ["*.txt"], []).sources
    outcomes = list(cleaner.clean_many(pipeline, sources, jobs=2))
    assert [o.label for o in outcomes] == [str(p) for p in files]
    assert [o.changed for o in outcomes] == [False, True, False, True]
    assert all(o.output is None for o in outcomes)  # written, not returned
    assert files[1].read_text(encoding="utf-8") == "在全县大会上的讲话\n同志们：\n××同志代表县委讲话。\n"
    assert files[0].stat().st_mtime_ns == before[files[0]]


def test_a_folder_pipeline_needs_its_folder() -> None:
    with pytest.raises(ValueError, match="output folder"):
        cleaner.Pipeline(write_back=WriteBack.FOLDER)
    with pytest.raises(ValueError, match="output folder"):
        cleaner.Pipeline(output=Path("out"))
    assert cleaner.Pipeline().run_bytes(b"XX\n", Source(None, Path("x.txt"))).text == "××\n"


def test_the_log_says_which_version_and_which_rules_cleaned_a_document(tmp_path: Path) -> None:
    page = "笔耕书屋，好文共赏\n同志们,今天开会。\n".encode()
    default = cleaner.clean_file(page, log=True)
    record = json.loads(default.log.splitlines()[0])
    assert record["cleaner"] == cleaner.__version__ and record["rules"].startswith("sha256:")
    fewer = cleaner.clean_file(page, log=True, rules=[r for r in cleaner.default_rules()
                                                     if r.id != "PU002"])
    assert json.loads(fewer.log.splitlines()[0])["rules"] != record["rules"]


def test_changes_are_recorded_only_when_something_reads_them() -> None:
    """Without a log, diff, report or kept results, the changes are counted, not recorded: the same file."""
    source = Source(None, Path("speech.txt"))
    lean, full = cleaner.Pipeline(), cleaner.Pipeline(log=True)
    assert not lean.options.log and full.options.log
    assert cleaner.Pipeline(keep_result=True).options.log
    data = NOISY.encode("utf-8")
    a, b = lean.run_bytes(data, source), full.run_bytes(data, source)
    assert a.output == b.output and a.summary == b.summary and a.rule_counts == b.rule_counts
    assert a.warnings == b.warnings and a.rule_counts.get("PU002")


def test_quiet_writes_logs_and_exits_as_a_run_with_messages_and_prints_only_errors(tmp_path: Path) -> None:
    """-q builds no file's summary or warning lines: what it writes, logs and exits with is the same."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    for path in sorted((SAMPLES / "input").glob("*.txt")):
        (inputs / path.name).write_bytes(path.read_bytes())
    (inputs / "zz-photo.txt").write_bytes(bytes(range(256)) * 8)  # an error, said even with -q
    (inputs / "damaged.txt").write_text("同志们：\n今天锟斤拷开会。\n", encoding="utf-8")  # a warning (MJ004)
    runs = {}
    for name, flags in (("said", []), ("quiet", ["-q"])):
        out, log = tmp_path / f"out-{name}", tmp_path / f"{name}.jsonl"
        runs[name] = run_main("clean", str(inputs), "-o", str(out), "--log", str(log), *flags)
    said, quiet = runs["said"], runs["quiet"]
    assert said.returncode == quiet.returncode == 2
    errors = [line for line in said.stderr.decode("utf-8").splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "warning:" in said.stderr.decode("utf-8")  # the samples have warnings
    assert quiet.stderr.decode("utf-8").splitlines() == errors
    for path in sorted((tmp_path / "out-said").iterdir()):
        assert path.read_bytes() == (tmp_path / "out-quiet" / path.name).read_bytes()
    assert sorted(p.name for p in (tmp_path / "out-quiet").iterdir()) == sorted(
        p.name for p in (tmp_path / "out-said").iterdir())
    assert (tmp_path / "said.jsonl").read_bytes() == (tmp_path / "quiet.jsonl").read_bytes()


def test_a_pipeline_without_messages_gives_the_same_counts_and_bytes() -> None:
    for path in sorted((SAMPLES / "input").glob("*.txt")):
        said = cleaner.Pipeline().run_bytes(path.read_bytes(), Source(path, Path(path.name)))
        quiet = cleaner.Pipeline(messages=False).run_bytes(path.read_bytes(), Source(path, Path(path.name)))
        assert said.summary and (quiet.summary, quiet.warnings, quiet.notes, quiet.form) == ("", (), (), "")
        assert (said.output, said.changed, said.rule_counts, said.truncated, said.damaged) == (
            quiet.output, quiet.changed, quiet.rule_counts, quiet.truncated, quiet.damaged)


@pytest.mark.parametrize("data", [
    "同志们：\n今天我们开会。\n".encode("utf-8"),  # clean UTF-8: its bytes are let go, the text tells
    "同志们：\n今天我们开会。".encode("utf-8"),  # no final break: one is added
    codecs.BOM_UTF8 + "同志们：\n".encode("utf-8"),
    "同志们：\r\n今天我们开会。\r\n".encode("utf-8"),
    "同志们：\n今天我们开会。\n".encode("gb18030"),
    "同志们：\n".encode("utf-16"),
    "同志们：\n".encode("utf-8") + b"\xff" + "今天我们开会。\n".encode("utf-8"),
    NOISY.encode("utf-8"),
    b"",
], ids=["utf-8", "no-final-break", "bom", "crlf", "gb18030", "utf-16", "damaged", "noisy", "empty"])
def test_changed_says_whether_the_clean_bytes_differ_from_the_input(data: bytes) -> None:
    outcome = cleaner.clean_file(data, name="doc")
    assert outcome.error is None and outcome.output is not None
    assert outcome.changed == (outcome.output != data)


def test_a_stopped_pool_prints_no_traceback_for_its_cancelled_files() -> None:
    """Python 3.11's pool manager set an exception on cancelled futures after Ctrl-C (CPython gh-107219):
    "Exception in thread … InvalidStateError" followed "interrupted: stopped after …". Passed over; no other."""
    import threading
    from concurrent.futures import InvalidStateError

    from cleaner.pipeline import _quiet_cancelled_futures

    class _ExecutorManagerThread(threading.Thread):  # named as the pool's own
        def __init__(self, error: Exception) -> None:
            super().__init__()
            self.error = error

        def run(self) -> None:
            raise self.error

    said: list[str] = []  # what reaches the hook in place before (Python's prints the traceback)
    before = threading.excepthook
    threading.excepthook = lambda args: said.append(f"{args.exc_type.__name__}: {args.exc_value}")
    try:
        _quiet_cancelled_futures()
        _quiet_cancelled_futures()  # once is enough: not a hook on a hook
        for error in (InvalidStateError("CANCELLED: <Future state=cancelled>"), ValueError("a real bug")):
            thread = _ExecutorManagerThread(error)
            thread.start()
            thread.join()
        other = threading.Thread(target=lambda: (_ for _ in ()).throw(InvalidStateError("elsewhere")))
        other.start()
        other.join()
    finally:
        threading.excepthook = before
    assert said == ["ValueError: a real bug", "InvalidStateError: elsewhere"]
