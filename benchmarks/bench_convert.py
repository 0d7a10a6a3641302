"""Conversion: MB/s and peak RSS of ``ziya-convert`` on a real-width fp32 ``.bin`` checkpoint, against a file copy.

    python -m benchmarks.bench_convert [--layers 2] [--outtype f16] [--json]

The checkpoint has Ziya-13B's width (hidden 5120, ffn 13824, 40 heads) and 2–4 layers of random fp32 weights in
zip-format torch shards (one per layer plus one for the embeddings), written without torch. It uses the tiny test
checkpoint's tokenizer, so its vocabulary (and so the embedding and output matrices) has that tokenizer's size
rather than 39424: the layers, which are 40 of the 13B's 41 parts by size, are at full width.

The baseline, in the same run, does the I/O a conversion cannot avoid: it reads every shard and writes as many
bytes as the conversion wrote (fsynced, as ziya-convert fsyncs its output). Before each timed phase everything is
synced and the page cache dropped (``echo 3 > /proc/sys/vm/drop_caches`` where permitted, as root; otherwise
``posix_fadvise(DONTNEED)`` on every input file, which drops their clean pages), so both read the checkpoint from
the disk; how much of the input was still cached when each phase started is measured (``mincore``) and reported.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import mmap
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

from ziya_desktop.bench import MB, Figure, figure, figures_json, format_table, peak_rss_bytes

HIDDEN = 5120
FFN = 13824
HEADS = 40
TINY_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "tiny_ziya"
TOKENIZER_FILES = ("tokenizer.model", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json")


# A protocol-2 pickle shaped like torch.save's data.pkl, assembled by hand (torch is not a dependency).
def _global(module: str, name: str) -> bytes:
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def _str(s: str) -> bytes:
    raw = s.encode()
    return b"X" + struct.pack("<I", len(raw)) + raw


def _int(i: int) -> bytes:
    return b"J" + struct.pack("<i", i)


def _tuple(*items: bytes) -> bytes:
    return b"(" + b"".join(items) + b"t"


def _tensor(key: str, shape: tuple[int, ...]) -> bytes:
    numel = int(np.prod(shape))
    stride = tuple(int(np.prod(shape[i + 1 :])) for i in range(len(shape)))
    pid = _tuple(_str("storage"), _global("torch", "FloatStorage"), _str(key), _str("cpu"), _int(numel))
    args = _tuple(
        pid + b"Q",
        _int(0),
        _tuple(*(_int(d) for d in shape)),
        _tuple(*(_int(s) for s in stride)),
        b"\x89",
        _global("collections", "OrderedDict") + b")R",
    )
    return _global("torch._utils", "_rebuild_tensor_v2") + args + b"R"


def _random_f32(n: int, rng: np.random.Generator) -> np.ndarray:
    # Random bits with the exponent pinned to [2^-7, 2^-6): finite, small, and far faster than a normal draw.
    bits = rng.integers(0, 1 << 32, size=n, dtype=np.uint32)
    return ((bits & np.uint32(0x807FFFFF)) | np.uint32(0x3C000000)).view(np.float32)


def _write_shard(path: Path, tensors: dict[str, tuple[int, ...]], rng: np.random.Generator) -> None:
    body = b"".join(_str(name) + _tensor(str(i), shape) for i, (name, shape) in enumerate(tensors.items()))
    pickle = b"\x80\x02" + _global("collections", "OrderedDict") + b")R(" + body + b"u."
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        zf.writestr("archive/data.pkl", pickle)
        for i, shape in enumerate(tensors.values()):
            n = int(np.prod(shape))
            with zf.open(f"archive/data/{i}", "w", force_zip64=True) as out:
                for start in range(0, n, 1 << 24):  # 64 MB at a time keeps the writer's memory flat
                    out.write(_random_f32(min(1 << 24, n - start), rng).tobytes())
        zf.writestr("archive/version", b"3\n")


def write_checkpoint(
    folder: Path, n_layers: int, *, seed: int = 0, hidden: int = HIDDEN, ffn: int = FFN, heads: int = HEADS
) -> int:
    """Write the checkpoint folder (Ziya-13B's width unless ``hidden``/``ffn``/``heads`` say otherwise); returns the
    bytes of its weights.

    Raises:
        OSError: a file could not be written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    config = json.loads((TINY_DIR / "config.json").read_text(encoding="utf-8"))
    vocab = int(config["vocab_size"])
    config.update(hidden_size=hidden, intermediate_size=ffn, num_attention_heads=heads, num_key_value_heads=heads)
    config["num_hidden_layers"] = n_layers
    (folder / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    for name in TOKENIZER_FILES:
        shutil.copy(TINY_DIR / name, folder / name)
    rng = np.random.default_rng(seed)
    shards: list[dict[str, tuple[int, ...]]] = [
        {
            "model.embed_tokens.weight": (vocab, hidden),
            "model.norm.weight": (hidden,),
            "lm_head.weight": (vocab, hidden),
        }
    ]
    for i in range(n_layers):
        p = f"model.layers.{i}."
        layer: dict[str, tuple[int, ...]] = {p + f"self_attn.{x}_proj.weight": (hidden, hidden) for x in "qkvo"}
        layer |= {p + "mlp.gate_proj.weight": (ffn, hidden), p + "mlp.up_proj.weight": (ffn, hidden)}
        layer |= {p + "mlp.down_proj.weight": (hidden, ffn)}
        layer |= {p + "input_layernorm.weight": (hidden,), p + "post_attention_layernorm.weight": (hidden,)}
        shards.append(layer)
    weight_map: dict[str, str] = {}
    total = 0
    for k, tensors in enumerate(shards):
        name = f"pytorch_model-{k + 1:05d}-of-{len(shards):05d}.bin"
        _write_shard(folder / name, tensors, rng)
        weight_map |= dict.fromkeys(tensors, name)
        total += sum(int(np.prod(s)) * 4 for s in tensors.values())
    index = {"metadata": {"total_size": total}, "weight_map": weight_map}
    (folder / "pytorch_model.bin.index.json").write_text(json.dumps(index), encoding="utf-8")
    return total


def _child(convert_args: list[str]) -> int:
    """Runs in the measured process: ziya-convert's own entry point, then this process's peak RSS on stdout.

    The child reports its own VmHWM because ``ru_maxrss`` of a forked child starts from the parent's resident size.
    """
    from converters.cli import main as convert_main

    status = convert_main(convert_args)
    sys.stdout.write(json.dumps({"status": status, "peak_rss": peak_rss_bytes()}) + "\n")
    return int(status or 0)


def _run_measured(convert_args: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of ziya-convert in a fresh process.

    Raises:
        RuntimeError: the conversion failed.
    """
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_convert", "--child", *convert_args],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"ziya-convert failed ({proc.returncode}): {proc.stderr[-2000:]}")
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    return seconds, int(report["peak_rss"])


def drop_page_cache(files: list[Path], how: str = "auto") -> str:
    """Sync, then drop the page cache (``how``: "auto" tries drop_caches first, "fadvise" only advises ``files``
    out). Returns the method used: "drop_caches" or "fadvise"."""
    os.sync()
    if how == "auto":
        try:
            Path("/proc/sys/vm/drop_caches").write_text("3\n")
            return "drop_caches"
        except OSError:
            pass
    for path in files:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    return "fadvise"


def cached_fraction(files: list[Path]) -> float:
    """The share of the files' pages in the page cache now (``mincore`` over a mapping that touches nothing)."""
    libc = ctypes.CDLL(None, use_errno=True)
    page = mmap.PAGESIZE
    cached = total = 0
    for path in files:
        size = path.stat().st_size
        if not size:
            continue
        with path.open("rb") as f, mmap.mmap(f.fileno(), size, access=mmap.ACCESS_COPY) as mapped:
            pages = (size + page - 1) // page
            vec = (ctypes.c_ubyte * pages)()
            address = ctypes.addressof(ctypes.c_char.from_buffer(mapped))
            if libc.mincore(ctypes.c_void_p(address), ctypes.c_size_t(size), vec) != 0:
                raise OSError(ctypes.get_errno(), "mincore failed")
            cached += sum(v & 1 for v in vec)
            total += pages
    return cached / total if total else 0.0


def read_write_baseline(inputs: list[Path], out: Path, out_bytes: int) -> float:
    """Seconds to read every input and write ``out_bytes`` to ``out`` (fsynced): the conversion's unavoidable I/O."""
    in_bytes = sum(p.stat().st_size for p in inputs)
    written = 0
    start = time.perf_counter()
    with out.open("wb") as dst:
        read = 0
        for path in inputs:
            with path.open("rb") as src:
                while chunk := src.read(8 << 20):
                    read += len(chunk)
                    due = min(out_bytes, out_bytes * read // in_bytes) - written
                    dst.write(chunk[:due] if due <= len(chunk) else chunk + bytes(due - len(chunk)))
                    written += due
        dst.flush()
        os.fsync(dst.fileno())
    return time.perf_counter() - start


def measure_convert(
    n_layers: int = 2, outtype: str = "f16", work: Path | None = None, *, hidden: int = HIDDEN, ffn: int = FFN,
    cache: str = "auto",
) -> list[Figure]:  # fmt: skip
    """Write the checkpoint, convert it, then the read-and-write baseline; everything under a temporary folder.

    ``hidden`` and ``ffn`` shrink the width for a smoke test (40 heads need ``hidden`` divisible by 40 * 2);
    ``cache`` is how the page cache is dropped before each phase (see :func:`drop_page_cache`).

    Raises:
        RuntimeError: the conversion failed.
    """
    with tempfile.TemporaryDirectory(prefix="ziya-bench-convert-", dir=work) as tmp:
        root = Path(tmp)
        ckpt = root / "checkpoint"
        written = time.perf_counter()
        total = write_checkpoint(ckpt, n_layers, hidden=hidden, ffn=ffn)
        written = time.perf_counter() - written
        inputs = sorted(ckpt.iterdir())
        out = root / "out.gguf"
        method = drop_page_cache(inputs, cache)
        cached_convert = cached_fraction(inputs)
        start = time.perf_counter()
        _, peak = _run_measured([str(ckpt), "--outfile", str(out), "--outtype", outtype, "--quiet"])
        os.sync()
        convert_s = time.perf_counter() - start
        out_bytes = out.stat().st_size
        out.unlink()
        drop_page_cache(inputs, cache)
        cached_copy = cached_fraction(inputs)
        io_s = read_write_baseline(inputs, root / "baseline.bin", out_bytes)
    return _convert_figures(
        n_layers, outtype, hidden, ffn, total, written, convert_s, io_s, peak, out_bytes, method,
        (cached_convert, cached_copy),
    )  # fmt: skip


def _convert_figures(
    n_layers: int, outtype: str, hidden: int, ffn: int, total: int, written: float, convert_s: float, io_s: float,
    peak: int, out_bytes: int, method: str, cached: tuple[float, float],
) -> list[Figure]:  # fmt: skip
    width = "real-width" if (hidden, ffn) == (HIDDEN, FFN) else f"{hidden}-wide"
    g = f"conversion, {n_layers} {width} layers, fp32 .bin → {outtype}"
    largest = hidden * ffn * 4
    limit = (1.5 * largest) / MB + 300
    ratio = io_s / convert_s
    return [
        figure(g, "checkpoint weights", total / MB, "MB"),
        figure(g, "output written", out_bytes / MB, "MB"),
        figure(g, "writing the synthetic checkpoint", written, "s"),
        figure(g, f"page cache dropped with {method}: input cached before converting", cached[0], "share"),
        figure(g, f"page cache dropped with {method}: input cached before the baseline", cached[1], "share"),
        figure(g, "read the input + write the output's size (fsynced)", total / MB / io_s, "MB/s"),
        figure(g, "ziya-convert (input MB per second, fsynced)", total / MB / convert_s, "MB/s"),
        figure(g, "convert / read-and-write throughput", ratio, "ratio", ">= 0.5", ratio >= 0.5),
        figure(g, "largest tensor", largest / MB, "MB"),
        figure(g, "ziya-convert peak RSS", peak / MB, "MB", f"<= {limit:.0f}", peak / MB <= limit),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--layers", type=int, default=2, choices=(1, 2, 3, 4))
    parser.add_argument("--outtype", default="f16")
    parser.add_argument("--cache", choices=("auto", "fadvise"), default="auto", help="how to drop the page cache")
    parser.add_argument("--json", action="store_true")
    raw = sys.argv[1:] if argv is None else argv
    if raw[:1] == ["--child"]:
        return _child(raw[1:])  # the rest is ziya-convert's command line, untouched
    args = parser.parse_args(raw)
    figures = measure_convert(args.layers, args.outtype, cache=args.cache)
    print(figures_json(figures) if args.json else format_table(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
