"""Which file type this machine runs, and how: fully on the GPU, split between GPU and CPU, on the CPU, or not at all.

The arithmetic is the engine's own (:func:`ziya_desktop.engine.offload.plan_offload`): each layer's weights plus its
f16 KV cache for ``n_ctx``, after a compute-buffer margin. For a local GGUF the bytes per layer come from its header;
for a catalog entry (not converted yet) they are estimated from the file size and Ziya-13B's geometry: the token
embedding and the output layer take their share of the parameters, the rest is split evenly over the layers.

Whatever runs on the CPU (every layer in the CPU case, the rest of the model when partly offloaded) must fit in RAM
with room left for the system and the app: :func:`ram_budget`.

:func:`recommend` picks the best quality that runs entirely on the GPU; when nothing does, it picks the catalog's
recommended file type (Q4_K_M): layers on the CPU are memory-bandwidth bound, so a smaller file is faster there, and
Q4_K_M is the smallest file that keeps the quality (Q4_0 is never recommended).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ziya_desktop.engine.hardware import HardwareInfo
from ziya_desktop.engine.model_info import ModelInfo, inspect_model
from ziya_desktop.engine.offload import compute_margin, plan_offload
from ziya_desktop.errors import ZiyaError
from ziya_desktop.models.catalog import AVOIDED_OUTTYPES, CatalogFile
from ziya_desktop.models.library import LocalModel

Verdict = Literal["fits_gpu", "partial", "cpu", "too_big"]

# Ziya-Writing-LLaMa-13B-v1 (ZIYA_MODEL.md): used to estimate a catalog file's layout before it exists.
ZIYA_N_EMBD = 5120
ZIYA_N_HEAD = 40
ZIYA_N_FF = 13824
ZIYA_N_VOCAB = 39424
GPU_BATCH = 512
CPU_BATCH = 256
# Kept free for the operating system, the app and the page cache: at least 2 GiB, or a tenth of the RAM.
RAM_RESERVE_MIN = 2 << 30
RAM_RESERVE_FRACTION = 0.10
RECOMMENDED_OUTTYPE = "q4_k_m"
_GB = 1e9


@dataclass(frozen=True)
class FitVerdict:
    """How one file runs on one machine.

    ``needed_bytes`` is all the memory it needs (weights, KV cache for ``n_ctx``, compute buffers), wherever it
    lives; ``gpu_bytes`` and ``ram_bytes`` split it between GPU and RAM. ``gpu_layers`` is what the engine would
    offload (``n_layer + 1`` means every layer and the output layer). ``note`` is one English sentence for a
    tooltip or log; the UI builds its own translated text from the fields.
    """

    outtype: str
    verdict: Verdict
    gpu_layers: int
    n_layer: int
    needed_bytes: int
    note: str
    size_bytes: int = 0
    gpu_bytes: int = 0
    ram_bytes: int = 0

    @property
    def runs(self) -> bool:
        return self.verdict != "too_big"


def ram_budget(hardware: HardwareInfo) -> int:
    """Bytes of RAM a model may use: the total less a reserve for the system and the app."""
    reserve = max(RAM_RESERVE_MIN, int(hardware.total_ram * RAM_RESERVE_FRACTION))
    return max(0, hardware.total_ram - reserve)


def estimated_info(outtype: str, size_bytes: int, *, n_layer: int, n_ctx: int) -> ModelInfo:
    """A :class:`ModelInfo` for a file that does not exist yet, laid out like Ziya-13B at ``size_bytes``."""
    layer_params = 4 * ZIYA_N_EMBD * ZIYA_N_EMBD + 3 * ZIYA_N_EMBD * ZIYA_N_FF
    table_params = ZIYA_N_VOCAB * ZIYA_N_EMBD
    total_params = n_layer * layer_params + 2 * table_params
    table_bytes = size_bytes * table_params // total_params
    per_layer = (size_bytes - 2 * table_bytes) // n_layer
    return ModelInfo(
        path=Path(f"{outtype}.gguf"),
        name=f"estimate for {outtype}",
        architecture="llama",
        file_type=outtype.upper(),
        n_layer=n_layer,
        n_embd=ZIYA_N_EMBD,
        n_head=ZIYA_N_HEAD,
        n_head_kv=ZIYA_N_HEAD,
        n_ff=ZIYA_N_FF,
        n_ctx_train=n_ctx,
        n_vocab=ZIYA_N_VOCAB,
        file_size=size_bytes,
        layer_bytes=(per_layer,) * n_layer,
        output_bytes=table_bytes,
        embedding_bytes=table_bytes,
    )


def assess(
    files: Sequence[CatalogFile] | Sequence[LocalModel],
    hardware: HardwareInfo,
    *,
    n_ctx: int = 2048,
    n_layer: int = 40,
) -> list[FitVerdict]:
    """One verdict per file, in the given order.

    Args:
        files: catalog entries (estimated from their size with ``n_layer`` layers) or local models (measured from
            their GGUF header; a file whose header cannot be read is estimated from its size).
        hardware: the machine (:func:`ziya_desktop.engine.hardware.probe`, or a hand-built one in tests).
        n_ctx: the context window the model will be loaded with.
        n_layer: layers of a catalog model (Ziya-13B has 40).
    """
    return [_assess_one(_info_for(f, n_layer=n_layer, n_ctx=n_ctx), hardware, n_ctx) for f in files]


def recommend(
    files: Sequence[CatalogFile] | Sequence[LocalModel],
    hardware: HardwareInfo,
    *,
    n_ctx: int = 2048,
    n_layer: int = 40,
) -> FitVerdict:
    """The file this machine should use (see the module docstring for the rule); never Q4_0.

    When nothing runs, the verdict of the smallest file is returned (``verdict == "too_big"``), so the UI can say
    how much memory is missing.

    Raises:
        ValueError: ``files`` is empty, or holds nothing but Q4_0.
    """
    verdicts = [v for v in assess(files, hardware, n_ctx=n_ctx, n_layer=n_layer) if v.outtype not in AVOIDED_OUTTYPES]
    if not verdicts:
        raise ValueError("no file to recommend from")
    on_gpu = [v for v in verdicts if v.verdict == "fits_gpu"]
    if on_gpu:
        return max(on_gpu, key=lambda v: v.size_bytes)
    runs = [v for v in verdicts if v.runs]
    if runs:
        preferred = [v for v in runs if v.outtype == RECOMMENDED_OUTTYPE]
        return preferred[0] if preferred else min(runs, key=lambda v: v.size_bytes)
    return min(verdicts, key=lambda v: v.size_bytes)


def _info_for(item: CatalogFile | LocalModel, *, n_layer: int, n_ctx: int) -> ModelInfo:
    if isinstance(item, CatalogFile):
        return estimated_info(item.outtype, item.size_bytes, n_layer=n_layer, n_ctx=n_ctx)
    try:
        return inspect_model(item.path)
    except ZiyaError:
        # Unreadable now (moved, damaged): its size still tells roughly what it would need.
        layers = item.n_layer if item.n_layer > 0 else n_layer
        return estimated_info(item.file_type.lower(), item.size_bytes, n_layer=layers, n_ctx=n_ctx)


def _assess_one(info: ModelInfo, hw: HardwareInfo, n_ctx: int) -> FitVerdict:
    outtype = info.file_type.lower()
    n_layer = info.n_layer
    kv_layer = info.kv_bytes_per_layer(n_ctx)
    budget = ram_budget(hw)
    cpu_all = info.file_size + n_layer * kv_layer + compute_margin(info, n_ctx, CPU_BATCH)
    plan = plan_offload(info, hw, n_ctx=n_ctx, n_batch=GPU_BATCH)

    def verdict(kind: Verdict, gpu_layers: int, gpu: int, ram: int, note: str) -> FitVerdict:
        return FitVerdict(outtype, kind, gpu_layers, n_layer, gpu + ram, note, info.file_size, gpu, ram)

    if plan.n_gpu_layers == n_layer + 1:
        gpu = plan.vram_needed + compute_margin(info, n_ctx, GPU_BATCH)
        # The token embedding stays in RAM even when every layer is offloaded.
        ram = info.embedding_bytes
        return verdict("fits_gpu", plan.n_gpu_layers, gpu, ram, f"runs entirely on the {plan.backend} GPU")
    if plan.n_gpu_layers > 0:
        k = plan.n_gpu_layers
        gpu = plan.vram_needed + compute_margin(info, n_ctx, GPU_BATCH)
        ram = info.file_size - sum(info.layer_bytes[:k]) + (n_layer - k) * kv_layer
        ram += compute_margin(info, n_ctx, CPU_BATCH)
        if ram <= budget:
            return verdict("partial", k, gpu, ram, f"{k} of {n_layer} layers on the GPU, the rest on the CPU")
        return verdict(
            "too_big", k, gpu, ram, f"with {k} layers on the GPU the rest needs {_gb(ram)} of RAM; {_gb(budget)} usable"
        )
    if cpu_all <= budget:
        why = "no GPU to offload to" if not hw.gpu_offload else "not even one layer fits in GPU memory"
        return verdict("cpu", 0, 0, cpu_all, f"runs on the CPU ({why})")
    return verdict("too_big", 0, 0, cpu_all, f"needs {_gb(cpu_all)} of RAM, but only {_gb(budget)} is usable")


def _gb(n: int) -> str:
    return f"{n / _GB:.1f} GB"
