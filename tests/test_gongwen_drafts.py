"""A 公文 the way a writer makes one: pick the template, fill it, let the model write, save, reopen, export.

Every built-in 公文 template is drafted with the tiny model in the real window. The template's parts (发文机关,
发文字号, 签发人, 标题, 主送, 附件, 抄送, 印发机关, 成文日期) become the document's data, shown in the form beside the
editor and not as lines of its text; they survive save and reopen; and the exported PDF, and the DOCX as LibreOffice
renders it, are measured by glyph positions: A4, the type area, 16 pt body and 22 pt title, the red mark, and
every line once. The page after reopening is the page before saving, glyph for glyph.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.office import docx_to_pdf
from tests.pdf_measure import Page, is_red, pdf_pages
from ziya_desktop import paths
from ziya_desktop.documents.export import ExportDocument, export_document
from ziya_desktop.documents.front_matter import DocumentHead, split_front_matter
from ziya_desktop.documents.journal import new_document_id, read_journal, write_journal
from ziya_desktop.engine.sampling import MODEL_CARD
from ziya_desktop.translatable import Translatable
from ziya_desktop.ui.common.i18n import install_translations
from ziya_desktop.ui.common.settings import settings
from ziya_desktop.ui.editor.document_tab import DocumentTab
from ziya_desktop.ui.files.recovery_dialog import offer_recovery
from ziya_desktop.ui.generation.writing_commands import SAMPLING_KEY
from ziya_desktop.ui.shell.main_window import MainWindow
from ziya_desktop.writing.gongwen_parts import GongwenFormat, GongwenParts

WAIT_MS = 120_000
TOP, LEFT, RIGHT, BOTTOM = 37.0, 28.0, 184.0, 262.0
CLOSING = "，。、；：？！）》”’〕"
COMMON = {
    "issuer": "某某市教育局",
    "subject": "召开2026年度全市教育系统工作会议",
    "recipients": "各区教育局，各直属学校",
    "recipient": "某某市人民政府",
    "points": "总结全年工作\n部署明年任务",
    "reasons": "会议场地不足\n参会人数增加",
    "requests": "同意使用市会议中心",
    "decisions": "同意年度工作计划\n明确责任单位",
    "time_place": "2026年12月20日上午9时，市教育局三楼会议室",
    "contact": "王五，010-12345678",
    "attachments": "参会回执\n会议议程",
    "copies_to": "市委办公室，市政府办公室",
    "printer": "某某市教育局办公室",
    "meeting": "2026年第3次局务会议",
    "meeting_time": "2026年12月6日上午",
    "place": "市教育局三楼会议室",
    "chair": "张三",
    "attendees": "张三、李四、王五",
    "date": "2026-12-06",
    "length": 300,
}
# 签发人 left empty for the 通知 (it has none) and the 请示; filled for the 报告.
TEMPLATES = {
    "gongwen.notice": {"doc_number": "某教发〔2026〕12号"},
    "gongwen.request": {"doc_number": "某教〔2026〕3号"},
    "gongwen.report": {"doc_number": "某教〔2026〕4号", "signers": "张三"},
    "gongwen.letter": {"doc_number": "某教函〔2026〕8号"},
    "gongwen.minutes": {},
}


@pytest.fixture()
def window(main_window: Callable[..., MainWindow]) -> MainWindow:
    return main_window(lang="zh")


def _draft(qtbot: QtBot, window: MainWindow, model: Path, template_id: str) -> DocumentTab:
    # The tiny model's weights are random: ignore_eos keeps it writing to max_tokens.
    sampling = replace(MODEL_CARD, max_tokens=160, seed=11, ignore_eos=True)
    settings().setValue(SAMPLING_KEY, json.dumps(asdict(sampling)))
    window.writing.load_options = replace(window.writing.load_options, threads=1)
    with qtbot.waitSignal(window.engine.loaded, timeout=WAIT_MS):
        window.writing.load_model(model)
    panel = window.templates
    assert panel.select_template(template_id)
    template = panel.current_template()
    assert template is not None
    names = {f.name for f in template.fields}
    values = {k: v for k, v in {**COMMON, **TEMPLATES[template_id]}.items() if k in names}
    panel.form.set_values(values)
    with qtbot.waitSignal(window.generation.ended, timeout=WAIT_MS) as ended:
        panel.draft_button.click()
    assert ended.args is not None and ended.args[0].stats.stop_reason in ("max_tokens", "eos", "stop"), (
        window.notice.text()
    )
    tab = window.current_tab()
    assert tab is not None
    return tab


def _export(window: MainWindow, tab: DocumentTab, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    pdf, docx = folder / "draft.pdf", folder / "draft.docx"
    assert window.files.export_to(tab, pdf), window.notice.text()
    assert window.files.export_to(tab, docx), window.notice.text()
    return pdf, docx


def _glyphs(pages: list[Page]) -> list[tuple[int, str, float, float, float]]:
    return [
        (n, c.text, round(c.left_mm, 2), round(c.baseline_mm, 2), c.size_pt)
        for n, p in enumerate(pages)
        for c in p.chars
    ]


def _measure(pages: list[Page], parts: GongwenParts, body: str, *, office: bool) -> None:
    """The page rules every 公文 export meets, whatever the model wrote."""
    assert pages
    for page in pages:
        assert abs(page.width_mm - 210) < 0.5 and abs(page.height_mm - 297) < 0.5
        for line in page.lines():
            if TOP - 1 <= line.top_mm < BOTTOM and abs(line.size_pt - 16) < 0.5:
                inside = [c for c in line.chars if c.text not in CLOSING and c.text.strip()]
                if inside:  # Latin text from the random model may run a little wide in an office suite
                    assert line.left_mm >= LEFT - 0.3, line.text
                    assert max(c.right_mm for c in inside) <= RIGHT + (3.0 if office else 0.5), line.text
    first = pages[0].lines()
    # The red 发文机关标志 (the 纪要标志 for minutes, the authority's name for a 函), centred.
    mark = next(line for line in first if line.chars and all(is_red(c.color) for c in line.chars if c.text.strip()))
    assert abs((mark.left_mm + mark.right_mm) / 2 - (LEFT + RIGHT) / 2) < 1.5
    expected_mark = parts.shown_mark().replace(" ", "")
    assert mark.text.replace(" ", "") in expected_mark or expected_mark in mark.text.replace(" ", "")
    text = "".join(line.text for page in pages for line in page.lines() if line.top_mm < BOTTOM + 3).replace(" ", "")
    if parts.format is not GongwenFormat.MINUTES:
        title = "".join(line.text for line in first if abs(line.size_pt - 22) < 0.5).replace(" ", "")
        assert title == parts.title
        assert text.count(parts.title) == 1
        assert text.count(f"{parts.addressees}：") == 1
    if parts.doc_number:
        assert text.count(parts.doc_number) == 1
        number = next(line for line in first if parts.doc_number in line.text.replace(" ", ""))
        red_rules = [r for r in pages[0].rules if is_red(r.color)]
        # Above the red line of the 版头; under the double line, flush right, in the 信函格式.
        if parts.format is GongwenFormat.LETTER:
            assert red_rules and number.top_mm > red_rules[0].y_mm and number.right_mm > RIGHT - 8
        else:
            assert red_rules and number.top_mm < red_rules[0].y_mm
    for name in parts.attachments:
        assert name in text
    if parts.copies_to:
        last = pages[-1].lines()
        assert any(line.text.replace(" ", "").startswith("抄送") for line in last)
        if not office:
            assert len(pages) % 2 == 0, "the 版记 is on an even page"
    # The body's own lines (the closing formula, the model's paragraphs) are each printed once.
    for paragraph in (p.strip().replace(" ", "") for p in body.splitlines()):
        if len(paragraph) >= 8 and paragraph.isprintable():
            assert text.count(paragraph[:8]) >= 1, paragraph[:8]


@pytest.mark.parametrize("template_id", list(TEMPLATES))
def test_draft_save_reopen_and_export(
    qtbot: QtBot, main_window: Callable[..., MainWindow], q4: Path, tmp_path: Path, template_id: str
) -> None:
    window = main_window(lang="zh")
    tab = _draft(qtbot, window, q4, template_id)

    # The parts are the document's data, shown in the form beside the editor, not lines of the text.
    parts = tab.parts
    assert parts is not None and tab.layout_kind == "gongwen" and tab.template_id == template_id
    assert parts.issuers == ("某某市教育局",) and parts.date == "2026年12月6日"
    assert tab.parts_form.isVisible() and tab.parts_form.date.text() == "2026年12月6日"
    body = tab.text()
    assert body.strip() and "某某市教育局关于" not in body and "2026年12月6日" not in body.splitlines()
    if template_id != "gongwen.minutes":
        assert parts.title == f"某某市教育局关于{COMMON['subject']}的{parts.kind}"
        assert parts.doc_number == TEMPLATES[template_id]["doc_number"]
        assert tab.parts_form.title.text() == parts.title
    if template_id == "gongwen.notice":
        assert parts.attachments == ("参会回执", "会议议程") and parts.copies_to == "市委办公室，市政府办公室"
        assert parts.notes == "联系人：王五，010-12345678" and parts.signers == ()
        assert body.rstrip().endswith("特此通知。")
    if template_id == "gongwen.report":
        assert parts.upward and parts.signers == ("张三",)
    if template_id == "gongwen.minutes":
        assert parts.format is GongwenFormat.MINUTES and parts.attendees == "张三、李四、王五"

    before_pdf, before_docx = _export(window, tab, tmp_path / "before")

    # Save, then open the file in a fresh window: the same body, the same parts, the same page.
    saved = tmp_path / "draft.md"
    assert window.files.save_to(tab, saved), window.notice.text()
    head, saved_body = split_front_matter(saved.read_text(encoding="utf-8"))
    assert head is not None and head.parts == parts and saved_body == body
    other = main_window(lang="zh")
    reopened = other.files.open_path(saved)
    assert reopened is not None and not reopened.modified
    assert reopened.parts == parts and reopened.text() == body and reopened.layout_kind == "gongwen"
    assert reopened.parts_form.isVisible() and reopened.parts_form.date.text() == parts.date
    after_pdf, after_docx = _export(other, reopened, tmp_path / "after")

    pages = pdf_pages(after_pdf)
    assert _glyphs(pages) == _glyphs(pdf_pages(before_pdf))
    with zipfile.ZipFile(before_docx) as a, zipfile.ZipFile(after_docx) as b:
        assert a.read("word/document.xml") == b.read("word/document.xml")
    _measure(pages, parts, body, office=False)
    _measure(pdf_pages(docx_to_pdf(after_docx, tmp_path)), parts, body, office=True)


def test_editing_a_part_in_the_form_changes_the_export_and_is_saved(
    qtbot: QtBot, window: MainWindow, q4: Path, tmp_path: Path
) -> None:
    tab = _draft(qtbot, window, q4, "gongwen.notice")
    saved = tmp_path / "notice.md"
    assert window.files.save_to(tab, saved)
    form = tab.parts_form
    qtbot.keyClicks(form.urgency, "特急") if form.urgency.isEditable() else form.urgency.setCurrentText("特急")
    form.copy_number.setFocus()
    qtbot.keyClicks(form.copy_number, "000123")
    form.sealed.click()
    assert tab.modified and tab.parts is not None
    assert tab.parts.urgency == "特急" and tab.parts.copy_number == "000123" and tab.parts.sealed
    assert window.files.save_to(tab, saved)
    head, _ = split_front_matter(saved.read_text(encoding="utf-8"))
    assert head is not None and head.parts == tab.parts

    pdf = tmp_path / "notice.pdf"
    assert window.files.export_to(tab, pdf)
    first = pdf_pages(pdf)[0].lines()
    texts = [line.text.replace(" ", "") for line in first]
    # 份号 and 紧急程度 at the top left of the 版头, above the red mark.
    mark_at = next(i for i, line in enumerate(first) if all(is_red(c.color) for c in line.chars if c.text.strip()))
    assert "000123" in texts[:mark_at] and "特急" in "".join(texts[:mark_at])


def test_a_crash_keeps_the_parts(
    qtbot: QtBot, main_window: Callable[..., MainWindow], q4: Path, tmp_path: Path
) -> None:
    """The journal holds the 公文's parts with its text: after a crash, Restore brings both back, cursor in place."""
    window = main_window(lang="zh")
    tab = _draft(qtbot, window, q4, "gongwen.request")
    cursor = tab.editor.textCursor()
    cursor.setPosition(5)
    tab.editor.setTextCursor(cursor)
    assert window.journal.flush(tab)
    journal = window.journal.journal_of(tab)
    assert journal is not None
    entry = read_journal(journal)
    assert entry.text == tab.file_text() and entry.text.startswith("---\nlayout: gongwen\n")
    # As a killed process leaves it: another document id, a dead process.
    write_journal(paths.journal_dir(), replace(entry, document_id=new_document_id(), pid=999_999_999))
    journal.unlink()

    other = main_window(lang="zh")
    dialog = offer_recovery(other)
    assert dialog is not None
    dialog.restore_button.click()
    restored = other.current_tab()
    assert restored is not None and restored.modified
    assert restored.text() == tab.text() and restored.parts == tab.parts and restored.layout_kind == "gongwen"
    assert restored.parts_form.isVisible() and restored.editor.textCursor().position() == 5


def test_the_window_says_which_font_stood_in(
    qtbot: QtBot, qapp: QApplication, window: MainWindow, q4: Path, tmp_path: Path
) -> None:
    tab = _draft(qtbot, window, q4, "gongwen.notice")
    assert tab.parts is not None
    # What the PDF export itself reports on this machine (no 仿宋_GB2312 on a stock Linux desk).
    notes = export_document(ExportDocument(tab.text(), layout="gongwen", parts=tab.parts), tmp_path / "direct.pdf")
    assert install_translations(qapp, "zh")
    try:
        assert window.files.export_to(tab, tmp_path / "notice.pdf")
        shown = window.notice.text()
    finally:
        install_translations(qapp, "en")  # the other tests expect the English source strings
    if not notes:
        assert not shown
        return
    # In the UI's language: 未安装“仿宋_GB2312”，PDF 中以“…”代替。
    assert "notice.pdf" in shown
    for note in notes:
        assert isinstance(note, Translatable) and f"未安装“{note.args['wanted']}”" in shown


def test_the_form_gives_way_to_the_text_in_a_narrow_window(qtbot: QtBot, window: MainWindow) -> None:
    tab = window.current_tab()
    assert tab is not None
    tab.set_head(
        DocumentHead(layout="gongwen", parts=GongwenParts.for_kind("通知", title="关于召开年度工作会议的通知"))
    )
    assert tab.parts_form.isVisible() and tab.modified
    seen = set()
    for width in (1600, 1200, 1000, 800, 640):
        window.resize(width, 800)
        qtbot.wait(50)
        text_width, form_width = tab.splitter.sizes()
        assert form_width == 0 or form_width >= 200
        assert text_width >= min(420, tab.splitter.width() - tab.splitter.handleWidth()), (width, text_width)
        seen.add(form_width > 0)
    assert seen == {True, False}, "wide: the form beside the text; narrow: folded away"
    window.resize(1600, 800)
    qtbot.wait(50)
    assert tab.splitter.sizes()[1] >= 200, "it comes back when there is room again"
    # The 公文 layout switched off: the form goes; the parts stay with the document.
    tab.set_layout("plain")
    assert tab.parts_form.isHidden() and tab.parts is not None
