"""A run's results as a Markdown or CSV report: the win-rate table in the model card's shape, per genre on request,
and the KL rows when they were measured.

The Markdown table has one row per pair of contenders: pair | average win rate | max | min | judgements | 95 %
interval | reading, where "average" is the win rate over all judges' verdicts and max / min are the highest and
lowest of the judges' own rates (:mod:`ziya_desktop.evaluation.win_rates`). The CSV file has one row per pair and
genre (``all`` for the whole set), with rates as fractions, for a spreadsheet or a script.

The report is written in English on every UI language: it is a file to share, like the model card it mirrors.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TextIO

from ziya_desktop.errors import EvaluationError
from ziya_desktop.evaluation.judgements import Judgement, JudgementStore
from ziya_desktop.evaluation.win_rates import PairResult, pair_results
from ziya_desktop.translatable import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from ziya_desktop.evaluation.run_store import EvalRun

__all__ = ["CSV_COLUMNS", "KlRow", "RunResults", "kl_rows", "run_results", "write_report"]

ReportFormat = Literal["markdown", "csv"]
ALL_GENRES = "all"
CSV_COLUMNS = (
    "first", "second", "genre", "win_rate", "max_rate", "min_rate", "judgements", "wins", "losses", "ties",
    "ci_low", "ci_high", "reading", "judges",
    "kl_base", "kl_other", "mean_kl", "kl_ci_low", "kl_ci_high", "top1_agreement", "kl_tokens",
)  # fmt: skip


@dataclass(frozen=True)
class RunResults:
    """The figures of a run: ``overall`` per pair, ``by_genre`` genre → per pair (genres in the prompt set's
    order, only those with prompts), and the judges and the number of latest verdicts they came from."""

    overall: list[PairResult]
    by_genre: dict[str, list[PairResult]]
    judges: list[str]
    judgements: int


def run_results(run: EvalRun, judgements: Sequence[Judgement] | None = None) -> RunResults:
    """The win rates of every pair of the run's contenders, over all its prompts and per genre.

    Args:
        judgements: the latest verdicts (default: read from the run's ``judgements.jsonl``).

    Raises:
        EvalFormatError: the verdicts file is damaged (see :meth:`JudgementStore.all_records`).
    """
    latest = list(JudgementStore(run).judgements() if judgements is None else judgements)
    names = [c.name for c in run.contenders]
    genres: dict[str, str] = {p.id: p.genre for p in run.prompt_set.prompts}
    # Verdicts on prompts no longer in the run (a hand-edited file) count nowhere, like unjudged rounds.
    latest = [j for j in latest if j.prompt_id in genres]
    by_genre = {
        genre: pair_results(latest, names, genres=genres, genre=genre) for genre in dict.fromkeys(genres.values())
    }
    judges = list(dict.fromkeys(j.judge for j in latest))
    return RunResults(pair_results(latest, names), by_genre, judges, len(latest))


@dataclass(frozen=True)
class KlRow:
    """One line of the KL measure: ``other`` against ``base`` over ``genre`` (``all`` for the whole set)."""

    base: str
    other: str
    genre: str
    mean_kl: float
    interval: tuple[float, float] | None
    top1_agreement: float
    tokens: int


def kl_rows(kl: object) -> list[KlRow]:
    """The rows of a KL measurement, the whole set (``all``) first: a :class:`~ziya_desktop.evaluation.kl.KlReport`
    or its JSON form (``KlReport.as_dict()``: ``base``, ``other`` and ``rows`` of ``genre``, ``mean_kl``,
    ``ci_low``, ``ci_high``, ``top1_agreement``, ``tokens``).

    Raises:
        EvaluationError: ``kl`` has neither form.
    """
    get = _getter(kl)
    try:
        base, other = str(get("base")), str(get("other"))
        rows = []
        for raw in get("rows"):
            row = _getter(raw)
            low, high = row("ci_low"), row("ci_high")
            rows.append(
                KlRow(
                    base,
                    other,
                    str(row("genre")),
                    float(row("mean_kl")),
                    None if low is None or high is None else (float(low), float(high)),
                    float(row("top1_agreement")),
                    int(row("tokens")),
                )
            )
    except (KeyError, AttributeError, TypeError, ValueError) as exc:
        raise EvaluationError(
            QT_TRANSLATE_NOOP("Report", "the KL measurement cannot be read: {reason}").format(reason=str(exc))
        ) from exc
    return sorted(rows, key=lambda r: r.genre != ALL_GENRES)


def _getter(obj: object) -> Any:
    if isinstance(obj, Mapping):
        return obj.__getitem__
    return lambda name: getattr(obj, name)


def write_report(
    run: EvalRun,
    fmt: ReportFormat,
    out: TextIO,
    *,
    by_genre: bool = False,
    kl: Mapping[str, Any] | object | None = None,
) -> None:
    """Write the run's results to ``out`` as Markdown or CSV.

    Args:
        run: the run; its verdicts are read from its folder.
        fmt: ``"markdown"`` or ``"csv"``.
        by_genre: add the per-genre tables (Markdown); the CSV always has the per-genre rows.
        kl: a KL measurement of two of the run's contenders (:func:`kl_rows` reads it), or None.

    Raises:
        EvaluationError: an unknown format or an unreadable KL measurement.
        EvalFormatError: the run's verdicts file is damaged.
    """
    results = run_results(run)
    rows = kl_rows(kl) if kl is not None else []
    if fmt == "markdown":
        out.write(_markdown(run, results, rows, by_genre=by_genre))
    elif fmt == "csv":
        _csv(results, rows, out)
    else:
        raise EvaluationError(
            QT_TRANSLATE_NOOP("Report", "unknown report format {format}: use markdown or csv").format(format=str(fmt))
        )


def percent(rate: float | None) -> str:
    """``0.583`` → ``58.3 %``; an em dash for no figure."""
    return "—" if rate is None else f"{rate * 100:.1f} %"


def interval_text(interval: tuple[float, float] | None) -> str:
    return "—" if interval is None else f"{interval[0] * 100:.1f}–{interval[1] * 100:.1f} %"


def _markdown(run: EvalRun, results: RunResults, kl: Sequence[KlRow], *, by_genre: bool) -> str:
    lines = [f"# Evaluation: {run.name}", ""]
    contenders = ", ".join(c.describe() for c in run.contenders)
    judges = ", ".join(results.judges) or "none yet"
    lines += [
        f"Prompt set: {run.prompt_set.name} ({len(run.prompt_set.prompts)} prompts). Contenders: {contenders}.",
        f"Judges: {judges}. Judgements: {results.judgements}.",
        "",
        "Win rate of the first contender = (wins + ties / 2) / judgements, over every judge's latest verdict; max and "
        "min are the highest and lowest judge's own rate; 95 % Wilson interval; above 55 % a clear win, below 45 % "
        "a clear loss.",
        "",
    ]
    lines += _win_table(results.overall, with_genre=False)
    if by_genre:
        lines += ["", "## By genre", ""]
        lines += _win_table([r for genre_rows in results.by_genre.values() for r in genre_rows], with_genre=True)
    if kl:
        lines += ["", f"## KL divergence of {kl[0].other} from {kl[0].base}", ""]
        lines += ["| Genre | Mean KL | 95 % interval | Top-1 agreement | Tokens |", "|---|---:|---|---:|---:|"]
        for row in kl:
            ci = "—" if row.interval is None else f"{row.interval[0]:.6f}–{row.interval[1]:.6f}"
            lines.append(f"| {row.genre} | {row.mean_kl:.6f} | {ci} | {percent(row.top1_agreement)} | {row.tokens} |")
    return "\n".join(lines) + "\n"


def _win_table(results: Iterable[PairResult], *, with_genre: bool) -> list[str]:
    head = "| Genre | Pair |" if with_genre else "| Pair |"
    rule = "|---|---|" if with_genre else "|---|"
    lines = [
        f"{head} Average win rate | Max | Min | Judgements | 95 % interval | Reading |",
        f"{rule}---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        genre = f"| {r.genre} " if with_genre else ""
        lines.append(
            f"{genre}| {_cell(r.first)} vs {_cell(r.second)} | {percent(r.win_rate)} | {percent(r.max_rate)} | "
            f"{percent(r.min_rate)} | {r.n} | {interval_text(r.interval)} | {r.reading.value} |"
        )
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _csv(results: RunResults, kl: Sequence[KlRow], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    kl_by_genre = {row.genre: row for row in kl}
    kl_pair = {kl[0].base, kl[0].other} if kl else set()
    every = [(ALL_GENRES, r) for r in results.overall]
    every += [(genre, r) for genre, rows in results.by_genre.items() for r in rows]
    for genre, r in every:
        ci = r.interval
        row: list[object] = [
            r.first, r.second, genre, _fraction(r.win_rate), _fraction(r.max_rate), _fraction(r.min_rate),
            r.n, r.wins, r.losses, r.ties, _fraction(ci[0] if ci else None), _fraction(ci[1] if ci else None),
            r.reading.value, ";".join(r.per_judge),
        ]  # fmt: skip
        k = kl_by_genre.get(genre) if {r.first, r.second} == kl_pair else None
        if k is None:
            row += [""] * 7
        else:
            kci = k.interval
            row += [k.base, k.other, f"{k.mean_kl:.6g}", "" if kci is None else f"{kci[0]:.6g}"]
            row += ["" if kci is None else f"{kci[1]:.6g}", _fraction(k.top1_agreement), k.tokens]
        writer.writerow(row)


def _fraction(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"
