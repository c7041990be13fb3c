"""Rule files: loading, validation and the compiled :class:`Rule`.

Rules are data. A rule file is TOML with a few file-level keys and an array
of ``[[rule]]`` tables (the format is documented in the README). Loading
validates everything up front: unknown keys, missing fields, wrong types,
regular expressions that do not compile and rules without examples all raise
:class:`RuleError`, which names the file, the rule id and the field.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import tomllib
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any, Literal, TypeAlias, get_args

import regex

from . import defaults
from .actions import ACTIONS, RULE_KEYS, default_safety

PIPELINE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("repair", ("mojibake",)),
    ("characters", ("punctuation", "watermark")),
    ("noise", ("contact", "editorial", "furniture", "interface", "length", "promotional", "seller",
               "spam", "title", "truncation")),
    ("anonymise", ("anonymised",)),
    ("punctuation", ("punctuation",)),
    ("structure", ("furniture", "title")),
    ("form", ("form",)),
)
"""The order the default rules run in, declared here as black lists its transformers.

Stages run in this order; a rule runs in the stage its file (or the rule
itself) names. Inside a stage: first the block rules (they need the whole
head or foot of the page), then the families in the order listed, each in
the order of its file (where that order matters the rationale says so, and
``tests/test_rule_order.py`` pins it: PU002 before PU004, ED004 before
ED001, TI002 before TI001); a user's families follow the default ones in
the order their files are given; the line scorers come last (they judge what
the others left). The order of the families inside a stage changes no
output on the 312 real pages of ../shared, which the test checks by
shuffling it.
"""

STAGES = tuple(stage for stage, _ in PIPELINE)

PLACEHOLDER = "{placeholder}"

FILE_KEYS = {"family", "prefix", "stage", "safety", "description", "rule"}
Status = Literal["stable", "preview", "deprecated", "removed"]
STATUSES: tuple[Status, ...] = get_args(Status)
"""A rule's lifecycle: preview rules run only when asked for, removed ones never."""
Safety = Literal["safe", "review"]
SAFETIES: tuple[Safety, ...] = get_args(Safety)
Anchor = Literal["head", "foot"]
Zone = Literal["any", "head", "tail"]
PREFIX_RE = re.compile(r"^[A-Z]{2,6}$")
"""What a family's id ``prefix`` must be: two to six capital letters."""
_VERSION_RE = re.compile(r"^\d+\.\d+(?:\.\d+)?$")
FIRST_VERSION = "0.1.0"
"""The ``since`` of a rule that does not say: it shipped with the first release."""
REQUIRED = ("id", "summary", "rationale", "action", "changes", "keeps")
ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{1,31}$")
_MAX_FIND_LITERALS = 12  # more requires literals than this are scanned for as one pattern
# What a prefilter may not use (outside character classes): it runs over the
# whole document, where anchors, lookaround and commitments see other lines.
_CHAR_CLASS = re.compile(r"\[\^?\]?(?:\\.|\[:[a-z]+:\]|[^\]\\])*\]")
_CONTEXT_SYNTAX = re.compile(
    r"(?<!\\)(?:\\\\)*(?:[\^$]|\\[AZzbBGKm<>]|\(\?(?:[=!>]|<[=!])|[*+?}]\+)")


Scanner: TypeAlias = "str | re.Pattern[str] | regex.Pattern[str]"
"""A literal to find, or a pattern to search for, in the whole document (see Rule.gate)."""
GatePlan: TypeAlias = "tuple[list[tuple[Scanner, frozenset[str] | None]], frozenset[str] | None]"
"""A gate's scans with the first characters of each hit, and of any hit (see Matcher.gate_plan)."""


# A scan that starts with one contiguous range, such as [!-~] or [\u00a1-\u00fe]:
# the regex engine skips ahead to it about ten times faster than re (measured
# on 8,000 characters of speech: 6 us against 60-150 us). Other scans, literal
# alternations and classes of several ranges, are faster in re, as long as re
# can skip ahead at all (see _re_skips_ahead).
_ONE_RANGE_LEAD = re.compile(
    r"\[(?:\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|[^\\\]^])-(?:\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|[^\\\]])\]")


def _compile_scan(source: str) -> re.Pattern[str] | regex.Pattern[str]:
    if _ONE_RANGE_LEAD.match(source):
        return regex.compile(source)
    try:
        compiled = re.compile(source)
    except re.error:
        return regex.compile(source)
    if _re_skips_ahead(source):
        return compiled
    try:
        return regex.compile(source)
    except regex.error:
        return compiled


# The characters str.isspace() (and so re's \\s) holds: a class with \\s starts with one of them.
WHITESPACE = frozenset("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
                       + "".join(map(chr, range(0x2000, 0x200b))))
_REGEX_ONLY = ("[[", "[:", "--", "&&", "||", "~~", "(?V1", "(?V0")  # set syntax only regex reads
_MAX_RANGE = 4096  # a class with a wider range says too little to be worth a set


def first_chars(source: str) -> frozenset[str] | None:
    """Every character a match of the pattern ``source`` can start with, when re's parser can tell.

    None when it cannot: a pattern only the regex engine reads (``\\p{Han}``,
    its set operations), one that may match the empty string or start with
    an optional part, case folding, a negated class, wide ranges, categories
    other than ``\\s``. A gate scan whose first characters are none of the
    document's cannot hit, and is not run.

    >>> sorted(first_chars("[大中]小|ab+|(?:x{2,})y"))
    ['a', 'x', '中', '大']
    >>> first_chars("(?i)ab") is None, first_chars("a*b") is None, first_chars("\\\\p{Han}") is None
    (True, True, True)
    """
    if any(mark in source for mark in _REGEX_ONLY):
        return None  # re would read regex's set syntax as plain characters
    try:
        from re import _parser  # type: ignore[attr-defined]  # re's own parser (private): a surprise only scans

        parsed = _parser.parse(source)
        if parsed.state.flags & re.IGNORECASE:
            return None
        found = _firsts(_parser, parsed.data)
    except Exception:  # noqa: BLE001  # an unknown parse is no answer, never an error
        return None
    return frozenset(found) if found else None


def _firsts(p: Any, items: list[tuple[Any, Any]]) -> set[str] | None:
    for op, av in items:
        if op is p.AT:
            continue  # an anchor takes no character: the next item starts the match
        if op is p.LITERAL:
            return {chr(av)}
        if op is p.IN:
            chars: set[str] = set()
            for kind, value in av:
                if kind is p.LITERAL:
                    chars.add(chr(value))
                elif kind is p.RANGE and value[1] - value[0] <= _MAX_RANGE:
                    chars.update(map(chr, range(value[0], value[1] + 1)))
                elif kind is p.CATEGORY and value is p.CATEGORY_SPACE:
                    chars |= WHITESPACE
                else:
                    return None
            return chars
        if op is p.BRANCH:
            union: set[str] = set()
            for branch in av[1]:
                part = _firsts(p, branch.data)
                if part is None:
                    return None
                union |= part
            return union
        if op is p.SUBPATTERN:
            _, add_flags, _, inner = av
            return None if add_flags & re.IGNORECASE else _firsts(p, inner.data)
        if op is p.ATOMIC_GROUP:
            return _firsts(p, av.data)
        if op in (p.MAX_REPEAT, p.MIN_REPEAT, p.POSSESSIVE_REPEAT):
            low, _, inner = av
            return _firsts(p, inner.data) if low > 0 else None
        return None
    return None  # the pattern can match the empty string


def _re_skips_ahead(source: str) -> bool:
    """Can re jump to where a match may start, or must it try the scan at every position?

    re skips ahead only when the scan starts with a literal, a character
    class, or an alternation whose every branch starts with a literal (its
    charset prefix), with no IGNORECASE. Otherwise the regex engine is the
    faster one: on the 307 devset and wild pages, a round of PR004's gate
    (a branch under ``(?i:``) took 16 ms in re against 6 ms, SP002's
    (branches starting with ``[无無]``) 7 against 3, FN017's (``\\d``) 5.5
    against 1.1; scans re skips ahead in are 1.5-6x faster in re.
    """
    try:
        from re import _parser  # type: ignore[attr-defined]  # re's own parser; private: a surprise keeps re

        data = _parser.parse(source).data
        while data and data[0][0] is _parser.SUBPATTERN:  # a group: what it starts with
            _, add_flags, _, inner = data[0][1]
            if add_flags & re.IGNORECASE:
                return False
            data = inner.data
        if not data:
            return False
        op, av = data[0]
        if op is _parser.LITERAL or op is _parser.IN:
            return True
        if op is _parser.BRANCH:
            return all(branch.data and branch.data[0][0] is _parser.LITERAL for branch in av[1])
        return False
    except Exception:
        return True


def search(scan: re.Pattern[str] | regex.Pattern[str], text: str, pos: int,
           timeout: float | None) -> re.Match[str] | regex.Match[str] | None:
    """A gate pattern's search; the time limit applies to regex patterns (a user's prefilter)."""
    if timeout is not None and isinstance(scan, regex.Pattern):
        return scan.search(text, pos, timeout=timeout)
    return scan.search(text, pos)


class RuleError(Exception):
    """A rule file that cannot be used. The message names file, rule and field."""

    def __init__(self, path: str | Path, message: str, rule_id: str | None = None,
                 field_name: str | None = None) -> None:
        self.path = str(path)
        self.rule_id = rule_id
        self.field = field_name
        where = self.path
        if rule_id:
            where += f": rule {rule_id}"
        if field_name:
            where += f": field '{field_name}'"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Example:
    input: str
    output: str


@dataclass(frozen=True)
class Rule:
    """One validated rule, as its file says it: frozen once loaded.

    What the engine needs to run it fast (compiled patterns, its gate) is its
    :class:`Matcher`, built from these fields and kept beside them; a rule
    made with ``dataclasses.replace`` gets a matcher of its own.
    """

    id: str
    family: str
    stage: str
    action: str
    summary: str
    rationale: str
    source: str
    name: str = ""
    patterns: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    requires: list[str] = field(default_factory=list)
    prefilter: str | None = None
    replacement: str | None = None
    transform: str | None = None
    max_line_length: int | None = None
    truncation: bool = False
    damage: bool = False
    anchor: Anchor = "head"
    window: int = 12
    min_members: int = 2
    gap_max: int = 2
    gap_max_length: int = 20
    gap_stop: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    filler: list[str] = field(default_factory=list)
    coverage: float = 0.6
    leads: bool = False
    zone: Zone = "any"
    trails: bool = False
    changes: list[Example] = field(default_factory=list)
    keeps: list[str] = field(default_factory=list)
    prefix: str = ""  # the family's id prefix, when its file declares one
    status: Status = "stable"
    since: str = FIRST_VERSION
    safety: Safety = "review"
    renamed_from: list[str] = field(default_factory=list)  # the ids this rule had before (redirects)
    builtin: bool = False  # a default rule (tested on pathological input: no time limit needed)
    matcher: Matcher = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "matcher", Matcher(self))

    # What the engine asks of a rule, answered by its matcher.

    @property
    def compiled(self) -> list[regex.Pattern[str]]:
        """The patterns, compiled on first use (a run that never needs a rule never pays)."""
        return self.matcher.compiled("patterns")

    @property
    def compiled_exclude(self) -> list[regex.Pattern[str]]:
        return self.matcher.compiled("exclude")

    @property
    def compiled_gap_stop(self) -> list[regex.Pattern[str]]:
        return self.matcher.compiled("gap_stop")

    @property
    def compiled_after(self) -> list[regex.Pattern[str]]:
        return self.matcher.compiled("after")

    @property
    def compiled_filler(self) -> list[regex.Pattern[str]]:
        return self.matcher.compiled("filler")

    @property
    def uses_placeholder(self) -> bool:
        """True for rules that write (or look for) the anonymisation placeholder."""
        return self.matcher.uses_placeholder

    def patterns_for(self, placeholder: str) -> list[regex.Pattern[str]]:
        return self.matcher.patterns_for(placeholder)

    def excluded(self, text: str, timeout: float | None = None) -> bool:
        return any(p.search(text, timeout=timeout) for p in self.compiled_exclude)

    def may_match(self, text: str, placeholder: str = defaults.PLACEHOLDER,
                  timeout: float | None = None) -> bool:
        return self.matcher.may_match(text, placeholder, timeout)

    def gate(self, placeholder: str) -> list[Scanner]:
        return self.matcher.gate(placeholder)


class Matcher:
    """A rule compiled for the engine: its patterns and its gate, made on first use and kept."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self._compiled: dict[str, list[regex.Pattern[str]]] = {}
        self._by_placeholder: dict[str, list[regex.Pattern[str]]] = {}
        self._gate: dict[str, list[Scanner]] = {}
        self._plan: dict[str, GatePlan] = {}
        self.has_placeholder = any(PLACEHOLDER in p for p in rule.patterns)
        self.uses_placeholder = self.has_placeholder or (
            rule.replacement is not None and PLACEHOLDER in rule.replacement)

    def compiled(self, key: str) -> list[regex.Pattern[str]]:
        """A list of patterns of the rule (``patterns``, ``exclude``, …), compiled once."""
        found = self._compiled.get(key)
        if found is None:
            sources: list[str] = getattr(self.rule, key)
            found = self._compiled[key] = [
                regex.compile(p.replace(PLACEHOLDER, regex.escape(defaults.PLACEHOLDER)))
                for p in sources]
        return found

    def keep_compiled(self, key: str, compiled: list[regex.Pattern[str]]) -> None:
        """Keep patterns the loader already compiled (to name a bad one in its error)."""
        self._compiled[key] = compiled

    def patterns_for(self, placeholder: str) -> list[regex.Pattern[str]]:
        """The compiled patterns, with ``{placeholder}`` standing for the given placeholder.

        Asked for on every line a rule tries: after the first call, one dictionary lookup.
        """
        found = self._by_placeholder.get(placeholder)
        if found is None:
            found = self._by_placeholder[placeholder] = (
                [regex.compile(p.replace(PLACEHOLDER, regex.escape(placeholder))) for p in self.rule.patterns]
                if self.has_placeholder else self.compiled("patterns"))
        return found

    def may_match(self, text: str, placeholder: str, timeout: float | None = None) -> bool:
        """The cheap pre-check for one line: does the rule's gate (see :meth:`gate`) hit it?

        A search for a handful of literals is far faster than the rule's
        patterns, so a rule is skipped on a line its gate misses. The same
        gate picks candidate lines from the whole document.
        """
        scanners = self.gate(placeholder)
        if not scanners:
            return True
        framed = f"\n{text}\n"  # as the line stands in the document the gate scans
        return any(scan in text if isinstance(scan, str)
                   else search(scan, framed, 0, timeout) is not None for scan in scanners)

    def gate_plan(self, placeholder: str) -> GatePlan:
        """The gate's scans, each with the characters a hit of it must start with (None: unknown),
        and all of those characters together (None when one scan's are unknown).

        A scan none of whose first characters is in the document cannot
        hit and is not run: one set operation instead of a scan over the
        whole document, for most rules on most pages.
        """
        if placeholder not in self._plan:
            plan = [(scan, frozenset(scan[:1]) if isinstance(scan, str) else first_chars(scan.pattern))
                    for scan in self.gate(placeholder)]
            known = [firsts for _, firsts in plan]
            anywhere = None if None in known else frozenset().union(*known)  # type: ignore[arg-type]
            self._plan[placeholder] = (plan, anywhere)
        return self._plan[placeholder]

    def gate(self, placeholder: str) -> list[Scanner]:
        """What finds, in the whole document, every line worth trying (empty: every line is).

        The ``requires`` literals (a plain substring search each, or one
        pattern when there are many) and the ``prefilter``. They run over the
        document with a line break before and after every line (so a
        prefilter may use ``\\n`` where a pattern uses ``^`` or ``$``); a hit
        that starts on a line, or on the line break just before it, makes the
        line a candidate.
        """
        if placeholder not in self._gate:
            rule = self.rule
            scanners: list[Scanner] = [r.replace(PLACEHOLDER, placeholder) for r in rule.requires]
            if len(scanners) > _MAX_FIND_LITERALS:
                # One scan for all of them beats a str.find per literal.
                scanners = [_compile_scan("|".join(re.escape(str(lit)) for lit in scanners))]
            if rule.prefilter is not None:
                source = rule.prefilter.replace(PLACEHOLDER, re.escape(placeholder))
                # A user's prefilter runs under the time limit, which needs the regex engine.
                scanners.append(_compile_scan(source) if rule.builtin else regex.compile(source))
            self._gate[placeholder] = scanners
        return self._gate[placeholder]


# ---------------------------------------------------------------- loading

_NOT_BEHAVIOUR = frozenset({"name", "summary", "rationale", "source", "changes", "keeps", "builtin",
                            "renamed_from"})


def fingerprint(rules: Sequence[Rule]) -> str:
    """A short hash of what the rules do, in their order (words about them aside).

    The change log records it with the tool's version, so a cleaned corpus
    can be traced to the rules that cleaned it: two runs with the same
    fingerprint and version apply the same rules.

    >>> a = fingerprint(load_rules()); a == fingerprint(load_rules()), a.startswith("sha256:")
    (True, True)
    """
    spec = [{f.name: getattr(r, f.name) for f in fields(Rule)
             if f.init and f.name not in _NOT_BEHAVIOUR} for r in rules]
    digest = hashlib.sha256(json.dumps(spec, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return "sha256:" + digest.hexdigest()[:16]


def default_rules_dir() -> Path:
    """The folder of the default rule files.

    Installed, they are the data package ``cleaner.ruledata``; when the
    package is imported straight from a source checkout (``python -c`` in the
    repository root), they are the checkout's ``rules/`` folder.
    """
    try:
        return Path(str(resources.files("cleaner.ruledata")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "rules"


def load_rules(paths: list[str | Path] | None = None, *, defaults: bool = True) -> list[Rule]:
    """Load the default rules (unless ``defaults`` is false) and any extra files or folders.

    Rule ids must be unique across everything loaded. A file named twice (by
    a configuration and by ``--rules``, or through a folder and by name) is
    loaded once: files are the same when their resolved paths are.
    """
    files: list[Path] = []
    builtin: set[Path] = set()
    if defaults:
        builtin = set(sorted(default_rules_dir().glob("*.toml")))
        files.extend(sorted(builtin))
    for p in paths or []:
        p = Path(p)
        if p.is_dir():
            files.extend(sorted(p.glob("*.toml")))
        elif p.is_file():
            files.append(p)
        else:
            raise RuleError(p, "no such rule file or folder")
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    families: dict[str, tuple[str, Path]] = {}  # prefix -> (family, first file)
    loaded_from: set[Path] = set()
    for f in files:
        if f.resolve() in loaded_from:
            continue
        loaded_from.add(f.resolve())
        loaded = load_rule_file(f, trusted=f in builtin)
        if f in builtin and loaded and not loaded[0].prefix:
            raise RuleError(f, "a default rule file declares its family's id prefix",
                            field_name="prefix")
        if loaded and loaded[0].prefix:
            _register_family(families, loaded[0].family, loaded[0].prefix, f)
        for rule in loaded:
            for rid in (rule.id, *rule.renamed_from):
                if rid in seen:
                    raise RuleError(f, f"duplicate rule id {rid}, already defined (or renamed) in "
                                    f"{seen[rid]}", rule.id, "id" if rid == rule.id else "renamed_from")
                seen[rid] = str(f)
            rules.append(rule)
    return in_pipeline_order(rules)


def in_pipeline_order(rules: list[Rule], families: dict[str, tuple[str, ...]] | None = None
                      ) -> list[Rule]:
    """``rules`` in the order they run (see :data:`PIPELINE`); a stable sort.

    ``families`` replaces the family order of some stages (the order test uses it).
    """
    stage_rank = {s: i for i, s in enumerate(STAGES)}
    family_rank = {stage: {f: i for i, f in enumerate((families or {}).get(stage, names))}
                   for stage, names in PIPELINE}
    place = {"drop_block": 0, "score_line": 2}

    def key(r: Rule) -> tuple[int, int, int]:
        ranks = family_rank[r.stage]
        return stage_rank[r.stage], place.get(r.action, 1), ranks.get(r.family, len(ranks))

    return sorted(rules, key=key)


def _register_family(families: dict[str, tuple[str, Path]], family: str, prefix: str,
                     path: Path) -> None:
    """One prefix per family, and no prefix that another one starts with (FN and F).

    Selecting rules by prefix (``--ignore FN``) then takes exactly one family.
    """
    for known, (other, where) in families.items():
        if other == family and known != prefix:
            raise RuleError(path, f"family {family!r} has prefix {known!r} in {where}; a family "
                            "has one prefix", field_name="prefix")
        if other != family and prefix_clash(prefix, [known]):
            raise RuleError(path, f"prefix {prefix!r} of family {family!r} clashes with {known!r} "
                            f"of family {other!r} ({where}): give each family its own prefix, "
                            "none the start of another", field_name="prefix")
    families.setdefault(prefix, (family, path))


def prefix_clash(prefix: str, taken: Iterable[str]) -> str | None:
    """The taken prefix that ``prefix`` starts or is the start of, if any (``F`` and ``FN``)."""
    return next((t for t in taken if t and (t.startswith(prefix) or prefix.startswith(t))), None)


def load_rule_file(path: str | Path, *, trusted: bool = False) -> list[Rule]:
    """Load and validate one rule file.

    ``trusted`` is for the default rules: their regular expressions are not
    compiled here but on first use (the test suite compiles and runs them all),
    which keeps the start of a run short.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(path, f"not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(path, f"cannot read the rule file: {exc}") from None
    _check_keys(path, data, FILE_KEYS, None, "file")
    family = data.get("family")
    if not isinstance(family, str) or not family:
        raise RuleError(path, "missing file-level key 'family' (a name such as \"contact\")",
                        field_name="family")
    stage = data.get("stage", "noise")
    if stage not in STAGES:
        raise RuleError(path, f"unknown stage {stage!r}; use one of {', '.join(STAGES)}",
                        field_name="stage")
    prefix = data.get("prefix", "")
    if prefix and (not isinstance(prefix, str) or not PREFIX_RE.match(prefix)):
        raise RuleError(path, "must be two to six capital letters, such as \"CT\"",
                        field_name="prefix")
    safety = data.get("safety")
    if safety is not None and safety not in SAFETIES:
        raise RuleError(path, f"must be one of {', '.join(SAFETIES)}", field_name="safety")
    tables = data.get("rule", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise RuleError(path, "'rule' must be an array of tables ([[rule]])", field_name="rule")
    rules = [_build_rule(path, family, stage, t, i, trusted, safety, prefix)
             for i, t in enumerate(tables)]
    for rule in rules:
        if prefix and not (rule.id.startswith(prefix) and rule.id[len(prefix):][:1].isdigit()):
            raise RuleError(path, f"the ids of family {family!r} are {prefix} and digits, such as "
                            f"{prefix}001", rule.id, "id")
    return rules


def _check_keys(path: Path, table: dict[str, Any], allowed: Set[str], rule_id: str | None,
                what: str) -> None:
    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise RuleError(path, f"unknown {what} key{hint}", rule_id, key)


def _check_action_keys(path: Path, table: dict[str, Any], action: str, rule_id: str) -> None:
    """A key that the rule's action does not read is an error, not a setting silently ignored."""
    allowed = ACTIONS[action].allowed_keys
    for key in table:
        if key not in allowed:
            readers = sorted(a.name for a in ACTIONS.values() if key in a.keys)
            raise RuleError(path, f"a {action} rule does not read {key!r} (only "
                            f"{', '.join(readers)} rules do); remove it or change the action",
                            rule_id, key)


def _build_rule(path: Path, family: str, stage: str, t: dict[str, Any], index: int,
                trusted: bool = False, safety: str | None = None, prefix: str = "") -> Rule:
    rid = t.get("id")
    if not isinstance(rid, str) or not ID_RE.match(rid):
        raise RuleError(path, f"rule #{index + 1} needs an 'id' of letters and digits "
                        "such as \"CT001\"", None, "id")
    _check_keys(path, t, RULE_KEYS, rid, "rule")
    for key in REQUIRED:
        if key not in t:
            raise RuleError(path, "missing required field", rid, key)

    def get(key: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        value = t.get(key, default)
        if value is not None and not isinstance(value, kind):
            raise RuleError(path, f"must be {_kind_name(kind)}", rid, key)
        return value

    action = get("action", str)
    if action not in ACTIONS:
        raise RuleError(path, f"unknown action {action!r}; use one of {', '.join(ACTIONS)}",
                        rid, "action")
    _check_action_keys(path, t, action, rid)
    rule_stage = get("stage", str, stage)
    if rule_stage not in STAGES:
        raise RuleError(path, f"unknown stage {rule_stage!r}", rid, "stage")
    rule = Rule(
        id=rid, family=family, stage=rule_stage, action=action, source=str(path), prefix=prefix,
        builtin=trusted, changes=_examples(path, rid, t.get("changes")),
        keeps=_str_list(path, rid, t, "keeps"),
        summary=get("summary", str), rationale=get("rationale", str), name=get("name", str, ""),
        patterns=_str_list(path, rid, t, "patterns"), exclude=_str_list(path, rid, t, "exclude"),
        requires=_str_list(path, rid, t, "requires"), prefilter=get("prefilter", str),
        replacement=get("replacement", str), transform=get("transform", str),
        max_line_length=get("max_line_length", int), truncation=get("truncation", bool, False),
        damage=get("damage", bool, False),
        anchor=get("anchor", str, "head"), window=get("window", int, 12),
        min_members=get("min_members", int, 2), gap_max=get("gap_max", int, 2),
        gap_max_length=get("gap_max_length", int, 20),
        gap_stop=_str_list(path, rid, t, "gap_stop"), after=_str_list(path, rid, t, "after"),
        filler=_str_list(path, rid, t, "filler"),
        coverage=float(get("coverage", (int, float), 0.6)), leads=get("leads", bool, False),
        trails=get("trails", bool, False),
        zone=get("zone", str, "any"), status=get("status", str, "stable"),
        since=get("since", str, FIRST_VERSION),
        safety=get("safety", str, safety or default_safety(action)),
        renamed_from=_str_list(path, rid, t, "renamed_from"),
    )
    for old in rule.renamed_from:
        if not ID_RE.match(old) or old == rid:
            raise RuleError(path, f"{old!r} is not an earlier id of this rule", rid, "renamed_from")
    if rule.status not in STATUSES:
        raise RuleError(path, f"must be one of {', '.join(STATUSES)}", rid, "status")
    if not _VERSION_RE.match(rule.since):
        raise RuleError(path, "must be a version such as \"0.2.0\"", rid, "since")
    if rule.safety not in SAFETIES:
        raise RuleError(path, f"must be one of {', '.join(SAFETIES)}", rid, "safety")
    if not rule.summary.strip():
        raise RuleError(path, "must not be empty", rid, "summary")
    if not rule.rationale.strip():
        raise RuleError(path, "must not be empty", rid, "rationale")
    _check_action_fields(path, rule)
    if not trusted:  # the default rules are compiled when first used (the tests compile them all)
        for key in ("patterns", "exclude", "gap_stop", "after", "filler"):
            rule.matcher.keep_compiled(key, _compile(path, rid, key, getattr(rule, key)))
    _check_gate(path, rule, trusted)
    if not rule.changes:
        raise RuleError(path, "needs at least one example that must change", rid, "changes")
    if not rule.keeps:
        raise RuleError(path, "needs at least one example that must stay unchanged", rid, "keeps")
    return rule


def _check_action_fields(path: Path, rule: Rule) -> None:
    from .mojibake import REPAIRS  # local imports: neither imports anything from here
    from .transforms import TRANSFORMS

    if ACTIONS[rule.action].needs_patterns and not rule.patterns:
        raise RuleError(path, f"action {rule.action!r} needs at least one pattern", rule.id,
                        "patterns")
    if rule.action == "replace":
        if (rule.replacement is None) == (rule.transform is None):
            raise RuleError(path, "a replace rule needs exactly one of 'replacement' or "
                            "'transform'", rule.id, "replacement")
    known = REPAIRS if rule.action == "fix_mojibake" else TRANSFORMS
    if rule.transform is not None and rule.transform not in known:
        raise RuleError(path, f"unknown transform {rule.transform!r} for {rule.action}; use one "
                        f"of {', '.join(sorted(known))}", rule.id, "transform")
    if rule.anchor not in ("head", "foot"):
        raise RuleError(path, "must be \"head\" or \"foot\"", rule.id, "anchor")
    for key in ("window", "min_members", "gap_max_length"):
        if getattr(rule, key) < 1:
            raise RuleError(path, "must be at least 1", rule.id, key)
    if rule.gap_max < 0:
        raise RuleError(path, "must not be negative", rule.id, "gap_max")
    if not 0 < rule.coverage <= 1:
        raise RuleError(path, "must be a share above 0 and at most 1, such as 0.6", rule.id,
                        "coverage")
    if rule.zone not in ("any", "head", "tail"):
        raise RuleError(path, "must be \"any\", \"head\" or \"tail\"", rule.id, "zone")
    if rule.action == "drop_preamble" and not rule.after:
        raise RuleError(path, "a drop_preamble rule needs 'after': the patterns of the "
                        "collection's title", rule.id, "after")


def _check_gate(path: Path, rule: Rule, trusted: bool = False) -> None:
    """``requires`` literals are plain one-line strings; a ``prefilter`` has no context syntax."""
    for i, lit in enumerate(rule.requires):
        if not lit or "\n" in lit or "\r" in lit:
            raise RuleError(path, "each literal must be a non-empty string on one line", rule.id,
                            f"requires[{i}]")
    if rule.prefilter is None:
        return
    if not trusted:
        _compile(path, rule.id, "prefilter", [rule.prefilter])
    bare = _CHAR_CLASS.sub("C", rule.prefilter)
    bad = _CONTEXT_SYNTAX.search(bare)
    if bad:
        raise RuleError(path, f"a prefilter runs over the whole document and may not use "
                        f"{bad.group()!r} (anchors, lookaround, "
                        "word boundaries, atomic groups or possessive quantifiers); write a "
                        "line start or end as \\n", rule.id, "prefilter")


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "a whole number", bool: "true or false", list: "a list"}
    if isinstance(kind, tuple):
        return " or ".join(names.get(k, k.__name__) for k in kind)
    return names.get(kind, kind.__name__)


def _str_list(path: Path, rid: str, t: dict[str, Any], key: str) -> list[str]:
    value = t.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleError(path, "must be a string or a list of strings", rid, key)
    return value


def _compile(path: Path, rid: str, key: str, patterns: list[str]) -> list[regex.Pattern[str]]:
    out = []
    for i, p in enumerate(patterns):
        try:
            out.append(regex.compile(p.replace(PLACEHOLDER, regex.escape(defaults.PLACEHOLDER))))
        except regex.error as exc:
            raise RuleError(path, f"invalid regular expression: {exc}", rid,
                            f"{key}[{i}]") from None
    return out


def _examples(path: Path, rid: str, value: Any) -> list[Example]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise RuleError(path, "must be a list of {input = ..., output = ...} tables", rid,
                        "changes")
    out = []
    for i, item in enumerate(value):
        if (not isinstance(item, dict) or set(item) != {"input", "output"}
                or not all(isinstance(v, str) for v in item.values())):
            raise RuleError(path, "each example needs exactly the strings 'input' and 'output'",
                            rid, f"changes[{i}]")
        out.append(Example(item["input"], item["output"]))
    return out
