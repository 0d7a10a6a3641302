"""Hints and messages made below the UI are marked for translation there and shown in Chinese in the Chinese UI."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import inspect
import pickle
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from converters import errors as conversion_errors
from ziya_desktop import errors
from ziya_desktop.documents.storage import describe_write_error, read_document
from ziya_desktop.errors import DocumentReadError, ZiyaError
from ziya_desktop.translatable import QT_TRANSLATE_NOOP, Translatable
from ziya_desktop.ui.common.error_text import error_message, localized, localized_hint
from ziya_desktop.ui.common.i18n import install_translations

TS_FILE = Path(__file__).resolve().parent.parent / "resources" / "translations" / "ziya_zh_CN.ts"


def _hint_classes() -> list[type[ZiyaError]]:
    found: list[type[ZiyaError]] = []
    for module in (errors, conversion_errors):
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, ZiyaError) and cls.__module__ == module.__name__ and vars(cls).get("hint"):
                found.append(cls)
    return found


def _finished_translations(context: str) -> dict[str, str]:
    """Source → translation of the finished messages of ``context`` in the .ts."""
    found: dict[str, str] = {}
    for element in ET.parse(TS_FILE).getroot().iter("context"):
        if element.findtext("name") != context:
            continue
        for message in element.iter("message"):
            translation = message.find("translation")
            if translation is not None and not translation.get("type") and (translation.text or "").strip():
                found[message.findtext("source") or ""] = translation.text or ""
    return found


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_the_walk_finds_the_hints() -> None:
    names = {cls.__name__ for cls in _hint_classes()}
    assert {"DocumentSaveError", "ModelLoadError", "CheckpointError", "MissingFieldError"} <= names


@pytest.mark.parametrize("cls", _hint_classes(), ids=lambda cls: cls.__name__)
def test_every_class_hint_is_marked_where_it_is_defined(cls: type[ZiyaError]) -> None:
    hint = vars(cls)["hint"]
    assert isinstance(hint, Translatable) and hint.context == "ErrorHints" and not hint.args


def test_every_class_hint_has_a_finished_chinese_translation() -> None:
    translations = _finished_translations("ErrorHints")
    missing = [cls.__name__ for cls in _hint_classes() if cls.hint not in translations]
    assert missing == [], "hints without a finished translation in context ErrorHints (run update.sh)"


def test_the_chinese_ui_shows_every_class_hint_in_chinese(chinese_ui: QApplication) -> None:
    translations = _finished_translations("ErrorHints")
    for cls in _hint_classes():
        shown = localized_hint(cls.hint)
        assert shown == translations[cls.hint] and _has_chinese(shown), cls.__name__
        # A hint that came through a signal as plain text is translated too.
        assert localized_hint(str(cls.hint)) == shown
    assert localized_hint("not one of ours") == "not one of ours"
    assert localized_hint("") == ""


def test_the_english_ui_shows_the_source_text(qapp: QApplication) -> None:
    install_translations(qapp, "en")
    for cls in _hint_classes():
        assert localized_hint(cls.hint) == cls.hint


def test_a_translatable_reads_as_english_and_keeps_its_template() -> None:
    kind = QT_TRANSLATE_NOOP("DocumentStorage", "a named pipe (FIFO)")
    text = QT_TRANSLATE_NOOP("DocumentStorage", "“{name}” is {kind}, not a document.").format(name="x", kind=kind)
    assert text == "“x” is a named pipe (FIFO), not a document." and str(text) == text
    assert text.template == "“{name}” is {kind}, not a document." and text.args["kind"] is kind
    err = DocumentReadError(text)
    assert str(err) == text and err.message is text
    again = pickle.loads(pickle.dumps(err))
    assert isinstance(again.message, Translatable) and again.message.args == text.args
    with pytest.raises(TypeError):
        text.format("positional")


def test_document_messages_are_translated_at_the_ui(chinese_ui: QApplication, tmp_path: Path) -> None:
    missing = tmp_path / "gone.md"
    with pytest.raises(DocumentReadError) as caught:
        read_document(missing)
    shown = error_message(caught.value)
    assert "gone.md" in shown and _has_chinese(shown) and shown != str(caught.value)
    assert _has_chinese(localized_hint(caught.value.hint))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_placeholder_that_is_a_translatable_word_is_translated_too(chinese_ui: QApplication, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    with pytest.raises(DocumentReadError) as caught:
        read_document(fifo)
    english = str(caught.value)
    assert "a named pipe (FIFO)" in english
    shown = error_message(caught.value)
    assert "pipe.md" in shown and "a named pipe" not in shown and _has_chinese(shown)


def test_a_nested_cause_is_translated(chinese_ui: QApplication, tmp_path: Path) -> None:
    import errno

    cause = describe_write_error(OSError(errno.ENOSPC, "No space left on device"), tmp_path / "a.md")
    assert cause == "the disk is full"
    assert _has_chinese(localized(cause))
    assert localized("plain text") == "plain text"
    assert error_message(ValueError("not ours")) == "not ours"


def test_a_corrupt_journal_is_described_in_chinese(chinese_ui: QApplication, tmp_path: Path) -> None:
    from ziya_desktop.documents.journal import JOURNAL_SUFFIX
    from ziya_desktop.documents.recovery import describe_corrupt, scan_journals

    (tmp_path / f"empty{JOURNAL_SUFFIX}").write_bytes(b"")
    scan = scan_journals(tmp_path)
    [corrupt] = scan.corrupt
    english = describe_corrupt(corrupt)
    assert "the journal file is empty" in english
    shown = localized(english)
    assert f"empty{JOURNAL_SUFFIX}" in shown and "the journal file is empty" not in shown and _has_chinese(shown)
