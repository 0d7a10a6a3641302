"""What the Chinese UI showed in English: the model licence line of the Model Library, the context size's unit, the
writing actions' errors (nothing to continue from, nothing selected, a prompt too long for the context window),
the list fields' placeholder, and the recovery dialog's "seed None".

The Chinese texts come from the compiled translation (resources/translations/ziya_zh_CN.qm): these tests pass once
the new strings are translated there.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import time
from collections.abc import Callable
from pathlib import Path

import helpers
import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QPlainTextEdit
from pytestqt.qtbot import QtBot

from ziya_desktop import paths
from ziya_desktop.documents.journal import GenerationInfo, JournalEntry, new_document_id, write_journal
from ziya_desktop.errors import ActionError, PromptTooLongError
from ziya_desktop.models.catalog import load_catalog
from ziya_desktop.translatable import Translatable
from ziya_desktop.ui.common.error_text import error_message
from ziya_desktop.ui.common.i18n import install_translations
from ziya_desktop.ui.files.recovery_dialog import offer_recovery
from ziya_desktop.ui.models.gpu_settings import GpuSettingsWidget
from ziya_desktop.ui.models.model_catalog_panel import SHIPPED_LICENCE_NOTE
from ziya_desktop.ui.models.model_library import ModelLibraryWindow
from ziya_desktop.ui.shell.main_window import MainWindow
from ziya_desktop.ui.templates.template_form import TemplateForm
from ziya_desktop.writing.actions import ActionKind, build_action
from ziya_desktop.writing.template_files import load_templates
from ziya_desktop.writing.templates import FieldKind

WAIT_MS = 120_000
DEAD_PID = 999_999_999  # no process has it (as in tests/test_recovery_dialog.py)


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def tok(text: str) -> list[int]:
    return list(text.encode("utf-8"))


# -- the model licence line ----------------------------------------------------------------------------------------


def test_the_shipped_catalogs_licence_note_is_the_one_marked_for_translation() -> None:
    # The catalog is data: the UI can translate its note only while it reads exactly as marked.
    assert [m.license_note for m in load_catalog()] == [SHIPPED_LICENCE_NOTE]


def test_the_model_librarys_licence_line_is_chinese(qtbot: QtBot, chinese_ui: QApplication) -> None:
    window = ModelLibraryWindow(hardware=helpers.machine(None), lang="zh")
    qtbot.addWidget(window)
    try:
        window.show()
        qtbot.waitUntil(lambda: not window.scanner.running, timeout=WAIT_MS)
        line = window.catalog_panel.catalog_label.text()
        assert line.startswith("Ziya-Writing-LLaMa-13B-v1 — ")
        assert "Non-commercial" not in line and _has_chinese(line)
        assert "LLaMA-1" in line
    finally:
        window.shutdown()


def test_the_licence_line_follows_a_language_switch(qtbot: QtBot, qapp: QApplication) -> None:
    window = ModelLibraryWindow(hardware=helpers.machine(None), lang="en")
    qtbot.addWidget(window)
    try:
        window.show()
        qtbot.waitUntil(lambda: not window.scanner.running, timeout=WAIT_MS)
        assert "Non-commercial use only" in window.catalog_panel.catalog_label.text()
        assert install_translations(qapp, "zh")
        qtbot.waitUntil(lambda: _has_chinese(window.catalog_panel.catalog_label.text()), timeout=5000)
    finally:
        install_translations(qapp, "en")
        window.shutdown()


# -- the context size ----------------------------------------------------------------------------------------------


def test_the_context_size_reads_in_chinese(qtbot: QtBot, chinese_ui: QApplication) -> None:
    widget = GpuSettingsWidget(helpers.machine(None))
    qtbot.addWidget(widget)
    widget.n_ctx.setValue(2048)
    shown = widget.n_ctx.text()
    assert shown.startswith("2048") and "tokens" not in shown and _has_chinese(shown)


# -- the list fields' placeholder ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_list_fields_placeholder_is_its_own_help_or_one_per_line(qtbot: QtBot, qapp: QApplication, lang: str) -> None:
    library = load_templates(paths.builtin_templates_dir(), None)
    try:
        assert install_translations(qapp, lang)
        generic = QCoreApplication.translate("TemplateForm", "One per line")
        if lang == "zh":
            assert generic == "每行一条"
        form = TemplateForm()
        qtbot.addWidget(form)
        seen = 0
        for template in library.templates.values():
            form.set_template(template, lang)
            for f in template.fields:
                if f.kind is not FieldKind.MULTILINE:
                    continue
                box = form.field_editor(f.name)
                assert isinstance(box, QPlainTextEdit)
                help_text = f.help.get(lang) if f.help is not None else ""
                assert box.placeholderText() == (help_text or generic), (template.id, f.name)
                seen += 1
        assert seen > 10
        form.set_template(library.templates["gongwen.request"], lang)
        attachments = form.field_editor("attachments")
        assert isinstance(attachments, QPlainTextEdit)
        assert "要点" not in attachments.placeholderText() and "key point" not in attachments.placeholderText()
        assert attachments.placeholderText() == generic
    finally:
        install_translations(qapp, "en")


# -- the recovery dialog's seed ------------------------------------------------------------------------------------


def _crashed_journal(sampling: dict[str, object]) -> None:
    write_journal(
        paths.journal_dir(),
        JournalEntry(
            document_id=new_document_id(),
            title="Untitled 1",
            path=None,
            saved=None,
            text="开头",
            cursor=2,
            written_at=time.time() - 5,
            pid=DEAD_PID,
            generation=GenerationInfo("/models/ziya-q4_k_m.gguf", sampling),
        ),
    )


def test_the_recovery_dialog_says_random_seed_not_none(main_window: Callable[..., MainWindow]) -> None:
    window = main_window()
    _crashed_journal({"temperature": 0.85, "seed": None})
    _crashed_journal({"temperature": 0.7, "seed": 42})
    dialog = offer_recovery(window)
    assert dialog is not None and len(dialog.recovered()) == 2
    shown = []
    for row in range(2):
        dialog.select(row)
        shown.append(dialog.details.text())
    assert "None" not in "".join(shown)
    assert any("temperature 0.85, random seed" in details for details in shown)
    assert any("temperature 0.7, seed 42" in details for details in shown), "a fixed seed is still shown"
    dialog.reject()


def test_the_recovery_dialogs_random_seed_is_chinese(
    chinese_ui: QApplication, main_window: Callable[..., MainWindow]
) -> None:
    window = main_window(lang="zh")
    _crashed_journal({"temperature": 0.85, "seed": None})
    dialog = offer_recovery(window)
    assert dialog is not None
    details = dialog.details.text()
    assert "随机种子" in details and "seed" not in details and "None" not in details
    dialog.reject()


# -- the writing actions' errors -----------------------------------------------------------------------------------


def _error(kind: ActionKind, text: str, selection: tuple[int, int] | None, **kw: object) -> ActionError:
    options: dict[str, object] = {"n_ctx": 2048, "answer_tokens": 256} | kw
    with pytest.raises(ActionError) as caught:
        build_action(kind, text=text, cursor=0, selection=selection, tokenize=tok, **options)  # type: ignore[arg-type]
    return caught.value


def test_the_action_errors_are_marked_for_translation_and_read_the_same_in_english(qapp: QApplication) -> None:
    for error in (
        _error(ActionKind.CONTINUE, "", None),
        _error(ActionKind.POLISH, "abc", None),
        _error(ActionKind.SHORTEN, "a   b", (1, 3)),
        _error(ActionKind.REWRITE, "abc", (0, 3)),
    ):
        assert isinstance(error.message, Translatable) and error.message.context == "WritingActions", error
    assert "nothing to continue from" in error_message(_error(ActionKind.CONTINUE, "", None))
    assert (
        error_message(_error(ActionKind.POLISH, "abc", None)) == "Nothing is selected: select the text to polish first."
    )
    assert str(_error(ActionKind.FORMAL, "abc", None)) == "Nothing is selected: select the text to make formal first."
    assert "spaces and line breaks" in error_message(_error(ActionKind.SHORTEN, "a   b", (1, 3)))
    assert error_message(_error(ActionKind.REWRITE, "abc", (0, 3))) == "The rewrite has no instruction."


def test_the_action_errors_are_chinese(chinese_ui: QApplication) -> None:
    messages = [
        error_message(_error(ActionKind.CONTINUE, "", None)),
        error_message(_error(ActionKind.POLISH, "abc", None)),
        error_message(_error(ActionKind.SHORTEN, "a   b", (1, 3))),
        error_message(_error(ActionKind.REWRITE, "abc", (0, 3))),
    ]
    assert all(_has_chinese(m) and not any(w in m for w in ("select", "text", "rewrite")) for m in messages), messages
    assert "润色" in messages[1], "the action is named in Chinese too"


def test_a_prompt_too_long_for_the_context_window_is_chinese(chinese_ui: QApplication) -> None:
    text = "年" * 400
    with pytest.raises(PromptTooLongError) as caught:
        build_action(
            ActionKind.POLISH, text=text, cursor=0, selection=(0, len(text)), tokenize=tok, n_ctx=512, answer_tokens=64
        )
    message = error_message(caught.value)
    assert _has_chinese(message) and "512" in message and "context window" not in message


@pytest.mark.slow
def test_the_windows_action_errors_reach_the_writer_in_chinese(
    qtbot: QtBot, chinese_ui: QApplication, main_window: Callable[..., MainWindow], q4: Path
) -> None:
    window = main_window(lang="zh", load_options={"threads": 1, "n_ctx": 256})
    with qtbot.waitSignal(window.engine.loaded, timeout=WAIT_MS):
        window.writing.load_model(q4)
    tab = window.current_tab()
    assert tab is not None

    with qtbot.waitSignal(window.generation.ended, timeout=WAIT_MS):
        window.writing.continue_writing()
    shown = window.notice.text()
    assert _has_chinese(shown) and "nothing to continue" not in shown and "cursor" not in shown, shown

    tab.editor.setPlainText("年" * 2000)
    cursor = tab.editor.textCursor()
    cursor.select(QTextCursor.SelectionType.Document)
    tab.editor.setTextCursor(cursor)
    with qtbot.waitSignal(window.generation.ended, timeout=WAIT_MS):
        window.writing.rewrite_selection(ActionKind.POLISH)
    shown = window.notice.text()
    assert _has_chinese(shown) and "context window" not in shown and "256" in shown, shown
