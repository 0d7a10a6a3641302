"""Win rates from the judges' verdicts, the way Ziya-Writing's authors scored their side-by-side comparison.

For a pair of contenders (X, Y), the win rate of X is ``(wins of X + ties / 2) / judgements`` over every judge's
latest verdict on a round of that pair; each judge's own win rate is worked out the same way, and the table shows
the highest and the lowest of those beside the rate over all judges. A round nobody judged counts nowhere.

The reading follows the model card: above 55 % X is a clear win, below 45 % a clear loss, in between there is no
clear difference.

The 95 % interval is the Wilson score interval on the win rate, with a tie counted as half a win. Wilson rather than
a bootstrap: it is a closed formula (the same figures on every machine and in every export, no seed to keep), it
stays inside 0–100 % and keeps a sensible width at the small counts a writer judges (a few dozen rounds) and at
rates near 0 or 1, where the plain normal approximation collapses to a zero-width interval. A round's score is 0,
½ or 1; its variance is at most p(1 − p), the variance the interval assumes, so with ties the interval is, if
anything, a little wider than it needs to be, never narrower.

Nothing here reads files: :func:`pair_results` works on :class:`~ziya_desktop.evaluation.judgements.Judgement`
records, so the arithmetic can be checked against cases worked by hand.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from itertools import combinations
from types import MappingProxyType
from typing import TYPE_CHECKING

from ziya_desktop.translatable import QT_TRANSLATE_NOOP, Translatable

if TYPE_CHECKING:
    from ziya_desktop.evaluation.judgements import Judgement

__all__ = [
    "CLEAR_LOSS_BELOW",
    "CLEAR_WIN_ABOVE",
    "Z_95",
    "PairResult",
    "Reading",
    "pair_results",
    "wilson_interval",
]

CLEAR_WIN_ABOVE = 0.55
CLEAR_LOSS_BELOW = 0.45
# The two-sided 95 % quantile of the standard normal distribution.
Z_95 = 1.959963984540054


class Reading(Enum):
    """What a win rate says about X against Y."""

    CLEAR_WIN = "clear win"
    CLEAR_LOSS = "clear loss"
    NO_CLEAR_DIFFERENCE = "no clear difference"
    NOT_JUDGED = "not judged"

    @property
    def label(self) -> Translatable:
        """The reading as the tables show it, marked for translation (context ``Reading``)."""
        return _READING_LABELS[self]

    @classmethod
    def of(cls, rate: float | None) -> Reading:
        if rate is None:
            return cls.NOT_JUDGED
        if rate > CLEAR_WIN_ABOVE:
            return cls.CLEAR_WIN
        if rate < CLEAR_LOSS_BELOW:
            return cls.CLEAR_LOSS
        return cls.NO_CLEAR_DIFFERENCE


_READING_LABELS = {
    Reading.CLEAR_WIN: QT_TRANSLATE_NOOP("Reading", "clear win"),
    Reading.CLEAR_LOSS: QT_TRANSLATE_NOOP("Reading", "clear loss"),
    Reading.NO_CLEAR_DIFFERENCE: QT_TRANSLATE_NOOP("Reading", "no clear difference"),
    Reading.NOT_JUDGED: QT_TRANSLATE_NOOP("Reading", "not judged"),
}


@dataclass(frozen=True)
class _Tally:
    wins: int = 0
    losses: int = 0
    ties: int = 0

    @property
    def n(self) -> int:
        return self.wins + self.losses + self.ties

    @property
    def rate(self) -> float | None:
        return (self.wins + self.ties / 2) / self.n if self.n else None

    def add(self, score: float) -> _Tally:
        if score == 1.0:
            return _Tally(self.wins + 1, self.losses, self.ties)
        if score == 0.0:
            return _Tally(self.wins, self.losses + 1, self.ties)
        return _Tally(self.wins, self.losses, self.ties + 1)


@dataclass(frozen=True)
class PairResult:
    """The figures of X against Y, over all genres (``genre`` None) or over the prompts of one genre.

    Attributes:
        first, second: X and Y; the rates are X's.
        wins, losses, ties: X's wins, X's losses (Y's wins) and the ties; ``n`` is their sum, the judgements.
        win_rate: ``(wins + ties / 2) / n`` over all judges; None when nobody judged this pair.
        per_judge: each judge's own win rate for X (only judges who judged this pair).
        interval: the 95 % Wilson interval of ``win_rate`` (None when not judged).
    """

    first: str
    second: str
    genre: str | None
    wins: int
    losses: int
    ties: int
    per_judge: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def n(self) -> int:
        return self.wins + self.losses + self.ties

    @property
    def win_rate(self) -> float | None:
        return _Tally(self.wins, self.losses, self.ties).rate

    @property
    def max_rate(self) -> float | None:
        """The highest of the judges' own win rates."""
        return max(self.per_judge.values()) if self.per_judge else None

    @property
    def min_rate(self) -> float | None:
        """The lowest of the judges' own win rates."""
        return min(self.per_judge.values()) if self.per_judge else None

    @property
    def interval(self) -> tuple[float, float] | None:
        rate = self.win_rate
        return None if rate is None else wilson_interval(rate, self.n)

    @property
    def reading(self) -> Reading:
        return Reading.of(self.win_rate)


def wilson_interval(rate: float, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval around ``rate`` observed over ``n`` judgements (``n`` > 0), clipped to [0, 1].

    Raises:
        ValueError: ``n`` is not positive or ``rate`` lies outside [0, 1].
    """
    if n <= 0 or not 0.0 <= rate <= 1.0:
        raise ValueError(f"a Wilson interval needs n > 0 and a rate in [0, 1], not n={n}, rate={rate}")
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (rate + z2 / (2 * n)) / denominator
    half = z * math.sqrt(rate * (1 - rate) / n + z2 / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def contender_pairs(contenders: Sequence[str]) -> list[tuple[str, str]]:
    """Every pair (X, Y) of ``contenders``, X before Y in the given order (the run's order of contenders)."""
    return list(combinations(contenders, 2))


def pair_results(
    judgements: Iterable[Judgement],
    contenders: Sequence[str],
    *,
    genres: Mapping[str, str] | None = None,
    genre: str | None = None,
) -> list[PairResult]:
    """The figures for every pair of ``contenders`` (X before Y in their order), from the latest verdicts.

    Args:
        judgements: each judge's latest verdict per round (``JudgementStore.judgements()``); verdicts on pairs of
            names not among ``contenders`` are left out.
        contenders: the run's contender names, in the run's order.
        genres: prompt id → genre; needed with ``genre``.
        genre: only the verdicts on prompts of this genre (None: all of them).

    Returns:
        One :class:`PairResult` per pair, in the order of :func:`contender_pairs`; a pair nobody judged has n = 0.
    """
    pairs = contender_pairs(contenders)
    overall: dict[tuple[str, str], _Tally] = {pair: _Tally() for pair in pairs}
    by_judge: dict[tuple[str, str], dict[str, _Tally]] = {pair: {} for pair in pairs}
    for judgement in judgements:
        if genre is not None and (genres or {}).get(judgement.prompt_id) != genre:
            continue
        pair = _oriented(judgement.pair, pairs)
        if pair is None:
            continue
        score = _score_of_first(judgement, pair[0])
        overall[pair] = overall[pair].add(score)
        judges = by_judge[pair]
        judges[judgement.judge] = judges.get(judgement.judge, _Tally()).add(score)
    results = []
    for pair in pairs:
        tally = overall[pair]
        per_judge = {judge: t.rate for judge, t in sorted(by_judge[pair].items()) if t.rate is not None}
        results.append(
            PairResult(pair[0], pair[1], genre, tally.wins, tally.losses, tally.ties, MappingProxyType(per_judge))
        )
    return results


def _oriented(pair: tuple[str, str], pairs: Sequence[tuple[str, str]]) -> tuple[str, str] | None:
    for known in pairs:
        if set(known) == set(pair):
            return known
    return None


def _score_of_first(judgement: Judgement, first: str) -> float:
    """1 when X won the round, 0 when Y won, ½ for a tie."""
    if judgement.winner is None:
        return 0.5
    return 1.0 if judgement.winner == first else 0.0
