"""The KV cache type (LoadOptions.kv_cache_type): q8_0 loads and generates, an invalid type is refused up front."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from ziya_desktop.engine.engine import Engine, LoadOptions
from ziya_desktop.engine.load_setup import KV_CACHE_TYPES
from ziya_desktop.engine.sampling import SamplingParams


def _kv_buffer_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "llama.cpp" and "KV buffer size" in r.getMessage()]


def test_q8_0_kv_cache_loads_and_generates(q4: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="llama.cpp")
    sampling = SamplingParams(seed=3, max_tokens=12, ignore_eos=True)
    sizes = {}
    for kv in ("f16", "q8_0"):
        caplog.clear()
        engine = Engine()
        engine.load(q4, LoadOptions(n_ctx=512, threads=1, gpu_layers=0, kv_cache_type=kv))
        try:
            text = "".join(engine.stream("<human>:写一封感谢信\n<bot>:", sampling))
            assert engine.last_stats is not None and engine.last_stats.generated_tokens == 12
            assert text
        finally:
            engine.close()
        lines = _kv_buffer_lines(caplog)
        assert lines, "llama.cpp did not report its KV buffer"
        sizes[kv] = float(lines[-1].split("=")[1].split()[0])
    # q8_0 stores 34 bytes per 32 values against f16's 64: the buffer llama.cpp made must be about half.
    assert sizes["q8_0"] == pytest.approx(sizes["f16"] * 34 / 64, rel=0.02)


def test_an_invalid_kv_cache_type_is_refused_with_a_clear_error() -> None:
    assert KV_CACHE_TYPES == ("f16", "q8_0")
    with pytest.raises(ValueError, match=r"KV cache type 'q5_1' is not supported: choose one of f16, q8_0"):
        LoadOptions(kv_cache_type="q5_1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs flash attention"):
        LoadOptions(kv_cache_type="q8_0", flash_attn=False)
    assert LoadOptions().kv_cache_type == "f16"  # the default stays f16
    assert LoadOptions(kv_cache_type="q8_0", flash_attn=True).kv_cache_type == "q8_0"
