"""Quantize a GGUF with llama.cpp's own quantizer (the same code as llama.cpp's ``llama-quantize``).

llama.cpp's quantizer has no cancel hook and runs for minutes on a 13B model, so it runs in a child process
(``python -m converters.quantize``): a cancel, or a signal to the converter, kills the child at once and the partial
output is removed, instead of waiting for the quantizer to finish. On Linux the child also dies with its parent.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from converters.errors import ConversionCancelled, QuantizeError

# llama.cpp's enum llama_ftype.
LLAMA_FTYPES: dict[str, int] = {
    "q8_0": 7,
    "q4_k_m": 15,
    "q5_k_m": 17,
    "q6_k": 18,
}
# How often the parent looks at ``cancel`` while the child quantizes.
POLL_S = 0.1
# The tail of the child's log kept for an error message.
LOG_TAIL_CHARS = 600
_PR_SET_PDEATHSIG = 1


def quantize(
    source: Path,
    target: Path,
    outtype: str,
    *,
    threads: int | None = None,
    cancel: threading.Event | None = None,
) -> None:
    """Quantize ``source`` (F16/F32 GGUF) into ``target``, in a child process.

    K-quants need no importance matrix. ``threads`` None lets llama.cpp use every hardware thread, which suits
    quantization (compute-bound, unlike token generation).

    Raises:
        QuantizeError: llama.cpp reported a failure, or the child process died (the message has its last words).
        ConversionCancelled: ``cancel`` was set; the child was killed and ``target`` removed.
    """
    if outtype not in LLAMA_FTYPES:
        raise QuantizeError(f"cannot quantize to '{outtype}'; choose one of {', '.join(LLAMA_FTYPES)}")
    target = Path(target)
    command = [sys.executable, "-m", "converters.quantize", str(source), str(target), outtype, str(threads or 0)]
    command.append(str(os.getpid()))
    with tempfile.TemporaryFile() as log:
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        try:
            rc = _wait(child, cancel)
        except BaseException:
            # A cancel, or a signal handler's exception in the converter: the child must not outlive the request.
            _kill(child)
            target.unlink(missing_ok=True)
            raise
        if rc != 0:
            target.unlink(missing_ok=True)
            log.seek(0)
            words = log.read().decode("utf-8", "replace").strip()[-LOG_TAIL_CHARS:]
            how = f"code {rc}" if rc > 0 else f"the quantizer was killed by {_signal_name(-rc)}"
            raise QuantizeError(
                f"llama.cpp could not quantize {Path(source).name} to {outtype.upper()} ({how})"
                + (f": {words}" if words else "")
            )


def _wait(child: subprocess.Popen[bytes], cancel: threading.Event | None) -> int:
    while True:
        try:
            return child.wait(timeout=POLL_S)
        except subprocess.TimeoutExpired:
            if cancel is not None and cancel.is_set():
                raise ConversionCancelled("conversion cancelled") from None


def _kill(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.kill()
    child.wait()


def _signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def _die_with_parent(parent: int) -> None:
    """Linux: have the kernel kill this process when the parent dies (a SIGKILL leaves no orphan quantizing)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
        # Not fatal: a cancel still kills this process; only a killed parent would leave it running to the end.
        print(f"quantizer: prctl(PR_SET_PDEATHSIG) failed: {os.strerror(ctypes.get_errno())}", file=sys.stderr)
    if os.getppid() != parent:  # the parent died before the request took effect
        raise SystemExit(3)


def _quantize_here(source: Path, target: Path, outtype: str, threads: int) -> int:
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = LLAMA_FTYPES[outtype]
    params.nthread = threads
    return int(llama_cpp.llama_model_quantize(str(source).encode(), str(target).encode(), ctypes.byref(params)))


def main(argv: list[str] | None = None) -> int:
    """The child: ``SOURCE TARGET OUTTYPE THREADS PARENT_PID``; exits with llama.cpp's return code."""
    source, target, outtype, threads, parent = argv if argv is not None else sys.argv[1:]
    _die_with_parent(int(parent))
    return _quantize_here(Path(source), Path(target), outtype, int(threads))


if __name__ == "__main__":
    sys.exit(main())
