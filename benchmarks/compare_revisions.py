#!/usr/bin/env python3
"""Prove that two revisions clean the same corpora to the same bytes.

    python3 benchmarks/compare_revisions.py REV_A REV_B [--shared DIR] [--keep DIR]

For each revision, checks it out into a temporary git worktree, installs it
into its own fresh virtual environment (as the README's quick start does) and
runs that revision's own ``cleaner`` over the same copies of the seeds, the
development set and the wild pages of ``../shared`` and of ``samples/input``
(taken from REV_A, so both revisions see the same bytes):

- ``clean DIR -o OUT --log LOG`` on each folder: the written files, the change
  log, stdout, stderr and the exit code;
- ``clean --diff --no-color``, ``diff --no-color``, ``report``, ``--report``
  and ``--in-place`` on the samples, ``--jobs 1`` against the default, a seed
  on stdin; a missing path, a bad choice of modes, a bad configuration file
  and a log that cannot be written (exit 2); ``rules list``, ``show`` and
  ``test``, ``learn`` on the wild pages, and ``--help``.

Both sides run in the same folder, one after the other (each moved aside
when it is done), so the logs and messages are comparable byte for byte,
even what depends on the folder's whole path (``learn`` names its rules'
prefix after a hash of it); a log's document records are compared without
the version and the rules' fingerprint, which name the revision. The one
path that differs, where each revision is installed (the ``source`` of a
default rule), is written ``<venv>`` in both. Prints one line per run and a
verdict; exits 0 when everything is identical, 1 on any difference.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ("seeds", "devset", "wild")  # folders of SHARED/NAME/raw
RUNS: dict[str, list[str]] = {  # name: arguments of `cleaner`, run in the run folder
    **{f"clean-{name}": ["clean", f"in/{name}", "-o", f"out/{name}", "--log", f"logs/{name}.jsonl"]
       for name in [*CORPORA, "samples"]},
    "clean-samples-j1": ["clean", "in/samples", "-o", "out/samples-j1", "--log", "logs/samples-j1.jsonl",
                         "--jobs", "1"],
    "clean-seeds-stdout": ["clean", "in/seeds/" + "{first_seed}"],
    "check-samples": ["clean", "--check", "in/samples"],
    "diff-samples": ["clean", "--diff", "--no-color", "in/samples"],
    "inline-diff-samples": ["diff", "--no-color", "in/samples"],
    "report-samples": ["report", "in/samples", "-o", "out/report.html"],
    "stdin-filter": ["clean", "-", "--log", "logs/stdin.jsonl"],  # the first seed on stdin
    "missing-path": ["clean", "in/no-such-folder", "-o", "out/missing"],
    "bad-mode": ["clean", "in/samples", "--check", "--in-place"],
    "in-place": ["clean", "in/in-place", "--in-place"],  # a copy of the samples, compared after
    "clean-with-report": ["clean", "in/samples", "-o", "out/with-report", "--report", "out/with-report.html"],
    "log-not-writable": ["clean", "in/seeds", "-o", "out/seeds-again", "--log", "in"],
    "bad-config": ["clean", "in/samples", "--check", "--config", "in/bad.toml"],
    "rules-list": ["rules", "list", "--format", "json"],
    "rules-show": ["rules", "show", "CT001"],
    "rules-show-unknown": ["rules", "show", "CT00"],
    "rules-test": ["rules", "test"],
    "learn-wild": ["learn", "in/wild"],
    **{f"help-{' '.join(c) or 'cleaner'}": [*c, "--help"]
       for c in ([], ["clean"], ["diff"], ["report"], ["rules", "list"], ["rules", "test"], ["learn"])},
    "version": ["--version"],
}
COMPARED = ("out", "logs", "in/in-place")  # folders compared file by file after all runs


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: bytes
    stderr: bytes


def git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def install(rev: str, where: Path) -> Path:
    """Check ``rev`` out into ``where/src``, install it into ``where/venv``; the ``cleaner`` script."""
    src, venv = where / "src", where / "venv"
    git("worktree", "add", "--detach", str(src), rev)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(src)], check=True,
                       capture_output=True)
    finally:
        git("worktree", "remove", "--force", str(src))
    return venv / "bin" / "cleaner"


def prepare(run_dir: Path, shared: Path, samples: Path) -> None:
    """The same inputs, at the same relative paths, for every revision."""
    for name in CORPORA:
        shutil.copytree(shared / name / "raw", run_dir / "in" / name)
    shutil.copytree(samples, run_dir / "in" / "samples")
    shutil.copytree(samples, run_dir / "in" / "in-place")
    (run_dir / "in" / "bad.toml").write_text('placeholdr = "某某"\n', encoding="utf-8")
    (run_dir / "out").mkdir()
    (run_dir / "logs").mkdir()


def run_all(cleaner: Path, run_dir: Path) -> dict[str, Ran]:
    first_seed = sorted(p.name for p in (run_dir / "in" / "seeds").iterdir())[0]
    stdin = (run_dir / "in" / "seeds" / first_seed).read_bytes()
    results = {}
    for name, args in RUNS.items():
        argv = [a.replace("{first_seed}", first_seed) for a in args]
        done = subprocess.run([str(cleaner), *argv], cwd=run_dir, capture_output=True, timeout=1800,
                              input=stdin if "-" in argv else None)
        venv = str(cleaner.parent.parent).encode()  # where each revision is installed (rules list's source)
        results[name] = Ran(done.returncode, done.stdout.replace(venv, b"<venv>"),
                            done.stderr.replace(venv, b"<venv>"))
    return results


def tree_differences(a: Path, b: Path) -> list[str]:
    """Relative paths that differ in content or exist on one side only."""
    files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    differ = sorted(str(p) for p in files_a ^ files_b)
    differ += sorted(str(p) for p in files_a & files_b if not _same(a / p, b / p))
    return differ


# What a log's document record says about the revision itself: the version and
# the fingerprint of its rules differ whenever the revisions do.
STAMP = ("cleaner", "rules")


def _same(a: Path, b: Path) -> bool:
    """Byte-identical files; change logs compared without the revision's own stamp."""
    if filecmp.cmp(a, b, shallow=False):
        return True
    if a.suffix != ".jsonl":
        return False
    return _unstamped(a) == _unstamped(b)


def _unstamped(path: Path) -> list[dict[str, object]]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    for record in records:
        for key in STAMP:
            record.pop(key, None)
    return records


def default_shared() -> Path:
    """``../shared`` beside this checkout, or beside the main checkout when this is a git worktree."""
    beside = ROOT.parent / "shared"
    if beside.is_dir():
        return beside
    try:
        common = Path(git("rev-parse", "--path-format=absolute", "--git-common-dir"))
    except (OSError, subprocess.CalledProcessError):
        return beside
    return common.parent.parent / "shared"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rev_a")
    parser.add_argument("rev_b")
    parser.add_argument("--shared", type=Path, default=None,
                        help="the shared folder with seeds/, devset/ and wild/ (default: ../shared, beside "
                        "this checkout or the main one)")
    parser.add_argument("--keep", type=Path, help="keep the run folders here instead of deleting them")
    args = parser.parse_args(argv)
    args.shared = args.shared or default_shared()
    missing = [str(args.shared / name / "raw") for name in CORPORA if not (args.shared / name / "raw").is_dir()]
    if missing:
        print(f"error: missing corpora: {', '.join(missing)}", file=sys.stderr)
        return 2
    revs = {"A": git("rev-parse", args.rev_a), "B": git("rev-parse", args.rev_b)}
    base = Path(tempfile.mkdtemp(prefix="compare-revisions-")) if args.keep is None else args.keep
    base.mkdir(parents=True, exist_ok=True)
    try:
        samples = base / "samples"
        git("worktree", "add", "--detach", str(base / "samples-src"), revs["A"])
        shutil.copytree(base / "samples-src" / "samples" / "input", samples)
        git("worktree", "remove", "--force", str(base / "samples-src"))
        results = {}
        for side, rev in revs.items():
            cleaner = install(rev, base / side)
            run_dir = base / "run"  # one path for both sides: `learn` names its rules after the folder's whole path
            prepare(run_dir, args.shared, samples)
            results[side] = run_all(cleaner, run_dir)
            run_dir.rename(base / side / "run")
        differences = 0
        for name in RUNS:
            a, b = results["A"][name], results["B"][name]
            problems = [what for what, same in (("exit code", a.code == b.code), ("stdout", a.stdout == b.stdout),
                                                ("stderr", a.stderr == b.stderr)) if not same]
            print(f"{'same' if not problems else 'DIFFERENT'}  {name}  (exit {a.code}"
                  + (f" vs {b.code}" if a.code != b.code else "") + ")"
                  + (f": {', '.join(problems)}" if problems else ""))
            differences += bool(problems)
        for folder in COMPARED:
            differ = tree_differences(base / "A" / "run" / folder, base / "B" / "run" / folder)
            count = sum(1 for p in (base / "A" / "run" / folder).rglob("*") if p.is_file())
            print(f"{'same' if not differ else 'DIFFERENT'}  {folder}/: {count} file(s)"
                  + (f"; differ: {', '.join(differ[:10])}" + (" …" if len(differ) > 10 else "") if differ else ""))
            differences += bool(differ)
        verdict = "identical" if not differences else f"{differences} difference(s)"
        print(f"verdict: {args.rev_a} ({revs['A'][:10]}) vs {args.rev_b} ({revs['B'][:10]}): {verdict}")
        return 0 if not differences else 1
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
