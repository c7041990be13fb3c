"""The README's promises hold: its worked rule example works, and .ci/run runs
exactly the README's test command."""

from __future__ import annotations

import re
from pathlib import Path

from support import REPO, run_main

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
