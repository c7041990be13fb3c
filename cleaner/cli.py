"""The command line: declare the options, call the library, exit once.

The work is elsewhere: :mod:`cleaner.config` merges the configuration file
with the options, :mod:`cleaner.files` finds the inputs, :mod:`cleaner.pipeline`
cleans them (in worker processes) and :mod:`cleaner.summary` prints what
happened and chooses the exit code. Every command returns its exit code; the
group exits with it, at one place. An error that ends the run is a
:class:`Fatal` exception, printed as one line (never a traceback) with exit 2.

Exit codes: 0 nothing to do or all written; 1 with --check/--diff when a file
would change (and for ``rules test`` when an example fails); 2 when anything
failed (a bad path, an undecodable file, a bad rule or configuration file, an
output that cannot be written); 130 on Ctrl-C; 141 when the reader of standard
output went away (``| head``), quietly, as a Unix tool killed by SIGPIPE.

:func:`main` runs the command in this process and returns the exit code.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import functools
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING, Any

import click

from . import __version__
from .config import ConfigError, Overrides, SelectorError, Settings, resolve
from .defaults import ANONYMISE_MODES, placeholder_problem
from .fileio import DecodeError, decode, remove_stale_temps, unknown_encoding, write_atomic
from .files import STDIN, Source, display, excluded, files_in, find_sources, is_records, records_wanted
from .pipeline import DiffStyle, FileOutcome, Pipeline, View, WriteBack, clean_many
from .rules import RuleError
from .summary import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_PIPE_CLOSED, EXIT_WOULD_CHANGE, Summary

if TYPE_CHECKING:  # the report module loads only when a report is asked for
    from .report import FileRecord


class Fatal(click.ClickException):
    """An error that ends the run: one line on stderr, exit 2."""

    exit_code = EXIT_ERROR

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.message}", err=True)


class Interrupted(click.ClickException):
    """Ctrl-C: one line on stderr, exit 130 (128 + SIGINT, as a shell reports it)."""

    exit_code = EXIT_INTERRUPTED

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"\ninterrupted{': ' if self.message else ''}{self.message}", err=True)


class PipeClosed(click.ClickException):
    """The reader of our output went away (``cleaner … | head``): stop quietly, exit 141 as SIGPIPE would."""

    exit_code = EXIT_PIPE_CLOSED

    def show(self, file: IO[Any] | None = None) -> None:
        pass


def _mute(stream: IO[Any]) -> None:
    """Point a standard stream that failed at /dev/null, so that the flush at exit cannot fail again."""
    try:
        fd = stream.fileno()
    except (OSError, ValueError):  # not a file (a test's buffer)
        return
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, fd)
    os.close(null)


def _output_failed(exc: OSError) -> click.ClickException:
    """What ends a run whose standard output cannot be written: a closed pipe, or a full disk."""
    _mute(sys.stdout)
    if exc.errno == errno.EPIPE:
        # Nothing more is said: the process pool's exit hook in Python 3.11 can race its own
        # shutdown and print "Exception ignored … Bad file descriptor"; a tool whose reader went
        # away ends without a word.
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.flush()
        _mute(sys.stderr)
        return PipeClosed("")
    return Fatal(f"cannot write to standard output: {exc.strerror or exc}; standard output is incomplete")


def _say(text: str, nl: bool = True) -> None:
    """A line of a command's result on standard output."""
    try:
        click.echo(text, nl=nl)
    except OSError as exc:
        raise _output_failed(exc) from None


class _Group(click.Group):
    """The ``cleaner`` group: Ctrl-C and a closed pipe end any of its commands the same way."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise Interrupted("") from None
        except BrokenPipeError:  # stderr's reader went away (a message, not a result, was lost)
            _mute(sys.stderr)
            raise _output_failed(BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))) from None


@dataclass(frozen=True)
class BatchChoice:
    """The options of a cleaning run that are not settings of the configuration file."""

    overrides: Overrides
    encoding: str | None
    jobs: int | None
    quiet: bool
    trust_encoding: bool = False  # --force-encoding: decode with it even if the text does not read as Chinese
    stdin_filename: str | None = None  # --stdin-filename: standard input's name in messages, logs and diffs
    force_exclude: bool = False  # --force-exclude: the exclude globs apply to paths given by name too


Command = Callable[..., Any]

RULE_OPTIONS = [
    click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
                 help="Configuration file (default: the nearest .cleaner.toml or "
                      "pyproject.toml with [tool.cleaner])."),
    click.option("--rules", "rule_paths", multiple=True, type=click.Path(path_type=Path),
                 help="Extra rule file or folder (repeatable)."),
    click.option("--no-default-rules", is_flag=True, help="Use only the rules given with --rules."),
    click.option("--select", multiple=True,
                 help="Run only these rules: a family prefix (FN), a rule id (FN001) or its start (FN00), "
                      "in any case (repeatable, or comma-separated)."),
    click.option("--ignore", multiple=True,
                 help="Do not run these rules, selected as with --select (repeatable, or comma-separated)."),
    click.option("-v", "--verbose", is_flag=True,
                 help="More on stderr: the configuration file in use, the rules loaded, a line for every "
                      "file with its time."),
]
MAX_TIMEOUT = 3600.0


def _seconds(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """``--timeout``: a number of seconds above 0 (0 and inf would fail or never stop a rule)."""
    if value is not None and not 0 < value <= MAX_TIMEOUT:
        raise click.BadParameter(f"{value:g} is not a number of seconds above 0 and at most {MAX_TIMEOUT:g}; "
                                 "give how long a user rule may take on one line, such as 10")
    return value


def _one_line(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--placeholder``: text that stays inside its line."""
    problem = None if value is None else placeholder_problem(value)
    if problem is not None:
        raise click.BadParameter(problem)
    return value


def _known_encoding(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """An encoding Python knows, checked once for the run (not file by file)."""
    problem = None if value is None else unknown_encoding(value)
    if problem is not None:
        raise click.BadParameter(problem)
    return value


TIMEOUT_OPTION = click.option("--timeout", type=float, callback=_seconds,
                              help="Seconds a user rule may spend on one line (above 0, at most 3600). "
                                   "[default: 10]")
BATCH_OPTIONS = [
    click.option("--placeholder", callback=_one_line,
                 help="What anonymised tokens (XX, ×××, *** …) become. [default: ××]"),
    click.option("--anonymise", type=click.Choice(ANONYMISE_MODES),
                 help="Replace anonymised tokens, drop them, or keep them. [default: replace]"),
    click.option("--blank-lines/--no-blank-lines", default=None,
                 help="Put one blank line between paragraphs (--no-blank-lines: none, whatever the "
                      "configuration says)."),
    click.option("--include", multiple=True,
                 help="Glob of files to clean inside folders (default *.txt)."),
    click.option("--exclude", multiple=True,
                 help="Glob of files or folders to skip (repeatable)."),
    click.option("--force-exclude", is_flag=True,
                 help="Apply the exclude globs to files given by name too (as pre-commit gives them)."),
    click.option("--stdin-filename", metavar="NAME",
                 help="The name of standard input (-) in messages, the log and diffs, and for finding the "
                      "configuration and matching --exclude."),
    click.option("--encoding", callback=_known_encoding,
                 help="Decode inputs with this encoding instead of detecting it."),
    click.option("--force-encoding", metavar="NAME", callback=_known_encoding,
                 help="Like --encoding, even where the text does not read as Chinese in it."),
    TIMEOUT_OPTION,
    click.option("--preview", is_flag=True, default=None,
                 help="Also run the rules in preview (status = \"preview\")."),
    click.option("--safe-only", is_flag=True, default=None,
                 help="Run only the rules whose fix is safe (pure form), none of those that judge what is noise."),
    click.option("--no-guard", is_flag=True,
                 help="Skip the check that no Chinese text was lost outside logged removals."),
    click.option("-j", "--jobs", type=click.IntRange(min=1),
                 help="Clean this many files at once (at most one per core). [default: all cores]"),
    click.option("-q", "--quiet", is_flag=True,
                 help="No per-file lines and no summary on stderr."),
]
_VERBOSE = "cleaner.verbose"  # where the rule options leave -v, in the context's meta
_RULE_KEYS = ("config_path", "rule_paths", "no_default_rules", "select", "ignore")
_SETTING_KEYS = ("placeholder", "anonymise", "blank_lines", "include", "exclude", "timeout", "no_guard", "preview",
                 "safe_only")


def _declare(options: Sequence[Callable[[Command], Command]], func: Command) -> Command:
    """Apply click options so that ``--help`` lists them in the order given."""
    return functools.reduce(lambda f, opt: opt(f), reversed(options), func)


def rule_options(func: Command) -> Command:
    """The options that choose the rule set, passed to ``func`` as ``overrides``."""
    def command(*args: Any, **said: Any) -> Any:
        click.get_current_context().meta[_VERBOSE] = said.pop("verbose")
        overrides = Overrides(**{key: said.pop(key) for key in _RULE_KEYS})
        return func(*args, overrides=overrides, **said)

    return _declare(RULE_OPTIONS, functools.update_wrapper(command, func))


def batch_options(func: Command) -> Command:
    """The options of a cleaning run (``clean``, ``diff``, ``report``), passed as ``batch``."""
    def command(*args: Any, **said: Any) -> Any:
        click.get_current_context().meta[_VERBOSE] = said.pop("verbose")
        keys = _RULE_KEYS + _SETTING_KEYS
        overrides = Overrides(**{key: said.pop(key) for key in keys})
        encoding, forced = said.pop("encoding"), said.pop("force_encoding")
        if encoding and forced:
            raise Fatal("choose one of --encoding and --force-encoding")
        batch = BatchChoice(overrides, encoding or forced, said.pop("jobs"), said.pop("quiet"),
                            trust_encoding=bool(forced), stdin_filename=said.pop("stdin_filename"),
                            force_exclude=said.pop("force_exclude"))
        return func(*args, batch=batch, **said)

    return _declare(RULE_OPTIONS, _declare(BATCH_OPTIONS, functools.update_wrapper(command, func)))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cleaner")
def cli() -> None:
    """Clean Chinese speeches saved from document-sharing sites."""


@cli.result_callback()
def _exit(code: int | None) -> None:
    """The one exit of every command, with the code it returned."""
    click.get_current_context().exit(EXIT_OK if code is None else code)


def main(argv: list[str] | None = None) -> int:
    """Run ``cleaner`` with ``argv`` (default: the process's arguments); return its exit code.

    Output goes to ``sys.stdout`` and ``sys.stderr``; nothing exits the process.
    """
    try:
        cli.main(args=argv, prog_name=None if argv is None else "cleaner")
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or EXIT_OK
        return EXIT_ERROR  # pragma: no cover: click exits with numbers
    except OSError as exc:  # click's own output (--help, --version) to a full disk or a closed pipe
        failed = _output_failed(exc)
        with contextlib.suppress(OSError):
            failed.show()
        return failed.exit_code
    return EXIT_OK  # pragma: no cover: click's standalone mode always exits


COLOR_HELP = "Colour the diff. [default: when standard output is a terminal and NO_COLOR is unset]"


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write each cleaned file under this folder, at its path relative to the input; "
                   "for one input file, a name ending in .txt (and not a folder) is the file to write "
                   "(records: the file to write, or - for standard output).")
@click.option("--in-place", is_flag=True, help="Rewrite the input files (atomically, only if changed).")
@click.option("--allow-damaged", is_flag=True,
              help="With --in-place, rewrite files even where some bytes could not be decoded (U+FFFD).")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any file would change.")
@click.option("--diff", is_flag=True, help="Print a unified diff; exit 1 if any file would change.")
@click.option("--color/--no-color", default=None, help=COLOR_HELP)
@click.option("--log", "log_path", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="Write the change log as JSON Lines to this file (- for standard output).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="Also write an HTML report of this run to this file (- for standard output).")
@click.option("--text-key", default="text", show_default=True, help="Records: the field that is cleaned.")
@click.option("--meta-key", default="cleaner", show_default=True,
              help="Records: the field added with what was done to the text.")
@click.option("--id-key", default="id", show_default=True, help="Records: the field that names a record in the log.")
@batch_options
def clean(paths: tuple[str, ...], output: Path | None, in_place: bool, allow_damaged: bool, check: bool,
          diff: bool, color: bool | None, log_path: Path | None, report_path: Path | None,
          text_key: str, meta_key: str, id_key: str, batch: BatchChoice) -> int:
    """Clean speech files. PATHS are files, folders (every .txt below them) or - for stdin.

    \b
    cleaner clean speech.txt            print the clean text
    cat speech.txt | cleaner clean -    the same, as a filter
    cleaner clean raw/ -o clean/        clean a folder into another
    cleaner clean raw/ --in-place       rewrite files that change
    cleaner clean raw/ --check          exit 1 if anything would change
    cleaner clean raw/ --diff           show what would change, line by line
    cleaner clean c.jsonl -o clean.jsonl  clean the text field of records
    """
    if records_wanted(paths, None if output is None else str(output)):
        from . import records  # only for records: a run on text files does not load it

        return _clean_records(paths, output, log_path, records.Keys(text_key, meta_key, id_key), batch,
                              {"--in-place": in_place, "--check": check, "--diff": diff,
                               "--report": report_path is not None, "--allow-damaged": allow_damaged})
    modes = [name for name, on in (("-o", output), ("--in-place", in_place), ("--check", check),
                                   ("--diff", diff)) if on]
    if len(modes) > 1 and set(modes) != {"--check", "--diff"}:
        raise Fatal(f"choose one of {', '.join(modes)}")
    if output is not None:
        write_back = WriteBack.FOLDER
    elif in_place:
        write_back = WriteBack.IN_PLACE
    else:
        write_back = WriteBack.NOTHING if modes else WriteBack.RETURN
    view = View(DiffStyle.UNIFIED if diff else None, _use_color(color), -1)
    return _run(paths, batch, write_back, output, view, log_path, report_path, check=check or diff,
                allow_damaged=allow_damaged)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--unified", is_flag=True, help="Line by line, as `clean --diff` prints it.")
@click.option("--context", type=int, default=40, show_default=True,
              help="Unchanged characters shown on each side of a change (-1: whole lines).")
@click.option("--color/--no-color", default=None, help=COLOR_HELP)
@batch_options
def diff(paths: tuple[str, ...], unified: bool, context: int, color: bool | None,
         batch: BatchChoice) -> int:
    """Show changes marked inside each line, with rule ids.

    Writes nothing; exits 1 if any file would change. A removed span shows as
    [-removed-], an added one as {+added+}, each followed by <RULE-ID>; with
    colour, removed text is red and struck through and added text is green.
    A review-level rule (one that removes text by judgement) is <RULE-ID!>.
    """
    view = View(DiffStyle.UNIFIED if unified else DiffStyle.INLINE, _use_color(color), context)
    _refuse_records(paths, "diff")
    return _run(paths, batch, WriteBack.NOTHING, None, view, None, None, check=True)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--output", "report_path", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              required=True, help="The HTML file to write (- for standard output).")
@click.option("--lang", type=click.Choice(["auto", "zh", "en"]), default="auto", show_default=True,
              help="The page's language; auto follows the browser's (Chinese for zh*).")
@batch_options
def report(paths: tuple[str, ...], report_path: Path, lang: str, batch: BatchChoice) -> int:
    """Write one self-contained HTML page to review a batch.

    Cleans PATHS without writing them, and writes nothing but the page. The
    page lists every file and every rule, and shows each changed file before
    and after with each change labelled by its rule.
    """
    _refuse_records(paths, "report")
    return _run(paths, batch, WriteBack.NOTHING, None, View(), None, report_path, check=False,
                report_lang=lang, report_option="-o")


def _refuse_records(paths: tuple[str, ...], command: str) -> None:
    """``cleaner diff`` and ``cleaner report`` read text files: a records file read as one would have its
    JSON edited by the rules (a rule that drops a line takes the record's closing ``"}`` with it)."""
    for given in paths:
        if is_records(given):
            raise Fatal(f"{display(given)} is a records file, and cleaner {command} reads text files; clean the "
                        f"records with cleaner clean {display(given)} -o CLEAN.jsonl --log LOG.jsonl and read "
                        "each change in the log")


def _use_color(flag: bool | None) -> bool:
    if flag is not None:
        return flag
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _settings(overrides: Overrides, start: Path | None = None) -> Settings:
    """The settings of a run; configuration files passed over are warned about, the one used named with -v.

    The configuration is looked for from ``start`` (the inputs' folder) upward; default the working directory.
    """
    try:
        settings = resolve(overrides, start or Path.cwd())
    except (ConfigError, RuleError) as exc:
        raise Fatal(f"{exc}; fix the file or leave it out") from None
    except SelectorError as exc:
        raise Fatal(str(exc)) from None
    for warning in settings.warnings:
        click.echo(f"warning: {warning}", err=True)
    if click.get_current_context().meta.get(_VERBOSE):
        used = settings.config.source
        click.echo(f"config: {used}" if used else "config: none found (no .cleaner.toml, nor "
                   "pyproject.toml with [tool.cleaner], here or above)", err=True)
        families: dict[str, int] = {}
        for r in settings.rules:
            families[r.prefix or r.family] = families.get(r.prefix or r.family, 0) + 1
        click.echo(f"rules: {len(settings.rules)} selected from {len({r.source for r in settings.rules})} "
                   "file(s): " + ", ".join(f"{name} {n}" for name, n in families.items()), err=True)
    return settings


def _run(paths: tuple[str, ...], batch: BatchChoice, write_back: WriteBack, output: Path | None,
         view: View, log_path: Path | None, report_path: Path | None, *, check: bool,
         allow_damaged: bool = False, report_lang: str = "auto", report_option: str = "--report") -> int:
    """Find the inputs, clean them, print and write what the options ask for; the exit code.

    ``report_option``: how the user named the report's file (``cleaner report`` takes it as ``-o``).
    """
    verbose = bool(click.get_current_context().meta.get(_VERBOSE))
    summary = Summary(quiet=batch.quiet, check=check, written=write_back is not WriteBack.NOTHING,
                      verbose=verbose, in_diff=view.diff is DiffStyle.INLINE)
    settings = _settings(batch.overrides, _inputs_folder(paths, batch.stdin_filename))
    if paths.count(STDIN) > 1:
        raise Fatal(f"- is given {paths.count(STDIN)} times: standard input can be read only once")
    _refuse_shared_stdout(write_back, view, log_path, report_path)
    if batch.force_exclude:
        paths = _force_exclude(paths, batch, settings, write_back, verbose)
    to_file = output is not None and _names_a_file(output)
    prune = () if output is None or to_file else _prune_output(paths, output, batch.quiet)
    found = find_sources(paths, settings.include, settings.exclude, prune)
    if batch.stdin_filename is not None:
        found = replace(found, sources=tuple(_named_stdin(s, batch.stdin_filename) for s in found.sources))
    for missing in found.missing:
        summary.error(display(missing), "no such file or folder")
    for skip in found.skipped:
        summary.leave_out(skip)
    folders = [p for p in paths if p != STDIN and Path(p).is_dir()]
    for folder in folders:
        if not batch.quiet and not any(s.path is not None and s.path.is_relative_to(folder)
                                       for s in found.sources):
            click.echo(f"no {_kind_of_files(settings.include)} found under {display(folder)} (use --include)",
                       err=True)
    if write_back is WriteBack.RETURN and len(found.sources) > 1:
        raise Fatal("several files need -o DIR, --in-place, --check or --diff")
    if write_back is WriteBack.RETURN and found.sources and folders:
        raise Fatal(f"{display(folders[0])} is a folder: its files need -o DIR, --in-place, --check or --diff")
    sources = found.sources
    if to_file:
        assert output is not None
        if len(sources) > 1 or folders:
            what = f"{display(folders[0])} is a folder" if folders else f"{len(sources)} files are given"
            raise Fatal(f"-o {display(output)} names a file (it ends in .txt), which holds the clean text of one "
                        f"input, but {what}; give -o a folder (a name without .txt) to clean several files")
        sources = tuple(replace(s, relative=Path(output.name)) for s in sources)
        output = output.parent
    _refuse_overlaps(paths, sources, output, {"--log": log_path, report_option: report_path}, one_file=to_file)
    # In place, a file is rewritten only after its change log is on record (see _LogFile).
    pipeline = Pipeline(settings.rules, settings.options, batch.encoding, write_back, output,
                        View(view.diff, view.color, view.context, report=report_path is not None),
                        log=log_path is not None, trust_encoding=batch.trust_encoding,
                        allow_damaged=allow_damaged, deferred=write_back is WriteBack.IN_PLACE,
                        messages=not batch.quiet)  # -q prints no file's line nor warning: none is built
    _remove_stale_temps(pipeline.targets(sources) + [p for p in (log_path, report_path) if p and str(p) != STDIN],
                        summary)
    pages: list[FileRecord] = []
    ctrl_c = _CtrlC()
    with contextlib.ExitStack() as stack:
        stack.enter_context(ctrl_c.installed())
        log = None if log_path is None else stack.enter_context(_open_log(log_path, settings))
        outcomes = stack.enter_context(contextlib.closing(clean_many(pipeline, sources, _jobs(batch))))
        try:
            for source, outcome in zip(sources, summary.progress(outcomes, len(sources)), strict=True):
                with ctrl_c.held():
                    outcome = _keep(pipeline, source, outcome, log)
                    summary.add(outcome)
                if report_path is not None:
                    pages += _page(outcome)
                if outcome.error is None:
                    _print(outcome)
        except KeyboardInterrupt:
            rest = "; no other input was rewritten" if write_back is WriteBack.IN_PLACE else ""
            raise Interrupted(f"stopped after {summary.seen} of {len(sources)} file(s){rest}"
                              + (f"; {log_path} has the files done" if log_path is not None else "")) from None
    if report_path is not None:
        _write_report(report_path, pages, settings, summary, report_lang)
    if not batch.quiet and len(found.sources) + len(found.skipped) > 1:
        click.echo(summary.text(), err=True)
    return summary.exit_code


def _inputs_folder(paths: Sequence[str], stdin_filename: str | None) -> Path:
    """Where the configuration is looked for: the common folder of the inputs, as black and ruff do.

    A folder counts as itself, a file as its folder, standard input as the
    folder of its ``--stdin-filename`` (else the working directory).
    """
    folders = []
    for given in paths:
        if given == STDIN:
            folders.append(os.path.abspath(os.path.dirname(stdin_filename or "") or "."))
            continue
        whole = os.path.abspath(given)
        folders.append(whole if os.path.isdir(whole) else os.path.dirname(whole))
    return Path(os.path.commonpath(folders)) if folders else Path.cwd()


def _names_a_file(output: Path) -> bool:
    """``-o`` names the file to write (as ``cp`` takes it): it ends in .txt and is not a folder.

    Any other name is a folder; an existing file that does not end in .txt is refused.
    """
    if output.is_dir():
        return False
    if output.suffix.lower() == ".txt":
        return True
    if output.exists():
        raise Fatal(f"-o {display(output)} is a file: -o names a folder, or for one input a file ending in .txt")
    return False


def _prune_output(paths: Sequence[str], output: Path, quiet: bool) -> tuple[Path, ...]:
    """The output folder, when it lies inside an input folder: the walk does not clean it as an input.

    ``cleaner clean . -o clean`` run twice must not clean ``clean/`` into
    ``clean/clean/``; once the folder exists, that is said (unless -q).
    """
    out = output.resolve()
    for given in paths:
        if given != STDIN and Path(given).is_dir() and Path(given).resolve() in out.parents:
            if out.is_dir() and not quiet:
                click.echo(f"note: {display(output)}, the output folder, is inside {display(given)}: it is not "
                           "cleaned as an input", err=True)
            return (out,)
    return ()


def _named_stdin(source: Source, name: str) -> Source:
    """Standard input under its ``--stdin-filename``: in messages, the log and diffs, and below ``-o DIR``."""
    if source.path is not None:
        return source
    return replace(source, relative=Path(os.path.basename(name) or "stdin.txt"), name=display(name))


def _force_exclude(paths: tuple[str, ...], batch: BatchChoice, settings: Settings, write_back: WriteBack,
                   verbose: bool) -> tuple[str, ...]:
    """``--force-exclude``: the paths given by name that no exclude glob matches.

    Standard input is matched by its ``--stdin-filename``; excluded, it goes
    to standard output unchanged when that is where the clean text would go.
    """
    base = None if settings.config.source is None else Path(os.path.abspath(settings.config.source)).parent
    kept = []
    for given in paths:
        name = batch.stdin_filename if given == STDIN else given
        if name is None or not excluded(name, settings.exclude, base):
            kept.append(given)
            continue
        if verbose:
            click.echo(f"{display(name)}: excluded (--force-exclude)", err=True)
        if given == STDIN and write_back is WriteBack.RETURN:
            data = sys.stdin.buffer.read()
            try:
                sys.stdout.buffer.write(data)
                sys.stdout.flush()
            except OSError as exc:
                raise _output_failed(exc) from None
    return tuple(kept)


def _refuse_shared_stdout(write_back: WriteBack, view: View, log_path: Path | None,
                          report_path: Path | None) -> None:
    """``--log -`` and ``--report -`` write to standard output: only when nothing else does."""
    users = [f"{option} -" for option, path in (("--log", log_path), ("--report", report_path))
             if path is not None and str(path) == STDIN]
    if users and write_back is WriteBack.RETURN:
        users.append("the clean text")
    elif users and view.diff is not None:
        users.append("the diff")
    if len(users) > 1:
        raise Fatal(f"{' and '.join(users)} would both go to standard output; write all but one of them to a file "
                    "(the clean text with -o DIR, --in-place or --check)")


def _kind_of_files(include: Sequence[str]) -> str:
    """The files the include globs take, in words: ".txt files", or "files matching *.md, *.rst".

    >>> _kind_of_files(["*.txt"]), _kind_of_files(["*.md", "*.rst"])
    ('.txt files', 'files matching *.md, *.rst')
    """
    if len(include) == 1 and include[0].startswith("*.") and not any(c in include[0][2:] for c in "*?["):
        return f"{include[0][1:]} files"
    return "files matching " + ", ".join(include)


def _clean_records(paths: tuple[str, ...], output: Path | None, log_path: Path | None, keys: Any,
                   batch: BatchChoice, refused: dict[str, bool]) -> int:
    """``clean`` on records (:mod:`cleaner.records`): one output, bad records said with their line; the exit code."""
    from . import records

    for option, given in refused.items():
        if given:
            raise Fatal(f"{option} does not apply to records; clean them into a new file with -o FILE")
    if batch.encoding:
        raise Fatal("--encoding does not apply to records: JSON Lines and Parquet text is UTF-8")
    settings = _settings(batch.overrides)
    pipeline = Pipeline(settings.rules, settings.options, log=log_path is not None)
    try:
        tally = records.run(paths, None if output is None else str(output), pipeline, keys, _jobs(batch),
                            log_path, lambda line: click.echo(line, err=True))
    except records.RecordsError as exc:
        raise Fatal(str(exc)) from None
    except BrokenPipeError:
        raise _output_failed(BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))) from None
    if not batch.quiet:
        errors = f", {tally.errors} error(s) (left out)" if tally.errors else ""
        click.echo(f"{tally.records} record(s), {tally.changed} changed{errors}", err=True)
    return EXIT_ERROR if tally.errors else EXIT_OK


def _remove_stale_temps(targets: list[Path], summary: Summary) -> None:
    """Remove the temporary files that a killed run left beside the files this run writes, and say so."""
    for path in remove_stale_temps(targets):
        if not summary.quiet:
            click.echo(f"removed {display(path)}: a temporary file left by an interrupted run", err=True)


def _refuse_overlaps(paths: tuple[str, ...], sources: Sequence[Source], output: Path | None,
                     files: dict[str, Path | None], one_file: bool = False) -> None:
    """Stop a run that would write over its own inputs, or write two inputs to one file.

    ``-o`` may not be an input folder (it would rewrite the inputs without
    --in-place), nor hold an input (inside one, it is not walked: see
    :func:`_prune_output`); no two inputs may go to one file of it; with
    ``one_file`` (``-o FILE.txt``) the file may not be the input; the log and
    the report (``files``) may not be an input or an output. Links are
    followed: a link to the input folder is the input folder.
    """
    targets: dict[Path, Source] = {}
    if output is not None:
        out = output.resolve()
        for given in paths:
            if given == STDIN or one_file:
                continue
            place = Path(given).resolve()
            if out == place:
                raise Fatal(f"-o {output} is the input folder {given}: cleaning into it would rewrite the "
                            "inputs; choose another folder (or --in-place to rewrite them)")
            if out in place.parents:
                raise Fatal(f"-o {output} holds the input {given}: the clean files would be mixed with "
                            "the inputs, or written over them; choose a folder apart from the inputs")
        for source in sources:
            first = targets.setdefault(out / source.relative, source)
            if first is not source:
                raise Fatal(f"{first.label} and {source.label} would both be written to "
                            f"{output / source.relative}; give each input once, or clean them into "
                            "separate folders")
    inputs = {s.path.resolve(): s for s in sources if s.path is not None}
    for target, source in targets.items() if one_file else ():
        if target in inputs:
            raise Fatal(f"-o {display(output / source.relative) if output else ''} is the input {source.label}: "
                        "cleaning into it would rewrite the input; use --in-place to rewrite it")
    for option, path in files.items():
        if path is None or str(path) == STDIN:
            continue
        where = path.resolve()
        if where in inputs:
            raise Fatal(f"{option} {path} is the input {inputs[where].label}: it would be overwritten; "
                        "write it somewhere else")
        if where in targets:
            raise Fatal(f"{option} {path} is where {targets[where].label} is written; write it somewhere else")


_LOG_PIECE = 1 << 20  # characters of a file's log encoded and written at a time


class _LogFile:
    """The change log of a run, written as each file completes: what was changed is on record at once.

    Each file's records go to the file at once (a big file's in pieces of a
    million characters), straight to the system (no buffer to lose), before
    its input is rewritten in place; if the rewrite then fails, they are
    taken back. An interrupted run leaves a log of every file it changed.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.to_stdout = str(path) == STDIN  # --log -: records cannot be taken back, so they follow the rewrite
        self._fd = -1 if self.to_stdout else os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        self._size = self._last = 0

    def add(self, text: str) -> None:
        if self.to_stdout:
            try:
                sys.stdout.buffer.write(text.encode("utf-8"))
                sys.stdout.flush()
            except OSError as exc:
                raise _output_failed(exc) from None
            return
        self._last = self._size
        try:
            for start in range(0, len(text), _LOG_PIECE):  # a big file's log is not copied whole once more
                data = memoryview(text[start:start + _LOG_PIECE].encode("utf-8"))
                while data:
                    written = os.write(self._fd, data)
                    data, self._size = data[written:], self._size + written
        except OSError as exc:
            raise Fatal(f"cannot write the log {self.path}: {exc.strerror or exc}; the run stopped there, "
                        "so that no file is rewritten in place without its record") from None

    def take_back(self) -> None:
        """Remove the last file's records (its rewrite failed: nothing to record)."""
        os.ftruncate(self._fd, self._last)
        os.lseek(self._fd, self._last, os.SEEK_SET)
        self._size = self._last

    def close(self) -> None:
        if not self.to_stdout:
            os.close(self._fd)


@contextlib.contextmanager
def _open_log(path: Path, settings: Settings) -> Iterator[_LogFile]:
    """The log, open before anything is cleaned (a log that cannot be written stops the run first)."""
    try:
        log = _LogFile(path)
    except OSError as exc:
        raise Fatal(f"cannot write the log {path}: {exc.strerror or exc}; nothing was cleaned") from None
    try:
        if settings.config.source is not None:  # what chose the rules, on record
            name = os.fsencode(settings.config.source).decode("utf-8", "replace")
            log.add(json.dumps({"type": "config", "file": name}, ensure_ascii=False) + "\n")
        yield log
    finally:
        log.close()


class _CtrlC:
    """Ctrl-C, held while a file is put on record, written and counted: the run ends between two files.

    Python raises KeyboardInterrupt wherever the main thread happens to be,
    which could be between a file's log record and its rewrite; while
    :meth:`held`, the interrupt is noted and raised when the file is done.
    """

    def __init__(self) -> None:
        self.holding = False
        self.pending = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if self.holding:
            self.pending = True
        else:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        self.holding = True
        try:
            yield
        finally:
            self.holding = False
        if self.pending:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        """Handle SIGINT for a run (unless it is ignored, as in a background job, or this is not the main thread)."""
        if (threading.current_thread() is not threading.main_thread()
                or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
            yield
            return
        signal.signal(signal.SIGINT, self)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, signal.default_int_handler)


def _keep(pipeline: Pipeline, source: Source, outcome: FileOutcome, log: _LogFile | None) -> FileOutcome:
    """Put a file's change log on record, then write it in place (a deferred pipeline's); the outcome."""
    if outcome.error is not None:
        return outcome
    if log is not None and log.to_stdout:  # what is read cannot be taken back: the record follows the write
        written = pipeline.commit(source, outcome)
        if written.error is None:
            log.add(outcome.log)
        return written
    if log is not None:
        log.add(outcome.log)
    written = pipeline.commit(source, outcome)
    if written.error is not None and log is not None:
        log.take_back()
    return written


def _cores() -> int:
    """The cores this process may run on (fewer than the machine's under taskset or a container's cpuset)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1  # pragma: no cover: not on Linux


def _jobs(batch: BatchChoice) -> int:
    """How many files to clean at once: as asked, but no more than there are cores (said, unless -q)."""
    cores = _cores()
    if batch.jobs is not None and batch.jobs > cores and not batch.quiet:
        click.echo(f"note: --jobs {batch.jobs} is more than the {cores} core(s) this run may use "
                   f"(a worker per core is the most that helps); using {cores}", err=True)
    return min(batch.jobs or cores, cores)


def _print(outcome: FileOutcome) -> None:
    """A file's diff, or its clean text, on standard output."""
    try:
        if outcome.diff:
            sys.stdout.write(outcome.diff)
            sys.stdout.flush()
        if outcome.output is not None:
            sys.stdout.buffer.write(outcome.output)
            sys.stdout.flush()
    except OSError as exc:
        raise _output_failed(exc) from None


def _page(outcome: FileOutcome) -> list[FileRecord]:
    """A file's record in the HTML report, if it has one."""
    if outcome.error is not None:
        from .report import skipped_data

        return [skipped_data(outcome.label, outcome.error)]
    return [] if outcome.page is None else [outcome.page]


def _write_report(path: Path, pages: list[FileRecord], settings: Settings, summary: Summary,
                  lang: str) -> None:
    from .report import build_report  # the review modules load only when asked for

    summaries = {r.id: r.summary for r in settings.rules}
    review = {r.id for r in settings.rules if r.safety == "review"}
    if str(path) == STDIN:
        try:
            sys.stdout.buffer.write(build_report(pages, summaries, review=review, lang=lang).encode("utf-8"))
            sys.stdout.flush()
        except OSError as exc:
            raise _output_failed(exc) from None
        return
    try:
        write_atomic(path, build_report(pages, summaries, review=review, lang=lang).encode("utf-8"))
    except OSError as exc:
        summary.error(display(path), f"cannot write the report: {exc.strerror}")
    else:
        if not summary.quiet:
            click.echo(f"report: {display(path)}", err=True)


# ------------------------------------------------------------------ rules


@cli.group()
def rules() -> None:
    """List, show and test rules (the defaults plus your own)."""


@rules.command("list")
@rule_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def rules_list(fmt: str, overrides: Overrides) -> None:
    """One line per active rule: id, family, action, safety (safe or review), status, summary."""
    active = _settings(overrides).rules
    if fmt == "json":
        for r in active:
            _say(json.dumps({"id": r.id, "name": r.name, "family": r.family,
                             "stage": r.stage, "action": r.action, "safety": r.safety, "status": r.status,
                             "since": r.since, "summary": r.summary, "source": r.source}, ensure_ascii=False))
        return
    for r in active:
        _say(f"{r.id:<8} {r.family:<12} {r.action:<20} {r.safety:<7} {r.status:<7} {r.summary}")


@rules.command("show")
@click.argument("rule_id")
@rule_options
def rules_show(rule_id: str, overrides: Overrides) -> None:
    """Everything about one rule: summary, rationale, patterns, examples."""
    active = _settings(overrides).rules
    found = [r for r in active if r.id.upper() == rule_id.upper()]
    renamed = [r for r in active if rule_id.upper() in (old.upper() for old in r.renamed_from)]
    if not found and renamed:  # a redirect: the rule's earlier id
        click.echo(f"note: {rule_id.upper()} is now {renamed[0].id}", err=True)
        found = renamed
    if not found:
        close = difflib.get_close_matches(rule_id, [r.id for r in active], n=3)
        raise Fatal(f"no active rule {rule_id}" + (f"; did you mean {', '.join(close)}?" if close else ""))
    r = found[0]
    _say(f"{r.id} ({r.name or r.family}) — {r.summary}\n")
    _say(f"family: {r.family}   stage: {r.stage}   action: {r.action}   safety: {r.safety}   "
         f"status: {r.status} (since {r.since})   file: {r.source}\n")
    _say(r.rationale.strip() + "\n")
    prefilter = [r.prefilter] if r.prefilter else []
    for label, items in (("patterns", r.patterns), ("exclude", r.exclude),
                         ("requires", r.requires), ("prefilter", prefilter)):
        if items:
            _say(f"{label}:")
            for item in items:
                _say(f"  {item}")
    _say("changes:")
    for ex in r.changes:
        _say(f"  {ex.input!r}\n    -> {ex.output!r}")
    _say("keeps:")
    for keep in r.keeps:
        _say(f"  {keep!r}")


@rules.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@rule_options
@TIMEOUT_OPTION
def rules_test(paths: tuple[Path, ...], timeout: float | None, overrides: Overrides) -> int:
    """Run the examples of the rules in PATHS (rule files or folders), or of all active rules.

    Each failing example is printed with what was expected and what came out;
    the exit code is 1 if any failed.
    """
    from .examples import check_rule

    settings = _settings(replace(overrides, rule_paths=overrides.rule_paths + paths, timeout=timeout))
    wanted = {p.resolve() for p in paths}  # a configured file given again is loaded once, from its first path
    chosen = [r for r in settings.rules
              if not paths or Path(r.source).resolve() in wanted or Path(r.source).resolve().parent in wanted]
    form = [r for r in settings.rules if r.stage == "form"]
    failures = 0
    examples = 0
    for rule in chosen:
        for problem in check_rule(rule, form, settings.options):
            failures += 1
            _say(problem)
        examples += len(rule.changes) + len(rule.keeps)
    _say(f"{len(chosen)} rule(s), {examples} example(s): "
               f"{examples - failures} passed, {failures} failed")
    return EXIT_WOULD_CHANGE if failures else EXIT_OK


@cli.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--min-files", type=click.IntRange(min=1), default=3, show_default=True,
              help="A line must stand in at least this many files.")
@click.option("--min-share", type=click.FloatRange(0, 1, min_open=True), default=0.3, show_default=True,
              help="...and in at least this share of the files.")
@click.option("--prefix", help="The learned rules' id prefix, 2 to 6 letters. [default: from the folder's name]")
@rule_options
@TIMEOUT_OPTION
def learn(folder: Path, min_files: int, min_share: float, prefix: str | None, timeout: float | None,
          overrides: Overrides) -> None:
    """Propose rules for a folder's own boilerplate: lines repeated across many files.

    Prints a rule file (TOML) to stdout, one drop_line rule per repeated line
    that the active rules do not already remove, with its count and
    examples. Lines that differ only in a number are one rule. Lines that
    read as speech (salutations, headings, sentences) are never proposed.
    Review it, then use it with --rules.
    """
    from .learn import folder_prefix, learn_folder
    from .rules import PREFIX_RE, prefix_clash

    settings = _settings(replace(overrides, timeout=timeout), folder.absolute())
    taken = {r.prefix for r in settings.rules}
    if prefix is None:
        prefix = folder_prefix(str(folder.resolve()), taken)
    elif not PREFIX_RE.match(prefix.upper()):
        raise click.BadParameter("must be 2 to 6 letters, such as SITE", param_hint="'--prefix'")
    elif clash := prefix_clash(prefix.upper(), taken):
        raise click.BadParameter(f"{prefix.upper()} clashes with the prefix {clash} of the active rules; "
                                 "choose one that neither starts nor is the start of another",
                                 param_hint="'--prefix'")
    texts: list[str] = []
    names: list[Path] = []
    for f in files_in(folder, settings.include, settings.exclude):
        try:
            texts.append(decode(f.read_bytes()).text)
            names.append(f)
        except DecodeError as exc:
            click.echo(f"warning: {f}: {exc}; left out", err=True)
        except OSError as exc:
            click.echo(f"warning: {f}: cannot read: {exc.strerror or exc}; left out", err=True)

    def left_out(index: int, exc: Exception) -> None:
        click.echo(f"warning: {names[index]}: {exc}; left out", err=True)

    _say(learn_folder(texts, list(settings.rules), settings.options, str(folder), min_files,
                      min_share, on_error=left_out, prefix=prefix.upper()), nl=False)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
