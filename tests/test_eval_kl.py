"""The KL measure: the per-position formula by hand, teacher-forced logits in one batch, identical models, F16
against Q4_K_M, per genre, and the refusals (another vocabulary, a server, nothing to force)."""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest
from gguf_mutations import serialize, take_apart

from ziya_desktop.engine.gguf_check import read_gguf_header
from ziya_desktop.engine.llama_api import ContextParams, LlamaContext, LlamaModel, ModelParams
from ziya_desktop.engine.prompt import ziya_prompt
from ziya_desktop.errors import CancelledError, EvaluationError
from ziya_desktop.evaluation.contenders import Contender
from ziya_desktop.evaluation.kl import KlText, kl_divergence, kl_for_run, kl_texts, position_kl
from ziya_desktop.evaluation.prompt_sets import EvalPrompt, PromptSet
from ziya_desktop.evaluation.run_store import Answer, EvalRun

TEXTS = [
    KlText("a", "gongwen", "写一份停电通知。", "因大楼电路检修，本周六全楼停电，请各部门提前做好准备。"),
    KlText("b", "letter", "Write a thank-you note.", "Dear Ms. Li, thank you for the flowers you sent our team."),
    KlText("c", "letter", "给老师写一封感谢信。", "敬爱的王老师：您好！感谢您一直以来的关心和帮助。"),
]


@pytest.fixture(scope="module")
def models(tiny_gguf: Callable[[str], Path]) -> tuple[Path, Path]:
    return tiny_gguf("f16"), tiny_gguf("q4_k_m")


# -- the formula ----------------------------------------------------------------------------------------------------


def test_the_per_position_kl_by_hand() -> None:
    base = np.log(np.array([[0.5, 0.25, 0.25], [0.2, 0.3, 0.5], [0.7, 0.2, 0.1]]))
    other = np.log(np.array([[0.25, 0.5, 0.25], [0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]))
    kl, agree = position_kl(base + 3.0, other - 7.0)  # logits, not log-probabilities: any shift is the same
    # 0.5 ln(0.5/0.25) + 0.25 ln(0.25/0.5) + 0.25 ln 1 = 0.25 ln 2
    assert kl[0] == pytest.approx(0.25 * math.log(2), abs=1e-12)
    assert kl[1] == pytest.approx(0.0, abs=1e-15)
    assert kl[2] == pytest.approx(0.7 * math.log(0.7 / 0.6) + 0.2 * math.log(0.2 / 0.3), abs=1e-12)
    assert agree.tolist() == [False, True, True]
    assert kl.dtype == np.float64


def test_the_formula_is_stable_far_from_zero_and_where_a_probability_vanishes() -> None:
    big = np.array([[1000.0, 0.0, -1000.0], [0.0, -np.inf, -np.inf]])
    near = np.array([[999.0, 1.0, -1000.0], [0.0, 0.0, 0.0]])
    kl, agree = position_kl(big, near)
    assert np.isfinite(kl).all()
    assert kl[0] == pytest.approx(0.0, abs=1e-300)  # both put all their mass on the first token
    assert kl[1] == pytest.approx(math.log(3), abs=1e-12)  # p = (1, 0, 0), q uniform: ln 3; 0·ln 0 counts 0
    assert agree.tolist() == [True, True]
    swapped, _ = position_kl(near, big)
    assert swapped[1] == np.inf  # KL(q || p) with p zero where q is not: infinite, as the definition says


# -- teacher-forced logits ----------------------------------------------------------------------------------------


def test_one_batch_gives_the_logits_of_feeding_one_token_at_a_time(
    models: tuple[Path, Path], logits_of: Callable[[Path, Sequence[int]], np.ndarray]
) -> None:
    model = LlamaModel(models[0], ModelParams())
    try:
        tokens = model.tokenize(ziya_prompt(TEXTS[0].query) + TEXTS[0].answer)
        ctx = LlamaContext(model, ContextParams(n_ctx=256, n_batch=16, threads=1, flash_attn=False))
        try:
            rows = []
            for start in range(0, len(tokens), ctx.n_batch):  # several batches: positions must continue
                chunk = tokens[start : start + ctx.n_batch]
                wanted = [(start + i) % 3 != 0 for i in range(len(chunk))]
                rows.append((ctx.decode_with_logits(chunk, wanted, model.n_vocab), wanted))
        finally:
            ctx.close()
    finally:
        model.close()
    batched = np.concatenate([r for r, _ in rows])
    flags = [flag for _, wanted in rows for flag in wanted]
    one_by_one = logits_of(models[0], tokens)[np.array(flags)]
    assert batched.shape == one_by_one.shape == (sum(flags), one_by_one.shape[1])
    # A batch multiplies in another order than single tokens do: the logits agree to rounding, not bit for bit.
    np.testing.assert_allclose(batched, one_by_one, rtol=0, atol=1e-2)
    assert (batched.argmax(axis=1) == one_by_one.argmax(axis=1)).all()


def answer_positions(path: Path, text: KlText) -> tuple[list[int], int]:
    model = LlamaModel(path, ModelParams(vocab_only=True))
    try:
        prompt = model.tokenize(ziya_prompt(text.query))
        return prompt + model.tokenize(text.answer, add_bos=False), len(prompt)
    finally:
        model.close()


def test_an_identical_model_is_at_zero_with_full_agreement(models: tuple[Path, Path]) -> None:
    report = kl_divergence(models[0], models[0], TEXTS, threads=1)
    assert [r.genre for r in report.rows] == ["gongwen", "letter", "all"]
    expected = sum(len(tokens) - start for tokens, start in (answer_positions(models[0], t) for t in TEXTS))
    assert report.overall.tokens == expected
    for row in report.rows:
        assert row.mean_kl == 0.0 and row.max_kl == 0.0
        assert row.top1_agreement == 1.0


def test_q4_against_f16_differs_and_matches_the_formula_by_hand(
    models: tuple[Path, Path], logits_of: Callable[[Path, Sequence[int]], np.ndarray]
) -> None:
    report = kl_divergence(models[0], models[1], TEXTS, threads=1)
    overall = report.overall
    assert 0 < overall.mean_kl < math.inf and math.isfinite(overall.max_kl)
    assert overall.mean_kl <= overall.max_kl
    assert 0 < overall.top1_agreement < 1
    assert overall.prompts == 3
    assert overall.ci_low is not None and overall.ci_high is not None
    assert overall.ci_low <= overall.mean_kl <= overall.ci_high
    letters = next(r for r in report.rows if r.genre == "letter")
    gongwen = next(r for r in report.rows if r.genre == "gongwen")
    assert letters.prompts == 2 and gongwen.prompts == 1
    assert gongwen.ci_low is None  # one prompt: no interval
    assert letters.tokens + gongwen.tokens == overall.tokens
    assert overall.mean_kl == pytest.approx(
        (letters.mean_kl * letters.tokens + gongwen.mean_kl * gongwen.tokens) / overall.tokens
    )

    # The gongwen row by hand: one token at a time, then p·ln(p/q) summed over the vocabulary, in float64.
    tokens, start = answer_positions(models[0], TEXTS[0])
    kls, agree = [], []
    for p_logits, q_logits in zip(
        logits_of(models[0], tokens)[start - 1 : -1], logits_of(models[1], tokens)[start - 1 : -1], strict=True
    ):
        p = np.exp(p_logits.astype(np.float64) - p_logits.max())
        q = np.exp(q_logits.astype(np.float64) - q_logits.max())
        p, q = p / p.sum(), q / q.sum()
        kls.append(float(np.sum(p * np.log(p / q))))
        agree.append(p.argmax() == q.argmax())
    assert gongwen.tokens == len(kls)
    assert gongwen.mean_kl == pytest.approx(float(np.mean(kls)), rel=0.02)
    assert gongwen.max_kl == pytest.approx(max(kls), rel=0.05)
    assert gongwen.top1_agreement == pytest.approx(float(np.mean(agree)), abs=1.5 / len(kls))


def test_the_table_and_json_forms(models: tuple[Path, Path]) -> None:
    report = kl_divergence(models[0], models[1], TEXTS[:2], threads=1)
    table = report.format_table()
    assert "KL divergence of" in table and "normal approximation" in table
    assert table.splitlines()[-1].startswith("all ")
    data = report.as_dict()
    assert data["base"] == str(models[0]) and [r["genre"] for r in data["rows"]] == ["gongwen", "letter", "all"]  # type: ignore[index, union-attr]


def test_models_with_another_vocabulary_are_refused(models: tuple[Path, Path], tmp_path: Path) -> None:
    raw = models[0].read_bytes()
    parts = take_apart(read_gguf_header(models[0]), raw)
    for entry in parts.entries:
        if entry.key == "tokenizer.ggml.tokens":
            n = len(entry.value)
            entry.value[n // 2] = "▁zqxjv"  # a token the other checkpoint does not have
    other = tmp_path / "renamed-token.gguf"
    other.write_bytes(serialize(parts))
    with pytest.raises(EvaluationError, match="do not share a vocabulary") as caught:
        kl_divergence(models[0], other, TEXTS[:1], threads=1)
    assert caught.value.hint


def test_a_cancel_stops_the_measure(models: tuple[Path, Path]) -> None:
    cancel = threading.Event()
    seen: list[int] = []

    def progress(done: int, _total: int, _label: str) -> None:
        seen.append(done)
        cancel.set()

    with pytest.raises(CancelledError):
        kl_divergence(models[0], models[1], TEXTS, threads=1, progress=progress, cancel=cancel)
    assert seen == [1]


# -- from a run ---------------------------------------------------------------------------------------------------


def make_run(tmp_path: Path, models: tuple[Path, Path]) -> EvalRun:
    prompts = PromptSet(
        "kl",
        (
            EvalPrompt("ref", "copy", "en", "easy", "Write a slogan for tea.", reference="Slow down, sip the spring."),
            EvalPrompt("ans", "speech", "zh", "easy", "写一段开场白。"),
            EvalPrompt("none", "speech", "zh", "hard", "写一篇演讲稿。"),
        ),
    )
    contenders = [
        Contender("f16", models[0]),
        Contender("q4", models[1]),
        Contender("far", server="http://127.0.0.1:9"),
    ]
    return EvalRun.create(tmp_path / "run", prompts, contenders)


def test_a_run_forces_references_else_the_base_answers(tmp_path: Path, models: tuple[Path, Path]) -> None:
    run = make_run(tmp_path, models)
    with pytest.raises(EvaluationError, match="no reference answers, and q4 has no answers yet"):
        kl_for_run(without_references(run), "q4", "f16")
    run.add_answer(Answer("f16", "ans", "各位来宾，大家好！"))
    run.add_answer(Answer("f16", "none", "", error="the prompt is too long"))
    run.add_answer(Answer("q4", "ans", "不同的回答"))
    texts = kl_texts(run, "f16")
    assert [(t.prompt_id, t.genre, t.answer) for t in texts] == [
        ("ref", "copy", "Slow down, sip the spring."),
        ("ans", "speech", "各位来宾，大家好！"),
    ]
    assert [t.answer for t in kl_texts(run, "q4")] == ["Slow down, sip the spring.", "不同的回答"]
    report = kl_for_run(run, "f16", "q4", threads=1)
    assert (report.base, report.other) == ("f16", "q4")
    assert [r.genre for r in report.rows] == ["speech", "copy", "all"]  # genres in their fixed order
    assert report.overall.prompts == 2


def without_references(run: EvalRun) -> EvalRun:
    """The run with the reference taken out, so that only answers could be forced."""
    prompts = tuple(EvalPrompt(p.id, p.genre, p.language, p.difficulty, p.instruction) for p in run.prompt_set.prompts)
    return EvalRun(run.folder, run.name, PromptSet(run.prompt_set.name, prompts), run.contenders)


def test_a_run_refuses_a_server_contender_and_an_unknown_name(tmp_path: Path, models: tuple[Path, Path]) -> None:
    run = make_run(tmp_path, models)
    with pytest.raises(EvaluationError, match="far runs on a server") as caught:
        kl_for_run(run, "f16", "far")
    assert "local GGUF" in caught.value.hint
    with pytest.raises(EvaluationError, match="no contender named 'q8'"):
        kl_for_run(run, "q8", "f16")


def test_the_genre_rows_follow_the_genre_order(models: tuple[Path, Path]) -> None:
    shuffled = list(TEXTS)
    random.Random(3).shuffle(shuffled)
    extra = KlText("d", "copy", "A slogan", "Sip the spring.")
    report = kl_divergence(models[0], models[1], [*shuffled, extra], threads=1)
    assert [r.genre for r in report.rows] == ["gongwen", "letter", "copy", "all"]
