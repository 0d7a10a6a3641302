"""The judges' verdicts on a run, and the rounds each judge still has to judge.

A run's verdicts live in ``judgements.jsonl`` in the run's folder, one JSON object per line::

    {"judge": "Li", "prompt_id": "gw-01", "pair": ["f16", "q4"], "left": "q4", "verdict": "a",
     "winner": "q4", "at": "2026-05-01T10:00:00+00:00"}

``pair`` is the two contenders' names sorted, ``left`` the one shown as A, ``verdict`` ``"a"``, ``"b"`` or
``"tie"`` and ``winner`` the contender that won (null for a tie). Lines are only ever appended, each with one write
and an fsync, so a verdict is on disk the moment it is given; a later line for the same (judge, prompt, pair)
replaces an earlier one (a judge who changed their mind). A last line cut short by a crash is ignored, and cut off
before the next verdict is appended.

Each judge sees the rounds in an order, and with an A/B placement, of their own: both come from a hash of the run's
name, the judge's name, the prompt and the pair, so they are random from judge to judge but the same every time
that judge opens the run, and a round keeps its place and its sides when more answers arrive.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

from ziya_desktop.errors import EvalFormatError, JudgementError
from ziya_desktop.evaluation.jsonl_file import append_line
from ziya_desktop.regular_file import read_regular_file
from ziya_desktop.translatable import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from ziya_desktop.evaluation.prompt_sets import EvalPrompt
    from ziya_desktop.evaluation.run_store import EvalRun

__all__ = ["Judgement", "JudgementStore", "Round", "Verdict"]

log = logging.getLogger(__name__)

Verdict = Literal["a", "b", "tie"]
VERDICTS: tuple[str, ...] = get_args(Verdict)
MAX_JUDGE_NAME = 80


@dataclass(frozen=True)
class Judgement:
    """One verdict: ``judge`` judged the round of ``prompt_id`` between the two contenders of ``pair`` (sorted),
    ``left`` shown as A; ``winner`` is the contender that won, None for a tie; ``at`` is an ISO time."""

    judge: str
    prompt_id: str
    pair: tuple[str, str]
    left: str
    verdict: Verdict
    winner: str | None
    at: str

    @property
    def key(self) -> tuple[str, str, tuple[str, str]]:
        return (self.judge, self.prompt_id, self.pair)

    @property
    def right(self) -> str:
        """The contender shown as B."""
        return self.pair[1] if self.left == self.pair[0] else self.pair[0]

    def as_json_dict(self) -> dict[str, object]:
        return {
            "judge": self.judge,
            "prompt_id": self.prompt_id,
            "pair": list(self.pair),
            "left": self.left,
            "verdict": self.verdict,
            "winner": self.winner,
            "at": self.at,
        }


@dataclass(frozen=True)
class Round:
    """One prompt with the answers of two contenders, ``left`` shown as A and ``right`` as B."""

    prompt: EvalPrompt
    left: str
    right: str
    left_text: str
    right_text: str

    @property
    def pair(self) -> tuple[str, str]:
        first, second = sorted((self.left, self.right))
        return (first, second)

    def winner(self, verdict: Verdict) -> str | None:
        """The contender that ``verdict`` says won (None for a tie)."""
        return {"a": self.left, "b": self.right}.get(verdict)


class JudgementStore:
    """The verdicts of one run (its ``judgements.jsonl``).

    Reads the file anew on every question, so two windows on one run (or a report written meanwhile) see each
    other's verdicts.

    Args:
        run: the run judged.
    """

    def __init__(self, run: EvalRun) -> None:
        self.run = run
        self.path: Path = run.judgements_path

    # -- reading -----------------------------------------------------------------------------------------------

    def all_records(self) -> list[Judgement]:
        """Every verdict on disk, in the order given (a torn last line left out).

        Raises:
            EvalFormatError: the file cannot be read, or a line other than the last is not a verdict (the message
                names the line).
        """
        try:
            # Verdict lines are ~200 bytes: a million verdicts fit; a file past that was not written by judges.
            data = read_regular_file(self.path, 256 << 20)
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise EvalFormatError(
                QT_TRANSLATE_NOOP("JudgementError", "the verdicts cannot be read: {reason}").format(
                    reason=exc.strerror or str(exc)
                ),
                path=self.path,
            ) from exc
        lines = data.split(b"\n")
        records = []
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            try:
                records.append(_parse(raw))
            except (ValueError, KeyError, TypeError, RecursionError) as exc:
                if number == len(lines):  # no newline after it: a write cut short, never finished
                    log.warning("%s: ignoring a torn last line (%s)", self.path, exc)
                    continue
                raise EvalFormatError(
                    QT_TRANSLATE_NOOP("JudgementError", "not a verdict: {reason}").format(reason=str(exc)),
                    path=self.path,
                    line=number,
                ) from exc
        return records

    def judgements(self) -> list[Judgement]:
        """Each judge's latest verdict per round, in the order those verdicts were given."""
        latest: dict[tuple[str, str, tuple[str, str]], Judgement] = {}
        for record in self.all_records():
            latest.pop(record.key, None)
            latest[record.key] = record
        return list(latest.values())

    def latest(self, judge: str, prompt_id: str, pair: tuple[str, str]) -> Judgement | None:
        """``judge``'s latest verdict on the round of ``prompt_id`` between ``pair`` (in any order)."""
        key = (judge, prompt_id, _sorted_pair(pair))
        return next((j for j in reversed(self.all_records()) if j.key == key), None)

    def judges(self) -> list[str]:
        """The names that judged this run, in the order they first did."""
        return list(dict.fromkeys(j.judge for j in self.all_records()))

    # -- rounds ------------------------------------------------------------------------------------------------

    def all_rounds_for(self, judge: str) -> list[Round]:
        """Every round of the run in ``judge``'s order and placement: each prompt with each pair of contenders
        that both have an answer without error."""
        judge = check_judge_name(judge)
        answers = self.run.answers()
        names = [c.name for c in self.run.contenders]
        rounds = []
        for prompt in self.run.prompt_set.prompts:
            for first, second in combinations(names, 2):
                one, two = answers.get((first, prompt.id)), answers.get((second, prompt.id))
                if one is None or two is None or one.error or two.error:
                    continue
                digest = _round_digest(self.run.name, judge, prompt.id, _sorted_pair((first, second)))
                swap = digest[-1] & 1 == 1
                left, right = (two, one) if swap else (one, two)
                rounds.append((digest, Round(prompt, left.contender, right.contender, left.text, right.text)))
        rounds.sort(key=lambda item: item[0])
        return [r for _digest, r in rounds]

    def rounds_for(self, judge: str) -> list[Round]:
        """The rounds ``judge`` has not judged yet, in their order (see :meth:`all_rounds_for`)."""
        judge = check_judge_name(judge)
        done = {(j.prompt_id, j.pair) for j in self.judgements() if j.judge == judge}
        return [r for r in self.all_rounds_for(judge) if (r.prompt.id, r.pair) not in done]

    # -- writing -----------------------------------------------------------------------------------------------

    def record(self, judge: str, prompt_id: str, pair: tuple[str, str], left: str, verdict: Verdict) -> Judgement:
        """Append ``judge``'s verdict on a round and fsync it; it replaces their earlier verdict on that round.

        Args:
            judge: the judge's name (surrounding spaces are dropped).
            prompt_id: a prompt of the run.
            pair: the two contenders of the round, in any order.
            left: the one of them shown as A.
            verdict: ``"a"`` (A is better), ``"b"`` (B is better) or ``"tie"``.

        Raises:
            JudgementError: an empty or overlong judge name, a prompt or contender the run does not have, a
                verdict that is none of the three, or the file could not be written.
        """
        judge = check_judge_name(judge)
        names = {c.name for c in self.run.contenders}
        prompts = {p.id for p in self.run.prompt_set.prompts}
        sorted_pair = _sorted_pair(pair)
        if prompt_id not in prompts or not set(sorted_pair) <= names or sorted_pair[0] == sorted_pair[1]:
            raise JudgementError(
                QT_TRANSLATE_NOOP("JudgementError", "no round of prompt {prompt} between {first} and {second}").format(
                    prompt=prompt_id, first=sorted_pair[0], second=sorted_pair[1]
                )
            )
        if left not in sorted_pair or verdict not in VERDICTS:
            raise JudgementError(
                QT_TRANSLATE_NOOP("JudgementError", "not a verdict: {verdict} with {left} shown as A").format(
                    verdict=str(verdict), left=left
                )
            )
        right = sorted_pair[1] if left == sorted_pair[0] else sorted_pair[0]
        winner = {"a": left, "b": right}.get(verdict)
        at = datetime.now(UTC).isoformat(timespec="seconds")
        judgement = Judgement(judge, prompt_id, sorted_pair, left, verdict, winner, at)
        self._append(json.dumps(judgement.as_json_dict(), ensure_ascii=False).encode("utf-8") + b"\n")
        return judgement

    def _append(self, line: bytes) -> None:
        """One write of the whole line at the end of the file, then fsync; a torn last line is cut off first."""
        try:
            append_line(self.path, line, is_whole=_is_verdict)
        except OSError as exc:
            raise JudgementError(
                QT_TRANSLATE_NOOP("JudgementError", "cannot save the verdict to {path}: {reason}").format(
                    path=str(self.path), reason=exc.strerror or str(exc)
                )
            ) from exc


def check_judge_name(name: str) -> str:
    """``name`` without surrounding spaces.

    Raises:
        JudgementError: the name is empty, longer than 80 characters or holds a line break or control character.
    """
    name = name.strip()
    if not name or len(name) > MAX_JUDGE_NAME or any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise JudgementError(
            QT_TRANSLATE_NOOP("JudgementError", "“{name}” is not a judge's name").format(name=name),
            hint=QT_TRANSLATE_NOOP("ErrorHints", "Type your name (up to 80 characters, on one line) to judge."),
        )
    return name


def _sorted_pair(pair: tuple[str, str] | list[str]) -> tuple[str, str]:
    if len(pair) != 2:
        raise JudgementError(QT_TRANSLATE_NOOP("JudgementError", "a round compares exactly two contenders"))
    first, second = sorted((str(pair[0]), str(pair[1])))
    return (first, second)


def _round_digest(run_name: str, judge: str, prompt_id: str, pair: tuple[str, str]) -> bytes:
    key = "\x00".join((run_name, judge, prompt_id, *pair))
    return hashlib.sha256(key.encode("utf-8")).digest()


def _parse(raw: bytes) -> Judgement:
    """A :class:`Judgement` from one line; ValueError, KeyError or TypeError when it is not one."""
    obj = json.loads(raw.decode("utf-8"))
    if not isinstance(obj, Mapping):
        raise TypeError("not a JSON object")
    pair = obj["pair"]
    if not isinstance(pair, list) or len(pair) != 2 or not all(isinstance(p, str) for p in pair):
        raise ValueError("pair must be two names")
    first, second = sorted(pair)
    judge, prompt_id, left, verdict, winner, at = (
        obj["judge"], obj["prompt_id"], obj["left"], obj["verdict"], obj.get("winner"), obj.get("at", "")
    )  # fmt: skip
    if not all(isinstance(v, str) for v in (judge, prompt_id, left, at)) or left not in pair:
        raise ValueError("judge, prompt_id, left and at must be text, left one of the pair")
    if verdict not in VERDICTS:
        raise ValueError(f"unknown verdict {verdict!r}")
    right = second if left == first else first
    if winner != {"a": left, "b": right}.get(verdict):
        raise ValueError(f"winner {winner!r} does not match verdict {verdict!r}")
    return Judgement(judge, prompt_id, (first, second), left, verdict, winner, at)


def _is_verdict(raw: bytes) -> bool:
    try:
        _parse(raw)
    except (ValueError, KeyError, TypeError, RecursionError):  # cut short: not a whole verdict
        return False
    return True
