"""The conversion job on the tiny checkpoint: the plan, progress with time left, and no stray files afterwards
whether the conversion succeeds, fails half-way or is cancelled."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import helpers
import pytest

from converters.checkpoint import Checkpoint
from converters.errors import CheckpointError, ConversionCancelled, ConversionError
from converters.hf_to_gguf import estimate_bytes
from ziya_desktop.engine.model_info import inspect_model
from ziya_desktop.models.convert_job import (
    JobProgress,
    ProgressClock,
    conversion_weights,
    plan_conversion,
    remove_interrupted_conversions,
    run_conversion,
)


def test_plan_counts_output_and_intermediate_and_picks_a_free_name(tiny_checkpoint: Path, tmp_path: Path) -> None:
    models = tmp_path / "models"
    plan = plan_conversion(tiny_checkpoint, "q8_0", models)
    final, intermediate = estimate_bytes(Checkpoint(tiny_checkpoint), "q8_0")
    assert intermediate > 0
    assert plan.needed_bytes == final + intermediate
    assert plan.fits and plan.free_bytes >= plan.needed_bytes
    assert plan.outfile == models / "tiny_ziya-Q8_0.gguf"
    assert "needs about" in plan.describe()
    (models / "tiny_ziya-Q8_0.gguf").write_bytes(b"someone's model")
    again = plan_conversion(tiny_checkpoint, "q8_0", models)
    assert again.outfile == models / "tiny_ziya-Q8_0-2.gguf"
    f16 = plan_conversion(tiny_checkpoint, "f16", models, name="mine")
    assert f16.needed_bytes == estimate_bytes(Checkpoint(tiny_checkpoint), "f16")[0]
    assert f16.outfile.name == "mine-F16.gguf"


def test_plan_refuses_a_folder_that_is_not_a_checkpoint(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.txt").write_text("not a model", encoding="utf-8")
    with pytest.raises(CheckpointError, match=r"config\.json is missing"):
        plan_conversion(tmp_path / "notes", "q4_k_m", tmp_path / "models")
    with pytest.raises(ConversionError, match="unknown output type"):
        plan_conversion(helpers.TINY_DIR, "q3_x", tmp_path / "models")


def test_progress_clock_weights_stages_and_estimates_time_left() -> None:
    now = [100.0]
    clock = ProgressClock({"download": 3.0, "convert": 1.0}, clock=lambda: now[0])
    assert clock.overall("download", 0.5) == pytest.approx(0.375)
    assert clock.overall("convert", 0.0) == pytest.approx(0.75)
    assert clock.overall("convert", 2.0) == 1.0
    assert clock.overall("register", 0.3) == 1.0
    assert clock.seconds_left(0.5) is None, "no rate yet"
    now[0] = 110.0
    assert clock.seconds_left(0.25) == pytest.approx(30.0)
    assert clock.seconds_left(1.0) == 0.0
    assert set(conversion_weights("q4_k_m")) == {"convert", "quantize"}
    assert set(conversion_weights("f16")) == {"convert"}


@pytest.mark.slow
def test_conversion_reports_progress_and_leaves_only_the_model(tiny_checkpoint: Path, tmp_path: Path) -> None:
    models = tmp_path / "models"
    plan = plan_conversion(tiny_checkpoint, "q8_0", models)
    reports: list[JobProgress] = []
    out = run_conversion(plan, progress=reports.append, cancel=threading.Event(), threads=1)
    assert out == plan.outfile
    assert sorted(p.name for p in models.iterdir()) == [out.name], "no intermediate files are left"
    assert inspect_model(out).file_type == "Q8_0"
    stages = [r.stage for r in reports]
    assert stages[0] == "convert" and "quantize" in stages and stages[-1] == "done"
    fractions = [r.fraction for r in reports]
    assert fractions == sorted(fractions), "the overall fraction never goes back"
    assert fractions[0] > 0.0 and fractions[-1] == 1.0
    assert all(r.message for r in reports)
    # Converting is two thirds of a quantized job: the quantize stage starts there.
    assert next(r for r in reports if r.stage == "quantize").fraction == pytest.approx(2 / 3)


@pytest.mark.slow
def test_cancel_during_conversion_leaves_no_files(tiny_checkpoint: Path, tmp_path: Path) -> None:
    models = tmp_path / "models"
    plan = plan_conversion(tiny_checkpoint, "q4_k_m", models)
    cancel = threading.Event()
    seen: list[JobProgress] = []

    def progress(report: JobProgress) -> None:
        seen.append(report)
        if len(seen) == 3:
            cancel.set()

    with pytest.raises(ConversionCancelled):
        run_conversion(plan, progress=progress, cancel=cancel, threads=1)
    assert len(seen) == 3
    assert list(models.iterdir()) == []


def test_cancel_before_start_writes_nothing(tiny_checkpoint: Path, tmp_path: Path) -> None:
    plan = plan_conversion(tiny_checkpoint, "f16", tmp_path / "models")
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ConversionCancelled):
        run_conversion(plan, progress=lambda _r: None, cancel=cancel)
    assert list((tmp_path / "models").iterdir()) == []


def _poison_last_tensor(checkpoint: Path) -> None:
    """Overwrite the start of the second shard's largest record with NaN: the converter stops half-way."""
    shard = checkpoint / helpers.SHARDS[1]
    with zipfile.ZipFile(shard) as zf:
        info = max((i for i in zf.infolist() if "/data/" in i.filename), key=lambda i: i.file_size)
    with shard.open("r+b") as fh:
        fh.seek(info.header_offset + 26)
        name_len, extra_len = struct.unpack("<HH", fh.read(4))
        fh.seek(info.header_offset + 30 + name_len + extra_len)
        fh.write(struct.pack("<f", float("nan")) * 16)


@pytest.mark.slow
def test_failure_half_way_leaves_no_files(tmp_path: Path) -> None:
    checkpoint = helpers.copy_checkpoint(tmp_path / "broken")
    _poison_last_tensor(checkpoint)
    models = tmp_path / "models"
    plan = plan_conversion(checkpoint, "q4_k_m", models)
    seen: list[JobProgress] = []
    with pytest.raises(ConversionError, match="NaN"):
        run_conversion(plan, progress=seen.append, cancel=threading.Event(), threads=1)
    assert seen, "it failed after starting, not before"
    assert list(models.iterdir()) == []


def _dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    return int(child.stdout)


def test_start_up_removes_partials_of_dead_conversions_only(tmp_path: Path) -> None:
    from converters.atomic import temp_sibling

    models = tmp_path / "models"
    models.mkdir()
    dead = models / f".ziya-Q4_K_M.gguf.f16.pid{_dead_pid()}.0123abcd.partial"
    dead.write_bytes(b"half of an F16 file")
    live = temp_sibling(models / "ziya-Q8_0.gguf", "q8_0")  # this process is converting it
    live.write_bytes(b"in progress")
    keep = [
        models / "ziya-Q4_K_M.gguf",  # a model
        models / ".ziya.gguf.f16-0123abcd.partial",  # no pid: nothing tells whether its writer lives
        models / "model.safetensors.0123abcd.incomplete",  # a download to resume
    ]
    for path in keep:
        path.write_bytes(b"x")
    fifo = models / f".fifo.gguf.f16.pid{_dead_pid()}.0123abcd.partial"
    os.mkfifo(fifo)  # not a regular file: not ours, left alone

    assert remove_interrupted_conversions(models) == [dead]
    assert sorted(p.name for p in models.iterdir()) == sorted([live.name, fifo.name, *(p.name for p in keep)])
