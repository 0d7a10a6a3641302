"""The sampling settings dialog on Qt's offscreen platform: round trip, model card reset, OK and Cancel."""

from __future__ import annotations

import os

# Before Qt is imported and before pytest-qt creates the QApplication: no display needed, no window on screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QDialogButtonBox
from pytestqt.qtbot import QtBot

from ziya_desktop.engine.sampling import MODEL_CARD, MODEL_CARD_MAX_NEW_TOKENS, SamplingParams
from ziya_desktop.ui.generation.sampling_dialog import SamplingDialog

CUSTOM = SamplingParams(
    temperature=0.3,
    top_p=0.95,
    top_k=40,
    min_p=0.05,
    repeat_penalty=1.15,
    repeat_last_n=128,
    max_tokens=512,
    seed=20261125,
    ignore_eos=True,
)


@pytest.fixture
def dialog(qtbot: QtBot) -> SamplingDialog:
    widget = SamplingDialog()
    qtbot.addWidget(widget)
    return widget


def test_starts_at_the_model_card(dialog: SamplingDialog) -> None:
    assert dialog.params() == MODEL_CARD
    assert dialog.random_seed_check.isChecked() and not dialog.seed_spin.isEnabled()
    assert dialog.max_tokens_spin.maximum() == MODEL_CARD_MAX_NEW_TOKENS
    assert not dialog.note_label.isVisibleTo(dialog)


@pytest.mark.parametrize(
    "params",
    [
        CUSTOM,
        MODEL_CARD,
        SamplingParams(temperature=0.0, top_p=0.05, repeat_penalty=2.0, max_tokens=1, seed=0),
        SamplingParams(temperature=2.0, top_p=1.0, repeat_penalty=1.0, max_tokens=MODEL_CARD_MAX_NEW_TOKENS),
        SamplingParams(temperature=0.85, top_p=0.7, repeat_penalty=1.05, max_tokens=300, seed=(1 << 31) - 1),
    ],
)
def test_values_round_trip(dialog: SamplingDialog, params: SamplingParams) -> None:
    dialog.set_params(params)
    assert dialog.params() == params


def test_edits_show_in_params_and_hidden_settings_pass_through(qtbot: QtBot, dialog: SamplingDialog) -> None:
    dialog.set_params(CUSTOM)
    dialog.temperature_spin.setValue(1.25)
    dialog.max_tokens_spin.setValue(1024)
    QTest.mouseClick(dialog.random_seed_check, Qt.MouseButton.LeftButton)
    assert dialog.random_seed_check.isChecked() and not dialog.seed_spin.isEnabled()
    assert dialog.params() == CUSTOM.with_(temperature=1.25, max_tokens=1024, seed=None)
    dialog.random_seed_check.setChecked(False)
    assert dialog.seed_spin.isEnabled()
    assert dialog.params().seed == CUSTOM.seed


def test_out_of_range_values_are_clamped(dialog: SamplingDialog) -> None:
    dialog.set_params(SamplingParams(temperature=5.0, repeat_penalty=0.8, max_tokens=9999))
    params = dialog.params()
    assert (params.temperature, params.repeat_penalty, params.max_tokens) == (2.0, 1.0, MODEL_CARD_MAX_NEW_TOKENS)


def test_reset_restores_the_model_card(qtbot: QtBot, dialog: SamplingDialog) -> None:
    dialog.set_params(CUSTOM)
    reset = dialog.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
    assert reset.text() == "Reset to model card defaults"
    QTest.mouseClick(reset, Qt.MouseButton.LeftButton)
    assert dialog.params() == MODEL_CARD
    assert not dialog.result()  # resetting does not close the dialog


def test_note_for_template_overrides(qtbot: QtBot) -> None:
    dialog = SamplingDialog(note="Overrides for the template “通知”")
    qtbot.addWidget(dialog)
    assert dialog.note_label.isVisibleTo(dialog)
    assert dialog.note_label.text() == "Overrides for the template “通知”"
    dialog.set_note("")
    assert not dialog.note_label.isVisibleTo(dialog)


@pytest.mark.parametrize(
    ("button", "expected"),
    [
        (QDialogButtonBox.StandardButton.Ok, QDialog.DialogCode.Accepted),
        (QDialogButtonBox.StandardButton.Cancel, QDialog.DialogCode.Rejected),
    ],
)
def test_ok_and_cancel(
    qtbot: QtBot, dialog: SamplingDialog, button: QDialogButtonBox.StandardButton, expected: QDialog.DialogCode
) -> None:
    dialog.set_params(CUSTOM)

    def press() -> None:
        dialog.temperature_spin.setValue(0.5)
        QTest.mouseClick(dialog.buttons.button(button), Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, press)
    assert dialog.exec() == expected
    assert dialog.params() == CUSTOM.with_(temperature=0.5)
