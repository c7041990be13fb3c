"""benchmarks/real_downloads.py builds its corpus from ../shared at run time and skips without it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from support import REPO


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("real_downloads", REPO / "benchmarks" / "real_downloads.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["real_downloads"] = module
    spec.loader.exec_module(module)
    return module


def test_the_corpus_is_each_page_as_downloaded_shuffled_and_in_pairs(tmp_path: Path) -> None:
    for name in ("devset", "wild"):
        (tmp_path / name / "raw").mkdir(parents=True)
        for i in range(3):
            (tmp_path / name / "raw" / f"{i}.txt").write_text(f"{name}{i}一\n{name}{i}二\n{name}{i}三\n",
                                                              encoding="utf-8")
    pages, corpus = load().build(tmp_path, 1.0)
    assert len(pages) == 6 and len(corpus) == 6 + 6 + 3
    assert sorted(set(corpus) & set(pages)) == sorted(pages)
    for page in pages:  # each page's lines in another order (or the same, by chance)
        assert sum(sorted(doc.splitlines()) == sorted(page.splitlines()) for doc in corpus) >= 2
    assert sum(len(doc.splitlines()) == 6 for doc in corpus) == 3
    assert len(load().build(tmp_path, 0.2)[1]) == 3


def test_it_skips_with_a_message_without_the_real_downloads(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert load().main(["--shared", str(tmp_path)]) == 0
    assert capsys.readouterr().out.startswith("skipped: no ")
