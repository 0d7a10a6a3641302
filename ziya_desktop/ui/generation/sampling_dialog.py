"""The dialog for sampling settings: how adventurous, how long and how repeatable the model's writing is.

It edits a :class:`ziya_desktop.engine.sampling.SamplingParams`, either the app-wide settings or one template's
overrides (then a note says which template). The model card's values are one click away.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ziya_desktop.engine.sampling import MODEL_CARD, MODEL_CARD_MAX_NEW_TOKENS, SamplingParams

__all__ = ["SamplingDialog"]

# What the fields offer: every value in these ranges, at DECIMALS places, is one SamplingParams accepts and
# llama.cpp generates with (tests/test_sampling_settings.py generates at each end). At two places the smallest
# temperature above 0 is 0.01, engine.sampling's MIN_POSITIVE_TEMPERATURE.
TEMPERATURE_RANGE = (0.0, 2.0)
TOP_P_RANGE = (0.05, 1.0)
REPEAT_PENALTY_RANGE = (1.0, 2.0)
DECIMALS = 2
# llama.cpp takes a 32-bit seed; resolved random seeds are drawn below 2**31 too.
MAX_SEED = (1 << 31) - 1
DEFAULT_FIXED_SEED = 42


def _double_spin(parent: QWidget, limits: tuple[float, float], step: float) -> QDoubleSpinBox:
    box = QDoubleSpinBox(parent)
    box.setDecimals(DECIMALS)  # before the range: the range is rounded to the decimals
    box.setRange(*limits)
    box.setSingleStep(step)
    return box


class SamplingDialog(QDialog):
    """Edits temperature, top-p, repetition penalty, max new tokens and the seed of a :class:`SamplingParams`.

    Settings the dialog does not show (top-k, min-p, repeat window, ignore EOS) pass through :meth:`set_params`
    to :meth:`params` unchanged. Values outside a field's range are clamped to it when set.

    Signals: only QDialog's own (``accepted`` on OK, ``rejected`` on Cancel or Esc).

    Attributes:
        note_label, temperature_spin, top_p_spin, repeat_penalty_spin, max_tokens_spin, random_seed_check,
        seed_spin, buttons: the dialog's widgets.
    """

    def __init__(self, parent: QWidget | None = None, *, note: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("SamplingDialog")
        self.setWindowTitle(self.tr("Sampling Settings"))
        self._base = MODEL_CARD

        self.note_label = QLabel(self)
        self.note_label.setWordWrap(True)
        self.temperature_spin = _double_spin(self, TEMPERATURE_RANGE, 0.05)
        self.temperature_spin.setToolTip(
            self.tr("Higher is more varied and surprising, lower is more predictable; 0 always picks the likeliest.")
        )
        self.top_p_spin = _double_spin(self, TOP_P_RANGE, 0.05)
        self.top_p_spin.setToolTip(
            self.tr("Choose only among the likeliest words that together make up this share; 1 considers all.")
        )
        self.repeat_penalty_spin = _double_spin(self, REPEAT_PENALTY_RANGE, 0.05)
        self.repeat_penalty_spin.setToolTip(
            self.tr("Above 1 discourages repeating recent words; too high makes the text stilted. 1 is off.")
        )
        self.max_tokens_spin = QSpinBox(self)
        self.max_tokens_spin.setRange(1, MODEL_CARD_MAX_NEW_TOKENS)
        self.max_tokens_spin.setSingleStep(64)
        self.max_tokens_spin.setToolTip(
            self.tr("The most tokens one answer may have; a Chinese character is about one token.")
        )
        self.random_seed_check = QCheckBox(self.tr("Random each time"), self)
        self.random_seed_check.setToolTip(self.tr("A new seed per generation, so every attempt reads differently."))
        self.seed_spin = QSpinBox(self)
        self.seed_spin.setRange(0, MAX_SEED)
        self.seed_spin.setValue(DEFAULT_FIXED_SEED)
        self.seed_spin.setToolTip(
            self.tr("The same seed with the same settings and prompt writes the same text again.")
        )
        self.random_seed_check.toggled.connect(lambda random: self.seed_spin.setEnabled(not random))

        seed_row = QHBoxLayout()
        seed_row.addWidget(self.random_seed_check)
        seed_row.addWidget(self.seed_spin, 1)
        form = QFormLayout()
        form.addRow(self.tr("&Temperature:"), self.temperature_spin)
        form.addRow(self.tr("Top-&p:"), self.top_p_spin)
        form.addRow(self.tr("&Repetition penalty:"), self.repeat_penalty_spin)
        form.addRow(self.tr("&Max new tokens:"), self.max_tokens_spin)
        form.addRow(self.tr("&Seed:"), seed_row)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults,
            self,
        )
        reset = self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        reset.setText(self.tr("Reset to model card defaults"))
        reset.setToolTip(self.tr("The values the Ziya-Writing model card recommends"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.clicked.connect(self._button_clicked)

        layout = QVBoxLayout(self)
        layout.addWidget(self.note_label)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.set_note(note)
        self.set_params(MODEL_CARD)

    def set_note(self, note: str) -> None:
        """Show ``note`` (translated) above the fields, e.g. which template these settings override; "" hides it."""
        self.note_label.setText(note)
        self.note_label.setVisible(bool(note))

    def set_params(self, params: SamplingParams) -> None:
        """Show ``params`` in the fields."""
        self._base = params
        self.temperature_spin.setValue(params.temperature)
        self.top_p_spin.setValue(params.top_p)
        self.repeat_penalty_spin.setValue(params.repeat_penalty)
        self.max_tokens_spin.setValue(params.max_tokens)
        self.random_seed_check.setChecked(params.seed is None)
        self.seed_spin.setEnabled(params.seed is not None)
        if params.seed is not None:
            # Seeds up to llama.cpp's 2**32 - 2 are valid, but a QSpinBox holds an int32: clamp like the others.
            self.seed_spin.setValue(min(params.seed, MAX_SEED))

    def params(self) -> SamplingParams:
        """The settings as the fields show them, with the hidden ones from the last :meth:`set_params`.

        Always a valid SamplingParams: the fields hold only values in their ranges (Qt refuses other text, NaN
        included, and clamps what is set), and the hidden ones come from a SamplingParams, checked when made.
        """
        return self._base.with_(
            # The spin boxes hold two decimals; rounding keeps 0.85 from coming back as 0.8500000000000001.
            temperature=round(self.temperature_spin.value(), DECIMALS),
            top_p=round(self.top_p_spin.value(), DECIMALS),
            repeat_penalty=round(self.repeat_penalty_spin.value(), DECIMALS),
            max_tokens=self.max_tokens_spin.value(),
            seed=None if self.random_seed_check.isChecked() else self.seed_spin.value(),
        )

    def reset_to_model_card(self) -> None:
        """Put the model card's values in every field (the hidden settings too)."""
        self.set_params(MODEL_CARD)

    def _button_clicked(self, button: QAbstractButton) -> None:
        if self.buttons.buttonRole(button) == QDialogButtonBox.ButtonRole.ResetRole:
            self.reset_to_model_card()
