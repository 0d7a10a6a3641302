"""The robustness report's harness: it sees crashes, hangs and bugs where they are planted, its figures add up, its
mutants are never the seeds, failing inputs are saved and rerun, and the app kill trials judge rollbacks, torn
files and recovered text the way they claim to.

No timing is asserted: the counts are what the harness must get right on a loaded machine too.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from benchmarks import fuzz_campaign, fuzz_mutate, fuzz_targets
from benchmarks.bench_recovery import KillRecovery, judge_kill, kill_recovery_figures
from benchmarks.fuzz_campaign import StageCounts, fuzz_reader, run_inputs, self_check
from benchmarks.fuzz_kill_timing import Run, text_sha
from benchmarks.fuzz_pool import CRASH, HANG, Job, Outcome, WorkerPool
from benchmarks.fuzz_targets import ACCEPTED, PLANTED, Kit, target
from benchmarks.fuzz_worker import UNEXPECTED, run_one
from benchmarks.robustness_report import Sizes, measure_robustness
from ziya_desktop.bench import Figure

ROOT = Path(__file__).resolve().parent.parent


def adds_up(stages: list[StageCounts], inputs: int) -> None:
    """Every input is counted once per stage it reached; each stage passes on exactly what it accepted."""
    assert stages[0].inputs == inputs
    for s in stages:
        assert s.inputs == s.accepted + s.rejected + s.unexpected + s.hangs + s.crashes, s
    for earlier, later in itertools.pairwise(stages):
        assert later.inputs == earlier.accepted, (earlier, later)


@pytest.fixture
def pool(tmp_path: Path) -> Iterator[WorkerPool]:
    with WorkerPool(2, tmp_path / "scratch", Kit()) as workers:
        yield workers


def test_planted_crash_hang_and_bug_are_counted_where_they_happen(pool: WorkerPool) -> None:
    ok, report = self_check(pool)
    first, second = report.stages
    assert (first.crashes, first.hangs, first.unexpected, first.rejected, first.accepted) == (1, 1, 1, 1, 3)
    assert (second.inputs, second.crashes, second.accepted) == (3, 1, 2)
    assert ok
    adds_up(report.stages, len(fuzz_campaign.PLANTED_INPUTS))
    kinds = {(f.kind, f.stage) for f in report.findings}
    assert kinds == {(CRASH, "first"), (HANG, "first"), (UNEXPECTED, "first"), (CRASH, "second")}
    crash = next(f for f in report.findings if f.kind == CRASH and f.stage == "first")
    assert "SIGSEGV" in crash.detail
    assert pool.restarts == 3  # a fresh worker after each crash and hang, and the inputs after them still ran


def test_a_failing_input_is_saved_and_reruns_to_the_same_outcome(pool: WorkerPool, tmp_path: Path) -> None:
    report = run_inputs(pool, PLANTED, [b"E1", b"E2", b"ok", b"E3", b"E4"], findings=tmp_path / "findings")
    (bug,) = report.findings
    assert bug.count == 4 and len(bug.paths) == fuzz_campaign.EXAMPLES_PER_SIGNATURE
    saved = Path(bug.paths[0])
    assert saved.read_bytes() == b"E1" and saved.name.endswith("--input")
    rerun = subprocess.run(
        [sys.executable, "-m", "benchmarks.fuzz_worker", "planted", str(saved)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert rerun.returncode == 1, rerun.stderr
    assert json.loads(rerun.stdout)["outcome"] == UNEXPECTED and "planted bug" in rerun.stdout


def test_two_readers_in_quick_mode_add_up_and_report_seeds_apart(pool: WorkerPool, tmp_path: Path) -> None:
    for name in ("journal", "document front matter"):
        report = fuzz_reader(pool, target(name), 25, findings=tmp_path / "findings")
        adds_up(report.stages, 25)
        assert report.seeds == report.seeds_accepted == 2 and not report.seed_problems
        assert report.stages[0].failures == 0, report.findings
        assert report.arcs > 0 and report.corpus >= report.seeds  # coverage was traced


class _RecordingPool:
    """Stands in for the worker pool: accepts everything and records the inputs (no processes)."""

    def __init__(self) -> None:
        self.kit = Kit()
        self.inputs: list[bytes] = []

    def run(self, jobs: Iterator[Job], on_result: Callable[[Job, Outcome], None]) -> None:
        for i, job in enumerate(jobs):
            self.inputs.append(job.data)
            on_result(job, Outcome(ACCEPTED, job.target.stages[0], "", arcs=[i % 7]))


@pytest.mark.parametrize("name", ["journal", "config.json", "template TOML", "document front matter"])
def test_mutants_are_never_a_seed(name: str) -> None:
    recorder = _RecordingPool()
    t = target(name)
    report = fuzz_reader(recorder, t, 200)  # type: ignore[arg-type]
    seeds = {data for _name, data in t.seeds(Kit())}
    assert recorder.inputs[: len(seeds)] == [data for _name, data in t.seeds(Kit())]  # the seeds ran first
    mutants = recorder.inputs[len(seeds) :]
    assert len(mutants) == report.inputs == 200
    assert not seeds & set(mutants)


def test_structural_mutators_keep_the_format_where_they_aim_to() -> None:
    import random

    rng = random.Random(3)
    st = (fuzz_targets.TINY_ST_DIR / "model.safetensors").read_bytes()
    out = fuzz_mutate.mutate_safetensors_header(st, rng)
    assert out is not None and out[-1000:] == st[-1000:]  # the header was rewritten, the data kept
    n = int.from_bytes(out[:8], "little")
    json.loads(out[8 : 8 + n])  # the length prefix is right
    pkl = (fuzz_targets.TINY_DIR / "pytorch_model-00002-of-00002.bin").read_bytes()
    rezipped = fuzz_mutate.mutate_zip_pickle(pkl, rng)
    assert rezipped is not None and rezipped != pkl
    import zipfile
    from io import BytesIO

    with zipfile.ZipFile(BytesIO(rezipped)) as archive:
        assert archive.testzip() is None  # the CRCs are right: the pickle, not the zip, is what gets tested


# The bugs the fuzzing found in readers this change fixed: each input is refused with the reader's own error (or,
# for a linked path that cannot be examined, listed as an invalid model) instead of an exception nobody catches.
FIXED = [
    ("model catalog", "catalog.toml", b"format_version = " + fuzz_mutate.LONG_INTEGER + b"\n", "rejected"),
    ("model catalog", "catalog.toml", b"x = " + b"[" * 3000 + b"]" * 3000 + b"\n", "rejected"),
    (
        "model library index",
        "library.json",
        b'{"format_version": 1, "linked": ' + b"[" * 3000 + b"]" * 3000 + b"}",
        "rejected",
    ),
    ("model library index", "library.json", b'{"format_version": ' + fuzz_mutate.LONG_INTEGER + b"}", "rejected"),
    (
        "model library index",
        "library.json",
        b'{"format_version": 1, "linked": [{"path": "/tmp/' + b"x" * 300 + b'.gguf"}]}',
        "accepted",
    ),
]


@pytest.mark.parametrize(("reader", "name", "data", "outcome"), FIXED)
def test_inputs_that_broke_a_reader_are_refused_cleanly(
    reader: str, name: str, data: bytes, outcome: str, tmp_path: Path
) -> None:
    t = target(reader)
    fuzz_targets.prepare(t, Kit(), tmp_path, name, data)
    result = run_one(t, tmp_path, name, trace=False)
    assert result["outcome"] == outcome, result


@pytest.mark.slow
def test_gguf_stages_add_up_and_llama_cpp_loads_what_the_check_accepts(
    tiny_gguf: Callable[[str], Path], tmp_path: Path
) -> None:
    with WorkerPool(2, tmp_path / "scratch", Kit(gguf=tiny_gguf("q4_k_m"))) as workers:
        report = fuzz_reader(workers, target("GGUF"), 30, findings=tmp_path / "findings")
    check, load = report.stages
    adds_up(report.stages, 30)
    assert report.seeds_accepted == report.seeds == 1, report.seed_problems
    assert check.rejected > 0 and load.inputs == check.accepted


# -- the app kill trials' judge ----------------------------------------------------------------------------------


def _run(texts: list[str], saves: list[tuple[str, bytes | None]], file_after: bytes, *, t0: float = 100.0) -> Run:
    """A killed start that showed ``texts`` 0.1 s apart and made ``saves`` (text, file bytes or None: killed)."""
    run = Run(launched=t0 - 3, killed_at=t0 + 0.1 * len(texts), file_after=file_after)
    run.events.append({"ev": "start", "t": t0, "sha": text_sha(texts[0])})
    run.events.append({"ev": "generate", "t": t0})
    for i, text in enumerate(texts[1:], 1):
        run.events.append({"ev": "text", "t": t0 + 0.1 * i, "sha": text_sha(text), "tokens": i})
    for text, written in saves:
        run.events.append({"ev": "save", "t": run.killed_at, "sha": text_sha(text)})
        if written is not None:
            run.events.append({"ev": "saved", "t": run.killed_at, "ok": True, "file": _file_sha(written)})
    return run


def _file_sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _after(recovered: str) -> Run:
    run = Run(launched=200.0)
    run.events += [
        {"ev": "up", "t": 201.0},
        {"ev": "dialog", "t": 201.2, "details": "The model was writing: tiny.gguf"},
        {"ev": "start", "t": 201.3, "sha": text_sha(recovered)},
    ]
    return run


def test_thejudge_kill_sees_a_rollback_a_torn_file_and_recovered_text_that_was_never_shown() -> None:
    texts = ["a", "ab", "abc", "abcd"]
    old, new = b"a", b"abc"
    saves = [_file_sha(old)]
    good = judge_kill(_run(texts, [("abc", new)], new), _after("abc"), saves, "tiny.gguf")
    assert good.file_ok and not good.rolled_back and good.matched and good.named_model and not good.mid_save
    assert math.isclose(good.loss_s, 0.1)  # "abcd" (shown at +0.3 s) was lost; the kill came at +0.4 s
    assert good.dialog_s == pytest.approx(1.2) and good.dialog_after_up_s == pytest.approx(0.2)

    rolled = judge_kill(_run(texts, [], old), _after("abcd"), saves, "tiny.gguf")  # "abc" had been saved
    assert rolled.rolled_back and not rolled.file_ok and rolled.loss_s == 0

    torn = judge_kill(_run(texts, [("abcd", None)], b"ab"), _after("abcd"), saves, "tiny.gguf")
    assert torn.mid_save and not torn.file_ok and not torn.rolled_back

    landed = judge_kill(_run(texts, [("abcd", None)], b"abcd"), _after("abcd"), saves, "tiny.gguf")
    assert landed.mid_save and landed.file_ok  # the interrupted save had renamed its file into place

    invented = judge_kill(_run(texts, [], b"abcd"), _after("abXd"), saves, "tiny.gguf")
    assert not invented.matched and math.isnan(invented.loss_s)
    figures = {f.name: f for f in kill_recovery_figures(KillRecovery([good, rolled, torn, landed, invented]))}
    assert figures["saved file rolled back to an older version"].met is False
    assert figures["saved file not one complete version"].value == 2
    assert figures["recovered text = a text shown before the kill (SHA-256)"].met is False
    assert figures["loss window (first change not recovered to the kill), max"].met is False  # nan never meets


@pytest.mark.slow
def test_quick_report_runs_everything_and_its_figures_add_up(tmp_path: Path) -> None:
    sizes = Sizes.quick()
    figures, reports = measure_robustness(
        tmp_path, sizes=sizes, readers=["GGUF", "journal"], findings=tmp_path / "findings"
    )

    def value(group: str, name: str) -> Figure:
        (found,) = [f for f in figures if f.group.startswith(group) and f.name == name]
        return found

    assert value("kill trials", "kill trials").value == sizes.trials
    assert value("kill trials", "document lost (not one complete version)").met is True
    assert value("kill trials", "document rolled back to an older version").met is True
    assert value("fuzzing", "harness self-check (planted crash, hang, bug)").met is True
    for r in reports:
        adds_up(r.stages, max(1, round(sizes.fuzz * fuzz_campaign.WEIGHTS.get(r.reader, 1.0))))
        assert value("fuzzing", f"{r.stages[0].stage}: inputs").value == r.inputs
    app = "crash recovery"
    assert value(app, "kill trials").value == sizes.kill_trials
    assert value(app, "recovered text = a text shown before the kill (SHA-256)").met is True
    assert value(app, "saved file rolled back to an older version").met is True
    assert value(app, "saved file not one complete version").met is True
    assert math.isfinite(value(app, "loss window (first change not recovered to the kill), max").value)
