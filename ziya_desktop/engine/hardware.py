"""What this machine offers llama.cpp: GPU backend and devices with free memory, CPU cores and features, RAM."""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import llama_cpp

log = logging.getLogger(__name__)

# ggml_backend_dev_type
_DEV_TYPES = {0: "cpu", 1: "gpu", 2: "igpu", 3: "accel"}


@dataclass(frozen=True)
class GpuDevice:
    name: str
    description: str
    kind: str
    free_bytes: int
    total_bytes: int


@dataclass(frozen=True)
class HardwareInfo:
    gpu_offload: bool
    backend: str  # "CUDA", "Metal", "Vulkan", "ROCm", "SYCL" or "CPU"
    gpus: tuple[GpuDevice, ...]
    physical_cores: int
    logical_cpus: int
    total_ram: int
    available_ram: int
    cpu_features: frozenset[str]
    system_info: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def has_amx(self) -> bool:
        return "AMX_INT8" in self.cpu_features

    @property
    def gpu_free_bytes(self) -> int | None:
        if not self.gpus:
            return None
        return max(g.free_bytes for g in self.gpus)


def physical_cores() -> int:
    """Physical cores available to this process (hyper-threads slow token generation down, so never more)."""
    try:
        allowed = sorted(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        allowed = list(range(os.cpu_count() or 1))
    cores: set[tuple[str, str]] = set()
    for cpu in allowed:
        topo = Path(f"/sys/devices/system/cpu/cpu{cpu}/topology")
        try:
            cores.add(((topo / "physical_package_id").read_text().strip(), (topo / "core_id").read_text().strip()))
        except OSError:
            return _fallback_cores(len(allowed))
    return max(1, len(cores))


def _fallback_cores(logical: int) -> int:
    # Without sysfs topology assume two threads per core on machines with many threads, as is typical.
    return max(1, logical // 2 if logical >= 8 else logical)


def _meminfo() -> tuple[int, int]:
    try:
        fields = dict(
            (line.split(":")[0], int(line.split()[1]) * 1024)
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.split()[1:2] and line.split()[1].isdigit()
        )
        return fields.get("MemTotal", 0), fields.get("MemAvailable", fields.get("MemFree", 0))
    except OSError:
        pages = os.sysconf("SC_PHYS_PAGES") if hasattr(os, "sysconf") else 0
        total = pages * os.sysconf("SC_PAGE_SIZE") if pages else 0
        return total, total // 2


def _ggml_devices() -> tuple[list[GpuDevice], list[str]]:
    """Enumerate ggml backend devices through libggml (llama-cpp-python does not bind these)."""
    notes: list[str] = []
    lib_dir = Path(llama_cpp.__file__).parent / "lib"
    candidates = sorted(lib_dir.glob("libggml.*")) + sorted(lib_dir.glob("ggml.dll"))
    if not candidates:
        return [], [f"no libggml in {lib_dir}: GPU memory unknown"]
    try:
        lib = ctypes.CDLL(str(candidates[0]))
    except OSError as exc:
        return [], [f"cannot open {candidates[0].name}: {exc}"]
    lib.ggml_backend_dev_count.restype = ctypes.c_size_t
    lib.ggml_backend_dev_get.restype = ctypes.c_void_p
    lib.ggml_backend_dev_get.argtypes = [ctypes.c_size_t]
    for fn in ("ggml_backend_dev_name", "ggml_backend_dev_description"):
        getattr(lib, fn).restype = ctypes.c_char_p
        getattr(lib, fn).argtypes = [ctypes.c_void_p]
    lib.ggml_backend_dev_type.restype = ctypes.c_int
    lib.ggml_backend_dev_type.argtypes = [ctypes.c_void_p]
    lib.ggml_backend_dev_memory.argtypes = [
        ctypes.c_void_p,
        ctypes.POINTER(ctypes.c_size_t),
        ctypes.POINTER(ctypes.c_size_t),
    ]
    devices: list[GpuDevice] = []
    for i in range(lib.ggml_backend_dev_count()):
        dev = lib.ggml_backend_dev_get(i)
        kind = _DEV_TYPES.get(lib.ggml_backend_dev_type(dev), "other")
        if kind == "cpu":
            continue
        free, total = ctypes.c_size_t(0), ctypes.c_size_t(0)
        lib.ggml_backend_dev_memory(dev, ctypes.byref(free), ctypes.byref(total))
        devices.append(
            GpuDevice(
                name=(lib.ggml_backend_dev_name(dev) or b"?").decode(errors="replace"),
                description=(lib.ggml_backend_dev_description(dev) or b"").decode(errors="replace"),
                kind=kind,
                free_bytes=int(free.value),
                total_bytes=int(total.value),
            )
        )
    return devices, notes


def _backend_name(system_info: str, devices: list[GpuDevice]) -> str:
    for name in ("CUDA", "Metal", "MTL", "Vulkan", "ROCm", "HIP", "SYCL"):
        if re.search(rf"\b{name}\b", system_info) or any(d.name.upper().startswith(name.upper()) for d in devices):
            return {"MTL": "Metal", "HIP": "ROCm"}.get(name, name)
    return "CPU"


@functools.lru_cache(maxsize=1)
def probe() -> HardwareInfo:
    """Probe once per process (device enumeration initialises the GPU driver, which takes time)."""
    from ziya_desktop.engine.llama_api import ensure_backend

    ensure_backend()
    system_info = (llama_cpp.llama_print_system_info() or b"").decode(errors="replace")
    features = frozenset(m.group(1) for m in re.finditer(r"(\w+) = 1", system_info))
    offload = bool(llama_cpp.llama_supports_gpu_offload())
    devices, notes = _ggml_devices() if offload else ([], [])
    total, available = _meminfo()
    logical = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    info = HardwareInfo(
        gpu_offload=offload and bool(devices),
        backend=_backend_name(system_info, devices) if offload else "CPU",
        gpus=tuple(devices),
        physical_cores=physical_cores(),
        logical_cpus=logical,
        total_ram=total,
        available_ram=available,
        cpu_features=features,
        system_info=system_info.strip(),
        notes=tuple(notes),
    )
    log.info("hardware: %s", info)
    return info
