"""What a model load will try, decided before llama.cpp is touched.

The caller's :class:`LoadOptions`, the GPU device to use, threads and context size, the offload plan, and the
llama.cpp parameters of each attempt on the way down from that plan to the CPU.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Literal, get_args

from ziya_desktop.engine.hardware import HardwareInfo
from ziya_desktop.engine.llama_api import ContextParams, ModelParams
from ziya_desktop.engine.model_info import ModelInfo
from ziya_desktop.engine.offload import GpuLayers, OffloadPlan, fallback_ladder, plan_offload

log = logging.getLogger(__name__)

# The KV cache's element type, for K and V alike. q8_0 halves the cache (about 1.6 GiB for the 13B at 2048 tokens
# in f16); llama.cpp quantizes the V cache only with flash attention, which it then switches on by itself.
KvCacheType = Literal["f16", "q8_0"]
KV_CACHE_TYPES: tuple[str, ...] = get_args(KvCacheType)


@dataclass(frozen=True)
class LoadOptions:
    gpu_layers: GpuLayers = "auto"
    n_ctx: int = 2048
    n_batch: int | None = None  # None: 512 on a GPU, 256 on the CPU (a cancel lands within one batch)
    threads: int | None = None  # None: physical cores
    flash_attn: bool | None = None  # None: llama.cpp decides per device
    # None: map the file unless layers stay on the CPU with repacked weights. llama.cpp then copies those weights
    # into its own buffers, and a mapping would keep the file's pages resident beside the copy (measured on a
    # real-width model: 1096 MB resident mapped, 658 MB read, same decode speed).
    use_mmap: bool | None = None
    gpu_device: str | None = None  # a GpuDevice.name ("CUDA1") to use alone; None: llama.cpp's default split
    kv_cache_type: KvCacheType = "f16"

    def __post_init__(self) -> None:
        """Refuse a KV cache type llama.cpp cannot use here, before anything is loaded.

        Raises:
            ValueError: ``kv_cache_type`` is not one of :data:`KV_CACHE_TYPES`, or is quantized while
                ``flash_attn`` is False (llama.cpp needs flash attention for a quantized V cache).
        """
        if self.kv_cache_type not in KV_CACHE_TYPES:
            raise ValueError(
                f"KV cache type {self.kv_cache_type!r} is not supported: choose one of {', '.join(KV_CACHE_TYPES)}"
            )
        if self.kv_cache_type != "f16" and self.flash_attn is False:
            raise ValueError(
                f"KV cache type {self.kv_cache_type} needs flash attention (llama.cpp quantizes the V cache only "
                "with it): leave flash_attn at None or set it to True"
            )


def _use_mmap(options: LoadOptions, extra_bufts: bool, n_gpu: int, n_layer: int) -> bool:
    if options.use_mmap is not None:
        return options.use_mmap
    return not extra_bufts or n_gpu > n_layer


def choose_gpu(hw: HardwareInfo, gpu_device: str | None) -> tuple[HardwareInfo, int | None]:
    """The hardware to plan against and the main GPU's index, for ``LoadOptions.gpu_device``.

    An absent device is logged and llama.cpp's default split is used instead.
    """
    if gpu_device is None:
        return hw, None
    names = [g.name for g in hw.gpus]
    if gpu_device not in names:
        log.warning("GPU %s is not present (have %s); using the default", gpu_device, names)
        return hw, None
    main_gpu = names.index(gpu_device)
    # Plan against the chosen device's free memory only.
    return replace(hw, gpus=(hw.gpus[main_gpu],)), main_gpu


@dataclass(frozen=True)
class LoadSetup:
    """What a load tries, decided before llama.cpp is touched: the offload plan and the settings of each attempt."""

    info: ModelInfo
    options: LoadOptions
    requested: OffloadPlan
    main_gpu: int | None
    threads: int
    n_ctx: int
    extra_bufts: bool

    @classmethod
    def for_model(cls, info: ModelInfo, options: LoadOptions, hw: HardwareInfo) -> LoadSetup:
        hw, main_gpu = choose_gpu(hw, options.gpu_device)
        n_ctx = min(options.n_ctx, info.n_ctx_train)
        return cls(
            info=info,
            options=options,
            requested=plan_offload(
                info,
                hw,
                n_ctx=n_ctx,
                n_batch=options.n_batch or 512,
                requested=options.gpu_layers,
                kv_cache_type=options.kv_cache_type,
            ),
            main_gpu=main_gpu,
            threads=max(1, min(options.threads or hw.physical_cores, hw.physical_cores)),
            n_ctx=n_ctx,
            # llama.cpp's AMX path crashes on quantized models on some CPUs; native builds enable it regardless.
            extra_bufts=not hw.has_amx,
        )

    @property
    def attempts(self) -> list[int]:
        """GPU layers of each attempt in order: the plan, then fewer layers down to the CPU."""
        requested = self.requested
        return [requested.n_gpu_layers, *fallback_ladder(requested)] if requested.on_gpu else [0]

    def model_params(self, n_gpu: int) -> ModelParams:
        return ModelParams(
            n_gpu_layers=n_gpu,
            use_mmap=_use_mmap(self.options, self.extra_bufts, n_gpu, self.info.n_layer),
            use_extra_bufts=self.extra_bufts,
            main_gpu=self.main_gpu if n_gpu else None,
        )

    def context_params(self, n_gpu: int) -> ContextParams:
        n_batch = self.options.n_batch or (512 if n_gpu else 256)
        return ContextParams(self.n_ctx, n_batch, self.threads, self.options.flash_attn, self.options.kv_cache_type)

    def plan_used(self, n_gpu: int, failures: list[str]) -> OffloadPlan:
        """The plan that came true when the attempt with ``n_gpu`` layers opened, after ``failures``."""
        if n_gpu == self.requested.n_gpu_layers:
            return self.requested
        backend = self.requested.backend if n_gpu else "CPU"
        return OffloadPlan(n_gpu, self.info.n_layer, backend, f"fell back after: {failures[-1]}")
