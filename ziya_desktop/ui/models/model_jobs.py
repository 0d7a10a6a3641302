"""The model library's slow work, as jobs for a :class:`~ziya_desktop.ui.models.job_runner.JobRunner`: scanning
the models folder, copying or linking a GGUF, planning and running a checkpoint conversion, and downloading a
catalog model.

Each function returns the job without starting it; the job runs on a worker thread, so it touches no widget and
reports only through its progress callback and its result.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from converters.atomic import format_bytes
from ziya_desktop.engine.hardware import HardwareInfo, probe
from ziya_desktop.models.catalog import CatalogModel
from ziya_desktop.models.convert_job import (
    ConvertPlan,
    JobProgress,
    JobProgressCallback,
    ProgressClock,
    plan_conversion,
    run_conversion,
)
from ziya_desktop.models.fit import FitVerdict, assess
from ziya_desktop.models.library import LocalModel, ModelLibrary
from ziya_desktop.ui.models.job_runner import Job


@dataclass(frozen=True)
class ScanResult:
    """What a scan found: this machine, the library's models, and how each valid one fits (None: invalid)."""

    hardware: HardwareInfo
    models: list[LocalModel]
    verdicts: list[FitVerdict | None]


def scan_job(library: ModelLibrary, hardware: HardwareInfo | None, n_ctx: int) -> Job:
    """List ``library`` and judge each valid model for a context of ``n_ctx``; probes the machine when ``hardware``
    is None. The result is a :class:`ScanResult`."""

    def scan(_progress: JobProgressCallback, _cancel: threading.Event) -> object:
        hw = hardware if hardware is not None else probe()
        models = library.scan()
        verdicts: list[FitVerdict | None] = [assess([m], hw, n_ctx=n_ctx)[0] if m.valid else None for m in models]
        return ScanResult(hw, models, verdicts)

    return scan


def import_gguf_job(library: ModelLibrary, path: Path, mode: str) -> Job:
    """Copy or link (``mode``) the GGUF file ``path`` into ``library``; the result is the new model's path."""

    def job(progress: JobProgressCallback, cancel: threading.Event) -> object:
        clock = ProgressClock({"import": 1.0})

        def on_bytes(done: int, total: int) -> None:
            fraction = clock.overall("import", done / total if total else 1.0)
            message = f"Copying {path.name}: {format_bytes(done)} of {format_bytes(total)}"
            progress(JobProgress("import", fraction, clock.seconds_left(fraction), message))

        model = library.import_gguf(path, mode=mode, progress=on_bytes, cancel=cancel)  # type: ignore[arg-type]
        return Path(model.path)

    return job


def plan_job(folder: Path, outtype: str, models_dir: Path) -> Job:
    """Read the checkpoint in ``folder`` and work out converting it to ``outtype``; the result is a
    :class:`~ziya_desktop.models.convert_job.ConvertPlan`."""

    def plan(_progress: JobProgressCallback, _cancel: threading.Event) -> object:
        return plan_conversion(folder, outtype, models_dir)

    return plan


def convert_job(plan: ConvertPlan) -> Job:
    """Carry out ``plan``; the result is the new model's path."""

    def convert(progress: JobProgressCallback, cancel: threading.Event) -> object:
        return run_conversion(plan, progress=progress, cancel=cancel)

    return convert


def download_job(model: CatalogModel, outtype: str, models_dir: Path) -> Job:
    """Download ``model``, convert it to ``outtype`` and add it to ``models_dir``; the result is the new path."""
    # Imported when needed: the hub client is not loaded until the writer downloads something.
    from ziya_desktop.models.pipeline import prepare_catalog_model

    def job(progress: JobProgressCallback, cancel: threading.Event) -> object:
        return prepare_catalog_model(model, outtype, models_dir=models_dir, progress=progress, cancel=cancel)

    return job
