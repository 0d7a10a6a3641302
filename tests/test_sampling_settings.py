"""Every sampling setting the app offers generates, and the ones llama.cpp cannot take are refused where they enter.

The checks (``SamplingParams``, ``validate_setting``) refuse NaN, infinities, wrong types and out-of-range values
with a message naming the setting, the value and the range; the real tiny model then generates with the
repetition penalties and the extreme values the sampling dialog offers, through the Engine and through the real
main window, and the penalty visibly changes what is written. Invalid stored settings fall back with a warning.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import dataclasses
import itertools
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from ziya_desktop.engine.engine import Engine, LoadOptions
from ziya_desktop.engine.sampling import (
    LLAMA_MAX_SEED,
    MAX_REPEAT_LAST_N,
    MAX_TOP_K,
    MODEL_CARD,
    MODEL_CARD_MAX_NEW_TOKENS,
    SamplingParams,
    validate_setting,
)
from ziya_desktop.errors import InvalidSamplingError, ZiyaError
from ziya_desktop.translatable import Translatable
from ziya_desktop.ui.common.settings import settings
from ziya_desktop.ui.generation import sampling_dialog as dialog_module
from ziya_desktop.ui.generation.generation import RunEnded
from ziya_desktop.ui.generation.sampling_dialog import SamplingDialog
from ziya_desktop.ui.generation.writing_commands import SAMPLING_KEY, TEMPLATE_SAMPLING_PREFIX
from ziya_desktop.ui.shell.main_window import MainWindow

NAN, INF = float("nan"), float("inf")
PROMPT = "写一封感谢信"


# -- the checks ------------------------------------------------------------------------------------------------------

INVALID: list[tuple[str, object, str]] = [
    # (field, value, what the message must say besides the setting's name and the value)
    ("temperature", NAN, "0 or between 0.01 and 100"),
    ("temperature", INF, "0 or between 0.01 and 100"),
    ("temperature", -INF, "0 or between 0.01 and 100"),
    ("temperature", -0.1, "0 or between 0.01 and 100"),
    ("temperature", 1e-45, "0 or between 0.01 and 100"),
    ("temperature", 100.5, "0 or between 0.01 and 100"),
    ("temperature", "0.5", "must be a number"),
    ("temperature", True, "must be a number"),
    ("temperature", None, "must be a number"),
    ("top_p", 0, "more than 0 and at most 1"),
    ("top_p", -0.5, "more than 0 and at most 1"),
    ("top_p", 1.01, "more than 0 and at most 1"),
    ("top_p", NAN, "more than 0 and at most 1"),
    ("top_k", -1, f"between 0 and {MAX_TOP_K}"),
    ("top_k", MAX_TOP_K + 1, f"between 0 and {MAX_TOP_K}"),
    ("top_k", 40.0, "must be a whole number"),
    ("top_k", NAN, "must be a whole number"),
    ("min_p", -0.01, "between 0 and 1"),
    ("min_p", 1.5, "between 0 and 1"),
    ("min_p", NAN, "between 0 and 1"),
    ("repeat_penalty", 0, "between 0.01 and 100"),
    ("repeat_penalty", -1.1, "between 0.01 and 100"),
    ("repeat_penalty", 1e-40, "between 0.01 and 100"),
    ("repeat_penalty", 100.01, "between 0.01 and 100"),
    ("repeat_penalty", NAN, "between 0.01 and 100"),
    ("repeat_penalty", INF, "between 0.01 and 100"),
    ("repeat_penalty", 10**400, "between 0.01 and 100"),  # float() of it would overflow
    ("repeat_penalty", "1.1", "must be a number"),
    ("repeat_last_n", -1, f"between 0 and {MAX_REPEAT_LAST_N}"),
    ("repeat_last_n", MAX_REPEAT_LAST_N + 1, f"between 0 and {MAX_REPEAT_LAST_N}"),
    ("repeat_last_n", 64.0, "must be a whole number"),
    ("max_tokens", 0, "between 1 and"),
    ("max_tokens", -5, "between 1 and"),
    ("max_tokens", 1 << 31, "between 1 and"),
    ("max_tokens", 1.5, "must be a whole number"),
    ("max_tokens", INF, "must be a whole number"),
    ("max_tokens", False, "must be a whole number"),
    ("seed", -1, f"between 0 and {LLAMA_MAX_SEED}"),
    ("seed", 0xFFFFFFFF, f"between 0 and {LLAMA_MAX_SEED}"),  # llama.cpp's "random seed"
    ("seed", 1 << 40, f"between 0 and {LLAMA_MAX_SEED}"),
    ("seed", 7.0, "must be a whole number"),
    ("seed", "42", "must be a whole number"),
    ("ignore_eos", 1, "must be true or false"),
    ("ignore_eos", "yes", "must be true or false"),
]

SETTING_NAMES = {
    "temperature": "temperature",
    "top_p": "top-p",
    "top_k": "top-k",
    "min_p": "min-p",
    "repeat_penalty": "repetition penalty",
    "repeat_last_n": "repetition window",
    "max_tokens": "max new tokens",
    "seed": "seed",
    "ignore_eos": "ignore end of text",
}


@pytest.mark.parametrize(("field", "value", "expected"), INVALID, ids=lambda x: repr(x)[:20])
def test_invalid_values_are_refused_with_the_setting_the_value_and_the_range(
    field: str, value: object, expected: str
) -> None:
    with pytest.raises(InvalidSamplingError) as caught:
        SamplingParams(**{field: value})  # type: ignore[arg-type]
    err = caught.value
    message = str(err)
    assert message.startswith(SETTING_NAMES[field] + " must be "), message
    assert expected in message, message
    assert message.endswith(f", not {value!r}"), message
    assert (err.setting, err.value is value) == (field, True)
    assert isinstance(err, ValueError) and isinstance(err, ZiyaError) and err.hint
    # The same check, one setting at a time (what the command line uses), and through with_ and replace.
    with pytest.raises(InvalidSamplingError, match="^" + SETTING_NAMES[field]):
        validate_setting(field, value)
    with pytest.raises(InvalidSamplingError):
        MODEL_CARD.with_(**{field: value})
    with pytest.raises(InvalidSamplingError):
        dataclasses.replace(MODEL_CARD, **{field: value})  # type: ignore[arg-type]


def test_messages_are_marked_for_translation_with_the_setting_translatable_too() -> None:
    with pytest.raises(InvalidSamplingError) as caught:
        SamplingParams(repeat_penalty=NAN)
    message = caught.value.message
    assert isinstance(message, Translatable) and message.context == "SamplingParams"
    assert message.template == "{setting} must be between {low} and {high}, not {value}"
    setting = message.args["setting"]
    assert isinstance(setting, Translatable) and setting == "repetition penalty"
    assert dict(message.args, setting=str(setting)) == {
        "setting": "repetition penalty",
        "value": "nan",
        "low": "0.01",
        "high": "100",
    }


VALID_EDGES: list[tuple[str, object]] = [
    ("temperature", 0),
    ("temperature", 0.01),
    ("temperature", 100),
    ("top_p", 1e-9),
    ("top_p", 1),
    ("top_k", 0),
    ("top_k", MAX_TOP_K),
    ("min_p", 0),
    ("min_p", 1),
    ("repeat_penalty", 0.01),
    ("repeat_penalty", 1),
    ("repeat_penalty", 100),
    ("repeat_last_n", 0),
    ("repeat_last_n", MAX_REPEAT_LAST_N),
    ("max_tokens", 1),
    ("seed", 0),
    ("seed", LLAMA_MAX_SEED),
    ("seed", None),
    ("ignore_eos", True),
]


@pytest.mark.parametrize(("field", "value"), VALID_EDGES, ids=lambda x: repr(x)[:20])
def test_the_ends_of_every_range_are_accepted_and_floats_stay_floats(field: str, value: object) -> None:
    params = SamplingParams(**{field: value})  # type: ignore[arg-type]
    stored = getattr(params, field)
    assert stored == value
    if field in ("temperature", "top_p", "min_p", "repeat_penalty"):
        assert type(stored) is float  # JSON's 1 comes back as 1.0, as the dialog and the journal show it


def test_the_model_card_is_valid_and_round_trips_through_json() -> None:
    assert SamplingParams(**json.loads(json.dumps(asdict(MODEL_CARD)))) == MODEL_CARD


def _dialog_extremes() -> dict[str, tuple[Any, ...]]:
    """Each setting the dialog shows, at both ends of what it offers (and 0.01, the least temperature above 0)."""
    low_t, high_t = dialog_module.TEMPERATURE_RANGE
    return {
        "temperature": (low_t, 10**-dialog_module.DECIMALS, high_t),
        "top_p": dialog_module.TOP_P_RANGE,
        "repeat_penalty": dialog_module.REPEAT_PENALTY_RANGE,
        "max_tokens": (1, MODEL_CARD_MAX_NEW_TOKENS),
        "seed": (None, 0, dialog_module.MAX_SEED),
    }


def test_everything_the_dialog_offers_is_valid() -> None:
    """The dialog's ranges lie inside the checks, down to its smallest step above 0."""
    for field, values in _dialog_extremes().items():
        for value in values:
            assert validate_setting(field, value) == value
    steps = round((dialog_module.TEMPERATURE_RANGE[1] - dialog_module.TEMPERATURE_RANGE[0]) * 100) + 1
    for i in range(steps):
        validate_setting("temperature", round(i / 100, dialog_module.DECIMALS))
    low, high = (round(end * 100) for end in dialog_module.REPEAT_PENALTY_RANGE)
    for i in range(low, high + 1):
        validate_setting("repeat_penalty", round(i / 100, dialog_module.DECIMALS))


# -- generating with the real tiny model -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def engine(tiny_gguf: Callable[[str], Path]) -> Iterator[Engine]:
    e = Engine()
    e.load(tiny_gguf("q4_k_m"), LoadOptions(n_ctx=512, threads=1))
    yield e
    e.close()


def _n_vocab(engine: Engine) -> int:
    assert engine._model is not None
    return engine._model.n_vocab


def _generate(engine: Engine, sampling: SamplingParams, prompt: str = PROMPT) -> tuple[str, list[int]]:
    """The text and the token ids of one answer (all but the last token, which is sampled but never evaluated)."""
    tokens = engine.tokenize(prompt)
    text = "".join(engine.stream(tokens, sampling))
    return text, engine._cached[len(tokens) :]


@pytest.mark.slow
@pytest.mark.parametrize("penalty", [1.0, 1.1, 1.5, 2.0])
def test_every_repetition_penalty_the_dialog_offers_generates(engine: Engine, penalty: float) -> None:
    sampling = SamplingParams(repeat_penalty=penalty, seed=11, max_tokens=64, ignore_eos=True)
    text, _ids = _generate(engine, sampling)
    assert text
    assert engine.last_stats is not None
    assert (engine.last_stats.generated_tokens, engine.last_stats.stop_reason) == (64, "max_tokens")


@pytest.mark.slow
@pytest.mark.parametrize("temperature", [0.0, 0.85])
def test_the_penalty_changes_what_is_written(engine: Engine, temperature: float) -> None:
    base = SamplingParams(temperature=temperature, seed=5, max_tokens=64, ignore_eos=True)
    plain_text, plain = _generate(engine, base)
    penalised_text, penalised = _generate(engine, base.with_(repeat_penalty=2.0))
    assert _generate(engine, base.with_(repeat_penalty=2.0))[1] == penalised, "a fixed seed repeats itself"
    assert len(plain) == len(penalised) == 63
    assert penalised != plain and penalised_text != plain_text
    if temperature == 0:
        # Greedy, the tiny model loops; penalised it repeats itself less: more distinct tokens in the same length.
        assert len(set(penalised)) > len(set(plain)) + 10, (len(set(penalised)), len(set(plain)))


def _dialog_combinations() -> list[SamplingParams]:
    extremes = _dialog_extremes()
    combos = [
        SamplingParams(temperature=t, top_p=p, repeat_penalty=r, seed=s, max_tokens=24, ignore_eos=True)
        for t, p, r, s in itertools.product(
            extremes["temperature"], extremes["top_p"], extremes["repeat_penalty"], extremes["seed"]
        )
    ]
    return [*combos, *(SamplingParams(max_tokens=n, ignore_eos=True, seed=1) for n in extremes["max_tokens"])]


# The settings the dialog does not show (templates' overrides, the command line) at the ends of their ranges.
HIDDEN_EXTREMES = [
    SamplingParams(temperature=100.0, seed=LLAMA_MAX_SEED),
    SamplingParams(temperature=0.01, top_k=1, min_p=1.0),
    SamplingParams(top_k=MAX_TOP_K, top_p=1e-9, min_p=0.0),
    SamplingParams(repeat_penalty=0.01, repeat_last_n=MAX_REPEAT_LAST_N),
    SamplingParams(repeat_penalty=100.0, repeat_last_n=1),
    SamplingParams(repeat_penalty=1.5, repeat_last_n=0),
    SamplingParams(temperature=0.0, repeat_penalty=100.0, repeat_last_n=MAX_REPEAT_LAST_N),
]


@pytest.mark.slow
def test_every_extreme_the_dialog_offers_generates_through_the_engine(engine: Engine) -> None:
    for sampling in _dialog_combinations():
        _text, ids = _generate(engine, sampling)
        stats = engine.last_stats
        assert stats is not None, sampling
        expected = min(sampling.max_tokens, engine.n_ctx - len(engine.tokenize(PROMPT)))
        assert stats.generated_tokens == expected, sampling
        assert all(0 <= t < _n_vocab(engine) for t in ids), sampling


@pytest.mark.slow
@pytest.mark.parametrize("hidden", HIDDEN_EXTREMES, ids=lambda p: f"t{p.temperature}-rp{p.repeat_penalty}")
def test_the_extremes_of_the_hidden_settings_generate(engine: Engine, hidden: SamplingParams) -> None:
    sampling = hidden.with_(max_tokens=32, ignore_eos=True, seed=hidden.seed if hidden.seed is not None else 3)
    _text, ids = _generate(engine, sampling)
    assert engine.last_stats is not None and engine.last_stats.generated_tokens == 32
    assert all(0 <= t < _n_vocab(engine) for t in ids)


@pytest.mark.slow
def test_the_least_temperature_and_the_ends_of_the_penalty_are_not_garbage(engine: Engine) -> None:
    """Logits overflowed to inf or NaN make llama.cpp draw one token over and over; the ranges keep them finite."""
    for sampling in (
        SamplingParams(temperature=0.01, seed=2),
        SamplingParams(repeat_penalty=100.0, seed=2),
        SamplingParams(temperature=100.0, seed=2),
    ):
        _text, ids = _generate(engine, sampling.with_(max_tokens=48, ignore_eos=True))
        assert len(set(ids)) > 4, (sampling, ids)


# -- through the real main window --------------------------------------------------------------------------------------

WAIT_MS = 120_000


def _store(key: str, values: dict[str, Any]) -> None:
    settings().setValue(key, json.dumps(values))


def _load(qtbot: QtBot, window: MainWindow, model: Path, n_ctx: int = 512) -> None:
    window.writing.load_options = dataclasses.replace(window.writing.load_options, threads=1, n_ctx=n_ctx)
    with qtbot.waitSignal(window.engine.loaded, timeout=WAIT_MS):
        window.writing.load_model(model)


def _continue(qtbot: QtBot, window: MainWindow) -> RunEnded:
    """Continue writing after a short text; returns the run's RunEnded."""

    tab = window.current_tab()
    assert tab is not None
    tab.editor.setPlainText("尊敬的各位来宾")
    tab.editor.moveCursor(QTextCursor.MoveOperation.End)
    with qtbot.waitSignal(window.generation.ended, timeout=WAIT_MS) as ended:
        window.writing.continue_writing()
    qtbot.waitUntil(lambda: not window.generation.busy, timeout=WAIT_MS)
    assert ended.args is not None
    result = ended.args[0]
    assert isinstance(result, RunEnded)
    return result


@pytest.mark.slow
def test_the_main_window_generates_with_every_dialog_extreme(
    qtbot: QtBot, main_window: Callable[..., MainWindow], q4: Path
) -> None:

    window = main_window(lang="en")
    _load(qtbot, window, q4)
    runs: list[dict[str, Any]] = [{"repeat_penalty": penalty, "seed": 4} for penalty in (1.0, 1.1, 1.5, 2.0)]
    runs += [
        {"temperature": 0.0, "top_p": 0.05, "repeat_penalty": 2.0, "seed": 0},
        {"temperature": 0.01, "top_p": 1.0, "repeat_penalty": 1.0, "seed": dialog_module.MAX_SEED},
        {"temperature": 2.0, "top_p": 0.05, "repeat_penalty": 2.0, "seed": None},
        {"temperature": 2.0, "top_p": 1.0, "repeat_penalty": 1.0, "seed": 9, "max_tokens": 1},
    ]
    for changes in runs:
        sampling = MODEL_CARD.with_(**{"max_tokens": 16, "ignore_eos": True, **changes})
        _store(SAMPLING_KEY, asdict(sampling))
        assert window.writing.sampling_for() == sampling
        result = _continue(qtbot, window)
        assert result.stats is not None, f"{changes}: {result.message}"
        assert result.stats.generated_tokens == sampling.max_tokens, changes


@pytest.mark.slow
def test_the_dialog_values_reach_the_generation(qtbot: QtBot, main_window: Callable[..., MainWindow], q4: Path) -> None:
    """Set the dialog's extremes, press OK, and the next continuation runs with them."""

    window = main_window(lang="en")
    _load(qtbot, window, q4)

    def choose() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, SamplingDialog)
        dialog.repeat_penalty_spin.setValue(dialog.repeat_penalty_spin.maximum())
        dialog.temperature_spin.setValue(dialog.temperature_spin.maximum())
        dialog.top_p_spin.setValue(dialog.top_p_spin.minimum())
        dialog.max_tokens_spin.setValue(12)
        dialog.random_seed_check.setChecked(False)
        dialog.seed_spin.setValue(dialog.seed_spin.maximum())
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    QTimer.singleShot(0, choose)
    window.writing.edit_sampling()
    chosen = window.writing.sampling_for()
    assert (chosen.repeat_penalty, chosen.temperature, chosen.top_p, chosen.max_tokens, chosen.seed) == (
        2.0,
        2.0,
        0.05,
        12,
        dialog_module.MAX_SEED,
    )
    result = _continue(qtbot, window)
    assert result.stats is not None, result.message
    assert result.stats.seed == dialog_module.MAX_SEED and 0 < result.stats.generated_tokens <= 12


STORED_INVALID = [
    '{"repeat_penalty": NaN}',
    '{"temperature": Infinity}',
    '{"temperature": -1}',
    '{"top_p": 0}',
    '{"max_tokens": 0}',
    '{"seed": -1}',
    '{"seed": "42"}',
    '{"temperature": "hot"}',
    '{"repeat_penalty": 1e999}',
    '{"ignore_eos": "yes"}',
]


@pytest.mark.parametrize("stored", STORED_INVALID)
def test_invalid_stored_settings_fall_back_with_a_warning(
    stored: str, main_window: Callable[..., MainWindow], caplog: pytest.LogCaptureFixture
) -> None:

    window = main_window(lang="en", show=False)
    settings().setValue(SAMPLING_KEY, stored)
    with caplog.at_level(logging.WARNING):
        assert window.writing.sampling_for() == MODEL_CARD
    assert SAMPLING_KEY in caplog.text and "must be" in caplog.text
    # A template's invalid override falls back to the writer's (valid) default settings.
    _store(SAMPLING_KEY, asdict(MODEL_CARD.with_(temperature=0.5)))
    settings().setValue(TEMPLATE_SAMPLING_PREFIX + "letter.thanks", stored)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert window.writing.sampling_for("letter.thanks") == MODEL_CARD.with_(temperature=0.5)
    assert "letter.thanks" in caplog.text


@pytest.mark.slow
def test_a_generation_with_invalid_stored_settings_still_runs(
    qtbot: QtBot, main_window: Callable[..., MainWindow], q4: Path
) -> None:
    """NaN in settings.ini used to reach llama.cpp; now the model card's settings write instead."""

    window = main_window(lang="en")
    _load(qtbot, window, q4, n_ctx=2048)  # room for the model card's 2048 new tokens
    settings().setValue(SAMPLING_KEY, '{"repeat_penalty": NaN, "max_tokens": 8, "ignore_eos": true}')
    result = _continue(qtbot, window)
    assert result.stats is not None, result.message
    assert result.stats.stop_reason in ("eos", "max_tokens")
