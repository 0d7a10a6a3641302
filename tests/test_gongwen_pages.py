"""The 公文 as a clerk with a ruler checks it: our PDF, and our DOCX as LibreOffice renders it, measured alike.

GB/T 9704-2012: A4; the type area 156 × 225 mm at 37 mm from the top and 28 mm from the left; 28 characters on a
full line, 22 lines on a full page; 三号 body, 二号 title; page numbers in 四号 7 mm below the type area, right on
odd pages and left on even ones; the red mark 35 mm below the type area's top; the red separator; the 版记 at the
foot of an even last page; and every line printed once.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from tests.office import docx_to_pdf
from tests.pdf_measure import Page, TextLine, is_red, pdf_pages
from ziya_desktop.documents.export import ExportDocument, export_document
from ziya_desktop.writing.gongwen_parts import GongwenParts

TOP, LEFT, RIGHT, BOTTOM = 37.0, 28.0, 184.0, 262.0
CLOSING = "，。、；：？！）》”’〕"
SENTENCE = "为深入贯彻落实全市教育工作会议精神，进一步总结经验、表彰先进、部署任务，经研究，决定召开年度工作会议"
PARAGRAPHS = [f"第{i}段：{SENTENCE * (1 + i % 3)}。" for i in range(1, 31)]
BODY = "\n".join(
    [
        "一、会议时间。2026年12月20日上午9时，会期半天。",
        "（一）参会人员。各区教育局局长、各直属学校校长。",
        "1. 材料准备。请各单位于12月15日前报送书面材料。",
        "（1）报送方式。电子邮件。",
        *PARAGRAPHS,
        "特此通知。",
    ]
)
COMMON = {
    "copy_number": "000123",
    "classification": "秘密",
    "secrecy_period": "1年",
    "urgency": "特急",
    "issuers": ["某某市教育局"],
    "title": "某某市教育局关于召开2026年度全市教育系统年度工作总结表彰会议的通知",
    "addressees": "各区教育局，各直属学校",
    "attachments": ["参会回执", "会议议程"],
    "date": "2026年12月6日",
    "notes": "联系人：王五，电话：010-12345678",
    "copies_to": "市委办公室，市政府办公室",
    "printer": "某某市教育局办公室",
    "print_date": "2026年12月6日",
}
KINDS = {
    "通知": GongwenParts.for_kind("通知", doc_number="某教发〔2026〕12号", **COMMON),
    "请示": GongwenParts.for_kind(
        "请示", doc_number="某教〔2026〕3号", signers=["张三", "李四"], sealed=True, **COMMON
    ),
}
RENDERERS = ["pdf", "docx-libreoffice"]


def _export(kind: str, renderer: str, folder: Path) -> list[Page]:
    document = ExportDocument(BODY, layout="gongwen", parts=KINDS[kind])
    if renderer == "pdf":
        path = folder / f"{kind}.pdf"
        export_document(document, path)
        return pdf_pages(path)
    docx = folder / f"{kind}.docx"
    export_document(document, docx)
    return pdf_pages(docx_to_pdf(docx, folder))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, qapp: QApplication) -> Callable[[str, str], list[Page]]:
    cache: dict[tuple[str, str], list[Page]] = {}

    def get(kind: str, renderer: str) -> list[Page]:
        if (kind, renderer) not in cache:
            cache[(kind, renderer)] = _export(kind, renderer, tmp_path_factory.mktemp(f"{renderer}-{kind}"))
        return cache[(kind, renderer)]

    return get


def _body_lines(page: Page) -> list[TextLine]:
    return [line for line in page.lines() if TOP - 1 <= line.top_mm < BOTTOM and abs(line.size_pt - 16) < 0.5]


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("kind", list(KINDS))
def test_page_and_type_area(rendered: Callable[[str, str], list[Page]], kind: str, renderer: str) -> None:
    pages = rendered(kind, renderer)
    assert len(pages) >= 3
    for page in pages:
        assert abs(page.width_mm - 210) < 0.5 and abs(page.height_mm - 297) < 0.5
        for line in _body_lines(page):
            # A closing mark may hang past the right edge; nothing else leaves the type area.
            inside = [c for c in line.chars if c.text not in CLOSING]
            assert line.left_mm >= LEFT - 0.3 and max(c.right_mm for c in inside) <= RIGHT + 0.5, line.text


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("kind", list(KINDS))
def test_28_characters_a_full_line_and_22_lines_a_full_page(
    rendered: Callable[[str, str], list[Page]], kind: str, renderer: str
) -> None:
    pages = rendered(kind, renderer)
    # Pages of body text down to the foot of the type area (the first page has the 版头; the last ones end short).
    full_pages = [
        p
        for p in pages[1:]
        if _body_lines(p)
        and _body_lines(p)[-1].top_mm > BOTTOM - 2 * 10.2
        and all(line.left_mm < LEFT + 12 for line in _body_lines(p))  # body text only, no 署名 or blank lines
    ]
    assert len(full_pages) >= 2
    for page in full_pages:
        lines = _body_lines(page)
        assert len(lines) == 22, page.text()
        for line, following in itertools.pairwise(lines):
            continued = abs(following.left_mm - LEFT) < 0.5  # the next line is no new paragraph
            if not continued or not re.fullmatch(r"[\u4e00-\u9fff，。、；：]+", line.text):
                continue
            count = line.count_from(LEFT, RIGHT)
            # LibreOffice moves a character down instead of letting a closing mark hang (see the note in
            # docs/gongwen.md): that line holds 27, and the next one starts with the character and the mark.
            pushed = renderer != "pdf" and count == 27 and following.text[1:2] in CLOSING
            assert count == 28 or pushed, (line.text, following.text)


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("kind", list(KINDS))
def test_sizes_mark_and_rule(rendered: Callable[[str, str], list[Page]], kind: str, renderer: str) -> None:
    first = rendered(kind, renderer)[0]
    lines = first.lines()
    mark = next(line for line in lines if "文件" in line.text)
    assert all(is_red(c.color) for c in mark.chars)
    assert abs(mark.top_mm - (TOP + 35)) < 1.5, mark.top_mm
    assert abs((mark.left_mm + mark.right_mm) / 2 - (LEFT + RIGHT) / 2) < 1.0
    title = [line for line in lines if abs(line.size_pt - 22) < 0.5]
    assert "".join(line.text for line in title) == KINDS[kind].title and len(title) == 2
    red = [rule for rule in first.rules if is_red(rule.color)]
    assert red and abs(red[0].right_mm - red[0].left_mm - 156) < 1.0
    number_line = next(line for line in lines if KINDS[kind].doc_number in line.text.replace(" ", ""))
    assert number_line.top_mm < red[0].y_mm < title[0].top_mm
    if kind == "请示":
        assert abs(number_line.left_mm - (LEFT + 5.6)) < 1.0  # one character in
        assert "签发人" in number_line.text and number_line.right_mm > RIGHT - 8


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("kind", list(KINDS))
def test_page_numbers(rendered: Callable[[str, str], list[Page]], kind: str, renderer: str) -> None:
    pages = rendered(kind, renderer)
    for number, page in enumerate(pages, start=1):
        footer = [line for line in page.lines() if line.top_mm > BOTTOM + 3]
        if not footer:
            continue
        line = footer[0]
        assert line.text.replace(" ", "") == f"—{number}—" and abs(line.size_pt - 14) < 0.5
        assert abs(line.top_mm - (BOTTOM + 7)) < 1.5, line.top_mm
        if number % 2:
            assert abs(line.right_mm - (RIGHT - 4.94)) < 1.0
        else:
            assert abs(line.left_mm - (LEFT + 4.94)) < 1.0


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("kind", list(KINDS))
def test_record_at_the_foot_of_an_even_last_page(
    rendered: Callable[[str, str], list[Page]], kind: str, renderer: str
) -> None:
    pages = rendered(kind, renderer)
    assert len(pages) % 2 == 0
    last = pages[-1]
    copies = next(line for line in last.lines() if line.text.startswith("抄送"))
    printed = next(line for line in last.lines() if "印发" in line.text)
    assert abs(copies.size_pt - 14) < 0.5 and copies.top_mm < printed.top_mm
    black = [rule for rule in last.rules if not is_red(rule.color)]
    assert len(black) >= 3
    assert abs(black[-1].y_mm - BOTTOM) < 1.5 and black[0].y_mm < copies.top_mm


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_paragraph_is_printed_once(rendered: Callable[[str, str], list[Page]], kind: str, renderer: str) -> None:
    pages = rendered(kind, renderer)
    # Everything but the page numbers, in reading order.
    text = "".join(line.text for page in pages for line in page.lines() if line.top_mm < BOTTOM + 3)
    text = text.replace(" ", "")
    for paragraph in PARAGRAPHS:
        assert text.count(paragraph) == 1, paragraph[:6]
    assert text.count(KINDS[kind].title) == 1


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("paragraphs", [5, 15])
def test_a_blank_page_before_the_record_page(
    tmp_path: Path, qapp: QApplication, paragraphs: int, renderer: str
) -> None:
    """Shorter bodies: the text ends on an odd page (the 版记 on the next one), or on an even page too full for the
    版记 (a blank page, then the 版记 page, neither numbered); the 版记 page is always even."""
    body = "\n".join([*PARAGRAPHS[:paragraphs], "特此通知。"])
    document = ExportDocument(body, layout="gongwen", parts=KINDS["通知"])
    path = tmp_path / ("notice.pdf" if renderer == "pdf" else "notice.docx")
    export_document(document, path)
    pages = pdf_pages(path if renderer == "pdf" else docx_to_pdf(path, tmp_path))
    assert len(pages) % 2 == 0
    footers = [[line for line in page.lines() if line.top_mm > BOTTOM + 3] for page in pages]
    texts = [[line for line in page.lines() if line.top_mm <= BOTTOM + 3] for page in pages]
    assert any(line.text.startswith("抄送") for line in texts[-1])
    black = [rule for rule in pages[-1].rules if not is_red(rule.color)]
    assert len(black) >= 3 and abs(black[-1].y_mm - BOTTOM) < 1.5
    for number, footer in enumerate(footers[:-2], start=1):
        assert [line.text.replace(" ", "") for line in footer] == [f"—{number}—"]
    blank = not texts[-2]
    assert bool(footers[-2]) is not blank and bool(footers[-1]) is not blank
    if not blank:
        numbers = [footer[0].text.replace(" ", "") for footer in footers[-2:]]
        assert numbers == [f"—{len(pages) - 1}—", f"—{len(pages)}—"]
