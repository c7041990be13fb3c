#!/usr/bin/env python3
"""Throughput of records next to the same texts as files, in one run; and through datatrove.

    python3 benchmarks/records.py [--size-mb 20] [--files 4000] [--keep DIR]

Builds the corpus of ``throughput.py`` (the samples shuffled, repeated and
varied with noise lines), writes the same texts as one JSON Lines file of
records, then times end to end (read, decode, clean, write), with one job and
with all cores: the files (``cleaner clean DIR -o OUT``) and the records
(``cleaner clean corpus.jsonl -o clean.jsonl``), and prints the ratio of the
two; then the same records through a datatrove pipeline with two tasks
(JsonlReader → CleanSpeech → JsonlWriter), when datatrove is installed.
Prints seconds, MB/s and records (or files) per second.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from throughput import build, corpus_folder, installed_cleaner, timed  # noqa: E402  as throughput.py does


def as_records(corpus: Path, target: Path) -> int:
    """The files of ``corpus`` as records of one JSON Lines file, in the order the command cleans them."""
    paths = sorted(corpus.rglob("*.txt"))
    with target.open("w", encoding="utf-8") as out:
        for path in paths:
            record = {"id": str(path.relative_to(corpus)), "text": path.read_text(encoding="utf-8")}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(paths)


def datatrove_run(source: Path, work: Path) -> float | None:
    """Seconds for a datatrove pipeline of two tasks over ``source`` split in two shards; None without datatrove."""
    try:
        from datatrove.executor import LocalPipelineExecutor
        from datatrove.pipeline.readers import JsonlReader
        from datatrove.pipeline.writers import JsonlWriter
    except ImportError:
        return None
    sys.path.insert(0, str(HERE.parent))
    from cleaner.integrations.datatrove import CleanSpeech

    shards = work / "shards"
    shards.mkdir(exist_ok=True)
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    for shard in range(2):
        (shards / f"part-{shard}.jsonl").write_text("".join(lines[shard::2]), encoding="utf-8")
    executor = LocalPipelineExecutor(pipeline=[JsonlReader(str(shards)), CleanSpeech(),
                                               JsonlWriter(str(work / "dt-out"))],
                                     tasks=2, workers=2, logging_dir=str(work / "dt-logs"))
    start = time.perf_counter()
    executor.run()
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=int, default=20)
    ap.add_argument("--files", type=int, default=4000)
    ap.add_argument("--keep", type=Path, help="build the corpus here and keep it")
    args = ap.parse_args()
    cleaner = installed_cleaner()
    work, corpus = corpus_folder(args.keep, "cleaner-records-bench-")
    total = build(corpus, args.size_mb, args.files)
    source = work / "corpus.jsonl"
    count = as_records(corpus, source)
    mb = total / 1e6
    print(f"corpus: {count} texts, {mb:.1f} MB of text; as records {source.stat().st_size / 1e6:.1f} MB of JSON Lines")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    for jobs in sorted({1, cores}):
        files = timed([str(cleaner), "clean", str(corpus), "-o", str(work / f"files{jobs}"), "-q", "-j", str(jobs)])
        records = timed([str(cleaner), "clean", str(source), "-o", str(work / f"records{jobs}.jsonl"),
                         "-q", "-j", str(jobs)])
        for name, seconds in ((f"files, {jobs} job(s)", files), (f"records, {jobs} job(s)", records)):
            print(f"{name:24} {seconds:8.2f} s {mb / seconds:8.2f} MB/s {count / seconds:10.1f} texts/s")
        print(f"{'records / files':24} {files / records:8.2f} (throughput of records over that of files)")
    took = datatrove_run(source, work)
    if took is None:
        print("datatrove: not installed (pip install 'speech-cleaner[datatrove]')")
    else:
        print(f"{'datatrove, 2 tasks':24} {took:8.2f} s {mb / took:8.2f} MB/s {count / took:10.1f} texts/s")
    if not args.keep:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
