#!/usr/bin/env python3
"""Write the rule reference from the rule files: docs/rules/<ID>.md and the README's stage table.

    python3 docs/generate.py           # rewrite what is stale
    python3 docs/generate.py --check   # exit 1 and name what is stale (the test suite runs this)

As ruff's ``generate_docs``: the rule files are the only source. Each rule
gets a page (what it does, why, its family, stage, action, safety, status,
its patterns and its examples); ``docs/rules/README.md`` lists them all; the
README's stage table between its ``stages`` markers lists each stage's
families in the order they run.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cleaner.actions import ACTIONS  # noqa: E402  (the checkout's package, not an installed one)
from cleaner.rules import STAGES, Rule, load_rules  # noqa: E402

RULES_DIR = ROOT / "docs" / "rules"
README = ROOT / "README.md"
BEGIN, END = "<!-- stages:begin (docs/generate.py) -->", "<!-- stages:end -->"


def rule_page(rule: Rule) -> str:
    """The reference page of one rule, in Markdown."""
    out = [f"# {rule.id} {rule.name}".rstrip(), "", rule.summary, "",
           "| family | stage | action | safety | status | since |",
           "| --- | --- | --- | --- | --- | --- |",
           f"| {rule.family} (`{rule.prefix}`) | {rule.stage} | `{rule.action}` | {rule.safety} "
           f"| {rule.status} | {rule.since} |", "",
           f"Source: `rules/{Path(rule.source).name}`. The action {ACTIONS[rule.action].summary}.",
           "", "## Why", "", rule.rationale.strip(), ""]
    if rule.patterns:
        out += ["## Patterns", ""] + [_code(p) for p in rule.patterns]
    if rule.exclude:
        out += ["## Left alone where these match", ""] + [_code(p) for p in rule.exclude]
    out += ["## Examples", "", "Changed:", ""]
    for ex in rule.changes:
        out += [_code(ex.input, "text"), "becomes", "", _code(ex.output or "(nothing)", "text")]
    out += ["Left as they are:", ""] + [_code(k, "text") for k in rule.keeps]
    return "\n".join(out).rstrip("\n") + "\n"


def _code(text: str, lang: str = "") -> str:
    fence = "````" if "```" in text else "```"
    return f"{fence}{lang}\n{text}\n{fence}\n"


def index_page(rules: list[Rule]) -> str:
    out = ["# The default rules", "",
           "Generated from `rules/*.toml` by `docs/generate.py`; do not edit by hand.", "",
           "| id | stage | action | safety | summary |", "| --- | --- | --- | --- | --- |"]
    for rule in sorted(rules, key=lambda r: r.id):
        summary = rule.summary.replace("|", "\\|")
        out.append(f"| [{rule.id}]({rule.id}.md) | {rule.stage} | `{rule.action}` | {rule.safety} "
                   f"| {summary} |")
    return "\n".join(out) + "\n"


def stage_table(rules: list[Rule]) -> str:
    """The README's table: each stage, the families that run in it (in order), what they do."""
    by_stage: dict[str, dict[str, list[Rule]]] = defaultdict(lambda: defaultdict(list))
    for rule in rules:  # load_rules gives them in the order they run
        by_stage[rule.stage][rule.family].append(rule)
    out = ["| stage | families (prefix, rules) | what happens |", "| --- | --- | --- |"]
    for stage in STAGES:
        families = by_stage.get(stage, {})
        names = ", ".join(f"{fam} (`{rs[0].prefix}`: {', '.join(r.id for r in rs)})"
                          for fam, rs in families.items())
        what = " ".join(_what(rs) for rs in families.values())
        out.append(f"| `{stage}` | {names} | {what} |")
    return "\n".join(out)


def _what(rules: list[Rule]) -> str:
    """A family's file description, or the summaries of its rules that run in another stage."""
    data = tomllib.loads(Path(rules[0].source).read_text(encoding="utf-8"))
    if data.get("stage", "noise") == rules[0].stage:
        return str(data.get("description", "")).strip()
    return " ".join(f"{r.id}: {r.summary}" for r in rules)


def expected() -> dict[Path, str]:
    """Every generated file and its content (the README with its stage table replaced)."""
    rules = load_rules()
    files = {RULES_DIR / f"{r.id}.md": rule_page(r) for r in rules}
    files[RULES_DIR / "README.md"] = index_page(rules)
    readme = README.read_text(encoding="utf-8")
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    files[README] = readme[:start] + "\n" + stage_table(rules) + "\n" + readme[end:]
    return files


def stale() -> list[Path]:
    """Generated files that are missing or differ, and pages of rules that no longer exist."""
    want = expected()
    found = [p for p, text in want.items()
             if not p.exists() or p.read_text(encoding="utf-8") != text]
    found += [p for p in RULES_DIR.glob("*.md") if p not in want]
    return sorted(found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if anything is stale")
    args = parser.parse_args(argv)
    if args.check:
        bad = stale()
        for path in bad:
            print(f"stale: {path.relative_to(ROOT)} (run python3 docs/generate.py)")
        return 1 if bad else 0
    want = expected()
    RULES_DIR.mkdir(parents=True, exist_ok=True)
    for path in RULES_DIR.glob("*.md"):
        if path not in want:
            path.unlink()
    for path, text in want.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
