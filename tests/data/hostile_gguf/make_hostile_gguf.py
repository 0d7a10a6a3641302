"""Write the hostile GGUFs beside this script: tiny LLaMA files that each carry one defect llama.cpp aborts on.

Each file is a complete, loadable model (1 block, width 4, 264 tokens, F32) except for its one defect, so that
defect alone is what a loader meets. ``control.gguf`` has no defect. Run from the repository root with the app's
environment: ``.venv/bin/python tests/data/hostile_gguf/make_hostile_gguf.py``. Deterministic; a few KB each.

| file | defect | what llama.cpp did with it |
|---|---|---|
| duplicate-token | a token text appears twice | GGML_ASSERT(id_to_token.size() == token_to_id.size()) |
| tokenizer-bert | tokenizer model 'bert' over sentencepiece pieces | GGML_ABORT in token_to_byte |
| tokenizer-none | tokenizer model 'none' | GGML_ASSERT(type != LLAMA_VOCAB_TYPE_NONE) |
| empty-token | a token with an empty text | renamed '[EMPTY_n]' by llama.cpp, which may collide |
| one-token | a vocabulary of one token | GGML_ASSERT(special_bos_id != LLAMA_TOKEN_NULL) in tokenize |
| block-count-2e26 | llama.block_count 2**26 | GGML_ASSERT(n_layer <= LLAMA_MAX_LAYERS); 6.7 GB in the old checker |
| block-count-2e40 | llama.block_count 2**40 (as u64) | MemoryError in the old checker |
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import gguf
import numpy as np

HERE = Path(__file__).resolve().parent
N_EMBD = 4
N_HEAD = 2
N_FF = 8


def vocab() -> tuple[list[str], list[float], list[int]]:
    t = gguf.TokenType
    tokens = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)] + ["▁", "a", "b", "<human>", "<bot>"]
    types = [t.UNKNOWN, t.CONTROL, t.CONTROL] + [t.BYTE] * 256 + [t.NORMAL] * 3 + [t.USER_DEFINED] * 2
    scores = [0.0] * 259 + [-1.0, -2.0, -3.0, 0.0, 0.0]
    return tokens, scores, [int(x) for x in types]


Edit = Callable[[dict[str, object]], None]


def write(
    path: Path,
    edit: Edit | None = None,
    *,
    n_layer: int = 1,
    n_embd: int = N_EMBD,
    n_head: int = N_HEAD,
    n_ff: int = N_FF,
    file_type: int = 0,
    name: str = "hostile",
) -> None:
    """A loadable tiny LLaMA (``n_layer`` blocks of F32 tensors) with ``edit`` applied to its description.

    ``file_type`` is only the header's claim. Other tests use this writer for well-formed models of other sizes.
    """
    tokens, scores, types = vocab()
    spec: dict[str, object] = {
        "tokenizer_model": "llama",
        "tokens": tokens,
        "scores": scores,
        "types": types,
        "block_count": n_layer,
        "block_count_u64": False,
    }
    if edit is not None:
        edit(spec)
    tokens = list(spec["tokens"])  # type: ignore[call-overload]
    n_vocab = len(tokens)
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name(name)
    writer.add_vocab_size(n_vocab)  # as our converter writes it; llama.cpp then sizes a 'none' vocabulary by it
    writer.add_context_length(256)
    writer.add_embedding_length(n_embd)
    if spec["block_count_u64"]:
        writer.add_uint64("llama.block_count", int(spec["block_count"]))  # type: ignore[call-overload]
    else:
        writer.add_block_count(int(spec["block_count"]))  # type: ignore[call-overload]
    writer.add_feed_forward_length(n_ff)
    writer.add_head_count(n_head)
    writer.add_head_count_kv(n_head)
    writer.add_rope_dimension_count(n_embd // n_head)
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_file_type(file_type)
    writer.add_tokenizer_model(str(spec["tokenizer_model"]))
    writer.add_token_list(tokens)
    writer.add_token_scores(list(spec["scores"])[:n_vocab])  # type: ignore[call-overload]
    writer.add_token_types(list(spec["types"])[:n_vocab])  # type: ignore[call-overload]
    if n_vocab > 2:
        writer.add_bos_token_id(1)
        writer.add_eos_token_id(2)
    rng = np.random.default_rng(0)

    def weight(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.5).astype(np.float32)

    writer.add_tensor("token_embd.weight", weight(n_vocab, n_embd))
    writer.add_tensor("output_norm.weight", np.ones(n_embd, dtype=np.float32))
    for i in range(n_layer):
        b = f"blk.{i}."
        writer.add_tensor(b + "attn_norm.weight", np.ones(n_embd, dtype=np.float32))
        for matrix in ("attn_q", "attn_k", "attn_v", "attn_output"):
            writer.add_tensor(f"{b}{matrix}.weight", weight(n_embd, n_embd))
        writer.add_tensor(b + "ffn_norm.weight", np.ones(n_embd, dtype=np.float32))
        writer.add_tensor(b + "ffn_gate.weight", weight(n_ff, n_embd))
        writer.add_tensor(b + "ffn_up.weight", weight(n_ff, n_embd))
        writer.add_tensor(b + "ffn_down.weight", weight(n_embd, n_ff))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def _set_token(i: int, text: str) -> Edit:
    def edit(spec: dict[str, object]) -> None:
        tokens = list(spec["tokens"])  # type: ignore[call-overload]
        tokens[i] = text
        spec["tokens"] = tokens

    return edit


def _set(**values: object) -> Edit:
    return lambda spec: spec.update(values)


HOSTILE: dict[str, Edit] = {
    "duplicate-token": _set_token(261, "a"),  # "b" becomes a second "a"
    "tokenizer-bert": _set(tokenizer_model="bert"),
    "tokenizer-none": _set(tokenizer_model="none"),
    "empty-token": _set_token(261, ""),
    "one-token": _set(tokens=["<unk>"]),
    "block-count-2e26": _set(block_count=2**26),
    "block-count-2e40": _set(block_count=2**40, block_count_u64=True),
}


def main(out: Path = HERE) -> int:
    write(out / "control.gguf")
    for name, edit in HOSTILE.items():
        write(out / f"{name}.gguf", edit)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE))
