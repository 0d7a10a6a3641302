"""Quantize a GGUF with llama.cpp's own quantizer (the same code as llama.cpp's ``llama-quantize``)."""

from __future__ import annotations

import ctypes
from pathlib import Path

from converters.errors import QuantizeError

# llama.cpp's enum llama_ftype.
LLAMA_FTYPES: dict[str, int] = {
    "q8_0": 7,
    "q4_k_m": 15,
    "q5_k_m": 17,
    "q6_k": 18,
}


def quantize(source: Path, target: Path, outtype: str, *, threads: int | None = None) -> None:
    """Quantize ``source`` (F16/F32 GGUF) into ``target``.

    K-quants need no importance matrix. ``threads`` None lets llama.cpp use every hardware thread, which suits
    quantization (compute-bound, unlike token generation).

    Raises:
        QuantizeError: llama.cpp reported a failure (the message says where to look: the log).
    """
    import llama_cpp

    if outtype not in LLAMA_FTYPES:
        raise QuantizeError(f"cannot quantize to '{outtype}'; choose one of {', '.join(LLAMA_FTYPES)}")
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = LLAMA_FTYPES[outtype]
    params.nthread = threads or 0
    rc = llama_cpp.llama_model_quantize(str(source).encode(), str(target).encode(), ctypes.byref(params))
    if rc != 0:
        Path(target).unlink(missing_ok=True)
        raise QuantizeError(f"llama.cpp could not quantize {source.name} to {outtype.upper()} (code {rc})")
