"""What a run says on stderr and how it exits: per-file lines, errors, the closing summary.

Like black's ``Report``: :class:`Summary` takes each :class:`~cleaner.pipeline.FileOutcome`
as it comes, prints its line (or its error), keeps the counts, and gives the
exit code at the end: 0 nothing to do or all written; 1 when a file would
change and the run checks (``--check``, ``--diff``, ``diff``); 2 when
anything failed.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import click

from .files import Skip
from .pipeline import FileOutcome

EXIT_OK, EXIT_WOULD_CHANGE, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT, as a shell reports a process it ended
EXIT_PIPE_CLOSED = 141  # the reader of standard output went away: 128 + SIGPIPE, as for any Unix tool
PROGRESS_BAR_FROM = 21  # files; fewer get one line each even on a terminal


@dataclass
class Summary:
    """The counts and messages of one run, and its exit code."""

    quiet: bool = False  # no per-file lines and no closing summary
    check: bool = False  # a file that would change makes the exit code 1
    per_file: bool = True  # one line per file (off under a progress bar)
    written: bool = True  # the clean text is written (else: "would clean")
    verbose: bool = False  # a line for unchanged files too, and each file's time
    in_diff: bool = False  # the diff on standard output heads each file with its summary (`cleaner diff`)
    errors: int = 0
    seen: int = 0
    changed: int = 0
    skipped: list[str] = field(default_factory=list)
    truncated: int = 0
    damaged: list[str] = field(default_factory=list)  # bytes that did not decode became U+FFFD
    rule_counts: dict[str, int] = field(default_factory=dict)

    def error(self, where: str, message: str) -> None:
        """One failure: a line on stderr, and exit code 2 at the end."""
        self.errors += 1
        click.echo(f"error: {where}: {message}", err=True)

    def leave_out(self, skip: Skip) -> None:
        """A path found but not cleaned (a named pipe, a dangling link…): one line, counted in the summary.

        One that was asked for (given by name, or a folder that cannot be
        read) is an error; the others are not, but each is said.
        """
        self.seen += 1
        self.skipped.append(skip.path)
        if skip.error:
            self.error(skip.path, skip.reason)
        elif not self.quiet:
            click.echo(f"skipped {skip.path}: {skip.reason}", err=True)

    def add(self, outcome: FileOutcome) -> None:
        """Count one file and print its line, its warnings, or its error."""
        self.seen += 1
        if outcome.error is not None:
            self.skipped.append(outcome.label)
            self.error(outcome.label, outcome.error)
            return
        self.changed += outcome.changed
        self.truncated += outcome.truncated
        if outcome.damaged:
            self.damaged.append(outcome.label)
        for rule, n in outcome.rule_counts.items():
            self.rule_counts[rule] = self.rule_counts.get(rule, 0) + n
        if not self.quiet and self.per_file:
            line = self.line(outcome)
            if line is not None:
                click.echo(line, err=True)
            for warning in outcome.warnings:
                click.echo(warning, err=True)

    def line(self, outcome: FileOutcome) -> str | None:
        """A file's line on stderr, in black's words: "would clean X (2 changes: AN001×1, PU002×1)".

        A file that would not change has none unless -v (or it has warnings
        to head); under ``cleaner diff`` the diff on standard output heads each
        changed file with the same facts, so it has none either.
        """
        timing = f" ({outcome.seconds * 1000:.0f} ms)" if self.verbose else ""
        notes = list(outcome.notes)
        if not outcome.changed:
            if notes:
                return f"{outcome.label}: unchanged [{'; '.join(notes)}]{timing}"
            return f"{outcome.label}: already clean{timing}" if self.verbose else None
        if self.in_diff and not self.verbose:
            return None
        verb = "cleaned" if self.written else "would clean"
        n = sum(outcome.rule_counts.values())
        if n:
            what = f"{n} change{'s' if n != 1 else ''}: " + ", ".join(
                f"{r}×{k}" for r, k in sorted(outcome.rule_counts.items()))
        else:
            what = outcome.form or "only its form"
            notes = [note for note in notes if not note.startswith("decoded from")]
        return f"{verb} {outcome.label} ({what})" + (f" [{'; '.join(notes)}]" if notes else "") + timing

    def progress(self, outcomes: Iterable[FileOutcome], total: int) -> Iterator[FileOutcome]:
        """The outcomes, under a progress bar when there are many and stderr is a terminal."""
        self.per_file = self.quiet or total < PROGRESS_BAR_FROM or not sys.stderr.isatty()
        if self.per_file:
            yield from outcomes
            return
        with click.progressbar(length=total, label="cleaning", file=sys.stderr) as bar:
            for outcome in outcomes:
                bar.update(1)
                yield outcome

    def text(self) -> str:
        """The closing summary: files seen, changed, unchanged, skipped; truncations; changes per rule."""
        unchanged = self.seen - self.changed - len(self.skipped)
        lines = [f"{self.seen} file(s) seen: {self.changed} changed, {unchanged} unchanged, "
                 f"{len(self.skipped)} skipped"]
        if self.truncated:
            lines.append(f"{self.truncated} truncated document(s)")
        if self.damaged:
            lines.append(f"{len(self.damaged)} damaged document(s), where bytes that could not be decoded "
                         "became U+FFFD: " + ", ".join(self.damaged))
        if self.rule_counts:
            lines.append("changes per rule: " + ", ".join(
                f"{r} {n}" for r, n in sorted(self.rule_counts.items(), key=lambda x: (-x[1], x[0]))))
        return "\n".join(lines)

    @property
    def exit_code(self) -> int:
        if self.errors:
            return EXIT_ERROR
        if self.check and self.changed:
            return EXIT_WOULD_CHANGE
        return EXIT_OK
