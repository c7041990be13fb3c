"""The file layer: decoding every encoding a download arrives in, atomic writes."""

from __future__ import annotations

import codecs
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from cleaner import DecodeError, clean_bytes, decode
from cleaner.fileio import _utf8, decoder_for, holds, write_atomic

TEXT = "在全县大会上的讲话\n同志们：\n今天，我们召开会议，部署全年工作。谢谢大家！\n"


@pytest.mark.parametrize(("data", "encoding", "bom"), [
    (TEXT.encode("utf-8"), "utf-8", False),
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8", True),
    (TEXT.encode("utf-16"), "utf-16", True),
    (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16", True),
    (TEXT.encode("gb18030"), "gb18030", False),
    (TEXT.encode("gbk"), "gb18030", False),
])
def test_decodes_each_encoding(data: bytes, encoding: str, bom: bool) -> None:
    decoded = decode(data)
    assert decoded.text == TEXT
    assert (decoded.encoding, decoded.bom) == (encoding, bom)


def test_big5_stays_traditional() -> None:
    text = "在全縣大會上的講話\n同志們：今天，我們召開會議，部署全年工作。謝謝大家！\n"
    result = clean_bytes(text.encode("big5"))
    assert result.text == text
    assert result.info.encoding.startswith("big5")


def test_crlf_is_recorded_and_normalised() -> None:
    result = clean_bytes(TEXT.replace("\n", "\r\n").encode("utf-8"))
    assert result.text == TEXT
    assert result.info.newline == "\r\n"


def test_binary_is_refused_with_a_reason() -> None:
    with pytest.raises(DecodeError, match="binary"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))


def test_forced_encoding_that_does_not_fit_is_an_error() -> None:
    with pytest.raises(DecodeError, match="is not ascii: .* leave out --encoding"):
        decode(TEXT.encode("utf-8"), encoding="ascii")


def test_write_atomic_replaces_and_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o600)
    write_atomic(target, "新".encode("utf-8"))
    assert target.read_text(encoding="utf-8") == "新"
    assert target.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def in_thread(fn: Callable[[], object], timeout: float = 10) -> list[object]:
    """``[fn()]``, or ``[]`` if it is still waiting after ``timeout`` (on a FIFO: a test fails, not hangs)."""
    got: list[object] = []
    worker = threading.Thread(target=lambda: got.append(fn()), daemon=True)
    worker.start()
    worker.join(timeout)
    return got


def test_a_pipe_or_device_is_written_into_not_replaced(tmp_path: Path) -> None:
    # -o /dev/null as root replaced the device with a regular file (a rename over it).
    fifo = tmp_path / "out.txt"
    os.mkfifo(fifo)
    assert in_thread(lambda: holds(fifo, "新"), 5) == [False]  # not read: a FIFO's reader waits for a writer
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert in_thread(lambda: write_atomic(fifo, "同志们：新")) == [None]
    reader.join(timeout=10)
    assert got == ["同志们：新".encode("utf-8")]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]  # no temporary file beside it


@pytest.mark.parametrize("codec", ["gb18030", "big5"])
def test_a_legacy_encoding_cut_inside_a_character_is_decoded_damaged(codec: str) -> None:
    text = TEXT if codec == "gb18030" else "在全縣大會上的講話\n同志們：\n今天，我們召開會議，部署全年工作。\n"
    data = text.encode(codec)[:-2]  # the last character's first byte is left
    decoded = decode(data)
    assert decoded.encoding == decoder_for(codec) and decoded.damaged
    assert decoded.text == text[:-2] + "\ufffd"
    assert decode(data, encoding=codec).text == decoded.text  # the same with the encoding given


def test_nonsense_in_a_legacy_encoding_is_still_refused() -> None:
    # Many bad bytes, or a text that does not read as Chinese, is not "a few broken bytes".
    with pytest.raises(DecodeError):
        decode(bytes(range(0x80, 0x100)) * 8)


def test_a_long_utf8_file_decodes_piecewise_to_the_same_text() -> None:
    # Over a megabyte, with characters of one to four bytes falling across the
    # boundaries of the pieces the decoder reads.
    text = ("同志们：a𠀋今天，我们召开会议。\n" * 60_000)
    data = text.encode("utf-8")
    assert len(data) > 2 * 1024 * 1024
    decoded = decode(data)
    assert decoded.text == text
    assert (decoded.encoding, decoded.bom, decoded.damaged, decoded.utf8_exact) == ("utf-8", False, False, True)


def test_a_long_file_with_a_bad_byte_names_its_place_in_the_whole_file() -> None:
    data = ("同志们好。\n" * 200_000).encode("utf-8")  # 16 bytes a line
    bad = data[:1_500_000] + b"\xff" + data[1_500_000:]
    with pytest.raises(UnicodeDecodeError) as raised:
        _utf8(bad)  # read piecewise, the error is still placed in the whole file
    assert raised.value.start == 1_500_000
    decoded = decode(bad)  # mostly UTF-8: read as such, the bad byte replaced
    assert decoded.damaged and not decoded.utf8_exact
    assert decoded.text.count("\ufffd") == 1


def test_a_long_text_is_written_and_compared_a_piece_at_a_time(tmp_path: Path) -> None:
    text = "同志们：a𠀋今天，我们召开会议。\n" * 60_000  # over a megabyte: several pieces
    path = tmp_path / "out" / "speech.txt"
    write_atomic(path, text)
    assert path.read_bytes() == text.encode("utf-8")
    assert holds(path, text) and holds(path, text.encode("utf-8"))
    assert not holds(path, text + "。") and not holds(path, text[:-1]) and not holds(path, text.replace("𠀋", "x"))
    assert not holds(tmp_path / "missing.txt", text) and not holds(tmp_path, text)  # a folder holds no text
