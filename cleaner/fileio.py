"""The file layer: decode bytes to text, detect the encoding, write atomically.

Nothing here cleans; :func:`clean_bytes` decodes and hands the text to the
pure core. Decoding is strict: bytes that do not decode in any plausible
encoding raise :class:`DecodeError` with a message the user can act on.
Writing keeps what it can of the file it replaces (mode, owner, extended
attributes); :func:`cannot_replace` says when rewriting a file in place would
lose something, and :func:`remove_stale_temps` clears what killed runs left.
"""

from __future__ import annotations

import codecs
import fcntl
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator
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
# The encodings a Chinese document comes in, by Python's own codec name (what
# codecs.lookup gives for any spelling: chardet says "utf-16-le", "UTF-16LE",
# "Big5", "GB2312"), each mapped to the codec that decodes it and its supersets.
_CODECS = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030",
    "big5": "big5hkscs", "big5hkscs": "big5hkscs", "cp950": "big5hkscs",
    "utf-16": "utf-16", "utf-16-le": "utf-16-le", "utf-16-be": "utf-16-be",
    "utf-32": "utf-32", "utf-32-le": "utf-32-le", "utf-32-be": "utf-32-be",
    "ascii": "utf-8", "utf-8": "utf-8", "utf-8-sig": "utf-8",
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

    @property
    def utf8_exact(self) -> bool:
        """Are the input's bytes this text in UTF-8, byte for byte (no byte-order mark, nothing replaced)?"""
        return self.encoding == "utf-8" and not self.bom and not self.damaged


def decode(data: bytes, encoding: str | None = None, *, trust: bool = False) -> Decoded:
    """Decode a downloaded file: BOM, then strict UTF-8, then detection.

    ``encoding`` forces a codec; a text that does not read as Chinese in it
    (see :func:`implausible`) is refused unless ``trust`` is set. Valid UTF-8
    never reaches the detector, unless it holds NUL bytes (UTF-16 or UTF-32
    without a byte-order mark can be valid UTF-8 too). No decoded text holds
    a NUL: that is a binary file, or the wrong encoding.
    """
    if encoding:
        return _forced(data, encoding, trust)
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _decoded(data.decode(codec).lstrip("\ufeff"), codec.replace("-sig", ""), True)
            except UnicodeDecodeError as exc:
                raise DecodeError(f"starts with a {codec} byte-order mark but is not {codec}: "
                                  f"{exc.reason} at byte {exc.start}") from None
    try:
        text = _utf8(data)
    except UnicodeDecodeError as exc:
        utf8_error = exc
    else:
        return _utf8_or_wide(data, text)
    mostly = _mostly(data, "utf-8")
    if mostly is not None:
        return _decoded(mostly, "utf-8", False, damaged=True)
    name = _detect(data)
    if not name:
        raise DecodeError("looks like a binary file, not text (no text encoding fits); "
                          "if it is text, give its encoding with --encoding")
    # Only encodings a Chinese document comes in; the detector's other guesses
    # (EBCDIC, Greek, Cyrillic…) for these bytes are wrong and would produce
    # mojibake, so they fall back to GB18030 and Big5.
    first = decoder_for(name)
    candidates = ([first] if first else []) + [c for c in _FALLBACKS if c != first]
    for codec in candidates:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:  # a NUL is never text: the wrong codec, or a binary file
            return _decoded(text, codec, False)
    for codec in candidates:  # a download cut in the middle of a character, a stray byte
        mostly = _mostly(data, codec)
        if mostly is not None and "\x00" not in mostly and implausible(mostly) is None:
            return _decoded(mostly, codec, False, damaged=True)
    if b"\x00" in data:
        raise DecodeError("contains NUL bytes: looks like a binary file, not text")
    raise DecodeError(f"not valid UTF-8 ({utf8_error.reason} at byte {utf8_error.start}) and "
                      f"not {', '.join(candidates)} either; give the encoding with --encoding")


_CHUNK = 1 << 20  # bytes decoded, or characters encoded, at once: a long text is never converted whole


def _utf8(data: bytes) -> str:
    """``data.decode("utf-8")``, a megabyte at a time for a long file.

    Decoded in one go, a text that holds one character beyond U+FFFF (an
    emoji, a rare Chinese character) passes through buffers of two and four
    bytes for every input byte: 50 MB of input took 350 MB on the way to a
    text of 75 MB. Piece by piece, only the pieces and the joined text exist.
    An error is raised by decoding the whole, so its position is in the file.
    """
    if len(data) <= _CHUNK:
        return data.decode("utf-8")
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        parts = [decoder.decode(view[i:i + _CHUNK]) for i in range(0, len(data), _CHUNK)]
        parts.append(decoder.decode(b"", final=True))
    except UnicodeDecodeError:
        return data.decode("utf-8")
    return "".join(parts)


def decoder_for(name: str) -> str | None:
    """The codec that decodes an encoding the detector names, in any spelling; None if not a Chinese one.

    >>> decoder_for("utf-16-le"), decoder_for("UTF-16LE"), decoder_for("Big5"), decoder_for("GB2312")
    ('utf-16-le', 'utf-16-le', 'big5hkscs', 'gb18030')
    >>> decoder_for("Windows-1252"), decoder_for("EUC-TW")
    (None, None)
    """
    try:
        return _CODECS.get(codecs.lookup(name).name)
    except LookupError:
        return None


def _detect(data: bytes) -> str:
    """The detector's name for the encoding of ``data`` ('' when it finds none)."""
    import chardet  # only here: valid UTF-8 (the common case) never pays for importing it

    return str(chardet.detect(data).get("encoding") or "")


def _wide(data: bytes) -> Decoded | None:
    """UTF-16 or UTF-32 without a byte-order mark, when the detector says so and it decodes without NUL."""
    codec = decoder_for(_detect(data))
    if codec is None or not codec.startswith(("utf-16", "utf-32")):
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else _decoded(text, codec, False)


def _utf8_or_wide(data: bytes, text: str) -> Decoded:
    """Valid UTF-8; but UTF-16 or UTF-32 when it holds NUL bytes and the detector says so.

    A file of many NUL bytes that is neither is refused: a short UTF-16 text
    the detector cannot name, or a binary file. A few NULs (a stray one, or
    padding at the end of a broken download) stay in the text, which the
    cleaner removes.
    """
    if "\x00" not in text:
        return _decoded(text, "utf-8", False)
    wide = _wide(data)
    if wide is not None:
        return wide
    body = data.rstrip(b"\x00")
    if body.count(0) * 10 >= len(body):
        raise DecodeError(f"{body.count(0)} of its {len(body)} bytes are NUL: a binary file, or UTF-16 or "
                          "UTF-32 without a byte-order mark; if it is text, give its encoding with --encoding")
    return _decoded(text, "utf-8", False)


def unknown_encoding(name: str) -> str | None:
    """Why ``name`` cannot be given as the encoding (None when Python knows it): for the command line and the API.

    >>> unknown_encoding("GBK") is None, unknown_encoding("utf-9").startswith("no such encoding 'utf-9'; give")
    (True, True)
    """
    try:
        codecs.lookup(name)
    except LookupError:
        return (f"no such encoding {name!r}; give one such as utf-8, gb18030, big5 or utf-16, "
                "or leave it out to detect the encoding")
    return None


def _forced(data: bytes, encoding: str, trust: bool) -> Decoded:
    """``data`` decoded with the codec the user gave; refused when it does not read as Chinese, unless trusted."""
    damaged = False
    try:
        text = data.decode(encoding)
    except LookupError:
        raise DecodeError(f"--encoding {encoding}: {unknown_encoding(encoding)}") from None
    except UnicodeDecodeError as exc:
        mostly = _mostly(data, encoding)  # a few bad bytes: damaged, as a detected encoding's would be
        if mostly is None:
            raise DecodeError(f"is not {encoding}: {exc.reason} at byte {exc.start}, and more such bytes "
                              "follow; leave out --encoding to detect its encoding, or give the right one") from None
        text, damaged = mostly, True
    problem = None if trust else implausible(text)
    if problem:
        raise DecodeError(f"decoded as {encoding} it does not read as Chinese ({problem}), so {encoding} is "
                          f"probably not its encoding; leave out --encoding to detect it, or use "
                          f"--force-encoding {encoding} to decode it so all the same")
    return _decoded(text, encoding, False, damaged)


# What a Chinese document's non-ASCII characters are: Chinese characters, CJK
# and full-width punctuation, general punctuation (“”…—), · × and ①②③.
_CHINESE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f\u3000-\u303f\uff00-\uffef"
                      r"\u2000-\u206f\u00b7\u00d7\u2460-\u24ff]")


def implausible(text: str) -> str | None:
    """Why ``text`` does not read as Chinese (a wrong encoding's nonsense), or None when it does.

    Judged only with evidence: at least four non-ASCII characters, and at
    least four Chinese characters for their commonness. Real documents have
    98 % or more common characters; GB18030 read as Big5 has about half.

    >>> implausible("同志们：今天，我们召开会议，部署全年工作。")
    >>> implausible("同志们：今天".encode("gb18030").decode("latin-1"))
    'only 0 of its 12 non-ASCII characters are Chinese'
    >>> implausible("---此处隐藏5379字,下载后查看---".encode("gb18030").decode("big5hkscs"))
    'only 60% of its Chinese characters are common ones'
    """
    foreign = [c for c in text if c > "\x7f" and not c.isspace()]
    if len(foreign) < 4:
        return None
    chinese = [c for c in foreign if _CHINESE.match(c)]
    if len(chinese) * 2 < len(foreign):
        return f"only {len(chinese)} of its {len(foreign)} non-ASCII characters are Chinese"
    from .mojibake import common_share  # the Chinese frequency tables load only when asked for

    han = [c for c in chinese if c >= "\u3400" and not "\uff00" <= c <= "\uffef"]
    share = common_share("".join(han))
    if len(han) >= 4 and share < 0.8:
        return f"only {share:.0%} of its Chinese characters are common ones"
    return None


def _mostly(data: bytes, codec: str) -> str | None:
    """``data`` in ``codec`` with a few broken bytes (a bad copy, a cut in the middle of a character).

    When nearly every multi-byte sequence is valid in the codec, the file is
    in it and the few bad bytes become U+FFFD (and the document is flagged
    damaged); for UTF-8, any other encoding would turn the whole file into
    mojibake instead. None when the bad bytes are more than a few.

    >>> _mostly("同志们：今天开会。".encode("gb18030")[:-1], "gb18030")
    '同志们：今天开会\ufffd'
    >>> _mostly("同志们".encode("gb18030"), "utf-8") is None
    True
    """
    text = data.decode(codec, errors="replace")
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


def utf8_pieces(content: bytes | str) -> Iterator[bytes]:
    """``content`` as bytes: a text in UTF-8 a piece at a time, so that a long one is never encoded whole.

    >>> b"".join(utf8_pieces("同志们")) == "同志们".encode("utf-8"), list(utf8_pieces(b"ok"))
    (True, [b'ok'])
    """
    if isinstance(content, bytes):
        yield content
        return
    for i in range(0, len(content), _CHUNK):
        yield content[i:i + _CHUNK].encode("utf-8")


def holds(path: Path, content: bytes | str) -> bool:
    """Does the file at ``path`` hold ``content`` (a text: in UTF-8) already? Read a piece at a time.

    Only a regular file is read: a pipe or a device (``/dev/null``, a FIFO a
    reader waits on) is always written to.
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with path.open("rb") as fh:
            for piece in utf8_pieces(content):
                if fh.read(len(piece)) != piece:
                    return False
            return not fh.read(1)
    except OSError:
        return False


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write ``data`` (a text: in UTF-8, encoded a piece at a time) to ``path`` via a temporary file and a rename.

    A reader (or an interrupted run) sees either the old file or the new one,
    never half of it. What can be kept of an existing file is kept, as
    ``sed -i`` does: its mode, its owner and group (where this user may set
    them; root always may) and its extended attributes (ACLs among them,
    where the file system has them). A new file gets mode 0644.

    When the file exists (``--in-place``, or a rerun into the same output),
    the new content is flushed to disk (fsync) before the rename, so that even
    a power cut cannot leave an empty file where the old content was. A new
    file replaces nothing, so it is not flushed (nor does ``cp`` flush): a
    flush costs about 0.6 ms a file, 7 % of a batch of new 10 kB files.

    A device or a pipe that ``path`` names (``-o /dev/null``) is written
    into instead: there is no file to keep whole, and a rename would replace
    the device itself.

    The temporary file, ``.NAME.XXXXXXXX.tmp`` beside ``path``, is locked
    (``flock``) while it exists, so :func:`remove_stale_temps` can tell the
    one a killed run left from one a live run is writing.
    """
    make_folders(path.parent)
    try:
        old: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        old = None
    if old is not None and not stat.S_ISREG(old.st_mode) and not stat.S_ISDIR(old.st_mode):
        # A device or a pipe (/dev/null, a FIFO): written into, as a shell's ">" does. A rename
        # would put a regular file in its place (root may replace /dev/null itself).
        with path.open("wb") as fh:
            for piece in utf8_pieces(data):
                fh.write(piece)
        return
    fd, tmp = temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            for piece in utf8_pieces(data):
                fh.write(piece)
            fh.flush()
            give_metadata(fh.fileno(), path, old)
            if old is not None:
                os.fsync(fh.fileno())
            os.replace(tmp, path)  # still locked: the lock goes with the file descriptor
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def temp_beside(path: Path) -> tuple[int, Path]:
    """A new temporary file to be renamed onto ``path``: ``.NAME.XXXXXXXX.tmp`` beside it (see
    :func:`remove_stale_temps`), its descriptor and path; mkstemp makes it mode 0600 (see :func:`give_metadata`)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{_temp_stem(path.name)}.", suffix=".tmp", dir=path.parent)
    return fd, Path(tmp)


def give_metadata(fd: int, path: Path, old: os.stat_result | None) -> None:
    """What the file ``fd``, about to be renamed onto ``path``, keeps of the one there (``old``): its owner,
    mode and extended attributes; a new file gets mode 0644."""
    if old is None:
        os.fchmod(fd, 0o644)
    else:
        _keep_metadata(path, fd, old)


def _keep_metadata(path: Path, fd: int, old: os.stat_result) -> None:
    """Give the new file (``fd``) the owner, mode and extended attributes of the one it replaces."""
    try:
        os.fchown(fd, old.st_uid, old.st_gid)
    except PermissionError:  # another owner: only root may give it away; keep the group if we can
        try:
            os.fchown(fd, -1, old.st_gid)
        except PermissionError:
            pass
    os.fchmod(fd, old.st_mode & 0o7777)  # after chown, which clears the set-id bits
    for name in _xattrs(path):
        try:
            os.setxattr(fd, name, os.getxattr(path, name, follow_symlinks=False))
        except OSError:  # trusted.* and security.* need privileges this user may not have
            pass


def _xattrs(path: Path) -> list[str]:
    try:
        return os.listxattr(path, follow_symlinks=False)
    except OSError:  # no extended attributes on this file system
        return []


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


def cannot_replace(path: Path) -> str | None:
    """Why rewriting ``path`` in place would lose something (None when it would not).

    A read-only file (no write permission for this user, or no write bit at
    all, which root would ignore) is not rewritten; neither is a file with
    other hard links, which a rename would split: the other names would
    keep the old text.
    """
    st = os.stat(path)
    if not os.access(path, os.W_OK) or not st.st_mode & 0o222:
        return ("is read-only, so it was not rewritten; make it writable (chmod u+w) to clean it in place, "
                "or clean it with -o DIR")
    if st.st_nlink > 1:
        return (f"has {st.st_nlink} hard links, and rewriting it would leave the other names with the old "
                "text, so it was not rewritten; clean it with -o DIR, or copy it to a name of its own first")
    return None


# mkstemp's names: the prefix, 8 characters of its alphabet, the suffix.
_TEMP_NAME = re.compile(r"\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp")
# A name is at most 255 bytes on the usual file systems; the temporary name adds 14 (".", ".XXXXXXXX.tmp").
_TEMP_STEM_BYTES = 255 - 14


def _temp_stem(name: str) -> str:
    """The NAME of ``.NAME.XXXXXXXX.tmp`` for a file ``name``: the name, cut to fit 255 bytes.

    >>> _temp_stem("讲话.txt"), len(os.fsencode(_temp_stem("讲" * 84 + ".txt")))
    ('讲话.txt', 241)
    """
    raw = os.fsencode(name)
    return name if len(raw) <= _TEMP_STEM_BYTES else os.fsdecode(raw[:_TEMP_STEM_BYTES])


def remove_stale_temps(targets: Iterable[Path]) -> list[Path]:
    """Remove the temporary files that killed runs left beside ``targets``; the paths removed.

    Only ours: ``.NAME.XXXXXXXX.tmp`` where NAME is one of the targets in
    the same folder (its first 241 bytes, for a name too long to take 14
    more). Only stale ones: a run that is still writing holds a lock on its
    temporary file (see :func:`write_atomic`); a killed run's lock died
    with it.
    """
    names: dict[Path, set[str]] = {}
    for target in targets:
        names.setdefault(target.parent, set()).add(_temp_stem(target.name))
    removed = []
    for folder, wanted in names.items():
        try:
            with os.scandir(folder) as entries:
                candidates = [e for e in entries if e.name.startswith(".") and e.name.endswith(".tmp")]
        except OSError:
            continue
        for entry in candidates:
            found = _TEMP_NAME.fullmatch(entry.name)
            if found and found["name"] in wanted and entry.is_file(follow_symlinks=False) \
                    and _remove_if_unlocked(Path(entry.path)):
                removed.append(Path(entry.path))
    return removed


def _remove_if_unlocked(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.unlink(path)
        return True
    except OSError:  # locked: a live run is writing it (or it is gone, or not ours to remove)
        return False
    finally:
        os.close(fd)
