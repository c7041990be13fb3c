"""The command line: parse options, call the library, report.

Exit codes: 0 nothing to do or all written; 1 with --check/--diff when a file
would change; 2 when anything failed (a bad path, an undecodable file, a bad
rule file). Errors are one line each, never a traceback.
"""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import click

from . import __version__
from .changes import CleanResult
from .core import ANONYMISE_MODES, Options
from .fileio import DecodeError, clean_bytes, write_atomic
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
    """Counts, messages and the exit code of one run."""

    quiet: bool = False
    seen: int = 0
    changed: int = 0
    errors: int = 0
    log: list[str] = field(default_factory=list)

    def error(self, where: str, message: str) -> None:
        self.errors += 1
        click.echo(f"error: {where}: {message}", err=True)

    def done(self, job: Job, result: CleanResult, changed: bool) -> None:
        self.seen += 1
        self.changed += changed
        if not self.quiet:
            click.echo(result.summary(job.label), err=True)
            for w in result.warnings:
                click.echo(f"  warning: {job.label}:{w.line}:{w.column}: {w.rule}: {w.message}",
                           err=True)

    def exit_code(self, would_change_fails: bool) -> int:
        if self.errors:
            return EXIT_ERROR
        if would_change_fails and self.changed:
            return EXIT_WOULD_CHANGE
        return EXIT_OK


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cleaner")
def main() -> None:
    """Clean Chinese speeches saved from document-sharing sites."""


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              help="Write each cleaned file under this folder, at its path relative to the input.")
@click.option("--in-place", is_flag=True, help="Rewrite the input files (atomically, only if changed).")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any file would change.")
@click.option("--diff", is_flag=True, help="Print a unified diff; exit 1 if any file would change.")
@click.option("--log", "log_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the change log as JSON Lines to this file.")
@click.option("--rules", "rule_paths", multiple=True, type=click.Path(path_type=Path),
              help="Extra rule file or folder (repeatable).")
@click.option("--no-default-rules", is_flag=True, help="Use only the rules given with --rules.")
@click.option("--placeholder", default="××", show_default=True,
              help="What anonymised tokens (XX, ×××, *** …) become.")
@click.option("--anonymise", type=click.Choice(ANONYMISE_MODES), default="replace",
              show_default=True, help="Replace anonymised tokens, drop them, or keep them.")
@click.option("--blank-lines", is_flag=True, help="Put one blank line between paragraphs.")
@click.option("--encoding", help="Decode inputs with this encoding instead of detecting it.")
@click.option("--no-guard", is_flag=True,
              help="Skip the check that no Chinese text was lost outside logged removals.")
@click.option("-q", "--quiet", is_flag=True, help="No per-file summary on stderr.")
def clean(paths: tuple[str, ...], output: Path | None, in_place: bool, check: bool, diff: bool,
          log_path: Path | None, rule_paths: tuple[Path, ...], no_default_rules: bool,
          placeholder: str, anonymise: str, blank_lines: bool, encoding: str | None,
          no_guard: bool, quiet: bool) -> None:
    """Clean speech files. PATHS are files, folders (every .txt below them) or - for stdin.

    \b
    cleaner clean speech.txt            print the clean text
    cat speech.txt | cleaner clean -    the same, as a filter
    cleaner clean raw/ -o clean/        clean a folder into another
    cleaner clean raw/ --in-place       rewrite files that change
    cleaner clean raw/ --check          exit 1 if anything would change
    """
    report = Report(quiet=quiet)
    modes = [name for name, on in (("-o", output), ("--in-place", in_place), ("--check", check),
                                   ("--diff", diff)) if on]
    if len(modes) > 1 and set(modes) != {"--check", "--diff"}:
        _fail(f"choose one of {', '.join(modes)}")
    try:
        rules = load_rules(list(rule_paths), defaults=not no_default_rules)
    except RuleError as exc:
        _fail(f"{exc}; fix the rule file or leave it out")
    options = Options(placeholder=placeholder, anonymise=anonymise, blank_lines=blank_lines,
                      guard=not no_guard)

    jobs = _collect(paths, report)
    to_stdout = not modes
    if to_stdout and (len(jobs) > 1 or any(Path(p).is_dir() for p in paths if p != "-")):
        _fail("several files need -o DIR, --in-place, --check or --diff")

    log_lines: list[str] = []
    for job in jobs:
        _run_job(job, rules, options, encoding, output, in_place, check, diff, to_stdout,
                 report, log_lines)
    if log_path is not None:
        try:
            write_atomic(log_path, "".join(log_lines).encode("utf-8"))
        except OSError as exc:
            report.error(str(log_path), f"cannot write the log: {exc.strerror}")
    if not quiet and len(jobs) > 1:
        click.echo(f"{report.seen} file(s) seen, {report.changed} changed, "
                   f"{report.errors} error(s)", err=True)
    sys.exit(report.exit_code(would_change_fails=check or diff))


def _run_job(job: Job, rules: list[Rule], options: Options, encoding: str | None,
             output: Path | None, in_place: bool, check: bool, diff: bool, to_stdout: bool,
             report: Report, log_lines: list[str]) -> None:
    try:
        data = sys.stdin.buffer.read() if job.source is None else job.source.read_bytes()
    except OSError as exc:
        report.error(job.label, f"cannot read: {exc.strerror}")
        return
    try:
        result = clean_bytes(data, rules, encoding=encoding, options=options)
    except DecodeError as exc:
        report.error(job.label, f"{exc}; skipped")
        return
    except BodyIntegrityError as exc:
        report.error(job.label, f"internal error: {exc}; the file was left unchanged "
                     "(fix that rule or leave its file out; if no rule is named, report the file)")
        return
    except Exception as exc:  # a bug must not stop the batch or print a traceback
        report.error(job.label, f"internal error ({type(exc).__name__}: {exc}); the file was "
                     "skipped and left unchanged; please report this with the file")
        return
    new = result.text.encode("utf-8")
    changed = new != data
    report.done(job, result, changed)
    log_lines.append(result.jsonl(job.label))
    if diff:
        _write_diff(job, data, result, sys.stdout)
    if to_stdout:
        sys.stdout.buffer.write(new)
        sys.stdout.flush()
    elif output is not None:
        _write(job, output / job.relative, new, report)
    elif in_place and changed and job.source is not None:
        _write(job, job.source, new, report)
    elif in_place and job.source is None:
        sys.stdout.buffer.write(new)


def _write(job: Job, target: Path, data: bytes, report: Report) -> None:
    try:
        write_atomic(target, data)
    except OSError as exc:
        report.error(str(target), f"cannot write: {exc.strerror}")


def _write_diff(job: Job, data: bytes, result: CleanResult, out: IO[str]) -> None:
    from .fileio import decode

    before = decode(data).text.replace("\r\n", "\n").replace("\r", "\n")
    a = before.splitlines(keepends=True)
    b = result.text.splitlines(keepends=True)
    for line in difflib.unified_diff(a, b, f"a/{job.relative}", f"b/{job.relative}"):
        out.write(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    out.flush()


def _collect(paths: tuple[str, ...], report: Report) -> list[Job]:
    jobs: list[Job] = []
    for raw in paths:
        if raw == "-":
            jobs.append(Job(None, Path("stdin.txt")))
            continue
        p = Path(raw)
        if p.is_dir():
            jobs.extend(Job(f, f.relative_to(p)) for f in sorted(p.rglob("*"))
                        if f.suffix.lower() == ".txt" and f.is_file())
        elif p.is_file():
            jobs.append(Job(p, Path(p.name)))
        else:
            report.error(raw, "no such file or folder")
    return jobs


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_ERROR)


if __name__ == "__main__":  # pragma: no cover
    main()
