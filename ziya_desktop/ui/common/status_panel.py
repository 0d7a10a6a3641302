"""The status bar's fields: model and backend, generation speed, context use, and the counts of the document."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QLocale, QObject
from PySide6.QtWidgets import QLabel, QStatusBar

from ziya_desktop.writing.text_stats import TextStats, format_duration, speaking_minutes

# A text as given, or a function that makes it in the current UI language (called again when the language changes).
Text = str | Callable[[], str]


def _text(text: Text) -> str:
    return text if isinstance(text, str) else text()


class StatusPanel(QObject):
    """Owns the labels it adds to ``bar``; the main window feeds it.

    Attributes:
        model_label: model name and backend (``CPU``, ``CUDA 41/41 layers``…), and why when the GPU load fell back.
        speed_label: tokens per second while generating, and of the last generation afterwards.
        context_label: tokens of the context window in use (prompt + answer so far) out of n_ctx.
        count_label: 字数 / words of the document, of the selection when there is one, and the speaking time.

    Every field keeps what it shows, so a change of the UI language (Qt's LanguageChange event, which reaches this
    object through the status bar) writes them again in the new language.
    """

    def __init__(self, bar: QStatusBar) -> None:
        super().__init__(bar)
        self.model_label = QLabel(bar)
        self.model_label.setObjectName("modelStatusLabel")
        self.speed_label = QLabel(bar)
        self.speed_label.setObjectName("speedLabel")
        self.context_label = QLabel(bar)
        self.context_label.setObjectName("contextLabel")
        self.count_label = QLabel(bar)
        self.count_label.setObjectName("wordCountLabel")
        bar.addWidget(self.model_label, 1)
        bar.addPermanentWidget(self.speed_label)
        bar.addPermanentWidget(self.context_label)
        bar.addPermanentWidget(self.count_label)
        self._model: tuple[Text, Text] = ("", "")
        self._speed: tuple[float | None, bool] = (None, False)
        self._context: tuple[int | None, int] = (None, 0)
        self._counts: tuple[TextStats, TextStats | None, str] | None = None

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        return super().event(event)

    def retranslate(self) -> None:
        """Show every field again in the current UI language."""
        self.set_model(*self._model)
        self.set_speed(self._speed[0], running=self._speed[1])
        self.set_context(*self._context)
        if self._counts is not None:
            self.set_counts(*self._counts)

    def set_model(self, text: Text, tooltip: Text = "") -> None:
        """Show ``text`` (and ``tooltip``); give functions for texts that should follow a change of language."""
        self._model = (text, tooltip)
        self.model_label.setText(_text(text))
        self.model_label.setToolTip(_text(tooltip))

    def set_speed(self, tokens_per_s: float | None, *, running: bool) -> None:
        self._speed = (tokens_per_s, running)
        if tokens_per_s is None:
            self.speed_label.clear()
            return
        text = self.tr("{rate} tokens/s").format(rate=f"{tokens_per_s:.1f}")
        self.speed_label.setText(("▶ " if running else "") + text)

    def set_context(self, used: int | None, n_ctx: int) -> None:
        self._context = (used, n_ctx)
        if used is None:
            self.context_label.clear()
            return
        self.context_label.setText(self.tr("Context {used} / {total}").format(used=used, total=n_ctx))
        self.context_label.setToolTip(
            self.tr("Tokens of the model's context window in use: the prompt sent plus the answer so far.")
        )

    def set_counts(self, document: TextStats, selection: TextStats | None, lang: str) -> None:
        self._counts = (document, selection, lang)
        text = self.format_stats(document, lang)
        if selection is not None and selection.total:
            text = self.tr("Selected {selection} of {document}").format(
                selection=self.format_stats(selection, lang), document=text
            )
        minutes = speaking_minutes(document)
        if document.total:
            text += " · " + self.tr("speaking {duration}").format(duration=format_duration(minutes, lang))
        self.count_label.setText(text)

    def format_stats(self, stats: TextStats, lang: str) -> str:
        """``字数 1,234 · 56 words`` — Chinese by characters, English by words, mixed text both."""
        return format_counts(stats, lang)


def format_counts(stats: TextStats, lang: str) -> str:
    """``字数 1,234 · 56 words`` — Chinese by characters, English by words, mixed text both; the one way the window
    counts text (status bar, rewrite review), so a selection reads the same everywhere."""
    locale = QLocale()
    parts: list[str] = []
    if stats.cjk_chars or (not stats.words and lang == "zh"):
        parts.append(
            QCoreApplication.translate("StatusPanel", "字数 {count}").format(count=locale.toString(stats.cjk_chars))
        )
    if stats.words or (not stats.cjk_chars and lang != "zh"):
        words = locale.toString(stats.words)
        parts.append(
            QCoreApplication.translate("StatusPanel", "{count} word").format(count=words)
            if stats.words == 1
            else QCoreApplication.translate("StatusPanel", "{count} words").format(count=words)
        )
    return " · ".join(parts)
