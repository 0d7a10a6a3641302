"""The report: the Markdown table in the model card's shape (overall, per genre, KL rows) and the CSV rows, with
figures worked by hand from the verdicts."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from ziya_desktop.errors import EvaluationError
from ziya_desktop.evaluation.contenders import Contender
from ziya_desktop.evaluation.judgements import JudgementStore
from ziya_desktop.evaluation.kl import KlReport, KlRow
from ziya_desktop.evaluation.prompt_sets import EvalPrompt, PromptSet
from ziya_desktop.evaluation.report import CSV_COLUMNS, kl_rows, write_report
from ziya_desktop.evaluation.run_store import Answer, EvalRun


@pytest.fixture()
def judged_run(tmp_path: Path) -> EvalRun:
    """Two letters and a speech, answered by q4 and f16; li and wang judged (hand-worked figures below)."""
    prompts = PromptSet(
        "test",
        (
            EvalPrompt("l1", "letter", "en", "easy", "Thank a colleague."),
            EvalPrompt("l2", "letter", "zh", "hard", "写一封道歉信。"),
            EvalPrompt("s1", "speech", "zh", "easy", "写一段欢迎词。"),
        ),
    )
    run = EvalRun.create(
        tmp_path / "run",
        prompts,
        [Contender("q4", model=tmp_path / "q4.gguf"), Contender("f16", model=tmp_path / "f16.gguf")],
    )
    for name in ("q4", "f16"):
        for prompt in prompts.prompts:
            run.add_answer(Answer(name, prompt.id, f"{name} {prompt.id}", {}))
    store = JudgementStore(run)
    # q4 against f16: li — l1 won, l2 tie, s1 lost = 1.5 / 3 = 50 %; wang — l1 won, l2 won = 100 %.
    # All: 3 wins, 1 tie, 1 loss = 3.5 / 5 = 70 %. Letters: 3 wins + 1 tie of 4 = 87.5 %. Speech: 0 of 1.
    store.record("li", "l1", ("q4", "f16"), "q4", "a")
    store.record("li", "l2", ("q4", "f16"), "f16", "tie")
    store.record("li", "s1", ("q4", "f16"), "f16", "a")
    store.record("wang", "l1", ("q4", "f16"), "f16", "b")
    store.record("wang", "l2", ("q4", "f16"), "q4", "a")
    return run


def report(run: EvalRun, fmt: str, **kwargs: object) -> str:
    out = io.StringIO()
    write_report(run, fmt, out, **kwargs)  # type: ignore[arg-type]
    return out.getvalue()


def test_markdown_has_the_model_cards_table(judged_run: EvalRun) -> None:
    text = report(judged_run, "markdown")
    assert "| Pair | Average win rate | Max | Min | Judgements | 95 % interval | Reading |" in text
    # Wilson interval for 0.7 over 5: centre (0.7 + z²/10) / (1 + z²/5) = 0.6131, half-width 0.3143.
    assert "| q4 vs f16 | 70.0 % | 100.0 % | 50.0 % | 5 | 29.9–92.7 % | clear win |" in text
    assert "Judges: li, wang. Judgements: 5." in text
    assert "By genre" not in text


def test_markdown_per_genre(judged_run: EvalRun) -> None:
    text = report(judged_run, "markdown", by_genre=True)
    assert "## By genre" in text
    assert "| letter | q4 vs f16 | 87.5 % | 100.0 % | 75.0 % | 4 |" in text
    assert "| speech | q4 vs f16 | 0.0 % | 0.0 % | 0.0 % | 1 |" in text


def test_csv_rows_per_pair_and_genre(judged_run: EvalRun) -> None:
    rows = list(csv.DictReader(io.StringIO(report(judged_run, "csv"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [(r["genre"], r["judgements"], r["win_rate"]) for r in rows] == [
        ("all", "5", "0.7000"),
        ("letter", "4", "0.8750"),
        ("speech", "1", "0.0000"),
    ]
    first = rows[0]
    assert (first["first"], first["second"], first["wins"], first["losses"], first["ties"]) == (
        "q4",
        "f16",
        "3",
        "1",
        "1",
    )
    assert (first["max_rate"], first["min_rate"], first["reading"], first["judges"]) == (
        "1.0000", "0.5000", "clear win", "li;wang"
    )  # fmt: skip
    assert float(first["ci_low"]) == pytest.approx(0.2988, abs=1e-4)
    assert first["mean_kl"] == ""


def kl_report() -> KlReport:
    def row(genre: str, prompts: int, tokens: int, mean: float, agree: float) -> KlRow:
        return KlRow(genre, prompts, tokens, mean, mean / 2, mean * 2, mean, mean, mean, agree)

    return KlReport(
        "f16", "q4", (row("letter", 2, 40, 0.02, 0.9), row("speech", 1, 10, 0.05, 0.8), row("all", 3, 50, 0.026, 0.88))
    )


def test_kl_rows_in_markdown_and_csv(judged_run: EvalRun) -> None:
    text = report(judged_run, "markdown", kl=kl_report())
    assert "## KL divergence of q4 from f16" in text
    assert "| all | 0.026000 | 0.013000–0.052000 | 88.0 % | 50 |" in text
    assert "| speech | 0.050000 | 0.025000–0.100000 | 80.0 % | 10 |" in text
    rows = {r["genre"]: r for r in csv.DictReader(io.StringIO(report(judged_run, "csv", kl=kl_report())))}
    assert (rows["all"]["kl_base"], rows["all"]["kl_other"], rows["all"]["mean_kl"]) == ("f16", "q4", "0.026")
    assert (rows["letter"]["top1_agreement"], rows["letter"]["kl_tokens"]) == ("0.9000", "40")


def test_kl_as_json_and_as_the_report_read_alike() -> None:
    assert kl_rows(kl_report().as_dict()) == kl_rows(kl_report())
    assert [r.genre for r in kl_rows(kl_report())] == ["all", "letter", "speech"]


def test_a_kl_measure_that_is_not_one_is_refused(judged_run: EvalRun) -> None:
    with pytest.raises(EvaluationError, match="KL measurement"):
        report(judged_run, "markdown", kl={"base": "f16"})


def test_an_unknown_format_is_refused(judged_run: EvalRun) -> None:
    with pytest.raises(EvaluationError, match="unknown report format"):
        report(judged_run, "html")


def test_a_run_nobody_judged(tmp_path: Path, judged_run: EvalRun) -> None:
    judged_run.judgements_path.unlink()
    text = report(judged_run, "markdown")
    assert "| q4 vs f16 | — | — | — | 0 | — | not judged |" in text
    assert "Judges: none yet. Judgements: 0." in text
