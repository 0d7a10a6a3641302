"""The real main window, offscreen, with the tiny GGUF our converter makes: the whole writing loop end to end.

Pick a template, fill it, draft, watch text arrive in batches while the event loop keeps ticking, stop, undo the
generation in one step, continue, regenerate and switch alternatives, rewrite a selection and accept it, save,
reopen, and export to HTML, PDF and DOCX.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json
import re
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import docx
import helpers
import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from ziya_desktop.engine.engine import Engine, LoadReport
from ziya_desktop.engine.sampling import MODEL_CARD, SamplingParams
from ziya_desktop.ui.common.settings import settings
from ziya_desktop.ui.generation.writing_commands import SAMPLING_KEY
from ziya_desktop.ui.shell.main_window import MainWindow
from ziya_desktop.writing.actions import ActionKind

pytestmark = pytest.mark.slow

WAIT_MS = 120_000


def set_sampling(**changes: object) -> None:
    settings().setValue(SAMPLING_KEY, json.dumps(asdict(replace(MODEL_CARD, **changes))))  # type: ignore[arg-type]


@pytest.fixture()
def window(main_window: Callable[..., MainWindow]) -> MainWindow:
    return main_window(lang="zh")


def load(qtbot: QtBot, window: MainWindow, model: Path) -> None:
    window.writing.load_options = replace(window.writing.load_options, threads=1)
    with qtbot.waitSignal(window.engine.loaded, timeout=WAIT_MS):
        window.writing.load_model(model)
    assert "CPU" in window.status.model_label.text()


def wait_idle(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.generation.busy, timeout=WAIT_MS)


def test_without_a_model_the_app_edits_and_explains(qtbot: QtBot, window: MainWindow) -> None:
    tab = window.current_tab()
    assert tab is not None
    qtbot.keyClicks(tab.editor, "hello")
    window.writing.continue_writing()
    assert window.notice.isVisible()
    assert "No model is loaded" in window.notice.text()
    assert window.notice.action_button.isVisible()
    assert tab.text() == "hello"
    assert not window.generation.busy


def test_the_writing_loop_end_to_end(qtbot: QtBot, window: MainWindow, q4: Path, tmp_path: Path) -> None:
    # The tiny model's weights are random: without ignore_eos it may end any answer at its first token.
    set_sampling(max_tokens=600, seed=7, ignore_eos=True)
    load(qtbot, window, q4)

    # Pick a template and fill it; the preview shows the prompt that will be sent.
    panel = window.templates
    assert panel.select_template("gongwen.notice")
    template = panel.current_template()
    assert template is not None
    values = helpers.fill_template(template)
    panel.form.set_values(values)
    expected_prompt = template.prompt(panel.form.values(), "zh")
    qtbot.waitUntil(lambda: panel.preview.toPlainText() == expected_prompt)

    # Draft: the fixed parts are laid out and the body streams in batches while the event loop keeps ticking.
    tab = window.current_tab()
    assert tab is not None
    ticks: list[int] = []
    heartbeat = QTimer()
    heartbeat.setInterval(5)
    heartbeat.timeout.connect(lambda: ticks.append(1))
    heartbeat.start()
    chunks: list[int] = []
    window.generation.progress.connect(lambda n, _rate, _ctx: chunks.append(n))
    batches: list[int] = []
    tab.editor.textChanged.connect(lambda: batches.append(len(tab.text())))
    panel.draft_button.click()
    assert window.generation.busy
    qtbot.waitUntil(lambda: len(batches) >= 4 or not window.generation.busy, timeout=WAIT_MS)
    assert window.generation.busy, f"the generation ended early: {window.notice.text()!r}"
    ticks_while_streaming = len(ticks)
    with qtbot.waitSignal(window.generation.ended, timeout=WAIT_MS) as ended:
        window.menu_actions.writing.stop.trigger()  # Esc
    assert ended.args is not None and ended.args[0].stats.stop_reason == "cancelled"
    heartbeat.stop()
    assert ticks_while_streaming >= 2, "the GUI thread must keep processing events while text streams in"
    assert max(chunks) > len(batches) >= 4, "chunks are inserted in batches, not one by one"
    drafted = tab.text()
    rendered = template.render(panel.form.values(), "zh")
    assert drafted.startswith(rendered.header.strip("\n"))
    assert drafted.rstrip().endswith(rendered.footer.strip("\n").rstrip())
    assert len(drafted) > len(rendered.header) + len(rendered.footer) + 4
    assert tab.layout_kind == "gongwen"
    assert not window.menu_actions.writing.stop.isEnabled()

    # The whole draft (laid-out parts and streamed body) is one undo step.
    tab.editor.undo()
    assert tab.text() == ""
    tab.editor.redo()
    assert tab.text() == drafted

    # Continue from the end of the document.
    set_sampling(max_tokens=24, seed=11, ignore_eos=True)
    cursor = tab.editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    tab.editor.setTextCursor(cursor)
    window.writing.continue_writing()
    wait_idle(qtbot, window)
    continued = tab.text()
    assert continued.startswith(drafted) and len(continued) > len(drafted)
    assert "Context" in window.status.context_label.text() or "上下文" in window.status.context_label.text()

    # Regenerate keeps the earlier version; the writer switches between them.
    alternatives = tab.alternatives
    assert alternatives is not None and len(alternatives.texts) == 1
    first = alternatives.texts[0]
    window.writing.regenerate()
    wait_idle(qtbot, window)
    assert len(alternatives.texts) == 2
    assert tab.text() == drafted + alternatives.texts[1]
    window.writing.switch_alternative(-1)
    assert tab.text() == drafted + first

    # Rewrite a selection: the answer goes to the review; accepting applies it as one undo step.
    before = tab.text()
    cursor = tab.editor.textCursor()
    start = len(rendered.header.strip("\n")) + 2
    cursor.setPosition(start)
    cursor.setPosition(start + 6, cursor.MoveMode.KeepAnchor)
    tab.editor.setTextCursor(cursor)
    selected = cursor.selectedText()
    window.writing.rewrite_selection(ActionKind.POLISH)
    assert window.review_dock.isVisible()
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: window.review.is_finished, timeout=WAIT_MS)
    revised = window.review.final_text()
    # Whitespace around a selection stays in the document: the review works on the selection without it.
    original = window.review.original_text()
    assert original == selected.strip() and original
    window.review.accept_all()
    assert tab.text() == before.replace(original, revised, 1)
    tab.editor.undo()
    assert tab.text() == before
    tab.editor.redo()
    final = tab.text()

    # Save, reopen, export.
    target = tmp_path / "通知.md"
    assert window.files.save_to(tab, target)
    assert not tab.modified
    # The file is the 公文's parts as front matter, then the text.
    assert target.read_text(encoding="utf-8") == tab.file_text()
    assert tab.file_text().startswith("---\nlayout: gongwen\ntemplate: gongwen.notice\n")
    assert tab.file_text().endswith(final)
    window.new_document()
    reopened = window.files.open_path(target)
    assert reopened is tab  # already open: its tab is shown, not a second copy
    other = tmp_path / "copy.md"
    other.write_text(tab.file_text(), encoding="utf-8")
    copy_tab = window.files.open_path(other)
    assert copy_tab is not None and copy_tab.text() == final and copy_tab.parts == tab.parts

    for suffix in (".html", ".pdf", ".docx"):
        assert window.files.export_to(tab, tmp_path / f"out{suffix}"), window.notice.text()
    html = (tmp_path / "out.html").read_text(encoding="utf-8")
    assert tab.parts is not None and tab.parts.title in html  # the title is one of the 公文's parts
    body_line = next(line for line in final.splitlines() if len(line.strip()) >= 8)
    assert body_line.strip()[:8].replace("&", "&amp;").replace("<", "&lt;") in html
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF-")
    paragraphs = "\n".join(p.text for p in docx.Document(str(tmp_path / "out.docx")).paragraphs)
    assert "年度工作会议" in paragraphs


def test_stop_keeps_the_text_and_a_long_document_is_windowed(qtbot: QtBot, window: MainWindow, q4: Path) -> None:
    set_sampling(max_tokens=2000, seed=3, ignore_eos=True)
    load(qtbot, window, q4)
    tab = window.current_tab()
    assert tab is not None
    tab.editor.setPlainText("第一段。" * 3000)
    cursor = tab.editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    tab.editor.setTextCursor(cursor)
    with qtbot.waitSignal(window.generation.windowed, timeout=WAIT_MS) as windowed:
        window.writing.continue_writing()
    assert windowed.args is not None and windowed.args[0] > 0
    assert "left out" in window.notice.text()
    qtbot.waitUntil(lambda: len(tab.text()) > 12_000 + 10, timeout=WAIT_MS)
    window.generation.stop()
    wait_idle(qtbot, window)
    kept = tab.text()
    qtbot.wait(100)
    assert tab.text() == kept and kept.startswith("第一段。" * 3000)


def test_generation_failure_is_shown_and_loses_nothing(qtbot: QtBot, window: MainWindow, q4: Path) -> None:
    load(qtbot, window, q4)
    tab = window.current_tab()
    assert tab is not None
    tab.editor.setPlainText("abc")
    tab.editor.selectAll()
    window.writing.rewrite_selection(ActionKind.REWRITE, instruction="x" * 20_000)
    wait_idle(qtbot, window)
    assert "context window" in window.notice.text()
    assert tab.text() == "abc"


def test_samplings_are_per_template_when_overridden(window: MainWindow) -> None:
    assert window.writing.sampling_for("gongwen.notice") == MODEL_CARD
    set_sampling(temperature=0.5)
    assert window.writing.sampling_for("gongwen.notice").temperature == 0.5
    settings().setValue(
        "sampling/template/gongwen.notice", json.dumps(asdict(SamplingParams(temperature=0.3, top_p=0.9)))
    )
    assert window.writing.sampling_for("gongwen.notice").temperature == 0.3
    assert window.writing.sampling_for("letter.thanks").temperature == 0.5


class ControlByteEngine(Engine):
    """The real engine with a logit bias that leaves the model little but control-character byte tokens
    (``<0x00>`` … ``<0x1F>``, ``<0x7F>``) and a few ordinary ones: what a confused model writes, from llama.cpp's
    own sampler and detokenizer."""

    def load(self, *args: Any, **kwargs: Any) -> LoadReport:
        report = super().load(*args, **kwargs)
        model = self._model
        assert model is not None
        control = {t for t in range(model.n_vocab) if len(p := model.piece(t)) == 1 and (p[0] < 0x20 or p[0] == 0x7F)}
        control -= {t for t in control if model.piece(t) in (b"\t", b"\n")}
        assert len(control) > 20, "the tiny vocabulary has byte tokens for the control characters"
        allowed = control | set(model.tokenize("好的", add_bos=False))
        self._banned = tuple(t for t in range(model.n_vocab) if t not in allowed)
        return report


@pytest.fixture()
def noisy_window(main_window: Callable[..., MainWindow]) -> MainWindow:
    return main_window(engine_factory=ControlByteEngine, lang="zh")


_NOISE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def test_control_characters_from_the_model_never_reach_the_document(
    qtbot: QtBot, noisy_window: MainWindow, q4: Path, tmp_path: Path
) -> None:
    window = noisy_window
    set_sampling(max_tokens=48, seed=5, ignore_eos=True)
    load(qtbot, window, q4)
    tab = window.current_tab()
    assert tab is not None
    tab.editor.insertPlainText("开头。")
    removed: list[int] = []
    window.generation.charactersRemoved.connect(removed.append)
    chunks: list[str] = []
    window.engine.chunk.connect(lambda _id, text: chunks.append(text))

    # Continue: the model's text streams into the document.
    window.writing.continue_writing()
    wait_idle(qtbot, window)
    streamed = "".join(chunks)
    assert _NOISE.search(streamed), "the biased model was expected to write control characters"
    assert len(removed) == 1 and removed[0] == len(_NOISE.findall(streamed))
    assert str(removed[0]) in window.notice.text()
    written = tab.text()
    assert written.startswith("开头。") and not _NOISE.search(written)

    # Rewrite a selection: the review and the accepted text are clean too.
    tab.editor.selectAll()
    window.writing.rewrite_selection(ActionKind.POLISH)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: window.review.is_finished, timeout=WAIT_MS)
    assert len(removed) == 2
    assert not _NOISE.search(window.review.final_text())
    window.review.accept_all()
    final = tab.text()
    assert not _NOISE.search(final)

    # What the app wrote, it opens again.
    target = tmp_path / "生成.md"
    assert window.files.save_to(tab, target)
    window.new_document()
    other = tmp_path / "copy.md"
    other.write_bytes(target.read_bytes())
    reopened = window.files.open_path(other)
    assert reopened is not None, window.notice.text()
    assert reopened.text() == final
