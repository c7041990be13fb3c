"""Rule files are validated on load; errors name the file, the rule and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner import RuleError, load_rule_file, load_rules
from support import SLOGAN_RULE

GOOD = SLOGAN_RULE


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "demo.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_loads(tmp_path: Path) -> None:
    [rule] = load_rule_file(write(tmp_path, GOOD))
    assert (rule.id, rule.family, rule.stage, rule.action) == ("MY001", "mine", "noise", "drop_line")


@pytest.mark.parametrize(("edit", "field", "words"), [
    (("'^笔耕书屋，好文共赏$'", "'(unclosed'"), "patterns[0]", "invalid regular expression"),
    (('action = "drop_line"', 'action = "drop_line"\npatern = "x"'), "patern", "did you mean 'patterns'"),
    (('summary = "Drop the Bigeng shop slogan."\n', ""), "summary", "missing required field"),
    (('keeps = ["正文"]', "keeps = []"), "keeps", "unchanged"),
    (('action = "drop_line"', 'action = "erase"'), "action", "unknown action"),
    (('action = "drop_line"', 'action = "drop_line"\nprefilter = \'^笔耕\''), "prefilter", "'^'"),
    (('action = "drop_line"', 'action = "drop_line"\nprefilter = \'(?<=，)笔耕\''), "prefilter",
     "lookaround"),
    (('action = "drop_line"', 'action = "drop_line"\nrequires = ["笔耕", ""]'), "requires[1]",
     "non-empty"),
    (('action = "drop_line"', 'action = "drop_line"\nafter = [\'篇$\']'), "after", "only drop_preamble"),
    (('action = "drop_line"', 'action = "delete"\nwindow = 3'), "window", "does not read 'window'"),
    (('action = "drop_line"', 'action = "drop_line"\nfiller = [\'日\']'), "filler", "only score_line"),
    (('action = "drop_line"', 'action = "drop_line"\nstatus = "beta"'), "status", "preview"),
    (('action = "drop_line"', 'action = "drop_line"\nsince = "soon"'), "since", "version"),
    (('action = "drop_line"', 'action = "drop_line"\nsafety = "unsafe"'), "safety", "review"),
    (('family = "mine"', 'family = "mine"\nprefix = "ZZ"'), "id", "ZZ001"),
    (('action = "drop_line"', 'action = "drop_preamble"'), "after", "needs 'after'"),
])
def test_errors_name_file_rule_and_field(tmp_path: Path, edit: tuple[str, str], field: str,
                                         words: str) -> None:
    old, new = edit
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(RuleError) as info:
        load_rule_file(path)
    message = str(info.value)
    assert str(path) in message and "MY001" in message and f"'{field}'" in message
    assert words in message


def test_a_prefilter_may_use_line_breaks_and_classes(tmp_path: Path) -> None:
    text = GOOD.replace('action = "drop_line"', 'action = "drop_line"\nprefilter = \'\\n笔耕[^$]\'')
    [rule] = load_rule_file(write(tmp_path, text))
    assert [not isinstance(scan, str) for scan in rule.gate("××")] == [True]


def test_toml_syntax_error_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("[[rule]]", "[[rule]"))
    with pytest.raises(RuleError, match="not valid TOML") as info:
        load_rule_file(path)
    assert str(path) in str(info.value)


def test_duplicate_ids_across_files_are_an_error(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    (tmp_path / "copy.toml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(RuleError, match="duplicate rule id"):
        load_rules([tmp_path], defaults=False)


def test_every_default_pattern_compiles() -> None:
    # Default rules are compiled on first use, not on load: compile them all here.
    for rule in load_rules():
        assert len(rule.compiled) == len(rule.patterns), rule.id
        assert len(rule.compiled_exclude) == len(rule.exclude), rule.id
        assert len(rule.compiled_gap_stop) == len(rule.gap_stop), rule.id
        assert len(rule.compiled_after) == len(rule.after), rule.id
        assert len(rule.compiled_filler) == len(rule.filler), rule.id
        assert rule.prefilter is None or rule.gate("××"), rule.id


def test_every_action_has_one_handler_and_its_keys_are_documented() -> None:
    from cleaner import core
    from cleaner.actions import ACTIONS

    assert set(core._HANDLERS) == set(ACTIONS)
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for action in ACTIONS.values():
        row = next((line for line in readme.splitlines() if line.startswith(f"| `{action.name}` |")),
                   None)
        assert row is not None, f"README's action table has no row for {action.name}"
        extra = row.rsplit("|", 2)[-2]
        assert set(regex_keys(extra)) == action.keys, (action.name, extra)


def regex_keys(cell: str) -> list[str]:
    import re
    return re.findall(r"`([a-z_]+)`", cell)


def test_a_family_has_one_prefix_and_no_prefix_starts_another(tmp_path: Path) -> None:
    mine = write(tmp_path, GOOD.replace('family = "mine"', 'family = "mine"\nprefix = "MY"'))
    assert load_rules([mine], defaults=False)[0].prefix == "MY"
    # --ignore FN would take this family too: refused, naming the other family
    other = tmp_path / "f.toml"
    other.write_text(GOOD.replace('family = "mine"', 'family = "fliers"\nprefix = "FNX"')
                     .replace("MY001", "FNX001"), encoding="utf-8")
    with pytest.raises(RuleError, match="clashes with 'FN' of family 'furniture'"):
        load_rules([other])
    again = tmp_path / "again.toml"
    again.write_text(GOOD.replace('family = "mine"', 'family = "mine"\nprefix = "MZ"')
                     .replace("MY001", "MZ001"), encoding="utf-8")
    with pytest.raises(RuleError, match="a family has one prefix"):
        load_rules([mine, again], defaults=False)


def test_default_rules_say_which_fixes_are_safe() -> None:
    # (prefixes, ids and statuses are the loader's to check: see the tests above)
    # what only changes the form is safe; what removes speech-like text is for review
    by_id = {r.id: r for r in load_rules()}
    assert by_id["PU002"].safety == "safe" and by_id["FM001"].safety == "safe"
    assert by_id["ED001"].safety == "review" and by_id["AN003"].safety == "review"


def test_a_renamed_rule_is_found_by_its_earlier_id(tmp_path: Path) -> None:
    from cleaner.config import check_selectors, select_rules
    from support import run_main

    path = write(tmp_path, GOOD.replace('action = "drop_line"', 'action = "drop_line"\nrenamed_from = ["MY000"]'))
    [rule] = load_rules([path], defaults=False)
    assert check_selectors([rule], ["my000"], "--select") == ["--select my000: rule MY000 is now MY001; use MY001"]
    assert select_rules([rule], ["MY000"], []) == [rule]
    assert select_rules([rule], [], ["MY000"]) == []
    shown = run_main("rules", "show", "MY000", "--rules", str(path), "--no-default-rules")
    assert shown.returncode == 0 and shown.stdout.decode("utf-8").startswith("MY001")
    assert "MY000 is now MY001" in shown.stderr.decode("utf-8")
    # an earlier id is taken: no other rule may have it
    other = tmp_path / "other.toml"
    other.write_text(GOOD.replace("MY001", "MY000"), encoding="utf-8")
    with pytest.raises(RuleError, match="duplicate rule id MY000"):
        load_rules([path, other], defaults=False)
