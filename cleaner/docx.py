"""Word downloads: the speech of a ``.docx`` file as lines of text, and what else it holds set apart.

A ``.docx`` file is a zip of XML parts. The speech is the body
(``word/document.xml``): each paragraph becomes one line, in document order,
tables' cells included. What document sites put around it as stamps — the
headers and footers (watermarks are shapes in a header), text boxes, and
comments — is not the speech: it is left out of the text and returned as
:class:`Part` values, which the pipeline logs as removals under rule
:data:`RULE` (line 0: they are on no line of the text).

Read with the standard library (``zipfile`` and ElementTree): no dependency,
and ElementTree fetches no external entity. The old binary ``.doc`` and PDF
are recognised by their first bytes and refused with a hint
(:func:`refusal`), rather than read as a text file of mojibake.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

from .files import OLD_WORD_START, PDF_START, ZIP_START

RULE = "DOCX001"
"""The rule id under which the text outside a Word document's body is logged."""
ACTION = "drop_part"

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_V = "{urn:schemas-microsoft-com:vml}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_MAX_PART = 200_000_000  # bytes of one XML part once unzipped: beyond it, a zip bomb rather than a speech
_HEADER_FOOTER = re.compile(r"word/(header|footer)\d*\.xml")


class DocxError(Exception):
    """A ``.docx`` file that cannot be read as one."""


@dataclass(frozen=True)
class Part:
    """Text of a Word document outside its body: where it was (``header``, ``footer``, ``text box``, ``comment``)."""

    where: str
    text: str


@dataclass(frozen=True)
class Document:
    """A Word document read: its body as text (one line per paragraph), and the parts set apart."""

    text: str
    parts: tuple[Part, ...]


def is_docx(data: bytes) -> bool:
    """Whether ``data`` is a Word (OOXML) document: a zip holding ``word/document.xml``."""
    if not data.startswith(ZIP_START):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def refusal(data: bytes, name: str) -> str | None:
    """Why a file cannot be cleaned as text although it may hold a speech (an old .doc, a PDF), or None."""
    if data.startswith(OLD_WORD_START):
        return ("an old binary Word document (.doc), which cannot be read as text; convert it first "
                "(save it as .docx in Word or LibreOffice, or `soffice --headless --convert-to docx FILE`), "
                "then clean the .docx")
    if data.startswith(PDF_START):
        return ("a PDF, which cannot be read as text; convert it first (`pdftotext -layout FILE`, "
                "or save it as .docx), then clean the result")
    if name.lower().endswith(".docx") and not is_docx(data):
        return "named .docx but not a Word document (no word/document.xml in a zip)"
    return None


def read(data: bytes) -> Document:
    """The body of a ``.docx`` document as lines, and its headers, footers, text boxes and comments apart.

    Raises :class:`DocxError` for a damaged file.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            body = _xml(archive, "word/document.xml")
            lines: list[str] = []
            boxes: list[str] = []
            found = body.find(f"{_W}body")
            for paragraph in _paragraphs(found if found is not None else body):
                lines.append(_paragraph_text(paragraph, boxes))
            parts: list[Part] = [Part("text box", box) for box in boxes if box.strip()]
            for name in sorted(n for n in names if _HEADER_FOOTER.fullmatch(n)):
                kind = _HEADER_FOOTER.fullmatch(name).group(1)  # type: ignore[union-attr]
                parts += [Part(kind, t) for t in _all_text(_xml(archive, name)) if t.strip()]
            if "word/comments.xml" in names:
                comments = _xml(archive, "word/comments.xml")
                for comment in comments.iter(f"{_W}comment"):
                    text = "\n".join(_all_text(comment))
                    if text.strip():
                        parts.append(Part("comment", text))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, EOFError, ValueError) as exc:
        raise DocxError(f"a damaged Word document ({exc}); open and save it again in Word, or convert it") \
            from None
    return Document("".join(line + "\n" for line in lines), tuple(parts))


def _xml(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    if archive.getinfo(name).file_size > _MAX_PART:
        raise ValueError(f"{name} unzips to more than {_MAX_PART:,} bytes")
    return ElementTree.fromstring(archive.read(name))


def _paragraphs(element: ElementTree.Element) -> list[ElementTree.Element]:
    """The paragraphs of the body in document order, tables' included; not those inside text boxes."""
    found: list[ElementTree.Element] = []
    stack = [element]
    while stack:
        node = stack.pop()
        if node.tag == f"{_W}p":
            found.append(node)
            continue
        if node.tag == f"{_W}txbxContent":
            continue
        stack.extend(reversed(list(node)))
    return found


def _paragraph_text(paragraph: ElementTree.Element, boxes: list[str]) -> str:
    """One paragraph's text (line breaks in it kept as line breaks); its text boxes' text goes to ``boxes``."""
    out: list[str] = []
    stack = [paragraph]
    while stack:
        node = stack.pop()
        tag = node.tag
        if tag == f"{_W}txbxContent":
            boxes.append("\n".join(_all_text(node)))
            continue
        if tag == f"{_V}textpath":  # WordArt: how watermarks are drawn
            boxes.append(node.get("string", ""))
            continue
        if tag == f"{_MC}Fallback":  # the same drawing again, for older readers
            continue
        if tag in (f"{_W}del", f"{_W}instrText", f"{_W}delText"):  # deleted text, field codes
            continue
        if tag == f"{_W}t":
            out.append(node.text or "")
        elif tag == f"{_W}tab":
            out.append("\t")
        elif tag in (f"{_W}br", f"{_W}cr"):
            out.append("\n")
        elif tag == f"{_W}noBreakHyphen":
            out.append("-")
        stack.extend(reversed(list(node)))
    return "".join(out)


def _all_text(element: ElementTree.Element) -> list[str]:
    """Every paragraph's text below ``element``, then the text of its text boxes and watermarks."""
    texts: list[str] = []
    inner: list[str] = []
    stack = [element]
    while stack:
        node = stack.pop()
        if node.tag == f"{_W}p":
            texts.append(_paragraph_text(node, inner))
        elif node.tag != f"{_MC}Fallback":
            stack.extend(reversed(list(node)))
    return texts + inner
