#!/usr/bin/env python3
"""Throughput of `cleaner clean` on a generated corpus, next to `cp -r` as the I/O floor.

    python3 benchmarks/throughput.py [--size-mb 100] [--files 10000] [--keep DIR]
    python3 benchmarks/throughput.py --in-process DIR [DIR ...]

Builds a corpus from the samples (their noisy inputs and clean outputs,
shuffled, repeated and varied with noise lines of every family so that the
rules really fire), then times, end to end (read, decode, clean, write):
one job, all cores, `cp -r` of the same tree, and one small file including
process start. Prints MB/s and files/s. Uses the `cleaner` next to this
Python (run it with the project's virtual environment).

With --in-process, it instead cleans the files of each DIR over and over in
this process for a few seconds (CPU time, no file writes) and prints MB/s:
the cleaning itself, on real documents such as ../shared/seeds/raw.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
NOISE = [
    "更新时间:2021-06 来源:网友投稿", "登录 | 注册 | 返回首页", "墨香文行整理，咨询QQ318842759",
    "---此处隐藏3120字,下载后查看---", "责任编辑：张晓明", "手机浏览器扫描二维码访问",
    "下面是小编为大家整理的讲话稿，供大家参考。", "第2页 / 共6页", "3 F( k7 B; Y! ~% q$ z",
    "(未完,全文共2040字,当前显示512字)", "关注公众号“笔耕书屋”获取更多",
]


def paragraphs() -> list[str]:
    sys.path.insert(0, str(ROOT))
    from cleaner import decode  # the project's own decoder, for the GBK and Big5 samples

    found = []
    for folder in ("input", "expected"):
        for path in sorted((SAMPLES / folder).glob("*.txt")):
            found += [ln for ln in decode(path.read_bytes()).text.splitlines() if ln.strip()]
    return found


def build(corpus: Path, size_mb: int, files: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    pool = paragraphs()
    per_file = size_mb * 1_000_000 // files
    total = 0
    for i in range(files):
        lines: list[str] = []
        size = 0
        while size < per_file:
            line = rng.choice(pool)
            if rng.random() < 0.08:
                line = rng.choice(NOISE)
            elif rng.random() < 0.05:
                line = line.replace("，", ",").replace("：", ":")
            lines.append(line)
            size += len(line.encode("utf-8")) + 1
        data = ("\n".join(lines) + "\n").encode("utf-8")
        path = corpus / f"{i // 1000:02d}" / f"{i:05d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        total += len(data)
    return total


def timed(cmd: list[str], env: dict[str, str] | None = None) -> float:
    """Seconds that ``cmd`` takes, its output thrown away (``env``: its environment, default this one's)."""
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def in_process(folders: list[Path], seconds: float = 3.0) -> None:
    sys.path.insert(0, str(ROOT))
    from cleaner import clean_bytes

    for folder in folders:
        data = [p.read_bytes() for p in sorted(folder.glob("*.txt"))]
        if not data:
            print(f"{folder}: no .txt files")
            continue
        clean_bytes(data[0])  # rules load and compile outside the timing
        rounds, start = 0, time.process_time()
        while time.process_time() - start < seconds:
            for d in data:
                clean_bytes(d)
            rounds += 1
        used = time.process_time() - start
        mb = sum(map(len, data)) * rounds / 1e6
        lines = sum(d.count(b"\n") for d in data) / (sum(map(len, data)) / 1000)
        print(f"{str(folder):40} {mb / used:6.2f} MB/s  ({len(data)} files, {lines:.1f} lines per kB)")


def installed_cleaner() -> Path:
    """The ``cleaner`` command of this Python's environment (the benchmark times the installed command)."""
    cleaner = Path(sys.executable).with_name("cleaner")
    if not cleaner.exists():
        sys.exit(f"no cleaner next to {sys.executable}; run with the project's virtual environment")
    return cleaner


def corpus_folder(keep: Path | None, prefix: str) -> tuple[Path, Path]:
    """The work folder (``keep``, or a new temporary one) and its empty ``corpus`` folder's path."""
    work = keep or Path(tempfile.mkdtemp(prefix=prefix))
    corpus = work / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    return work, corpus


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=int, default=100)
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--keep", type=Path, help="build the corpus here and keep it")
    ap.add_argument("--in-process", nargs="+", type=Path, metavar="DIR",
                    help="time the cleaning alone on the files of these folders")
    args = ap.parse_args()
    if args.in_process:
        in_process(args.in_process)
        return 0
    cleaner = installed_cleaner()
    work, corpus = corpus_folder(args.keep, "cleaner-bench-")
    started = time.perf_counter()
    total = build(corpus, args.size_mb, args.files)
    mb = total / 1e6
    print(f"corpus: {args.files} files, {mb:.1f} MB (built in {time.perf_counter() - started:.1f} s)")
    cores = os.cpu_count() or 1
    rows = [
        ("cp -r (I/O floor)", ["cp", "-r", str(corpus), str(work / "cp")]),
        ("cleaner, 1 job", [str(cleaner), "clean", str(corpus), "-o", str(work / "out1"), "-q", "-j", "1"]),
        (f"cleaner, {cores} jobs",
         [str(cleaner), "clean", str(corpus), "-o", str(work / "outN"), "-q", "-j", str(cores)]),
    ]
    for name, cmd in rows:
        seconds = timed(cmd)
        print(f"{name:22} {seconds:8.2f} s {mb / seconds:9.2f} MB/s {args.files / seconds:10.1f} files/s")
    small = next(corpus.rglob("*.txt"))
    runs = sorted(timed([str(cleaner), "clean", str(small)]) for _ in range(10))
    print(f"{'one small file':22} {runs[0]:8.3f} s (best of 10, median {runs[5]:.3f} s, process "
          f"start included, {small.stat().st_size / 1000:.0f} kB)")
    if not args.keep:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
