"""Turn a Hugging Face checkpoint folder into a GGUF in the model library, as a job with progress and cancel.

:func:`plan_conversion` answers "will it fit?" before anything is written: it reads the checkpoint's config and
tensor shapes (not the weights) and compares the bytes the conversion writes (the output, plus the F16
intermediate when quantizing) with the free space of the models folder. :func:`run_conversion` then runs
:func:`converters.hf_to_gguf.convert` and turns its per-tensor reports into :class:`JobProgress` with an overall
fraction and the time left, estimated from the rate so far. Plain Python: the UI runs it in a worker thread.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from converters.atomic import format_bytes, remove_stale_partials
from converters.checkpoint import Checkpoint
from converters.errors import ConversionCancelled, ConversionError
from converters.hf_to_gguf import OUTTYPE_SIZE_VS_F16, QUANTIZED, ConversionProgress, convert, estimate_bytes

log = logging.getLogger(__name__)

# Quantizing reads the F16 file and writes the smaller one; on the machines we measured it took about half as
# long as converting. llama.cpp reports no progress while it quantizes, so this share is an estimate.
QUANTIZE_SHARE_OF_CONVERT = 0.5
# Rates measured over less than this are too noisy to promise a time left.
_MIN_ELAPSED_FOR_ESTIMATE_S = 0.5


@dataclass(frozen=True)
class JobProgress:
    """One progress report of a long job.

    Attributes:
        stage: ``download``, ``plan``, ``convert``, ``quantize``, ``register`` or ``done``.
        fraction: of the whole job (0..1), not only of the stage.
        seconds_left: for the whole job, from the rate so far; None until there is a rate to go by.
        message: one line for the writer (what is happening, with sizes or speed where known).
    """

    stage: str
    fraction: float
    seconds_left: float | None
    message: str


JobProgressCallback = Callable[[JobProgress], None]


@dataclass(frozen=True)
class ConvertPlan:
    """What a conversion will write and whether the disk has room for it.

    Attributes:
        checkpoint_dir: the Hugging Face checkpoint folder (config, tokenizer, weights).
        outfile: the GGUF that will appear in the models folder (a free name, never an existing file).
        outtype: f32, f16, q8_0, q6_k, q5_k_m or q4_k_m.
        needed_bytes: the output plus, when quantizing, the F16 intermediate that exists at the same time.
        free_bytes: free space on the models folder's disk when planned.
        fits: ``needed_bytes <= free_bytes``.
    """

    checkpoint_dir: Path
    outfile: Path
    outtype: str
    needed_bytes: int
    free_bytes: int
    fits: bool

    def describe(self) -> str:
        """ "Needs about 7.9 GB, 120.3 GB free" — the one line a confirmation shows."""
        return f"needs about {format_bytes(self.needed_bytes)}, {format_bytes(self.free_bytes)} free"


def output_name(checkpoint_dir: Path, outtype: str, name: str | None = None) -> str:
    """``<name>-<OUTTYPE>.gguf``; the name defaults to the checkpoint folder's name."""
    stem = (name or Path(checkpoint_dir).name).strip() or "model"
    return f"{stem}-{outtype.upper()}.gguf"


def _free_path(folder: Path, filename: str) -> Path:
    # Never convert over a model the writer already has: the new one gets the next free number.
    candidate = folder / filename
    stem, suffix = candidate.stem, candidate.suffix
    n = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{n}{suffix}"
        n += 1
    return candidate


def plan_conversion(checkpoint_dir: Path, outtype: str, models_dir: Path, *, name: str | None = None) -> ConvertPlan:
    """Plan converting ``checkpoint_dir`` to ``outtype`` into ``models_dir``; reads shapes, not weights.

    Args:
        checkpoint_dir: a Hugging Face LLaMA checkpoint folder.
        outtype: one of :data:`converters.hf_to_gguf.OUTTYPE_SIZE_VS_F16`.
        models_dir: the library folder the GGUF goes to (created if missing).
        name: the model name used for the file name (default: the folder's name).

    Returns:
        The plan; ``plan.fits`` says whether the disk has room.

    Raises:
        CheckpointError: the folder is not a usable LLaMA checkpoint (its message says what is missing).
        UnsafeCheckpointError: a weights file asks to run code; nothing from it was executed.
        ConversionError: an unknown ``outtype``.
    """
    if outtype not in OUTTYPE_SIZE_VS_F16:
        raise ConversionError(f"unknown output type '{outtype}'; choose one of {', '.join(OUTTYPE_SIZE_VS_F16)}")
    checkpoint = Checkpoint(Path(checkpoint_dir))
    final, intermediate = estimate_bytes(checkpoint, outtype)
    models_dir = Path(models_dir)
    models_dir.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(models_dir).free
    needed = final + intermediate
    return ConvertPlan(
        checkpoint_dir=Path(checkpoint_dir),
        outfile=_free_path(models_dir, output_name(checkpoint_dir, outtype, name)),
        outtype=outtype,
        needed_bytes=needed,
        free_bytes=free,
        fits=needed <= free,
    )


class ProgressClock:
    """Turns stage fractions into an overall fraction and a time left from the rate so far.

    Args:
        weights: each stage's share of the whole job (any positive numbers; they are normalised).
        clock: seconds, monotonic (tests pass their own).
    """

    def __init__(self, weights: dict[str, float], *, clock: Callable[[], float] = time.monotonic) -> None:
        total = sum(weights.values())
        self._clock = clock
        self._start = clock()
        self._offsets: dict[str, float] = {}
        self._shares: dict[str, float] = {}
        done = 0.0
        for stage, weight in weights.items():
            self._offsets[stage] = done / total
            self._shares[stage] = weight / total
            done += weight

    def overall(self, stage: str, stage_fraction: float) -> float:
        """Where ``stage_fraction`` of ``stage`` puts the whole job (stages not in the weights count as done)."""
        if stage not in self._offsets:
            return 1.0
        within = min(max(stage_fraction, 0.0), 1.0)
        return min(1.0, self._offsets[stage] + self._shares[stage] * within)

    def seconds_left(self, fraction: float) -> float | None:
        """Time left for the rest of the job at the average rate so far; None before there is a rate."""
        elapsed = self._clock() - self._start
        if fraction <= 0.0 or elapsed < _MIN_ELAPSED_FOR_ESTIMATE_S:
            return None
        if fraction >= 1.0:
            return 0.0
        return elapsed * (1.0 - fraction) / fraction


def conversion_weights(outtype: str) -> dict[str, float]:
    """Stage shares of a conversion: converting, then quantizing when ``outtype`` is a quantization."""
    if outtype in QUANTIZED:
        return {"convert": 1.0, "quantize": QUANTIZE_SHARE_OF_CONVERT}
    return {"convert": 1.0}


def stage_message(report: ConversionProgress, outtype: str) -> str:
    """The writer's line for one converter report."""
    if report.stage == "convert":
        return (
            f"Converting to GGUF: {format_bytes(report.done_bytes)} of {format_bytes(report.total_bytes)}"
            f"{' (' + report.tensor + ')' if report.tensor else ''}"
        )
    if report.stage == "quantize":
        return f"Quantizing to {outtype.upper()} (no progress is reported while llama.cpp quantizes)"
    return "Conversion finished"


def run_conversion(
    plan: ConvertPlan,
    *,
    progress: JobProgressCallback,
    cancel: threading.Event,
    clock: ProgressClock | None = None,
    threads: int | None = None,
) -> Path:
    """Convert as planned; the GGUF appears at ``plan.outfile`` only when complete.

    Temporary files (the F16 intermediate, the partial output) are removed on success, failure and cancel: the
    models folder never holds a half-made model. Cancel is checked between tensors, and while llama.cpp quantizes
    (in a child process) it kills the quantizer within a tenth of a second.

    Args:
        plan: from :func:`plan_conversion`.
        progress: receives :class:`JobProgress` after every tensor and at each stage change.
        cancel: set it to stop.
        clock: a shared clock when this is one part of a longer job (the pipeline); its stages must include
            ``convert`` (and ``quantize`` when quantizing) for the fraction to be of the whole job.
        threads: quantizer threads (default: every hardware thread).

    Returns:
        The GGUF's path (``plan.outfile``).

    Raises:
        InsufficientDiskSpaceError: the disk has less room than the conversion needs; nothing was written.
        ConversionCancelled: ``cancel`` was set; nothing is left behind.
        CheckpointError, UnsafeCheckpointError, TokenizerMismatchError: the checkpoint is unusable.
        QuantizeError: llama.cpp's quantizer failed.
    """
    own_clock = clock is None
    clock = clock or ProgressClock(conversion_weights(plan.outtype))

    def on_report(report: ConversionProgress) -> None:
        if report.stage == "done":
            return
        # The quantize report carries the convert stage's byte counts; its own fraction is unknown (0).
        within = report.fraction if report.stage == "convert" else 0.0
        fraction = clock.overall(report.stage, within)
        progress(JobProgress(report.stage, fraction, clock.seconds_left(fraction), stage_message(report, plan.outtype)))

    if cancel.is_set():
        raise ConversionCancelled("conversion cancelled")
    result = convert(
        plan.checkpoint_dir,
        plan.outfile,
        plan.outtype,
        progress=on_report,
        cancel=cancel,
        threads=threads,
        model_name=plan.outfile.stem,
    )
    if own_clock:
        progress(JobProgress("done", 1.0, 0.0, "Conversion finished"))
    return result.outfile


def remove_interrupted_conversions(models_dir: Path) -> list[Path]:
    """Remove what conversions killed with the app (a crash, a signal, a power cut) left in ``models_dir``.

    A conversion's partial files carry its process id; only those whose process is gone are removed, so a
    conversion running in another instance of the app keeps its files. Call at start-up.
    """
    removed = remove_stale_partials(Path(models_dir))
    for path in removed:
        log.info("removed %s, left by an interrupted conversion", path)
    return removed


__all__ = [
    "ConvertPlan",
    "JobProgress",
    "JobProgressCallback",
    "ProgressClock",
    "conversion_weights",
    "output_name",
    "plan_conversion",
    "remove_interrupted_conversions",
    "run_conversion",
]
