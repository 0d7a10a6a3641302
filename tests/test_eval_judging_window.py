"""The judging window, driven for real through the keyboard: a run of two tiny GGUFs (F16 and Q4_K_M) over three
prompts made by the runner, judged by two judges; names hidden until a verdict, each judge's own order and sides,
stable across reopening; Undo; the Results tab's figures against win_rates; the Markdown and CSV exports."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import csv
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from ziya_desktop.engine.engine import LoadOptions
from ziya_desktop.engine.sampling import MODEL_CARD
from ziya_desktop.evaluation.contenders import Contender
from ziya_desktop.evaluation.judgements import JudgementStore
from ziya_desktop.evaluation.prompt_sets import EvalPrompt, PromptSet
from ziya_desktop.evaluation.report import interval_text, percent
from ziya_desktop.evaluation.run_store import EvalRun
from ziya_desktop.evaluation.runner import local_engine_factory, run_answers
from ziya_desktop.evaluation.win_rates import pair_results
from ziya_desktop.ui.evaluation.judging_window import JudgingWindow
from ziya_desktop.ui.evaluation.new_run_dialog import NewRunDialog
from ziya_desktop.ui.shell.main_window import MainWindow

NAMES = ("f16", "q4")
# Long enough that only a key moves on from a reveal: nothing in these tests waits on a timer.
NEVER_MS = 10_000_000

PROMPTS = PromptSet(
    "three",
    (
        EvalPrompt("letter-1", "letter", "en", "easy", "Write a short thank-you note to a colleague."),
        EvalPrompt("speech-1", "speech", "zh", "hard", "写一段开业致辞。"),
        EvalPrompt("copy-1", "copy", "zh", "easy", "为一款茶饮写一句广告语。"),
    ),
)


@pytest.fixture(scope="module")
def made_run(tiny_gguf: Callable[[str], Path], q4: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run folder: both contenders' answers to the three prompts, made by the runner with llama.cpp."""
    folder = tmp_path_factory.mktemp("eval") / "run"
    sampling = MODEL_CARD.with_(max_tokens=12)
    contenders = [
        Contender("f16", model=tiny_gguf("f16"), sampling=sampling, seed=7),
        Contender("q4", model=q4, sampling=sampling, seed=7),
    ]
    run = EvalRun.create(folder, PROMPTS, contenders, name="tiny")
    made = run_answers(run, engine_factory=local_engine_factory(LoadOptions(gpu_layers=0, n_ctx=512, threads=2)))
    assert made == 6
    assert all(a.error is None for a in run.answers().values())
    return folder


@pytest.fixture()
def run(made_run: Path, tmp_path: Path) -> EvalRun:
    """A copy of the made run for one test (its verdicts are the test's own)."""
    return EvalRun.open(Path(shutil.copytree(made_run, tmp_path / "run")))


@pytest.fixture()
def open_window(qtbot: QtBot) -> Iterator[Callable[[EvalRun], JudgingWindow]]:
    """Factory: the real judging window on a run, shown and active (its keys are window shortcuts)."""
    made: list[JudgingWindow] = []

    def make(run: EvalRun) -> JudgingWindow:
        window = JudgingWindow(run, reveal_ms=NEVER_MS)
        qtbot.addWidget(window)
        made.append(window)
        with qtbot.waitActive(window):
            window.show()
            window.activateWindow()
        return window

    yield make
    for window in made:
        window.close()


def start(qtbot: QtBot, window: JudgingWindow, judge: str) -> None:
    """Type the judge's name into the combo and press Enter, as a judge does."""
    line_edit = window.judge_combo.lineEdit()
    assert line_edit is not None
    line_edit.clear()
    qtbot.keyClicks(line_edit, judge)
    qtbot.keyClick(line_edit, Qt.Key.Key_Return)
    assert window.judge == judge


def label_texts(window: JudgingWindow) -> str:
    return "\n".join(label.text() for label in window.findChildren(QLabel)) + window.windowTitle()


def shown(window: JudgingWindow) -> tuple[str, str, str]:
    """The round on screen: its instruction and the A and B answers, as the judge reads them."""
    return (
        window.instruction_view.toPlainText(),
        window.answer_a.toPlainText(),
        window.answer_b.toPlainText(),
    )


def test_two_judges_judge_through_the_keyboard(qtbot: QtBot, run: EvalRun, open_window: Callable) -> None:
    window = open_window(run)
    start(qtbot, window, "Li")
    assert window.progress_label.text() == "0 / 3"
    store = JudgementStore(run)
    answers = run.answers()
    keys = [(Qt.Key.Key_A, "a"), (Qt.Key.Key_Right, "b"), (Qt.Key.Key_Down, "tie")]
    for number, (key, verdict) in enumerate(keys, start=1):
        current = window.current
        assert current is not None
        # What the judge reads is the round's instruction and the two contenders' real answers, in its placement.
        assert shown(window) == (
            current.prompt.instruction,
            answers[current.left, current.prompt.id].text,
            answers[current.right, current.prompt.id].text,
        )
        assert not any(name in label_texts(window) for name in NAMES), "a name shows before the verdict"
        qtbot.keyClick(window, key)
        latest = store.latest("Li", current.prompt.id, current.pair)
        assert latest is not None and latest.verdict == verdict and latest.left == current.left
        assert latest.winner == {"a": current.left, "b": current.right}.get(verdict)
        reveal = window.reveal_label.text()
        assert f"A was {current.left}, B was {current.right}" in reveal
        assert window.progress_label.text() == f"{number} / 3"
        # The next key ends the reveal (and judges nothing).
        qtbot.keyClick(window, Qt.Key.Key_Space if number < 3 else Qt.Key.Key_T)
        assert len(store.all_records()) == number
    assert window.current is None and "All 3 rounds judged" in window.message.text()
    assert [j.verdict for j in store.judgements()] == ["a", "b", "tie"]

    # A second judge, in the same window: another order, other sides.
    li_rounds = [(r.prompt.id, r.left) for r in store.all_rounds_for("Li")]
    start(qtbot, window, "Wang")
    wang_seen = []
    while window.current is not None:
        wang_seen.append((window.current.prompt.id, window.current.left))
        qtbot.keyClick(window, Qt.Key.Key_B)
        qtbot.keyClick(window, Qt.Key.Key_Space)
    assert sorted(p for p, _ in wang_seen) == sorted(p for p, _ in li_rounds)
    assert wang_seen != li_rounds
    assert len(store.judgements()) == 6
    assert sorted(window.judge_combo.itemText(i) for i in range(window.judge_combo.count())) == ["Li", "Wang"]


def test_order_and_sides_stay_across_reopening(qtbot: QtBot, run: EvalRun, open_window: Callable) -> None:
    first = open_window(run)
    start(qtbot, first, "Zhao")
    planned = [first.current, *first._remaining]
    seen_first = shown(first)
    first.close()

    again = open_window(EvalRun.open(run.folder))
    assert again.judge_combo.count() == 0  # nobody has judged yet: no names to offer
    start(qtbot, again, "Zhao")
    assert again.current == planned[0] and shown(again) == seen_first
    qtbot.keyClick(again, Qt.Key.Key_Left)
    again.close()  # the verdict is on disk already

    third = open_window(EvalRun.open(run.folder))
    assert [third.judge_combo.itemText(i) for i in range(third.judge_combo.count())] == ["Zhao"]
    start(qtbot, third, "Zhao")
    assert third.current == planned[1]
    assert third.progress_label.text() == "1 / 3"


def test_undo_brings_the_last_round_back(qtbot: QtBot, run: EvalRun, open_window: Callable) -> None:
    window = open_window(run)
    start(qtbot, window, "Li")
    planned = [window.current, *window._remaining]
    qtbot.keyClick(window, Qt.Key.Key_A)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.keyClick(window, Qt.Key.Key_T)  # the second round: a tie
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.current == planned[2] and window.progress_label.text() == "2 / 3"
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    second = planned[1]
    assert window.current == second and window.progress_label.text() == "1 / 3"
    assert not any(name in label_texts(window) for name in NAMES)
    qtbot.keyClick(window, Qt.Key.Key_B)  # thought again: B is better
    store = JudgementStore(run)
    assert len(store.all_records()) == 3
    assert store.latest("Li", second.prompt.id, second.pair).winner == second.right
    assert store.latest("Li", planned[0].prompt.id, planned[0].pair).winner == planned[0].left
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.current == planned[2]  # and on from where the judge was
    # Undo twice goes back through the rounds, the latest first.
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.current == planned[0] and window.progress_label.text() == "0 / 3"


def test_a_bad_name_is_refused_in_the_window(qtbot: QtBot, run: EvalRun, open_window: Callable) -> None:
    window = open_window(run)
    qtbot.keyClick(window.judge_combo.lineEdit(), Qt.Key.Key_Return)
    assert window.judge is None and "not a judge's name" in window.message.text()
    qtbot.keyClick(window, Qt.Key.Key_A)
    assert JudgementStore(run).all_records() == []


def judge_all(qtbot: QtBot, window: JudgingWindow, judge: str, keys: list[Qt.Key]) -> None:
    start(qtbot, window, judge)
    for key in keys:
        qtbot.keyClick(window, key)
        qtbot.keyClick(window, Qt.Key.Key_Space)


def test_the_results_tab_shows_win_rates_figures_and_exports(
    qtbot: QtBot, run: EvalRun, open_window: Callable, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_window(run)
    judge_all(qtbot, window, "Li", [Qt.Key.Key_A, Qt.Key.Key_A, Qt.Key.Key_T])
    judge_all(qtbot, window, "Wang", [Qt.Key.Key_B, Qt.Key.Key_T])  # one round left unjudged
    window.tabs.setCurrentWidget(window.results)
    expected = pair_results(JudgementStore(run).judgements(), list(NAMES))[0]
    assert expected.n == 5
    table = window.results.table
    row = [table.item(0, c).text() for c in range(table.columnCount())]
    assert row == [
        "f16 vs q4",
        percent(expected.win_rate),
        percent(expected.max_rate),
        percent(expected.min_rate),
        "5",
        interval_text(expected.interval),
        expected.reading.value,
    ]
    genres = {p.id: p.genre for p in run.prompt_set.prompts}
    genre_table = window.results.genre_table
    assert genre_table.rowCount() == 3
    for r in range(3):
        genre = {"Letter (书信)": "letter", "Speech (讲稿)": "speech", "Copywriting (文案)": "copy"}[
            genre_table.item(r, 0).text()
        ]
        by_genre = pair_results(JudgementStore(run).judgements(), list(NAMES), genres=genres, genre=genre)[0]
        assert genre_table.item(r, 2).text() == percent(by_genre.win_rate)
        assert genre_table.item(r, 5).text() == str(by_genre.n)

    markdown, table_csv = tmp_path / "out" / "results.md", tmp_path / "out" / "results.csv"
    markdown.parent.mkdir()
    monkeypatch.setattr(window.results, "ask_save_path", lambda fmt: markdown if fmt == "markdown" else table_csv)
    qtbot.mouseClick(window.results.export_markdown, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.results.export_csv, Qt.MouseButton.LeftButton)
    text = markdown.read_text(encoding="utf-8")
    assert f"| f16 vs q4 | {percent(expected.win_rate)} | {percent(expected.max_rate)} |" in text
    assert "## By genre" in text
    with table_csv.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    overall = next(r for r in rows if r["genre"] == "all")
    assert (overall["first"], overall["second"], overall["judgements"]) == ("f16", "q4", "5")
    assert float(overall["win_rate"]) == pytest.approx(expected.win_rate, abs=5e-5)
    assert overall["judges"] == "Li;Wang"
    assert {r["genre"] for r in rows} == {"all", "letter", "speech", "copy"}
    assert "Saved" in window.results.message.text()


def test_an_export_that_cannot_be_written_says_so(
    qtbot: QtBot, run: EvalRun, open_window: Callable, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_window(run)
    window.tabs.setCurrentWidget(window.results)
    monkeypatch.setattr(window.results, "ask_save_path", lambda _fmt: tmp_path / "no-such-folder" / "r.md")
    qtbot.mouseClick(window.results.export_markdown, Qt.MouseButton.LeftButton)
    assert "Could not write" in window.results.message.text()
    assert not (tmp_path / "no-such-folder").exists()


def test_the_judging_window_in_chinese(
    qtbot: QtBot, run: EvalRun, open_window: Callable, chinese_ui: QApplication
) -> None:
    # Needs the Chinese translation of the new strings compiled into resources/translations/ziya_zh_CN.qm.
    window = open_window(run)
    start(qtbot, window, "Li")
    texts = [window.better_a.text(), window.tie.text(), window.better_b.text(), window.undo_button.text()]
    texts += [window.start_button.text(), window.tabs.tabText(1), window.instruction_label.text()]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in texts), texts
    qtbot.keyClick(window, Qt.Key.Key_A)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in window.reveal_label.text())


# -- the Evaluation menu and the New Evaluation Run dialog ---------------------------------------------------------


def test_the_evaluation_menu_opens_a_run_in_the_judging_window(
    window: MainWindow, run: EvalRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    menu = window.menu_actions.menus["evaluation"]
    assert menu.title() == "E&valuation"
    assert [a.text() for a in menu.actions()] == ["&New Evaluation Run…", "&Open Evaluation Run…"]
    monkeypatch.setattr(window.evaluation, "ask_run_folder", lambda: run.folder)
    window.menu_actions.evaluation.open_run.trigger()
    judging = window.evaluation.judging_windows[run.folder.resolve()]
    assert judging.isVisible() and judging.run.name == "tiny"
    # Not a run: the notice strip says so, and no window opens.
    monkeypatch.setattr(window.evaluation, "ask_run_folder", lambda: tmp_path)
    window.menu_actions.evaluation.open_run.trigger()
    assert "run.json is missing" in window.notice.text()
    assert list(window.evaluation.judging_windows) == [run.folder.resolve()]


def write_prompts(path: Path) -> Path:
    lines = [
        {"id": "n1", "genre": "letter", "language": "en", "difficulty": "easy", "instruction": "Thank a friend."},
        {"id": "n2", "genre": "copy", "language": "zh", "difficulty": "easy", "instruction": "写一句咖啡广告语。"},
    ]
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n", encoding="utf-8")
    return path


def new_run_dialog(
    qtbot: QtBot, tiny_gguf: Callable[[str], Path], q4: Path, tmp_path: Path, **kwargs: Any
) -> NewRunDialog:
    dialog = NewRunDialog(load_options=LoadOptions(gpu_layers=0, n_ctx=512, threads=2), **kwargs)
    qtbot.addWidget(dialog)
    dialog.folder_edit.setText(str(tmp_path / "new-run"))
    dialog.add_model(tiny_gguf("f16"))
    dialog.add_model(q4)
    dialog.set_prompt_file(write_prompts(tmp_path / "prompts.jsonl"))
    dialog.max_tokens_spin.setValue(8)
    return dialog


def test_a_new_run_is_made_in_the_background_and_opens_for_judging(
    qtbot: QtBot, tiny_gguf: Callable[[str], Path], q4: Path, tmp_path: Path
) -> None:
    dialog = new_run_dialog(qtbot, tiny_gguf, q4, tmp_path)
    assert dialog.checked_models() == [tiny_gguf("f16"), q4]
    with qtbot.waitSignal(dialog.runReady, timeout=120_000) as ready:
        assert dialog.start()
    assert ready.args == [tmp_path / "new-run"]
    qtbot.waitUntil(lambda: not dialog.runner.running, timeout=120_000)
    run = EvalRun.open(tmp_path / "new-run")
    assert [c.name for c in run.contenders] == ["tiny-f16", "tiny-q4_k_m"]
    assert len(run.answers()) == 4 and run.missing() == []
    assert dialog.progress_bar.value() == dialog.progress_bar.maximum() == 4
    assert "All 4 answers are made" in dialog.status_label.text()
    assert dialog.judge_button.isEnabled()


def test_stop_keeps_what_was_made_and_start_resumes(
    qtbot: QtBot, tiny_gguf: Callable[[str], Path], q4: Path, tmp_path: Path
) -> None:
    dialog = new_run_dialog(qtbot, tiny_gguf, q4, tmp_path)
    assert dialog.start()
    dialog.stop()  # before the first model finished loading: nothing is made
    qtbot.waitUntil(lambda: not dialog.runner.running, timeout=120_000)
    run = EvalRun.open(tmp_path / "new-run")
    assert len(run.missing()) == 4
    assert "Start resumes the run" in dialog.status_label.text()
    assert not dialog.judge_button.isEnabled()
    # The same folder again: the run is opened and finished, not made anew.
    with qtbot.waitSignal(dialog.runReady, timeout=120_000):
        assert dialog.start()
    qtbot.waitUntil(lambda: not dialog.runner.running, timeout=120_000)
    assert run.missing() == [] and len(run.answers()) == 4


def test_the_editors_model_is_unloaded_first_when_the_writer_agrees(
    qtbot: QtBot, tiny_gguf: Callable[[str], Path], q4: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unloads: list[bool] = []
    dialog = new_run_dialog(
        qtbot,
        tiny_gguf,
        q4,
        tmp_path,
        editor_model_loaded=lambda: True,
        unload_editor_model=lambda: unloads.append(True),
    )
    monkeypatch.setattr(dialog, "confirm_unload", lambda: False)
    assert not dialog.start()
    assert unloads == [] and not dialog.runner.running
    monkeypatch.setattr(dialog, "confirm_unload", lambda: True)
    with qtbot.waitSignal(dialog.runReady, timeout=120_000):
        assert dialog.start()
    assert unloads == [True]
    qtbot.waitUntil(lambda: not dialog.runner.running, timeout=120_000)


def test_a_run_needs_two_models(qtbot: QtBot, q4: Path, tmp_path: Path) -> None:
    dialog = NewRunDialog()
    qtbot.addWidget(dialog)
    dialog.folder_edit.setText(str(tmp_path / "one"))
    dialog.add_model(q4)
    assert not dialog.start()
    assert "contender" in dialog.status_label.text().lower()
    assert not (tmp_path / "one" / "run.json").exists()
