"""The README's promises hold: its worked rule example works, its Python
examples run and do what the command does, and .ci/run runs exactly the
README's test command."""

from __future__ import annotations

import contextlib
import re
import shutil
from pathlib import Path

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
