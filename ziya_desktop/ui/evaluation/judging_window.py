"""The judging window: one judge at a time compares two anonymous answers to the same instruction.

The judge names themselves (a combo that offers the names already used in this run), then sees round after round:
the instruction with its genre and language, and two answers side by side as "A" and "B", placed at random for that
judge (:meth:`~ziya_desktop.evaluation.judgements.JudgementStore.all_rounds_for`). The contenders' names stay
hidden until the judge gives a verdict: A is better (A or Left), Tie (T or Down), B is better (B or Right). Then a
line under the answers says which contender was A and which was B; the next round follows after a moment, or at
once on the next of those keys (or Space). Undo last (Ctrl+Z) brings the last round back to be judged again; the
earlier verdict stands until a new one replaces it. Every verdict is on disk the moment it is given, so closing
the window keeps everything, and the judge carries on where they stopped when they open the run again.

The Results tab (:class:`~ziya_desktop.ui.evaluation.results_view.ResultsView`) shows the win rates and exports them.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ziya_desktop.errors import ZiyaError
from ziya_desktop.evaluation.judgements import JudgementStore, Round, Verdict, check_judge_name
from ziya_desktop.evaluation.run_store import EvalRun
from ziya_desktop.ui.common.error_text import error_message, localized_hint
from ziya_desktop.ui.common.window_placement import RememberedGeometry
from ziya_desktop.ui.evaluation.results_view import ResultsView, genre_label

log = logging.getLogger(__name__)

# How long the names of a judged round show before the next round (any judging key moves on sooner).
REVEAL_MS = 1500
_GEOMETRY_KEY = "evaluation/judging_window_geometry"


class JudgingWindow(QWidget):
    """A top-level window judging one run.

    Args:
        run: the run to judge (its answers are read when a judge starts).
        reveal_ms: how long a judged round's names show before the next round (tests pass a long time and move on
            with a key, so nothing depends on timing).

    Attributes:
        store: the run's verdicts; judge: the judge judging now (None before one is named).
        current: the round shown (None before a judge starts and after the last round); revealing: True while a
            judged round's names show.
        tabs: the Judge and Results tabs; judge_combo, start_button: who judges; instruction_label,
            instruction_view: the instruction; answer_a, answer_b: the two answers; reveal_label: the names after a
            verdict; progress_label: "12 / 40"; better_a, tie, better_b, undo_button: the verdict buttons;
            message: errors and the end of the rounds; results: the Results tab.
    """

    def __init__(self, run: EvalRun, parent: QWidget | None = None, *, reveal_ms: int = REVEAL_MS) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("judgingWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.run = run
        self.store = JudgementStore(run)
        self.judge: str | None = None
        self.current: Round | None = None
        self.revealing = False
        self._remaining: list[Round] = []
        self._judged: list[Round] = []
        self._total = 0
        self._reveal_timer = QTimer(self)
        self._reveal_timer.setSingleShot(True)
        self._reveal_timer.setInterval(reveal_ms)
        self._reveal_timer.timeout.connect(self.next_round)

        self.judge_label = QLabel(self)
        self.judge_combo = QComboBox(self)
        self.judge_combo.setObjectName("judgeName")
        self.judge_combo.setEditable(True)
        self.judge_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.judge_combo.setMinimumContentsLength(16)
        self.start_button = QPushButton(self)
        self.start_button.clicked.connect(self.start_from_combo)
        line_edit = self.judge_combo.lineEdit()
        if line_edit is not None:
            line_edit.returnPressed.connect(self.start_from_combo)
        self.progress_label = QLabel(self)
        self.progress_label.setObjectName("judgingProgress")
        who = QHBoxLayout()
        who.addWidget(self.judge_label)
        who.addWidget(self.judge_combo, 1)
        who.addWidget(self.start_button)
        who.addStretch(1)
        who.addWidget(self.progress_label)

        self.instruction_box = QGroupBox(self)
        self.instruction_label = QLabel(self.instruction_box)
        self.instruction_label.setObjectName("roundDetails")
        self.instruction_view = self._text_view("instructionView")
        self.instruction_view.setMaximumHeight(110)
        box = QVBoxLayout(self.instruction_box)
        box.addWidget(self.instruction_label)
        box.addWidget(self.instruction_view)

        self.answer_a = self._text_view("answerA")
        self.answer_b = self._text_view("answerB")
        self.title_a, self.title_b = QLabel("A", self), QLabel("B", self)
        answers = QHBoxLayout()
        for title, view in ((self.title_a, self.answer_a), (self.title_b, self.answer_b)):
            font = QFont(title.font())
            font.setBold(True)
            font.setPointSizeF(font.pointSizeF() * 1.4)
            title.setFont(font)
            side = QVBoxLayout()
            side.addWidget(title)
            side.addWidget(view, 1)
            answers.addLayout(side, 1)
        # Reading side by side: scrolling one answer scrolls the other to the same place.
        bar_a, bar_b = self.answer_a.verticalScrollBar(), self.answer_b.verticalScrollBar()
        bar_a.valueChanged.connect(lambda v: bar_b.setValue(round(v * bar_b.maximum() / max(bar_a.maximum(), 1))))
        self.reveal_label = QLabel(self)
        self.reveal_label.setObjectName("revealLine")
        self.reveal_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.reveal_label.setWordWrap(True)

        self.better_a, self.tie, self.better_b = QPushButton(self), QPushButton(self), QPushButton(self)
        self.better_a.clicked.connect(lambda: self.give_verdict("a"))
        self.tie.clicked.connect(lambda: self.give_verdict("tie"))
        self.better_b.clicked.connect(lambda: self.give_verdict("b"))
        self.undo_button = QPushButton(self)
        self.undo_button.clicked.connect(self.undo_last)
        buttons = QHBoxLayout()
        buttons.addWidget(self.better_a, 2)
        buttons.addWidget(self.tie, 1)
        buttons.addWidget(self.better_b, 2)
        buttons.addSpacing(24)
        buttons.addWidget(self.undo_button)
        for button in (self.better_a, self.tie, self.better_b, self.undo_button):
            # The keys judge; a focused button would only take Space away from "next round".
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.message = QLabel(self)
        self.message.setObjectName("judgingMessage")
        self.message.setWordWrap(True)

        self.judge_page = QWidget(self)
        page = QVBoxLayout(self.judge_page)
        page.addLayout(who)
        page.addWidget(self.instruction_box)
        page.addLayout(answers, 1)
        page.addWidget(self.reveal_label)
        page.addLayout(buttons)
        page.addWidget(self.message)
        self.results = ResultsView(run, self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.judge_page, "")
        self.tabs.addTab(self.results, "")
        self.tabs.currentChanged.connect(self._tab_changed)
        outer = QVBoxLayout(self)
        outer.addWidget(self.tabs)

        self._shortcuts: list[QShortcut] = []
        for keys, verdict in ((("A", "Left"), "a"), (("T", "Down"), "tie"), (("B", "Right"), "b")):
            for key in keys:
                self._shortcut(key, lambda v=verdict: self._judging_key(v))  # type: ignore[misc]
        self._shortcut("Space", self._advance_key)
        self._shortcut("Ctrl+Z", self.undo_last)
        self.setMinimumSize(720, 520)
        self.remembered_geometry = RememberedGeometry(self, _GEOMETRY_KEY, QSize(1400, 900))
        self._fill_judges()
        self.retranslate()
        self._show_round()

    def _text_view(self, name: str) -> QPlainTextEdit:
        view = QPlainTextEdit(self)
        view.setObjectName(name)
        view.setReadOnly(True)
        # Keys belong to the judging; the mouse still scrolls and selects.
        view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        return view

    def _shortcut(self, key: str, slot: object) -> None:
        shortcut = QShortcut(QKeySequence(key), self.judge_page)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(slot)
        self._shortcuts.append(shortcut)

    def _fill_judges(self) -> None:
        try:
            names = self.store.judges()
        except ZiyaError as exc:  # a damaged verdicts file: shown, and judging stays refused until it is fixed
            self._error(exc)
            names = []
        self.judge_combo.clear()
        self.judge_combo.addItems(names)
        self.judge_combo.setCurrentText("")

    # -- texts ---------------------------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def retranslate(self) -> None:
        """Set every text in the current UI language."""
        self.setWindowTitle(self.tr("Judge — {run}").format(run=self.run.name))
        self.tabs.setTabText(0, self.tr("&Judge"))
        self.tabs.setTabText(1, self.tr("&Results"))
        self.judge_label.setText(self.tr("Judge:"))
        line_edit = self.judge_combo.lineEdit()
        if line_edit is not None:
            line_edit.setPlaceholderText(self.tr("Your name"))
        self.start_button.setText(self.tr("Start judging"))
        self.instruction_box.setTitle(self.tr("Instruction"))
        self.better_a.setText(self.tr("A is better  (A / ←)"))
        self.tie.setText(self.tr("Tie  (T / ↓)"))
        self.better_b.setText(self.tr("B is better  (B / →)"))
        self.undo_button.setText(self.tr("Undo last  (Ctrl+Z)"))
        self._show_round()

    # -- judging -------------------------------------------------------------------------------------------------

    def start_from_combo(self) -> None:
        self.start(self.judge_combo.currentText())

    def start(self, judge: str) -> bool:
        """Start (or carry on) judging as ``judge``: their rounds not judged yet, in their order; False (with a
        message) for a name that is not one, or a run that cannot be read."""
        self._reveal_timer.stop()
        try:
            name = check_judge_name(judge)
            rounds = self.store.all_rounds_for(name)
            done = {(j.prompt_id, j.pair): j for j in self.store.judgements() if j.judge == name}
        except ZiyaError as exc:  # a bad name, or run files that cannot be read: said in the window
            self._error(exc)
            return False
        by_key = {(r.prompt.id, r.pair): r for r in rounds}
        self.judge = name
        self._total = len(rounds)
        self._remaining = [r for r in rounds if (r.prompt.id, r.pair) not in done]
        # Judged earlier (also in an earlier sitting): Undo can bring them back, the latest first.
        self._judged = [by_key[key] for key in done if key in by_key]
        if self.judge_combo.findText(name) < 0:
            self.judge_combo.addItem(name)
        self.judge_combo.setCurrentText(name)
        self.revealing = False
        self.message.clear()
        self.next_round()
        return True

    def next_round(self) -> None:
        """Show the next round (after a reveal); the end of the rounds when there is none left."""
        self._reveal_timer.stop()
        self.revealing = False
        self.current = self._remaining.pop(0) if self._remaining else None
        self.reveal_label.clear()
        self._show_round()
        self.judge_page.setFocus()

    def give_verdict(self, verdict: Verdict) -> bool:
        """Record ``verdict`` on the round shown and reveal its names; False when there is no round to judge."""
        if self.judge is None or self.current is None or self.revealing:
            return False
        judged = self.current
        try:
            self.store.record(self.judge, judged.prompt.id, judged.pair, judged.left, verdict)
        except ZiyaError as exc:  # not saved: the round stays, to be judged again
            self._error(exc)
            return False
        self._judged.append(judged)
        self.revealing = True
        self.reveal_label.setText(self._reveal_text(judged, verdict))
        self._show_progress()
        self._set_buttons()
        self._reveal_timer.start()
        return True

    def undo_last(self) -> bool:
        """Bring the last judged round back to be judged again (its verdict stands until a new one is given)."""
        if self.judge is None or not self._judged:
            return False
        self._reveal_timer.stop()
        if self.current is not None and not self.revealing:
            self._remaining.insert(0, self.current)
        self.current = self._judged.pop()
        self.revealing = False
        self.reveal_label.setText(
            self.tr("Judge this round again; your earlier verdict stands until you give a new one.")
        )
        self.message.clear()
        self._show_round()
        return True

    def _judging_key(self, verdict: Verdict) -> None:
        if self.revealing:
            self.next_round()
        else:
            self.give_verdict(verdict)

    def _advance_key(self) -> None:
        if self.revealing:
            self.next_round()

    def _reveal_text(self, judged: Round, verdict: Verdict) -> str:
        names = self.tr("A was {a}, B was {b}").format(a=judged.left, b=judged.right)
        if verdict == "tie":
            return self.tr("{names} — you called it a tie.").format(names=names)
        winner = judged.winner(verdict)
        return self.tr("{names} — you preferred {winner}.").format(names=names, winner=winner)

    # -- showing -------------------------------------------------------------------------------------------------

    def _show_round(self) -> None:
        shown = self.current
        if shown is None:
            self.instruction_label.clear()
            self.instruction_view.clear()
            self.answer_a.clear()
            self.answer_b.clear()
            if self.judge is None:
                self.instruction_view.setPlaceholderText(self.tr("Type your name above and press Enter to start."))
            elif self._total == 0:
                self.message.setText(self.tr("This run has no pair of answers to judge yet."))
            else:
                self.message.setText(self.tr("All {total} rounds judged. Thank you!").format(total=self._total))
        else:
            prompt = shown.prompt
            language = self.tr("Chinese") if prompt.language == "zh" else self.tr("English")
            difficulty = self.tr("hard") if prompt.difficulty == "hard" else self.tr("easy")
            self.instruction_label.setText(
                self.tr("{genre} · {language} · {difficulty} · {id}").format(
                    genre=genre_label(prompt.genre), language=language, difficulty=difficulty, id=prompt.id
                )
            )
            self.instruction_view.setPlainText(prompt.instruction)
            self.answer_a.setPlainText(shown.left_text)
            self.answer_b.setPlainText(shown.right_text)
        self._show_progress()
        self._set_buttons()

    def _show_progress(self) -> None:
        if self.judge is None:
            self.progress_label.clear()
            return
        done = self._total - len(self._remaining) - (1 if self.current is not None and not self.revealing else 0)
        self.progress_label.setText(self.tr("{done} / {total}").format(done=done, total=self._total))

    def _set_buttons(self) -> None:
        can_judge = self.current is not None and not self.revealing
        for button in (self.better_a, self.tie, self.better_b):
            button.setEnabled(can_judge)
        self.undo_button.setEnabled(bool(self._judged))

    def _error(self, exc: ZiyaError) -> None:
        hint = localized_hint(exc.hint)
        self.message.setText(f"{error_message(exc)}\n{hint}" if hint else error_message(exc))

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.results:
            self.results.refresh()
        else:
            self.judge_page.setFocus()

    def closeEvent(self, event: object) -> None:
        # Every verdict is on disk already; only the reveal's timer is stopped.
        self._reveal_timer.stop()
        self.remembered_geometry.save()
        super().closeEvent(event)  # type: ignore[arg-type]
