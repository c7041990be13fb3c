"""The encoding matrix: every seed and sample, re-encoded, cleans to the same text.

Each text is written in UTF-8 (with and without BOM), UTF-16 LE/BE with BOM,
GB18030, GBK, GB2312 and Big5, with LF, CRLF and CR line endings; where the
encoding can represent the text, cleaning the bytes must give exactly what
cleaning the UTF-8 original gives, and the change log must say which encoding
was detected. Big5 keeps traditional characters as they are.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path

import pytest

from cleaner import clean_bytes, clean_text
from support import SAMPLES, SHARED, shared_dir

ENCODINGS: dict[str, tuple[Callable[[str], bytes], str]] = {
    # name: (how to encode, the encoding the log must report)
    "utf-8": (lambda s: s.encode("utf-8"), "utf-8"),
    "utf-8-bom": (lambda s: codecs.BOM_UTF8 + s.encode("utf-8"), "utf-8"),
    "utf-16-le-bom": (lambda s: codecs.BOM_UTF16_LE + s.encode("utf-16-le"), "utf-16"),
    "utf-16-be-bom": (lambda s: codecs.BOM_UTF16_BE + s.encode("utf-16-be"), "utf-16"),
    "gb18030": (lambda s: s.encode("gb18030"), "gb18030"),
    "gbk": (lambda s: s.encode("gbk"), "gb18030"),
    "gb2312": (lambda s: s.encode("gb2312"), "gb18030"),
    "big5": (lambda s: s.encode("big5"), "big5hkscs"),
}
NEWLINES = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}


def texts() -> list[tuple[str, str]]:
    found = []
    seeds = SHARED / "seeds" / "raw"
    if seeds.is_dir():
        found += [(p.name, p.read_text(encoding="utf-8")) for p in sorted(seeds.glob("*.txt"))]
    # The traditional-character sample, so that Big5 is exercised too.
    trad = SAMPLES / "expected" / "06_traditional_big5.txt"
    found.append((trad.name, trad.read_text(encoding="utf-8")))
    return found


CASES = [pytest.param(name, text, enc, nl, id=f"{name}-{enc}-{nl}")
         for name, text in texts() for enc in ENCODINGS for nl in NEWLINES]


@pytest.mark.parametrize(("name", "text", "encoding", "newline"), CASES)
def test_same_clean_output_in_every_encoding(name: str, text: str, encoding: str,
                                             newline: str) -> None:
    encode, reported = ENCODINGS[encoding]
    source = text.replace("\r\n", "\n").replace("\n", NEWLINES[newline])
    try:
        data = encode(source)
    except UnicodeEncodeError:
        pytest.skip(f"{encoding} cannot represent {name}")
    expected = clean_text(text).text
    result = clean_bytes(data)
    assert result.text == expected
    assert result.info.encoding == reported
    assert result.info.newline == NEWLINES[newline] or "\n" not in text.strip()


def test_the_matrix_really_covers_big5_and_gb2312() -> None:
    shared_dir("seeds", "raw")  # the samples alone hold no Big5-encodable text
    ran = {enc for name, text in texts() for enc in ("big5", "gb2312")
           if _encodable(text, enc)}
    assert ran == {"big5", "gb2312"}


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
        return True
    except UnicodeEncodeError:
        return False


def test_valid_utf8_never_reaches_the_detector(monkeypatch: pytest.MonkeyPatch) -> None:
    import chardet

    def refuse(data: bytes) -> dict[str, object]:
        raise AssertionError("the detector ran on valid UTF-8")

    monkeypatch.setattr(chardet, "detect", refuse)
    text = (Path(SAMPLES) / "expected" / "01_county_style_meeting.txt").read_text(encoding="utf-8")
    assert clean_bytes(text.encode("utf-8")).info.encoding == "utf-8"
