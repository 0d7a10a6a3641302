"""TemplateEditorDialog for real on Qt's offscreen platform: checking with line numbers, previews, saving."""

from __future__ import annotations

import os

# Before Qt is imported and before pytest-qt creates the QApplication: no display needed, no window on screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest
from PySide6.QtGui import QFont, QTextCursor
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from ziya_desktop.ui.templates.template_editor import (
    TemplateEditorDialog,
    free_template_id,
    parse_template_text,
    template_skeleton,
)
from ziya_desktop.writing.template_files import load_templates, template_to_toml
from ziya_desktop.writing.templates import TemplateError

BUILTIN = Path(__file__).resolve().parent.parent / "resources" / "templates"

VALID = """\
[[templates]]
id = "user.thanks"
category = "letter"
names = { zh = "简短感谢", en = "Short thanks" }
language = "zh"
instruction = "请写一封给{who}的感谢信，感谢{why}。"

[[templates.fields]]
name = "who"
kind = "text"
label = { zh = "收信人", en = "Recipient" }
required = true

[[templates.fields]]
name = "why"
kind = "text"
label = { zh = "感谢什么", en = "What for" }
default = "帮助"
"""


@pytest.fixture
def user_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    return folder


@pytest.fixture
def builtin_ids() -> frozenset[str]:
    return frozenset(load_templates(BUILTIN, None).templates)


def _dialog(qtbot: QtBot, user_dir: Path, builtin_ids: frozenset[str], **kwargs: object) -> TemplateEditorDialog:
    dialog = TemplateEditorDialog(user_dir, builtin_ids=builtin_ids, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _problems(dialog: TemplateEditorDialog) -> list[str]:
    return [item.text() for item in (dialog.problems.item(i) for i in range(dialog.problems.count())) if item]


def test_toml_error_is_reported_with_its_line_and_the_cursor_goes_there(
    qtbot: QtBot, user_dir: Path, builtin_ids: frozenset[str]
) -> None:
    dialog = _dialog(qtbot, user_dir, builtin_ids)
    broken = VALID.replace('language = "zh"', 'language = "zh')  # line 5: unterminated string
    dialog.text_edit.setPlainText(broken)
    assert dialog.check() is None
    problems = _problems(dialog)
    assert len(problems) == 1 and problems[0].startswith("Line 5:")
    assert "TOML" in problems[0]
    assert dialog.text_edit.textCursor().blockNumber() == 4
    assert dialog.text_edit.extraSelections()  # the line is marked
    assert not dialog.save()
    assert list(user_dir.iterdir()) == []
    assert dialog.text_edit.toPlainText() == broken  # nothing lost


def test_schema_errors_name_the_template_line(qtbot: QtBot, user_dir: Path, builtin_ids: frozenset[str]) -> None:
    dialog = _dialog(qtbot, user_dir, builtin_ids)
    dialog.text_edit.setPlainText("# notes\n\n" + VALID.replace("{why}", "{because}"))
    dialog.text_edit.moveCursor(QTextCursor.MoveOperation.End)
    assert dialog.check() is None
    problems = _problems(dialog)
    assert problems[0].startswith("Line 3:") and "{because}" in problems[0]
    assert dialog.text_edit.textCursor().blockNumber() == 2
    dialog.go_to_line(1)
    item = dialog.problems.item(0)
    assert item is not None
    dialog.problems.itemClicked.emit(item)
    assert dialog.text_edit.textCursor().blockNumber() == 2


def test_live_check_follows_typing(qtbot: QtBot, user_dir: Path, builtin_ids: frozenset[str]) -> None:
    dialog = _dialog(qtbot, user_dir, builtin_ids)
    dialog.text_edit.setPlainText(VALID)
    qtbot.waitUntil(lambda: dialog.template() is not None, timeout=3000)
    dialog.text_edit.moveCursor(QTextCursor.MoveOperation.End)
    dialog.text_edit.insertPlainText("\n[[templates]]\n")  # typing at the end
    qtbot.waitUntil(lambda: dialog.template() is None and bool(_problems(dialog)), timeout=3000)
    cursor_line = dialog.text_edit.textCursor().blockNumber()
    assert cursor_line == dialog.text_edit.document().blockCount() - 1  # a live check leaves the cursor alone


def test_valid_text_previews_form_and_prompt_and_saves(
    qtbot: QtBot, user_dir: Path, builtin_ids: frozenset[str]
) -> None:
    dialog = _dialog(qtbot, user_dir, builtin_ids, lang="zh")
    font = dialog.text_edit.font()
    assert font.fixedPitch() or font.styleHint() == QFont.StyleHint.TypeWriter or "mono" in font.family().lower()
    dialog.text_edit.setPlainText(VALID)
    template = dialog.check()
    assert template is not None and template.id == "user.thanks"
    assert dialog.form.field_editor("who") is not None
    assert "【收信人】" in dialog.prompt_preview.toPlainText()
    dialog.form.set_values({"who": "王老师"})
    assert dialog.prompt_preview.toPlainText() == template.prompt({"who": "王老师"}, "zh")
    with qtbot.waitSignal(dialog.saved) as blocker:
        assert dialog.save()
    path = user_dir / "user.thanks.toml"
    assert path.is_file() and dialog.saved_path == path
    assert blocker.args[0].source == path
    loaded = load_templates(BUILTIN, user_dir)
    assert loaded.errors == []
    assert loaded.templates["user.thanks"] == template
    assert not dialog.isVisible()


def test_clashing_with_a_builtin_asks_first(
    qtbot: QtBot, user_dir: Path, builtin_ids: frozenset[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = _dialog(qtbot, user_dir, builtin_ids)
    dialog.text_edit.setPlainText(VALID.replace("user.thanks", "letter.thanks"))
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    asked: list[str] = []

    def question(_parent: object, _title: str, text: str, *_args: object) -> QMessageBox.StandardButton:
        asked.append(text)
        return answers[len(asked) - 1]

    monkeypatch.setattr(QMessageBox, "question", question)
    assert not dialog.save()
    assert not (user_dir / "letter.thanks.toml").exists()
    assert "built-in" in asked[0]
    assert dialog.save()
    assert (user_dir / "letter.thanks.toml").is_file()
    assert load_templates(BUILTIN, user_dir).templates["letter.thanks"].names.zh == "简短感谢"


def test_replacing_another_user_file_asks_first(
    qtbot: QtBot, user_dir: Path, builtin_ids: frozenset[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (user_dir / "user.thanks.toml").write_text(VALID, encoding="utf-8")
    dialog = _dialog(qtbot, user_dir, builtin_ids)  # a new template that happens to take that id
    dialog.text_edit.setPlainText(VALID.replace("简短感谢", "另一个"))
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.No)
    assert not dialog.save()
    assert "简短感谢" in (user_dir / "user.thanks.toml").read_text(encoding="utf-8")


def test_editing_an_own_template_saves_over_its_file_without_asking(
    qtbot: QtBot, user_dir: Path, builtin_ids: frozenset[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (user_dir / "user.thanks.toml").write_text(VALID, encoding="utf-8")
    original = load_templates(BUILTIN, user_dir).templates["user.thanks"]
    dialog = _dialog(qtbot, user_dir, builtin_ids, template=original)
    assert dialog.text_edit.toPlainText() == template_to_toml(original)

    def refuse(*_args: object) -> QMessageBox.StandardButton:
        raise AssertionError("no question expected")

    monkeypatch.setattr(QMessageBox, "question", refuse)
    dialog.text_edit.setPlainText(dialog.text_edit.toPlainText().replace("简短感谢", "感谢短笺"))
    assert dialog.save()
    assert load_templates(BUILTIN, user_dir).templates["user.thanks"].names.zh == "感谢短笺"


def test_renaming_the_id_notes_that_the_old_template_stays(
    qtbot: QtBot, user_dir: Path, builtin_ids: frozenset[str]
) -> None:
    (user_dir / "user.thanks.toml").write_text(VALID, encoding="utf-8")
    original = load_templates(BUILTIN, user_dir).templates["user.thanks"]
    dialog = _dialog(qtbot, user_dir, builtin_ids, template=original)
    dialog.text_edit.setPlainText(template_to_toml(original).replace('"user.thanks"', '"user.thanks2"'))
    dialog.check()
    assert "user.thanks2.toml" in dialog.notes_label.text() and not dialog.notes_label.isHidden()
    assert dialog.save()
    assert {p.name for p in user_dir.iterdir()} == {"user.thanks.toml", "user.thanks2.toml"}


def test_a_failed_save_keeps_the_dialog_and_the_text(qtbot: QtBot, tmp_path: Path, builtin_ids: frozenset[str]) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x", encoding="utf-8")
    dialog = _dialog(qtbot, not_a_folder, builtin_ids)
    dialog.text_edit.setPlainText(VALID)
    with qtbot.assertNotEmitted(dialog.saved):
        assert not dialog.save()
    assert dialog.isVisible()
    assert dialog.status_label.text().startswith("Not saved:")
    assert dialog.text_edit.toPlainText() == VALID


def test_new_template_skeleton_is_valid_and_takes_a_free_id(
    qtbot: QtBot, user_dir: Path, builtin_ids: frozenset[str]
) -> None:
    (user_dir / "my.template.toml").write_text("", encoding="utf-8")
    dialog = _dialog(qtbot, user_dir, builtin_ids)
    template = dialog.template()
    assert template is not None and template.id == "my.template2"
    assert "gongwen (公文)" in dialog.text_edit.toPlainText()
    assert dialog.form.field_editor("title") is not None
    assert dialog.save()
    assert (user_dir / "my.template2.toml").is_file()


def test_parse_template_text_wants_exactly_one_template() -> None:
    template, errors = parse_template_text(VALID)
    assert template is not None and errors == [] and template.source is None
    none, errors = parse_template_text("# nothing here\n")
    assert none is None and "no template" in errors[0].detail
    two, errors = parse_template_text(VALID + "\n" + VALID.replace("user.thanks", "user.other"))
    assert two is None and "2 templates" in errors[0].detail
    skeleton, errors = parse_template_text(template_skeleton("x.y"))
    assert errors == [] and skeleton is not None and skeleton.id == "x.y"


def test_free_template_id(tmp_path: Path) -> None:
    assert free_template_id("a.copy", {"b"}, tmp_path) == "a.copy"
    (tmp_path / "a.copy.toml").write_text("", encoding="utf-8")
    assert free_template_id("a.copy", {"a.copy2"}, tmp_path) == "a.copy3"
    with pytest.raises(TemplateError):
        free_template_id("x" * 61, set(), tmp_path)


def test_a_field_name_ending_in_a_newline_is_a_problem_not_a_crash(
    qtbot: QtBot, user_dir: Path, builtin_ids: frozenset[str]
) -> None:
    text = VALID.replace('name = "who"', 'name = "who\\n"').replace("{who}", "{who\\n}")
    template, errors = parse_template_text(text)
    assert template is None and errors and "field name" in str(errors[0])
    dialog = _dialog(qtbot, user_dir, builtin_ids, lang="zh")
    dialog.text_edit.setPlainText(text)
    assert dialog.check() is None
    assert any("field name" in p for p in _problems(dialog))
    assert not dialog.save()
    assert list(user_dir.iterdir()) == []
