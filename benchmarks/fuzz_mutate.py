"""Mutations for the reader fuzzing: byte-level havoc (AFL's operators), a token dictionary, and structure-aware
rewrites that get past the first check of a format (JSON values, TOML values, GGUF header fields, the pickle inside
a torch zip with its CRC fixed, the safetensors header with its length fixed).

Every function takes a ``random.Random`` and returns new bytes; a structural mutator returns None when its input
does not have the structure it needs (the caller then falls back to havoc).
"""

from __future__ import annotations

import io
import json
import random
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Sequence
from typing import Any

Regions = list[tuple[int, int]]
Mutator = Callable[[bytes, random.Random], bytes | None]

INTERESTING: dict[int, tuple[int, ...]] = {
    1: (0, 1, 0x7F, 0x80, 0xFF, 16, 32, 64, 100),
    2: (0, 1, 0x7FFF, 0x8000, 0xFFFF, 255, 256, 512, 1000, 1024, 4096),
    4: (0, 1, 2, 3, 9, 13, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x10000, 0xFFFF, 65536 * 64, 1 << 24),
    8: (0, 1, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 0xFFFFFFFFFFFFFFFF, 1 << 32, 1 << 40, 1 << 62, 0xFFFFFFFF),
}
# Values that stop readers written for well-behaved files: wrong types, limits, NaN, lone surrogates, paths.
HOSTILE_JSON: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    -1,
    1,
    2**31,
    2**32,
    2**63,
    -(2**63),
    2**64,
    10**30,
    1.5,
    -0.0,
    1e308,
    float("nan"),
    float("inf"),
    "",
    "x" * 5000,
    "\ud800",
    "\x00",
    "../../etc/passwd",
    "/dev/zero",
    "F32",
    "I64",
    [],
    {},
    [[[]]],
    [0, -1],
    [1, 2, 3, 4, 5],
    {"a": {}},
)
HOSTILE_TOML: tuple[str, ...] = (
    "-1",
    "0",
    "1",
    "9223372036854775807",
    "-9223372036854775808",
    "99999999999999999999999999",
    "1" * 4400,
    "inf",
    "nan",
    "-inf",
    "1e400",
    "true",
    '""',
    '"' + "长" * 3000 + '"',
    "[]",
    "{}",
    '[1, "a"]',
    "[[1], [2]]",
    "1979-05-27T07:32:00Z",
    "07:32:00",
    '"\\u0000"',
    '"../x"',
    '"""a\nb"""',
    "'literal'",
    "{ a = 1 }",
    '"q4_0"',
    '"q8_0"',
    '"a/b"',
)
# An integer of more digits than int() converts (4300 by default) is a ValueError, not a parse error, in json
# and tomllib alike.
LONG_INTEGER = b"1" * 4400
_JSON_TOKENS = (
    b"{",
    b"}",
    b"[",
    b"]",
    b'"',
    b":",
    b",",
    b"null",
    b"true",
    b"-1",
    b"1e309",
    b'"\\ud800"',
    b"\\u0000",
    LONG_INTEGER,
)
PICKLE_TOKENS = (
    b"\x80\x02",
    b"ctorch._utils\n_rebuild_tensor_v2\n",
    b"ccollections\nOrderedDict\n",
    b"cos\nsystem\n",
    b"cbuiltins\ngetattr\n",
    b"ctorch\nFloatStorage\n",
    b"R",
    b"b",
    b"Q",
    b"}",
    b"(",
    b"t",
    b"\x85",
    b"s",
    b"u",
    b"N",
    b"J\xff\xff\xff\x7f",
    b"\x8a\x08\xff\xff\xff\xff\xff\xff\xff\x7f",
    b"X\xff\xff\xff\x7f",
    b"h\x00",
    b"q\x00",
    b".",
)
FRONT_TOKENS = (b"---\n", b"layout: gongwen\n", b"template: ", b"  - ", b"issuers:\n", b'"', b"\\u00", b"\n", b": ")
TOML_TOKENS = (b"[[templates]]\n", b"[[models]]\n", b"[[models.files]]\n", b"=", b'"""', b"'''", b"\n", b"[", b"]")
GGUF_TOKENS = (b"GGUF", b"general.architecture", b"llama", b"llama.block_count", b"tokenizer.ggml.tokens")
_TOML_LINE = re.compile(rb"^([ \t]*[A-Za-z0-9_.\"-]+[ \t]*=[ \t]*)(.*)$", re.MULTILINE)


def pick_pos(rng: random.Random, size: int, regions: Regions) -> int:
    """A position inside one of ``regions`` nine times in ten (they hold a format's structure), else anywhere."""
    if regions and rng.random() < 0.9:
        start, end = rng.choice(regions)
        start, end = max(0, min(start, size)), min(end, size)
        if end > start:
            return rng.randrange(start, end)
    return rng.randrange(size) if size else 0


def havoc(data: bytes, rng: random.Random, regions: Regions, dictionary: Sequence[bytes] = ()) -> bytes:
    """One to eight stacked byte-level mutations (flips, interesting values, arithmetic, block moves, tokens)."""
    buf = bytearray(data)
    tokens = (*dictionary, *_JSON_TOKENS) if dictionary else _JSON_TOKENS
    for _ in range(rng.choice((1, 1, 2, 2, 3, 4, 6, 8))):
        if not buf:
            buf += bytes(rng.getrandbits(8) for _ in range(rng.randrange(1, 16)))
            continue
        pos = pick_pos(rng, len(buf), regions)
        op = rng.randrange(11)
        if op == 0:
            buf[pos] ^= 1 << rng.randrange(8)
        elif op == 1:
            buf[pos] = rng.getrandbits(8)
        elif op in (2, 3):
            width = rng.choice((1, 2, 4, 8))
            value = rng.choice(INTERESTING[width]) if op == 2 else _nudge(buf, pos, width, rng)
            order = "<" if rng.random() < 0.85 else ">"
            raw = value.to_bytes(width, "little" if order == "<" else "big")
            buf[pos : pos + width] = raw
        elif op == 4:
            del buf[pos : pos + rng.randrange(1, 64)]
        elif op == 5:
            src = rng.randrange(len(buf))
            buf[pos:pos] = buf[src : src + rng.randrange(1, 64)]
        elif op == 6:
            buf[pos:pos] = bytes(rng.getrandbits(8) for _ in range(rng.randrange(1, 16)))
        elif op == 7:
            buf[pos:pos] = rng.choice(tokens)
        elif op == 8:
            token = rng.choice(tokens)
            buf[pos : pos + len(token)] = token
        elif op == 9:
            del buf[pos:]
        else:
            block = bytes(buf[pos : pos + rng.randrange(1, 8)]) or b"["
            buf[pos:pos] = block * rng.choice((2, 16, 256, 4096, 30000))
    return bytes(buf)


def _nudge(buf: bytearray, pos: int, width: int, rng: random.Random) -> int:
    old = int.from_bytes(bytes(buf[pos : pos + width]).ljust(width, b"\0"), "little")
    return (old + rng.choice((-1, 1)) * rng.randrange(1, 35)) % (1 << (8 * width))


def splice(a: bytes, b: bytes, rng: random.Random) -> bytes:
    """The start of ``a`` up to a random point, then the rest of ``b`` from a random point."""
    if not a or not b:
        return a + b
    return a[: rng.randrange(len(a))] + b[rng.randrange(len(b)) :]


# -- JSON and TOML values ------------------------------------------------------------------------------------------


def _json_slots(node: Any, out: list[tuple[Any, Any]], limit: int = 20_000) -> None:
    stack = [node]
    while stack and len(out) < limit:
        current = stack.pop()
        keys: Sequence[Any] = list(current) if isinstance(current, dict) else range(len(current))
        for key in keys:
            out.append((current, key))
            child = current[key]
            if isinstance(child, dict | list) and child:
                stack.append(child)


def mutate_json_object(body: Any, rng: random.Random) -> Any:
    """Rewrite one place of a parsed JSON document: a hostile value, a dropped or unknown key, a type change."""
    slots: list[tuple[Any, Any]] = []
    if isinstance(body, dict | list) and body:
        _json_slots(body, slots)
    if not slots:
        return rng.choice(HOSTILE_JSON)
    parent, key = rng.choice(slots)
    op = rng.randrange(7)
    if op == 6:  # a value from elsewhere in the same document: plausible types, wrong places
        donor, donor_key = rng.choice(slots)
        parent[key] = json.loads(json.dumps(donor[donor_key]))
    elif op <= 2:
        parent[key] = rng.choice(HOSTILE_JSON)
    elif op == 3 and isinstance(parent, dict):
        del parent[key]
    elif op == 3:
        parent.pop(key)
    elif op == 4 and isinstance(parent, dict):
        parent[rng.choice(("unknown", "", "\x00", str(key) + "_x", "__proto__"))] = parent[key]
    elif op == 4:
        parent.extend([parent[key]] * rng.choice((1, 100, 5000)))
    else:
        parent[key] = [parent[key]] if rng.random() < 0.5 else {"value": parent[key]}
    return body


def dump_json(body: Any, rng: random.Random) -> bytes:
    text = json.dumps(body, ensure_ascii=rng.random() < 0.5, indent=rng.choice((None, None, 2)))
    return text.encode("utf-8", errors="surrogatepass")


def mutate_json(data: bytes, rng: random.Random) -> bytes | None:
    """A JSON file with one value rewritten (see :func:`mutate_json_object`); None if ``data`` is not JSON."""
    try:
        body = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    return dump_json(mutate_json_object(body, rng), rng)


def mutate_toml(data: bytes, rng: random.Random) -> bytes | None:
    """A TOML file with one ``key = value`` line's value replaced, dropped or doubled; None without such lines."""
    lines = list(_TOML_LINE.finditer(data))
    if not lines:
        return None
    m = rng.choice(lines)
    op = rng.randrange(6)
    if op == 5:  # another line's value: plausible types, wrong places
        new = m.group(1) + rng.choice(lines).group(2)
    elif op <= 2:
        new = m.group(1) + rng.choice(HOSTILE_TOML).encode()
    elif op == 3:
        new = b""
    else:
        new = m.group(0) + b"\n" + m.group(0)
    return data[: m.start()] + new + data[m.end() :]


# -- GGUF header fields --------------------------------------------------------------------------------------------

_GGUF_SIZES = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}


def _gguf_walk(data: bytes, limit: int = 100_000) -> tuple[list[tuple[int, int]], list[tuple[int, int]], int]:
    """The (offset, width) of every count, length, type and scalar in a GGUF header, the (offset, length) of every
    string, and where the header ends. Stops quietly at the first thing it cannot walk."""
    fields: list[tuple[int, int]] = [(4, 4), (8, 8), (16, 8)]
    strings: list[tuple[int, int]] = []
    pos = 24
    try:
        n_tensors, n_kv = struct.unpack_from("<QQ", data, 8)

        def string() -> None:
            nonlocal pos
            fields.append((pos, 8))
            (n,) = struct.unpack_from("<Q", data, pos)
            strings.append((pos, n))
            pos += 8 + n

        def value(vtype: int) -> None:
            nonlocal pos
            if pos > len(data) or len(fields) > limit:
                raise ValueError("past the end")
            if vtype in _GGUF_SIZES:
                fields.append((pos, _GGUF_SIZES[vtype]))
                pos += _GGUF_SIZES[vtype]
            elif vtype == 8:
                string()
            elif vtype == 9:
                fields.extend(((pos, 4), (pos + 4, 8)))
                etype, count = struct.unpack_from("<IQ", data, pos)
                pos += 12
                for _ in range(min(count, limit)):
                    value(etype)
            else:
                raise ValueError(vtype)

        for _ in range(min(n_kv, limit)):
            string()
            fields.append((pos, 4))
            (vtype,) = struct.unpack_from("<I", data, pos)
            pos += 4
            value(vtype)
        for _ in range(min(n_tensors, limit)):
            string()
            fields.append((pos, 4))
            (n_dims,) = struct.unpack_from("<I", data, pos)
            pos += 4
            fields.extend((pos + 8 * i, 8) for i in range(min(n_dims, 8)))
            pos += 8 * n_dims
            fields.extend(((pos, 4), (pos + 4, 8)))
            pos += 12
    except (struct.error, ValueError, OverflowError, RecursionError):
        pass
    size = len(data)
    return [f for f in fields if f[0] + f[1] <= size], [s for s in strings if s[0] + 8 + s[1] <= size], min(pos, size)


def mutate_gguf_field(data: bytes, rng: random.Random) -> bytes | None:
    """One header field (a count, a length, a type, a dimension, an offset, a scalar) set to a boundary value."""
    fields, _strings, _end = _gguf_walk(data)
    if not fields:
        return None
    # Counts, lengths and types are most of what a reader trusts; the long token arrays must not drown them.
    offset, width = rng.choice(fields[:64]) if rng.random() < 0.3 else rng.choice(fields)
    buf = bytearray(data)
    value = rng.choice(INTERESTING[width]) if rng.random() < 0.6 else _nudge(buf, offset, width, rng)
    buf[offset : offset + width] = value.to_bytes(width, "little")
    return bytes(buf)


_GGUF_TEXTS = (b"", b"\x00", b"\xff\xfe", b"<human>", b"<bot>", b"</s>", b"llama", b"gpt2", b"bert", "中文".encode())


def mutate_gguf_string(data: bytes, rng: random.Random) -> bytes | None:
    """One string of the header (a key, a token, a tensor name, a text value) replaced by another, shorter or
    longer, with its length and the padding before the tensor data fixed: a well-formed GGUF with other words."""
    _fields, strings, end = _gguf_walk(data)
    if not strings:
        return None
    offset, n = rng.choice(strings[:96]) if rng.random() < 0.4 else rng.choice(strings)
    old = data[offset + 8 : offset + 8 + n]
    donor_offset, donor_n = rng.choice(strings)
    new = rng.choice(
        (
            data[donor_offset + 8 : donor_offset + 8 + donor_n],  # a duplicate of another string
            old + old[: rng.randrange(1, 9)],
            old[: rng.randrange(max(1, n))],
            old[::-1],
            rng.choice(_GGUF_TEXTS),
            bytes(rng.getrandbits(8) for _ in range(rng.randrange(1, 12))),
        )
    )
    data_start = -(-end // 32) * 32  # the converter aligns the tensor data to 32 bytes
    new_end = end + len(new) - n
    head = data[:offset] + struct.pack("<Q", len(new)) + new + data[offset + 8 + n : end]
    return head + bytes(-new_end % 32) + data[data_start:]


def gguf_regions(data: bytes) -> Regions:
    return [(0, _gguf_walk(data)[2])]


# -- torch zip and safetensors -------------------------------------------------------------------------------------


# What zipfile raises on a damaged archive (its own error, and what leaks from struct, zlib and the codecs).
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    ValueError,
    OSError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    struct.error,
    OverflowError,
    KeyError,
    IndexError,
    zlib.error,
)


def zip_regions(data: bytes) -> Regions:
    """Local headers, the pickle and the central directory of a torch zip (the tensor data is left out)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            start_dir = archive.start_dir
    except _ZIP_ERRORS:
        return [(0, len(data))]
    regions = [(start_dir, len(data))]
    for info in infos:
        head = info.header_offset
        regions.append((head, head + 30 + len(info.filename.encode()) + len(info.extra)))
        if info.filename.endswith(".pkl"):
            regions.append((head, head + 30 + len(info.filename.encode()) + len(info.extra) + info.compress_size))
    return regions


def mutate_zip_pickle(data: bytes, rng: random.Random, dictionary: Sequence[bytes] = ()) -> bytes | None:
    """The torch zip written again with its ``data.pkl`` mutated and its CRC right, so the pickle is what is tested."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [(info, archive.read(info)) for info in archive.infolist()]
    except _ZIP_ERRORS:
        return None
    if not any(info.filename.endswith(".pkl") for info, _ in members):
        return None
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for info, body in members:
            if info.filename.endswith(".pkl"):
                body = havoc(body, rng, [(0, len(body))], dictionary)
            archive.writestr(info.filename, body)
    return out.getvalue()


def safetensors_regions(data: bytes) -> Regions:
    if len(data) < 8:
        return [(0, len(data))]
    (n,) = struct.unpack_from("<Q", data, 0)
    return [(0, min(len(data), 8 + n))]


def mutate_safetensors_header(data: bytes, rng: random.Random) -> bytes | None:
    """A safetensors file with one value of its JSON header rewritten and the header length fixed."""
    if len(data) < 8:
        return None
    (n,) = struct.unpack_from("<Q", data, 0)
    if n > len(data) - 8:
        return None
    try:
        header = json.loads(data[8 : 8 + n].decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    raw = dump_json(mutate_json_object(header, rng), rng)
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw + data[8 + n :]
