"""Finding the input files: paths given, folders walked, include and exclude globs.

Nothing here reads a file's content. A folder gives every file below it whose
name matches an include glob and no part of whose path matches an exclude
glob, in sorted order, each with its path relative to the folder (where
``-o DIR`` puts its clean copy). Folders are walked without recursion, so any
depth the file system allows is fine.

Nothing is left out without a word: what a walk finds but cannot clean (a
named pipe, a dangling link, a link loop, a link to a folder, a folder it may
not read) comes back in :attr:`Found.skipped` with the reason; a path given by
name that is not a readable file or folder is an error. Nothing here opens a
file, so a named pipe never blocks the run.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

STDIN = "-"
"""The path that stands for standard input."""
RECORD_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".parquet")
"""The names of record files (:mod:`cleaner.records`): JSON Lines (plain, gzip, zstandard) and Parquet."""


def is_records(name: str) -> bool:
    """Whether ``name`` is a records file (by its suffix).

    >>> is_records("corpus.jsonl.gz"), is_records("speech.txt")
    (True, False)
    """
    return name.lower().endswith(RECORD_SUFFIXES)


ZIP_START = b"PK\x03\x04"
"""The first bytes of a zip file, and so of a Word (.docx) document."""
OLD_WORD_START = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""The first bytes of an old binary Word document (.doc)."""
PDF_START = b"%PDF-"
"""The first bytes of a PDF."""


def may_be_word(data: bytes, name: str) -> bool:
    """Whether :mod:`cleaner.docx` has something to say of a file: it starts as a zip, an old Word
    document or a PDF, or it is named ``.docx``. Any other file is text, and the docx code (the
    standard library's zip and XML modules) is not loaded for it.

    >>> may_be_word(b"PK\x03\x04...", "a.txt"), may_be_word(b"", "A.DOCX"), may_be_word("同志们".encode(), "a.txt")
    (True, True, False)
    """
    return data.startswith((ZIP_START, OLD_WORD_START, PDF_START)) or name.lower().endswith(".docx")


def records_wanted(paths: Sequence[str], output: str | None) -> bool:
    """Whether ``cleaner clean PATHS -o OUTPUT`` cleans records: an input or the output is a records
    file, or the output is ``-`` (records on standard output).

    Here, not in :mod:`cleaner.records`, so that a run on text files never loads the records code.
    """
    return any(is_records(p) for p in paths) or (output is not None and (output == STDIN or is_records(output)))


def display(path: str | os.PathLike[str]) -> str:
    r"""A path as it is shown in messages, the change log, the diff and the report.

    A name that is not valid UTF-8 (a GBK name from an old archive, say) keeps
    its bytes, shown as ``\xNN``; so do control characters, which would
    otherwise break a line of the summary or act on the terminal.

    >>> display(os.fsdecode("讲话".encode("gbk") + b".txt"))
    '\\xbd\\xb2\\xbb\\xb0.txt'
    >>> display("a\nb.txt"), display("讲话.txt")
    ('a\\x0ab.txt', '讲话.txt')
    """
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    return "".join(f"\\x{ord(c):02x}" if ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 else c for c in text)


@dataclass(frozen=True)
class Source:
    """One input: where it is read from, and its path relative to what was given."""

    path: Path | None  # None: standard input (or bytes handed over by a caller)
    relative: Path  # where ``-o DIR`` puts its clean copy, below DIR
    name: str | None = None  # its name in messages and the change log, if not its path

    @property
    def label(self) -> str:
        """The name used in messages and in the change log (see :func:`display`)."""
        if self.name is not None:
            return self.name
        return "<stdin>" if self.path is None else display(self.path)


@dataclass(frozen=True)
class Skip:
    """A path that was found or given but is not cleaned, and why."""

    path: str  # as shown (see :func:`display`)
    reason: str
    error: bool = False  # something asked for was not cleaned: the run fails (exit 2)


@dataclass(frozen=True)
class Found:
    """The inputs found for a list of paths, the paths that do not exist, and what was left out."""

    sources: tuple[Source, ...]
    missing: tuple[str, ...]
    skipped: tuple[Skip, ...] = ()


def find_sources(paths: Sequence[str], include: Sequence[str], exclude: Sequence[str],
                 prune: Sequence[Path] = ()) -> Found:
    """The inputs that ``paths`` name, in order: files as given, folders walked, ``-`` for stdin.

    ``prune``: folders (resolved) a walk does not enter, such as the output folder of a run.

    >>> found = find_sources(["-", "no/such/file.txt"], ["*.txt"], [])
    >>> [s.label for s in found.sources], found.missing
    (['<stdin>'], ('no/such/file.txt',))
    """
    sources: list[Source] = []
    missing: list[str] = []
    skipped: list[Skip] = []
    for raw in paths:
        if raw == STDIN:
            sources.append(Source(None, Path("stdin.txt")))
            continue
        path = Path(raw)
        kind, reason = _kind(path)
        if kind == "dir":
            files, skips = walk(path, include, exclude, prune)
            sources.extend(Source(f, written_as(f.relative_to(path))) for f in files)
            skipped.extend(skips)
        elif kind == "file":
            sources.append(Source(path, written_as(Path(path.name))))
        elif kind == "missing":
            missing.append(raw)
        else:
            skipped.append(Skip(display(raw), reason, error=True))
    return Found(tuple(sources), tuple(missing), tuple(skipped))


def written_as(relative: Path) -> Path:
    """Where the clean text of an input goes below ``-o DIR``: its own path, but a Word document's as .txt.

    >>> written_as(Path("a/讲话.docx")), written_as(Path("a/b.txt"))
    (PosixPath('a/讲话.txt'), PosixPath('a/b.txt'))
    """
    return relative.with_suffix(".txt") if relative.suffix.lower() == ".docx" else relative


def files_in(folder: Path, include: Sequence[str], exclude: Sequence[str]) -> list[Path]:
    """The files below ``folder`` that :func:`wanted` accepts, sorted."""
    return walk(folder, include, exclude)[0]


def walk(folder: Path, include: Sequence[str], exclude: Sequence[str],
         prune: Sequence[Path] = ()) -> tuple[list[Path], list[Skip]]:
    """The files below ``folder`` that :func:`wanted` accepts, sorted; and what was left out, and why.

    Iterative (a stack, not recursion): a tree a thousand folders deep is
    walked like any other. Links to files are followed; links to folders are
    not (they could loop), and are reported.
    """
    exclude = [_glob(g) for g in exclude]  # as given, or as a .gitignore writes a folder
    files: list[Path] = []
    skipped: list[Skip] = []
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as entries:
                found = [Path(entry.path) for entry in entries]
        except OSError as exc:
            skipped.append(Skip(display(current), f"cannot read this folder ({exc.strerror}); "
                                "the files in it were not cleaned", error=True))
            continue
        for path in found:
            relative = path.relative_to(folder)
            if _excluded_part(relative, exclude):
                continue
            kind, reason = _kind(path)
            if kind == "dir" and not path.is_symlink():
                if not (prune and path.resolve() in prune):
                    stack.append(path)
            elif kind == "dir":
                skipped.append(Skip(display(path), "a link to a folder, not followed; "
                                    "give the folder by name to clean it"))
            elif wanted(relative, include, exclude):
                if kind == "file":
                    files.append(path)
                else:
                    skipped.append(Skip(display(path), reason))
    files.sort()
    skipped.sort(key=lambda s: s.path)
    return files, skipped


def _kind(path: Path) -> tuple[str, str]:
    """What ``path`` is (``file``, ``dir``, ``missing`` or ``other``) and, for ``other``, why it is not read."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if path.is_symlink():
            return "other", f"a dangling link: it points to {display(os.readlink(path))}, which does not exist"
        return "missing", "no such file or folder"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "other", "a link loop: following its links leads back to it"
        return "other", f"cannot be examined ({exc.strerror})"
    if stat.S_ISDIR(mode):
        return "dir", ""
    if stat.S_ISREG(mode):
        return "file", ""
    if stat.S_ISFIFO(mode):
        return "other", "a named pipe (FIFO), not a file; pipe it in with `-` to clean what it carries"
    return "other", "not a regular file (a device or a socket)"


def excluded(path: str, exclude: Sequence[str], base: Path | None = None) -> bool:
    """Does an exclude glob match a path given by name (``--force-exclude``)?

    As for a file found in a folder: a glob matches the whole path or a part of
    it, as given, or relative to ``base`` (the configuration's folder) when
    the path is below it.

    >>> excluded("drafts/a.txt", ["drafts"]), excluded("a.txt", ["drafts"])
    (True, False)
    """
    exclude = [_glob(g) for g in exclude]  # as given, or as a .gitignore writes a folder
    given = Path(path)
    candidates = [given]
    if base is not None:
        whole = Path(os.path.abspath(path))
        if whole.is_relative_to(base):
            candidates.append(whole.relative_to(base))
    return any(fnmatch.fnmatch(c.as_posix(), g) or _excluded_part(c, [g]) for c in candidates for g in exclude)


def _glob(pattern: str) -> str:
    """An exclude glob as the walk matches it: ``drafts/`` and ``./drafts`` (as a .gitignore or a shell
    writes them) mean the folder ``drafts``; a path part never ends in ``/`` or starts with ``./``.

    >>> _glob("drafts/"), _glob("./drafts"), _glob("./a/*.txt"), _glob("*.bak")
    ('drafts', 'drafts', 'a/*.txt', '*.bak')
    """
    while pattern.startswith("./"):
        pattern = pattern[2:]
    return pattern.rstrip("/") or pattern


def _excluded_part(relative: Path, exclude: Sequence[str]) -> bool:
    """An exclude glob matches a part of the path (so everything below it is excluded too)."""
    return any(fnmatch.fnmatch(part, g) for g in exclude for part in relative.parts)


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
