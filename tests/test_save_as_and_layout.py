"""Save As names a new document after its title, and the 公文 layout of a document shows in the menu when it is
opened again."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog

from ziya_desktop.documents.front_matter import DocumentHead
from ziya_desktop.ui.shell.main_window import MainWindow
from ziya_desktop.writing.gongwen_parts import GongwenParts


def _suggested(monkeypatch: pytest.MonkeyPatch, window: MainWindow) -> str:
    asked: list[str] = []

    def answer(_parent: object, _caption: str, suggested: str, _filter: str) -> tuple[str, str]:
        asked.append(suggested)
        return "", ""  # the writer cancels

    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer)
    assert not window.files.save_current_as()
    assert len(asked) == 1
    return Path(asked[0]).name


def test_save_as_suggests_the_title(monkeypatch: pytest.MonkeyPatch, window: MainWindow) -> None:
    tab = window.current_tab()
    assert tab is not None
    tab.editor.setPlainText("# 关于召开年度工作会议的通知\n\n各部门：\n\n正文。")
    assert _suggested(monkeypatch, window) == "关于召开年度工作会议的通知.md"
    tab.editor.setPlainText("")
    assert _suggested(monkeypatch, window) == "Untitled 1.md"


def test_save_as_suggests_the_gongwen_title_made_safe_for_a_file_name(
    monkeypatch: pytest.MonkeyPatch, window: MainWindow
) -> None:
    tab = window.current_tab()
    assert tab is not None
    tab.editor.setPlainText("一、会议时间。")
    parts = GongwenParts.for_kind("通知", title='市教育局关于"春季/秋季"招生工作的通知')
    tab.set_head(DocumentHead(layout="gongwen", parts=parts))
    assert _suggested(monkeypatch, window) == "市教育局关于 春季 秋季 招生工作的通知.md"


def test_the_layout_menu_follows_the_document_opened(window: MainWindow, tmp_path: Path) -> None:
    layout = window.menu_actions.files.gongwen_layout
    gongwen = tmp_path / "通知.md"
    gongwen.write_text("---\nlayout: gongwen\nkind: 通知\ntitle: 关于召开会议的通知\n---\n正文。\n", encoding="utf-8")
    plain = tmp_path / "notes.md"
    plain.write_text("Notes.\n", encoding="utf-8")
    assert not layout.isChecked()
    opened = window.files.open_path(gongwen)  # into the blank start-up tab: no tab change
    assert opened is not None and opened.layout_kind == "gongwen"
    assert layout.isChecked()
    window.files.open_path(plain)
    assert not layout.isChecked()
    window.tabs.setCurrentWidget(opened)
    assert layout.isChecked()
    # Switching it off is a change of the document, saved with it.
    layout.trigger()
    assert opened.layout_kind == "plain" and opened.modified
    assert window.files.save_to(opened, gongwen)
    assert gongwen.read_text(encoding="utf-8").startswith("---\nlayout: plain\nkind: 通知\n")
