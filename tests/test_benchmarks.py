"""Smoke tests of the benchmark suite: each benchmark runs in a tiny configuration and reports every figure.

No timing is asserted (figures are ratios measured in the same run, and this machine is shared): the tests check
that every figure is there, finite where it is a ratio, that goals are judged, and that the JSON parses.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from benchmarks import bench_convert, bench_memory, bench_startup, bench_ui, make_synthetic, membw, run_all
from ziya_desktop import bench, cli
from ziya_desktop.bench import Figure
from ziya_desktop.engine.engine import Engine, LoadOptions
from ziya_desktop.engine.sampling import SamplingParams

pytestmark = pytest.mark.slow


@pytest.fixture
def hermetic_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("ZIYA_HOME", str(home))
    monkeypatch.setenv("ZIYA_OFFLINE", "1")
    return home


def names(figures: Sequence[Figure]) -> set[str]:
    return {f.name for f in figures}


def check_figures(figures: Sequence[Figure], expected: Sequence[str]) -> None:
    """Every expected figure is present; ratios and goal-judged figures are finite; the JSON round-trips."""
    missing = [n for n in expected if n not in names(figures)]
    assert not missing, f"missing figures: {missing}"
    for f in figures:
        if f.unit == "ratio" or f.goal:
            assert math.isfinite(f.value), f
        if f.goal:
            assert f.met is not None, f
    parsed = json.loads(bench.figures_json(figures, machine="test"))
    assert parsed["context"] == {"machine": "test"}
    assert [row["name"] for row in parsed["figures"]] == [f.name for f in figures]
    table = bench.format_table(figures)
    assert all(f.name in table for f in figures)


def test_figure_goal_is_never_met_by_a_non_finite_value() -> None:
    assert bench.figure("g", "x", math.nan, "ratio", ">= 1", True).met is False
    assert bench.figure("g", "x", 2.0, "ratio", ">= 1", True).met is True
    assert bench.figure("g", "x", 2.0, "ratio").met is None
    assert json.loads(bench.figures_json([bench.figure("g", "x", math.inf, "ms")]))["figures"][0]["value"] is None


def test_decode_ttft_and_memory_on_the_tiny_model(tiny_gguf: Callable[[str], Path]) -> None:
    model = tiny_gguf("q4_k_m")
    engine = Engine()
    engine.load(model, LoadOptions(threads=1, n_batch=256, gpu_layers=0))
    try:
        result = bench.measure_decode(model, (8, 16, 4096), threads=1, engine=engine)
        ttft = bench.measure_ttft(engine, answer_tokens=4)
    finally:
        engine.close()
    # 4096 does not fit the 2048 window with the prompt: it is measured at the window's end instead.
    assert result.lengths[:2] == (8, 16) and 16 < result.lengths[2] < 2048
    assert set(result.naive) == {8, 16}  # create_completion only up to NAIVE_MAX_TOKENS
    decode = bench.decode_figures("tiny", result, goal_ratio=0.9)
    check_figures(decode, ["engine / bare at 8", "engine / bare at 16", "create_completion / bare at 16, whole call"])
    check_figures(
        ttft, ["cold (first generation after load)", "regenerate / one decode step", "continue reused prefix"]
    )
    by_name = {f.name: f for f in ttft}
    assert by_name["regenerate reused prefix"].met is True  # the prefix is reused, whatever the timing
    assert by_name["prompt length"].value >= bench.TTFT_PROMPT_TOKENS
    memory = bench.measure_memory(model, threads=1, tokens=4)
    check_figures(memory, ["peak RSS beyond the model file", "growth from generation 1 to 10"])


def test_cli_bench_prints_parseable_json(tiny_gguf: Callable[[str], Path], capsys: pytest.CaptureFixture[str]) -> None:
    model = tiny_gguf("q4_k_m")
    assert cli.main(["bench", "--model", str(model), "--threads", "1", "--lengths", "8", "16", "--json"]) == 0
    parsed = json.loads(capsys.readouterr().out)
    got = {row["name"] for row in parsed["figures"]}
    assert {"engine / bare at 16", "regenerate / one decode step", "peak RSS beyond the model file"} <= got


def test_cli_bench_reports_a_missing_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["bench", "--model", str(tmp_path / "missing.gguf")]) == 2
    assert "error" in capsys.readouterr().err


def test_synthetic_model_has_real_width_and_generates(tmp_path: Path) -> None:
    model = make_synthetic.write_synthetic(tmp_path / "syn.gguf", 1)
    assert model.file_bytes > model.bytes_per_token() > model.layer_bytes
    assert model.bytes_per_token(40) == 40 * model.layer_bytes + model.output_bytes
    engine = Engine()
    report = engine.load(model.path, LoadOptions(threads=1, n_ctx=256, gpu_layers=0))
    try:
        info = report.info.describe()
        assert engine.n_ctx == 256
        text = "".join(engine.stream("<human>:你好\n<bot>:", SamplingParams(seed=1, max_tokens=2, ignore_eos=True)))
        assert engine.last_stats is not None and engine.last_stats.generated_tokens == 2
        assert text
    finally:
        engine.close()
    assert "5120" in json.dumps(info) and "39424" in json.dumps(info)


def test_ui_smoothness_runs_every_source(tiny_gguf: Callable[[str], Path], hermetic_home: Path, qapp: object) -> None:
    figures = bench_ui.measure_ui(model=tiny_gguf("q4_k_m"), seconds=0.2, model_tokens=600)
    groups = {f.group for f in figures}
    assert {f"UI, fake source at {r} tokens/s" for r in bench_ui.FAKE_RATES} <= groups
    assert any(g.startswith("UI, real model") for g in groups)
    assert any("one 50,000-character paragraph" in g for g in groups)
    check_figures(figures, ["heartbeat gap p99", "heartbeat gap max", "GUI thread CPU per 1,000 tokens"])
    inserted = [f.value for f in figures if f.name == "characters inserted"]
    assert all(v > 0 for v in inserted)


def test_app_memory_and_startup(tiny_gguf: Callable[[str], Path], hermetic_home: Path) -> None:
    model = tiny_gguf("q4_k_m")
    memory = bench_memory.measure_app_memory([("tiny", model)], tokens=4)
    check_figures(memory, ["peak RSS, app with no model", "peak RSS beyond the model file"])
    startup = bench_startup.measure_startup(model, runs=1)
    check_figures(startup, ["launch to shown, responsive window", "python interpreter alone"])


def test_conversion_benchmark_on_a_narrow_checkpoint(tmp_path: Path) -> None:
    figures = bench_convert.measure_convert(1, "f16", tmp_path, hidden=640, ffn=1280)
    check_figures(figures, ["ziya-convert", "convert / copy throughput", "ziya-convert peak RSS"])
    assert not list(tmp_path.iterdir())  # the checkpoint and its output were deleted


def test_bandwidth_figures_and_markdown() -> None:
    assert membw.copy_bandwidth(mib=8, repeats=2) > 0
    model = make_synthetic.SyntheticModel(Path("x.gguf"), 2, 10, 100, 50, 0.0)
    decode = bench.DecodeResult((16, 64), {16: 10.0, 64: 9.0}, {16: 9.9, 64: 8.9}, {16: 8.0, 64: 8.5}, {})
    figures = run_all.bandwidth_figures(model, decode, 1e9)
    check_figures(figures, ["streamed / copy bandwidth", "extrapolated tokens/s at 40 layers"])
    table = run_all.markdown(figures)
    assert table.count("\n") == len(figures) + 1
