"""Records: the text field of each record of a JSON Lines or Parquet corpus, cleaned as a file would be.

Each record's text goes through the same pipeline as a file
(:meth:`cleaner.pipeline.Pipeline.run_bytes`: decode, clean, guard), so a
record and a file of the same text come out the same. Every other field is
kept as it was, in its place; a metadata field (``meta_key``, default
``cleaner``) is added with what was done (:func:`metadata`).

Streams: a JSON Lines input is read line by line, a Parquet input row group by
row group, and the output is written as it comes, so memory does not grow with
the corpus. With several jobs the records go to worker processes in small
chunks, a bounded number at a time, and come back in input order.

A record that cannot be cleaned (a line that is not JSON, a record without the
text field or with one that is not a string, a text the guard refuses) is an
error for that record, said with its line (its row, in Parquet) and **left
out** of the output, so that the output holds only cleaned records; the rest
go on, and the run exits 2. The input still has it, at the line named.

Nothing here imports pyarrow or zstandard unless a Parquet or ``.zst`` file is
read or written.
"""

from __future__ import annotations

import functools
import gzip
import io
import json
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from . import pipeline as _pool
from .files import RECORD_SUFFIXES, STDIN, Source, display, is_records
from .fileio import give_metadata, temp_beside
from .pipeline import Pipeline

CHUNK = 64  # records sent to a worker at once
_IN_FLIGHT = 4  # chunks per worker waiting or at work: bounds the memory of a parallel run


class RecordsError(Exception):
    """A problem that stops a records run before or while it writes (the command says it, exit 2)."""


@dataclass(frozen=True)
class Keys:
    """The fields of a record: its text, the metadata added, its id in the log."""

    text: str = "text"
    meta: str = "cleaner"
    id: str = "id"


@dataclass(frozen=True)
class Cleaned:
    """What became of one record's text: the clean text and its metadata, or why it was not cleaned."""

    text: str | None = None
    meta: dict[str, Any] | None = None
    log: str = ""
    error: str | None = None
    changed: bool = False


def records_pipeline(pipeline: Pipeline) -> Pipeline:
    """``pipeline`` as records need it: the clean text and the whole result come back, nothing is written.

    A record's metadata comes from the result, so no summary or warning lines are built.
    """
    return Pipeline(pipeline.rules, pipeline.options, None, _pool.WriteBack.RETURN, log=pipeline.log,
                    keep_result=True, messages=False)


def clean_text_of(pipeline: Pipeline, text: str, label: str) -> Cleaned:
    """Clean one record's text with ``pipeline`` (a :func:`records_pipeline`), exactly as a file of it."""
    outcome = pipeline.run_bytes(text.encode("utf-8", "surrogatepass"), Source(None, Path("record.txt"), label))
    if outcome.error is not None or outcome.result is None or outcome.text is None:
        return Cleaned(error=outcome.error or "no result")
    info = outcome.result.info
    meta = {"changes": dict(sorted(outcome.rule_counts.items())), "truncated": info.truncated,
            "hidden_chars": info.hidden_chars, "damaged": info.damaged, "empty_reason": info.empty_reason}
    return Cleaned(outcome.text, meta, outcome.log, changed=outcome.text != text)


def metadata(pipeline: Pipeline, text: str, label: str = "<record>") -> Cleaned:
    """The same as :func:`clean_text_of`, for callers that hold a plain pipeline (the integrations).

    >>> done = metadata(Pipeline(), "XX同志:大家好!\\n")
    >>> done.text, done.meta["changes"]
    ('××同志：大家好！\\n', {'AN001': 1, 'PU002': 2})
    """
    return clean_text_of(records_pipeline(pipeline), text, label)


def _clean_chunk(items: Sequence[tuple[str, str]]) -> list[Cleaned]:
    """A chunk of (label, text) in a worker process (its pipeline was sent once, at its start)."""
    pipeline = _pool._WORKER_PIPELINE
    assert pipeline is not None
    with _pool._WORKING:
        done = [clean_text_of(pipeline, text, label) for label, text in items]
    if _pool._STOPPING:
        os._exit(143)
    return done


def clean_chunks(pipeline: Pipeline, chunks: Iterable[Sequence[tuple[str, str]]],
                 jobs: int) -> Iterator[list[Cleaned]]:
    """Clean chunks of (label, text), in up to ``jobs`` processes; each chunk's results in input order.

    At most a few chunks per worker are out at once, so a corpus of any size
    runs in the same memory. When the caller stops early, the workers stop.
    """
    pipeline = records_pipeline(pipeline) if not pipeline.keep_result else pipeline
    if jobs <= 1:
        for chunk in chunks:
            yield [clean_text_of(pipeline, text, label) for label, text in chunk]
        return
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_pool._init_worker,
                               initargs=(pipeline, os.getpid()))
    pending: deque[Future[list[Cleaned]]] = deque()
    try:
        for chunk in chunks:
            pending.append(pool.submit(_clean_chunk, list(chunk)))
            if len(pending) >= jobs * _IN_FLIGHT:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except BaseException:
        _pool._stop(pool)
        raise
    pool.shutdown()


# ------------------------------------------------------------------ reading and writing


@dataclass
class Tally:
    """The counts of a records run, and its errors as they come."""

    report: Callable[[str], None]
    records: int = 0
    changed: int = 0
    errors: int = 0
    bytes_in: int = 0

    def error(self, where: str, message: str) -> None:
        self.errors += 1
        self.report(f"error: {where}: {message}")


@dataclass(frozen=True)
class _Item:
    """One record read: where it is, its fields (None for a bad one) and why it is bad."""

    where: str  # file:line, for messages
    label: str  # its id in the change log
    record: Any = None
    text: str = ""
    error: str | None = None


def _open_in(name: str, stack: ExitStack) -> IO[bytes]:
    if name == STDIN:
        return sys.stdin.buffer
    raw: IO[bytes] = stack.enter_context(open(name, "rb"))
    lower = name.lower()
    if lower.endswith(".gz"):
        unzipped = gzip.GzipFile(fileobj=raw, mode="rb")
        stack.callback(unzipped.close)
        return cast(IO[bytes], unzipped)
    if lower.endswith(".zst"):
        zstd = _zstandard(name)
        return stack.enter_context(io.BufferedReader(zstd.ZstdDecompressor().stream_reader(raw)))
    return raw


def _zstandard(name: str) -> Any:
    try:
        import zstandard
    except ImportError:
        raise RecordsError(f"{name}: reading and writing .zst needs the zstandard package: "
                           "pip install 'speech-cleaner[zstd]'") from None
    return zstandard


def _jsonl_items(name: str, keys: Keys, stack: ExitStack, tally: Tally) -> Iterator[_Item]:
    shown = "<stdin>" if name == STDIN else display(name)
    stream = _open_in(name, stack)
    for number, line in enumerate(stream, 1):
        tally.bytes_in += len(line)
        if not line.strip():
            continue
        where = f"{shown}:{number}"
        try:
            record = json.loads(line)
        except ValueError as exc:
            yield _Item(where, where, error=f"not a JSON record ({exc}); left out")
            continue
        yield _item(record, where, keys)


def _item(record: Any, where: str, keys: Keys) -> _Item:
    """A record read, checked for its text field."""
    if not isinstance(record, dict):
        return _Item(where, where, error=f"not a JSON object but {_json_type(record)}; left out")
    label = str(record[keys.id]) if record.get(keys.id) is not None else where
    text = record.get(keys.text)
    if keys.text not in record:
        return _Item(where, label, error=f"no {keys.text!r} field; left out (name the text field with --text-key)")
    if not isinstance(text, str):
        return _Item(where, label, error=f"its {keys.text!r} field is {_json_type(text)}, not a string; left out")
    return _Item(where, label, record, text)


def _json_type(value: Any) -> str:
    """What a JSON value is, in JSON's words."""
    names = {type(None): "null", bool: "a boolean", int: "a number", float: "a number", list: "an array",
             dict: "an object", str: "a string"}
    return names.get(type(value), type(value).__name__)


def _chunked(items: Iterator[_Item]) -> Iterator[list[_Item]]:
    chunk: list[_Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _cleaned(pipeline: Pipeline, items: Iterator[_Item], jobs: int) -> Iterator[tuple[_Item, Cleaned | None]]:
    """Each item with its cleaned text (None for an item that was bad before cleaning), in input order."""
    chunks = list[list[_Item]]()
    feed = _chunked(items)

    def texts() -> Iterator[list[tuple[str, str]]]:
        for chunk in feed:
            chunks.append(chunk)
            yield [(i.label, i.text) for i in chunk if i.error is None]

    for done in clean_chunks(pipeline, texts(), jobs):
        chunk = chunks.pop(0)
        results = iter(done)
        for item in chunk:
            yield item, (None if item.error is not None else next(results))


def _why(item: _Item, done: Cleaned | None) -> str:
    """Why a record was left out: it was bad as read, or its text could not be cleaned."""
    return item.error or f"{done.error if done is not None else 'not cleaned'}; left out"


def _with_meta(record: dict[str, Any], keys: Keys, done: Cleaned) -> dict[str, Any]:
    record[keys.text] = done.text
    record[keys.meta] = done.meta
    return record


class _Output:
    """The output of a records run: standard output, or a file written beside its place and moved there at the end."""

    def __init__(self, name: str | None, stack: ExitStack) -> None:
        self.name = name
        self.temp: Path | None = None
        if name is None or name == STDIN:
            self.stream: IO[bytes] = sys.stdout.buffer
            return
        target = Path(name)
        try:
            fd, self.temp = temp_beside(target)
        except OSError as exc:
            raise RecordsError(f"cannot write {display(name)}: {exc.strerror or exc}; nothing was cleaned") from None
        stack.callback(self._discard)
        try:
            old: os.stat_result | None = os.stat(target)
        except FileNotFoundError:
            old = None
        give_metadata(fd, target, old)  # as a text output: 0644, or what the file it replaces had
        raw: IO[bytes] = stack.enter_context(os.fdopen(fd, "wb"))
        lower = name.lower()
        if lower.endswith(".gz"):
            zipped = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0)
            stack.callback(zipped.close)
            self.stream = cast(IO[bytes], zipped)
        elif lower.endswith(".zst"):
            writer = _zstandard(name).ZstdCompressor().stream_writer(raw, closefd=False)
            self.stream = stack.enter_context(writer)
        else:
            self.stream = raw

    def _discard(self) -> None:
        if self.temp is not None:
            self.temp.unlink(missing_ok=True)

    def finish(self, stack: ExitStack) -> None:
        """Close the file and move it into place (standard output: flush)."""
        if self.temp is None:
            self.stream.flush()
            return
        temp, self.temp = self.temp, None
        stack.close()
        assert self.name is not None
        os.replace(temp, self.name)


def run_jsonl(inputs: Sequence[str], output: str | None, pipeline: Pipeline, keys: Keys, jobs: int,
              tally: Tally, log: IO[str] | None) -> None:
    """Clean the JSON Lines (or Parquet) ``inputs`` into one JSON Lines ``output`` (None or ``-``: stdout)."""
    with ExitStack() as stack:
        out = _Output(output, stack)

        def items() -> Iterator[_Item]:
            for name in inputs:
                if name.lower().endswith(".parquet"):
                    yield from _parquet_items(name, keys, tally)
                else:
                    yield from _jsonl_items(name, keys, stack, tally)

        write = out.stream.write
        for item, done in _cleaned(pipeline, items(), jobs):
            tally.records += 1
            if done is None or done.text is None or done.meta is None:
                tally.error(item.where, _why(item, done))
                continue
            tally.changed += done.changed
            if log is not None and done.log:
                log.write(done.log)
            write(json.dumps(_with_meta(item.record, keys, done), ensure_ascii=False, default=str)
                  .encode("utf-8", "surrogatepass") + b"\n")
        out.finish(stack)


# ------------------------------------------------------------------ Parquet


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise RecordsError("reading and writing Parquet needs pyarrow: pip install 'speech-cleaner[parquet]'") from None
    return pyarrow


def meta_type() -> Any:
    """The Arrow type of the metadata column: a struct of the same fields as the JSON metadata."""
    pa = _pyarrow()
    return pa.struct([("changes", pa.map_(pa.string(), pa.int64())), ("truncated", pa.bool_()),
                      ("hidden_chars", pa.int64()), ("damaged", pa.bool_()), ("empty_reason", pa.string())])


def _parquet_file(name: str, keys: Keys) -> Any:
    pa = _pyarrow()
    try:
        source = pa.parquet.ParquetFile(name)
    except (OSError, pa.ArrowException) as exc:
        raise RecordsError(f"{display(name)}: cannot read it as Parquet: {exc}") from None
    field = source.schema_arrow.field(keys.text) if keys.text in source.schema_arrow.names else None
    if field is None or not (pa.types.is_string(field.type) or pa.types.is_large_string(field.type)):
        raise RecordsError(f"{display(name)}: has no string column {keys.text!r}; name the text column "
                           "with --text-key")
    return source


def _parquet_items(name: str, keys: Keys, tally: Tally) -> Iterator[_Item]:
    source = _parquet_file(name, keys)
    row = 0
    for group in range(source.num_row_groups):
        for record in source.read_row_group(group).to_pylist():
            row += 1
            where = f"{display(name)}:row {row}"
            yield _item(record, where, keys)
    tally.bytes_in += os.path.getsize(name)


def clean_table(pipeline: Pipeline, table: Any, keys: Keys, where: Callable[[int], str],
                jobs: int = 1) -> tuple[Any, list[tuple[_Item, Cleaned | None]]]:
    """Clean the text column of an Arrow table: the table with its clean text and the metadata column,
    the rows that could not be cleaned left out; and each row's item and what became of it.

    The other columns are kept as they were; ``where(i)`` names row ``i`` in messages.
    """
    pa = _pyarrow()
    items = []
    for index, record in enumerate(table.select([c for c in (keys.text, keys.id)
                                                  if c in table.column_names]).to_pylist()):
        items.append(_item(record, where(index), keys))
    keep: list[int] = []
    texts: list[str] = []
    metas: list[dict[str, Any]] = []
    done = list(_cleaned(pipeline, iter(items), jobs))
    for index, (_, cleaned) in enumerate(done):
        if cleaned is not None and cleaned.text is not None and cleaned.meta is not None:
            keep.append(index)
            texts.append(cleaned.text)
            metas.append({**cleaned.meta, "changes": list(cleaned.meta["changes"].items())})
    meta_field = pa.field(keys.meta, meta_type())
    table = table.take(pa.array(keep, pa.int64()))
    text_at = table.schema.get_field_index(keys.text)
    text_field = table.schema.field(text_at)
    table = table.set_column(text_at, text_field, pa.array(texts, text_field.type))
    column = pa.array(metas, meta_field.type)
    if keys.meta in table.column_names:
        table = table.set_column(table.schema.get_field_index(keys.meta), meta_field, column)
    else:
        table = table.append_column(meta_field, column)
    return table, done


def _row(name: str, first: int, index: int) -> str:
    return f"{name}:row {first + index + 1}"


def run_parquet(name: str, output: str, pipeline: Pipeline, keys: Keys, jobs: int,
                tally: Tally, log: IO[str] | None) -> None:
    """Clean a Parquet file into another, row group by row group: its schema kept, the metadata a struct column."""
    pa = _pyarrow()
    source = _parquet_file(name, keys)
    schema = source.schema_arrow
    meta_field = pa.field(keys.meta, meta_type())
    if keys.meta in schema.names:
        schema = schema.set(schema.get_field_index(keys.meta), meta_field)
    else:
        schema = schema.append(meta_field)
    with ExitStack() as stack:
        out = _Output(output, stack)
        writer = stack.enter_context(pa.parquet.ParquetWriter(out.stream, schema))
        row = 0
        for group in range(source.num_row_groups):
            table = source.read_row_group(group)
            cleaned, done = clean_table(pipeline, table, keys, functools.partial(_row, display(name), row), jobs)
            row += table.num_rows
            for item, result in done:
                tally.records += 1
                if result is None or result.text is None:
                    tally.error(item.where, _why(item, result))
                    continue
                tally.changed += result.changed
                if log is not None and result.log:
                    log.write(result.log)
            writer.write_table(cleaned.cast(schema))
        tally.bytes_in += os.path.getsize(name)
        writer.close()
        out.finish(stack)


# ------------------------------------------------------------------ a run of the command


def run(paths: Sequence[str], output: str | None, pipeline: Pipeline, keys: Keys, jobs: int,
        log_path: Path | None, report: Callable[[str], None]) -> Tally:
    """Clean the records of ``paths`` into ``output`` (None or ``-``: standard output); the counts.

    Raises :class:`RecordsError` for what stops the run: an input that is not
    a records file, a Parquet output from JSON Lines, a file that cannot be read
    or written. A bad record is counted in the tally's errors, and left out.
    """
    if keys.meta == keys.text:
        raise RecordsError(f"--meta-key {keys.meta} is the field that is cleaned (--text-key): the clean text "
                           "would be replaced by what was done to it; give the metadata another field")
    if keys.meta == keys.id:
        raise RecordsError(f"--meta-key {keys.meta} is the field that names a record (--id-key); give the "
                           "metadata another field")
    to_stdout = output is None or output == STDIN
    if log_path is not None and str(log_path) == STDIN and to_stdout:
        raise RecordsError("--log - and the records would both go to standard output; write the records to a "
                           "file with -o FILE, or the log to a file")
    for name in paths:
        if name != STDIN and not is_records(name):
            raise RecordsError(f"{display(name)} is not a records file ({', '.join(RECORD_SUFFIXES)}); clean text "
                               "files and records in separate runs")
        if name != STDIN and not os.path.isfile(name):
            raise RecordsError(f"{display(name)}: no such file")
    if output is not None and output != STDIN:
        if not is_records(output):
            raise RecordsError(f"-o {display(output)}: records go to a records file ({', '.join(RECORD_SUFFIXES)}) "
                               "or to - (standard output)")
        target = os.path.realpath(output)
        if any(name != STDIN and os.path.realpath(name) == target for name in paths):
            raise RecordsError(f"-o {display(output)} is an input: write the clean records to another file")
    parquet_out = output is not None and output.lower().endswith(".parquet")
    if parquet_out and (len(paths) != 1 or not paths[0].lower().endswith(".parquet")):
        raise RecordsError(f"-o {display(output or '')}: a Parquet output is written from one Parquet input "
                           "(its schema is kept); write JSON Lines records to .jsonl instead")
    tally = Tally(report)
    with ExitStack() as stack:
        log: IO[str] | None = None
        if log_path is not None and str(log_path) == STDIN:
            log = sys.stdout  # the records go to a file (checked above)
        elif log_path is not None:
            try:
                log = stack.enter_context(open(log_path, "w", encoding="utf-8", errors="surrogatepass"))
            except OSError as exc:
                raise RecordsError(f"cannot write the log {log_path}: {exc.strerror or exc}; nothing was cleaned") \
                    from None
        try:
            if parquet_out:
                assert output is not None
                run_parquet(paths[0], output, pipeline, keys, jobs, tally, log)
            else:
                run_jsonl(paths, output, pipeline, keys, jobs, tally, log)
        except BrokenPipeError:
            raise  # the reader of standard output went away: the command stops quietly
        except OSError as exc:
            where = f" {display(exc.filename)}" if exc.filename else ""
            raise RecordsError(f"cannot read or write{where}: {exc.strerror or exc}; the output was not "
                               "written") from None
        except EOFError as exc:
            raise RecordsError(f"an input ends too soon (a cut compressed file?): {exc}; the output was not "
                               "written") from None
        except Exception as exc:
            if type(exc).__name__ != "ZstdError":
                raise
            raise RecordsError(f"an input is not valid zstandard ({exc}); the output was not written") from None
    return tally
