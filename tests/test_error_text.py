"""Every error class's hint has an entry in the UI's translation table, so a Chinese writer reads it in Chinese."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import inspect

import pytest
from PySide6.QtWidgets import QApplication

from converters import errors as conversion_errors
from ziya_desktop import errors
from ziya_desktop.ui.common.i18n import install_translations
from ziya_desktop.ui.common.error_text import hint_table, localized_hint


def _hints() -> set[str]:
    found: set[str] = set()
    for module in (errors, conversion_errors):
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            hint = getattr(cls, "hint", "")
            if issubclass(cls, Exception) and hint:
                found.add(hint)
    return found


def test_every_hint_is_in_the_table_and_the_table_has_no_stale_entries(qapp: QApplication) -> None:
    install_translations(qapp, "en")
    table = hint_table()
    assert set(table) == _hints()
    # Untranslated, each entry reads exactly like the class's hint: a changed hint must change the table too.
    assert all(key == value for key, value in table.items())


@pytest.mark.parametrize("cls", [errors.DocumentSaveError, errors.ModelLoadError, conversion_errors.CheckpointError])
def test_hints_are_chinese_in_the_chinese_ui(qapp: QApplication, cls: type) -> None:
    try:
        install_translations(qapp, "zh")
        text = localized_hint(cls.hint)  # type: ignore[attr-defined]
        assert text != cls.hint and any("\u4e00" <= ch <= "\u9fff" for ch in text)  # type: ignore[attr-defined]
        assert localized_hint("not one of ours") == "not one of ours"
    finally:
        install_translations(qapp, "en")
