"""The one action "download → convert → quantize → ready": a catalog model becomes a GGUF in the library.

Before a byte is fetched the whole disk budget is checked (the checkpoint still to download, the F16 intermediate
and the output, per filesystem). Each stage reports :class:`~ziya_desktop.models.convert_job.JobProgress` with the
fraction of the whole job and the time left; a cancel lands at any stage and leaves no half-made model. The
downloaded checkpoint is kept by default, so converting to another file type later needs no second download.
"""

from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path

from converters.atomic import format_bytes
from converters.errors import ConversionCancelled
from ziya_desktop import paths
from ziya_desktop.errors import CatalogError, InsufficientDiskSpaceError, InvalidModelError
from ziya_desktop.models.catalog import CatalogModel
from ziya_desktop.models.convert_job import (
    QUANTIZE_SHARE_OF_CONVERT,
    JobProgress,
    JobProgressCallback,
    ProgressClock,
    plan_conversion,
    run_conversion,
)
from ziya_desktop.models.download import DownloadProgress, download_checkpoint
from ziya_desktop.models.library import ModelLibrary
from ziya_desktop.models.safe_names import path_inside, plain_name_problem

log = logging.getLogger(__name__)

CHECKPOINTS_FOLDER = "checkpoints"
# Shares of the whole job: fetching ~52 GB usually takes longer than converting it; registering is a header read.
STAGE_WEIGHTS = {"download": 1.0, "convert": 0.6, "quantize": 0.6 * QUANTIZE_SHARE_OF_CONVERT, "register": 0.02}


def checkpoint_folder(model: CatalogModel, models_dir: Path) -> Path:
    """Where the pipeline keeps ``model``'s checkpoint: ``<models>/checkpoints/<id>``.

    Raises:
        CatalogError: the id is not a plain name, or the folder would lie outside ``models_dir`` (through a link).
    """
    # The loader checks ids too; a CatalogModel can also be made in code, and this is where the id becomes a path.
    if (reason := plain_name_problem(model.id)) is not None:
        raise CatalogError(f"the catalog id {model.id!r:.200} cannot name a checkpoint folder: {reason}")
    folder = models_dir / CHECKPOINTS_FOLDER / model.id
    if not path_inside(models_dir, folder):
        raise CatalogError(f"the checkpoint folder of {model.id!r} leads outside {models_dir} through a link")
    return folder


def _folder_bytes(folder: Path) -> int:
    if not folder.is_dir():
        return 0
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _existing_parent(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_disk_budget(model: CatalogModel, outtype: str, *, models_dir: Path, checkpoint_dir: Path) -> None:
    """Check that the checkpoint still to fetch, the F16 intermediate and the output all fit, per filesystem.

    Raises:
        InsufficientDiskSpaceError: a disk is short; the message says how much is needed and free where.
        KeyError: the catalog offers no ``outtype`` for ``model``.
    """
    output = model.file(outtype).size_bytes
    # An F16 intermediate exists while quantizing; without a catalog size, the checkpoint's size is a safe bound.
    f16 = 0 if outtype in ("f16", "f32") else next((f.size_bytes for f in model.files if f.outtype == "f16"), 0)
    f16 = f16 or (model.checkpoint_bytes if outtype not in ("f16", "f32") else 0)
    to_fetch = max(0, model.checkpoint_bytes - _folder_bytes(checkpoint_dir))
    needs: dict[int, tuple[Path, int]] = {}
    for folder, amount in ((_existing_parent(checkpoint_dir), to_fetch), (models_dir, output + f16)):
        device = folder.stat().st_dev
        where, total = needs.get(device, (folder, 0))
        needs[device] = (where, total + amount)
    for folder, needed in needs.values():
        free = shutil.disk_usage(folder).free
        if free < needed:
            raise InsufficientDiskSpaceError(
                f"Downloading and converting {model.name} to {outtype.upper()} needs about {format_bytes(needed)} "
                f"free in {folder}, but only {format_bytes(free)} is free",
                needed=needed,
                free=free,
            )


def prepare_catalog_model(
    model: CatalogModel,
    outtype: str,
    *,
    models_dir: Path | None = None,
    progress: JobProgressCallback,
    cancel: threading.Event,
    offline: bool = False,
    remove_checkpoint: bool = False,
    threads: int | None = None,
) -> Path:
    """Download ``model``'s checkpoint, convert and quantize it to ``outtype``, and register the GGUF.

    Args:
        model: the catalog entry.
        outtype: one of the file types the catalog offers for it.
        models_dir: the library folder (default: :func:`ziya_desktop.paths.models_dir`); the checkpoint goes to
            :func:`checkpoint_folder` inside it.
        progress: receives :class:`JobProgress` for every stage (``download``, ``convert``, ``quantize``,
            ``register``, ``done``), with the fraction of the whole job and the time left.
        cancel: set it to stop at any stage; no half-made model is left behind.
        offline: use only files already on disk (the download stage then fails if the checkpoint is incomplete).
        remove_checkpoint: delete the downloaded checkpoint once the GGUF is ready (default: keep it).
        threads: quantizer threads (default: every hardware thread).

    Returns:
        The ready GGUF's path, validated and listed by the library.

    Raises:
        CatalogError: the model's id cannot name a folder; nothing was done.
        InsufficientDiskSpaceError: the disk budget does not fit; nothing was downloaded.
        OfflineError, DownloadVerificationError: the download stage failed (see :mod:`ziya_desktop.models.download`).
        DownloadCancelledError, ConversionCancelled: ``cancel`` was set.
        CheckpointError, TokenizerMismatchError, QuantizeError: conversion failed (or the weight index names a
            shard that is not a plain file of the checkpoint); nothing was left behind.
        InvalidModelError: the library refused the converted file.
        KeyError: the catalog offers no ``outtype`` for ``model``.
    """
    folder = Path(models_dir) if models_dir is not None else paths.models_dir()
    target = checkpoint_folder(model, folder)
    folder.mkdir(parents=True, exist_ok=True)
    check_disk_budget(model, outtype, models_dir=folder, checkpoint_dir=target)
    clock = _stage_clock(outtype)
    checkpoint = _download_stage(model, target, progress=progress, cancel=cancel, offline=offline, clock=clock)
    # The weight index came from the hub: plan_conversion opens the checkpoint, which refuses any shard name in it
    # that is not a plain file name of this folder before a shard is read.
    plan = plan_conversion(checkpoint, outtype, folder, name=model.id)
    if not plan.fits:
        raise InsufficientDiskSpaceError(
            f"Converting {model.name} to {outtype.upper()} {plan.describe()}",
            needed=plan.needed_bytes,
            free=plan.free_bytes,
        )
    out = run_conversion(plan, progress=progress, cancel=cancel, clock=clock, threads=threads)
    _register_stage(out, folder, progress=progress, clock=clock)
    if remove_checkpoint:
        shutil.rmtree(target)
        log.info("removed the checkpoint %s after converting", target)
    progress(JobProgress("done", 1.0, 0.0, f"{out.name} is ready"))
    return out


def _stage_clock(outtype: str) -> ProgressClock:
    """The job's clock over the stages it will run: an F16 or F32 output is not quantized."""
    weights = dict(STAGE_WEIGHTS)
    if outtype in ("f16", "f32"):
        weights.pop("quantize")
    return ProgressClock(weights)


def _download_stage(
    model: CatalogModel,
    target: Path,
    *,
    progress: JobProgressCallback,
    cancel: threading.Event,
    offline: bool,
    clock: ProgressClock,
) -> Path:
    """Download (or finish downloading) ``model``'s checkpoint into ``target``, reporting it as the job's first stage.

    Raises:
        ConversionCancelled: ``cancel`` was set just after the download finished; the checkpoint is kept.
    """

    def on_download(report: DownloadProgress) -> None:
        fraction = clock.overall("download", report.done_bytes / report.total_bytes if report.total_bytes else 0.0)
        speed = f" at {format_bytes(report.bytes_per_s)}/s" if report.bytes_per_s else ""
        message = (
            f"Checking the SHA-256 of {report.file}"
            if report.phase == "verify"
            else f"Downloading {report.file}: {format_bytes(report.done_bytes)} of "
            f"{format_bytes(report.total_bytes)}{speed}"
        )
        progress(JobProgress("download", fraction, clock.seconds_left(fraction), message))

    progress(JobProgress("download", 0.0, None, f"Connecting to the Hugging Face hub for {model.repo_id}"))
    target.mkdir(parents=True, exist_ok=True)
    checkpoint = download_checkpoint(
        model.repo_id,
        revision=model.revision,
        local_dir=target,
        progress=on_download,
        cancel=cancel,
        offline=offline,
    )
    if cancel.is_set():
        raise ConversionCancelled("cancelled after the download; the checkpoint is kept for next time")
    return checkpoint


def _register_stage(out: Path, folder: Path, *, progress: JobProgressCallback, clock: ProgressClock) -> None:
    """Have the library check the converted file; a file it refuses is deleted.

    Raises:
        InvalidModelError: the library refused ``out``.
    """
    fraction = clock.overall("register", 0.0)
    progress(JobProgress("register", fraction, clock.seconds_left(fraction), f"Checking {out.name}"))
    found = ModelLibrary(folder).describe(out)
    if not found.valid:
        out.unlink(missing_ok=True)
        raise InvalidModelError(f"{out.name} was converted but failed the check: {found.problem}")


__all__ = ["STAGE_WEIGHTS", "check_disk_budget", "checkpoint_folder", "prepare_catalog_model"]
