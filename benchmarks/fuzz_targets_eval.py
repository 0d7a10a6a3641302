"""Fuzz targets for what the remote engine and the evaluation read from outside: a server's event stream, a prompt
set a writer was sent, and a run folder's ``run.json`` (runs are shared between judges).

Only the calls and the seeds live here; :mod:`benchmarks.fuzz_targets` makes them :class:`Target`\\ s (this module
imports nothing of it at import time, so the two never import each other in a cycle).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchmarks.fuzz_targets import Kit, Result, Seed, Stage, Target

ACCEPTED = "accepted"  # benchmarks.fuzz_targets.ACCEPTED, without importing it here (see the module's docstring)

# Chunk sizes the stream is fed in: a server's bytes arrive split anywhere, also inside a UTF-8 character.
_CHUNKS = (1, 3, 7, 64, 4096)
_SMALL = 64 * 1024

SSE_TOKENS = (b"data: ", b"[DONE]", b"\n\n", b"\r\n", b'"choices"', b'"text"', b'"finish_reason"', b'"usage"', b": ")
PROMPT_TOKENS = (b'"id"', b'"genre"', b'"gongwen"', b'"language"', b'"zh"', b'"instruction"', b'"template"', b"\n")
RUN_TOKENS = (b'"format"', b'"contenders"', b'"prompt_set"', b'"prompts"', b'"server"', b'"sampling"', b'"seed"')


def run_sse(folder: Path, name: str, _stage: Stage) -> Result:
    """Parse the file as a completion stream, fed in chunks of every size in :data:`_CHUNKS`."""
    from ziya_desktop.engine.remote_sse import DONE, SseParser, completion_event

    data = (folder / name).read_bytes()
    texts = []
    # Byte by byte only for small streams: a mutant of megabytes would spend the timeout in Python's loop.
    for size in (c for c in _CHUNKS if c >= 64 or len(data) <= _SMALL):
        parser, events, done = SseParser(), [], False
        for start in range(0, len(data), size):
            for event in parser.feed(data[start : start + size]):
                if event == DONE:
                    done = True
                    break
                events.append(completion_event(event))
            if done:
                break
        texts.append("".join(e.text for e in events))
    # Where the stream is cut must not change what it says.
    assert len(set(texts)) == 1, "the chunking changed the text"
    return ACCEPTED, f"{len(texts[0])} characters"


def sse_seeds(_kit: Kit) -> list[Seed]:
    def event(body: dict[str, object]) -> bytes:
        return b"data: " + json.dumps(body, ensure_ascii=False).encode() + b"\n\n"

    llama = b"".join(
        event({"choices": [{"text": piece, "index": 0, "finish_reason": None}]}) for piece in ("关于", "开展", " the")
    )
    llama += event({"choices": [{"text": "", "index": 0, "finish_reason": "length"}]}) + b"data: [DONE]\n\n"
    vllm = event({"choices": [{"text": "尊敬的", "finish_reason": None}], "usage": None})
    vllm += event({"choices": [{"text": "各位", "finish_reason": "stop"}], "usage": None})
    vllm += event({"choices": [], "usage": {"prompt_tokens": 12, "completion_tokens": 2}}) + b"data: [DONE]\n\n"
    return [("stream.sse", llama), ("stream.sse", b": keep-alive\r\n" + vllm.replace(b"\n", b"\r\n"))]


def run_prompt_set(folder: Path, name: str, _stage: Stage) -> Result:
    from ziya_desktop.evaluation.prompt_sets import load_prompt_set

    prompt_set = load_prompt_set(folder / name)
    for prompt in prompt_set.prompts:
        prompt.query()  # a template prompt is rendered here, as a run does
    return ACCEPTED, f"{len(prompt_set.prompts)} prompts"


def prompt_set_seeds(_kit: Kit) -> list[Seed]:
    from ziya_desktop.paths import resources_dir

    lines = (resources_dir() / "evaluation" / "writing_prompts.jsonl").read_bytes().splitlines(keepends=True)
    # A few lines each: a mutation then lands in a prompt, not lost in 48 of them.
    return [("prompts.jsonl", b"".join(lines[i : i + 4])) for i in range(0, len(lines), 12)]


def run_eval_run(folder: Path, _name: str, _stage: Stage) -> Result:
    """Open the run (its ``run.json``), list its answers and verdicts and a judge's rounds, as the window does."""
    from ziya_desktop.evaluation.judgements import JudgementStore
    from ziya_desktop.evaluation.run_store import EvalRun

    run = EvalRun.open(folder)
    store = JudgementStore(run)
    rounds = store.all_rounds_for("Li")
    return ACCEPTED, f"{len(run.contenders)} contenders, {len(run.answers())} answers, {len(rounds)} rounds"


def eval_run_seeds(_kit: Kit) -> list[Seed]:
    import tempfile

    from ziya_desktop.engine.sampling import MODEL_CARD
    from ziya_desktop.evaluation.contenders import Contender
    from ziya_desktop.evaluation.prompt_sets import EvalPrompt, PromptSet
    from ziya_desktop.evaluation.run_store import RUN_FILE, EvalRun

    prompts = PromptSet(
        "two",
        (
            EvalPrompt("gw-1", "gongwen", "zh", "easy", "写一份停电通知。"),
            EvalPrompt("l-1", "letter", "en", "hard", "Write a thank-you note.", reference="Thank you."),
        ),
    )
    with tempfile.TemporaryDirectory(prefix="ziya-fuzz-run-") as tmp:
        model = Path(tmp) / "q4.gguf"
        model.write_bytes(b"")
        contenders = [
            Contender("q4", model=model, sampling=MODEL_CARD.with_(max_tokens=64), seed=7, quantization="Q4_K_M"),
            Contender("server", server="https://gpu-box.example:8080", server_model="ziya", quantization="remote"),
        ]
        run = EvalRun.create(Path(tmp) / "run", prompts, contenders, name="fuzz")
        return [(RUN_FILE, (run.folder / RUN_FILE).read_bytes())]


def targets(
    make: Callable[..., Target], errors: Callable[..., Callable[[], tuple[type[BaseException], ...]]]
) -> list[Target]:
    """The three targets, made with :class:`benchmarks.fuzz_targets.Target` and its ``_errors``."""
    from benchmarks import fuzz_mutate as fm

    return [
        make(
            "server stream (SSE)",
            ("server stream (SSE)",),
            run_sse,
            errors("ziya_desktop.errors", "RemoteError"),
            sse_seeds,
            trace=("ziya_desktop.engine.remote_sse",),
            dictionary=SSE_TOKENS,
        ),
        make(
            "evaluation prompt set",
            ("evaluation prompt set",),
            run_prompt_set,
            errors("ziya_desktop.errors", "EvalFormatError"),
            prompt_set_seeds,
            trace=("ziya_desktop.evaluation.prompt_sets", "ziya_desktop.writing.templates"),
            dictionary=PROMPT_TOKENS,
        ),
        make(
            "evaluation run.json",
            ("evaluation run.json",),
            run_eval_run,
            errors("ziya_desktop.errors", "EvaluationError"),
            eval_run_seeds,
            trace=("ziya_desktop.evaluation.run_store", "ziya_desktop.evaluation.contenders"),
            mutators=(fm.mutate_json, fm.mutate_json),
            dictionary=RUN_TOKENS,
        ),
    ]
