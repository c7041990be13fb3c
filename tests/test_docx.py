"""Word downloads (issue 16): a .docx file's paragraphs become lines and go through the same pipeline.

The text of headers, footers (and the watermark drawn in a header), text boxes
and comments — where document sites put their stamps — is left out of the
speech and logged under DOCX001. The old .doc and PDF are refused with a hint.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from cleaner import clean_file
from cleaner.docx import RULE, read
from support import SAMPLES, run_main

SAMPLE = SAMPLES / "input" / "08_site_stamps_word.docx"
EXPECTED = SAMPLES / "expected" / "08_site_stamps_word.txt"
STAMPS = {"精品文库网 www.wenku.example 海量文档免费下载": "header", "豆丁文库 docin.example": "header",
          "第 1 页 共 2 页 —— 下载后可编辑修改 ——": "footer", "本文档由用户上传，仅供学习交流": "text box",
          "已审核，可以发布": "comment"}
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_bytes(body: str, **parts: str) -> bytes:
    """A minimal Word document (what any writer of .docx produces at the least), with extra parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", f'<w:document xmlns:w="{W}" '
                         'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
                         f"<w:body>{body}</w:body></w:document>")
        for name, xml in parts.items():
            archive.writestr(f"word/{name}.xml", xml)
    return buffer.getvalue()


def test_the_sample_comes_out_as_its_expected_text_and_its_stamps_are_logged(tmp_path: Path) -> None:
    proc = run_main("clean", str(SAMPLE))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode("utf-8") == EXPECTED.read_text(encoding="utf-8")
    proc = run_main("clean", str(SAMPLE), "-o", str(tmp_path / "out"), "--log", str(tmp_path / "log.jsonl"))
    assert proc.returncode == 0, proc.stderr
    assert "DOCX001×5" in proc.stderr.decode() and "read from a Word document" in proc.stderr.decode()
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["08_site_stamps_word.txt"]  # never a .docx
    assert (tmp_path / "out" / "08_site_stamps_word.txt").read_bytes() == EXPECTED.read_bytes()
    log = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text(encoding="utf-8").splitlines()]
    parts = {r["before"]: r["message"] for r in log if r.get("rule") == RULE}
    assert parts == {text: f"Word {where}, not the speech" for text, where in STAMPS.items()}
    out = EXPECTED.read_text(encoding="utf-8")
    assert not any(stamp in out for stamp in STAMPS)
    assert "一要压实责任。\n各乡镇" in out and "二要排查隐患。\n三要强化宣传。\n" in out  # a break, a table
    assert SAMPLE.read_bytes()[:2] == b"PK"  # the input is left as it was


def test_in_place_refuses_a_word_document(tmp_path: Path) -> None:
    target = tmp_path / "a.docx"
    target.write_bytes(SAMPLE.read_bytes())
    proc = run_main("clean", str(target), "--in-place")
    assert proc.returncode == 2
    assert "a Word document is never rewritten in place; clean it with -o DIR" in proc.stderr.decode()
    assert target.read_bytes() == SAMPLE.read_bytes() and list(tmp_path.iterdir()) == [target]


def test_old_word_and_pdf_are_refused_with_a_hint(tmp_path: Path) -> None:
    doc = tmp_path / "speech.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 20)
    pdf = tmp_path / "speech.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 20)
    fake = tmp_path / "fake.docx"
    fake.write_bytes("同志们：今天开会。".encode())
    proc = run_main("clean", str(doc), str(pdf), str(fake), "-o", str(tmp_path / "out"))
    err = proc.stderr.decode()
    assert proc.returncode == 2
    assert f"{doc}: an old binary Word document (.doc), which cannot be read as text; convert it first" in err
    assert f"{pdf}: a PDF, which cannot be read as text; convert it first (`pdftotext -layout FILE`" in err
    assert f"{fake}: named .docx but not a Word document" in err
    assert "binary file" not in err


def test_a_folder_of_downloads_with_include(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.docx").write_bytes(SAMPLE.read_bytes())
    (tmp_path / "in" / "b.txt").write_text("XX同志:大家好!\n", encoding="utf-8")
    proc = run_main("clean", str(tmp_path / "in"), "--include", "*.docx", "--include", "*.txt",
                    "-o", str(tmp_path / "out"), "-q")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.txt", "b.txt"]
    (tmp_path / "in" / "a.txt").write_text("同志们好。\n", encoding="utf-8")
    proc = run_main("clean", str(tmp_path / "in"), "--include", "*.docx", "--include", "*.txt",
                    "-o", str(tmp_path / "out2"))
    assert proc.returncode == 2 and "would both be written to" in proc.stderr.decode()


def test_the_reader_takes_paragraphs_in_order_and_leaves_out_what_is_not_text() -> None:
    body = ("<w:p><w:r><w:t>第一段</w:t><w:tab/><w:t>续</w:t></w:r></w:p>"
            "<w:p><w:del><w:r><w:delText>删掉的</w:delText></w:r></w:del><w:r><w:instrText>PAGE</w:instrText>"
            "<w:t>第二段</w:t></w:r></w:p>"
            "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>表格</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
            "<w:p><w:r><mc:AlternateContent><mc:Choice><w:txbxContent><w:p><w:r><w:t>框</w:t></w:r></w:p>"
            "</w:txbxContent></mc:Choice><mc:Fallback><w:txbxContent><w:p><w:r><w:t>框</w:t></w:r></w:p>"
            "</w:txbxContent></mc:Fallback></mc:AlternateContent><w:t>末段</w:t></w:r></w:p>")
    footer = f'<w:ftr xmlns:w="{W}"><w:p><w:r><w:t>页脚</w:t></w:r></w:p></w:ftr>'
    document = read(docx_bytes(body, footer2=footer))
    assert document.text == "第一段\t续\n第二段\n表格\n末段\n"
    assert [(p.where, p.text) for p in document.parts] == [("text box", "框"), ("footer", "页脚")]


def test_a_damaged_word_document_is_an_error_not_a_crash() -> None:
    cut = SAMPLE.read_bytes()[:2000]
    outcome = clean_file(cut, name="cut.docx")
    assert outcome.error is not None and "not a Word document" in outcome.error
    broken = docx_bytes("<w:p><w:r><w:t>未闭合")
    outcome = clean_file(broken, name="broken.docx")
    assert outcome.error is not None and "a damaged Word document" in outcome.error
