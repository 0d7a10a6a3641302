"""Seeded mutations of a real GGUF for the hostile-file corpus: byte flips, truncations and field rewrites.

A field rewrite edits the parsed header (a metadata value, its type, a token, a tensor's shape, type or offset)
and writes the file again with :func:`serialize`, so the mutant is well-formed GGUF wherever the rewrite did not
aim to break it: that is what reaches the deeper checks, where random byte flips mostly stop at the first one.
"""

from __future__ import annotations

import random
import struct
from dataclasses import dataclass, replace
from typing import Any

from ziya_desktop.engine.gguf_check import GGUFHeader, TensorInfo

SCALAR_FORMATS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
STRING = 8
ARRAY = 9
NAN = float("nan")
INF = float("inf")


@dataclass(frozen=True)
class Entry:
    key: str
    vtype: int
    etype: int | None
    value: Any


@dataclass(frozen=True)
class Parts:
    """A GGUF taken apart: metadata entries in order, tensor infos in order, and the bytes after the header."""

    version: int
    entries: list[Entry]
    tensors: list[TensorInfo]
    alignment: int
    data: bytes


def take_apart(header: GGUFHeader, raw: bytes) -> Parts:
    entries = [Entry(k, *header.types[k], v) for k, v in header.metadata.items()]
    return Parts(header.version, entries, list(header.tensors), header.alignment, raw[header.data_offset :])


def _str(s: str) -> bytes:
    raw = s.encode("utf-8", errors="surrogatepass")
    return struct.pack("<Q", len(raw)) + raw


def _value(vtype: int, etype: int | None, value: Any) -> bytes:
    if vtype in SCALAR_FORMATS:
        return struct.pack("<" + SCALAR_FORMATS[vtype], value)
    if vtype == STRING:
        return _str(value)
    assert vtype == ARRAY and etype is not None
    head = struct.pack("<IQ", etype, len(value))
    if etype in SCALAR_FORMATS:
        return head + struct.pack(f"<{len(value)}{SCALAR_FORMATS[etype]}", *value)
    return head + b"".join(_value(etype, None, v) for v in value)


def serialize(parts: Parts) -> bytes:
    out = [b"GGUF", struct.pack("<IQQ", parts.version, len(parts.tensors), len(parts.entries))]
    for e in parts.entries:
        out += [_str(e.key), struct.pack("<I", e.vtype), _value(e.vtype, e.etype, e.value)]
    for t in parts.tensors:
        out += [_str(t.name), struct.pack("<I", len(t.shape)), struct.pack(f"<{len(t.shape)}Q", *t.shape)]
        out += [struct.pack("<IQ", t.ggml_type, t.offset)]
    head = b"".join(out)
    head += bytes(-len(head) % parts.alignment)
    return head + parts.data


# ------------------------------------------------------------------------------------------------ the mutators


def flip_bytes(raw: bytes, header_end: int, rng: random.Random) -> bytes:
    buf = bytearray(raw)
    for _ in range(rng.randint(1, 4)):
        pos = rng.randrange(header_end)
        buf[pos] ^= rng.randrange(1, 256)
    return bytes(buf)


def truncate(raw: bytes, rng: random.Random) -> bytes:
    return raw[: rng.randrange(len(raw))]


_U32 = [0, 1, 2, 3, 4, 7, 8, 255, 256, 258, 259, 1015, 1016, 1017, 2**16, 2**26, 2**31, 2**32 - 1]
_FLOATS = [0.0, -1.0, 1e-30, 1e30, NAN, INF, -INF, 1e-6, 10000.0, 0.5]
_STRINGS = ["", "llama", "bert", "none", "no_vocab", "gpt2", "t5", "rwkv", "linear", "yarn", "longrope", "x" * 300]


def _scalar_for(vtype: int, rng: random.Random) -> Any:
    if vtype == 7:
        return rng.random() < 0.5
    if vtype in (6, 12):
        return rng.choice(_FLOATS)
    if vtype == STRING:
        return rng.choice(_STRINGS)
    fmt = SCALAR_FORMATS[vtype]
    bits = struct.calcsize(fmt) * 8
    signed = fmt.islower()
    lo, hi = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)
    pool = [v for v in (*_U32, -1, -(2**31)) if lo <= v <= hi]
    return rng.choice(pool) if rng.random() < 0.8 else rng.randint(lo, hi)


def _mutate_array(e: Entry, tokens: list[str], rng: random.Random) -> Entry:
    values = list(e.value)
    if not values or rng.random() < 0.15:
        cut = rng.randrange(len(values) + 1) if values else 0
        return replace(e, value=values[:cut])
    i = rng.randrange(len(values))
    if e.etype == STRING:
        values[i] = rng.choice(
            [
                tokens[rng.randrange(len(tokens))] if tokens else "",
                "",
                "<0x41>",
                "<0xZZ>",
                "▁" + str(rng.randrange(10**6)),
                "<s>",
                "\x00",
                "x" * rng.randint(1, 5000),
            ]
        )
    elif e.etype in (6, 12):
        values[i] = rng.choice(_FLOATS)
    elif e.etype is not None:
        values[i] = _scalar_for(e.etype, rng)
    return replace(e, value=values)


_EXTRA_KEYS = [
    Entry("llama.expert_count", 4, None, 8),
    Entry("llama.expert_used_count", 4, None, 2),
    Entry("llama.rope.scaling.type", STRING, None, "longrope"),
    Entry("llama.rope.scaling.type", STRING, None, "bogus"),
    Entry("llama.attention.key_length", 4, None, 32),
    Entry("llama.attention.value_length", 4, None, 64),
    Entry("llama.nextn_predict_layers", 4, None, 5),
    Entry("llama.attention.sliding_window", 4, None, 4),
    Entry("llama.embedding_length_out", 4, None, 3),
    Entry("tokenizer.ggml.eot_token_id", 4, None, 5000),
    Entry("tokenizer.ggml.seperator_token_id", 4, None, 2**32 - 1),
    Entry("tokenizer.ggml.pre", STRING, None, "qwen2"),
    Entry("tokenizer.ggml.token_type_count", 4, None, 2**31),
    Entry("general.alignment", 4, None, 64),
    Entry("general.alignment", 10, None, 32),
    Entry("llama.rope.scaling.factor", 6, None, NAN),
    Entry("llama.rope.freq_base", 6, None, -INF),
]


def rewrite_metadata(parts: Parts, rng: random.Random) -> Parts:
    entries = list(parts.entries)
    tokens = next((list(e.value) for e in entries if e.key == "tokenizer.ggml.tokens"), [])
    kind = rng.random()
    if kind < 0.1 and entries:
        del entries[rng.randrange(len(entries))]
    elif kind < 0.22:
        entries.append(rng.choice(_EXTRA_KEYS))
    elif kind < 0.27 and entries:
        entries.append(entries[rng.randrange(len(entries))])
    elif kind < 0.4 and entries:
        i = rng.randrange(len(entries))
        e = entries[i]
        if e.vtype != ARRAY:
            vtype = rng.choice([4, 5, 6, 7, 8, 10, 11])
            entries[i] = replace(e, vtype=vtype, value=_scalar_for(vtype, rng))
    else:
        # Most rewrites aim where llama.cpp reads: the vocabulary and the hyper-parameters.
        aimed = [
            e for e in entries if e.key.startswith(("tokenizer.ggml.", "llama.")) or e.key == "general.architecture"
        ]
        e = rng.choice(aimed or entries)
        i = entries.index(e)
        entries[i] = _mutate_array(e, tokens, rng) if e.vtype == ARRAY else replace(e, value=_scalar_for(e.vtype, rng))
    return replace(parts, entries=entries)


_GGML_TYPES = [0, 1, 2, 3, 6, 7, 8, 9, 10, 12, 14, 15, 20, 24, 26, 28, 30, 34, 39, 41]


def rewrite_tensors(parts: Parts, rng: random.Random) -> Parts:
    tensors = list(parts.tensors)
    i = rng.randrange(len(tensors))
    t = tensors[i]
    kind = rng.random()
    if kind < 0.3:
        dims = list(t.shape)
        d = rng.randrange(len(dims))
        dims[d] = rng.choice([1, 2, 3, 32, 64, 128, 255, 256, 512, 1015, 1016, 1017, 2**20])
        if rng.random() < 0.2:
            dims.append(1)
        tensors[i] = replace(t, shape=tuple(dims))
    elif kind < 0.5:
        tensors[i] = replace(t, ggml_type=rng.choice(_GGML_TYPES))
    elif kind < 0.65:
        tensors[i] = replace(t, offset=max(0, t.offset + rng.choice([-64, -32, 32, 64, 1])))
    elif kind < 0.8:
        j = rng.randrange(len(tensors))
        tensors[i], tensors[j] = replace(t, name=tensors[j].name), replace(tensors[j], name=t.name)
    elif kind < 0.9:
        tensors[i] = replace(t, name=rng.choice(["blk.7.attn_q.weight", "blk.0.attn_qkv.weight", "x", "a" * 70]))
    else:
        del tensors[i]
    return replace(parts, tensors=tensors)
