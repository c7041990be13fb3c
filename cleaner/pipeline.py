"""The per-file pipeline the ``cleaner`` command runs: read, decode, clean, guard, write.

:class:`Pipeline` holds everything that is the same for every file of a run
(the rules, the options, where the clean text goes, what to show); its
:meth:`~Pipeline.run` does one file and returns a :class:`FileOutcome`. It
never raises for a bad file: an unreadable, undecodable or unguardable file
comes back as an outcome with its ``error``, so a batch goes on. It prints
nothing; the command line prints the outcomes (:mod:`cleaner.summary`).

:func:`clean_many` runs a batch, in worker processes when it pays, and yields
the outcomes in input order. :func:`clean_file` is the same pipeline for one
file or one byte string from Python (a datatrove or Ray step, say), writing
nothing.
"""

from __future__ import annotations

import enum
import os
import signal
import sys
import threading
import time
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .changes import Change, CleanResult, summary_line
from .core import Options, RuleTimeout, default_rules
from .fileio import Decoded, DecodeError, cannot_replace, clean_decoded, decode, holds, write_atomic
from .files import Source, display, may_be_word
from .guard import BodyIntegrityError
from .rules import Rule, fingerprint

if TYPE_CHECKING:  # the report module loads only when a report is asked for
    from concurrent.futures import ProcessPoolExecutor

    from .report import FileRecord


class WriteBack(enum.Enum):
    """Where the clean text of a file goes."""

    NOTHING = "nothing"  # --check, --diff, `diff`, `report`: the outcome only
    FOLDER = "folder"  # -o DIR: at the source's relative path, only when missing or different
    IN_PLACE = "in-place"  # rewrite the input atomically, only when it changes (stdin: as RETURN)
    RETURN = "return"  # the clean bytes come back in the outcome (standard output, the library)


class DiffStyle(enum.Enum):
    """How a file's changes are shown."""

    UNIFIED = "unified"  # line by line, as `diff -u`
    INLINE = "inline"  # marked inside each line, with rule ids


@dataclass(frozen=True)
class View:
    """What to show of each file besides writing it: a diff, and its record for the HTML report."""

    diff: DiffStyle | None = None
    color: bool = False
    context: int = -1  # for the inline diff: characters kept on each side of a change
    report: bool = False


@dataclass(frozen=True)
class FileOutcome:
    """What the pipeline did with one file; small enough to send back from a worker process.

    A file that failed has only ``label`` and ``error``; nothing was written for it.
    """

    label: str
    error: str | None = None  # why the file was skipped and left unchanged
    changed: bool = False  # the clean bytes differ from the input bytes
    # The words for people ("" and () when the pipeline's ``messages`` is off, as under -q):
    summary: str = ""  # one line: changes per rule and the facts that matter for review
    warnings: tuple[str, ...] = ()  # one line per warning, with its position
    truncated: bool = False
    damaged: bool = False  # bytes that could not be decoded became U+FFFD in the clean text
    rule_counts: dict[str, int] = field(default_factory=dict)
    log: str = ""  # the JSON Lines change log, when the pipeline logs
    diff: str = ""  # when the pipeline's view asks for a diff
    page: FileRecord | None = None  # this file's record for the HTML report
    output: bytes | None = None  # the clean UTF-8 bytes, when they come back (WriteBack.RETURN)
    result: CleanResult | None = None  # the whole result, when the pipeline keeps it
    notes: tuple[str, ...] = ()  # the document facts that matter for review (decoded from gb18030, TRUNCATED…)
    form: str = ""  # what changes when no rule changes anything: encoding, byte-order mark, line endings
    seconds: float = 0.0  # how long the file took to read, clean and write

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def text(self) -> str | None:
        """The clean text, when it came back."""
        return None if self.output is None else self.output.decode("utf-8")


@dataclass(frozen=True)
class Pipeline:
    """How to clean every file of a run, and where the results go.

    ``rules`` default to the default rules (any sequence; kept as a tuple);
    ``encoding`` forces a codec instead of detecting it (``trust_encoding``:
    even when the text does not read as Chinese in it); ``output`` is the
    folder of :attr:`WriteBack.FOLDER`; ``log`` builds each file's change
    log; ``keep_result`` returns each file's :class:`~cleaner.changes.CleanResult` too.
    ``allow_damaged`` rewrites in place a file some of whose bytes could not
    be decoded (they become U+FFFD); without it such a file is left as it is.
    ``deferred`` (with :attr:`WriteBack.IN_PLACE`) writes nothing: the clean
    bytes come back in the outcome, and :meth:`commit` writes them over the
    input, so that the caller can put the file's change log on record first.
    ``messages`` builds each outcome's words for people (its ``summary``,
    ``warnings``, ``notes`` and ``form``); ``cleaner clean -q`` prints none of
    them, so it turns them off and the outcome has only the counts.

    >>> Pipeline(write_back=WriteBack.FOLDER)
    Traceback (most recent call last):
    ...
    ValueError: an output folder goes with WriteBack.FOLDER, and only with it
    """

    rules: Sequence[Rule] = field(default_factory=default_rules)
    options: Options = field(default_factory=Options)
    encoding: str | None = None
    write_back: WriteBack = WriteBack.RETURN
    output: Path | None = None
    view: View = field(default_factory=View)
    log: bool = False
    keep_result: bool = False
    trust_encoding: bool = False
    allow_damaged: bool = False
    deferred: bool = False
    messages: bool = True
    stamp: dict[str, str] = field(default_factory=dict, init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rules", tuple(self.rules))  # one immutable value to send to workers
        if self.log:  # what cleaned each document, in its log record
            object.__setattr__(self, "stamp", {"cleaner": __version__,
                                               "rules": fingerprint(self.rules)})
        # Each change is recorded only when something reads the records: the log, a diff,
        # the report, a caller that keeps the results. Otherwise they are counted.
        recorded = self.log or self.view.diff is not None or self.view.report or self.keep_result
        if self.options.log != recorded:
            object.__setattr__(self, "options", replace(self.options, log=recorded))
        if (self.write_back is WriteBack.FOLDER) != (self.output is not None):
            raise ValueError("an output folder goes with WriteBack.FOLDER, and only with it")

    def run(self, source: Source) -> FileOutcome:
        """Read one input (standard input when its path is None), clean it and write it."""
        start = time.perf_counter()
        try:  # the bytes go straight to run_bytes, with no name here to keep them alive
            outcome = self.run_bytes(_read(source), source)
        except _Unreadable as exc:
            return FileOutcome(source.label, error=f"cannot read: {exc}")
        return replace(outcome, seconds=time.perf_counter() - start)

    def run_bytes(self, data: bytes, source: Source) -> FileOutcome:
        """Decode, clean and guard ``data``, the content of ``source``; then write it."""
        label = source.label
        try:
            decoded, parts = self._decode(data, source)
            # Bytes that are the text in UTF-8 are let go (a long file is not held twice
            # while it is cleaned); whether the output differs is then told from the text.
            original = None if decoded.utf8_exact else data
            del data
            result = clean_decoded(decoded, tuple(self.rules), options=self.options)  # a tuple already
            result.changes[:0] = parts
        except DecodeError as exc:
            return FileOutcome(label, error=f"{exc}; skipped")
        except (BodyIntegrityError, RuleTimeout) as exc:
            return FileOutcome(label, error=f"{exc}; the file was left unchanged (fix that rule or "
                               "leave it out; if no rule is named, report the file)")
        except Exception as exc:  # a bug must not stop the batch or print a traceback
            return FileOutcome(label, error=f"internal error ({type(exc).__name__}: {exc}); the file "
                               "was skipped and left unchanged; please report this with the file")
        # The clean bytes are made whole only where they are wanted whole (compared here with
        # input bytes that were kept, or returned by _write); a file gets the text a piece at a time.
        new: bytes | str = result.text if original is None else result.text.encode("utf-8")
        changed = new != original if original is not None else result.text != decoded.text
        diff, page = self._show(source, decoded.text, result, changed)
        refused = self._refuse_in_place(source, decoded.damaged) if changed else None
        if refused:
            return FileOutcome(label, error=refused)
        try:
            returned = self._write(source, new, changed)
        except OSError as exc:
            return FileOutcome(label, error=_cannot_write(label, self._target(source), exc))
        counts = result.rule_counts()
        summary, form = "", ""
        warnings: tuple[str, ...] = ()
        notes: tuple[str, ...] = ()
        if self.messages:
            notes = tuple(result.notes())
            summary = summary_line(label, counts, notes)
            warnings = tuple(f"  warning: {label}:{w.line}:{w.column}: {w.rule}: {w.message}"
                             for w in result.warnings)
            form = form_change(decoded.text, result) if changed and not counts else ""
        return FileOutcome(
            label, changed=changed, summary=summary, damaged=decoded.damaged, warnings=warnings,
            truncated=result.info.truncated, rule_counts=dict(counts),
            log=result.jsonl(label, self.stamp) if self.log else "", diff=diff, page=page, output=returned,
            result=result if self.keep_result else None, notes=notes, form=form)

    def _decode(self, data: bytes, source: Source) -> tuple[Decoded, list[Change]]:
        """The text of ``data``; for a Word document, its body, and the rest of its text as removals.

        An old binary Word document or a PDF is refused with a hint (convert
        it first), and so is a Word document to be rewritten in place.
        """
        name = source.path.name if source.path is not None else source.label
        if not may_be_word(data, name):
            return decode(data, self.encoding, trust=self.trust_encoding), []  # text: no need of the docx code
        from . import docx  # the standard library's zip and XML modules, loaded for a file that may need them

        refused = docx.refusal(data, name)
        if refused:
            raise DecodeError(refused)
        if not docx.is_docx(data):
            return decode(data, self.encoding, trust=self.trust_encoding), []
        if self.write_back is WriteBack.IN_PLACE and source.path is not None:
            raise DecodeError("a Word document is never rewritten in place; clean it with -o DIR, which writes "
                              "its clean text as .txt")
        try:
            document = docx.read(data)
        except docx.DocxError as exc:
            raise DecodeError(str(exc)) from None
        parts = [Change(docx.RULE, docx.ACTION, 0, 0, part.text, "", message=f"Word {part.where}, not the speech")
                 for part in document.parts]
        return Decoded(document.text, "docx", False, "\n"), parts

    def commit(self, source: Source, outcome: FileOutcome) -> FileOutcome:
        """Write a deferred outcome's clean bytes over its input, if they changed; the outcome as written.

        Anything but a deferred in-place outcome of a file comes back as it is.
        A write that fails gives the file's error, and its input is left as it was.
        """
        if not (self.deferred and self.write_back is WriteBack.IN_PLACE) or outcome.error is not None \
                or source.path is None or outcome.output is None:
            return outcome
        target = in_place_target(source.path)
        try:
            if outcome.changed:
                write_atomic(target, outcome.output)
        except OSError as exc:
            return FileOutcome(outcome.label, error=_cannot_write(outcome.label, target, exc))
        return replace(outcome, output=None)

    def _target(self, source: Source) -> Path | None:
        """Where the clean bytes of ``source`` are written, if anywhere."""
        if self.write_back is WriteBack.FOLDER:
            assert self.output is not None
            return self.output / source.relative
        if self.write_back is WriteBack.IN_PLACE and source.path is not None:
            return in_place_target(source.path)
        return None

    def _write(self, source: Source, new: bytes | str, changed: bool) -> bytes | None:
        """Write the clean bytes (or text, in UTF-8) where they go; the bytes when they go back to the caller."""
        if self.write_back is WriteBack.FOLDER:
            assert self.output is not None
            target = self.output / source.relative
            if not holds(target, new):
                write_atomic(target, new)
        elif self.write_back is WriteBack.IN_PLACE and source.path is not None and not self.deferred:
            if changed:
                write_atomic(in_place_target(source.path), new)
        elif self.write_back in (WriteBack.RETURN, WriteBack.IN_PLACE):
            return new if isinstance(new, bytes) else new.encode("utf-8")
        return None

    def _refuse_in_place(self, source: Source, damaged: bool) -> str | None:
        """Why a file that changes is not rewritten in place (None when it may be)."""
        if self.write_back is not WriteBack.IN_PLACE or source.path is None:
            return None
        if damaged and not self.allow_damaged:
            return ("some of its bytes are not valid in its encoding and would be lost (each became U+FFFD), "
                    "so it was not rewritten; clean it with -o DIR to review the result, use --allow-damaged "
                    "to rewrite it all the same, or, if it is in another encoding, give that with --encoding")
        try:
            return cannot_replace(in_place_target(source.path))
        except OSError as exc:
            return f"cannot examine it before rewriting it: {exc.strerror}; it was not rewritten"

    def targets(self, sources: Sequence[Source]) -> list[Path]:
        """The files this pipeline may write for ``sources`` (where a killed run may have left temporary files)."""
        if self.write_back is WriteBack.FOLDER:
            assert self.output is not None
            return [self.output / s.relative for s in sources]
        if self.write_back is WriteBack.IN_PLACE:
            return [in_place_target(s.path) for s in sources if s.path is not None]
        return []

    def _show(self, source: Source, before: str, result: CleanResult,
              changed: bool) -> tuple[str, FileRecord | None]:
        """The diff and the report record of one file, from its decoded text and its result."""
        view = self.view
        if view.diff is None and not view.report:
            return "", None
        from . import render  # the review modules load only when asked for
        from .report import file_data
        from .review import FORM_ONLY, review

        diff = ""
        if view.diff is DiffStyle.UNIFIED:
            unix = before.replace("\r\n", "\n").replace("\r", "\n")
            diff = render.unified(display(source.relative), unix, result.text, view.color)
            if not view.report:
                return diff, None
        reviewed = review(source.label, before, result)
        if view.diff is DiffStyle.INLINE:
            diff = render.inline(reviewed, view.color, view.context,
                                 frozenset(r.id for r in self.rules if r.safety == "review"))
            if changed and not diff:  # say why it would change (the exit code does)
                diff = render.paint(f"{render.harmless(source.label)}: {FORM_ONLY}", "header", view.color) + "\n"
        page = file_data(reviewed, rewritten=changed) if view.report else None
        return diff, page


def form_change(before: str, result: CleanResult) -> str:
    r"""What changes in a file whose bytes change while no rule changes anything: its form, in words.

    >>> from cleaner.changes import DocumentInfo
    >>> form_change("同志们：\r\n", CleanResult("同志们：\n", info=DocumentInfo(newline="\r\n")))
    'only its form: CRLF line endings become LF'
    """
    info = result.info
    said = []
    if info.encoding not in ("utf-8", "ascii"):
        said.append(f"re-encoded from {info.encoding} to UTF-8")
    if info.bom:
        said.append("byte-order mark removed")
    if info.newline != "\n":
        said.append(f"{_NEWLINES.get(info.newline, info.newline)} line endings become LF")
    if result.text and not before.endswith(("\n", "\r")):
        said.append("final newline added")
    return "only its form: " + (", ".join(said) if said else "encoding, byte-order mark or line endings")


_NEWLINES = {"\r\n": "CRLF", "\r": "CR", "mixed": "mixed"}


def in_place_target(path: Path) -> Path:
    """The file that ``--in-place`` rewrites for ``path``: through a symbolic link, the file it points to.

    Replacing the link itself would turn it into a file of its own and leave
    the file it points to unclean.
    """
    return Path(os.path.realpath(path)) if path.is_symlink() else path


class _Unreadable(Exception):
    """An input that could not be read; the message is the system's reason."""


def _read(source: Source) -> bytes:
    """The bytes of ``source`` (standard input when its path is None)."""
    try:
        return sys.stdin.buffer.read() if source.path is None else source.path.read_bytes()
    except OSError as exc:
        raise _Unreadable(exc.strerror) from None


def _cannot_write(label: str, target: Path | None, exc: OSError) -> str:
    """The error of a file whose clean text could not be written: where (unless it is the
    file itself), and why in words."""
    why = exc.strerror or str(exc)
    named = target if target is not None else exc.filename
    where = display(named) if isinstance(named, (str, os.PathLike)) else ""
    return f"cannot write{' ' + where if where and where != label else ''}: {why}; it was left as it was"


def clean_file(source: str | os.PathLike[str] | bytes, rules: Sequence[Rule] | None = None, *,
               options: Options | None = None, encoding: str | None = None, name: str | None = None,
               log: bool = False) -> FileOutcome:
    """Run the command's pipeline on one file (a path) or one file's content (bytes); write nothing.

    Decodes (detecting the encoding unless ``encoding`` is given), cleans with
    ``rules`` (default: the default rules) and ``options``, and checks the
    result with the body-integrity guard, exactly as ``cleaner clean`` does.
    Never raises for a bad file: its :attr:`FileOutcome.error` says why it
    was skipped. ``name`` is the file's name in messages and the change log
    (default: the path, or ``<bytes>``); ``log`` fills :attr:`FileOutcome.log`.

    >>> outcome = clean_file("XX同志:大家好!\\n".encode("gb18030"), name="a.txt")
    >>> outcome.text, outcome.changed, outcome.result.info.encoding
    ('××同志：大家好！\\n', True, 'gb18030')
    >>> clean_file(bytes(range(256)) * 8, name="photo.jpg").error.startswith("looks like a binary file")
    True
    """
    pipeline = Pipeline(default_rules() if rules is None else rules, options or Options(),
                        encoding, WriteBack.RETURN, log=log, keep_result=True)
    if isinstance(source, bytes):
        return pipeline.run_bytes(source, Source(None, Path("bytes.txt"), name or "<bytes>"))
    path = Path(source)
    return pipeline.run(Source(path, Path(path.name), name))


# ------------------------------------------------------------------ the pool

_WORKER_PIPELINE: Pipeline | None = None  # the pipeline of this worker process, sent once
_WORKING = threading.Lock()  # held by a worker while it works on a file
_STOPPING = False  # the worker was told to stop (SIGTERM), or its parent is gone
_PARENT_POLL = 0.2  # seconds between a worker's checks that the process that started it is alive
_STOP_WAIT = 10.0  # seconds a stopped worker may take to finish its file before it is killed


def _init_worker(pipeline: Pipeline, parent: int) -> None:
    """Set up a worker: its pipeline; Ctrl-C left to the parent, which stops the workers; a watch on the parent."""
    global _WORKER_PIPELINE
    _WORKER_PIPELINE = pipeline
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda signum, frame: _stop_worker())
    threading.Thread(target=_watch_parent, args=(parent,), name="watch-parent", daemon=True).start()


def _stop_worker() -> None:
    """End this worker now if it is between files, else as soon as the file at hand is done (and written).

    Never in the middle of a file, so that no temporary file is left behind.
    """
    global _STOPPING
    _STOPPING = True
    if _WORKING.acquire(blocking=False):
        os._exit(128 + signal.SIGTERM)


def _watch_parent(parent: int) -> None:
    """End this worker when its parent is gone (killed): else it would wait for work for ever."""
    while os.getppid() == parent:
        time.sleep(_PARENT_POLL)
    _stop_worker()


def _run_in_worker(source: Source) -> FileOutcome:
    assert _WORKER_PIPELINE is not None
    with _WORKING:
        outcome = _WORKER_PIPELINE.run(source) if not _STOPPING else None
    if outcome is None or _STOPPING:
        os._exit(128 + signal.SIGTERM)
    return outcome


def clean_many(pipeline: Pipeline, sources: Sequence[Source], jobs: int) -> Generator[FileOutcome, None, None]:
    """Run ``pipeline`` on every source, in up to ``jobs`` processes when it pays; outcomes in input order.

    The pipeline (its compiled rules) goes to each worker once, not with every
    file. Standard input is read in this process, so a batch with it runs here.
    When the caller stops early (closes the iterator, or an exception such as
    Ctrl-C's ends it), the workers are stopped at once; a worker whose parent
    dies stops too.
    """
    parallel = jobs > 1 and len(sources) > 1 and all(s.path is not None for s in sources)
    if not parallel:
        yield from (pipeline.run(source) for source in sources)
        return
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=min(jobs, len(sources)), initializer=_init_worker,
                               initargs=(pipeline, os.getpid()))
    try:
        chunk = max(1, min(64, len(sources) // (jobs * 8)))
        yield from pool.map(_run_in_worker, sources, chunksize=chunk)
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown()


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: no new work, and each worker ends when the file at hand is done (SIGTERM)."""
    _quiet_cancelled_futures()
    found: Any = getattr(pool, "_processes", None)  # the executor's own record of its workers
    processes = list(found.values()) if found else []
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=_STOP_WAIT)
        if process.is_alive():  # stuck in one file past all reason: do not wait for it
            process.kill()


def _quiet_cancelled_futures() -> None:
    """Let the pool's manager thread fail quietly on a future that was cancelled (Python before 3.12).

    Stopping a pool cancels the files not yet cleaned; its workers then end,
    and the manager thread, finding the pool broken, sets an exception on
    every pending future, cancelled ones too: Python 3.11 raises
    InvalidStateError there (CPython gh-107219, fixed in 3.12), and the thread
    printed a traceback after "interrupted: stopped after …". Only that error
    of that thread is passed over; every other goes to the hook before it.
    """
    previous = threading.excepthook
    if getattr(previous, "_cleaner_quiet", False):
        return
    from concurrent.futures import InvalidStateError

    def hook(args: threading.ExceptHookArgs) -> None:
        if not (args.exc_type is InvalidStateError and type(args.thread).__name__ == "_ExecutorManagerThread"):
            previous(args)

    hook._cleaner_quiet = True  # type: ignore[attr-defined]
    threading.excepthook = hook
