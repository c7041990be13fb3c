"""End to end on real downloads and on the samples, with the installed command.

The seeds must come out byte for byte as their gold files; the devset and the
wild pages with gold must lose no body character and close the distance to
their gold by at least the floors below;
every sample must come out as its expected file; and cleaning any of these
outputs again must change nothing.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from cleaner import clean_text
from support import SAMPLES, SHARED, run_main, shared_dir


def score(raw: Path, gold: Path, out: Path) -> dict[str, float]:
    proc = subprocess.run([sys.executable, str(SHARED / "score.py"), "--raw", str(raw),
                           "--gold", str(gold), "--out", str(out)],
                          capture_output=True, text=True, check=True, timeout=300)
    last = proc.stdout.strip().splitlines()[-1]
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", last)}


def clean_folder(src: Path, out: Path) -> None:
    proc = run_main("clean", str(src), "-o", str(out), "-q")
    assert proc.returncode == 0, proc.stderr.decode("utf-8")


def test_seeds_are_exact(tmp_path: Path) -> None:
    raw, gold = shared_dir("seeds", "raw"), shared_dir("seeds", "gold")
    clean_folder(raw, tmp_path)
    result = score(raw, gold, tmp_path)
    assert result["exact"] == 5 and result["lost"] == 0, result


# What the default rules must reach on real downloads they were not all written
# from (issue 11 asks for 0.97 and 0.95; these are the floors the rules hold
# today, raised as they improve, never lowered).
DEVSET_CLOSURE = 0.985  # the issue asks 0.97; 0.9907 now
WILD_CLOSURE = 0.98  # the issue asks 0.95; 0.9816 now


def test_devset_loses_nothing_and_closes_the_distance(tmp_path: Path) -> None:
    raw, gold = shared_dir("devset", "raw"), shared_dir("devset", "gold")
    clean_folder(raw, tmp_path)
    result = score(raw, gold, tmp_path)
    assert result["lost"] == 0 and result["closure"] >= DEVSET_CLOSURE, result


def test_wild_pages_with_gold_lose_nothing_and_close_the_distance(tmp_path: Path) -> None:
    """The wild pages that have a gold file: what a user downloads, from 59 sites."""
    wild, gold = shared_dir("wild", "raw"), shared_dir("wild", "gold")
    raw = tmp_path / "raw"
    raw.mkdir()
    for g in gold.glob("*.txt"):
        (raw / g.name).write_bytes((wild / g.name).read_bytes())
    out = tmp_path / "out"
    clean_folder(raw, out)
    result = score(raw, gold, out)
    assert result["lost"] == 0 and result["closure"] >= WILD_CLOSURE, result


def sample_pairs() -> list[tuple[Path, Path]]:
    return [(p, SAMPLES / "expected" / p.name) for p in sorted((SAMPLES / "input").glob("*.txt"))]


def test_there_are_samples() -> None:
    assert len(sample_pairs()) >= 4


@pytest.mark.parametrize(("source", "expected"), sample_pairs(), ids=lambda p: p.name)
def test_sample_matches_its_expected_output(source: Path, expected: Path) -> None:
    proc = run_main("clean", str(source))
    assert proc.returncode == 0, proc.stderr.decode("utf-8")
    assert proc.stdout.decode("utf-8") == expected.read_text(encoding="utf-8")


def outputs() -> list[Path]:
    found = sorted((SAMPLES / "expected").glob("*.txt"))
    for part in ("seeds", "devset", "wild"):
        gold = SHARED / part / "gold"
        if gold.is_dir():
            found += sorted(gold.glob("*.txt"))
    return found


@pytest.mark.parametrize("path", outputs(), ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_cleaning_clean_output_changes_nothing(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    result = clean_text(text)
    assert result.text == text
    assert [c for c in result.changes if c.kind == "change"] == []
