"""Win-rate arithmetic against cases worked by hand: ties only, one judge, several judges (their maximum and
minimum), an unjudged item, a judge who changed a verdict, three contenders, per genre, and the Wilson interval."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from ziya_desktop.errors import EvalFormatError, JudgementError
from ziya_desktop.evaluation.contenders import Contender
from ziya_desktop.evaluation.judgements import Judgement, JudgementStore
from ziya_desktop.evaluation.prompt_sets import EvalPrompt, PromptSet
from ziya_desktop.evaluation.run_store import Answer, EvalRun
from ziya_desktop.evaluation.win_rates import Reading, contender_pairs, pair_results, wilson_interval


def verdict(judge: str, prompt: str, winner: str | None, pair: tuple[str, str] = ("x", "y")) -> Judgement:
    """A verdict on ``prompt`` between ``pair`` won by ``winner`` (None: a tie); the left side does not matter."""
    first, second = sorted(pair)
    left = first
    kind = "tie" if winner is None else ("a" if winner == left else "b")
    return Judgement(judge, prompt, (first, second), left, kind, winner, "2026-01-01T00:00:00+00:00")  # type: ignore[arg-type]


def only(results: list) -> object:
    assert len(results) == 1
    return results[0]


def test_ties_only_are_fifty_percent() -> None:
    result = only(pair_results([verdict("li", f"p{i}", None) for i in range(4)], ["x", "y"]))
    assert (result.wins, result.losses, result.ties, result.n) == (0, 0, 4, 4)
    assert result.win_rate == 0.5
    assert result.reading is Reading.NO_CLEAR_DIFFERENCE
    low, high = result.interval
    assert low == pytest.approx(1 - high)  # symmetric around one half


def test_one_judge() -> None:
    # x wins p1..p3, loses p4, ties p5: (3 + 1/2) / 5 = 0.7.
    judged = [verdict("li", "p1", "x"), verdict("li", "p2", "x"), verdict("li", "p3", "x")]
    judged += [verdict("li", "p4", "y"), verdict("li", "p5", None)]
    result = only(pair_results(judged, ["x", "y"]))
    assert (result.wins, result.losses, result.ties) == (3, 1, 1)
    assert result.win_rate == pytest.approx(0.7)
    assert result.max_rate == result.min_rate == pytest.approx(0.7)
    assert dict(result.per_judge) == {"li": pytest.approx(0.7)}
    assert result.reading is Reading.CLEAR_WIN


def test_the_same_pair_seen_from_the_other_side() -> None:
    judged = [verdict("li", "p1", "x"), verdict("li", "p2", "x"), verdict("li", "p3", "y")]
    assert only(pair_results(judged, ["y", "x"])).win_rate == pytest.approx(1 / 3)
    assert only(pair_results(judged, ["y", "x"])).reading is Reading.CLEAR_LOSS


def test_several_judges_with_different_rates() -> None:
    # li: 2 wins of 2 = 1.0; wang: a loss and a tie = 0.25; zhao: a win and a loss = 0.5.
    # All together: 3 wins, 2 losses, 1 tie = 3.5 / 6.
    judged = [verdict("li", "p1", "x"), verdict("li", "p2", "x")]
    judged += [verdict("wang", "p1", "y"), verdict("wang", "p2", None)]
    judged += [verdict("zhao", "p1", "x"), verdict("zhao", "p2", "y")]
    result = only(pair_results(judged, ["x", "y"]))
    assert result.n == 6
    assert result.win_rate == pytest.approx(3.5 / 6)
    assert dict(result.per_judge) == {"li": 1.0, "wang": 0.25, "zhao": 0.5}
    assert (result.max_rate, result.min_rate) == (1.0, 0.25)
    assert result.reading is Reading.CLEAR_WIN


def test_unjudged_items_count_nowhere() -> None:
    # Three prompts, p3 judged by nobody: two judgements, not three, and no 0 or ½ for p3.
    judged = [verdict("li", "p1", "x"), verdict("li", "p2", None)]
    result = only(pair_results(judged, ["x", "y"]))
    assert result.n == 2
    assert result.win_rate == pytest.approx(0.75)
    nobody = only(pair_results([], ["x", "y"]))
    assert nobody.n == 0 and nobody.win_rate is None and nobody.interval is None
    assert nobody.max_rate is None and nobody.min_rate is None
    assert nobody.reading is Reading.NOT_JUDGED


def test_three_contenders_give_every_pair() -> None:
    names = ["q8", "f16", "q4"]
    assert contender_pairs(names) == [("q8", "f16"), ("q8", "q4"), ("f16", "q4")]
    judged = [
        verdict("li", "p1", "q8", ("q8", "f16")),
        verdict("li", "p1", "q4", ("q8", "q4")),
        verdict("li", "p2", None, ("q8", "q4")),
        verdict("li", "p1", "f16", ("f16", "q4")),
    ]
    by_pair = {(r.first, r.second): r for r in pair_results(judged, names)}
    assert list(by_pair) == [("q8", "f16"), ("q8", "q4"), ("f16", "q4")]
    assert by_pair["q8", "f16"].win_rate == 1.0
    assert by_pair["q8", "q4"].win_rate == pytest.approx(0.25)
    assert by_pair["f16", "q4"].win_rate == 1.0
    assert [r.n for r in by_pair.values()] == [1, 2, 1]


def test_a_verdict_on_contenders_outside_the_run_is_left_out() -> None:
    judged = [verdict("li", "p1", "x"), verdict("li", "p1", "z", ("x", "z"))]
    assert only(pair_results(judged, ["x", "y"])).n == 1


def test_per_genre() -> None:
    genres = {"p1": "letter", "p2": "letter", "p3": "speech"}
    judged = [verdict("li", "p1", "x"), verdict("li", "p2", None), verdict("li", "p3", "y")]
    letter = only(pair_results(judged, ["x", "y"], genres=genres, genre="letter"))
    speech = only(pair_results(judged, ["x", "y"], genres=genres, genre="speech"))
    gongwen = only(pair_results(judged, ["x", "y"], genres=genres, genre="gongwen"))
    assert (letter.genre, letter.n, letter.win_rate) == ("letter", 2, pytest.approx(0.75))
    assert (speech.n, speech.win_rate) == (1, 0.0)
    assert gongwen.n == 0
    assert only(pair_results(judged, ["x", "y"], genres=genres)).win_rate == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("rate", "n", "low", "high"),
    [
        # 5 of 10: centre 0.5, half-width 1.96 * sqrt(0.025 + 0.0096) / 1.3841 (the textbook 0.2366 to 0.7634).
        (0.5, 10, 0.236593, 0.763407),
        # 5 of 5: the lower bound is n / (n + z²) = 5 / 8.84146; the upper one stays at 1.
        (1.0, 5, 0.565518, 1.0),
        (0.0, 5, 0.0, 0.434482),
        # 70 of 100 (the textbook 0.604 to 0.781).
        (0.7, 100, 0.604151, 0.781051),
    ],
)
def test_wilson_interval_against_hand_worked_values(rate: float, n: int, low: float, high: float) -> None:
    assert wilson_interval(rate, n) == (pytest.approx(low, abs=1e-6), pytest.approx(high, abs=1e-6))


def test_wilson_interval_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="n > 0"):
        wilson_interval(0.5, 0)
    with pytest.raises(ValueError, match="rate in"):
        wilson_interval(1.5, 3)


def test_readings_at_the_edges() -> None:
    assert Reading.of(0.55) is Reading.NO_CLEAR_DIFFERENCE
    assert Reading.of(0.5501) is Reading.CLEAR_WIN
    assert Reading.of(0.45) is Reading.NO_CLEAR_DIFFERENCE
    assert Reading.of(0.4499) is Reading.CLEAR_LOSS
    assert Reading.of(None) is Reading.NOT_JUDGED


# -- the store: latest verdict wins, torn lines, each judge's rounds -----------------------------------------------


def make_run(folder: Path, *, prompts: int = 3, names: Sequence[str] = ("f16", "q4"), name: str = "run") -> EvalRun:
    """A run with ``prompts`` prompts and an answer of every contender to each (written as the runner writes them)."""
    genres = ("letter", "speech", "gongwen", "copy")
    prompt_set = PromptSet(
        "test",
        tuple(
            EvalPrompt(f"p{i}", genres[i % 4], "en", "easy", f"Write note {i}.")  # type: ignore[arg-type]
            for i in range(1, prompts + 1)
        ),
    )
    run = EvalRun.create(folder, prompt_set, [Contender(n, model=folder / f"{n}.gguf") for n in names], name=name)
    for contender in names:
        for prompt in prompt_set.prompts:
            run.add_answer(Answer(contender, prompt.id, f"{contender} answers {prompt.id}", {}))
    return run


def test_a_judge_who_changed_a_verdict_counts_with_the_latest(tmp_path: Path) -> None:
    run = make_run(tmp_path / "run")
    store = JudgementStore(run)
    store.record("li", "p1", ("q4", "f16"), "q4", "a")  # q4 wins p1 ...
    store.record("li", "p2", ("f16", "q4"), "f16", "tie")
    store.record("li", "p1", ("f16", "q4"), "f16", "a")  # ... then li thinks again: f16 wins p1
    assert len(store.all_records()) == 3
    latest = store.judgements()
    assert [(j.prompt_id, j.winner) for j in latest] == [("p2", None), ("p1", "f16")]
    result = only(pair_results(latest, ["f16", "q4"]))
    assert (result.wins, result.ties, result.n, result.win_rate) == (1, 1, 2, 0.75)
    assert store.latest("li", "p1", ("q4", "f16")).winner == "f16"
    # On disk exactly as agreed: pair sorted, left, verdict, winner.
    first = json.loads(store.path.read_text(encoding="utf-8").splitlines()[0])
    assert {k: first[k] for k in ("judge", "prompt_id", "pair", "left", "verdict", "winner")} == {
        "judge": "li", "prompt_id": "p1", "pair": ["f16", "q4"], "left": "q4", "verdict": "a", "winner": "q4"
    }  # fmt: skip


def test_a_torn_last_line_is_ignored_and_cut_off_before_the_next_verdict(tmp_path: Path) -> None:
    run = make_run(tmp_path / "run")
    store = JudgementStore(run)
    store.record("li", "p1", ("f16", "q4"), "q4", "b")
    with store.path.open("ab") as f:
        f.write(b'{"judge": "li", "prompt_id": "p2", "pa')
    assert [j.prompt_id for j in store.judgements()] == ["p1"]
    store.record("li", "p3", ("f16", "q4"), "q4", "tie")
    assert [j.prompt_id for j in store.judgements()] == ["p1", "p3"]
    assert store.path.read_bytes().count(b"\n") == 2


def test_a_damaged_line_in_the_middle_is_an_error_naming_it(tmp_path: Path) -> None:
    run = make_run(tmp_path / "run")
    store = JudgementStore(run)
    store.record("li", "p1", ("f16", "q4"), "q4", "b")
    with store.path.open("ab") as f:
        f.write(b'{"judge": "li"}\n')
    store.record("li", "p2", ("f16", "q4"), "q4", "b")
    with pytest.raises(EvalFormatError, match="line 2"):
        store.judgements()


@pytest.mark.parametrize(
    ("judge", "prompt", "pair", "left", "verdict_", "message"),
    [
        ("  ", "p1", ("f16", "q4"), "q4", "a", "judge's name"),
        ("a\nb", "p1", ("f16", "q4"), "q4", "a", "judge's name"),
        ("li", "p9", ("f16", "q4"), "q4", "a", "no round"),
        ("li", "p1", ("f16", "q8"), "f16", "a", "no round"),
        ("li", "p1", ("f16", "f16"), "f16", "a", "no round"),
        ("li", "p1", ("f16", "q4"), "q8", "a", "not a verdict"),
        ("li", "p1", ("f16", "q4"), "q4", "c", "not a verdict"),
    ],
)
def test_a_bad_verdict_is_refused(
    tmp_path: Path, judge: str, prompt: str, pair: tuple[str, str], left: str, verdict_: str, message: str
) -> None:
    store = JudgementStore(make_run(tmp_path / "run"))
    with pytest.raises(JudgementError, match=message):
        store.record(judge, prompt, pair, left, verdict_)  # type: ignore[arg-type]
    assert store.all_records() == []


def test_each_judge_has_an_order_and_sides_of_their_own_that_stay(tmp_path: Path) -> None:
    run = make_run(tmp_path / "run", prompts=12)
    store = JudgementStore(run)

    def seen(judge: str) -> list[tuple[str, str]]:
        return [(r.prompt.id, r.left) for r in store.all_rounds_for(judge)]

    li, wang = seen("li"), seen("wang")
    assert sorted(p for p, _ in li) == sorted(p for p, _ in wang) == sorted(f"p{i}" for i in range(1, 13))
    assert [p for p, _ in li] != [p for p, _ in wang]  # another order ...
    assert dict(li) != dict(wang)  # ... and other sides
    assert {left for _, left in li} == {"f16", "q4"}  # both contenders are shown as A sometimes
    # The same for that judge when the run is opened again, and the answers follow their contender.
    again = JudgementStore(EvalRun.open(run.folder))
    assert [(r.prompt.id, r.left) for r in again.all_rounds_for("li")] == li
    for r in again.all_rounds_for("li"):
        assert r.left_text == f"{r.left} answers {r.prompt.id}" and r.right_text == f"{r.right} answers {r.prompt.id}"


def test_rounds_skip_what_the_judge_judged_and_answers_with_errors(tmp_path: Path) -> None:
    run = make_run(tmp_path / "run", prompts=4, names=("f16", "q4", "q8"))
    run.add_answer(Answer("q8", "p2", "", {}, error="the model stopped"))
    store = JudgementStore(run)
    everything = store.all_rounds_for("li")
    # 4 prompts × 3 pairs, less the two pairs with q8 on p2.
    assert len(everything) == 10
    assert all(not ("q8" in r.pair and r.prompt.id == "p2") for r in everything)
    first = everything[0]
    store.record("li", first.prompt.id, first.pair, first.left, "a")
    assert store.rounds_for("li") == everything[1:]
    assert len(store.rounds_for("wang")) == 10
    assert store.judges() == ["li"]
