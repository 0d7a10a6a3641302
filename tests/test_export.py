"""Export to HTML, PDF and DOCX, plain and 公文 (GB/T 9704-2012): the files are read back and checked for real."""

from __future__ import annotations

import errno
import os
import re
import zlib
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from PySide6.QtWidgets import QApplication

from ziya_desktop.documents.export import (
    DocxExporter,
    ExportDocument,
    ExportFormat,
    HtmlExporter,
    PdfExporter,
    export_document,
    exporter_for,
    format_for_path,
    gongwen,
)
from ziya_desktop.documents.export.gongwen import Role, heading_end, heading_level, layout_gongwen, text_width_chars
from ziya_desktop.documents.export.html_export import build_html
from ziya_desktop.documents.export.markdown_blocks import (
    BlockKind,
    Span,
    lines_as_paragraphs,
    parse_blocks,
    parse_inline,
)
from ziya_desktop.documents.export.pdf_export import fix_cjk_to_unicode, pick_cjk_family, shared_glyph_replacements
from ziya_desktop.errors import ExportError

SAMPLE = """# 关于召开年度工作会议的通知
各部门：
Hello World, this is an English sentence in a Chinese document.
一、会议时间和地点
（一）参会人员。各部门主要负责人参加，文件行文规范。
1. 第一项安排
- 要点 **加粗 bold**
特此通知。

办公室
2026年11月25日
"""
LINES = [
    "关于召开年度工作会议的通知",
    "各部门：",
    "Hello World, this is an English sentence in a Chinese document.",
    "一、会议时间和地点",
    "（一）参会人员。各部门主要负责人参加，文件行文规范。",
    "特此通知。",
    "办公室",
    "2026年11月25日",
]
VOID_TAGS = {"meta", "br", "hr", "img", "link", "input"}


# -- markdown blocks -------------------------------------------------------------------------------------------------


def test_parse_blocks_reads_every_line_as_a_paragraph() -> None:
    blocks = parse_blocks("# 标题\n第一段\n第二段\n\n- 甲\n  - 乙\n3. 丙 **粗** 体\n")
    assert [(b.kind, b.level, b.text) for b in blocks] == [
        (BlockKind.HEADING, 1, "标题"),
        (BlockKind.PARAGRAPH, 0, "第一段"),
        (BlockKind.PARAGRAPH, 0, "第二段"),
        (BlockKind.BULLET, 0, "甲"),
        (BlockKind.BULLET, 1, "乙"),
        (BlockKind.ORDERED, 0, "丙 粗 体"),
    ]
    assert blocks[-1].number == 3
    assert blocks[-1].spans == (Span("丙 "), Span("粗", bold=True), Span(" 体"))


def test_parse_inline_escapes_and_unmatched_marks() -> None:
    assert parse_inline(r"a \*\*not bold\*\* **bold** c") == (Span("a **not bold** "), Span("bold", True), Span(" c"))
    assert parse_inline("2**3 = 8") == (Span("2**3 = 8"),)


def test_lines_as_paragraphs_keeps_lists_tables_and_code_together() -> None:
    text = "第一段\n第二段\n- a\n- b\n  continued\n| x | y |\n|---|---|\n```\ncode\nmore\n```\n后文"
    assert lines_as_paragraphs(text) == (
        "第一段\n\n第二段\n\n- a\n- b\n  continued\n\n| x | y |\n|---|---|\n\n```\ncode\nmore\n```\n\n后文"
    )


# -- 公文 heading levels and roles -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("一、总体要求", 1),
        ("十二、其他事项", 1),
        ("（一）工作目标", 2),
        ("(二)半角括号", 2),
        ("1.具体任务", 3),
        ("12．全角点", 3),
        ("（1）细则", 4),
        ("(3)半角", 4),
        ("1.5亿元的投入", 0),
        ("一是加强领导", 0),
        ("2026年11月25日", 0),
        ("正文段落。", 0),
        ("", 0),
    ],
)
def test_heading_level(line: str, level: int) -> None:
    assert heading_level(line) == level


def test_heading_end_splits_run_on_text() -> None:
    assert heading_end("（一）总体要求。全面贯彻落实。") == len("（一）总体要求。")
    assert heading_end("一、会议时间") == len("一、会议时间")
    assert heading_end("1.安排到位。") == len("1.安排到位。")


def test_layout_gongwen_roles() -> None:
    paragraphs = layout_gongwen(parse_blocks(SAMPLE))
    roles = [(p.role, p.level) for p in paragraphs]
    assert roles == [
        (Role.TITLE, 0),
        (Role.ADDRESSEE, 0),
        (Role.BODY, 0),
        (Role.HEADING, 1),
        (Role.HEADING, 2),
        (Role.HEADING, 3),
        (Role.BODY, 0),
        (Role.BODY, 0),
        (Role.SIGNATURE, 0),
        (Role.DATE, 0),
    ]
    assert "".join(s.text for s in paragraphs[4].head) == "（一）参会人员。"
    assert paragraphs[5].text == "1.第一项安排"
    assert paragraphs[9].right_indent_chars == 4
    # 办公室 (3 wide) centred over 2026年11月25日 (7 wide): two more characters in.
    assert paragraphs[8].right_indent_chars == pytest.approx(6.0)
    assert text_width_chars("2026年11月25日") == 7


def test_gongwen_page_measures() -> None:
    assert gongwen.BODY_WIDTH_MM == 156 and gongwen.BODY_HEIGHT_MM == 225
    body_height_pt = gongwen.mm_to_pt(gongwen.BODY_HEIGHT_MM)
    assert body_height_pt - 1 < gongwen.LINES_PER_PAGE * gongwen.LINE_PITCH_PT <= body_height_pt
    assert pytest.approx(gongwen.mm_to_pt(156)) == gongwen.CHARS_PER_LINE * gongwen.CHAR_PITCH_PT


# -- format choice and failures --------------------------------------------------------------------------------------


def test_format_by_suffix_and_unknown_formats(tmp_path: Path) -> None:
    assert format_for_path(Path("a.HTM")) is ExportFormat.HTML
    assert format_for_path(Path("a.pdf")) is ExportFormat.PDF
    assert isinstance(exporter_for("docx"), DocxExporter)
    with pytest.raises(ExportError, match=r"\.odt"):
        export_document(ExportDocument(SAMPLE), tmp_path / "a.odt")
    with pytest.raises(ExportError):
        exporter_for("rtf")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError):
        ExportDocument(SAMPLE, layout="fancy")  # type: ignore[arg-type]


@pytest.mark.parametrize("suffix", [".html", ".docx", ".pdf"])
def test_unwritable_path_raises_and_leaves_nothing(tmp_path: Path, suffix: str, qapp: QApplication) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        export_document(ExportDocument(SAMPLE), tmp_path / "missing" / f"out{suffix}")
    in_the_way = tmp_path / f"folder{suffix}"
    in_the_way.mkdir()
    with pytest.raises(ExportError, match="a folder with that name is in the way"):
        export_document(ExportDocument(SAMPLE), in_the_way)
    assert [p.name for p in tmp_path.iterdir()] == [in_the_way.name]
    assert list(in_the_way.iterdir()) == []


def test_failed_write_keeps_the_previous_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "notice.html"
    export_document(ExportDocument("旧版本"), path)
    before = path.read_bytes()

    def failing_fsync(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(ExportError, match="the disk is full"):
        export_document(ExportDocument("新版本"), path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["notice.html"]


# -- HTML ------------------------------------------------------------------------------------------------------------


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.title = ""
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID_TAGS:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"unbalanced </{tag}>")

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "title":
            self.title += data
        elif "style" not in self.stack:
            self.text.append(data)


def _parse_html(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    collector.close()
    assert not collector.errors and not collector.stack
    return collector


@pytest.mark.parametrize("layout", ["plain", "gongwen"])
def test_html_export(tmp_path: Path, layout: str) -> None:
    path = tmp_path / "notice.html"
    export_document(ExportDocument(SAMPLE, title="年度会议通知", layout=layout), path)  # type: ignore[arg-type]
    raw = path.read_bytes()
    assert raw.startswith(b"<!DOCTYPE html>")
    parsed = _parse_html(path)
    text = "".join(parsed.text)
    for line in LINES:
        assert line.lstrip("#").strip() in text
    assert "加粗 bold" in text and "**" not in text
    assert parsed.title == "年度会议通知"
    tags = dict(parsed.tags)
    assert tags["html"]["lang"] == "zh-CN"
    assert {"charset": "utf-8"} in [attrs for tag, attrs in parsed.tags if tag == "meta"]
    assert "strong" in tags
    css = raw.decode("utf-8")
    if layout == "gongwen":
        assert '"仿宋_GB2312"' in css and '"FangSong"' in css and '"Noto Serif CJK SC"' in css
        assert "size: A4; margin: 37mm 26mm 35mm 28mm" in css
    else:
        assert '"Noto Sans CJK SC"' in css and '"Microsoft YaHei"' in css


def test_html_escapes_the_writers_text(tmp_path: Path) -> None:
    path = tmp_path / "escape.htm"
    text = "a < b & c &amp; d\n<script>alert(1)</script>\n**<b>粗</b>**\n# 标题 {重要}"
    export_document(ExportDocument(text, title="<T&C>", language="en"), path)
    parsed = _parse_html(path)
    assert [tag for tag, _ in parsed.tags if tag in ("script", "b")] == []
    body = "".join(parsed.text)
    assert "a < b & c &amp; d" in body
    assert "<script>alert(1)</script>" in body
    assert "<b>粗</b>" in body
    assert "标题 {重要}" in body
    assert parsed.title == "<T&C>"
    assert dict(parsed.tags)["html"]["lang"] == "en"


def test_html_title_defaults_to_first_line(tmp_path: Path) -> None:
    path = tmp_path / "t.html"
    HtmlExporter().export(ExportDocument("# **Annual** report\nbody"), path)
    assert _parse_html(path).title == "Annual report"


# -- DOCX ------------------------------------------------------------------------------------------------------------


def _east_asia(run_or_style_element: object) -> str | None:
    rpr = run_or_style_element.rPr  # type: ignore[attr-defined]
    return None if rpr is None or rpr.rFonts is None else rpr.rFonts.get(qn("w:eastAsia"))


def test_docx_plain(tmp_path: Path) -> None:
    path = tmp_path / "notice.docx"
    export_document(ExportDocument(SAMPLE, title="年度会议通知"), path)
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    for line in LINES:
        assert line in texts
    assert "1.\t第一项安排" in texts and "要点 加粗 bold" in texts
    heading = document.paragraphs[0]
    assert heading.style is not None and heading.style.name == "Heading 1"
    bullet = document.paragraphs[texts.index("要点 加粗 bold")]
    assert bullet.style is not None and bullet.style.name == "List Bullet"
    assert [r.text for r in bullet.runs if r.bold] == ["加粗 bold"]
    runs = [r for p in document.paragraphs for r in p.runs]
    assert runs and all(_east_asia(r._r) == "Microsoft YaHei" for r in runs)
    assert _east_asia(document.styles["Normal"].element) == "Microsoft YaHei"
    lang = document.styles["Normal"].element.rPr.find(qn("w:lang"))
    assert lang is not None and lang.get(qn("w:val")) == "zh-CN"
    assert document.core_properties.title == "年度会议通知"
    assert document.core_properties.author == ""
    section = document.sections[0]
    assert section.page_width is not None and section.page_height is not None
    assert abs(section.page_width - Mm(210)) < Mm(0.1) and abs(section.page_height - Mm(297)) < Mm(0.1)


def test_docx_gongwen(tmp_path: Path) -> None:
    path = tmp_path / "gongwen.docx"
    DocxExporter().export(ExportDocument(SAMPLE, layout="gongwen"), path)
    document = docx.Document(str(path))
    section = document.sections[0]
    for actual, mm in (
        (section.top_margin, 37),
        (section.bottom_margin, 35),
        (section.left_margin, 28),
        (section.right_margin, 26),
    ):
        assert actual is not None and abs(actual - Mm(mm)) < Mm(0.05)
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:linePitch")) == "579"
    # 28 characters in 156 mm: every character 0.25 pt narrower than 三号, in the Normal style.
    spacing = document.styles["Normal"].element.rPr.find(qn("w:spacing"))
    assert spacing is not None and spacing.get(qn("w:val")) == "-5"
    defaults = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:sz')}")
    assert defaults is not None and defaults.get(qn("w:val")) == "32"

    paragraphs = {p.text: p for p in document.paragraphs}
    title = paragraphs["关于召开年度工作会议的通知"]
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert {r.font.size for r in title.runs} == {Pt(22)}
    assert {_east_asia(r._r) for r in title.runs} == {"方正小标宋简体"}
    assert paragraphs["各部门："].paragraph_format.first_line_indent is None
    body = paragraphs["Hello World, this is an English sentence in a Chinese document."]
    indent = body.paragraph_format.first_line_indent
    assert indent is not None and abs(indent.pt - 2 * gongwen.CHAR_PITCH_PT) < 0.1
    assert body._p.pPr.ind.get(qn("w:firstLineChars")) == "200"
    normal = document.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert normal.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert normal.paragraph_format.line_spacing == Pt(28.95)
    assert _east_asia(normal.element) == "仿宋_GB2312"
    heading1 = paragraphs["一、会议时间和地点"]
    assert _east_asia(heading1.runs[0]._r) == "黑体"
    heading2 = paragraphs["（一）参会人员。各部门主要负责人参加，文件行文规范。"]
    assert [(r.text, _east_asia(r._r)) for r in heading2.runs] == [
        ("（一）参会人员。", "楷体_GB2312"),
        ("各部门主要负责人参加，文件行文规范。", "仿宋_GB2312"),
    ]
    third = paragraphs["1.第一项安排"]  # §7.3.3: 仿宋 like the body, not bold
    assert not any(r.bold for r in third.runs) and _east_asia(third.runs[0]._r) == "仿宋_GB2312"
    date = paragraphs["2026年11月25日"]
    # Without a seal: the date two characters in from the right (it is longer than the signature).
    right = date.paragraph_format.right_indent
    assert date.alignment == WD_ALIGN_PARAGRAPH.RIGHT and right is not None
    assert abs(right.pt - 2 * gongwen.CHAR_PITCH_PT) < 0.1
    assert all(_east_asia(r._r) for p in document.paragraphs for r in p.runs)

    assert document.settings.odd_and_even_pages_header_footer
    for footer, alignment in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, None)):
        paragraph = footer.paragraphs[0]
        xml = paragraph._p.xml
        assert "PAGE" in "".join(t.text or "" for t in paragraph._p.iter(qn("w:instrText")))
        assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
        assert paragraph.text == "— 1 —"
        assert {r.font.size for r in paragraph.runs} == {Pt(14)}
        assert {_east_asia(r._r) for r in paragraph.runs} == {"宋体"}
        if alignment is not None:
            assert paragraph.alignment == alignment


def test_docx_drops_characters_xml_cannot_hold(tmp_path: Path) -> None:
    path = tmp_path / "ctrl.docx"
    export_document(ExportDocument("abc\x0bdef\x01\n第二行\x1f"), path)
    assert [p.text for p in docx.Document(str(path)).paragraphs] == ["abcdef", "第二行"]


# -- PDF -------------------------------------------------------------------------------------------------------------


def _stream(body: bytes) -> bytes | None:
    match = re.search(rb"stream\r?\n(.*?)\r?\nendstream", body, re.DOTALL)
    if match is None:
        return None
    raw = match.group(1)
    return zlib.decompress(raw) if b"/FlateDecode" in body[: match.start()] else raw


def _parse_cmap(cmap: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}

    def unhex(h: bytes) -> str:
        return bytes.fromhex(h.decode()).decode("utf-16-be")

    for section in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.DOTALL):
        for low, high, target in re.findall(rb"<(\w+)>\s*<(\w+)>\s*(\[[^\]]*\]|<\w+>)", section):
            start, end = int(low, 16), int(high, 16)
            if target.startswith(b"["):
                for offset, item in enumerate(re.findall(rb"<(\w+)>", target)):
                    mapping[start + offset] = unhex(item)
            else:
                first = unhex(target[1:-1])
                for offset in range(end - start + 1):
                    mapping[start + offset] = first[:-1] + chr(ord(first[-1]) + offset)
    for section in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.DOTALL):
        for code, target in re.findall(rb"<(\w+)>\s*<(\w+)>", section):
            mapping[int(code, 16)] = unhex(target)
    return mapping


def pdf_pages_text(data: bytes) -> list[str]:
    """The text drawn on each page of a PDF (in content-stream order, which is page order in the files Qt writes),
    by inflating the streams and mapping glyph codes through the fonts' ToUnicode CMaps."""
    objects = {int(num): body for num, body in re.findall(rb"(\d+) 0 obj\s*(.*?)endobj", data, re.DOTALL)}
    cmaps: dict[int, dict[int, str]] = {}
    for num, body in objects.items():
        if match := re.search(rb"/ToUnicode\s+(\d+) 0 R", body):
            cmap = _stream(objects[int(match.group(1))])
            assert cmap is not None
            cmaps[num] = _parse_cmap(cmap)
    resources = {name: int(ref) for body in objects.values() for name, ref in re.findall(rb"/(F\d+)\s+(\d+) 0 R", body)}
    pages: list[str] = []
    for body in objects.values():
        content = _stream(body)
        if content is None or b"Tf" not in content or b"/Type /Page" in body:
            continue
        out: list[str] = []
        mapping: dict[int, str] = {}
        for token in re.finditer(rb"/(F\d+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]+)>\s*Tj|\[([^\]]*)\]\s*TJ", content):
            if token.group(1):
                mapping = cmaps.get(resources.get(token.group(1), -1), {})
                continue
            hexes = [token.group(2)] if token.group(2) else re.findall(rb"<([0-9A-Fa-f]+)>", token.group(3))
            for h in hexes:
                out.extend(mapping.get(int(h[i : i + 4], 16), "\ufffd") for i in range(0, len(h), 4))
        pages.append("".join(out))
    return pages


def pdf_text(data: bytes) -> str:
    return "\n".join(pdf_pages_text(data))


def _page_count(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


def _check_pdf(data: bytes) -> None:
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    assert b"/FontFile2" in data or b"/FontFile3" in data
    assert re.search(rb"/BaseFont\s*/[A-Z+]*Noto\w*CJK", data), "no CJK font embedded"


@pytest.mark.parametrize("layout", ["plain", "gongwen"])
def test_pdf_export(tmp_path: Path, qapp: QApplication, layout: str) -> None:
    path = tmp_path / "notice.pdf"
    export_document(ExportDocument(SAMPLE, layout=layout), path)  # type: ignore[arg-type]
    data = path.read_bytes()
    _check_pdf(data)
    assert _page_count(data) == 1
    text = pdf_text(data)
    squeezed = text.replace(" ", "").replace("\n", "")
    for word in ("关于召开年度工作会议的通知", "Hello", "World", "各部门", "加粗", "特此通知", "2026年11月25日"):
        assert word in squeezed, word
    # 文 and 行 share their glyphs with Kangxi radicals; they must copy out as the ideographs.
    assert "文件行文规范" in squeezed
    assert not re.search("[\u2e80-\u2fdf\t]", text)
    assert "Hello World, this is an English sentence" in text
    assert ("—1—" in squeezed) == (layout == "gongwen")
    assert b"/Title" in data


def test_pdf_gongwen_has_22_lines_a_page(tmp_path: Path, qapp: QApplication) -> None:
    def pages(body_lines: int) -> int:
        text = "关于开展专项检查的通知\n" + "\n".join(f"第{i}行正文。" for i in range(body_lines))
        data = PdfExporter().render(ExportDocument(text, layout="gongwen"))
        _check_pdf(data)
        return _page_count(data)

    # The title takes one line and leaves one empty under it: 20 body lines fill the first page exactly.
    assert pages(20) == 1
    assert pages(21) == 2
    assert pages(20 + 22 * 2 + 1) == 4


def test_pdf_long_plain_document_page_numbers(tmp_path: Path, qapp: QApplication) -> None:
    text = "\n".join(f"Paragraph {i}: 这是一段较长的中英文混排正文，用来检验分页是否正确。" * 2 for i in range(120))
    path = tmp_path / "long.pdf"
    PdfExporter().export(ExportDocument(text, language="en"), path)
    data = path.read_bytes()
    _check_pdf(data)
    count = _page_count(data)
    assert count > 3
    pages = pdf_pages_text(data)
    assert len(pages) == count
    for number, page in enumerate(pages, start=1):
        assert page.rstrip().endswith(str(number))
    text = "".join(pages)
    assert "Paragraph 119: 这是一段较长的中英文混排正文" in text


def test_fix_cjk_to_unicode_rewrites_targets_only() -> None:
    cmap = (
        b"2 beginbfrange\n<0001> <0003> [<5173> <2F42> <2F8F>]\n<2F42> <2F42> <2ed4>\n<0010> <0012> <2F00>\n"
        b"endbfrange\n1 beginbfchar\n<2F8F> <0009>\nendbfchar\n"
    )
    replacements = {0x2F42: 0x6587, 0x2F8F: 0x884C, 0x2ED4: 0x95E8, 0x2F00: 0x4E00, 0x09: 0x20}
    fixed = fix_cjk_to_unicode(cmap, replacements)
    assert len(fixed) == len(cmap)
    assert fixed == (
        b"2 beginbfrange\n<0001> <0003> [<5173> <6587> <884C>]\n<2F42> <2F42> <95e8>\n<0010> <0012> <2F00>\n"
        b"endbfrange\n1 beginbfchar\n<2F8F> <0020>\nendbfchar\n"
    )


def test_shared_glyphs_come_from_the_font(qapp: QApplication) -> None:
    family = pick_cjk_family(serif=True)
    assert family is not None, "the tests need a CJK font (fonts-noto-cjk)"
    found = shared_glyph_replacements("门文行 a b", [family])
    assert found[0x2ED4] == ord("门") and found[0x2F42] == ord("文") and found[0x2F8F] == ord("行")
    assert found.get(0x09) == ord(" ")
    assert 0x2F00 not in found  # ⼀ shares its glyph with 一, which is not in the text


def _drafted_notice(doc_number: str) -> str:
    """A 通知 typed by hand the way the 通知 template used to lay it out: the 发文字号 (when there is one) first."""
    head = f"{doc_number}\n" if doc_number else ""
    body = "为做好年度工作，现将有关事项通知如下：\n\n一、会议时间\n\n定于下周一上午召开。"
    return (
        f"{head}某某市教育局关于召开年度工作会议的通知\n\n各部门、各单位：\n\n{body}\n"
        "特此通知。\n\n某某市教育局\n2026年11月25日"
    )


def test_a_typed_notice_keeps_its_title_after_the_document_number(tmp_path: Path) -> None:
    """A 发文字号 typed first is laid out centred above the title, never taken as the title."""
    roles = [(p.role, p.text) for p in layout_gongwen(parse_blocks(_drafted_notice("某教办〔2026〕12号")))]
    assert roles[:3] == [
        (Role.DOC_NUMBER, "某教办〔2026〕12号"),
        (Role.TITLE, "某某市教育局关于召开年度工作会议的通知"),
        (Role.ADDRESSEE, "各部门、各单位："),
    ]
    assert roles[-2:] == [(Role.SIGNATURE, "某某市教育局"), (Role.DATE, roles[-1][1])]
    # Without a number the title comes first.
    assert layout_gongwen(parse_blocks(_drafted_notice("")))[0].role is Role.TITLE

    path = tmp_path / "notice.docx"
    DocxExporter().export(ExportDocument(_drafted_notice("某教办〔2026〕12号"), layout="gongwen"), path)
    paragraphs = docx.Document(str(path)).paragraphs
    number, title = paragraphs[0], paragraphs[1]
    assert number.text == "某教办〔2026〕12号" and number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert {r.font.size for r in number.runs} <= {None, Pt(16)}
    assert title.text == "某某市教育局关于召开年度工作会议的通知" and {r.font.size for r in title.runs} == {Pt(22)}
    html = build_html(ExportDocument(_drafted_notice("某教办〔2026〕12号"), layout="gongwen"))
    assert re.search(r'<p class="doc-number"[^>]*><span[^>]*>某教办〔2026〕12号</span></p>', html)
    assert re.search(r'<p class="title"[^>]*><span[^>]*>某某市教育局关于召开年度工作会议的通知</span></p>', html)


@pytest.mark.parametrize("line", ["关于〔2026〕年度工作的通知", "教办〔2026〕12号文件的落实情况", "12号"])
def test_lines_that_only_mention_a_number_are_not_document_numbers(line: str) -> None:
    assert layout_gongwen(parse_blocks(f"{line}\n\n各部门：\n\n正文。"))[0].role is Role.TITLE
