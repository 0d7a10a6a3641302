"""Smoke tests of the benchmark suite: each benchmark runs in a tiny configuration and reports every figure.

No timing is asserted (figures are ratios measured in the same run, and this machine is shared): the tests check
that every figure is there, finite where it is a ratio, that goals are judged, that ratios are computed from the
rows of the same run, that runs which failed are not counted, and that the README tables are what the figures file
renders.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from benchmarks import (
    bench_convert,
    bench_editor_decode,
    bench_memory,
    bench_startup,
    bench_ui,
    make_synthetic,
    membw,
    render_tables,
    run_all,
)
from ziya_desktop import bench, cli
from ziya_desktop.bench import Figure
from ziya_desktop.engine.engine import Engine, LoadOptions
from ziya_desktop.engine.sampling import SamplingParams
from ziya_desktop.errors import GenerationError

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


def value(figures: Sequence[Figure], name: str, group: str = "") -> float:
    """The one figure called ``name`` (in a group starting with ``group``)."""
    found = [f.value for f in figures if f.name == name and f.group.startswith(group)]
    assert len(found) == 1, (name, group, found)
    return found[0]


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
    assert result.text  # what Engine.stream wrote, for the editor path to match
    decode = bench.decode_figures("tiny", result, goal_ratio=0.9)
    check_figures(
        decode,
        ["Engine.stream / bare at 8", "Engine.stream / bare at 16", "create_completion / bare at 16, whole call"],
    )
    for n in result.lengths:  # every ratio is computed from the rows of this run
        assert value(decode, f"Engine.stream / bare at {n}") == pytest.approx(
            value(decode, f"Engine.stream, no GUI, at {n} tokens") / value(decode, f"bare llama.cpp at {n} tokens")
        )
        # The whole bare call covers the prompt and n tokens, not the load: never faster than its own per-token rate.
        assert value(decode, f"bare llama.cpp at {n} tokens, whole call") <= value(
            decode, f"bare llama.cpp at {n} tokens"
        ) * n / (n - 1)
    assert set(result.naive_bare) == {8, 16}  # a whole bare call interleaved with each create_completion call
    assert value(decode, "create_completion / bare at 16, whole call") == pytest.approx(
        result.naive[16] / value(decode, "bare llama.cpp beside create_completion at 16 tokens")
    )
    check_figures(
        ttft, ["cold (first generation after load)", "regenerate / one decode step", "continue reused prefix"]
    )
    by_name = {f.name: f for f in ttft}
    assert by_name["regenerate reused prefix"].met is True  # the prefix is reused, whatever the timing
    assert by_name["prompt length"].value >= bench.TTFT_PROMPT_TOKENS
    memory = bench.measure_memory(model, threads=1, tokens=4)
    check_figures(memory, ["peak RSS beyond the model file", "growth from generation 1 to 10"])


def test_bare_loop_loads_before_its_first_step(tiny_gguf: Callable[[str], Path]) -> None:
    bare = bench.BareLoop(tiny_gguf("q4_k_m"), threads=1)
    try:
        assert bare.ctx  # model and context exist before any step is timed
        assert list(bare.steps(3)) == [1, 2, 3]
        assert list(bare.steps(2)) == [1, 2]  # each run starts from an empty cache
    finally:
        bare.close()
    bare.close()  # closing twice is harmless


def test_editor_path_decode_streams_into_the_document(
    tiny_gguf: Callable[[str], Path], hermetic_home: Path, qapp: object
) -> None:
    model = tiny_gguf("q4_k_m")
    result = bench.measure_decode(model, (8, 24), threads=1, naive=False)
    runs = bench_editor_decode.measure_editor_decode(model, result.lengths, threads=1)
    assert sorted(runs) == [8, 24]
    assert all(run.tokens == n and run.text and run.chunks > 0 for n, run in runs.items())
    figures = bench_editor_decode.editor_figures("tiny", runs, expected_text=result.text, goal=0.5)
    check_figures(figures, ["editor path / bare at 8, whole call", "editor path at 24 tokens, whole call"])
    for n, run in runs.items():
        ratio = value(figures, f"editor path / bare at {n}, whole call")
        assert ratio == pytest.approx(run.rate / run.bare_rate)
        assert value(figures, f"characters in the document at {n} tokens") == len(run.text)
    # Same seed, same engine code: the document holds exactly what Engine.stream wrote on its own thread.
    same = [f for f in figures if f.name.startswith("longest run's document")]
    assert len(same) == 1 and same[0].met is True
    mismatch = bench_editor_decode.editor_figures("tiny", runs, expected_text=result.text + "x")
    assert [f.met for f in mismatch if f.name.startswith("longest run's document")] == [False]


def test_cli_bench_prints_parseable_json(tiny_gguf: Callable[[str], Path], capsys: pytest.CaptureFixture[str]) -> None:
    model = tiny_gguf("q4_k_m")
    assert cli.main(["bench", "--model", str(model), "--threads", "1", "--lengths", "8", "16", "--json"]) == 0
    parsed = json.loads(capsys.readouterr().out)
    got = {row["name"] for row in parsed["figures"]}
    assert {"Engine.stream / bare at 16", "regenerate / one decode step", "peak RSS beyond the model file"} <= got


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
    figures = bench_ui.measure_ui(model=tiny_gguf("q4_k_m"), seconds=0.3, model_tokens=300, repeats=2)
    groups = {f.group for f in figures}
    assert {f"UI, fake source at {r} tokens/s" for r in bench_ui.FAKE_RATES} <= groups
    model_group = next(g for g in groups if g.startswith("UI, real model"))
    paragraph = "UI, fake source at 200 tokens/s, one 50,000-character paragraph"
    assert {f"{paragraph}, run 1", f"{paragraph}, run 2", f"{paragraph}, 2 runs"} <= groups
    check_figures(figures, ["heartbeat gap p99", "heartbeat gap max", "GUI thread CPU per 1,000 tokens"])
    inserted = [f.value for f in figures if f.name == "characters inserted"]
    assert all(v > 0 for v in inserted)
    # The model runs until the time is up, one generation after another; the rate divides what streamed.
    streamed = value(figures, "tokens streamed (engine's count, every run finished)", model_group)
    assert streamed == 300 * value(figures, "generations", model_group)
    assert value(figures, "seconds watched", model_group) >= 0.3
    assert value(figures, "achieved rate", model_group) == pytest.approx(
        streamed / value(figures, "seconds watched", model_group)
    )
    p99s = [value(figures, "heartbeat gap p99", f"{paragraph}, run {i}") for i in (1, 2)]
    assert value(figures, "heartbeat gap p99, lowest run", paragraph) == min(p99s)
    assert value(figures, "heartbeat gap p99, highest run", paragraph) == max(p99s)


class _FailingEngine(bench_ui.PacedTextEngine):
    def __init__(self, how: str) -> None:
        super().__init__(2000)
        self.how = how

    def stream(self, prompt: object, sampling: SamplingParams = bench_ui.MODEL_CARD, **kwargs: object):  # type: ignore[no-untyped-def, override]
        for i, text in enumerate(super().stream(prompt, sampling, **kwargs)):  # type: ignore[arg-type]
            if i == 5:
                if self.how == "fail":
                    raise GenerationError("llama.cpp could not evaluate a token (code 1)")
                assert self.last_stats is not None
                self.last_stats.stop_reason = "eos"
                return
            yield text


@pytest.mark.parametrize(
    ("how", "error"),
    [("fail", r"the generation failed: .*code 1"), ("stop early", r"stopped at 6 of 50 tokens \(eos\)")],
)
def test_a_ui_run_that_failed_or_stopped_early_does_not_count(
    hermetic_home: Path, qapp: object, how: str, error: str
) -> None:
    import functools

    from ziya_desktop.ui.shell.main_window import MainWindow

    window = MainWindow(engine_factory=functools.partial(_FailingEngine, how), lang="en")
    window.show()
    try:
        with pytest.raises(RuntimeError, match=error):
            bench_ui._stream_run(window, "failing", 50, 30)
    finally:
        window.engine.shutdown()
        window.deleteLater()


def test_app_memory_and_startup(tiny_gguf: Callable[[str], Path], hermetic_home: Path) -> None:
    model = tiny_gguf("q4_k_m")
    memory = bench_memory.measure_app_memory([("tiny", model)], tokens=4)
    check_figures(memory, ["peak RSS, app with no model", "peak RSS beyond the model file"])
    startup = bench_startup.measure_startup(model, runs=1)
    check_figures(startup, ["launch to shown, responsive window", "python interpreter alone"])
    # The load was seen while the heartbeat watched: progress first, then loaded, both within the watch.
    loading = [f for f in startup if f.name == "model loading seen while watched (every run)"]
    assert len(loading) == 1 and loading[0].met is True
    progress = value(startup, "first load-progress signal after the window answered (latest of 1)")
    loaded = value(startup, "model loaded after the window answered (latest of 1)")
    assert 0 <= progress <= loaded <= value(startup, "heartbeat watched (longest run)")


def test_memory_against_a_bare_llama_cpp_process(tmp_path: Path, hermetic_home: Path) -> None:
    # The synthetic model narrowed to 256 wide (2 heads of 128), so the processes start in a second or two.
    models = {
        n: make_synthetic.write_synthetic(tmp_path / f"syn{n}.gguf", n, hidden=256, ffn=512, heads=2).path
        for n in (1, 2)
    }
    figures, reports = bench_memory.measure_memory_sweep(models, threads=1, tokens=2, generations=1, n_embd_kv=256)
    check_figures(figures, ["app − bare (the app's own cost) at 40 layers", "KV cache at 40 layers, computed"])
    # Both processes were measured, on every layer count and KV type, and llama.cpp reported its buffers.
    assert set(reports) == {(who, kv, n) for who in ("bare", "app") for kv in ("f16", "q8_0") for n in (1, 2)}
    for report in reports.values():
        buffers = report["buffers"]
        assert isinstance(buffers, dict) and buffers.get("CPU KV", 0) > 0 and buffers.get("CPU compute", 0) > 0
    kv_rows = {}
    for kv in ("f16", "q8_0"):
        g = f"memory vs bare llama.cpp, synthetic 256 wide, {kv} KV cache"
        for n in (1, 2):
            bare, app = (value(figures, f"{who} process, {n} layers, peak RSS", g) for who in ("bare llama.cpp", "app"))
            assert value(figures, f"app − bare, {n} layers", g) == pytest.approx(app - bare)
            assert bare > 0 and app > 0
        # llama.cpp made exactly the cache the dimensions call for: 2 × 2048 × 256 values per layer.
        assert value(figures, "KV reported / computed, 2 layers", g) == pytest.approx(1.0, rel=0.01)  # MiB, 2 decimals
        kv_rows[kv] = value(figures, "KV buffer reported by llama.cpp, 2 layers", g)
        own = value(figures, "app − bare (the app's own cost) at 40 layers", g)
        app40, bare40 = (value(figures, f"{who}, extrapolated to 40 layers", g) for who in ("app", "bare"))
        assert own == pytest.approx(app40 - bare40)
    assert kv_rows["q8_0"] == pytest.approx(kv_rows["f16"] * 34 / 64, rel=0.01)
    saved = value(figures, "KV cache saved at 40 layers, computed")
    assert saved == pytest.approx(40 * 2 * 2048 * 256 * (2 - 34 / 32) / 2**20)


def test_conversion_benchmark_on_a_narrow_checkpoint(tmp_path: Path) -> None:
    figures = bench_convert.measure_convert(1, "f16", tmp_path, hidden=640, ffn=1280, cache="fadvise")
    check_figures(figures, ["ziya-convert (input MB per second, fsynced)", "convert / read-and-write throughput"])
    assert not list(tmp_path.iterdir())  # the checkpoint and its output were deleted
    # Each timed phase started with the input out of the page cache.
    cached = [f.value for f in figures if "input cached before" in f.name]
    assert len(cached) == 2 and all(c <= 0.05 for c in cached)
    assert all("fadvise" in f.name for f in figures if "input cached before" in f.name)
    assert value(figures, "convert / read-and-write throughput") == pytest.approx(
        value(figures, "ziya-convert (input MB per second, fsynced)")
        / value(figures, "read the input + write the output's size (fsynced)")
    )


def test_read_write_baseline_writes_the_output_size(tmp_path: Path) -> None:
    inputs = [tmp_path / "a", tmp_path / "b"]
    inputs[0].write_bytes(b"a" * 3_000_001)
    inputs[1].write_bytes(b"b" * 1_000_003)
    for size in (1_234_567, 5_000_000):
        bench_convert.read_write_baseline(inputs, tmp_path / "out", size)
        assert (tmp_path / "out").stat().st_size == size
    assert bench_convert.cached_fraction(inputs) > 0.9  # just read: cached
    bench_convert.drop_page_cache(inputs, "fadvise")
    assert bench_convert.cached_fraction(inputs) <= 0.05


def test_bandwidth_figures_and_markdown() -> None:
    assert membw.copy_bandwidth(mib=8, repeats=2) > 0
    model = make_synthetic.SyntheticModel(Path("x.gguf"), 2, 10, 100, 50, 0.0)
    decode = bench.DecodeResult((16, 64), {16: 10.0, 64: 9.0}, {16: 9.9, 64: 8.9}, {16: 8.0, 64: 8.5}, {})
    figures = run_all.bandwidth_figures(model, decode, 1e9)
    check_figures(figures, ["streamed / copy bandwidth", "extrapolated tokens/s at 40 layers"])
    table = run_all.markdown(figures)
    assert table.count("\n") == len(figures) + 1


def test_the_readme_tables_are_what_the_figures_file_renders() -> None:
    assert render_tables.FIGURES.is_file(), "make bench writes benchmarks/figures.json"
    context, rows = render_tables.load()
    assert rows and {"date", "cpu", "threads", "seconds", "arguments", "full_size"} <= set(context)
    for path, text in render_tables.rendered().items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name}: run python -m benchmarks.render_tables --write"
    assert render_tables.main(["--check"]) == 0


def test_render_tables_replaces_only_between_the_markers(tmp_path: Path) -> None:
    rows = [bench.figure("g", "x", 1.5, "ratio", ">= 1", True), bench.figure("g", "y", math.nan, "ms")]
    figures = tmp_path / "figures.json"
    figures.write_text(bench.figures_json(rows, date="2026-01-01", full_size=False, arguments=["--quick"]))
    context, loaded = render_tables.load(figures)
    table = render_tables.render_full(context, loaded)
    assert "| x | 1.5 | ratio | >= 1 | met |" in table and "| y | n/a | ms |" in table
    assert "reduced sizes" in table and "--quick" in table
    text = "before\n<!-- figures:begin -->\nold\n<!-- figures:end -->\nafter\n"
    assert render_tables.replace_block(text, "figures", "new") == (
        "before\n<!-- figures:begin -->\nnew\n<!-- figures:end -->\nafter\n"
    )
    with pytest.raises(ValueError, match="markers"):
        render_tables.replace_block("no markers", "figures", "new")
