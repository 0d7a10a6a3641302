"""Messages and hints made below the UI, in the UI language.

Errors and document messages are made where there is no Qt and so no ``tr()``: each error class's ``hint`` is
marked ``QT_TRANSLATE_NOOP("ErrorHints", "…")`` where it is defined, and a message built below the UI is a
:class:`~ziya_desktop.translatable.Translatable` (its template, context and placeholder values). They are
translated here, where the UI shows them; details such as paths, sizes and llama.cpp's words stay as they are.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from ziya_desktop.errors import ZiyaError
from ziya_desktop.translatable import Translatable

__all__ = ["error_message", "localized", "localized_hint"]


def localized(text: str) -> str:
    """``text`` in the UI language when it is a :class:`Translatable` (its template translated, then filled in with
    its values, each translated in turn when it is one too), else unchanged."""
    if not isinstance(text, Translatable):
        return text
    template = QCoreApplication.translate(text.context, text.template)
    if not text.args:
        return template
    values = {name: localized(value) if isinstance(value, str) else value for name, value in text.args.items()}
    return template.format(**values)


def localized_hint(hint: str) -> str:
    """``hint`` in the UI language: a marked hint (an error class's, context ``ErrorHints``, or one made below the
    UI), or the plain text of an error class's hint (one that came through a signal); other text is unchanged."""
    if isinstance(hint, Translatable):
        return localized(hint)
    return QCoreApplication.translate("ErrorHints", hint) if hint else hint


def error_message(err: BaseException) -> str:
    """The message of ``err`` in the UI language (see :attr:`ziya_desktop.errors.ZiyaError.message`)."""
    return localized(err.message) if isinstance(err, ZiyaError) else str(err)
