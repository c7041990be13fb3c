"""The command line: parse options, call the library, report.

Exit codes: 0 nothing to do or all written; 1 with --check/--diff when a file
would change (and for ``rules test`` when an example fails); 2 when anything
failed (a bad path, an undecodable file, a bad rule or configuration file).
Errors are one line each, never a traceback.
"""

from __future__ import annotations

import difflib
import fnmatch
import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import click

from . import __version__
from .changes import CleanResult
from .config import Config, ConfigError, find_config, load_config, select_rules
from .core import ANONYMISE_MODES, Options, RuleTimeout
from .fileio import DecodeError, clean_decoded, decode, write_atomic
from .guard import BodyIntegrityError
from .rules import Rule, RuleError, load_rules

EXIT_OK, EXIT_WOULD_CHANGE, EXIT_ERROR = 0, 1, 2


@dataclass
class Job:
    """One input: where it is read from and, for -o, where it goes."""

    source: Path | None  # None: standard input
    relative: Path

    @property
    def label(self) -> str:
        return "<stdin>" if self.source is None else str(self.source)


@dataclass
class Report:
    """Messages and errors of one run (the counts of files live in :class:`Batch`)."""

    quiet: bool = False
    per_file: bool = True  # one line per file (not under a progress bar)
    errors: int = 0

    def error(self, where: str, message: str) -> None:
        self.errors += 1
        click.echo(f"error: {where}: {message}", err=True)

    def done(self, outcome: Outcome) -> None:
        if not self.quiet and self.per_file:
            click.echo(outcome.summary, err=True)
            for w in outcome.warnings:
                click.echo(w, err=True)

    def exit_code(self, changed: int, would_change_fails: bool) -> int:
        if self.errors:
            return EXIT_ERROR
        if would_change_fails and changed:
            return EXIT_WOULD_CHANGE
        return EXIT_OK


@dataclass
class Settings:
    """What to run, from the configuration file overridden by the command line."""

    rules: list[Rule]
    options: Options
    include: list[str]
    exclude: list[str]
    config: Config


def rule_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options that choose the rule set, shared by ``clean`` and ``rules``."""
    options = [
        click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Configuration file (default: the nearest .cleaner.toml or "
                          "pyproject.toml with [tool.cleaner])."),
        click.option("--rules", "rule_paths", multiple=True, type=click.Path(path_type=Path),
                     help="Extra rule file or folder (repeatable)."),
        click.option("--no-default-rules", is_flag=True, help="Use only the rules given with --rules."),
        click.option("--select", multiple=True,
                     help="Run only rules whose id starts with this (repeatable, or comma-separated)."),
        click.option("--ignore", multiple=True,
                     help="Do not run rules whose id starts with this (repeatable, or comma-separated)."),
    ]
    return functools.reduce(lambda f, opt: opt(f), reversed(options), func)


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def resolve(config_path: Path | None, rule_paths: tuple[Path, ...], no_default_rules: bool,
            select: tuple[str, ...], ignore: tuple[str, ...], **options: Any) -> Settings:
    """Merge configuration and command line; load and select the rules. Exits 2 on errors."""
    try:
        config = load_config(config_path or find_config(Path.cwd()))
        rules = load_rules([*config.rules, *rule_paths], defaults=not no_default_rules)
    except (ConfigError, RuleError) as exc:
        _fail(f"{exc}; fix the file or leave it out")
    rules = select_rules(rules, _split(select) or config.select, config.ignore + _split(ignore))
    merged = {
        "placeholder": _first(options.get("placeholder"), config.placeholder, "××"),
        "anonymise": _first(options.get("anonymise"), config.anonymise, "replace"),
        "blank_lines": bool(options.get("blank_lines") or config.blank_lines),
        "guard": not options.get("no_guard", False),
        "timeout": options.get("timeout") or 10.0,
    }
    include = list(options.get("include") or ()) or config.include or ["*.txt"]
    exclude = list(options.get("exclude") or ()) + config.exclude
    return Settings(rules, Options(**merged), include, exclude, config)


def _first(*values: Any) -> Any:
    return next(v for v in values if v is not None)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cleaner")
def main() -> None:
    """Clean Chinese speeches saved from document-sharing sites."""


def batch_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options of a cleaning run, shared by ``clean``, ``diff`` and ``report``."""
    options = [
        click.option("--placeholder",
                     help="What anonymised tokens (XX, ×××, *** …) become. [default: ××]"),
        click.option("--anonymise", type=click.Choice(ANONYMISE_MODES),
                     help="Replace anonymised tokens, drop them, or keep them. [default: replace]"),
        click.option("--blank-lines", is_flag=True, default=None,
                     help="Put one blank line between paragraphs."),
        click.option("--include", multiple=True,
                     help="Glob of files to clean inside folders (default *.txt)."),
        click.option("--exclude", multiple=True,
                     help="Glob of files or folders to skip (repeatable)."),
        click.option("--encoding", help="Decode inputs with this encoding instead of detecting it."),
        click.option("--timeout", type=float,
                     help="Seconds a rule may spend on one line. [default: 10]"),
        click.option("--no-guard", is_flag=True,
                     help="Skip the check that no Chinese text was lost outside logged removals."),
        click.option("-j", "--jobs", type=click.IntRange(min=1),
                     help="Clean this many files at once. [default: all cores]"),
        click.option("-q", "--quiet", is_flag=True,
                     help="No per-file lines and no summary on stderr."),
    ]
    return rule_options(functools.reduce(lambda f, opt: opt(f), reversed(options), func))


COLOR_HELP = "Colour the diff. [default: when standard output is a terminal and NO_COLOR is unset]"


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              help="Write each cleaned file under this folder, at its path relative to the input.")
@click.option("--in-place", is_flag=True, help="Rewrite the input files (atomically, only if changed).")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any file would change.")
@click.option("--diff", is_flag=True, help="Print a unified diff; exit 1 if any file would change.")
@click.option("--color/--no-color", default=None, help=COLOR_HELP)
@click.option("--log", "log_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the change log as JSON Lines to this file.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write an HTML report of this run to this file.")
@batch_options
def clean(paths: tuple[str, ...], output: Path | None, in_place: bool, check: bool, diff: bool,
          color: bool | None, log_path: Path | None, report_path: Path | None, **choice: Any) -> None:
    """Clean speech files. PATHS are files, folders (every .txt below them) or - for stdin.

    \b
    cleaner clean speech.txt            print the clean text
    cat speech.txt | cleaner clean -    the same, as a filter
    cleaner clean raw/ -o clean/        clean a folder into another
    cleaner clean raw/ --in-place       rewrite files that change
    cleaner clean raw/ --check          exit 1 if anything would change
    cleaner clean raw/ --diff           show what would change, line by line
    """
    modes = [name for name, on in (("-o", output), ("--in-place", in_place), ("--check", check),
                                   ("--diff", diff)) if on]
    if len(modes) > 1 and set(modes) != {"--check", "--diff"}:
        _fail(f"choose one of {', '.join(modes)}")
    view = View("unified" if diff else None, _use_color(color), -1)
    _run(paths, choice, output=output, in_place=in_place, to_stdout=not modes, view=view,
         log_path=log_path, report_path=report_path, would_change_fails=check or diff)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--unified", is_flag=True, help="Line by line, as `clean --diff` prints it.")
@click.option("--context", type=int, default=40, show_default=True,
              help="Unchanged characters shown on each side of a change (-1: whole lines).")
@click.option("--color/--no-color", default=None, help=COLOR_HELP)
@batch_options
def diff(paths: tuple[str, ...], unified: bool, context: int, color: bool | None,
         **choice: Any) -> None:
    """Show changes marked inside each line, with rule ids.

    Writes nothing; exits 1 if any file would change. A removed span shows as
    [-removed-], an added one as {+added+}, each followed by <RULE-ID>; with
    colour, removed text is red and struck through and added text is green.
    """
    view = View("unified" if unified else "inline", _use_color(color), context)
    _run(paths, choice, output=None, in_place=False, to_stdout=False, view=view, log_path=None,
         report_path=None, would_change_fails=True)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--output", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="The HTML file to write.")
@batch_options
def report(paths: tuple[str, ...], report_path: Path, **choice: Any) -> None:
    """Write one self-contained HTML page to review a batch.

    Cleans PATHS without writing them, and writes nothing but the page. The
    page lists every file and every rule, and shows each changed file before
    and after with each change labelled by its rule.
    """
    _run(paths, choice, output=None, in_place=False, to_stdout=False,
         view=View(None, False, -1), log_path=None, report_path=report_path,
         would_change_fails=False)


def _use_color(flag: bool | None) -> bool:
    if flag is not None:
        return flag
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _run(paths: tuple[str, ...], choice: dict[str, Any], *, output: Path | None, in_place: bool,
         to_stdout: bool, view: View, log_path: Path | None, report_path: Path | None,
         would_change_fails: bool) -> None:
    encoding, jobs, quiet = choice.pop("encoding"), choice.pop("jobs"), choice.pop("quiet")
    report = Report(quiet=quiet)
    settings = resolve(**choice)
    work = _collect(paths, settings.include, settings.exclude, report)
    if to_stdout and (len(work) > 1 or any(Path(p).is_dir() for p in paths if p != "-")):
        _fail("several files need -o DIR, --in-place, --check or --diff")

    view = replace(view, report=report_path is not None)
    task = Task(settings, encoding, output, in_place, view, to_stdout, log_path is not None)
    batch = Batch()
    pages: list[dict[str, Any]] = []
    for outcome in _outcomes(task, work, jobs or os.cpu_count() or 1, report):
        batch.add(outcome)
        if outcome.error:
            report.error(outcome.label, outcome.error)
            if report_path is not None:
                from .report import skipped_data

                pages.append(skipped_data(outcome.label, outcome.error))
            continue
        report.done(outcome)
        if outcome.page is not None:
            pages.append(outcome.page)
        if outcome.diff:
            sys.stdout.write(outcome.diff)
            sys.stdout.flush()
        if outcome.text is not None:
            sys.stdout.buffer.write(outcome.text)
            sys.stdout.flush()
    if log_path is not None:
        try:
            write_atomic(log_path, "".join(batch.log).encode("utf-8"))
        except OSError as exc:
            report.error(str(log_path), f"cannot write the log: {exc.strerror}")
    if report_path is not None:
        from .report import build_report  # the review modules load only when asked for

        summaries = {r.id: r.summary for r in settings.rules}
        try:
            write_atomic(report_path, build_report(pages, summaries).encode("utf-8"))
        except OSError as exc:
            report.error(str(report_path), f"cannot write the report: {exc.strerror}")
        else:
            if not quiet:
                click.echo(f"report: {report_path}", err=True)
    if not quiet and len(work) > 1:
        click.echo(batch.summary(), err=True)
    sys.exit(report.exit_code(batch.changed, would_change_fails=would_change_fails))


@dataclass(frozen=True)
class View:
    """What to show of each file besides writing it: a diff, and data for the report."""

    diff: str | None  # "unified", "inline" or None
    color: bool
    context: int  # for the inline diff
    report: bool = False  # set by _run from whether a report file is asked for


@dataclass(frozen=True)
class Task:
    """Everything a worker needs to clean one file (sent once to each worker process)."""

    settings: Settings
    encoding: str | None
    output: Path | None
    in_place: bool
    view: View
    to_stdout: bool
    log: bool  # build the JSON Lines change log (only when --log asks for it)


@dataclass
class Outcome:
    """What cleaning one file gave, small enough to send back from a worker."""

    label: str
    error: str | None = None
    changed: bool = False
    summary: str = ""
    warnings: list[str] = field(default_factory=list)
    log: str = ""
    diff: str = ""
    page: dict[str, Any] | None = None  # this file's part of the HTML report
    truncated: bool = False
    rules: dict[str, int] = field(default_factory=dict)
    text: bytes | None = None  # the clean text, only when it goes to stdout


@dataclass
class Batch:
    """The totals of a run, for the closing summary."""

    seen: int = 0
    changed: int = 0
    skipped: list[str] = field(default_factory=list)
    truncated: int = 0
    rules: dict[str, int] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.seen += 1
        if outcome.error:
            self.skipped.append(f"{outcome.label}: {outcome.error}")
            return
        self.changed += outcome.changed
        self.truncated += outcome.truncated
        self.log.append(outcome.log)
        for rule, n in outcome.rules.items():
            self.rules[rule] = self.rules.get(rule, 0) + n

    def summary(self) -> str:
        unchanged = self.seen - self.changed - len(self.skipped)
        lines = [f"{self.seen} file(s) seen: {self.changed} changed, {unchanged} unchanged, "
                 f"{len(self.skipped)} skipped"]
        lines += [f"  skipped {s}" for s in self.skipped]
        if self.truncated:
            lines.append(f"{self.truncated} truncated document(s)")
        if self.rules:
            lines.append("changes per rule: " + ", ".join(
                f"{r} {n}" for r, n in sorted(self.rules.items(), key=lambda x: (-x[1], x[0]))))
        return "\n".join(lines)


_TASK: Task | None = None


def _init_worker(task: Task) -> None:
    global _TASK
    _TASK = task


def _work(job: Job) -> Outcome:
    assert _TASK is not None
    return process(_TASK, job)


def _outcomes(task: Task, work: list[Job], jobs: int, report: Report) -> Iterator[Outcome]:
    """Clean every job, in parallel when it pays, yielding outcomes in input order."""
    bar = (not report.quiet and len(work) > 20 and sys.stderr.isatty())
    report.per_file = not bar
    parallel = jobs > 1 and len(work) > 1 and all(j.source is not None for j in work)
    if not parallel:
        results: Iterator[Outcome] = (process(task, job) for job in work)
        yield from _with_bar(results, len(work), bar)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=min(jobs, len(work)), initializer=_init_worker,
                             initargs=(task,)) as pool:
        chunk = max(1, min(64, len(work) // (jobs * 8)))
        yield from _with_bar(pool.map(_work, work, chunksize=chunk), len(work), bar)


def _with_bar(results: Iterator[Outcome], total: int, bar: bool) -> Iterator[Outcome]:
    if not bar:
        yield from results
        return
    with click.progressbar(length=total, label="cleaning", file=sys.stderr) as progress:
        for outcome in results:
            progress.update(1)
            yield outcome


def process(task: Task, job: Job) -> Outcome:
    """Read, clean and write one file; never raises (errors come back in the outcome)."""
    try:
        data = sys.stdin.buffer.read() if job.source is None else job.source.read_bytes()
    except OSError as exc:
        return Outcome(job.label, error=f"cannot read: {exc.strerror}")
    settings = task.settings
    try:
        decoded = decode(data, task.encoding)
        result = clean_decoded(decoded, settings.rules, options=settings.options)
    except DecodeError as exc:
        return Outcome(job.label, error=f"{exc}; skipped")
    except (BodyIntegrityError, RuleTimeout) as exc:
        return Outcome(job.label, error=f"{exc}; the file was left unchanged (fix that rule or "
                       "leave it out; if no rule is named, report the file)")
    except Exception as exc:  # a bug must not stop the batch or print a traceback
        return Outcome(job.label, error=f"internal error ({type(exc).__name__}: {exc}); the file "
                       "was skipped and left unchanged; please report this with the file")
    new = result.text.encode("utf-8")
    outcome = Outcome(
        job.label, changed=new != data, summary=result.summary(job.label),
        warnings=[f"  warning: {job.label}:{w.line}:{w.column}: {w.rule}: {w.message}"
                  for w in result.warnings],
        log=result.jsonl(job.label) if task.log else "", truncated=result.info.truncated,
        rules=dict(result.rule_counts()))
    if task.view.diff or task.view.report:
        _show(task, job, decoded.text, result, outcome)
    try:
        if task.output is not None:
            _write_if_different(task.output / job.relative, new)
        elif task.in_place and job.source is not None:
            if outcome.changed:
                write_atomic(job.source, new)
        elif task.to_stdout or task.in_place:  # the text itself goes to standard output
            outcome.text = new
    except OSError as exc:
        outcome.error = f"cannot write: {exc.strerror} ({exc.filename})"
    return outcome


def _write_if_different(target: Path, data: bytes) -> None:
    """Write atomically, and only when the file is missing or its content differs."""
    try:
        if target.read_bytes() == data:
            return
    except OSError:
        pass
    write_atomic(target, data)


def _show(task: Task, job: Job, source: str, result: CleanResult, outcome: Outcome) -> None:
    """The diff and the report data of one file, from its decoded text and its result."""
    from . import render
    from .report import file_data
    from .review import FORM_ONLY, review

    view = task.view
    if view.diff == "unified":
        before = source.replace("\r\n", "\n").replace("\r", "\n")
        outcome.diff = render.unified(str(job.relative), before, result.text, view.color)
        if not view.report:
            return
    reviewed = review(job.label, source, result)
    if view.diff == "inline":
        outcome.diff = render.inline(reviewed, view.color, view.context)
        if outcome.changed and not outcome.diff:  # say why it would change (the exit code does)
            outcome.diff = render.paint(f"{job.label}: {FORM_ONLY}", "header", view.color) + "\n"
    if view.report:
        outcome.page = file_data(reviewed, rewritten=outcome.changed)



def _collect(paths: tuple[str, ...], include: list[str], exclude: list[str],
             report: Report) -> list[Job]:
    jobs: list[Job] = []
    for raw in paths:
        if raw == "-":
            jobs.append(Job(None, Path("stdin.txt")))
            continue
        p = Path(raw)
        if p.is_dir():
            jobs.extend(Job(f, f.relative_to(p)) for f in sorted(p.rglob("*"))
                        if f.is_file() and _wanted(f.relative_to(p), include, exclude))
        elif p.is_file():
            jobs.append(Job(p, Path(p.name)))
        else:
            report.error(raw, "no such file or folder")
    return jobs


def _wanted(relative: Path, include: list[str], exclude: list[str]) -> bool:
    """Include globs match the file name (case-insensitively); exclude globs any path part."""
    name = relative.name.lower()
    if not any(fnmatch.fnmatch(name, g.lower()) for g in include):
        return False
    posix = relative.as_posix()
    return not any(fnmatch.fnmatch(posix, g) or any(fnmatch.fnmatch(part, g)
                                                    for part in relative.parts)
                   for g in exclude)


# ------------------------------------------------------------------ rules


@main.group()
def rules() -> None:
    """List, show and test rules (the defaults plus your own)."""


@rules.command("list")
@rule_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def rules_list(fmt: str, **choice: Any) -> None:
    """One line per active rule: id, family, action, summary."""
    active = resolve(**choice).rules
    if fmt == "json":
        for r in active:
            click.echo(json.dumps({"id": r.id, "name": r.name, "family": r.family,
                                   "stage": r.stage, "action": r.action, "summary": r.summary,
                                   "source": r.source}, ensure_ascii=False))
        return
    for r in active:
        click.echo(f"{r.id:<8} {r.family:<12} {r.action:<20} {r.summary}")


@rules.command("show")
@click.argument("rule_id")
@rule_options
def rules_show(rule_id: str, **choice: Any) -> None:
    """Everything about one rule: summary, rationale, patterns, examples."""
    active = resolve(**choice).rules
    found = [r for r in active if r.id == rule_id]
    if not found:
        close = difflib.get_close_matches(rule_id, [r.id for r in active], n=3)
        _fail(f"no active rule {rule_id}" + (f"; did you mean {', '.join(close)}?" if close else ""))
    r = found[0]
    click.echo(f"{r.id} ({r.name or r.family}) — {r.summary}\n")
    click.echo(f"family: {r.family}   stage: {r.stage}   action: {r.action}   file: {r.source}\n")
    click.echo(r.rationale.strip() + "\n")
    prefilter = [r.prefilter] if r.prefilter else []
    for label, items in (("patterns", r.patterns), ("exclude", r.exclude),
                         ("requires", r.requires), ("prefilter", prefilter)):
        if items:
            click.echo(f"{label}:")
            for item in items:
                click.echo(f"  {item}")
    click.echo("changes:")
    for ex in r.changes:
        click.echo(f"  {ex.input!r}\n    -> {ex.output!r}")
    click.echo("keeps:")
    for keep in r.keeps:
        click.echo(f"  {keep!r}")


@rules.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@rule_options
def rules_test(paths: tuple[Path, ...], **choice: Any) -> None:
    """Run the examples of the rules in PATHS (rule files or folders), or of all active rules.

    Each failing example is printed with what was expected and what came out;
    the exit code is 1 if any failed.
    """
    from .examples import check_rule

    if paths:
        choice["rule_paths"] = tuple(choice["rule_paths"]) + paths
    settings = resolve(**choice)
    wanted = {str(p) for p in paths}
    chosen = [r for r in settings.rules
              if not paths or r.source in wanted or str(Path(r.source).parent) in wanted]
    form = [r for r in settings.rules if r.stage == "form"]
    failures = 0
    examples = 0
    for rule in chosen:
        for problem in check_rule(rule, form, settings.options):
            failures += 1
            click.echo(problem)
        examples += len(rule.changes) + len(rule.keeps)
    click.echo(f"{len(chosen)} rule(s), {examples} example(s): "
               f"{examples - failures} passed, {failures} failed")
    sys.exit(EXIT_WOULD_CHANGE if failures else EXIT_OK)


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--min-files", type=int, default=3, show_default=True,
              help="A line must stand in at least this many files.")
@click.option("--min-share", type=float, default=0.3, show_default=True,
              help="...and in at least this share of the files.")
@rule_options
def learn(folder: Path, min_files: int, min_share: float, **choice: Any) -> None:
    """Propose rules for a folder's own boilerplate: lines repeated across many files.

    Prints a rule file (TOML) to stdout, one drop_line rule per repeated line
    that the active rules do not already remove, with its count and
    examples. Lines that read as speech (salutations, headings, sentences)
    are never proposed. Review it, then use it with --rules.
    """
    from .learn import learn_folder

    settings = resolve(**choice)
    files = sorted(f for f in folder.rglob("*")
                   if f.is_file() and _wanted(f.relative_to(folder), settings.include,
                                              settings.exclude))
    texts = []
    for f in files:
        try:
            texts.append(decode(f.read_bytes()).text)
        except DecodeError as exc:
            click.echo(f"warning: {f}: {exc}; left out", err=True)
    click.echo(learn_folder(texts, settings.rules, settings.options, str(folder), min_files,
                            min_share), nl=False)


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_ERROR)


if __name__ == "__main__":  # pragma: no cover
    main()
