#!/usr/bin/env python3
"""In-process throughput of ``clean_text`` on real downloads, next to its peers in the same run.

    python3 benchmarks/real_downloads.py [--against REV ...] [--shared DIR] [--rounds 3] [--scale 1.0]

Builds a corpus at run time from the real pages in ``../shared/devset/raw``
and ``../shared/wild/raw`` (it skips with a message when they are absent;
their text never enters the repository): each page as downloaded, each page
with its lines shuffled, and pages concatenated two by two, so that the
rules meet the same kinds of lines in other orders and longer documents.
Then it times, round after round and one after the other (so that the drift
of a shared machine hits every side alike), the CPU time of:

- ``clean_text`` of this checkout (rules, guard and all, no file I/O);
- ``clean_text`` of each ``--against`` revision, checked out into a
  temporary git worktree and run with its own rules;
- ``ftfy.fix_text`` on the same documents, and datatrove's chain of
  ``FTFYFormatter`` + ``SymbolLinesFormatter`` + ``C4QualityFilter`` (line
  filtering only) when datatrove is installed.

Each side runs in a fresh process that first cleans every page once (rules
compile on first use, outside the timing). Prints MB/s (UTF-8 bytes of the
input) per round and the best, and each revision's ratio to this checkout.
Compare figures from one run only: timings on a shared machine drift by
±15 % between runs.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the other scripts here, also when loaded by path
from checkout import import_checkout, worktrees  # noqa: E402  (a revision beside this checkout)
from compare_revisions import default_shared, git  # noqa: E402  (one place finds ../shared and runs git)

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ("devset", "wild")  # folders of SHARED/NAME/raw


def build(shared: Path, scale: float, seed: int = 15) -> tuple[list[str], list[str]]:
    """The pages as decoded, and the corpus made from them (pages, shuffled pages, pairs)."""
    sys.path.insert(0, str(ROOT))
    from cleaner import decode

    pages = [decode(p.read_bytes()).text for name in CORPORA
             for p in sorted((shared / name / "raw").glob("*.txt"))]
    rng = random.Random(seed)
    corpus = list(pages)
    for page in pages:
        lines = page.splitlines()
        rng.shuffle(lines)
        corpus.append("\n".join(lines) + "\n")
    order = list(pages)
    rng.shuffle(order)
    corpus += [a + b for a, b in zip(order[::2], order[1::2], strict=False)]
    rng.shuffle(corpus)
    return pages, corpus[: max(1, round(len(corpus) * scale))]


# ------------------------------------------------------------------ workers

def worker(tool: str, source: str, data: Path, passes: int) -> None:
    """Time ``passes`` rounds of one tool over the corpus in ``data``; print CPU seconds per round."""
    loaded = json.loads(data.read_text(encoding="utf-8"))
    pages, corpus = loaded["pages"], loaded["corpus"]
    fn = _tool(tool, Path(source) if source else None)
    for page in pages:  # warm-up: every rule compiles on first use
        fn(page)
    times = []
    for _ in range(passes):
        start = time.process_time()
        for doc in corpus:
            fn(doc)
        times.append(time.process_time() - start)
    print(json.dumps(times))


def _tool(tool: str, source: Path | None) -> Callable[[str], object]:
    if tool == "cleaner":
        assert source is not None
        clean_text: Callable[[str], object] = import_checkout(source).clean_text
        return clean_text
    if tool == "ftfy":
        import ftfy

        return ftfy.fix_text
    if tool == "datatrove":
        return _datatrove_chain()
    raise ValueError(tool)


def _datatrove_chain() -> Callable[[str], str]:
    """datatrove's FTFY fix, symbol-line removal and C4 line filter, applied to one text."""
    from datatrove.data import Document
    from datatrove.pipeline.filters import C4QualityFilter
    from datatrove.pipeline.formatters import FTFYFormatter, SymbolLinesFormatter

    ftfy_step, symbols = FTFYFormatter(), SymbolLinesFormatter()
    # Set for Chinese: no ASCII end punctuation required, no count of sentences or space-split words.
    c4 = C4QualityFilter(filter_no_terminal_punct=False, min_num_sentences=-1, min_words_per_line=-1)

    def run(text: str) -> str:
        doc = Document(text=text, id="0")
        doc.text = symbols.format(ftfy_step.format(doc.text))
        c4.filter(doc)
        return str(doc.text)

    return run


def datatrove_available() -> bool:
    try:
        _datatrove_chain()
    except Exception:  # not installed, or an API this script does not know
        return False
    return True


# ------------------------------------------------------------------ driver

def run_worker(tool: str, source: Path | None, data: Path) -> float:
    cmd = [sys.executable, __file__, "--worker", tool, str(source or ""), str(data), "1"]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"{tool} {source or ''} failed:\n{done.stderr[-3000:]}")
    return float(json.loads(done.stdout.strip().splitlines()[-1])[0])


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        worker(argv[1], argv[2], Path(argv[3]), int(argv[4]))
        return 0
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=None,
                    help="the shared folder with devset/ and wild/ (default: ../shared, beside this "
                    "checkout or the main one)")
    ap.add_argument("--against", action="append", default=[], metavar="REV",
                    help="also time this git revision (repeatable), e.g. main")
    ap.add_argument("--rounds", type=int, default=3, help="rounds per side; the best counts (default 3)")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="share of the corpus to use (default 1.0: about 1.7 MB)")
    ap.add_argument("--no-peers", action="store_true", help="time the cleaner revisions only")
    args = ap.parse_args(argv)
    args.shared = args.shared or default_shared()
    missing = [name for name in CORPORA if not (args.shared / name / "raw").is_dir()]
    if missing:
        print(f"skipped: no {', '.join(f'{args.shared}/{m}/raw' for m in missing)} "
              "(the real downloads are not in this checkout)")
        return 0
    pages, corpus = build(args.shared, args.scale)
    mb = sum(len(d.encode("utf-8")) for d in corpus) / 1e6
    print(f"corpus: {len(corpus)} documents, {mb:.2f} MB, from {len(pages)} pages of "
          f"{' and '.join(CORPORA)} (as downloaded, lines shuffled, two concatenated)")
    with tempfile.TemporaryDirectory(prefix="real-downloads-") as tmp, \
            worktrees(args.against, Path(tmp)) as revisions:
        data = Path(tmp) / "corpus.json"
        data.write_text(json.dumps({"pages": pages, "corpus": corpus}, ensure_ascii=False), encoding="utf-8")
        sides: list[tuple[str, str, Path | None]] = [(f"cleaner {git('rev-parse', '--short', 'HEAD')}"
                                                      + (" + changes" if git("status", "--porcelain", "cleaner",
                                                                             "rules") else ""),
                                                      "cleaner", ROOT)]
        sides += [(label, "cleaner", where) for label, where in revisions.items()]
        if not args.no_peers:
            sides.append(("ftfy.fix_text", "ftfy", None))
            if datatrove_available():
                sides.append(("datatrove FTFY+symbol lines+C4", "datatrove", None))
            else:
                print("(datatrove is not installed: its chain is left out)")
        seconds: dict[str, list[float]] = {name: [] for name, _, _ in sides}
        for _ in range(args.rounds):
            for name, tool, source in sides:
                seconds[name].append(run_worker(tool, source, data))
    best = {name: mb / min(s) for name, s in seconds.items()}
    first = sides[0][0]
    for name, s in seconds.items():
        rounds = " ".join(f"{mb / x:.2f}" for x in s)
        ratio = "" if name == first else f"   this checkout is {best[first] / best[name]:.2f}x"
        print(f"{name:40} {best[name]:6.2f} MB/s best of {len(s)} ({rounds}){ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
