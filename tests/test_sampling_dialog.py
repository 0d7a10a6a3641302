"""The sampling settings dialog on Qt's offscreen platform: round trip, model card reset, OK and Cancel, and only
values that generate (typed NaN, infinities and out-of-range numbers never reach :meth:`SamplingDialog.params`)."""

from __future__ import annotations

import math
import os

# Before Qt is imported and before pytest-qt creates the QApplication: no display needed, no window on screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QDoubleSpinBox
from pytestqt.qtbot import QtBot

from ziya_desktop.engine.sampling import MODEL_CARD, MODEL_CARD_MAX_NEW_TOKENS, SamplingParams, validate_setting
from ziya_desktop.ui.generation import sampling_dialog as dialog_module
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


def _double_spins(dialog: SamplingDialog) -> dict[str, QDoubleSpinBox]:
    return {
        "temperature": dialog.temperature_spin,
        "top_p": dialog.top_p_spin,
        "repeat_penalty": dialog.repeat_penalty_spin,
    }


def test_the_fields_offer_the_ranges_that_generate(dialog: SamplingDialog) -> None:
    """Both ends of every field (and 0.01, the least temperature above 0) are values SamplingParams accepts."""
    expected = {
        "temperature": dialog_module.TEMPERATURE_RANGE,
        "top_p": dialog_module.TOP_P_RANGE,
        "repeat_penalty": dialog_module.REPEAT_PENALTY_RANGE,
    }
    for field, spin in _double_spins(dialog).items():
        assert (spin.minimum(), spin.maximum()) == expected[field]
        assert spin.decimals() == dialog_module.DECIMALS == 2
        for end in (spin.minimum(), spin.maximum()):
            spin.setValue(end)
            assert getattr(dialog.params(), field) == validate_setting(field, end) == end
    dialog.temperature_spin.setValue(0.01)
    assert dialog.params().temperature == 0.01
    dialog.temperature_spin.setValue(0.004)  # below the two decimals: 0, which picks the likeliest token
    assert dialog.params().temperature == 0.0
    assert dialog.repeat_penalty_spin.minimum() == 1.0 and dialog.repeat_penalty_spin.maximum() == 2.0
    for spin, field in ((dialog.max_tokens_spin, "max_tokens"), (dialog.seed_spin, "seed")):
        for end in (spin.minimum(), spin.maximum()):
            assert validate_setting(field, end) == end
    assert (dialog.max_tokens_spin.minimum(), dialog.seed_spin.minimum()) == (1, 0)


@pytest.mark.parametrize("typed", ["nan", "NaN", "inf", "-inf", "-1", "9", "1e5", "0.001", "abc", ""])
@pytest.mark.parametrize("field", ["temperature", "top_p", "repeat_penalty"])
def test_typed_nan_infinities_and_out_of_range_numbers_never_reach_params(
    qtbot: QtBot, dialog: SamplingDialog, field: str, typed: str
) -> None:
    dialog.set_params(CUSTOM)
    dialog.show()
    spin = _double_spins(dialog)[field]
    spin.setFocus()
    spin.lineEdit().selectAll()
    QTest.keyClicks(spin.lineEdit(), typed)
    QTest.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    spin.interpretText()
    value = spin.value()
    assert math.isfinite(value) and spin.minimum() <= value <= spin.maximum()
    params = dialog.params()  # raises InvalidSamplingError if a value did not generate
    assert getattr(params, field) == validate_setting(field, getattr(params, field))
    assert params.with_() == params


@pytest.mark.parametrize(
    "params",
    [
        SamplingParams(temperature=100.0, top_p=1e-9, repeat_penalty=0.01, seed=0xFFFFFFFE, max_tokens=1 << 20),
        SamplingParams(temperature=0.01, top_k=(1 << 31) - 1, min_p=1.0, repeat_last_n=0, repeat_penalty=100.0),
    ],
)
def test_settings_beyond_the_fields_are_clamped_to_values_that_generate(
    dialog: SamplingDialog, params: SamplingParams
) -> None:
    """A template's override or a setting made elsewhere may lie outside what the fields offer: shown clamped,
    and what comes back is still a valid SamplingParams (hidden settings unchanged)."""
    dialog.set_params(params)
    back = dialog.params()
    assert dialog_module.TEMPERATURE_RANGE[0] <= back.temperature <= dialog_module.TEMPERATURE_RANGE[1]
    assert dialog_module.TOP_P_RANGE[0] <= back.top_p <= dialog_module.TOP_P_RANGE[1]
    assert dialog_module.REPEAT_PENALTY_RANGE[0] <= back.repeat_penalty <= dialog_module.REPEAT_PENALTY_RANGE[1]
    assert 1 <= back.max_tokens <= MODEL_CARD_MAX_NEW_TOKENS
    assert back.seed == (None if params.seed is None else min(params.seed, dialog_module.MAX_SEED))
    assert (back.top_k, back.min_p, back.repeat_last_n) == (params.top_k, params.min_p, params.repeat_last_n)
