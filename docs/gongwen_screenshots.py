"""Pictures of the 公文 export for docs/gongwen.md: a 通知 and a 请示, as our PDF and as LibreOffice renders our DOCX.

Run from the repository root (needs LibreOffice's ``soffice``, poppler's ``pdftoppm`` and a CJK font)::

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m docs.gongwen_screenshots

Each document is exported to PDF and to DOCX; the DOCX is turned into a PDF by LibreOffice headless, in a user
profile of its own. The first and the last page of each PDF become ``docs/images/gongwen-<kind>-<renderer>-1.png``
and ``…-last.png`` at 60 dpi. The parts are those of tests/test_gongwen_pages.py; the bodies are shorter, plausible
texts, so that the last page shows the 版记 below the end of the text.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication

from ziya_desktop.documents.export import ExportDocument, export_document
from ziya_desktop.writing.gongwen_parts import GongwenParts

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import office  # noqa: E402  (tests/office.py: the one LibreOffice conversion of the tests and these pictures)

IMAGES = ROOT / "docs" / "images"
DPI = 60
TIMEOUT_S = 180

COMMON: dict[str, object] = {
    "copy_number": "000123",
    "classification": "秘密",
    "secrecy_period": "1年",
    "urgency": "特急",
    "issuers": ["某某市教育局"],
    "addressees": "各区教育局，各直属学校",
    "attachments": ["参会回执", "会议议程"],
    "date": "2026年12月6日",
    "notes": "联系人：王五，电话：010-12345678",
    "copies_to": "市委办公室，市政府办公室",
    "printer": "某某市教育局办公室",
    "print_date": "2026年12月6日",
}

NOTICE_BODY = """\
为全面总结2026年全市教育工作，表彰先进集体和先进个人，研究部署2027年重点任务，经研究，\
决定召开2026年度全市教育系统工作总结表彰会议。现将有关事项通知如下：
一、会议时间和地点
（一）会议时间。2026年12月20日（星期日）上午9时，会期半天。
（二）会议地点。市教育局三楼第一会议室。
二、参会人员
各区教育局局长、分管副局长，各直属学校校长，受表彰的先进集体代表和先进个人。
三、会议议程
（一）通报2026年度全市教育工作情况。
（二）宣读表彰决定，为先进集体和先进个人颁奖。
（三）部署2027年度全市教育重点工作。
四、有关要求
1.高度重视。请各单位按要求安排人员参会，确保参会人员按时到会，不得无故缺席，确需请假的须事先书面报告。
2.报送材料。请各单位于12月15日前将参会回执和年度工作总结书面材料报送局办公室，电子版同时发送至指定邮箱。
3.遵守纪律。参会人员请提前15分钟到场签到，会议期间请将手机调至静音状态，自觉遵守会场纪律。
特此通知。"""

REQUEST_BODY = """\
为进一步改善全市中小学办学条件，满足年度工作总结表彰会议及各类培训活动的场地需求，根据市政府年度工作安排，\
现就使用市会议中心举办有关会议事宜请示如下：
一、基本情况
今年以来，全市教育系统参会、参训人数明显增加，市教育局现有会议室仅能容纳120人，已无法满足全市性会议的需要。\
经初步统计，本次会议参会人员约350人。
二、请示事项
（一）同意市教育局于2026年12月20日使用市会议中心第一报告厅召开2026年度全市教育系统工作总结表彰会议。
（二）同意会议所需经费从市教育局年度会议费预算中列支，不再另行申请追加预算。
三、有关保障措施
市教育局将严格落实中央八项规定及其实施细则精神，精简会议议程，压缩会议时间，确保会议安全、节俭、高效。
妥否，请批示。"""

DOCUMENTS = {
    "notice": (
        NOTICE_BODY,
        GongwenParts.for_kind(
            "通知",
            doc_number="某教发〔2026〕12号",
            title="某某市教育局关于召开2026年度全市教育系统年度工作总结表彰会议的通知",
            **COMMON,
        ),
    ),
    "request": (
        REQUEST_BODY,
        GongwenParts.for_kind(
            "请示",
            doc_number="某教〔2026〕3号",
            signers=["张三", "李四"],
            sealed=True,
            title="某某市教育局关于使用市会议中心召开年度工作总结表彰会议的请示",
            **{**COMMON, "addressees": "某某市人民政府", "copies_to": "市委办公室"},
        ),
    ),
}


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        sys.exit(f"{name} is not installed (LibreOffice's soffice, poppler-utils' pdftoppm)")
    return path


def libreoffice_pdf(docx: Path, out_dir: Path) -> Path:
    """``docx`` rendered by LibreOffice headless, converted the way the tests convert it; the PDF's path."""
    try:
        return office.libreoffice_pdf(_tool("soffice"), docx, out_dir)
    except RuntimeError as err:
        sys.exit(str(err))


def page_count(pdf: Path) -> int:
    info = subprocess.run(
        [_tool("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True, timeout=TIMEOUT_S
    ).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def page_png(pdf: Path, page: int, png: Path) -> None:
    """Page ``page`` (1-based) of ``pdf`` as ``png`` at :data:`DPI`."""
    prefix = png.with_suffix("")
    args = ["-r", str(DPI), "-png", "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(prefix)]
    subprocess.run([_tool("pdftoppm"), *args], check=True, timeout=TIMEOUT_S)


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ziya-gongwen-") as folder:
        work = Path(folder)
        for name, (body, parts) in DOCUMENTS.items():
            document = ExportDocument(body, layout="gongwen", parts=parts)
            pdf, docx = work / f"{name}.pdf", work / f"{name}.docx"
            for note in export_document(document, pdf):
                print(f"{name}: {note}")
            export_document(document, docx)
            (work / "lo").mkdir(exist_ok=True)
            for renderer, rendered in (("pdf", pdf), ("docx-libreoffice", libreoffice_pdf(docx, work / "lo"))):
                pages = page_count(rendered)
                for page, label in ((1, "1"), (pages, "last")):
                    png = IMAGES / f"gongwen-{name}-{renderer}-{label}.png"
                    page_png(rendered, page, png)
                    print(f"{png.relative_to(ROOT)}: page {page} of {pages}, {png.stat().st_size // 1024} KB")
    del app


if __name__ == "__main__":
    main()
