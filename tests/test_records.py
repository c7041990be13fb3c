"""Records (issue 16): the text field of JSON Lines and Parquet records cleaned as a file of it would be.

Every other field is kept as it was, a metadata field says what was done, bad
records are errors with their line and are left out, and the rest go on.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cleaner import Pipeline
from cleaner.records import Keys, Tally, run
from support import SAMPLES, extra, run_main

NOISY = "更新时间:2022-10 来源:网友投稿\nXX同志:大家好!\n---此处隐藏3120字,下载后查看---\n"


def sample_texts() -> list[str]:
    """The texts of the UTF-8 samples, and a few of their own."""
    texts = [p.read_text(encoding="utf-8-sig") for p in sorted((SAMPLES / "input").glob("0[1257]*.txt"))]
    return texts + [NOISY, "同志们：今天我们开会。\n", "", "墨香文行整理，咨询QQ318842759\n"]


def records(texts: list[str]) -> list[dict[str, Any]]:
    return [{"id": f"doc-{i}", "url": f"https://example.org/{i}", "text": t, "score": 0.5 + i, "tags": ["a", i]}
            for i, t in enumerate(texts)]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def read_jsonl(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def file_output(tmp_path: Path, text: str) -> tuple[str, dict[str, int]]:
    """What ``cleaner clean FILE`` gives for a file of ``text``, and its changes per rule from the log."""
    path = tmp_path / "one.txt"
    path.write_text(text, encoding="utf-8")
    proc = run_main("clean", str(path), "--log", str(tmp_path / "one.log"), "-q")
    assert proc.returncode == 0, proc.stderr
    counts: dict[str, int] = {}
    for line in (tmp_path / "one.log").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["type"] == "change":
            counts[record["rule"]] = counts.get(record["rule"], 0) + 1
    return proc.stdout.decode("utf-8"), counts


def test_records_come_out_as_files_of_their_text_with_every_other_field_kept(tmp_path: Path) -> None:
    texts = sample_texts()
    source = write_jsonl(tmp_path / "corpus.jsonl", records(texts))
    proc = run_main("clean", str(source), "-o", str(tmp_path / "clean.jsonl"))
    assert proc.returncode == 0, proc.stderr
    assert f"{len(texts)} record(s)" in proc.stderr.decode()
    out = read_jsonl((tmp_path / "clean.jsonl").read_bytes())
    assert len(out) == len(texts)
    for given, cleaned, text in zip(records(texts), out, texts, strict=True):
        assert list(cleaned) == [*given, "cleaner"]  # the same keys in the same order, the metadata last
        assert {k: v for k, v in cleaned.items() if k not in ("text", "cleaner")} == \
            {k: v for k, v in given.items() if k != "text"}
        expected, counts = file_output(tmp_path, text)
        assert cleaned["text"] == expected
        assert cleaned["cleaner"]["changes"] == counts
        assert set(cleaned["cleaner"]) == {"changes", "truncated", "hidden_chars", "damaged", "empty_reason"}
    noisy = out[texts.index(NOISY)]["cleaner"]
    assert noisy["truncated"] is True and noisy["hidden_chars"] == 3120 and noisy["damaged"] is False
    assert out[-1]["text"] == "" and out[-1]["cleaner"]["empty_reason"] == "every line was removed as noise"


def test_gzip_zstandard_and_standard_streams(tmp_path: Path) -> None:
    zstandard = extra("zstandard", "zstd")
    rows = records(sample_texts())
    plain = write_jsonl(tmp_path / "c.jsonl", rows)
    expected = run_main("clean", str(plain), "-q").stdout
    gz = tmp_path / "c.jsonl.gz"
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    zst = tmp_path / "c.jsonl.zst"
    zst.write_bytes(zstandard.ZstdCompressor().compress(plain.read_bytes()))
    for source in (gz, zst):
        for suffix in (".jsonl.gz", ".jsonl.zst"):
            target = tmp_path / f"out-{source.name}{suffix}"
            assert run_main("clean", str(source), "-o", str(target), "-q").returncode == 0
            data = target.read_bytes()
            raw = gzip.decompress(data) if suffix.endswith("gz") else \
                zstandard.ZstdDecompressor().decompressobj().decompress(data)
            assert raw == expected
    piped = run_main("clean", "-", "-o", "-", "-q", stdin=plain.read_bytes())
    assert piped.returncode == 0 and piped.stdout == expected


def test_the_log_names_each_record_by_its_id(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "c.jsonl", [{"doc": "a7", "text": NOISY}, {"text": "XX同志好\n"}])
    proc = run_main("clean", str(source), "-o", str(tmp_path / "o.jsonl"), "--id-key", "doc",
                    "--log", str(tmp_path / "log.jsonl"), "-q")
    assert proc.returncode == 0
    log = read_jsonl((tmp_path / "log.jsonl").read_bytes())
    assert {r["path"] for r in log} == {"a7", f"{source}:2"}  # without an id: the file and its line
    (tmp_path / "a7").write_text(NOISY, encoding="utf-8")  # the same text as a file named as the id
    run_main("clean", "a7", "--log", "file.jsonl", "-q", cwd=tmp_path)
    as_file = read_jsonl((tmp_path / "file.jsonl").read_bytes())
    assert [r for r in log if r["path"] == "a7"] == as_file


def test_a_bad_record_is_an_error_with_its_line_and_the_rest_go_on(tmp_path: Path) -> None:
    source = tmp_path / "c.jsonl"
    source.write_text("\n".join([
        json.dumps({"id": 1, "text": NOISY}), "{not json", json.dumps({"id": 3, "body": "x"}),
        json.dumps({"id": 4, "text": 5}), json.dumps(["text"]), json.dumps({"id": 6, "text": None}), "",
        json.dumps({"id": 8, "text": "同志们好。\n"})]) + "\n", encoding="utf-8")
    proc = run_main("clean", str(source), "-o", str(tmp_path / "o.jsonl"))
    err = proc.stderr.decode()
    assert proc.returncode == 2
    assert f"error: {source}:2: not a JSON record" in err
    assert f"error: {source}:3: no 'text' field; left out (name the text field with --text-key)" in err
    assert f"error: {source}:4: its 'text' field is a number, not a string; left out" in err
    assert f"error: {source}:5: not a JSON object but an array; left out" in err
    assert f"error: {source}:6: its 'text' field is null, not a string" in err
    assert "7 record(s), 1 changed, 5 error(s) (left out)" in err
    assert [r["id"] for r in read_jsonl((tmp_path / "o.jsonl").read_bytes())] == [1, 8]


def test_a_record_the_guard_refuses_is_left_out_with_its_line(tmp_path: Path) -> None:
    rule = tmp_path / "bad.toml"
    rule.write_text('family = "mine"\n[[rule]]\nid = "MY001"\nsummary = "s"\nrationale = "r"\n'
                    'action = "replace"\npatterns = [\'大家\']\nreplacement = ""\n'
                    'changes = [{ input = "大家好", output = "好" }]\nkeeps = ["好"]\n', encoding="utf-8")
    source = write_jsonl(tmp_path / "c.jsonl", [{"text": "同志们，大家好，今天开会。\n"}, {"text": "好。\n"}])
    proc = run_main("clean", str(source), "-o", str(tmp_path / "o.jsonl"), "--rules", str(rule), "--no-guard")
    assert proc.returncode == 0, proc.stderr
    proc = run_main("clean", str(source), "-o", str(tmp_path / "o.jsonl"), "--rules", str(rule))
    assert proc.returncode == 2 and f"error: {source}:1: " in proc.stderr.decode()
    assert len(read_jsonl((tmp_path / "o.jsonl").read_bytes())) == 1


def test_jobs_give_the_same_records_in_input_order(tmp_path: Path) -> None:
    rows = records(sample_texts() * 40)
    source = write_jsonl(tmp_path / "c.jsonl", rows)
    one = run_main("clean", str(source), "-j", "1", "-q").stdout
    two = run_main("clean", str(source), "-j", "2", "-q").stdout
    assert one == two and [r["id"] for r in read_jsonl(two)] == [r["id"] for r in rows]


def test_the_log_goes_to_standard_output_with_the_records_in_a_file(tmp_path: Path) -> None:
    # --log - wrote a file named "-".
    source = write_jsonl(tmp_path / "c.jsonl", [{"id": "a7", "text": NOISY}])
    proc = run_main("clean", str(source), "-o", "o.jsonl", "--log", "-", "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    run_main("clean", str(source), "-o", "p.jsonl", "--log", "log.jsonl", "-q", cwd=tmp_path)
    assert read_jsonl(proc.stdout) == read_jsonl((tmp_path / "log.jsonl").read_bytes())
    assert not (tmp_path / "-").exists()


def test_a_records_output_gets_the_mode_of_other_outputs(tmp_path: Path) -> None:
    # It was 0600 (mkstemp's), where a text output is 0644; a file replaced keeps its mode.
    source = write_jsonl(tmp_path / "c.jsonl", [{"text": NOISY}])
    assert run_main("clean", str(source), "-o", str(tmp_path / "new.jsonl"), "-q").returncode == 0
    assert (tmp_path / "new.jsonl").stat().st_mode & 0o777 == 0o644
    (tmp_path / "old.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "old.jsonl").chmod(0o640)
    assert run_main("clean", str(source), "-o", str(tmp_path / "old.jsonl"), "-q").returncode == 0
    assert (tmp_path / "old.jsonl").stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("command", [["diff"], ["report", "-o", "r.html"]], ids=["diff", "report"])
def test_diff_and_report_refuse_records_instead_of_editing_their_json(tmp_path: Path, command: list[str]) -> None:
    # Read as text, a rule that drops a source line took the record's closing "} with it.
    text = "同志们,大家好!\n更新时间:2022-10 来源:网友投稿\n"
    source = write_jsonl(tmp_path / "c.jsonl", [{"id": "e", "text": text}])
    proc = run_main(command[0], str(source), *command[1:], cwd=tmp_path)
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2 and f"{source} is a records file, and cleaner {command[0]} reads text files" in err
    assert proc.stdout == b"" and not (tmp_path / "r.html").exists()


def test_modes_that_do_not_apply_to_records_are_refused(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "c.jsonl", [{"text": NOISY}])
    for args, said in ((["--in-place"], "--in-place does not apply to records"),
                       (["--check"], "--check does not apply to records"),
                       (["-o", str(source)], "is an input"),
                       (["-o", str(tmp_path / "x.parquet")], "a Parquet output is written from one Parquet"),
                       (["--encoding", "gbk"], "--encoding does not apply to records"),
                       # the metadata written over the clean text, or over the record's id
                       (["-o", "-", "--meta-key", "text"], "--meta-key text is the field that is cleaned"),
                       (["-o", "-", "--meta-key", "id"], "--meta-key id is the field that names a record"),
                       (["--log", "-"], "--log - and the records would both go to standard output")):
        proc = run_main("clean", str(source), *args)
        assert proc.returncode == 2 and said in proc.stderr.decode(), (args, proc.stderr)
    assert run_main("clean", str(source), "a.txt").returncode == 2


def test_records_stream_in_constant_memory(tmp_path: Path) -> None:
    """The peak of Python's memory for 4× the records (about 0.25 MB → 1 MB) grows by far less than the corpus."""
    line = json.dumps({"id": 0, "text": sample_texts()[0]}, ensure_ascii=False) + "\n"

    def peak(copies: int) -> int:
        source = tmp_path / f"c{copies}.jsonl"
        source.write_text(line * copies, encoding="utf-8")
        code = ("import sys, tracemalloc; from cleaner.cli import main; tracemalloc.start(); "
                f"rc = main(['clean', {str(source)!r}, '-o', {str(tmp_path / 'o.jsonl')!r}, '-q', '-j', '1']); "
                "print(tracemalloc.get_traced_memory()[1]); sys.exit(rc)")
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        return int(proc.stdout.split()[-1])

    size = len(line.encode())
    small, large = peak(250_000 // size), peak(1_000_000 // size)
    assert large - small < 300_000, (small, large)


def test_parquet_row_groups_stream_with_the_schema_kept(tmp_path: Path) -> None:
    pa = extra("pyarrow", "parquet")
    import pyarrow.parquet as pq

    texts = sample_texts()
    table = pa.table({"id": pa.array([f"d{i}" for i in range(len(texts))]), "text": pa.array(texts),
                      "year": pa.array(range(len(texts)), pa.int16()),
                      "text_bytes": pa.array([len(t.encode()) for t in texts], pa.int32())})
    pq.write_table(table, tmp_path / "c.parquet", row_group_size=3)
    for jobs in ("1", "2"):
        proc = run_main("clean", str(tmp_path / "c.parquet"), "-o", str(tmp_path / "o.parquet"), "-j", jobs, "-q")
        assert proc.returncode == 0, proc.stderr
        out = pq.ParquetFile(tmp_path / "o.parquet")
        assert out.num_row_groups == pq.ParquetFile(tmp_path / "c.parquet").num_row_groups
        schema = out.schema_arrow
        assert schema.names == ["id", "text", "year", "text_bytes", "cleaner"]
        assert [schema.field(n).type for n in schema.names[:4]] == [f.type for f in table.schema]
        assert pa.types.is_struct(schema.field("cleaner").type)
        rows = out.read().to_pylist()
        as_jsonl = read_jsonl(run_main("clean", str(write_jsonl(tmp_path / "c.jsonl", table.to_pylist())),
                                       "-q").stdout)
        assert [r["text"] for r in rows] == [r["text"] for r in as_jsonl]
        assert [dict(r["cleaner"]["changes"]) for r in rows] == [r["cleaner"]["changes"] for r in as_jsonl]
        assert [r["year"] for r in rows] == list(range(len(texts)))


def test_a_null_parquet_text_is_an_error_with_its_row(tmp_path: Path) -> None:
    pa = extra("pyarrow", "parquet")
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"text": ["XX同志好\n", None, "好。\n"]}), tmp_path / "c.parquet")
    proc = run_main("clean", str(tmp_path / "c.parquet"), "-o", str(tmp_path / "o.parquet"))
    assert proc.returncode == 2
    assert f"error: {tmp_path / 'c.parquet'}:row 2: its 'text' field is null, not a string" in proc.stderr.decode()
    assert pq.read_table(tmp_path / "o.parquet").column("text").to_pylist() == ["××同志好\n", "好。\n"]


def test_the_library_runs_records_without_the_command(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "c.jsonl", [{"text": NOISY}])
    said: list[str] = []
    tally = run([str(source)], str(tmp_path / "o.jsonl"), Pipeline(), Keys(), 1, None, said.append)
    assert (tally.records, tally.changed, tally.errors, said) == (1, 1, 0, [])
    assert Tally(said.append).records == 0


def test_a_cut_gzip_input_writes_no_output(tmp_path: Path) -> None:
    source = tmp_path / "c.jsonl.gz"
    source.write_bytes(gzip.compress(json.dumps({"text": NOISY * 200}).encode())[:-40])
    proc = run_main("clean", str(source), "-o", str(tmp_path / "o.jsonl"))
    assert proc.returncode == 2 and b"the output was not written" in proc.stderr
    assert not (tmp_path / "o.jsonl").exists() and list(tmp_path.iterdir()) == [source]


@pytest.mark.parametrize("name", ["c.jsonl", "c.jsonl.gz"])
def test_key_options_choose_the_fields(tmp_path: Path, name: str) -> None:
    source = write_jsonl(tmp_path / "c.jsonl", [{"content": NOISY, "meta": 1}])
    if name.endswith(".gz"):
        source = tmp_path / name
        source.write_bytes(gzip.compress((tmp_path / "c.jsonl").read_bytes()))
    proc = run_main("clean", str(source), "--text-key", "content", "--meta-key", "meta", "-q")
    (record,) = read_jsonl(proc.stdout)
    assert list(record) == ["content", "meta"] and record["meta"]["truncated"] is True


def test_a_broken_zstandard_input_writes_no_output(tmp_path: Path) -> None:
    extra("zstandard", "zstd")
    source = tmp_path / "c.jsonl.zst"
    source.write_bytes(b"not zstandard at all")
    proc = run_main("clean", str(source), "-o", str(tmp_path / "o.jsonl"))
    assert proc.returncode == 2 and "is not valid zstandard" in proc.stderr.decode()
    assert list(tmp_path.iterdir()) == [source]
