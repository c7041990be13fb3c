"""The file layer: decode bytes to text, detect the encoding, write atomically.

Nothing here cleans; :func:`clean_bytes` decodes and hands the text to the
pure core. Decoding is strict: bytes that do not decode in any plausible
encoding raise :class:`DecodeError` with a message the user can act on.
"""

from __future__ import annotations

import codecs
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .changes import CleanResult
from .core import Options, clean_text
from .rules import Rule

_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# What chardet reports, mapped to the codec that decodes it and its supersets.
_CODECS = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030",
    "big5": "big5hkscs", "big5hkscs": "big5hkscs", "cp950": "big5hkscs",
    "utf-16": "utf-16", "utf-16le": "utf-16-le", "utf-16be": "utf-16-be",
    "utf-32": "utf-32", "ascii": "utf-8", "utf-8": "utf-8",
}
_FALLBACKS = ("gb18030", "big5hkscs")


class DecodeError(Exception):
    """Bytes that are not text in any encoding we accept."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    bom: bool
    newline: str
    damaged: bool = False  # some bytes were not decodable and became U+FFFD


def decode(data: bytes, encoding: str | None = None) -> Decoded:
    """Decode a downloaded file: BOM, then strict UTF-8, then detection.

    ``encoding`` forces a codec. Valid UTF-8 never reaches the detector.
    """
    if encoding:
        try:
            text = data.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise DecodeError(f"cannot decode as {encoding}: {exc}") from None
        return _decoded(text, encoding, False)
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _decoded(data.decode(codec).lstrip("\ufeff"), codec.replace("-sig", ""), True)
            except UnicodeDecodeError as exc:
                raise DecodeError(f"starts with a {codec} byte-order mark but is not {codec}: "
                                  f"{exc.reason} at byte {exc.start}") from None
    try:
        return _decoded(data.decode("utf-8"), "utf-8", False)
    except UnicodeDecodeError as exc:
        utf8_error = exc
    mostly = _mostly_utf8(data)
    if mostly is not None:
        return _decoded(mostly, "utf-8", False, damaged=True)
    import chardet  # only here: valid UTF-8 (the common case) never pays for importing it

    guess = chardet.detect(data)
    name = (guess.get("encoding") or "").lower()
    if not name:
        raise DecodeError("looks like a binary file, not text (no text encoding fits); "
                          "if it is text, give its encoding with --encoding")
    # Only encodings a Chinese document comes in; chardet's other guesses
    # (EBCDIC, Greek, Cyrillic…) for these bytes are wrong and would produce
    # mojibake, so they fall back to GB18030 and Big5.
    first = [_CODECS[name]] if name in _CODECS else []
    candidates = first + [c for c in _FALLBACKS if c not in first]
    if b"\x00" in data and not name.startswith("utf-16") and not name.startswith("utf-32"):
        raise DecodeError("contains NUL bytes: looks like a binary file, not text")
    for codec in candidates:
        try:
            return _decoded(data.decode(codec), codec, False)
        except (LookupError, UnicodeDecodeError):
            continue
    raise DecodeError(f"not valid UTF-8 ({utf8_error.reason} at byte {utf8_error.start}) and "
                      f"not {', '.join(candidates)} either; give the encoding with --encoding")


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few broken bytes (a bad copy, a cut in the middle of a character).

    When nearly every multi-byte sequence is valid UTF-8, the file is UTF-8 and
    the few bad bytes become U+FFFD (and the document is flagged damaged);
    any other encoding would turn the whole file into mojibake instead.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for c in text if c > "\x7f") - bad
    if bad and good >= 4 * bad:
        return text
    return None


def _decoded(text: str, encoding: str, bom: bool, damaged: bool = False) -> Decoded:
    crlf, lf, cr = text.count("\r\n"), text.count("\n"), text.count("\r")
    lf, cr = lf - crlf, cr - crlf
    kinds = [nl for nl, n in (("\r\n", crlf), ("\n", lf), ("\r", cr)) if n]
    newline = kinds[0] if len(kinds) == 1 else ("mixed" if kinds else "\n")
    return Decoded(text, encoding, bom, newline, damaged)


def clean_bytes(data: bytes, rules: list[Rule] | tuple[Rule, ...] | None = None, *,
                encoding: str | None = None, options: Options | None = None,
                **settings: object) -> CleanResult:
    """Decode ``data`` and clean it; the result's info records how it was read."""
    return clean_decoded(decode(data, encoding), rules, options=options, **settings)


def clean_decoded(decoded: Decoded, rules: list[Rule] | tuple[Rule, ...] | None = None, *,
                  options: Options | None = None, **settings: object) -> CleanResult:
    """Clean text already decoded (for callers that need the text too, such as the diff)."""
    result = clean_text(decoded.text, rules, options=options, **settings)
    result.info.encoding = decoded.encoding
    result.info.bom = decoded.bom
    result.info.newline = decoded.newline
    result.info.damaged = result.info.damaged or decoded.damaged
    return result


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and a rename.

    A reader (or an interrupted run) sees either the old file or the new one,
    never half of it. The permissions of an existing file are kept.

    When the file exists (``--in-place``, or a rerun into the same output),
    the new content is flushed to disk (fsync) before the rename, so that even
    a power cut cannot leave an empty file where the old content was. A new
    file replaces nothing, so it is not flushed (nor does ``cp`` flush): a
    flush costs about 0.6 ms a file, 7 % of a batch of new 10 kB files.
    """
    make_folders(path.parent)
    try:
        mode: int | None = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if mode is not None:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o644 if mode is None else mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def make_folders(folder: Path) -> None:
    """``mkdir -p``, without recursion (a tree a thousand folders deep is fine)."""
    missing = []
    while not folder.is_dir():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for each in reversed(missing):
        try:
            each.mkdir()
        except FileExistsError:
            if not each.is_dir():
                raise
