#!/usr/bin/env python3
"""Instructions per cleaning round, counted by valgrind's callgrind: a measure that repeats exactly.

    python3 benchmarks/instructions.py [--no-log] [DIR ...]

Timings on a shared machine drift by ±15 % from run to run, too much to judge
a change of a few per cent. This runs one process that loads the rules and
cleans the files of the folders once (warm-up), and another that then cleans
them once more, both under callgrind, and prints the difference: the
instructions of one cleaning round. Compare the figure before and after a
change. Default folders: ../shared/seeds/raw, ../shared/devset/raw and
samples/input. Needs valgrind (Debian's package); run it with the project's
virtual environment. ``--no-log`` cleans as ``cleaner clean`` does when no
log, diff or report is asked for (``Options(log=False)``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = [ROOT.parent / "shared" / "seeds" / "raw", ROOT.parent / "shared" / "devset" / "raw",
           ROOT / "samples" / "input"]


def work(rounds: int, folders: list[Path], log: bool) -> None:
    sys.path.insert(0, str(ROOT))
    from cleaner import clean_bytes

    data = [p.read_bytes() for f in folders for p in sorted(f.glob("*.txt"))]
    for _ in range(1 + rounds):
        for d in data:
            clean_bytes(d, log=log)


def count(rounds: int, folders: list[Path], log: bool) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/out",
               sys.executable, __file__, "--work", str(rounds), "1" if log else "0", *map(str, folders)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if not found:
        sys.exit(f"no instruction count in valgrind's output:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> int:
    if len(sys.argv) > 3 and sys.argv[1] == "--work":
        work(int(sys.argv[2]), [Path(a) for a in sys.argv[4:]], sys.argv[3] == "1")
        return 0
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")
    args = sys.argv[1:]
    log = "--no-log" not in args
    folders = [Path(a) for a in args if a != "--no-log"] or [f for f in DEFAULT if f.is_dir()]
    files = sum(len(list(f.glob("*.txt"))) for f in folders)
    size = sum(p.stat().st_size for f in folders for p in f.glob("*.txt"))
    warm, more = count(0, folders, log), count(1, folders, log)
    per_round = more - warm
    print(f"{files} files, {size / 1000:.0f} kB{'' if log else ', no log'}: {per_round:,} instructions per round "
          f"({per_round / size:,.0f} per byte); start-up and warm-up {warm:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
