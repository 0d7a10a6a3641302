"""Write a GGUF with Ziya-13B's width and a chosen number of layers, random weights, Q4_K throughout.

    python -m benchmarks.make_synthetic OUT.gguf [--layers 2] [--seed 0]

Decode speed and memory depend on the shapes and the bytes read per token, not on what the weights mean, so a
real-width model with 2–4 layers measures per-layer cost at true scale and extrapolates to the 13B's 40 layers.
Weights are random Q4_K blocks written as raw bytes (no float tensor is ever materialised, so writing 1 GB takes
seconds): each block's scale and minimum are fixed so dequantised values are small and centred on zero, which keeps
activations finite. The tokenizer has Ziya's 39424 entries: specials, the 256 byte pieces, CJK characters and
synthetic word pieces, ``<human>``/``<bot>`` at 39408/39409 and 14 unused padding rows, like the real vocabulary.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import gguf
import numpy as np

HIDDEN = 5120
FFN = 13824
HEADS = 40
VOCAB = 39424
TOKENIZER_PIECES = 39408  # <human>, <bot>, then padding rows up to VOCAB
FULL_LAYERS = 40
CONTEXT = 2048

Q4_K = gguf.GGMLQuantizationType.Q4_K
_BLOCK_VALUES, _BLOCK_BYTES = gguf.GGML_QUANT_SIZES[Q4_K]  # 256 values in 144 bytes
# Q4_K dequantises to d * scale6 * q4 - dmin * min6: with dmin = 7.5 d the values are centred on zero, and d = 2e-4
# keeps them within about ±0.05, so a 5120-wide dot product stays far from overflow in any layer.
_D = np.float16(2e-4).view(np.uint16)
_DMIN = np.float16(1.5e-3).view(np.uint16)
LLAMA_FTYPE_MOSTLY_Q4_K_S = 14


@dataclass(frozen=True)
class SyntheticModel:
    path: Path
    n_layers: int
    file_bytes: int
    layer_bytes: int  # weights of one transformer block
    output_bytes: int  # the output projection (read once per token, like a layer)
    seconds: float

    def bytes_per_token(self, n_layers: int | None = None) -> int:
        """Weight bytes streamed per generated token with ``n_layers`` blocks (default: this file's)."""
        n = self.n_layers if n_layers is None else n_layers
        return n * self.layer_bytes + self.output_bytes


def _q4k_bytes(n_values: int) -> int:
    return n_values // _BLOCK_VALUES * _BLOCK_BYTES


def _random_q4k(rows: int, cols: int, rng: np.random.Generator) -> np.ndarray:
    """Raw Q4_K blocks for a (rows, cols) matrix: random 6-bit scales and 4-bit values, fixed d and dmin."""
    blocks = rows * cols // _BLOCK_VALUES
    raw = np.frombuffer(rng.bytes(blocks * _BLOCK_BYTES), dtype=np.uint8).reshape(blocks, _BLOCK_BYTES).copy()
    head = raw[:, :4].view(np.uint16)
    head[:, 0] = _D
    head[:, 1] = _DMIN
    return raw.reshape(rows, cols // _BLOCK_VALUES * _BLOCK_BYTES)


def _vocab() -> tuple[list[str], list[float], list[int]]:
    normal, unknown, control, user, unused, byte = (
        gguf.TokenType.NORMAL,
        gguf.TokenType.UNKNOWN,
        gguf.TokenType.CONTROL,
        gguf.TokenType.USER_DEFINED,
        gguf.TokenType.UNUSED,
        gguf.TokenType.BYTE,
    )
    tokens = ["<unk>", "<s>", "</s>"]
    types = [unknown, control, control]
    tokens += [f"<0x{b:02X}>" for b in range(256)]
    types += [byte] * 256
    ascii_pieces = ["▁", ":", "<", ">", "human", "bot", "▁the", "▁a"]
    tokens += ascii_pieces
    types += [normal] * len(ascii_pieces)
    cjk = 0x4E00
    while len(tokens) < TOKENIZER_PIECES and cjk <= 0x9FFF:
        tokens.append(chr(cjk))
        types.append(normal)
        cjk += 1
    word = 0
    while len(tokens) < TOKENIZER_PIECES:
        tokens.append(f"▁w{word}")
        types.append(normal)
        word += 1
    tokens += ["<human>", "<bot>"]
    types += [user, user]
    tokens += [f"[PAD{i}]" for i in range(len(tokens), VOCAB)]
    types += [unused] * (VOCAB - len(types))
    scores = [0.0 if t != normal else -float(i) for i, t in enumerate(types)]
    return tokens, scores, [int(t) for t in types]


def write_synthetic(
    path: Path, n_layers: int = 2, *, seed: int = 0, hidden: int = HIDDEN, ffn: int = FFN, heads: int = HEADS,
    context: int = CONTEXT,
) -> SyntheticModel:  # fmt: skip
    """Write the model to ``path`` (replaced if it exists) and describe it.

    Args:
        path: the GGUF file to write; its folder must exist.
        n_layers: transformer blocks (the 13B has 40).
        seed: seed of the random weights.
        hidden, ffn, heads: the width (Ziya-13B's unless a smoke test narrows it; multiples of 256 for Q4_K).
        context: the training context the file declares (what a load's context is clamped to).

    Returns:
        Sizes and timing of what was written.

    Raises:
        ValueError: ``n_layers`` is not positive.
        OSError: the file could not be written.
    """
    if n_layers < 1:
        raise ValueError("n_layers must be at least 1")
    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    arch = gguf.MODEL_ARCH.LLAMA
    writer = gguf.GGUFWriter(path, gguf.MODEL_ARCH_NAMES[arch])
    writer.add_name(f"synthetic-ziya-width-{n_layers}l")
    writer.add_file_type(LLAMA_FTYPE_MOSTLY_Q4_K_S)
    writer.add_vocab_size(VOCAB)
    writer.add_context_length(context)
    writer.add_embedding_length(hidden)
    writer.add_block_count(n_layers)
    writer.add_feed_forward_length(ffn)
    writer.add_rope_dimension_count(hidden // heads)
    writer.add_head_count(heads)
    writer.add_head_count_kv(heads)
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_rope_freq_base(10000.0)
    tokens, scores, types = _vocab()
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_unk_token_id(0)
    writer.add_pad_token_id(0)
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)

    names = gguf.TENSOR_NAMES
    t = gguf.MODEL_TENSOR
    # (name, rows, cols); cols is the contiguous dimension (GGUF lists it first).
    matrices: list[tuple[str, int, int]] = [(names[t.TOKEN_EMBD] + ".weight", VOCAB, hidden)]
    norms: list[str] = []
    for i in range(n_layers):
        for kind in (t.ATTN_Q, t.ATTN_K, t.ATTN_V, t.ATTN_OUT):
            matrices.append((names[kind].format(bid=i) + ".weight", hidden, hidden))
        matrices.append((names[t.FFN_GATE].format(bid=i) + ".weight", ffn, hidden))
        matrices.append((names[t.FFN_UP].format(bid=i) + ".weight", ffn, hidden))
        matrices.append((names[t.FFN_DOWN].format(bid=i) + ".weight", hidden, ffn))
        norms += [names[t.ATTN_NORM].format(bid=i) + ".weight", names[t.FFN_NORM].format(bid=i) + ".weight"]
    norms.append(names[t.OUTPUT_NORM] + ".weight")
    matrices.append((names[t.OUTPUT] + ".weight", VOCAB, hidden))

    u8 = np.dtype(np.uint8)
    for name, rows, cols in matrices:
        nbytes = _q4k_bytes(rows * cols)
        writer.add_tensor_info(name, (rows, nbytes // rows), u8, nbytes, raw_dtype=Q4_K)
    for name in norms:
        writer.add_tensor_info(name, (hidden,), np.dtype(np.float32), hidden * 4)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    try:
        for _, rows, cols in matrices:
            writer.write_tensor_data(_random_q4k(rows, cols, rng))
        ones = np.ones(hidden, dtype=np.float32)
        for _ in norms:
            writer.write_tensor_data(ones)
    finally:
        writer.close()
    layer = _q4k_bytes(4 * hidden * hidden + 3 * hidden * ffn) + 2 * hidden * 4
    return SyntheticModel(
        path=path,
        n_layers=n_layers,
        file_bytes=path.stat().st_size,
        layer_bytes=layer,
        output_bytes=_q4k_bytes(VOCAB * hidden) + hidden * 4,
        seconds=time.perf_counter() - start,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--context", type=int, default=CONTEXT, help="training context the file declares")
    args = parser.parse_args(argv)
    model = write_synthetic(args.out, args.layers, seed=args.seed, context=args.context)
    print(
        f"{model.path}: {model.n_layers} layers, {model.file_bytes / 1e9:.2f} GB in {model.seconds:.1f} s; "
        f"{model.bytes_per_token() / 1e9:.3f} GB of weights per token "
        f"({model.bytes_per_token(FULL_LAYERS) / 1e9:.2f} GB at {FULL_LAYERS} layers)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
