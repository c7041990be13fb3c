"""Finding the input files: paths given, folders walked, include and exclude globs.

Nothing here reads a file's content. A folder gives every file below it whose
name matches an include glob and no part of whose path matches an exclude
glob, in sorted order, each with its path relative to the folder (where
``-o DIR`` puts its clean copy).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

STDIN = "-"
"""The path that stands for standard input."""


@dataclass(frozen=True)
class Source:
    """One input: where it is read from, and its path relative to what was given."""

    path: Path | None  # None: standard input (or bytes handed over by a caller)
    relative: Path  # where ``-o DIR`` puts its clean copy, below DIR
    name: str | None = None  # its name in messages and the change log, if not its path

    @property
    def label(self) -> str:
        """The name used in messages and in the change log."""
        if self.name is not None:
            return self.name
        return "<stdin>" if self.path is None else str(self.path)


@dataclass(frozen=True)
class Found:
    """The inputs found for a list of paths, and the paths that do not exist."""

    sources: tuple[Source, ...]
    missing: tuple[str, ...]


def find_sources(paths: Sequence[str], include: Sequence[str], exclude: Sequence[str]) -> Found:
    """The inputs that ``paths`` name, in order: files as given, folders walked, ``-`` for stdin.

    >>> found = find_sources(["-", "no/such/file.txt"], ["*.txt"], [])
    >>> [s.label for s in found.sources], found.missing
    (['<stdin>'], ('no/such/file.txt',))
    """
    sources: list[Source] = []
    missing: list[str] = []
    for raw in paths:
        if raw == STDIN:
            sources.append(Source(None, Path("stdin.txt")))
            continue
        path = Path(raw)
        if path.is_dir():
            sources.extend(Source(f, f.relative_to(path)) for f in files_in(path, include, exclude))
        elif path.is_file():
            sources.append(Source(path, Path(path.name)))
        else:
            missing.append(raw)
    return Found(tuple(sources), tuple(missing))


def files_in(folder: Path, include: Sequence[str], exclude: Sequence[str]) -> list[Path]:
    """The files below ``folder`` that :func:`wanted` accepts, sorted."""
    return [f for f in sorted(folder.rglob("*"))
            if f.is_file() and wanted(f.relative_to(folder), include, exclude)]


def wanted(relative: Path, include: Sequence[str], exclude: Sequence[str]) -> bool:
    """Include globs match the file name (case-insensitively); exclude globs any path part.

    >>> wanted(Path("a/B.TXT"), ["*.txt"], [])
    True
    >>> wanted(Path("drafts/b.txt"), ["*.txt"], ["drafts"])
    False
    """
    name = relative.name.lower()
    if not any(fnmatch.fnmatch(name, g.lower()) for g in include):
        return False
    posix = relative.as_posix()
    return not any(fnmatch.fnmatch(posix, g) or any(fnmatch.fnmatch(part, g) for part in relative.parts)
                   for g in exclude)
