"""How many layers go to the GPU, and the ladder of fallbacks when a GPU load fails.

``gpu_layers="auto"`` fits as many repeating layers as free VRAM holds: each layer's weights (from the GGUF) plus
its KV cache for ``n_ctx`` (f16, or q8_0 when chosen), after reserving a compute-buffer margin; the output layer
goes too once every repeating layer fits. llama.cpp keeps the token embeddings on the CPU either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ziya_desktop.engine.hardware import HardwareInfo
from ziya_desktop.engine.model_info import ModelInfo

GpuLayers = int | Literal["auto"]
_MIB = 1 << 20
# Bytes per cached value of each KV cache type llama.cpp is given (q8_0: blocks of 32 int8 values and an f16 scale).
KV_BYTES_PER_VALUE: dict[str, float] = {"f16": 2.0, "q8_0": 34 / 32}


@dataclass(frozen=True)
class OffloadPlan:
    """``n_gpu_layers`` is what llama.cpp receives: n_layer + 1 means every layer and the output layer."""

    n_gpu_layers: int
    n_layer: int
    backend: str
    reason: str
    vram_needed: int = 0
    vram_free: int | None = None

    @property
    def on_gpu(self) -> bool:
        return self.n_gpu_layers > 0

    @property
    def layers_on_gpu(self) -> int:
        return min(self.n_gpu_layers, self.n_layer)

    @property
    def label(self) -> str:
        if not self.on_gpu:
            return "CPU"
        return f"{self.backend} {self.layers_on_gpu}/{self.n_layer} layers"


def compute_margin(info: ModelInfo, n_ctx: int, n_batch: int) -> int:
    """VRAM kept free for llama.cpp's compute buffers (logits, attention scores, scratch).

    An estimate, deliberately generous: 256 MiB of scratch, one batch of f32 logits, and one batch of f32
    attention scores over the whole context for all heads (the worst case without flash attention).
    """
    logits = n_batch * info.n_vocab * 4
    scores = n_batch * n_ctx * info.n_head * 4
    return 256 * _MIB + logits + scores


def plan_offload(
    info: ModelInfo,
    hw: HardwareInfo,
    *,
    n_ctx: int,
    n_batch: int,
    requested: GpuLayers = "auto",
    kv_cache_type: str = "f16",
) -> OffloadPlan:
    """Decide how many layers to offload. An explicit number is honoured (clamped to the model).

    ``kv_cache_type`` sizes each layer's cache as llama.cpp will store it (a q8_0 cache lets more layers fit).
    """
    n_layer = info.n_layer
    if not hw.gpu_offload:
        why = "this llama.cpp build has no GPU backend" if hw.backend == "CPU" else "no GPU device was found"
        return OffloadPlan(0, n_layer, "CPU", why)
    if requested != "auto":
        n = max(0, min(int(requested), n_layer + 1))
        return OffloadPlan(n, n_layer, hw.backend, f"{n} layers requested")
    free = hw.gpu_free_bytes or 0
    budget = free - compute_margin(info, n_ctx, n_batch)
    kv = info.kv_bytes_per_layer(n_ctx, KV_BYTES_PER_VALUE[kv_cache_type])
    per_layer = [b + kv for b in info.layer_bytes]
    used = 0
    fitted = 0
    for need in per_layer:
        if used + need > budget:
            break
        used += need
        fitted += 1
    if fitted == n_layer and used + info.output_bytes <= budget:
        return OffloadPlan(
            n_layer + 1, n_layer, hw.backend, "the whole model fits in GPU memory", used + info.output_bytes, free
        )
    if fitted == 0:
        return OffloadPlan(
            0,
            n_layer,
            "CPU",
            f"not even one layer fits in {free / 2**30:.1f} GiB free GPU memory",
            per_layer[0] if per_layer else 0,
            free,
        )
    return OffloadPlan(
        fitted,
        n_layer,
        hw.backend,
        f"{fitted} of {n_layer} layers fit in {free / 2**30:.1f} GiB free GPU memory",
        used,
        free,
    )


def fallback_ladder(plan: OffloadPlan) -> list[int]:
    """Layer counts to try in order after ``plan`` fails: half, a quarter, then the CPU."""
    steps: list[int] = []
    n = plan.n_gpu_layers
    while n > 1:
        n //= 2
        if n and n not in steps:
            steps.append(n)
        if len(steps) == 2:
            break
    steps.append(0)
    return [s for s in steps if s < plan.n_gpu_layers]
