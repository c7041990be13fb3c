"""The benchmarks build their corpora from ../shared at run time and skip without it."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from cleaner import clean_text
from support import REPO


def load(name: str = "real_downloads") -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def fake_shared(tmp_path: Path) -> Path:
    for name in ("devset", "wild"):
        (tmp_path / name / "raw").mkdir(parents=True)
        for i in range(3):
            (tmp_path / name / "raw" / f"{i}.txt").write_text(f"{name}{i}一\n{name}{i}二\n{name}{i}三\n",
                                                              encoding="utf-8")
    return tmp_path


def test_the_corpus_is_each_page_as_downloaded_shuffled_and_in_pairs(tmp_path: Path) -> None:
    pages, corpus = load().build(fake_shared(tmp_path), 1.0)
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


def test_targets_writes_the_real_downloads_varied_anew_for_each_repeat(tmp_path: Path) -> None:
    targets = load("targets")
    size = targets.write_real(fake_shared(tmp_path / "shared"), tmp_path / "real", 2)
    first, second = (sorted(p.read_text(encoding="utf-8") for p in (tmp_path / "real" / k).glob("*.txt"))
                     for k in ("00", "01"))
    assert len(first) == len(second) == 15 and first != second  # other shuffles, the same pages
    assert size == sum(p.stat().st_size for p in (tmp_path / "real").rglob("*.txt"))


def test_the_naive_peer_cleans_a_folder_into_another(tmp_path: Path) -> None:
    (tmp_path / "in" / "a").mkdir(parents=True)
    (tmp_path / "in" / "a" / "x.txt").write_text("同志们:\r\n更新时间:2021-06\r\nXX同志讲话!\r\n", encoding="utf-8")
    load("targets").peer("naive 12 regex subs", tmp_path / "in", tmp_path / "out")
    assert (tmp_path / "out" / "a" / "x.txt").read_text(encoding="utf-8") == "同志们：\n××同志讲话！\n"


def test_the_copy_floor_writes_every_byte_as_it_came(tmp_path: Path) -> None:
    # The floor beside the peers: their loop (read, decode, encode, write) with no cleaning in it.
    raw = "同志们:\r\nXX同志讲话!".encode("utf-8") + b"\xff\xfe\n"
    (tmp_path / "in" / "a").mkdir(parents=True)
    (tmp_path / "in" / "a" / "x.txt").write_bytes(raw)
    load("targets").peer("copy, no cleaning", tmp_path / "in", tmp_path / "out")
    assert (tmp_path / "out" / "a" / "x.txt").read_bytes() == raw


def test_memory_figures_are_in_the_megabytes_of_the_file_sizes() -> None:
    # ru_maxrss and /proc count kibibytes; the 50 MB file is 50 * 10**6 bytes.
    assert load("targets")._mb(48_828) == pytest.approx(50.0, abs=0.001)


def test_a_revisions_command_is_that_checkouts_cleaner_with_its_own_rules(tmp_path: Path) -> None:
    # targets.py --against runs an earlier checkout this way; here the checkout is this one.
    text = "更新时间:2022-10 来源:网友投稿\nXX同志:大家好!\n"
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    done = subprocess.run([*load("checkout").command(REPO), "clean", str(tmp_path / "a.txt")],
                          capture_output=True, text=True, check=True)
    assert done.stdout == clean_text(text).text


def test_targets_refuses_a_revision_that_is_not_there(capsys: pytest.CaptureFixture[str]) -> None:
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    with pytest.raises(SystemExit) as exit_:
        load("targets").main(["--only", "startup", "--against", "no-such-revision"])
    assert exit_.value.code == 2
    assert "--against no-such-revision: not a commit of this repository" in capsys.readouterr().err
