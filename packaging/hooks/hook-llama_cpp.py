"""PyInstaller hook for llama_cpp (llama-cpp-python): its llama.cpp shared libraries.

llama-cpp-python loads ``llama_cpp/lib/libllama.so`` (``.dylib``, ``.dll``) with ctypes by path, so PyInstaller's
import analysis never sees it, and pyinstaller-hooks-contrib has no hook for the package. The libraries are
collected as binaries into the same ``llama_cpp/lib`` folder, where the loader looks and where their ``$ORIGIN``
run path finds each other (libllama → libggml → libggml-base, libggml-cpu, and libggml-cuda in a CUDA build);
PyInstaller then collects what they need from the system (libgomp, and the CUDA runtime in a CUDA build).

The wheel installs every Linux library three times (``libX.so``, ``libX.so.0`` and ``libX.so.0.25.3``, copies, not
links). Only the first two are ever opened: ctypes opens ``libX.so``, the dynamic linker the soname ``libX.so.0``.
The fully versioned copy is left out, which saves about a third of the libraries' size.
"""

from __future__ import annotations

import re
from pathlib import Path

from PyInstaller.utils.hooks import get_package_paths

# libggml.so.0.25.3 when libggml.so.0 is there too: the name nothing opens.
_FULL_VERSION = re.compile(r"^(?P<soname>.+\.so\.\d+)(\.\d+)+$")
_SUFFIXES = (".so", ".dylib", ".dll", ".metal")


def llama_libraries(lib_dir: Path) -> list[Path]:
    """The files of ``lib_dir`` to ship: every shared library but the fully versioned duplicates."""
    names = {p.name for p in lib_dir.iterdir() if p.is_file()}
    keep = []
    for path in sorted(lib_dir.iterdir()):
        if not path.is_file():
            continue
        full = _FULL_VERSION.match(path.name)
        if full and full.group("soname") in names:
            continue
        if path.name.endswith(_SUFFIXES) or ".so." in path.name:
            keep.append(path)
    return keep


_, _package_dir = get_package_paths("llama_cpp")
_lib_dir = Path(_package_dir) / "lib"
if not _lib_dir.is_dir():
    raise SystemExit(f"hook-llama_cpp: no {_lib_dir}: is llama-cpp-python built and installed?")
_libraries = llama_libraries(_lib_dir)
if not any(p.name.startswith(("libllama.", "llama.")) for p in _libraries):
    raise SystemExit(f"hook-llama_cpp: no llama library in {_lib_dir}")
# libmtmd (multimodal) comes too: llama_cpp.mtmd_cpp loads it when imported, and it is 2 MB.
binaries = [(str(path), "llama_cpp/lib") for path in _libraries]
