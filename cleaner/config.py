"""Project configuration: ``.cleaner.toml`` or ``[tool.cleaner]`` in ``pyproject.toml``.

Found like ruff and black find theirs: from the inputs' common folder (the
command passes it; the working directory for commands without inputs)
upward, the first ``.cleaner.toml``, or ``pyproject.toml`` with a
``[tool.cleaner]`` table, wins. Paths in it are relative to the file. Command-line options override it.
Unknown keys are an error that names the key and suggests the closest one.

On the way up, a ``pyproject.toml`` that cannot be read or parsed is skipped
with a warning, unless it has a ``[tool.cleaner]`` line: then it is ours, and
an error. A file found there that another user could have written (its owner
is neither the user nor root, or it or its folder is writable by everyone) is
ignored with a warning, as git refuses a repository another user owns: a
configuration chooses the rules that rewrite files. ``--config`` names a file
outright, and is taken as it is.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from . import defaults
from .defaults import Anonymise, placeholder_problem
from .core import Options
from .rules import Rule, load_rules

KEYS = {
    "rules": "extra rule files or folders (list of paths)",
    "select": "rule ids or id prefixes to run (default: all)",
    "ignore": "rule ids or id prefixes not to run",
    "placeholder": f"what anonymised tokens become (default \"{defaults.PLACEHOLDER}\")",
    "anonymise": "\"replace\", \"drop\" or \"keep\" anonymised tokens",
    "blank_lines": "one blank line between paragraphs (true/false)",
    "include": "glob patterns of files to clean inside folders (default [\"*.txt\"])",
    "exclude": "glob patterns of files or folders to skip",
    "preview": "also run the rules in preview (true/false)",
    "safe_only": "run only the rules whose fix is safe (true/false)",
}


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names file and key."""


class SelectorError(ValueError):
    """A rule selector (``--select``, ``--ignore``, or the same keys of a configuration) that names no rule."""


@dataclass
class Config:
    """Settings from a configuration file (all optional)."""

    source: Path | None = None
    rules: list[Path] = field(default_factory=list)
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    placeholder: str | None = None
    anonymise: str | None = None
    blank_lines: bool | None = None
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    preview: bool | None = None
    safe_only: bool | None = None


@dataclass(frozen=True)
class Overrides:
    """What the command line says; it wins over the configuration file (empty or None: not said)."""

    config_path: Path | None = None  # --config; else the nearest configuration file
    rule_paths: tuple[Path, ...] = ()
    no_default_rules: bool = False
    select: tuple[str, ...] = ()  # as given: each may be comma-separated
    ignore: tuple[str, ...] = ()
    placeholder: str | None = None
    anonymise: str | None = None
    blank_lines: bool | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    timeout: float | None = None
    no_guard: bool = False
    preview: bool | None = None
    safe_only: bool | None = None


@dataclass(frozen=True)
class Settings:
    """What to run: the configuration file overridden by the command line, rules loaded and selected."""

    rules: tuple[Rule, ...]
    options: Options
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    config: Config
    warnings: tuple[str, ...] = ()  # configuration files passed over on the way up, and why


def resolve(overrides: Overrides, cwd: Path) -> Settings:
    """Merge the configuration file (found from ``cwd`` up) with the command line; load the rules.

    ``cwd`` is where the search starts: the common folder of the inputs, as
    black and ruff look for theirs. Raises :class:`ConfigError` or
    :class:`~cleaner.rules.RuleError` for a file that cannot be used, and
    :class:`SelectorError` for a selector that names no rule.
    """
    warnings: list[str] = []
    config = load_config(overrides.config_path or find_config(cwd, warnings))
    rules = load_rules([*config.rules, *overrides.rule_paths], defaults=not overrides.no_default_rules)
    if overrides.no_default_rules and not config.rules and not overrides.rule_paths:
        warnings.append("--no-default-rules without --rules (nor rules in a configuration file): no rule runs, "
                        "and the files are only decoded and given the output form")
    preview = _choose(overrides.preview, config.preview)
    where = f"{config.source}: key" if config.source is not None else "key"
    selectors = [(_split(overrides.select), "--select"), (_split(overrides.ignore), "--ignore"),
                 (config.select, f"{where} 'select'"), (config.ignore, f"{where} 'ignore'")]
    for given, origin in selectors:
        warnings += check_selectors(rules, given, origin, preview=preview)
    rules = select_rules(rules, _split(overrides.select) or config.select,
                         config.ignore + _split(overrides.ignore))
    options = Options(
        placeholder=_first(overrides.placeholder, config.placeholder, defaults.PLACEHOLDER),
        # checked where it was given (click's choice, the config's key); Options checks again
        anonymise=cast(Anonymise, _first(overrides.anonymise, config.anonymise, "replace")),
        blank_lines=_choose(overrides.blank_lines, config.blank_lines),
        guard=not overrides.no_guard,
        timeout=overrides.timeout or defaults.TIMEOUT,
        preview=preview,
        safe_only=_choose(overrides.safe_only, config.safe_only),
    )
    include = list(overrides.include) or config.include or ["*.txt"]
    exclude = list(overrides.exclude) + config.exclude
    return Settings(tuple(rules), options, tuple(include), tuple(exclude), config, tuple(warnings))


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _first(*values: str | None) -> str:
    return next(v for v in values if v is not None)


def _choose(said: bool | None, configured: bool | None) -> bool:
    """A switch: the command line's word (``--blank-lines`` or ``--no-blank-lines``), else the file's, else off."""
    return said if said is not None else bool(configured)


def find_config(start: Path, warnings: list[str] | None = None) -> Path | None:
    """The nearest ``.cleaner.toml`` or ``pyproject.toml`` with ``[tool.cleaner]`` that is safe to use.

    What is passed over with a reason (see the module's doc) goes to ``warnings``.
    """
    told = [] if warnings is None else warnings
    for folder in [start, *start.parents]:
        for candidate in (folder / ".cleaner.toml", folder / "pyproject.toml"):
            try:
                if not candidate.is_file():
                    continue
            except OSError:  # a folder this user may not search (an input folder that cannot be read)
                continue
            if candidate.name == "pyproject.toml" and not _has_our_table(candidate, told):
                continue
            unsafe = unsafe_reason(candidate)
            if unsafe is not None:
                told.append(f"{candidate}: ignored: {unsafe}, so it may not be yours; "
                            "give it with --config if you trust it")
                continue
            return candidate
    return None


_OUR_TABLE = re.compile(r"^\s*\[\s*\"?tool\"?\s*\.\s*\"?cleaner\b", re.MULTILINE)


def _has_our_table(pyproject: Path, warnings: list[str]) -> bool:
    """Does a ``pyproject.toml`` hold a ``[tool.cleaner]`` table? One that is broken and not ours is skipped."""
    try:
        data = _read(pyproject)
    except ConfigError as exc:
        try:
            ours = _OUR_TABLE.search(pyproject.read_bytes().decode("utf-8", "replace")) is not None
        except OSError:
            ours = False
        if ours:
            raise
        warnings.append(f"{exc}; skipped (it has no [tool.cleaner] table)")
        return False
    tool = data.get("tool")
    return isinstance(tool, dict) and "cleaner" in tool


def unsafe_reason(path: Path) -> str | None:
    """Why another user could have written ``path``, or replaced it in its folder; None if no one could.

    Unsafe: the file or its folder belongs to neither this user nor root, or
    everyone may write to it (a folder with the sticky bit, such as /tmp, lets
    no one replace another's file).
    """
    if not hasattr(os, "geteuid"):  # pragma: no cover: not on POSIX
        return None
    trusted = {os.geteuid(), 0}
    for item, name in ((path, "it"), (path.parent, "its folder")):
        try:
            st = item.stat()
        except OSError:
            return None  # the read that follows says what is wrong
        if st.st_uid not in trusted:
            return f"{name} belongs to another user (uid {st.st_uid})"
        if st.st_mode & stat.S_IWOTH and not (item != path and st.st_mode & stat.S_ISVTX):
            return f"every user may write to {name}"
    return None


def load_config(path: Path | None) -> Config:
    """Read and validate a configuration file; ``None`` gives the defaults."""
    if path is None:
        return Config()
    data = _read(path)
    table: Any = data
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        table = tool.get("cleaner", {}) if isinstance(tool, dict) else None
    where = f"{path}: [tool.cleaner]" if path.name == "pyproject.toml" else str(path)
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table of settings, such as [tool.cleaner] on a line "
                          "of its own followed by key = value lines")
    for key in table:
        if key not in KEYS:
            close = difflib.get_close_matches(key, list(KEYS), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; valid keys: {', '.join(KEYS)}"
            if key == "tool" and isinstance(table[key], dict) and "cleaner" in table[key]:
                hint = ("; in a .cleaner.toml the settings stand at the top level, without [tool.cleaner] "
                        "(that table is for pyproject.toml)")
            raise ConfigError(f"{where}: unknown key '{key}'{hint}")
    cfg = Config(source=path)
    base = path.parent
    cfg.rules = [base / p for p in _strings(where, table, "rules")]
    cfg.select = _strings(where, table, "select")
    cfg.ignore = _strings(where, table, "ignore")
    cfg.include = _strings(where, table, "include")
    cfg.exclude = _strings(where, table, "exclude")
    cfg.placeholder = _typed(where, table, "placeholder", str)
    problem = None if cfg.placeholder is None else placeholder_problem(cfg.placeholder)
    if problem is not None:
        raise ConfigError(f"{where}: key 'placeholder' {problem}")
    cfg.anonymise = _typed(where, table, "anonymise", str)
    if cfg.anonymise is not None and cfg.anonymise not in defaults.ANONYMISE_MODES:
        raise ConfigError(f"{where}: key 'anonymise' must be \"replace\", \"drop\" or \"keep\"")
    cfg.blank_lines = _typed(where, table, "blank_lines", bool)
    cfg.preview = _typed(where, table, "preview", bool)
    cfg.safe_only = _typed(where, table, "safe_only", bool)
    return cfg


def check_selectors(rules: list[Rule], selectors: list[str], origin: str, *, preview: bool = False) -> list[str]:
    """Refuse a selector that names no rule, as ruff does ("unknown rule selector"); warnings for the others.

    A selector is a family's whole prefix (``FN``), a rule id (``FN001``) or
    the start of one after its family's prefix (``FN00``), in any case. The
    start of a prefix (``F``, which would take both ``FN`` and ``FM``) is
    refused with the families it could mean; so is a rule that was removed.
    A deprecated rule, or a preview rule without ``--preview``, named by its
    id, gives a warning.

    >>> from cleaner.rules import load_rules
    >>> check_selectors(load_rules(), ["F"], "--ignore")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cleaner.config.SelectorError: --ignore F: unknown rule selector: ...; did you mean FN (furniture) or FM (form)?
    """
    families = {r.prefix: r.family for r in rules if r.prefix}
    warnings = []
    for given in selectors:
        key = given.upper()
        partial = [p for p in families if p.startswith(key) and p != key]
        if partial:
            raise SelectorError(f"{origin} {given}: unknown rule selector: a family is selected by its whole "
                                "prefix; did you mean " + " or ".join(f"{p} ({families[p]})" for p in partial) + "?")
        renamed = next((r for r in rules if key in (old.upper() for old in r.renamed_from)), None)
        if renamed is not None:  # a redirect, as ruff's for renamed rules
            warnings.append(f"{origin} {given}: rule {given.upper()} is now {renamed.id}; use {renamed.id}")
            continue
        hits = [r for r in rules if r.id.upper().startswith(key)]
        if not hits:
            names = sorted({*families, *(r.id for r in rules)})
            close = difflib.get_close_matches(key, names, n=3, cutoff=0.5)
            hint = f"did you mean {' or '.join(close)}?" if close else "`cleaner rules list` shows the rules"
            raise SelectorError(f"{origin} {given}: unknown rule selector; {hint}")
        exact = next((r for r in hits if r.id.upper() == key), None)
        if exact is not None and exact.status == "removed":
            raise SelectorError(f"{origin} {given}: rule {exact.id} was removed and no longer runs; "
                                f"take it out of {origin.split(' key ')[0]}")
        if exact is not None and exact.status == "deprecated":
            warnings.append(f"{origin} {given}: rule {exact.id} is deprecated and will be removed")
        if exact is not None and exact.status == "preview" and not preview:
            warnings.append(f"{origin} {given}: rule {exact.id} is in preview: it runs only with --preview "
                            "(or preview = true)")
    return warnings


def select_rules(rules: list[Rule], select: list[str], ignore: list[str]) -> list[Rule]:
    """Keep the rules whose id starts with a ``select`` prefix, minus ``ignore`` prefixes (in any case).

    The output-form rules (stage ``form``) are always kept unless ignored: they
    make the output form, not a judgement about noise.
    """
    def hit(rule: Rule, prefixes: list[str]) -> bool:
        return any(rule.id.upper().startswith(p.upper())
                   or p.upper() in (old.upper() for old in rule.renamed_from) for p in prefixes)

    return [r for r in rules
            if (not select or hit(r, select) or r.stage == "form") and not hit(r, ignore)]


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start}); save it as UTF-8") from None


def _strings(where: str, table: dict[str, Any], key: str) -> list[str]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: key '{key}' must be a string or a list of strings")
    return value


def _typed(where: str, table: dict[str, Any], key: str, kind: type) -> Any:
    value = table.get(key)
    if value is not None and not isinstance(value, kind):
        raise ConfigError(f"{where}: key '{key}' must be {'true or false' if kind is bool else 'a string'}")
    return value
