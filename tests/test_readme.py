"""The README's promises hold: its worked rule example works, its Python
examples run and do what the command does, and .ci/run runs exactly the
README's test command."""

from __future__ import annotations

import contextlib
import gzip
import importlib.util
import json
import re
import shlex
import shutil
from pathlib import Path

import pytest

import cleaner
from support import REPO, SAMPLES, run_main

README = (REPO / "README.md").read_text(encoding="utf-8")


def code_blocks(lang: str) -> list[str]:
    return [m.group(1) for m in re.finditer(rf"```{lang}\n(.*?)```", README, re.S)]


def test_worked_rule_example_passes_its_own_test_and_cleans(tmp_path: Path) -> None:
    block = next(b for b in code_blocks("toml") if 'id = "BG001"' in b)
    rules = tmp_path / "bigeng.toml"
    rules.write_text("\n".join(line[3:] if line.startswith("   ") else line
                               for line in block.splitlines()), encoding="utf-8")
    assert run_main("rules", "test", str(rules)).returncode == 0
    src = tmp_path / "a.txt"
    src.write_text("同志们：\n谢谢大家！\n——笔耕书屋 每日精选，转载请联系——\n", encoding="utf-8")
    proc = run_main("clean", str(src), "--rules", str(rules))
    assert proc.stdout.decode("utf-8") == "同志们：\n谢谢大家！\n"


def test_ci_runs_the_readme_test_command() -> None:
    commands = [b.strip() for b in code_blocks("sh") if "pytest" in b]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert commands and all(c in ci for c in commands)


def test_quick_start_cleans_the_samples() -> None:
    first = next(b.strip() for b in code_blocks("sh") if "samples/input" in b)
    assert first.endswith("cleaner clean --diff samples/input")


def test_inline_diff_example_is_what_the_command_prints(tmp_path: Path) -> None:
    block = next(b for b in code_blocks("text") if b.startswith("$ cleaner diff speech.txt"))
    (tmp_path / "speech.txt").write_text(
        "在全镇春耕生产动员会上的讲话\nXX同志们:\n\n笔墨文行整理，咨询QQ2233445566\n今年春耕任务重、时间紧。\n",
        encoding="utf-8")
    done = run_main("diff", "speech.txt", "-q", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.decode("utf-8") == block.split("\n", 1)[1]


def test_python_pipeline_examples_run_and_do_what_the_command_does(tmp_path: Path) -> None:
    shutil.copytree(SAMPLES / "input", tmp_path / "samples" / "input")
    blocks = [b for b in code_blocks("python") if "clean_file" in b or "Pipeline(" in b]
    assert len(blocks) == 2
    with contextlib.chdir(tmp_path):
        one: dict[str, object] = {}
        exec(blocks[0], one)
        batch: dict[str, object] = {}
        exec(blocks[1], batch)
        done = run_main("clean", "samples/input", "-o", "by-command", "--log", "log.jsonl", "-q")
    assert done.returncode == 0
    outcome = one["outcome"]
    assert isinstance(outcome, cleaner.FileOutcome)
    assert outcome.error is not None and outcome.error.startswith("looks like a binary file")
    written = sorted(p.relative_to(tmp_path / "clean") for p in (tmp_path / "clean").rglob("*"))
    assert written == sorted(p.relative_to(tmp_path / "by-command")
                             for p in (tmp_path / "by-command").rglob("*"))
    for name in written:
        assert (tmp_path / "clean" / name).read_bytes() == (tmp_path / "by-command" / name).read_bytes()
    assert "".join(batch["log"]) == (tmp_path / "log.jsonl").read_text(encoding="utf-8")  # type: ignore[arg-type]


def test_every_test_the_readme_names_exists() -> None:
    import re

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(test_[a-z0-9_]+)`", readme))
    defined = set()
    for path in (REPO / "tests").glob("test_*.py"):
        defined.update(re.findall(r"^def (test_[a-z0-9_]+)", path.read_text(encoding="utf-8"), re.M))
    assert named and named <= defined, sorted(named - defined)


# ------------------------------------------------- every command in the README

SPEECH = "在全县大会上的讲话\n更新时间:2022-10 来源:网友投稿\n同志们:\nXX同志代表县委讲话。\n"
PLACEHOLDERS = {"[FILE...]": "rules/bigeng.toml", "PATHS": "raw", "DIR": "raw", "目录": "raw", "FILE": "speech.txt"}


def readme_commands() -> list[str]:
    """Every `cleaner …` command the README shows: the lines of its sh blocks and its inline code."""
    found = []
    for block in code_blocks("sh"):
        for line in block.splitlines():
            command = line.split("  #")[0].split("&&")[-1].strip()
            if "cleaner " in command:
                found.append(command)
    found += [" ".join(span.split()) for span in re.findall(r"`((?:\.venv/bin/)?cleaner\s[^`]+)`", README)]
    return found


def test_every_command_in_the_readme_runs(tmp_path: Path) -> None:
    """Each command of the README, run in order in a folder that has what it names (as
    pre-commit-hooks keeps its README in step): its options exist, and it runs to exit 0
    or 1. A fragment that names a command and options without its paths is checked
    against the command's --help."""
    (tmp_path / "raw" / "sub").mkdir(parents=True)
    (tmp_path / "speech.txt").write_text(SPEECH, encoding="utf-8")
    (tmp_path / "raw" / "a.txt").write_text(SPEECH, encoding="utf-8")
    (tmp_path / "raw" / "sub" / "b.txt").write_text(SPEECH.replace("XX", "×"), encoding="utf-8")
    (tmp_path / "downloads").mkdir()
    for i in range(3):
        (tmp_path / "downloads" / f"{i}.txt").write_text(f"第{i}段讲话。\n——笔耕书屋 每日精选，转载请联系——\n",
                                                         encoding="utf-8")
    shutil.copytree(SAMPLES / "input", tmp_path / "samples" / "input")
    block = next(b for b in code_blocks("toml") if 'id = "BG001"' in b)
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "bigeng.toml").write_text(
        "\n".join(line[3:] if line.startswith("   ") else line for line in block.splitlines()), encoding="utf-8")
    (tmp_path / ".cleaner.toml").write_text('rules = ["rules/bigeng.toml"]\n', encoding="utf-8")
    records = "".join(json.dumps({"url": f"https://example.org/{i}", "text": SPEECH}, ensure_ascii=False) + "\n"
                      for i in range(3))
    (tmp_path / "corpus.jsonl").write_text(records, encoding="utf-8")
    (tmp_path / "corpus.jsonl.gz").write_bytes(gzip.compress(records.encode("utf-8")))
    has_zstd = importlib.util.find_spec("zstandard") is not None
    commands = readme_commands()
    assert len(commands) > 25
    for command in commands:
        if "…" in command or (".zst" in command and not has_zstd):
            continue  # an elided path; or the zstd extra, which `.[test]` alone does not bring
        stdin = None
        if command.startswith("cat "):
            source, command = (part.strip() for part in command[4:].split("|", 1))
            stdin = (tmp_path / source).read_bytes()
        command = command.split(" > ", 1)[0]  # where the shell sends standard output
        for placeholder, value in PLACEHOLDERS.items():
            command = command.replace(placeholder, value)
        words = shlex.split(command.removeprefix(".venv/bin/"))
        assert words[0] == "cleaner", command
        args = words[1:]
        subcommand = args[:2] if args[0] == "rules" and len(args) > 1 else args[:1]
        helped = run_main(*subcommand, "--help").stdout.decode("utf-8")
        for word in args:
            if word.startswith("-") and word != "-":
                assert re.search(rf"(?<![\w-]){re.escape(word.split('=')[0])}\b", helped), (command, word)
        done = run_main(*args, stdin=stdin, cwd=tmp_path)
        err = done.stderr.decode("utf-8")
        if "Missing argument" in err or "requires an argument" in err:
            continue  # a fragment (`cleaner clean -o`): its options were checked above
        assert done.returncode in (0, 1), (command, err)


def test_the_options_table_lists_options_the_command_has() -> None:
    table = README.split("| option | meaning |", 1)[1].split("\n\n", 1)[0]
    options = set(re.findall(r"^\| `(-[-\w]+)", table, re.M)) | set(re.findall(r", `(--[-\w]+)", table))
    helped = run_main("clean", "--help").stdout.decode("utf-8")
    assert options and all(re.search(rf"(?<![\w-]){re.escape(o)}\b", helped) for o in options), options


def test_the_error_lines_the_readme_quotes_are_what_the_command_prints(tmp_path: Path) -> None:
    guard_line = next(line for line in README.splitlines() if "body text lost" in line and "MY900" in line)
    (tmp_path / "speech.txt").write_text("在全县大会上的讲话\nXX同志们:\n", encoding="utf-8")
    (tmp_path / "forgets.toml").write_text(FORGETFUL_RULE, encoding="utf-8")
    lost = run_main("clean", "speech.txt", "--rules", "forgets.toml", cwd=tmp_path)
    assert lost.stderr.decode("utf-8") == guard_line + "\n"
    rule_line = next(line for line in README.splitlines() if "invalid regular expression" in line)
    (tmp_path / "mine.toml").write_text(FORGETFUL_RULE.replace("MY900", "MY001").replace("'XX同志'", "'(oops'"),
                                        encoding="utf-8")
    bad = run_main("clean", "speech.txt", "--rules", "mine.toml", cwd=tmp_path)
    assert bad.stderr.decode("utf-8") == rule_line + "\n"


FORGETFUL_RULE = """\
family = "mine"

[[rule]]
id = "MY900"
summary = "A rule whose replacement forgets part of its match."
rationale = "The README's example of the guard."
action = "replace"
patterns = ['XX同志']
replacement = '同'
changes = [{ input = "XX同志", output = "同" }]
keeps = ["正文"]
"""


def test_a_browser_test_without_chromium_is_skipped_naming_the_install_command(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import test_report_browser

    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="sudo apt-get install chromium chromium-driver"):
        test_report_browser._chromium()
    assert "-rs" in (REPO / "pyproject.toml").read_text(encoding="utf-8")  # the summary says why
