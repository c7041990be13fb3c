"""What the command says, as black and ruff say it (issue 13): one line per file
that would change and why, nothing for a file that would not (unless -v), one
message per error, a note for a folder without inputs."""

from __future__ import annotations

import os
from pathlib import Path

from support import SLOGAN_RULE, run_main

NOISY = "在全县大会上的讲话\n更新时间:2022-10 来源:网友投稿\n同志们:\n　　XX同志代表县委讲话。\n"
CLEAN = "在全县大会上的讲话\n同志们：\n××同志代表县委讲话。\n"


def folder(tmp_path: Path, files: dict[str, bytes]) -> Path:
    where = tmp_path / "in"
    for name, data in files.items():
        (where / name).parent.mkdir(parents=True, exist_ok=True)
        (where / name).write_bytes(data)
    return where


def test_check_says_which_files_would_change_and_why_in_blacks_words(tmp_path: Path) -> None:
    folder(tmp_path, {
        "a.txt": NOISY.encode("utf-8"), "clean.txt": CLEAN.encode("utf-8"),
        "crlf.txt": CLEAN.replace("\n", "\r\n").encode("utf-8"), "gbk.txt": CLEAN.encode("gbk"),
        "bom.txt": b"\xef\xbb\xbf" + CLEAN.encode("utf-8"), "nonl.txt": CLEAN.rstrip("\n").encode("utf-8"),
    })
    done = run_main("clean", "--check", "in", cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stderr.decode("utf-8").splitlines()
    assert "would clean in/a.txt (4 changes: AN001×1, FM001×1, FN001×1, PU002×1)" in lines
    assert "would clean in/crlf.txt (only its form: CRLF line endings become LF)" in lines
    assert "would clean in/gbk.txt (only its form: re-encoded from gb18030 to UTF-8)" in lines
    assert "would clean in/bom.txt (only its form: byte-order mark removed)" in lines
    assert "would clean in/nonl.txt (only its form: final newline added)" in lines
    assert not any("clean.txt" in line for line in lines)  # a file that would not change: nothing
    assert lines[-2:] == ["6 file(s) seen: 5 changed, 1 unchanged, 0 skipped",
                          "changes per rule: AN001 1, FM001 1, FN001 1, PU002 1"]
    verbose = run_main("clean", "--check", "in", "-v", cwd=tmp_path).stderr.decode("utf-8")
    assert "in/clean.txt: already clean (" in verbose and " ms)" in verbose
    assert "rules: " in verbose and "FN 25" in verbose  # the rules loaded
    written = run_main("clean", "in", "--in-place", cwd=tmp_path).stderr.decode("utf-8")
    assert "cleaned in/a.txt (4 changes: AN001×1, FM001×1, FN001×1, PU002×1)" in written


def test_a_folder_without_inputs_says_so_and_exits_0(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.md").write_text(CLEAN, encoding="utf-8")
    for args in (["clean", "empty"], ["clean", "empty", "--check"], ["clean", "empty", "-o", "out"]):
        done = run_main(*args, cwd=tmp_path)
        assert (done.returncode, done.stdout) == (0, b"")
        assert done.stderr.decode("utf-8") == "no .txt files found under empty (use --include)\n"
    md = run_main("clean", "empty", "--include", "*.rst", "--check", cwd=tmp_path)
    assert md.stderr.decode("utf-8") == "no .rst files found under empty (use --include)\n"


def test_one_message_per_error_and_per_skipped_path(tmp_path: Path) -> None:
    where = folder(tmp_path, {"a.txt": NOISY.encode("utf-8"), "binary.txt": bytes(range(256)) * 8})
    os.mkfifo(where / "pipe.txt")
    for args in (["clean", "--check", "in"], ["clean", "--check", "in/pipe.txt", "in/binary.txt", "in/a.txt"]):
        err = run_main(*args, cwd=tmp_path).stderr.decode("utf-8")
        assert err.count("pipe.txt") == 1 and err.count("binary.txt") == 1, err


def test_cleaner_diff_says_each_files_summary_once(tmp_path: Path) -> None:
    folder(tmp_path, {"a.txt": NOISY.encode("utf-8"), "gbk.txt": NOISY.encode("gbk")})
    done = run_main("diff", "in", cwd=tmp_path)
    both = done.stdout.decode("utf-8") + done.stderr.decode("utf-8")  # as a terminal shows them
    assert both.count("in/a.txt") == 1
    assert "in/gbk.txt: 4 changes (AN001×1, FM001×1, FN001×1, PU002×1) [decoded from gb18030]" in both
    assert both.count("in/gbk.txt") == 1


# ------------------------------------------------------------ selecting rules

SLOGAN = SLOGAN_RULE.replace('family = "mine"', 'family = "mine"\nprefix = "MY"')


def test_an_unknown_selector_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(NOISY, encoding="utf-8")
    done = run_main("clean", "a.txt", "--ignore", "F", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == b""
    assert done.stderr.decode("utf-8") == ("error: --ignore F: unknown rule selector: a family is selected by its "
                                           "whole prefix; did you mean FN (furniture) or FM (form)?\n")
    typo = run_main("clean", "a.txt", "--select", "CT01", cwd=tmp_path)
    assert typo.returncode == 2 and "unknown rule selector; did you mean" in typo.stderr.decode("utf-8")
    (tmp_path / ".cleaner.toml").write_text('ignore = ["XYZ"]\n', encoding="utf-8")
    configured = run_main("clean", "a.txt", cwd=tmp_path).stderr.decode("utf-8")
    assert ".cleaner.toml: key 'ignore' XYZ: unknown rule selector" in configured


def test_selectors_are_case_insensitive_and_a_family_prefix_takes_that_family_only(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(NOISY, encoding="utf-8")
    done = run_main("clean", "a.txt", "--ignore", "fn", "--select", "fn,an,pu", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.decode("utf-8") == ("在全县大会上的讲话\n更新时间：2022-10 来源：网友投稿\n"
                                           "同志们：\n××同志代表县委讲话。\n")
    assert "FM001" in done.stderr.decode("utf-8")  # the form rules still run: FN took furniture only
    show = run_main("rules", "show", "ct001")
    assert show.returncode == 0 and show.stdout.decode("utf-8").startswith("CT001 (contact-line)")


def test_a_removed_rule_named_by_a_selector_is_an_error_saying_so(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text(SLOGAN.replace('action =', 'status = "removed"\naction ='), encoding="utf-8")
    (tmp_path / "a.txt").write_text(NOISY, encoding="utf-8")
    done = run_main("clean", "a.txt", "--rules", "mine.toml", "--ignore", "my001", cwd=tmp_path)
    assert done.returncode == 2
    assert "--ignore my001: rule MY001 was removed and no longer runs" in done.stderr.decode("utf-8")


def test_preview_and_safe_only_on_the_command_line_and_in_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text(SLOGAN.replace('action =', 'status = "preview"\naction ='), encoding="utf-8")
    (tmp_path / "a.txt").write_text("笔耕书屋，好文共赏\n正文,好\n", encoding="utf-8")
    def text(*args: str) -> str:
        return run_main("clean", "a.txt", "--rules", "mine.toml", *args, cwd=tmp_path).stdout.decode("utf-8")
    assert text() == "笔耕书屋，好文共赏\n正文，好\n"  # a preview rule runs only when asked for
    assert text("--preview") == "正文，好\n"
    assert text("--preview", "--safe-only") == "笔耕书屋，好文共赏\n正文，好\n"  # the slogan is a judgement
    (tmp_path / ".cleaner.toml").write_text("preview = true\n", encoding="utf-8")
    assert text() == "正文，好\n"
    (tmp_path / ".cleaner.toml").write_text("preview = true\nsafe_only = true\n", encoding="utf-8")
    assert text() == "笔耕书屋，好文共赏\n正文，好\n"
    listing = run_main("rules", "list", "--rules", "mine.toml", "--select", "MY", cwd=tmp_path).stdout.decode()
    assert listing.split()[:5] == ["MY001", "mine", "drop_line", "review", "preview"]
    listed = {line.split()[0]: line.split()[1:5] for line in run_main("rules", "list").stdout.decode().splitlines()}
    assert listed["PU002"] == ["punctuation", "replace", "safe", "stable"]
    assert listed["CT001"] == ["contact", "drop_line", "review", "stable"]


def test_a_rule_file_named_twice_is_loaded_once(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "mine.toml").write_text(SLOGAN, encoding="utf-8")
    (tmp_path / ".cleaner.toml").write_text('rules = ["rules/mine.toml"]\n', encoding="utf-8")
    (tmp_path / "a.txt").write_text("笔耕书屋，好文共赏\n正文\n", encoding="utf-8")
    both = run_main("clean", "a.txt", "--rules", "rules/mine.toml", "--rules", "rules", cwd=tmp_path)
    assert (both.returncode, both.stdout) == (0, "正文\n".encode("utf-8")), both.stderr
    tested = run_main("rules", "test", "rules/mine.toml", cwd=tmp_path)
    assert tested.returncode == 0
    assert tested.stdout.decode("utf-8").endswith("1 rule(s), 2 example(s): 2 passed, 0 failed\n")


# ------------------------------------------------------------------- paths

def test_o_with_one_input_file_writes_that_file_as_cp_does(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(NOISY, encoding="utf-8")
    done = run_main("clean", "a.txt", "-o", "out.TXT", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.TXT").read_text(encoding="utf-8") == CLEAN
    (tmp_path / "folder.txt").mkdir()  # an existing folder stays a folder, whatever its name
    assert run_main("clean", "a.txt", "-o", "folder.txt", cwd=tmp_path).returncode == 0
    assert (tmp_path / "folder.txt" / "a.txt").read_text(encoding="utf-8") == CLEAN
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "b.txt").write_text(NOISY, encoding="utf-8")
    several = run_main("clean", "a.txt", "in", "-o", "two.txt", cwd=tmp_path)
    assert several.returncode == 2 and not (tmp_path / "two.txt").exists()
    assert "-o two.txt names a file (it ends in .txt)" in several.stderr.decode("utf-8")
    same = run_main("clean", "a.txt", "-o", "a.txt", cwd=tmp_path)
    assert same.returncode == 2 and "use --in-place" in same.stderr.decode("utf-8")
    (tmp_path / "notes.md").write_text("x", encoding="utf-8")
    other = run_main("clean", "a.txt", "-o", "notes.md", cwd=tmp_path)
    assert other.returncode == 2 and "-o notes.md is a file" in other.stderr.decode("utf-8")
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == NOISY


def test_log_and_report_dash_write_to_standard_output(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(NOISY, encoding="utf-8")
    logged = run_main("clean", "a.txt", "--check", "--log", "-", cwd=tmp_path)
    assert logged.returncode == 1 and logged.stdout.startswith(b'{"type": "document", "path": "a.txt"')
    in_place = run_main("clean", "a.txt", "--in-place", "--log", "-", cwd=tmp_path)
    assert in_place.returncode == 0 and b'"rule": "FN001"' in in_place.stdout
    report = run_main("report", "a.txt", "-o", "-", cwd=tmp_path)
    assert report.returncode == 0 and report.stdout.startswith(b"<!DOCTYPE html>")
    clash = run_main("clean", "a.txt", "--log", "-", cwd=tmp_path)
    assert clash.returncode == 2 and "would both go to standard output" in clash.stderr.decode("utf-8")
    assert not (tmp_path / "-").exists()


def test_an_output_folder_inside_the_input_is_never_cleaned_as_an_input(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(NOISY, encoding="utf-8")
    for _ in range(2):
        done = run_main("clean", ".", "-o", "clean", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["a.txt", "clean", "clean/a.txt"]
    assert "note: clean, the output folder, is inside .: it is not cleaned as an input" in done.stderr.decode()


def test_the_configuration_is_found_from_the_inputs_not_the_working_directory(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "texts").mkdir(parents=True)
    (project / ".cleaner.toml").write_text('placeholder = "某某"\nblank_lines = true\n', encoding="utf-8")
    (project / "texts" / "a.txt").write_text("XX同志讲话。\n第二段。\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = run_main("clean", str(project / "texts" / "a.txt"), cwd=elsewhere)
    assert done.stdout.decode("utf-8") == "某某同志讲话。\n\n第二段。\n"
    no_blank = run_main("clean", str(project / "texts" / "a.txt"), "--no-blank-lines", cwd=elsewhere)
    assert no_blank.stdout.decode("utf-8") == "某某同志讲话。\n第二段。\n"
    named = run_main("clean", "-", "--stdin-filename", str(project / "texts" / "b.txt"), "--log", "log.jsonl",
                     "--check", stdin="XX同志讲话。\n".encode("utf-8"), cwd=elsewhere)
    assert named.returncode == 1
    assert f"would clean {project}/texts/b.txt (" in named.stderr.decode("utf-8")
    assert f'"path": "{project}/texts/b.txt"' in (elsewhere / "log.jsonl").read_text(encoding="utf-8")
    diff = run_main("clean", "-", "--stdin-filename", "texts/b.txt", "--diff", stdin=b"XX\n", cwd=project)
    assert "--- a/b.txt\n+++ b/b.txt\n" in diff.stdout.decode("utf-8")
    assert "某某" in diff.stdout.decode("utf-8")  # the configuration above texts/b.txt is used


def test_force_exclude_applies_the_exclude_globs_to_files_given_by_name(tmp_path: Path) -> None:
    (tmp_path / "drafts").mkdir()
    (tmp_path / ".cleaner.toml").write_text('exclude = ["drafts"]\n', encoding="utf-8")
    (tmp_path / "drafts" / "a.txt").write_text(NOISY, encoding="utf-8")
    (tmp_path / "b.txt").write_text(NOISY, encoding="utf-8")
    assert run_main("clean", "--check", "drafts/a.txt", cwd=tmp_path).returncode == 1  # by name: cleaned
    done = run_main("clean", "--check", "--force-exclude", "drafts/a.txt", "b.txt", "-v", cwd=tmp_path)
    assert done.returncode == 1
    err = done.stderr.decode("utf-8")
    assert "drafts/a.txt: excluded (--force-exclude)" in err and "would clean drafts" not in err
    assert run_main("clean", "--check", "--force-exclude", "drafts/a.txt", cwd=tmp_path).returncode == 0
    piped = run_main("clean", "-", "--force-exclude", "--stdin-filename", "drafts/c.txt", stdin=b"XX\n", cwd=tmp_path)
    assert (piped.returncode, piped.stdout) == (0, b"XX\n")  # excluded: passed through unchanged
