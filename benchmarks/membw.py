"""The machine's memory bandwidth, measured with a numpy copy: the physical ceiling of token generation.

    python -m benchmarks.membw [--mib 256]

Generating a token reads every weight once, so tokens/s × bytes per token cannot exceed what the memory delivers.
A copy reads and writes each byte once; the figure counts both (as STREAM's copy does).
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def copy_bandwidth(mib: int = 256, repeats: int = 5) -> float:
    """Best of ``repeats`` copies of a ``mib`` MiB array, in bytes per second (read + written)."""
    src = np.ones(mib * 1024 * 1024 // 8, dtype=np.float64)
    dst = np.empty_like(src)
    np.copyto(dst, src)  # touch every page first: page faults are not bandwidth
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - start)
    return 2 * src.nbytes / best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--mib", type=int, default=256)
    args = parser.parse_args(argv)
    print(f"numpy copy: {copy_bandwidth(args.mib) / 1e9:.1f} GB/s (read + write)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
