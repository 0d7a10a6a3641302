"""A corpus of mutated GGUFs through the whole gate, then a real trial load of every survivor in child processes.

600 mutants of the tiny Q8_0 model (seeded: byte flips in the header, truncations, rewrites of metadata values,
types and tokens, rewrites of tensor shapes, types, offsets and names) go through the gate in memory. Each refusal
must be one of our errors, naming the file in one short line. Every mutant the gate lets through is written out
and trial-loaded by llama.cpp in child processes, as the app would before loading it: none may abort the loader
(the gate must already know every abort), and any refusal becomes a clear error. This process never aborts.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from gguf_mutations import (
    Parts,
    flip_bytes,
    rewrite_metadata,
    rewrite_tensors,
    serialize,
    take_apart,
    truncate,
)

from ziya_desktop.engine.gguf_check import parse_gguf_header, read_gguf_header
from ziya_desktop.engine.model_gate import check_loadable
from ziya_desktop.engine.model_info import model_info_from_header
from ziya_desktop.engine.trial_load import CRASHED, OK, REFUSED, raise_for, run_trials
from ziya_desktop.errors import InvalidModelError, UnsupportedModelError

pytestmark = pytest.mark.slow

N_MUTANTS = 600
BATCH = 60  # files per child process: a child costs about a second to start, a trial a few milliseconds


def _gate(data: bytes, label: str) -> None:
    header = parse_gguf_header(data, len(data), label)
    header.path = Path(label)
    check_loadable(header, model_info_from_header(header))


def _mutants(raw: bytes, parts: Parts, header_end: int) -> list[tuple[str, bytes]]:
    rng = random.Random(20240610)
    out: list[tuple[str, bytes]] = []
    for i in range(N_MUTANTS):
        roll = rng.random()
        if roll < 0.25:
            kind, data = "flip", flip_bytes(raw, header_end, rng)
        elif roll < 0.33:
            kind, data = "truncate", truncate(raw, rng)
        elif roll < 0.8:
            mutated = rewrite_metadata(parts, rng)
            if rng.random() < 0.3:
                mutated = rewrite_metadata(mutated, rng)
            kind, data = "metadata", serialize(mutated)
        else:
            kind, data = "tensors", serialize(rewrite_tensors(parts, rng))
        out.append((f"m{i:03d}-{kind}.gguf", data))
    return out


def test_mutated_corpus_is_refused_clearly_or_loads_without_abort(
    tiny_gguf: Callable[[str], Path], tmp_path: Path
) -> None:
    base = tiny_gguf("q8_0")
    raw = base.read_bytes()
    header = read_gguf_header(base)
    parts = take_apart(header, raw)
    assert serialize(parts) == raw, "the serializer reproduces the base file exactly"
    _gate(raw, base.name)

    refused: Counter[str] = Counter()
    passed: list[tuple[str, bytes]] = []
    for name, data in _mutants(raw, parts, header.data_offset):
        try:
            _gate(data, name)
        except (InvalidModelError, UnsupportedModelError) as err:
            message = str(err)
            assert message.startswith(f"{name}: "), message
            assert "\n" not in message and len(message) < 400, message
            refused[type(err).__name__] += 1
            continue
        passed.append((name, data))
    assert sum(refused.values()) + len(passed) == N_MUTANTS
    # The corpus reaches llama.cpp too, not only the first checks.
    assert len(passed) >= 40, (len(passed), refused)

    verdicts: Counter[str] = Counter()
    crashes: list[str] = []
    for start in range(0, len(passed), BATCH):
        paths = []
        for name, data in passed[start : start + BATCH]:
            path = tmp_path / name
            path.write_bytes(data)
            paths.append(path)
        for outcome in run_trials(paths, timeout_s=120):
            verdicts[outcome.verdict] += 1
            assert outcome.verdict in (OK, REFUSED, CRASHED), outcome
            if outcome.verdict == CRASHED:
                crashes.append(f"{outcome.path.name}: {outcome.detail}")
            if outcome.verdict != OK:
                with pytest.raises(InvalidModelError) as info:
                    raise_for(outcome)
                assert str(info.value).startswith(f"{outcome.path.name}: llama.cpp "), str(info.value)
        for path in paths:
            path.unlink()
    print(f"\ncorpus: {N_MUTANTS} mutants, gate refused {dict(refused)}, trial verdicts {dict(verdicts)}")
    assert crashes == [], "the gate let through files that abort llama.cpp:\n" + "\n".join(crashes)
