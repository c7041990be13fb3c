"""`cleaner learn`: families of numbered lines, rule ids of their own, any folder name."""

from __future__ import annotations

from pathlib import Path

from cleaner import clean_text, load_rule_file, load_rules
from cleaner.learn import folder_prefix
from support import SAMPLES, run_main

BODIES = [p.read_text(encoding="utf-8") for p in sorted((SAMPLES / "expected").glob("*.txt"))]


def site(folder: Path, footer: str, files: int = 12) -> Path:
    """A folder of speeches that all end with ``footer`` ({i}: the file's number)."""
    folder.mkdir(parents=True)
    for i in range(files):
        text = BODIES[i % len(BODIES)] + footer.format(i=i + 10) + "\n"
        (folder / f"{i:02d}.txt").write_text(text, encoding="utf-8")
    return folder


def learn(folder: Path, *args: str) -> str:
    done = run_main("learn", str(folder), *args)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode("utf-8")


def test_lines_that_differ_only_by_a_number_are_one_rule(tmp_path: Path) -> None:
    # Each file has its own issue number: no single line repeats, the family does.
    folder = site(tmp_path / "qikan", "——墨香文库 第{i}期 2023年合集——")
    proposal = tmp_path / "learned.toml"
    proposal.write_text(learn(folder), encoding="utf-8")
    [rule] = load_rule_file(proposal)
    assert rule.patterns == ["^\\s*——墨香文库\\ 第\\d+期\\ 2023年合集——\\s*$"]  # the year is the same
    assert "numbers differ" in rule.summary
    assert run_main("rules", "test", str(proposal)).returncode == 0
    page = "同志们：\n今年是第12个年头。\n——墨香文库 第99期 2023年合集——\n"
    assert clean_text(page, [rule]).text == "同志们：\n今年是第12个年头。\n"
    other_year = "——墨香文库 第99期 2024年合集——\n"
    assert clean_text(other_year, [rule]).text == other_year


def test_two_learned_files_load_together_with_ids_of_their_own(tmp_path: Path) -> None:
    first = tmp_path / "a.toml"
    second = tmp_path / "b.toml"
    first.write_text(learn(site(tmp_path / "site" / "one", "——笔耕书屋 每日精选——")), encoding="utf-8")
    second.write_text(learn(site(tmp_path / "site2" / "one", "——墨香文库 好文共赏——")), encoding="utf-8")
    rules = load_rules([first, second])  # with the default rules: no id or prefix clashes
    learned = [r for r in rules if r.source in (str(first), str(second))]
    assert len(learned) == 2 and learned[0].prefix != learned[1].prefix
    assert all(r.prefix.startswith("ONE") for r in learned)  # named after the folder
    assert learned[0].family != learned[1].family

    chosen = learn(tmp_path / "site" / "one", "--prefix", "bg")
    assert 'prefix = "BG"' in chosen and 'id = "BG001"' in chosen
    refused = run_main("learn", str(tmp_path / "site" / "one"), "--prefix", "FNX")
    assert refused.returncode == 2 and "clashes with the prefix FN" in refused.stderr.decode()
    assert run_main("learn", str(tmp_path / "site" / "one"), "--prefix", "B1").returncode == 2


def test_a_folder_name_with_a_line_break_or_quotes_gives_a_valid_rule_file(tmp_path: Path) -> None:
    for name in ('we"ird\nsite', "it's ]] \\ \x7f"):
        folder = site(tmp_path / name, "——笔耕书屋 每日精选——")
        proposal = tmp_path / "learned.toml"
        proposal.write_text(learn(folder), encoding="utf-8")
        [rule] = load_rule_file(proposal)
        assert str(folder) in rule.rationale
        assert rule.id.startswith(rule.prefix) and len(rule.prefix) >= 2


def test_a_prefix_avoids_the_families_it_would_clash_with() -> None:
    taken = ["FN", "SP", "SC"]
    for folder in ("/d/spam", "/d/fnord", "/d/scans", "/d/下载", "/d/x"):
        prefix = folder_prefix(folder, taken)
        assert 2 <= len(prefix) <= 6 and prefix.isalpha() and prefix.isupper()
        assert not any(prefix.startswith(t) or t.startswith(prefix) for t in taken)
    assert folder_prefix("/a/downloads") != folder_prefix("/b/downloads")
