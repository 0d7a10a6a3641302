"""The UI language: Chinese or English, following the system locale unless the writer chose one.

Qt's translators are installed before the first window exists, and again when the writer picks another language:
Qt then sends every widget a LanguageChange event, on which each sets its texts again (its ``retranslate()``).
"""

from __future__ import annotations

import logging
from enum import StrEnum

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from ziya_desktop import paths
from ziya_desktop.ui.common.settings import settings

log = logging.getLogger(__name__)

LANGUAGE_KEY = "ui/language"
_installed: list[QTranslator] = []


class UiLanguage(StrEnum):
    SYSTEM = "system"
    CHINESE = "zh"
    ENGLISH = "en"


def parse_language(value: object) -> UiLanguage:
    try:
        return UiLanguage(str(value))
    except ValueError:
        return UiLanguage.SYSTEM


def chosen_language() -> UiLanguage:
    """The language setting as stored (``system`` when unset)."""
    return parse_language(settings().value(LANGUAGE_KEY, UiLanguage.SYSTEM.value))


def effective_language(choice: UiLanguage | None = None, locale: QLocale | None = None) -> str:
    """``"zh"`` or ``"en"``: the choice, or for ``system`` the system locale (any Chinese locale → zh)."""
    choice = chosen_language() if choice is None else choice
    if choice is not UiLanguage.SYSTEM:
        return choice.value
    locale = QLocale.system() if locale is None else locale
    return "zh" if locale.language() == QLocale.Language.Chinese else "en"


def install_translations(app: QCoreApplication, lang: str) -> bool:
    """Install our translation (and Qt's own, for standard dialogs) for ``lang``; returns whether ours loaded.

    The source strings are English, so ``en`` installs nothing. Replaces translators installed earlier.
    """
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if lang != "zh":
        QLocale.setDefault(QLocale("en_US"))
        return True
    QLocale.setDefault(QLocale("zh_CN"))
    ours = QTranslator(app)
    loaded = ours.load(str(paths.translations_dir() / "ziya_zh_CN.qm"))
    if loaded:
        app.installTranslator(ours)
        _installed.append(ours)
    else:
        log.warning("the Chinese translation is missing from %s; the UI stays in English", paths.translations_dir())
    qt_own = QTranslator(app)
    if qt_own.load("qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt_own)
        _installed.append(qt_own)
    return loaded
