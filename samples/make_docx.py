#!/usr/bin/env python3
"""Write the Word samples of samples/input (run it again only to change them; the .docx files are committed).

    pip install python-docx && python3 samples/make_docx.py

A speech as a document site hands it out: the site's name in the header,
a page counter and a download prompt in the footer, a watermark (a WordArt
shape in the header, as Word draws one), a floating text box with the
uploader's stamp in the body, a reviewer's comment, a table and a line break
inside a paragraph; and the usual noise lines inside the body, which the rules
remove as they do in a .txt download.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docx
from docx.oxml import parse_xml

HERE = Path(__file__).resolve().parent
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
WATERMARK = f"""<w:p {W} xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">
<w:r><w:pict><v:shape id="PowerPlusWaterMarkObject" o:spid="_x0000_s2049" type="#_x0000_t136"
 style="position:absolute;width:400pt;height:100pt;rotation:315" fillcolor="silver" stroked="f">
<v:textpath style="font-family:&quot;SimSun&quot;" string="豆丁文库 docin.example"/></v:shape></w:pict></w:r></w:p>"""
TEXT_BOX = f"""<w:r {W} xmlns:v="urn:schemas-microsoft-com:vml"><w:pict>
<v:shape style="position:absolute;width:200pt;height:40pt">
<v:textbox><w:txbxContent><w:p><w:r><w:t>本文档由用户上传，仅供学习交流</w:t></w:r></w:p></w:txbxContent></v:textbox>
</v:shape></w:pict></w:r>"""


def speech(path: Path) -> None:
    document: Any = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "精品文库网 www.wenku.example 海量文档免费下载"
    section.header._element.append(parse_xml(WATERMARK))
    section.footer.paragraphs[0].text = "第 1 页 共 2 页 —— 下载后可编辑修改 ——"
    document.add_paragraph("在全县秋季安全生产工作会议上的讲话")
    first = document.add_paragraph("同志们：")
    first._p.append(parse_xml(TEXT_BOX))
    body = document.add_paragraph("今天召开这次会议，主要任务是总结前一阶段安全生产工作，部署下一步重点任务。")
    document.add_comment(body.runs, text="已审核，可以发布", author="编辑", initials="BJ")
    document.add_paragraph("更新时间:2023-09 来源:网友投稿")
    broken = document.add_paragraph("一要压实责任。")
    broken.add_run().add_break()
    broken.add_run("各乡镇各部门要把安全生产摆在突出位置。")
    document.add_paragraph("XX县长要亲自抓，分管领导具体抓。")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "二要排查隐患。"
    table.cell(0, 1).text = "三要强化宣传。"
    document.add_paragraph("---此处隐藏1200字,下载后查看---")
    document.add_paragraph("同志们，安全生产责任重于泰山，让我们共同努力！")
    document.save(str(path))


if __name__ == "__main__":
    speech(HERE / "input" / "08_site_stamps_word.docx")
