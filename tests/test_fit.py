"""Hardware fit: which file type runs where, for hand-built machines (no probing of this one)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_library import write_tiny_gguf

from ziya_desktop.engine.hardware import GpuDevice, HardwareInfo
from ziya_desktop.models.catalog import CatalogFile, CatalogModel, load_catalog
from ziya_desktop.models.fit import assess, ram_budget, recommend
from ziya_desktop.models.library import ModelLibrary

GIB = 1 << 30


def machine(*, vram_gib: float = 0, ram_gib: float = 16, backend: str = "CUDA") -> HardwareInfo:
    gpus: tuple[GpuDevice, ...] = ()
    if vram_gib:
        total = int(vram_gib * GIB)
        # A desktop session keeps some VRAM busy; the probe reports what is free.
        gpus = (GpuDevice("CUDA0", "NVIDIA GeForce", "gpu", total - 400 * (1 << 20), total),)
    return HardwareInfo(
        gpu_offload=bool(vram_gib),
        backend=backend if vram_gib else "CPU",
        gpus=gpus,
        physical_cores=8,
        logical_cpus=16,
        total_ram=int(ram_gib * GIB),
        available_ram=int(ram_gib * GIB * 0.6),
        cpu_features=frozenset({"AVX2"}),
        system_info="AVX2 = 1",
    )


@pytest.fixture(scope="module")
def ziya() -> CatalogModel:
    return load_catalog()[0]


def by_type(files: tuple[CatalogFile, ...], hw: HardwareInfo) -> dict[str, str]:
    return {v.outtype: v.verdict for v in assess(files, hw)}


def test_24_gb_gpu_runs_q8_0_entirely_on_the_gpu(ziya: CatalogModel) -> None:
    hw = machine(vram_gib=24, ram_gib=32)
    best = recommend(ziya.files, hw)
    assert (best.outtype, best.verdict) == ("q8_0", "fits_gpu")
    assert best.gpu_layers == ziya.n_layer + 1
    assert best.gpu_bytes < 24 * GIB
    verdicts = by_type(ziya.files, hw)
    assert verdicts["f16"] == "partial", "26.2 GB of F16 cannot fit in 24 GB"
    assert verdicts["q4_k_m"] == "fits_gpu"


def test_8_gb_gpu_runs_q4_k_m_partly_offloaded(ziya: CatalogModel) -> None:
    hw = machine(vram_gib=8, ram_gib=16)
    best = recommend(ziya.files, hw)
    assert (best.outtype, best.verdict) == ("q4_k_m", "partial")
    assert 20 <= best.gpu_layers < ziya.n_layer
    assert "layers on the GPU" in best.note
    assert by_type(ziya.files, hw)["f16"] == "too_big"


def test_cpu_with_16_gb_runs_q4_k_m_on_the_cpu(ziya: CatalogModel) -> None:
    hw = machine(ram_gib=16)
    best = recommend(ziya.files, hw)
    assert (best.outtype, best.verdict, best.gpu_layers) == ("q4_k_m", "cpu", 0)
    # 7.9 GB of weights plus 1.7 GB of f16 KV cache at 2048 tokens plus compute buffers.
    assert 9.5e9 < best.needed_bytes < 10.5e9
    assert best.needed_bytes <= ram_budget(hw)
    verdicts = by_type(ziya.files, hw)
    assert verdicts["q8_0"] == "too_big" and verdicts["f16"] == "too_big"


def test_too_small_machine_gets_the_smallest_file_marked_too_big(ziya: CatalogModel) -> None:
    for hw in (machine(ram_gib=8), machine(vram_gib=2, ram_gib=8)):
        assert set(by_type(ziya.files, hw).values()) == {"too_big"}
        best = recommend(ziya.files, hw)
        assert (best.outtype, best.verdict, best.runs) == ("q4_k_m", "too_big", False)
        assert "GB" in best.note


def test_a_larger_gpu_gets_the_best_quality_that_fits(ziya: CatalogModel) -> None:
    assert recommend(ziya.files, machine(vram_gib=48, ram_gib=64)).outtype == "f16"
    assert recommend(ziya.files, machine(vram_gib=12, ram_gib=32)).verdict == "fits_gpu"


def test_shorter_context_needs_less_memory(ziya: CatalogModel) -> None:
    hw = machine(ram_gib=16)
    full = assess(ziya.files, hw, n_ctx=2048)[-1]
    short = assess(ziya.files, hw, n_ctx=512)[-1]
    assert short.needed_bytes < full.needed_bytes


def test_q4_0_is_never_recommended() -> None:
    files = (
        CatalogFile("q4_0", 7_400_000_000, "", ""),
        CatalogFile("q5_k_m", 9_300_000_000, "", ""),
    )
    assert recommend(files, machine(ram_gib=16)).outtype == "q5_k_m"
    with pytest.raises(ValueError):
        recommend(files[:1], machine(ram_gib=16))
    with pytest.raises(ValueError):
        recommend((), machine(ram_gib=16))


def test_local_models_are_measured_from_their_header(tmp_path: Path) -> None:
    library = ModelLibrary(tmp_path / "models")
    write_tiny_gguf(library.models_dir / "tiny.gguf", n_layer=3)
    models = library.scan()
    [verdict] = assess(models, machine(vram_gib=8))
    assert (verdict.outtype, verdict.verdict, verdict.n_layer, verdict.gpu_layers) == ("q4_k_m", "fits_gpu", 3, 4)
    assert recommend(models, machine(ram_gib=4)).verdict == "cpu"
