"""Users shape the rules: their own rule files, configuration, rule tools, learn."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleaner import Options, RuleTimeout, clean_text, default_rules, load_rule_file
from support import SAMPLES, SLOGAN_RULE, run_main

AD = "笔耕书屋，好文共赏"
SPEECH = f"{AD}\n更新时间:2022-10 来源:网友投稿\n同志们：\nXX同志讲了话。\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_user_rule_cleans_a_folder_and_is_logged(tmp_path: Path) -> None:
    rules = write(tmp_path / "site.toml", SLOGAN_RULE)
    for i in range(3):
        write(tmp_path / "in" / f"{i}.txt", SPEECH)
    log = tmp_path / "log.jsonl"
    proc = run_main("clean", str(tmp_path / "in"), "-o", str(tmp_path / "out"),
                       "--rules", str(rules), "--log", str(log), "-q")
    assert proc.returncode == 0, proc.stderr
    for i in range(3):
        assert (tmp_path / "out" / f"{i}.txt").read_text(encoding="utf-8") == "同志们：\n××同志讲了话。\n"
    records = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()]
    assert sum(r.get("rule") == "MY001" for r in records) == 3


def test_ignore_keeps_that_rules_noise(tmp_path: Path) -> None:
    src = write(tmp_path / "a.txt", SPEECH)
    proc = run_main("clean", str(src), "--ignore", "FN001")
    assert "更新时间：2022-10 来源：网友投稿" in proc.stdout.decode("utf-8")  # kept, punctuation fixed
    proc = run_main("clean", str(src), "--ignore", "AN,FN")  # prefixes, comma-separated
    assert proc.stdout.decode("utf-8") == f"{AD}\n更新时间：2022-10 来源：网友投稿\n同志们：\nXX同志讲了话。\n"


def test_select_runs_only_those_rules_and_the_output_form(tmp_path: Path) -> None:
    src = write(tmp_path / "a.txt", "　　XX同志:好\n")
    proc = run_main("clean", str(src), "--select", "AN")
    assert proc.stdout.decode("utf-8") == "××同志:好\n"


def test_configuration_file_is_found_upward_and_cli_overrides_it(tmp_path: Path) -> None:
    write(tmp_path / "site.toml", SLOGAN_RULE)
    write(tmp_path / "pyproject.toml", '[tool.cleaner]\nrules = ["site.toml"]\n'
          'ignore = ["FN001"]\nplaceholder = "某某"\n')
    src = write(tmp_path / "texts" / "deep" / "a.txt", SPEECH)
    proc = run_main("clean", str(src), cwd=src.parent)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode("utf-8") == "更新时间：2022-10 来源：网友投稿\n同志们：\n某某同志讲了话。\n"
    proc = run_main("clean", str(src), "--placeholder", "[X]", cwd=src.parent)
    assert "[X]同志讲了话。" in proc.stdout.decode("utf-8")


@pytest.mark.parametrize("glob", ["drafts", "drafts/", "./drafts"])
def test_dot_cleaner_toml_and_include_exclude(tmp_path: Path, glob: str) -> None:
    # A folder as a .gitignore writes it ("drafts/") or a shell does ("./drafts") matched nothing, silently.
    write(tmp_path / ".cleaner.toml", f'include = ["*.txt", "*.text"]\nexclude = ["{glob}"]\n')
    write(tmp_path / "in" / "a.text", SPEECH)
    write(tmp_path / "in" / "drafts" / "b.txt", SPEECH)
    proc = run_main("clean", "in", "-o", "out", "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "a.text").exists()
    assert not (tmp_path / "out" / "drafts").exists()


def test_unknown_configuration_key_suggests_the_closest(tmp_path: Path) -> None:
    write(tmp_path / ".cleaner.toml", 'placehodler = "某某"\n')
    src = write(tmp_path / "a.txt", SPEECH)
    proc = run_main("clean", str(src), cwd=tmp_path)
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2
    assert ".cleaner.toml" in err and "placehodler" in err and "did you mean 'placeholder'" in err


def test_a_tool_cleaner_table_in_dot_cleaner_toml_says_where_the_settings_go(tmp_path: Path) -> None:
    write(tmp_path / ".cleaner.toml", '[tool.cleaner]\nplaceholder = "某某"\n')  # pyproject's form, in the wrong file
    proc = run_main("clean", str(write(tmp_path / "a.txt", SPEECH)), cwd=tmp_path)
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2 and "unknown key 'tool'; in a .cleaner.toml the settings stand at the top level" in err


@pytest.mark.parametrize(("edit", "field"), [
    (("'^笔耕书屋，好文共赏$'", "'^笔耕(书屋'"), "patterns[0]"),
    (('keeps = ["正文"]', ""), "keeps"),
    (('action = "drop_line"', 'action = "drop_line"\nmax_length = 3'), "max_length"),
])
def test_invalid_rule_file_is_exit_2_naming_file_rule_and_field(
        tmp_path: Path, edit: tuple[str, str], field: str) -> None:
    rules = write(tmp_path / "site.toml", SLOGAN_RULE.replace(*edit))
    proc = run_main("clean", str(write(tmp_path / "a.txt", SPEECH)), "--rules", str(rules))
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2 and proc.stdout == b""
    assert str(rules) in err and "MY001" in err and f"'{field}'" in err


def test_rules_list_show_and_test(tmp_path: Path) -> None:
    rules = write(tmp_path / "site.toml", SLOGAN_RULE)
    listing = run_main("rules", "list", "--format", "json", "--rules", str(rules))
    records = [json.loads(x) for x in listing.stdout.decode("utf-8").splitlines()]
    assert {"CT001", "MY001"} <= {r["id"] for r in records}
    assert {"id", "family", "action", "summary"} <= set(records[0])
    shown = run_main("rules", "show", "MY001", "--rules", str(rules)).stdout.decode("utf-8")
    assert "Drop the Bigeng shop slogan." in shown and "An ad the default rules" in shown
    gated = run_main("rules", "show", "FM002").stdout.decode("utf-8")
    assert "prefilter:\n  \\n[^\\S\\n]*\\n\n" in gated
    ok = run_main("rules", "test", str(rules))
    assert ok.returncode == 0 and "2 passed, 0 failed" in ok.stdout.decode("utf-8")


def test_rules_test_reports_a_failing_example_with_expected_and_actual(tmp_path: Path) -> None:
    wrong = SLOGAN_RULE.replace('output = "正文"', 'output = "正文。"')
    rules = write(tmp_path / "site.toml", wrong)
    proc = run_main("rules", "test", str(rules))
    out = proc.stdout.decode("utf-8")
    assert proc.returncode == 1
    assert "MY001" in out and "expected: '正文。\\n'" in out and "actual:   '正文\\n'" in out


CATASTROPHIC = """\
family = "mine"

[[rule]]
id = "MY666"
summary = "A catastrophic pattern."
rationale = "Nested quantifiers: exponential on a long run of a without b."
action = "delete"
patterns = ['(a|aa)+b']
changes = [{ input = "aab", output = "" }]
keeps = ["c"]
"""


def test_a_catastrophic_user_regex_times_out_with_its_id(tmp_path: Path) -> None:
    rule = load_rule_file(write(tmp_path / "bad.toml", CATASTROPHIC))
    with pytest.raises(RuleTimeout) as info:
        clean_text("同志们\n" + "a" * 40, rule, timeout=0.2)
    assert info.value.rule == "MY666" and info.value.line == 2
    src = write(tmp_path / "a.txt", "同志们\n" + "a" * 40 + "\n")
    proc = run_main("clean", str(src), "--in-place", "--rules", str(tmp_path / "bad.toml"),
                       "--timeout", "0.2")
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2 and "MY666" in err and "a.txt" in err and "left unchanged" in err
    assert src.read_text(encoding="utf-8") == "同志们\n" + "a" * 40 + "\n"


def test_a_catastrophic_user_prefilter_times_out_too(tmp_path: Path) -> None:
    text = CATASTROPHIC.replace("patterns = ['(a|aa)+b']", "patterns = ['aab']\nprefilter = '(a|aa)+b'")
    rule = load_rule_file(write(tmp_path / "bad.toml", text))
    with pytest.raises(RuleTimeout) as info:
        clean_text("同志们\n" + "a" * 40, rule, timeout=0.2)
    assert info.value.rule == "MY666" and info.value.line == 0
    assert "prefilter" in str(info.value)


def test_learn_proposes_the_shared_footer_and_no_body_line(tmp_path: Path) -> None:
    footer = "——笔耕书屋 每日精选——"
    bodies = [p.read_text(encoding="utf-8").splitlines()
              for p in sorted((SAMPLES / "expected").glob("*.txt"))]
    folder = tmp_path / "site"
    for i in range(24):
        body = bodies[i % len(bodies)]
        # Every file shares salutation, closing and a stock sentence with the
        # others: speech text that repeats, which must never be proposed.
        lines = [body[0], "同志们：", f"今天是第{i}次会议。", "下面，我讲三点意见。", *body[1:],
                 "谢谢大家！", footer]
        write(folder / f"{i:02d}.txt", "\n".join(lines) + "\n")
    proc = run_main("learn", str(folder))
    assert proc.returncode == 0, proc.stderr
    proposal = write(tmp_path / "learned.toml", proc.stdout.decode("utf-8"))
    [rule] = load_rule_file(proposal)  # a valid rule file with exactly one rule
    assert footer in rule.summary
    assert run_main("rules", "test", str(proposal)).returncode == 0
    cleaned = run_main("clean", str(folder / "00.txt"), "--rules", str(proposal))
    assert footer not in cleaned.stdout.decode("utf-8")
    assert "下面，我讲三点意见。" in cleaned.stdout.decode("utf-8")


def test_preview_and_removed_rules_and_safe_only(tmp_path: Path) -> None:
    text = SLOGAN_RULE.replace('action = "drop_line"', 'action = "drop_line"\nstatus = "preview"')
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    [rule] = load_rule_file(path)
    page = "笔耕书屋，好文共赏\n正文\n"
    assert clean_text(page, [rule]).text == page  # a preview rule runs only when asked for
    assert clean_text(page, [rule], options=Options(preview=True)).text == "正文\n"
    path.write_text(text.replace('"preview"', '"removed"'), encoding="utf-8")
    [rule] = load_rule_file(path)
    assert clean_text(page, [rule], options=Options(preview=True)).text == page
    # --safe-only: the punctuation is fixed, the slogan (a judgement) is not removed
    path.write_text(SLOGAN_RULE, encoding="utf-8")
    rules = [*load_rule_file(path), *[r for r in default_rules() if r.id == "PU002"]]
    page = "笔耕书屋，好文共赏\n正文,好\n"
    assert clean_text(page, rules, options=Options(safe_only=True)).text == "笔耕书屋，好文共赏\n正文，好\n"
