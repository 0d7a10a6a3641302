"""The objective measure beside the judges: how far one model's next-token distributions are from another's.

As llama.cpp's ``--kl-divergence`` does, both models read the same tokens (teacher forcing): the Ziya prompt
followed by a reference answer (the prompt's own ``reference``, else the base contender's answer from the run).
At every answer position, KL(P_base || P_other) is computed from the full softmax distributions in float64, and
whether the two most likely tokens agree. The models are loaded one after the other, never both at once: the
base model's logits for the answer positions wait in a temporary file while the other model runs.

The 95 % interval is a normal approximation with prompts as the independent units: tokens of one answer are not
independent of each other, so the standard error of the token-weighted mean is the cluster-robust (ratio
estimator) one over the per-prompt sums. With fewer than two prompts there is no interval.
"""

from __future__ import annotations

import math
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ziya_desktop.engine.llama_api import ContextParams, LlamaContext, LlamaModel, ModelParams
from ziya_desktop.engine.model_gate import gate_model
from ziya_desktop.engine.prompt import ziya_prompt
from ziya_desktop.engine.trial_load import ensure_loadable
from ziya_desktop.errors import CancelledError, EvaluationError
from ziya_desktop.evaluation.prompt_sets import GENRES
from ziya_desktop.evaluation.run_store import EvalRun
from ziya_desktop.translatable import QT_TRANSLATE_NOOP

__all__ = ["INTERVAL_METHOD", "KlReport", "KlRow", "KlText", "kl_divergence", "kl_for_run", "kl_texts", "position_kl"]

INTERVAL_METHOD = "normal approximation, prompts as independent units (cluster-robust standard error)"
ALL = "all"
MAX_TOKENS = 2048  # Ziya's context window: a longer text is cut to it
_Z95 = 1.959963984540054
_PIECES_CHECKED = 64


class KlText(NamedTuple):
    """One forced text: the prompt's id and genre, the query (wrapped in Ziya's format here) and the answer."""

    prompt_id: str
    genre: str
    query: str
    answer: str


@dataclass(frozen=True)
class KlRow:
    """The measure over one genre's prompts (``genre`` is ``"all"`` for every prompt together)."""

    genre: str
    prompts: int
    tokens: int
    mean_kl: float
    ci_low: float | None
    ci_high: float | None
    median_kl: float
    p99_kl: float
    max_kl: float
    top1_agreement: float

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class KlReport:
    base: str
    other: str
    rows: tuple[KlRow, ...]  # genres in GENRES order, then "all"
    interval: str = INTERVAL_METHOD

    @property
    def overall(self) -> KlRow:
        return self.rows[-1]

    def as_dict(self) -> dict[str, object]:
        return {
            "base": self.base,
            "other": self.other,
            "interval": self.interval,
            "rows": [r.as_dict() for r in self.rows],
        }

    def format_table(self) -> str:
        """A text table like llama.cpp's --kl-divergence summary, one line per genre and one for all."""
        head = f"KL divergence of {self.other} from {self.base} (teacher-forced; 95 % interval: {self.interval})"
        cols = f"{'genre':<8} {'prompts':>7} {'tokens':>7} {'mean KL':>10} {'95 % interval':>23} "
        cols += f"{'median':>10} {'99 %':>10} {'max':>10} {'top-1':>8}"
        lines = [head, cols]
        for r in self.rows:
            ci = f"{r.ci_low:.6f} – {r.ci_high:.6f}" if r.ci_low is not None and r.ci_high is not None else "–"
            lines.append(
                f"{r.genre:<8} {r.prompts:>7} {r.tokens:>7} {r.mean_kl:>10.6f} {ci:>23} "
                f"{r.median_kl:>10.6f} {r.p99_kl:>10.6f} {r.max_kl:>10.6f} {100 * r.top1_agreement:>7.2f}%"
            )
        return "\n".join(lines)


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    x = np.asarray(logits, dtype=np.float64)
    shifted = x - x.max(axis=-1, keepdims=True)  # the largest is 0: exp cannot overflow
    out: np.ndarray = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return out


def position_kl(base_logits: np.ndarray, other_logits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per position (row): KL(P_base || P_other) in nats from the full softmax distributions, and whether the
    argmax agrees. Computed in float64 from log-softmax; a probability that underflows to 0 contributes 0."""
    lp, lq = _log_softmax(base_logits), _log_softmax(other_logits)
    p = np.exp(lp)
    terms = np.zeros_like(p)
    present = p > 0  # 0 · ln(0 / q) is 0, also where q is 0 too (their difference would be nan)
    terms[present] = p[present] * (lp[present] - lq[present])
    kl = np.maximum(terms.sum(axis=-1), 0.0)  # rounding can leave -1e-17 where the distributions are equal
    return kl, np.argmax(base_logits, axis=-1) == np.argmax(other_logits, axis=-1)


def _row(genre: str, per_prompt: Sequence[tuple[np.ndarray, np.ndarray]]) -> KlRow:
    kls = np.concatenate([kl for kl, _ in per_prompt]) if per_prompt else np.zeros(0)
    agree = np.concatenate([a for _, a in per_prompt]) if per_prompt else np.zeros(0, dtype=bool)
    n = int(kls.size)
    mean = float(kls.mean()) if n else 0.0
    low = high = None
    k = len(per_prompt)
    if k >= 2 and n:
        sums = np.array([kl.sum() for kl, _ in per_prompt])
        counts = np.array([kl.size for kl, _ in per_prompt], dtype=np.float64)
        var = k / (k - 1) * float(((sums - mean * counts) ** 2).sum()) / float(counts.sum()) ** 2
        half = _Z95 * math.sqrt(var)
        low, high = max(0.0, mean - half), mean + half
    return KlRow(
        genre=genre,
        prompts=k,
        tokens=n,
        mean_kl=mean,
        ci_low=low,
        ci_high=high,
        median_kl=float(np.median(kls)) if n else 0.0,
        p99_kl=float(np.percentile(kls, 99)) if n else 0.0,
        max_kl=float(kls.max()) if n else 0.0,
        top1_agreement=float(agree.mean()) if n else 0.0,
    )


@dataclass
class _Forced:
    """A text as tokens, and which positions' logits predict its answer tokens."""

    text: KlText
    tokens: list[int]
    first: int  # index of the first logits row that predicts an answer token

    @property
    def rows(self) -> int:
        return len(self.tokens) - 1 - self.first


class _Side:
    """One model loaded for forcing, with a context as long as the longest text."""

    def __init__(self, path: Path, n_ctx: int, threads: int, gpu_layers: int, cancel: threading.Event | None) -> None:
        # The same checks as a load in the app: the header gate, then a trial load in a child process, so that a
        # file llama.cpp would abort on ends in an error message instead of taking the command down.
        ensure_loadable(gate_model(path).path, cancel=cancel)
        self.model = LlamaModel(path, ModelParams(n_gpu_layers=gpu_layers))
        try:
            self.ctx = LlamaContext(self.model, ContextParams(n_ctx, min(512, n_ctx), threads, flash_attn=None))
        except BaseException:
            self.model.close()
            raise

    def pieces(self) -> list[bytes]:
        n = self.model.n_vocab
        ids = sorted({*range(min(n, 16)), *(i * n // _PIECES_CHECKED for i in range(_PIECES_CHECKED)), n - 1})
        return [self.model.piece(i) for i in ids]

    def forced(self, text: KlText) -> _Forced:
        prompt = self.model.tokenize(ziya_prompt(text.query))
        answer = self.model.tokenize(text.answer, add_bos=False)
        tokens = (prompt + answer)[:MAX_TOKENS]
        return _Forced(text, tokens, len(prompt) - 1)

    def logits(self, item: _Forced) -> np.ndarray:
        """Logits of the positions that predict the answer tokens: (item.rows, n_vocab) float32."""
        self.ctx.truncate(0)
        body = item.tokens[:-1]  # the last token's prediction is of nothing in the text
        out = []
        for i in range(0, len(body), self.ctx.n_batch):
            chunk = body[i : i + self.ctx.n_batch]
            wanted = [i + j >= item.first for j in range(len(chunk))]
            out.append(self.ctx.decode_with_logits(chunk, wanted, self.model.n_vocab))
        return np.concatenate(out) if out else np.zeros((0, self.model.n_vocab), dtype=np.float32)

    def close(self) -> None:
        self.ctx.close()
        self.model.close()


def _vocab_mismatch(base: Path, other: Path, what: str) -> EvaluationError:
    return EvaluationError(
        QT_TRANSLATE_NOOP("KlDivergence", "{base} and {other} do not share a vocabulary ({what})").format(
            base=base.name, other=other.name, what=what
        ),
        hint=QT_TRANSLATE_NOOP(
            "ErrorHints", "The KL divergence compares quantizations of one model; choose two files of the same model."
        ),
    )


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise CancelledError(QT_TRANSLATE_NOOP("KlDivergence", "the KL measurement was cancelled"))


def kl_divergence(
    base: Path,
    other: Path,
    texts: Sequence[KlText],
    *,
    threads: int | None = None,
    gpu_layers: int = 0,
    progress: Callable[[int, int, str], None] | None = None,
    cancel: threading.Event | None = None,
) -> KlReport:
    """KL(base || other) and top-1 agreement over the answer tokens of ``texts``, per genre and over all.

    Raises:
        EvaluationError: no texts or no answer tokens, or the two models do not share a vocabulary (the number
            of tokens, some token pieces or the tokenization of a text differ).
        ModelNotFoundError, InvalidModelError, UnsupportedModelError, ModelLoadError: a model cannot be loaded.
        CancelledError: ``cancel`` was set (LoadCancelledError while a model's trial load ran).
    """
    if not texts:
        raise EvaluationError(QT_TRANSLATE_NOOP("KlDivergence", "there is no text to measure the KL divergence on"))
    threads = threads or max(1, (os.cpu_count() or 2) // 2)
    total, done = 2 * len(texts), 0
    with tempfile.TemporaryDirectory(prefix="ziya-kl-") as tmp:
        side = _Side(Path(base), MAX_TOKENS, threads, gpu_layers, cancel)
        try:
            n_vocab, pieces = side.model.n_vocab, side.pieces()
            items = [side.forced(t) for t in texts]
            for index, item in enumerate(items):
                _check(cancel)
                np.save(Path(tmp) / f"{index}.npy", side.logits(item))
                done += 1
                if progress is not None:
                    progress(done, total, f"{Path(base).name}: {item.text.prompt_id}")
        finally:
            side.close()
        side = _Side(Path(other), MAX_TOKENS, threads, gpu_layers, cancel)
        per_prompt: list[tuple[str, tuple[np.ndarray, np.ndarray]]] = []
        try:
            if side.model.n_vocab != n_vocab:
                raise _vocab_mismatch(Path(base), Path(other), f"{n_vocab} against {side.model.n_vocab} tokens")
            if side.pieces() != pieces:
                raise _vocab_mismatch(Path(base), Path(other), "the token pieces differ")
            for index, item in enumerate(items):
                _check(cancel)
                if side.forced(item.text).tokens != item.tokens:
                    raise _vocab_mismatch(Path(base), Path(other), f"{item.text.prompt_id} is tokenized differently")
                if item.rows > 0:
                    base_logits = np.load(Path(tmp) / f"{index}.npy")
                    per_prompt.append((item.text.genre, position_kl(base_logits, side.logits(item))))
                done += 1
                if progress is not None:
                    progress(done, total, f"{Path(other).name}: {item.text.prompt_id}")
        finally:
            side.close()
    if not per_prompt:
        raise EvaluationError(QT_TRANSLATE_NOOP("KlDivergence", "the answers hold no tokens to measure on"))
    genres = [
        g for g in (*GENRES, *sorted({g for g, _ in per_prompt} - set(GENRES))) if any(g == x for x, _ in per_prompt)
    ]
    rows = [_row(g, [m for x, m in per_prompt if x == g]) for g in genres]
    rows.append(_row(ALL, [m for _, m in per_prompt]))
    return KlReport(str(base), str(other), tuple(rows))


def kl_texts(run: EvalRun, base_name: str) -> list[KlText]:
    """The texts to force for ``run``: each prompt's reference, else the base contender's answer (prompts with
    neither are left out), in the prompt set's order."""
    answers = run.answers()
    out = []
    for prompt in run.prompt_set.prompts:
        answer = answers.get((base_name, prompt.id))
        text = prompt.reference or (answer.text if answer is not None and answer.error is None else "")
        if text:
            out.append(KlText(prompt.id, prompt.genre, prompt.query(), text))
    return out


def kl_for_run(
    run: EvalRun,
    base_name: str,
    other_name: str,
    *,
    threads: int | None = None,
    gpu_layers: int = 0,
    progress: Callable[[int, int, str], None] | None = None,
    cancel: threading.Event | None = None,
) -> KlReport:
    """:func:`kl_divergence` between two contenders of ``run`` over :func:`kl_texts` (the options are passed on).

    Raises:
        EvaluationError: an unknown contender, a contender on a server, or no text to force.
    """
    pair = []
    for name in (base_name, other_name):
        contender = run.contender(name)
        if contender is None:
            raise EvaluationError(
                QT_TRANSLATE_NOOP("KlDivergence", "the run has no contender named {name} (it has {names})").format(
                    name=repr(name), names=", ".join(c.name for c in run.contenders)
                )
            )
        if contender.model is None:
            raise EvaluationError(
                QT_TRANSLATE_NOOP(
                    "KlDivergence",
                    "{name} runs on a server, which sends sampled text, not the full next-token distributions "
                    "the KL divergence needs",
                ).format(name=name),
                hint=QT_TRANSLATE_NOOP("ErrorHints", "Measure the KL divergence between two local GGUF files."),
            )
        pair.append(contender.model)
    texts = kl_texts(run, base_name)
    if not texts:
        raise EvaluationError(
            QT_TRANSLATE_NOOP(
                "KlDivergence", "no reference answers, and {name} has no answers yet: run the contenders first"
            ).format(name=base_name)
        )
    report = kl_divergence(
        pair[0], pair[1], texts, threads=threads, gpu_layers=gpu_layers, progress=progress, cancel=cancel
    )
    return KlReport(base_name, other_name, report.rows)
