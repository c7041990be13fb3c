"""The engines (issue 16): datatrove and Ray Data clean records exactly as ``cleaner clean`` does.

Each is an optional extra: its tests are skipped, with the reason, where it is
not installed, and fail in CI, which installs it (.ci/run). The core never
imports them.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from support import SAMPLES, extra, run_main

# The tests that start Ray run on one worker (pytest -n), one after the other: never two Ray
# instances at once, each wanting both cores.
ONE_RAY_AT_A_TIME = pytest.mark.xdist_group("ray")

OPTIONAL = ("datatrove", "ray", "pyarrow", "zstandard", "pandas", "numpy", "docx")


def texts() -> list[str]:
    """Speeches long and short, noisy and clean, and one that cleaning leaves empty."""
    found = [p.read_text(encoding="utf-8-sig") for p in sorted((SAMPLES / "input").glob("0[1257]*.txt"))]
    found += [p.read_text(encoding="utf-8") for p in sorted((SAMPLES / "expected").glob("*.txt"))]
    return found + ["更新时间:2022-10 来源:网友投稿\nXX同志:大家好!\n", "墨香文行整理，咨询QQ318842759\n",
                    "同志们：今天我们开会。\n"]


def corpus(count: int) -> list[dict[str, Any]]:
    pool = texts()
    return [{"id": f"doc-{i:05d}", "text": pool[i % len(pool)], "source": "site-" + str(i % 7)}
            for i in range(count)]


def by_command(tmp_path: Path, rows: list[dict[str, Any]]) -> dict[str, tuple[str, dict[str, Any]]]:
    """What ``cleaner clean`` gives for ``rows``: each id's clean text and metadata."""
    source = tmp_path / "all.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    proc = run_main("clean", str(source), "-o", str(tmp_path / "all.clean.jsonl"), "-q")
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in (tmp_path / "all.clean.jsonl").read_text(encoding="utf-8").splitlines()]
    return {r["id"]: (r["text"], r["cleaner"]) for r in out}


def test_importing_cleaner_imports_no_engine() -> None:
    code = ("import sys, cleaner, cleaner.cli, cleaner.records, cleaner.integrations; "
            "cleaner.clean_file('XX同志:大家好!'.encode(), name='a.txt'); "
            f"print([m for m in sys.modules if m.split('.')[0] in {OPTIONAL!r}])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_datatrove_two_tasks_give_what_the_command_gives(tmp_path: Path) -> None:
    extra("datatrove", "datatrove")
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    from cleaner.integrations.datatrove import CleanSpeech

    rows = corpus(300)
    shards = tmp_path / "shards"
    shards.mkdir()
    for shard in range(2):
        part = rows[shard::2]
        (shards / f"part-{shard}.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in part), encoding="utf-8")
    LocalPipelineExecutor(pipeline=[JsonlReader(str(shards)), CleanSpeech(), JsonlWriter(str(tmp_path / "out"))],
                          tasks=2, workers=2, logging_dir=str(tmp_path / "logs")).run()
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    outputs = sorted((tmp_path / "out").glob("*.jsonl.gz"))
    assert len(outputs) == 2  # one per task
    for path in outputs:
        for line in gzip.decompress(path.read_bytes()).decode("utf-8").splitlines():
            doc = json.loads(line)
            assert doc["metadata"]["source"].startswith("site-")  # the other fields kept
            found[doc["id"]] = (doc.get("text", ""), doc["metadata"]["cleaner"])  # its writer leaves out ""
    assert found == by_command(tmp_path, rows)


def test_datatrove_drops_documents_left_empty_if_asked() -> None:
    extra("datatrove", "datatrove")
    from datatrove.data import Document

    from cleaner.integrations.datatrove import CleanSpeech

    docs = [Document(text=t, id=str(i)) for i, t in enumerate(["墨香文行整理，咨询QQ318842759\n", "XX同志好\n"])]
    kept = list(CleanSpeech(drop_empty=True).run(iter(docs)))
    assert [(d.id, d.text) for d in kept] == [("1", "××同志好\n")]
    docs = [Document(text="墨香文行整理，咨询QQ318842759\n", id="0")]
    (left,) = list(CleanSpeech(meta_key="c").run(iter(docs)))
    assert left.text == "" and left.metadata["c"]["empty_reason"] == "every line was removed as noise"


@ONE_RAY_AT_A_TIME
def test_ray_data_gives_what_the_command_gives(tmp_path: Path) -> None:
    ray = extra("ray", "ray")
    from cleaner.integrations.ray import CleanBatch, clean_batch

    rows = corpus(3000)
    expected = by_command(tmp_path, rows)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        dataset = ray.data.from_items(rows, override_num_blocks=6)
        for cleaned in (dataset.map_batches(CleanBatch, batch_format="pyarrow", concurrency=2),
                        dataset.map_batches(clean_batch, batch_format="pyarrow")):
            out = cleaned.take_all()
            assert len(out) == len(rows)
            found = {r["id"]: (r["text"], {**r["cleaner"], "changes": dict(r["cleaner"]["changes"])}) for r in out}
            assert found == expected
            assert all(r["source"].startswith("site-") for r in out)
    finally:
        ray.shutdown()


def test_ray_batch_function_drops_empty_rows_if_asked() -> None:
    pa = extra("pyarrow", "parquet")
    from cleaner.integrations.ray import CleanBatch

    batch = pa.table({"text": ["墨香文行整理，咨询QQ318842759\n", "XX同志好\n", None], "n": [1, 2, 3]})
    out = CleanBatch(drop_empty=True)(batch)
    assert out.column("text").to_pylist() == ["××同志好\n"] and out.column("n").to_pylist() == [2]


@ONE_RAY_AT_A_TIME
def test_readme_engine_examples_run_on_the_samples(tmp_path: Path) -> None:
    """The README's datatrove pipeline and Ray Data job, pasted at the root of a copy of the repository."""
    extra("datatrove", "datatrove")
    extra("ray", "ray")
    import contextlib
    import re
    import shutil

    from support import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "cleaner.integrations" in b]
    assert len(blocks) == 2 and all(len(b.strip().splitlines()) <= 12 for b in blocks)
    shutil.copytree(SAMPLES / "input", tmp_path / "samples" / "input")
    printed = tmp_path / "printed.txt"
    with contextlib.chdir(tmp_path), printed.open("w") as out, contextlib.redirect_stdout(out):
        for block in blocks:
            exec(compile(block, "README.md", "exec"), {})
    written = [json.loads(line) for path in sorted((tmp_path / "clean-datatrove").glob("*.jsonl.gz"))
               for line in gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()]
    samples = sorted(p.name for p in (SAMPLES / "input").glob("*.txt"))
    assert sorted(d["id"] for d in written) == samples
    for doc in written:
        expected = (SAMPLES / "expected" / doc["id"]).read_text(encoding="utf-8")
        assert doc["text"] == expected
    shown = printed.read_text(encoding="utf-8")
    assert all(name in shown for name in samples) and "'FN001'" in shown
