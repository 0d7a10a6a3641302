"""TemplatePanel for real on Qt's offscreen platform: tree and search, form and live prompt preview, drafting,
the writer's own templates (duplicate, delete, new) and broken template files."""

from __future__ import annotations

import os

# Before Qt is imported and before pytest-qt creates the QApplication: no display needed, no window on screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QMessageBox, QPlainTextEdit
from pytestqt.qtbot import QtBot

from ziya_desktop.ui.templates.template_panel import DraftRequest, TemplatePanel
from ziya_desktop.writing.template_files import load_templates

BUILTIN = Path(__file__).resolve().parent.parent / "resources" / "templates"
CATEGORY_NAMES = ["公文", "讲稿", "书信", "创意文案"]


@pytest.fixture
def user_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    return folder


def _make_panel(qtbot: QtBot, user_dir: Path, lang: str = "zh") -> TemplatePanel:
    panel = TemplatePanel(load_templates(BUILTIN, user_dir), builtin_dir=BUILTIN, user_dir=user_dir, lang=lang)
    qtbot.addWidget(panel)
    panel.resize(360, 900)
    panel.show()
    return panel


@pytest.fixture
def panel(qtbot: QtBot, user_dir: Path) -> TemplatePanel:
    return _make_panel(qtbot, user_dir)


def _tree(panel: TemplatePanel, *, visible_only: bool = False) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for i in range(panel.tree.topLevelItemCount()):
        cat = panel.tree.topLevelItem(i)
        assert cat is not None
        if visible_only and cat.isHidden():
            continue
        children = [cat.child(j) for j in range(cat.childCount())]
        out[cat.text(0)] = [
            c.data(0, Qt.ItemDataRole.UserRole)
            for c in children
            if c is not None and not (visible_only and c.isHidden())
        ]
    return out


def _line(panel: TemplatePanel, name: str) -> QLineEdit:
    editor = panel.form.field_editor(name)
    assert isinstance(editor, QLineEdit)
    return editor


def _type(line: QLineEdit, text: str) -> None:
    # QTest can only type ASCII (it maps characters to keys); insert() is what an input method commits.
    line.setFocus()
    line.insert(text)


def _fill_notice(qtbot: QtBot, panel: TemplatePanel) -> None:
    _type(_line(panel, "issuer"), "某某市教育局")
    _type(_line(panel, "subject"), "召开年度工作会议")
    points = panel.form.field_editor("points")
    assert isinstance(points, QPlainTextEdit)
    points.setPlainText("总结全年工作\n部署明年任务")


def test_tree_lists_the_four_categories_and_every_builtin(panel: TemplatePanel) -> None:
    tree = _tree(panel)
    assert list(tree) == CATEGORY_NAMES
    listed = [tid for ids in tree.values() for tid in ids]
    assert sorted(listed) == sorted(load_templates(BUILTIN, None).templates)
    assert len(listed) == 19
    assert panel.warning_label.isHidden()
    assert panel.current_template() is None and not panel.draft_button.isEnabled()


def test_search_filters_in_both_languages(qtbot: QtBot, panel: TemplatePanel) -> None:
    _type(panel.search_edit, "邀请")
    assert _tree(panel, visible_only=True) == {"书信": ["letter.invitation"]}
    panel.search_edit.clear()
    QTest.keyClicks(panel.search_edit, "invitation")
    assert _tree(panel, visible_only=True) == {"书信": ["letter.invitation"]}
    panel.search_edit.setText("公文")  # a category name shows its whole category
    assert list(_tree(panel, visible_only=True)) == ["公文"]
    assert len(_tree(panel, visible_only=True)["公文"]) == 5
    panel.search_edit.setText("no such thing")
    assert _tree(panel, visible_only=True) == {}
    assert not panel.no_match_label.isHidden()
    panel.search_edit.clear()
    assert sum(len(v) for v in _tree(panel, visible_only=True).values()) == 19


def test_selecting_notice_builds_its_fields_and_preview(qtbot: QtBot, panel: TemplatePanel) -> None:
    cat = panel.tree.topLevelItem(0)
    assert cat is not None and cat.text(0) == "公文"
    notice_item = cat.child(0)
    assert notice_item is not None and notice_item.text(0) == "通知"
    panel.tree.setCurrentItem(notice_item)  # as a click does
    template = panel.current_template()
    assert template is not None and template.id == "gongwen.notice"
    names = [f.name for f in template.fields]
    assert all(panel.form.field_editor(n) is not None for n in names)
    assert panel.draft_button.isEnabled() and panel.duplicate_button.isEnabled()
    assert not panel.edit_button.isEnabled() and not panel.delete_button.isEnabled()
    assert panel.preview.toPlainText().startswith("<human>:")
    assert "Fill in before drafting" in panel.prompt_note_label.text()
    assert "发文机关" in panel.prompt_note_label.text()


def test_filling_fields_updates_the_preview(qtbot: QtBot, panel: TemplatePanel) -> None:
    assert panel.select_template("gongwen.notice")
    template = panel.current_template()
    assert template is not None
    _fill_notice(qtbot, panel)
    qtbot.waitUntil(lambda: "召开年度工作会议" in panel.preview.toPlainText(), timeout=3000)
    qtbot.waitUntil(lambda: panel.preview.toPlainText() == template.prompt(panel.form.values(), "zh"), timeout=3000)
    assert panel.prompt_note_label.isHidden()
    assert not panel.prompt_edited
    with qtbot.waitSignal(panel.draftRequested) as blocker:
        QTest.mouseClick(panel.draft_button, Qt.MouseButton.LeftButton)
    request = blocker.args[0]
    assert isinstance(request, DraftRequest)
    assert request.prompt == template.prompt(panel.form.values(), "zh") == panel.preview.toPlainText()
    assert request.prompt_edited is False
    assert request.template is template
    assert request.values["issuer"] == "某某市教育局"
    parts = request.rendered.gongwen_parts()
    assert parts is not None and parts.addressees == "各部门、各单位" and parts.issuers == ("某某市教育局",)
    assert request.rendered.footer == "特此通知。"


def test_draft_right_after_typing_sends_what_is_shown(qtbot: QtBot, panel: TemplatePanel) -> None:
    panel.select_template("gongwen.notice")
    _fill_notice(qtbot, panel)
    _type(_line(panel, "contact"), "张三")  # within the debounce delay
    with qtbot.waitSignal(panel.draftRequested) as blocker:
        panel.draft_button.click()
    assert "张三" in blocker.args[0].prompt
    assert blocker.args[0].prompt == panel.preview.toPlainText()


def test_edited_preview_is_sent_and_reset_restores_it(qtbot: QtBot, panel: TemplatePanel) -> None:
    panel.select_template("gongwen.notice")
    template = panel.current_template()
    assert template is not None
    _fill_notice(qtbot, panel)
    qtbot.waitUntil(lambda: "召开年度工作会议" in panel.preview.toPlainText(), timeout=3000)
    assert panel.reset_prompt_button.isHidden()
    edited = "<human>:请写一份简短的会议通知。\n<bot>:"
    panel.preview.setPlainText(edited)  # the writer's edit
    assert panel.prompt_edited and not panel.reset_prompt_button.isHidden()
    assert "no longer follows the form" in panel.prompt_note_label.text()
    _type(_line(panel, "contact"), "李四")  # no longer followed
    qtbot.wait(400)
    assert panel.preview.toPlainText() == edited
    with qtbot.waitSignal(panel.draftRequested) as blocker:
        panel.draft_button.click()
    request = blocker.args[0]
    assert request.prompt == edited and request.prompt_edited is True
    assert dict(request.rendered.parts)["notes"] == "联系人：李四"  # the fixed parts still come from the form
    QTest.mouseClick(panel.reset_prompt_button, Qt.MouseButton.LeftButton)
    assert not panel.prompt_edited
    assert panel.preview.toPlainText() == template.prompt(panel.form.values(), "zh")
    assert "李四" in panel.preview.toPlainText()


def test_missing_required_field_shows_an_error_and_does_not_draft(qtbot: QtBot, panel: TemplatePanel) -> None:
    panel.select_template("gongwen.notice")
    _type(_line(panel, "issuer"), "某某市教育局")
    with qtbot.assertNotEmitted(panel.draftRequested, wait=100):
        panel.draft_button.click()
    assert panel.form.error_message("subject") == "请填写“事由”"
    assert panel.form.error_message("issuer") == ""
    _type(_line(panel, "subject"), "开会")
    assert panel.form.error_message("subject") == ""  # editing the field clears its error
    with qtbot.assertNotEmitted(panel.draftRequested, wait=100):
        panel.draft_button.click()
    assert panel.form.error_message("points") != ""


def test_english_panel_uses_english_names(qtbot: QtBot, user_dir: Path) -> None:
    panel = _make_panel(qtbot, user_dir, lang="en")
    assert list(_tree(panel)) == ["Official documents", "Speeches", "Letters", "Copywriting"]
    panel.select_template("letter.en.thanks")
    assert panel.title_label.text() == "Thank-you letter"


def test_duplicate_builtin_makes_a_user_copy_and_opens_the_editor(qtbot: QtBot, panel: TemplatePanel) -> None:
    panel.select_template("gongwen.notice")
    with qtbot.waitSignal(panel.libraryChanged):
        QTest.mouseClick(panel.duplicate_button, Qt.MouseButton.LeftButton)
    copy_file = panel.user_dir / "gongwen.notice.copy.toml"
    assert copy_file.is_file()
    copy = panel.library.get("gongwen.notice.copy")
    assert copy is not None and not copy.builtin and copy.source == copy_file
    assert copy.names.zh == "通知（副本）"
    assert "gongwen.notice.copy" in _tree(panel)["公文"]
    current = panel.current_template()
    assert current is not None and current.id == "gongwen.notice.copy"
    assert panel.edit_button.isEnabled() and panel.delete_button.isEnabled()
    dialog = panel.editor_dialog
    assert dialog is not None and dialog.isVisible()
    template = dialog.template()
    assert template is not None and template.id == "gongwen.notice.copy"
    dialog.reject()
    assert panel.editor_dialog is None
    # A second copy gets the next free id.
    panel.select_template("gongwen.notice")
    panel.duplicate_button.click()
    assert (panel.user_dir / "gongwen.notice.copy2.toml").is_file()
    assert panel.editor_dialog is not None
    panel.editor_dialog.reject()


def test_edit_and_save_reloads_and_keeps_the_writers_values(qtbot: QtBot, panel: TemplatePanel) -> None:
    panel.select_template("gongwen.notice")
    panel.duplicate_button.click()
    dialog = panel.editor_dialog
    assert dialog is not None
    _fill_notice(qtbot, panel)
    text = dialog.text_edit.toPlainText().replace("通知（副本）", "会议通知")
    dialog.text_edit.setPlainText(text)
    with qtbot.waitSignal(panel.libraryChanged):
        assert dialog.save()
    current = panel.current_template()
    assert current is not None and current.names.zh == "会议通知"
    assert panel.title_label.text() == "会议通知"
    assert panel.form.values()["issuer"] == "某某市教育局"


def test_delete_removes_the_user_file(qtbot: QtBot, panel: TemplatePanel, monkeypatch: pytest.MonkeyPatch) -> None:
    panel.select_template("letter.thanks")
    panel.duplicate_button.click()
    assert panel.editor_dialog is not None
    panel.editor_dialog.reject()
    path = panel.user_dir / "letter.thanks.copy.toml"
    assert path.is_file()
    asked: list[str] = []

    def answer(_parent: object, _title: str, text: str, *_args: object) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.No if len(asked) == 1 else QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    panel.delete_button.click()  # answered No
    assert path.is_file()
    with qtbot.waitSignal(panel.libraryChanged):
        panel.delete_button.click()
    assert not path.exists()
    assert "letter.thanks.copy.toml" in asked[-1]
    assert panel.library.get("letter.thanks.copy") is None
    assert "letter.thanks.copy" not in _tree(panel)["书信"]
    assert panel.current_template() is None


def test_broken_user_file_shows_a_warning_and_builtins_still_work(
    qtbot: QtBot, user_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (user_dir / "my.toml").write_text("[[templates]]\nid = \n", encoding="utf-8")
    panel = _make_panel(qtbot, user_dir)
    assert not panel.warning_label.isHidden()
    text = panel.warning_label.text()
    assert text.startswith("1 template file could not be loaded:")
    assert "my.toml line 2" in text
    assert sum(len(v) for v in _tree(panel).values()) == 19
    panel.select_template("letter.thanks")
    _type(_line(panel, "recipient"), "王老师")
    panel.form.set_values({"sender": "学生小李", "reason": "悉心指导"})
    with qtbot.waitSignal(panel.draftRequested) as blocker:
        panel.draft_button.click()
    assert "王老师" in blocker.args[0].prompt
    # Fixing the file and reloading clears the strip.
    (user_dir / "my.toml").unlink()
    panel.reload()
    assert panel.warning_label.isHidden()


def test_new_template_opens_the_editor_and_saving_lists_it(qtbot: QtBot, panel: TemplatePanel) -> None:
    QTest.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    dialog = panel.editor_dialog
    assert dialog is not None
    assert dialog.template() is not None  # the skeleton is a valid template as it is
    with qtbot.waitSignal(panel.libraryChanged):
        assert dialog.save()
    assert (panel.user_dir / "my.template.toml").is_file()
    current = panel.current_template()
    assert current is not None and current.id == "my.template"
    assert "my.template" in _tree(panel)["公文"]
