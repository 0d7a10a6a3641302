"""Fuzzing every reader that takes a file from outside: coverage-guided mutation, one worker process per input at a
time, figures per reader and per stage, and every failing input saved for reproduction.

For each reader its seeds (valid files our own code made) run first, unmutated, and are reported apart; their
coverage starts the corpus. Then ``inputs`` mutants, each different from its parent and from every seed, each run
in a worker of :class:`~benchmarks.fuzz_pool.WorkerPool` under the target's timeout. A mutant that takes a line-to-
line arc of the reader's code no input took before joins the corpus (so later mutants build on it). Each outcome is
counted at the stage it ended in: accepted, rejected with the reader's own error, an unexpected exception (a bug),
a hang (no answer within the timeout) or a crash (the worker died). Every bug, hang and crash is saved as
``<findings>/<reader>/<kind>-<n>--<file name>``; ``python -m benchmarks.fuzz_worker READER FILE`` reruns one.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.fuzz_pool import CRASH, HANG, Job, Outcome, WorkerPool
from benchmarks.fuzz_targets import ACCEPTED, PLANTED, REJECTED, Kit, Target, mutate, target
from benchmarks.fuzz_worker import UNEXPECTED
from ziya_desktop.bench import Figure, figure

KINDS = (ACCEPTED, REJECTED, UNEXPECTED, HANG, CRASH)
CORPUS_BYTES = 96 << 20
EXAMPLES_PER_SIGNATURE = 3
# Inputs per reader, relative to ``--fuzz``: the slow readers (a GGUF load, a 7 MB safetensors file, sentencepiece,
# a library scan that checks the linked GGUF) get fewer so that the whole run stays inside its budget.
WEIGHTS = {
    "GGUF": 0.3,
    "torch pickle (.bin)": 0.3,
    "safetensors": 0.3,
    "weights index JSON": 0.5,
    "tokenizer JSON": 0.5,
    "template TOML": 0.6,
    "model library index": 0.5,
}


@dataclass
class StageCounts:
    stage: str
    inputs: int = 0
    accepted: int = 0
    rejected: int = 0
    unexpected: int = 0
    hangs: int = 0
    crashes: int = 0

    def add(self, kind: str) -> None:
        self.inputs += 1
        attr = {ACCEPTED: "accepted", REJECTED: "rejected", UNEXPECTED: "unexpected", HANG: "hangs", CRASH: "crashes"}
        setattr(self, attr[kind], getattr(self, attr[kind]) + 1)

    @property
    def failures(self) -> int:
        return self.unexpected + self.hangs + self.crashes


@dataclass
class Finding:
    """One failure signature (kind, stage, place or message) of a reader: how many inputs, and a few saved."""

    reader: str
    kind: str
    stage: str
    detail: str
    where: str
    count: int = 0
    paths: list[str] = field(default_factory=list)


@dataclass
class ReaderReport:
    reader: str
    stages: list[StageCounts]
    seeds: int = 0
    seeds_accepted: int = 0
    seed_problems: list[str] = field(default_factory=list)
    corpus: int = 0
    arcs: int = 0
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)

    @property
    def inputs(self) -> int:
        return self.stages[0].inputs

    def as_json(self) -> dict[str, object]:
        return {
            "reader": self.reader,
            "seeds": self.seeds,
            "seeds_accepted": self.seeds_accepted,
            "corpus": self.corpus,
            "arcs": self.arcs,
            "seconds": round(self.seconds, 2),
            "stages": [vars(s) for s in self.stages],
            "findings": [vars(f) for f in self.findings],
        }


@dataclass
class _Entry:
    name: str
    data: bytes
    regions: list[tuple[int, int]]


class _Findings:
    """Saves the first few inputs of each failure signature; counts the rest."""

    def __init__(self, folder: Path | None, reader: str) -> None:
        self.folder = None if folder is None else folder / re.sub(r"[^A-Za-z0-9]+", "_", reader).strip("_")
        self.reader = reader
        self.by_signature: dict[tuple[str, str, str], Finding] = {}

    def add(self, job: Job, outcome: Outcome) -> None:
        place = outcome.where or re.sub(r"\d+", "N", outcome.detail.split(";")[0])[:80]
        key = (outcome.kind, outcome.stage, place)
        found = self.by_signature.setdefault(
            key, Finding(self.reader, outcome.kind, outcome.stage, outcome.detail, outcome.where)
        )
        found.count += 1
        if self.folder is None or len(found.paths) >= EXAMPLES_PER_SIGNATURE:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        saved = self.folder / f"{outcome.kind}-{len(self.by_signature):02d}{chr(96 + len(found.paths) + 1)}--{job.name}"
        saved.write_bytes(job.data)
        found.paths.append(str(saved))

    def all(self) -> list[Finding]:
        return list(self.by_signature.values())


def _counts(t: Target) -> list[StageCounts]:
    return [StageCounts(s) for s in t.stages]


def count(stages: list[StageCounts], t: Target, outcome: Outcome) -> None:
    """Count an outcome at its stage; the stages before it count the input as accepted."""
    at = t.stages.index(outcome.stage) if outcome.stage in t.stages else 0
    for earlier in stages[:at]:
        earlier.add(ACCEPTED)
    stages[at].add(outcome.kind)


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def fuzz_reader(
    pool: WorkerPool, t: Target, inputs: int, *, seed: int = 1, findings: Path | None = None, trace: bool = True
) -> ReaderReport:
    """Run ``t``'s seeds, then ``inputs`` coverage-guided mutants of them; see the module's description."""
    began = time.perf_counter()
    report = ReaderReport(t.name, _counts(t))
    saved = _Findings(findings, t.name)
    seeds = [_Entry(name, data, t.regions(data)) for name, data in t.seeds(pool.kit)]
    seen: set[int] = set()
    seed_digests = {_digest(e.data) for e in seeds}

    def on_seed(job: Job, outcome: Outcome) -> None:
        report.seeds += 1
        seen.update(outcome.arcs)
        if outcome.kind == ACCEPTED:
            report.seeds_accepted += 1
        else:
            report.seed_problems.append(f"seed {job.name}: {outcome.kind} at {outcome.stage}: {outcome.detail}")

    pool.run(iter([Job(t, e.name, e.data, trace) for e in seeds]), on_seed)
    corpus = list(seeds)
    limit = max(len(e.data) for e in seeds) + (1 << 20)
    rng = random.Random(f"{seed}:{t.name}")
    corpus_bytes = sum(len(e.data) for e in corpus)

    def jobs() -> Iterator[Job]:
        for _ in range(inputs):
            # A third of the mutants start from a seed: near-valid inputs keep reaching the later stages (for the
            # GGUF, llama.cpp's load) while the corpus leads the rest to new code.
            parent = rng.choice(seeds if rng.random() < 0.3 else corpus)
            data = parent.data
            for _attempt in range(16):
                data = mutate(t, parent.data, parent.regions, [rng.choice(corpus).data], rng)[:limit]
                if data != parent.data and _digest(data) not in seed_digests:
                    break
            else:
                data = parent.data + bytes([rng.getrandbits(8)])
            yield Job(t, parent.name, data, trace, parent)

    def on_result(job: Job, outcome: Outcome) -> None:
        nonlocal corpus_bytes
        count(report.stages, t, outcome)
        if outcome.kind in (UNEXPECTED, HANG, CRASH):
            saved.add(job, outcome)
        new = set(outcome.arcs) - seen
        if new:
            seen.update(new)
            corpus.append(_Entry(job.name, job.data, t.regions(job.data)))
            corpus_bytes += len(job.data)
            while corpus_bytes > CORPUS_BYTES and len(corpus) > len(seeds) + 1:
                dropped = corpus.pop(rng.randrange(len(seeds), len(corpus) - 1))
                corpus_bytes -= len(dropped.data)

    pool.run(jobs(), on_result)
    report.corpus, report.arcs = len(corpus), len(seen)
    report.findings = saved.all()
    report.seconds = time.perf_counter() - began
    return report


def run_inputs(pool: WorkerPool, t: Target, inputs: list[bytes], *, findings: Path | None = None) -> ReaderReport:
    """Run the given inputs as they are (no seeds, no mutation): the planted self-check and the tests use it."""
    began = time.perf_counter()
    report = ReaderReport(t.name, _counts(t))
    saved = _Findings(findings, t.name)
    name = t.seeds(pool.kit)[0][0]

    def on_result(job: Job, outcome: Outcome) -> None:
        count(report.stages, t, outcome)
        if outcome.kind in (UNEXPECTED, HANG, CRASH):
            saved.add(job, outcome)

    pool.run(iter([Job(t, name, data, False) for data in inputs]), on_result)
    report.findings = saved.all()
    report.seconds = time.perf_counter() - began
    return report


PLANTED_INPUTS = (b"ok", b"C", b"H", b"E", b"R", b"L", b"ok again")


def self_check(pool: WorkerPool) -> tuple[bool, ReaderReport]:
    """The planted reader over one input of each kind: the harness must count each where it was planted."""
    report = run_inputs(pool, PLANTED, list(PLANTED_INPUTS))
    first, second = report.stages
    ok = (first.crashes, first.hangs, first.unexpected, first.rejected, first.accepted) == (1, 1, 1, 1, 3)
    return ok and (second.inputs, second.crashes, second.accepted) == (3, 1, 2), report


def fuzz_all(
    names: list[str], inputs: int, *, workers: int, scratch: Path, kit: Kit, seed: int = 1, findings: Path | None
) -> tuple[list[ReaderReport], ReaderReport, bool, int]:
    """Every reader in ``names`` (``inputs`` × its weight mutants each) and the planted self-check, on one pool.

    Returns:
        The reports, the self-check's report, whether the self-check counted every planted failure where it was
        planted, and how many times a worker was restarted (one per crash or hang).
    """
    with WorkerPool(workers, scratch, kit) as pool:
        ok, planted = self_check(pool)
        reports = [
            fuzz_reader(pool, target(n), max(1, round(inputs * WEIGHTS.get(n, 1.0))), seed=seed, findings=findings)
            for n in names
        ]
        return reports, planted, ok, pool.restarts


def fuzz_figures(reports: list[ReaderReport], planted_ok: bool) -> list[Figure]:
    """Per reader and stage: inputs, accepted, refused with the reader's own error, bugs, hangs, crashes."""
    g = "fuzzing, mutated inputs (seeds apart)"
    figures = [
        figure(g, "harness self-check (planted crash, hang, bug)", float(planted_ok), "ok", "= 1", planted_ok),
        figure(g, "seed files run unmutated", sum(r.seeds for r in reports), "files"),
        figure(
            g,
            "seed files accepted (valid files our code made)",
            sum(r.seeds_accepted for r in reports),
            "files",
            "= all",
            all(r.seeds_accepted == r.seeds for r in reports),
        ),
    ]
    for r in reports:
        for s in r.stages:
            label = s.stage
            figures += [
                figure(g, f"{label}: inputs", s.inputs, "inputs"),
                figure(g, f"{label}: accepted", s.accepted, "inputs"),
                figure(g, f"{label}: refused with our error", s.rejected, "inputs"),
                figure(g, f"{label}: unexpected exceptions", s.unexpected, "inputs", "= 0", s.unexpected == 0),
                figure(g, f"{label}: hangs", s.hangs, "inputs", "= 0", s.hangs == 0),
                figure(g, f"{label}: crashes", s.crashes, "inputs", "= 0", s.crashes == 0),
            ]
        figures.append(figure(g, f"{r.reader}: corpus kept for new coverage", r.corpus - r.seeds, "inputs"))
    return figures


def summary_lines(reports: list[ReaderReport]) -> list[str]:
    """One line per reader stage, then the findings (bugs, hangs, crashes) with where each input was saved."""
    lines = [
        f"{'reader / stage':<28} {'inputs':>7} {'accepted':>9} {'refused':>8} {'bugs':>5} {'hangs':>6} {'crashes':>8}"
    ]
    for r in reports:
        for s in r.stages:
            lines.append(
                f"{s.stage:<28} {s.inputs:>7} {s.accepted:>9} {s.rejected:>8} {s.unexpected:>5} {s.hangs:>6} "
                f"{s.crashes:>8}"
            )
        lines.append(
            f"  ({r.seeds_accepted}/{r.seeds} seeds accepted unmutated; corpus {r.seeds} → {r.corpus}, "
            f"{r.arcs} arcs; {r.seconds:.1f} s)"
        )
        lines += [f"  seed problem: {p}" for p in r.seed_problems]
    for r in reports:
        for f in r.findings:
            lines.append(f"  {f.kind} ×{f.count} in {f.stage}: {f.detail[:160]} [{f.where}]")
            lines += [f"    python -m benchmarks.fuzz_worker '{f.reader}' {path}" for path in f.paths]
    return lines


def write_manifest(reports: list[ReaderReport], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "findings.json"
    path.write_text(json.dumps([r.as_json() for r in reports], ensure_ascii=False, indent=2), encoding="utf-8")
    return path


# -- the journal reader in this process (the quick check tests/test_journal.py runs) -----------------------------------


@dataclass
class FuzzResult:
    tried: int = 0
    refused: int = 0
    parsed: int = 0
    failures: list[str] = field(default_factory=list)


def _valid_journal(rng: random.Random) -> bytes:
    from ziya_desktop.documents.journal import GenerationInfo, JournalEntry, SavedFileState, encode_entry

    text = "".join(rng.choice("年度工作会议通知。\n🎉abc\x00\u200b") for _ in range(rng.randrange(0, 60)))
    entry = JournalEntry(
        document_id=f"{rng.getrandbits(128):032x}",
        title="Untitled 1",
        path=Path("/tmp/报告.md") if rng.random() < 0.5 else None,
        saved=SavedFileState(10, 123, "ab" * 32) if rng.random() < 0.5 else None,
        text=text,
        cursor=rng.randrange(0, 100),
        written_at=time.time(),
        pid=1234,
        generation=GenerationInfo("/m/ziya.gguf", {"temperature": 0.85}) if rng.random() < 0.5 else None,
    )
    return encode_entry(entry)


def fuzz_journal_reader(inputs: int = 5000, *, seed: int = 7) -> FuzzResult:
    """Feed random and damaged journals to ``decode_entry`` in this process: each must parse or raise
    ``JournalFormatError``. A fifth of the inputs are valid journals, unmutated: this is the unit test's quick
    check, not a fuzz figure (the report's journal figures come from :func:`fuzz_reader`)."""
    from ziya_desktop.documents.journal import JournalFormatError, decode_entry

    rng = random.Random(seed)
    result = FuzzResult()
    for i in range(inputs):
        valid = _valid_journal(rng)
        kind = i % 5
        if kind == 0:
            data = bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 200)))
        elif kind == 1:
            data = valid[: rng.randrange(0, len(valid))]
        elif kind == 2:
            mutable = bytearray(valid)
            for _ in range(rng.randrange(1, 8)):
                mutable[rng.randrange(len(mutable))] = rng.getrandbits(8)
            data = bytes(mutable)
        elif kind == 3:
            body = json.loads(valid)
            key = rng.choice(sorted(body))
            body[key] = rng.choice([None, True, -1, 1.5, "x", [], {}, "\ud800", 10**30])
            data = json.dumps(body).encode()
        else:
            data = b"[" * rng.randrange(1000, 200_000) if rng.random() < 0.1 else valid
        result.tried += 1
        try:
            decode_entry(data)
        except JournalFormatError:
            result.refused += 1
        except Exception as exc:  # noqa: BLE001  (any other exception is exactly the failure being counted)
            result.failures.append(f"input {i} (kind {kind}): {type(exc).__name__}: {exc}")
        else:
            result.parsed += 1
    return result
