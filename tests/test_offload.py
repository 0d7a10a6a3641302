"""The offload plan from a model's per-layer sizes and a machine's free GPU memory."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from ziya_desktop.engine.hardware import GpuDevice, HardwareInfo, physical_cores
from ziya_desktop.engine.load_setup import LoadOptions, LoadSetup
from ziya_desktop.engine.model_info import ModelInfo
from ziya_desktop.engine.offload import compute_margin, fallback_ladder, plan_offload

GIB = 1 << 30

# Ziya-Writing 13B at Q4_K_M: 40 layers of about 0.19 GB, output about 0.17 GB (Q6_K).
ZIYA_Q4 = ModelInfo(
    path=Path("ziya-q4_k_m.gguf"),
    name="Ziya-Writing-LLaMa-13B-v1",
    architecture="llama",
    file_type="Q4_K_M",
    n_layer=40,
    n_embd=5120,
    n_head=40,
    n_head_kv=40,
    n_ff=13824,
    n_ctx_train=2048,
    n_vocab=39424,
    file_size=7_900_000_000,
    layer_bytes=(190_000_000,) * 40,
    output_bytes=170_000_000,
    embedding_bytes=113_000_000,
)


def machine(free: int | None) -> HardwareInfo:
    gpus = () if free is None else (GpuDevice("CUDA0", "Test GPU", "gpu", free, free),)
    return HardwareInfo(
        gpu_offload=free is not None,
        backend="CUDA" if free is not None else "CPU",
        gpus=gpus,
        physical_cores=8,
        logical_cpus=16,
        total_ram=32 * GIB,
        available_ram=24 * GIB,
        cpu_features=frozenset({"AVX2"}),
        system_info="CUDA : ARCHS = 890",
    )


def test_a_24_gib_gpu_takes_the_whole_q4_model() -> None:
    plan = plan_offload(ZIYA_Q4, machine(24 * GIB), n_ctx=2048, n_batch=512)
    assert plan.n_gpu_layers == 41 and plan.layers_on_gpu == 40
    assert plan.label == "CUDA 40/40 layers"


def test_an_8_gib_gpu_takes_part_of_it() -> None:
    plan = plan_offload(ZIYA_Q4, machine(8 * GIB), n_ctx=2048, n_batch=512)
    # Worked out by hand from the model's sizes, not with the planner's own helpers:
    #   free                   8 GiB                              = 8_589_934_592
    #   margin  256 MiB scratch                                   =   268_435_456
    #         + logits  512 × 39424 vocab × 4 bytes               =    80_740_352
    #         + scores  512 × 2048 ctx × 40 heads × 4 bytes       =   167_772_160
    #   budget  8_589_934_592 − 516_947_968                        = 8_072_986_624
    #   a layer 190_000_000 weights + KV 2 × 2048 × 5120 × 2 bytes = 231_943_040
    #   34 layers = 7_886_063_360 fit; 35 layers = 8_118_006_400 do not.
    assert plan.n_gpu_layers == 34
    assert plan.vram_needed == 7_886_063_360 and plan.vram_free == 8_589_934_592
    assert plan.reason == "34 of 40 layers fit in 8.0 GiB free GPU memory"
    assert plan.label == "CUDA 34/40 layers"


def test_a_q8_0_kv_cache_is_sized_as_llama_cpp_stores_it() -> None:
    # The same 8 GiB card with a q8_0 cache (34 bytes per 32 values), by hand:
    #   a layer 190_000_000 weights + KV 2 × 2048 × 5120 × 34 / 32 bytes = 212_282_240
    #   38 layers = 8_066_725_120 fit in the budget of 8_072_986_624 (above); 39 = 8_279_007_360 do not.
    plan = plan_offload(ZIYA_Q4, machine(8 * GIB), n_ctx=2048, n_batch=512, kv_cache_type="q8_0")
    assert plan.n_gpu_layers == 38 and plan.vram_needed == 8_066_725_120
    # The load's own plan follows the chosen cache type.
    setup = LoadSetup.for_model(ZIYA_Q4, LoadOptions(kv_cache_type="q8_0"), machine(8 * GIB))
    assert setup.requested.n_gpu_layers == 38


def test_the_compute_margin_by_hand() -> None:
    # 256 MiB + 512 × 39424 × 4 + 512 × 2048 × 40 × 4 (see above), and with a 512-token context.
    assert compute_margin(ZIYA_Q4, 2048, 512) == 516_947_968
    assert compute_margin(ZIYA_Q4, 512, 512) == 268_435_456 + 80_740_352 + 41_943_040


def test_a_smaller_context_fits_more_layers() -> None:
    small = plan_offload(ZIYA_Q4, machine(6 * GIB), n_ctx=512, n_batch=512)
    large = plan_offload(ZIYA_Q4, machine(6 * GIB), n_ctx=2048, n_batch=512)
    assert small.n_gpu_layers > large.n_gpu_layers


def test_no_room_or_no_gpu_means_cpu_with_a_reason() -> None:
    tiny_gpu = plan_offload(ZIYA_Q4, machine(200 * 1024 * 1024), n_ctx=2048, n_batch=512)
    assert tiny_gpu.n_gpu_layers == 0 and "not even one layer" in tiny_gpu.reason
    none = plan_offload(ZIYA_Q4, machine(None), n_ctx=2048, n_batch=512)
    assert none.n_gpu_layers == 0 and none.label == "CPU" and "no GPU backend" in none.reason
    no_device = plan_offload(ZIYA_Q4, replace(machine(None), backend="CUDA"), n_ctx=2048, n_batch=512)
    assert "no GPU device" in no_device.reason


@pytest.mark.parametrize(("requested", "expected"), [(0, 0), (10, 10), (41, 41), (500, 41)])
def test_an_explicit_layer_count_is_honoured_and_clamped(requested: int, expected: int) -> None:
    assert plan_offload(ZIYA_Q4, machine(1 * GIB), n_ctx=2048, n_batch=512, requested=requested).n_gpu_layers == (
        expected
    )


def test_the_fallback_ladder_halves_then_ends_on_the_cpu() -> None:
    plan = plan_offload(ZIYA_Q4, machine(24 * GIB), n_ctx=2048, n_batch=512)
    assert fallback_ladder(plan) == [20, 10, 0]
    assert fallback_ladder(replace(plan, n_gpu_layers=1)) == [0]
    assert fallback_ladder(replace(plan, n_gpu_layers=0)) == []


def test_physical_cores_is_at_least_one_and_at_most_the_logical_count() -> None:
    import os

    assert 1 <= physical_cores() <= (os.cpu_count() or 1)
