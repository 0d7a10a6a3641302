"""The packaged app's entry point: PyInstaller runs this script when the writer starts ``ziya-desktop``.

1. ``ziya-desktop -m MODULE ARGS``: the app starts helper processes as ``sys.executable -m MODULE`` (the trial load
   of a model, the converter's quantizer, the benchmarks). In the bundle ``sys.executable`` is this program, so it
   runs the module as Python would: only the app's own modules (``ziya_desktop.*``, ``converters.*``).
2. The CPU: llama.cpp in the bundle is built portably (``GGML_NATIVE=OFF``), for x86-64 with AVX2, FMA, F16C and
   BMI2. On a CPU without them the first model load would die of an illegal instruction (SIGILL) with no word; so
   before anything imports llama_cpp, ``/proc/cpuinfo`` is read, and a CPU that lacks one of them gets a message
   (on the terminal, and in a dialog when started from a menu) and exit status 4. ``ZIYA_SKIP_CPU_CHECK=1`` skips
   the check (an emulator whose flags are wrong).
3. File arguments only (the desktop entry's ``%F``: a .md or .txt opened with Ziya Desktop): the window, opening them.
4. Anything else: the command line of :mod:`ziya_desktop.cli` (no arguments: the window; ``--self-test``).
"""

from __future__ import annotations

import os
import platform
import runpy
import sys
from pathlib import Path

# What ggml's CMake enables with GGML_NATIVE=OFF on x86-64 (its llama_print_system_info says SSE3, SSSE3, AVX, AVX2,
# F16C, FMA, BMI2), by their /proc/cpuinfo names (SSE3 is "pni").
REQUIRED_CPU_FLAGS = ("pni", "ssse3", "sse4_2", "avx", "avx2", "fma", "f16c", "bmi2")
CHILD_MODULE_PREFIXES = ("ziya_desktop.", "converters.")
ENV_SKIP_CPU_CHECK = "ZIYA_SKIP_CPU_CHECK"
EXIT_CPU = 4
EXIT_USAGE = 2


def cpu_problem(cpuinfo: str | None = None, machine: str | None = None) -> str | None:
    """The message when this x86-64 CPU lacks an instruction set the bundled llama.cpp uses; else None.

    Nothing is checked on other architectures or where /proc/cpuinfo cannot be read (not Linux).
    """
    machine = (machine or platform.machine()).lower()
    if machine not in ("x86_64", "amd64"):
        return None
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
        except OSError:
            return None
    flags: set[str] = set()
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            flags = set(value.split())
            break
    if not flags:
        return None
    missing = [f for f in REQUIRED_CPU_FLAGS if f not in flags]
    if not missing:
        return None
    names = ", ".join("sse3" if f == "pni" else f for f in missing)
    return (
        "Ziya Desktop cannot run on this processor: its llama.cpp is built for x86-64 CPUs with AVX2\n"
        "(Intel Haswell of 2013 or later, AMD Excavator or Zen or later), and this CPU lacks: " + names + ".\n"
        "Build Ziya Desktop from source on this computer instead (see README.md), with llama.cpp built for it:\n"
        "  CMAKE_ARGS='-DGGML_NATIVE=ON' pip install --force-reinstall --no-cache-dir llama-cpp-python==0.3.36\n"
        "Ziya Desktop 无法在这台电脑的处理器上运行：程序内置的 llama.cpp 需要支持 AVX2 指令集的 x86-64 处理器，\n"
        "而本机处理器缺少：" + names + "。请在本机从源代码构建 Ziya Desktop（见 README.md）。"
    )


def run_module(argv: list[str]) -> int:
    """``PROGRAM -m MODULE ARGS``, as ``python -m`` runs it (the app's helper processes)."""
    module = argv[2]
    if not module.startswith(CHILD_MODULE_PREFIXES):
        print(f"ziya-desktop: -m runs only the app's own modules, not {module!r}", file=sys.stderr)
        return EXIT_USAGE
    sys.argv = [argv[0], *argv[3:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
    return 0


def _only_files(args: list[str]) -> bool:
    return bool(args) and all(not a.startswith("-") and Path(a).is_file() for a in args)


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "-m":
        return run_module(sys.argv)
    if not os.environ.get(ENV_SKIP_CPU_CHECK):
        problem = cpu_problem()
        if problem is not None:
            from ziya_desktop.qt_preflight import show_without_qt

            if sys.stderr is not None:
                print(problem, file=sys.stderr)
            if sys.stderr is None or not sys.stderr.isatty():
                show_without_qt("Ziya Desktop", problem)
            return EXIT_CPU
    if _only_files(sys.argv[1:]):
        from ziya_desktop.app import main as open_window

        return open_window()
    from ziya_desktop.cli import main as command_line

    return command_line()


if __name__ == "__main__":
    raise SystemExit(main())
