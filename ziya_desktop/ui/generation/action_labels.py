"""The menu text of the selection actions (polish, expand … rewrite), which the rewrite review also shows as its
title. Translated in the context of the window's actions, where the menus show them."""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication

from ziya_desktop.writing.actions import ActionKind


def plain_label(text: str) -> str:
    """Menu text without its accelerator: "&Polish" → "Polish", "润色(&P)" → "润色", "Rewrite…" stays."""
    return re.sub(r"\(&.\)", "", text).replace("&&", "\0").replace("&", "").replace("\0", "&").strip()


def rewrite_labels() -> dict[ActionKind, str]:
    """The menu text of each selection action (also the review panel's title)."""
    return {
        ActionKind.POLISH: QCoreApplication.translate("WindowActions", "&Polish"),
        ActionKind.EXPAND: QCoreApplication.translate("WindowActions", "&Expand"),
        ActionKind.SHORTEN: QCoreApplication.translate("WindowActions", "S&horten"),
        ActionKind.FORMAL: QCoreApplication.translate("WindowActions", "Make &formal"),
        ActionKind.WARM: QCoreApplication.translate("WindowActions", "Make &warm"),
        ActionKind.TRANSLATE: QCoreApplication.translate("WindowActions", "&Translate zh ↔ en"),
        ActionKind.REWRITE: QCoreApplication.translate("WindowActions", "&Rewrite with an instruction…"),
    }
