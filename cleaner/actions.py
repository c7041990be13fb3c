"""What each action of a rule means: one entry per action, in one table.

A rule's ``action`` names an entry here. The entry says which keys of a rule
table the action reads (a key that it does not read is an error in the rule
file, not a setting silently ignored), whether the action needs patterns, and
what it takes out of the text, which the body-integrity guard
(:mod:`cleaner.guard`) must account for: whole ``lines`` (checked for speech
left beside the noise), ``spans`` inside lines, or nothing. The handler that
carries an action out is the method of the same name in :mod:`cleaner.core`;
a test keeps the two tables in step.

This is the place to read first when adding an action, as ftfy keeps its
fixers in one table and datatrove gives each step type one class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Removes = Literal["lines", "spans", "nothing"]

COMMON_KEYS = frozenset({
    "id", "name", "summary", "rationale", "action", "stage", "patterns", "exclude", "requires",
    "prefilter", "changes", "keeps", "status", "since", "safety", "renamed_from",
})
"""The keys every rule may have, whatever its action."""


@dataclass(frozen=True)
class Action:
    """One action: what it does, the keys it reads beyond the common ones, what it removes."""

    name: str
    summary: str
    keys: frozenset[str]
    removes: Removes
    needs_patterns: bool = True
    by_gate: bool = False
    """The action works only on the lines its rule's gate finds (see ``Matcher.gate``):
    on a document where the gate cannot hit, it has nothing to do and is not called."""

    @property
    def allowed_keys(self) -> frozenset[str]:
        return COMMON_KEYS | self.keys


def _action(name: str, summary: str, keys: str, removes: Removes,
            needs_patterns: bool = True, by_gate: bool = False) -> Action:
    return Action(name, summary, frozenset(keys.split()), removes, needs_patterns, by_gate)


ACTIONS: dict[str, Action] = {a.name: a for a in (
    _action("drop_line", "drop every line one of the patterns matches",
            "max_line_length truncation leads trails zone", "lines", by_gate=True),
    _action("delete", "delete every span a pattern matches", "truncation", "spans", by_gate=True),
    _action("replace", "replace every span a pattern matches (replacement or transform)",
            "replacement transform", "nothing", by_gate=True),
    _action("drop_block", "drop a run of noise lines at the head or foot of the document",
            "anchor window min_members gap_max gap_max_length gap_stop max_line_length truncation",
            "lines"),
    _action("drop_repeated_title", "drop a copy of the title line just below it", "window", "lines",
            needs_patterns=False),
    _action("score_line", "drop a short line outside the speech body that interface words cover",
            "filler coverage max_line_length", "lines"),
    _action("drop_preamble", "drop the prose between a collection's title and its first piece",
            "after window gap_stop max_line_length", "lines"),
    _action("page_numbers", "delete the numbers of a preview site's pages, one page per line",
            "min_members", "spans"),
    _action("fix_mojibake", "repair a line with ftfy where a pattern says mojibake is possible",
            "transform", "spans"),
    _action("warn", "change nothing; report a warning where a pattern matches", "damage",
            "nothing", by_gate=True),
)}

RULE_KEYS = frozenset().union(*(a.allowed_keys for a in ACTIONS.values()))
"""Every key some action reads: a key outside it is a typo (the error suggests the nearest)."""

LINE_DROPS = frozenset(a.name for a in ACTIONS.values() if a.removes == "lines")
"""Actions that drop whole lines: the guard checks that no speech went with them."""

REMOVALS = LINE_DROPS | frozenset(a.name for a in ACTIONS.values() if a.removes == "spans")
"""Actions whose changes may take Chinese characters out of the text."""


def default_safety(action: str) -> Literal["safe", "review"]:
    """A rule's fix safety unless it says otherwise: ``review`` for what removes text.

    ``safe`` changes only the form (punctuation, width, a mark that is always a
    placeholder); ``review`` is a judgement that removes lines or spans, where
    a reviewer should look first. A rule file or a rule may say otherwise
    (the output-form rules delete only whitespace and are ``safe``).
    """
    return "safe" if ACTIONS[action].removes == "nothing" else "review"
