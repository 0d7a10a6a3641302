"""Evaluation runs with the real engine on the tiny GGUFs: answers on disk, seeds, resume after a cancel, a torn
last line, a model that does not load; and the contenders a run is made of."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ziya_desktop.engine.engine import GenerationStats, LoadOptions
from ziya_desktop.engine.sampling import MODEL_CARD, SamplingParams
from ziya_desktop.errors import EvalFormatError, EvaluationError
from ziya_desktop.evaluation.contenders import (
    Contender,
    check_contenders,
    contender_as_dict,
    contender_from_dict,
    load_contenders,
    parse_contender_spec,
)
from ziya_desktop.evaluation.prompt_sets import EvalPrompt, PromptSet
from ziya_desktop.evaluation.run_store import ANSWERS_FILE, RUN_FILE, Answer, EvalRun
from ziya_desktop.evaluation.runner import AnswerEngine, EngineFactory, local_engine_factory, run_answers

pytestmark = pytest.mark.slow

SAMPLING = MODEL_CARD.with_(max_tokens=12)
FAST = local_engine_factory(LoadOptions(threads=1, n_ctx=512, gpu_layers=0))
PROMPTS = PromptSet(
    "three",
    (
        EvalPrompt("a", "gongwen", "zh", "easy", "写一份停电通知。"),
        EvalPrompt("b", "letter", "en", "hard", "Write a thank-you note to a client.", reference="Thank you."),
        EvalPrompt("c", "copy", "zh", "easy", "为新茶写一句广告语。"),
    ),
)


@pytest.fixture(scope="module")
def models(tiny_gguf: Callable[[str], Path]) -> tuple[Path, Path]:
    return tiny_gguf("f16"), tiny_gguf("q4_k_m")


def contenders(models: tuple[Path, Path], *, seed: int = 7) -> list[Contender]:
    return [
        Contender("f16", models[0], sampling=SAMPLING, seed=seed),
        Contender("q4", models[1], sampling=SAMPLING, seed=seed),
    ]


class Events:
    """The progress callback's calls, and an optional action on one of them."""

    def __init__(self, on: Callable[[int, int, str], None] | None = None) -> None:
        self.calls: list[tuple[int, int, str]] = []
        self.on = on

    def __call__(self, done: int, total: int, label: str) -> None:
        self.calls.append((done, total, label))
        if self.on is not None:
            self.on(done, total, label)

    @property
    def labels(self) -> list[str]:
        return [label for _, _, label in self.calls]

    @property
    def loads(self) -> list[str]:
        return [label for label in self.labels if label.startswith("loading ")]

    @property
    def answers(self) -> list[str]:
        return [label for label in self.labels if not label.startswith("loading ")]


def test_two_contenders_answer_every_prompt_on_disk(tmp_path: Path, models: tuple[Path, Path]) -> None:
    run = EvalRun.create(tmp_path / "run", PROMPTS, contenders(models), name="nightly")
    events = Events()
    assert run_answers(run, progress=events, engine_factory=FAST) == 6
    assert events.labels == ["loading f16", "f16: a", "f16: b", "f16: c", "loading q4", "q4: a", "q4: b", "q4: c"]
    assert [done for done, _, label in events.calls if not label.startswith("loading")] == [1, 2, 3, 4, 5, 6]
    assert {total for _, total, _ in events.calls} == {6}

    lines = (tmp_path / "run" / ANSWERS_FILE).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 6
    assert set(json.loads(lines[0])) == {"contender", "prompt_id", "text", "stats", "error"}
    reopened = EvalRun.open(tmp_path / "run")
    assert reopened.name == "nightly"
    assert reopened.prompt_set == PROMPTS
    assert reopened.contenders == run.contenders
    assert [c.quantization for c in reopened.contenders] == ["F16", "Q4_K_M"]  # read from the files
    answers = reopened.answers()
    assert sorted(answers) == sorted((c, p) for c in ("f16", "q4") for p in "abc")
    for answer in answers.values():
        assert answer.error is None and answer.text
        assert answer.stats["seed"] == 7
        assert 0 < int(str(answer.stats["generated_tokens"])) <= 12
        assert answer.stats["stop_reason"] in ("eos", "max_tokens")
    assert reopened.missing() == []
    again = Events()
    assert run_answers(reopened, progress=again, engine_factory=FAST) == 0
    assert again.calls == []  # nothing missing: no model is even loaded


def texts(run: EvalRun) -> dict[tuple[str, str], str]:
    return {key: answer.text for key, answer in run.answers().items()}


def test_the_same_seed_gives_the_same_text_and_another_seed_another(tmp_path: Path, models: tuple[Path, Path]) -> None:
    first = EvalRun.create(tmp_path / "one", PROMPTS, contenders(models))
    second = EvalRun.create(tmp_path / "two", PROMPTS, contenders(models))
    other_seed = EvalRun.create(tmp_path / "three", PROMPTS, contenders(models, seed=8))
    for run in (first, second, other_seed):
        run_answers(run, engine_factory=FAST)
    assert texts(first) == texts(second)
    assert texts(first) != texts(other_seed)


def test_a_cancelled_run_resumes_with_only_the_missing_answers(tmp_path: Path, models: tuple[Path, Path]) -> None:
    run = EvalRun.create(tmp_path / "run", PROMPTS, contenders(models))
    cancel = threading.Event()

    def stop_after_two(done: int, _total: int, label: str) -> None:
        if done == 2 and not label.startswith("loading"):
            cancel.set()

    first = Events(stop_after_two)
    assert run_answers(run, progress=first, cancel=cancel, engine_factory=FAST) == 2
    assert first.labels == ["loading f16", "f16: a", "f16: b"]  # stopped between prompts, q4 never loaded
    assert sorted(run.answers()) == [("f16", "a"), ("f16", "b")]
    assert [(c.name, p.id) for c, p in run.missing()] == [("f16", "c"), ("q4", "a"), ("q4", "b"), ("q4", "c")]

    resumed = Events()
    assert run_answers(EvalRun.open(tmp_path / "run"), progress=resumed, engine_factory=FAST) == 4
    assert resumed.loads == ["loading f16", "loading q4"]
    assert resumed.answers == ["f16: c", "q4: a", "q4: b", "q4: c"]
    assert [done for done, _, _ in resumed.calls] == [2, 3, 3, 4, 5, 6]
    assert len((tmp_path / "run" / ANSWERS_FILE).read_text(encoding="utf-8").splitlines()) == 6


class CancelAfterFirstChunk:
    """The real engine, with ``cancel`` set as soon as the first piece of the answer to ``prompt_text`` arrives."""

    def __init__(self, engine: AnswerEngine, cancel: threading.Event, prompt_text: str) -> None:
        self.engine = engine
        self.cancel = cancel
        self.prompt_text = prompt_text

    @property
    def last_stats(self) -> GenerationStats | None:
        return self.engine.last_stats

    def stream(
        self, prompt: str | list[int], sampling: SamplingParams, *, cancel: threading.Event | None = None
    ) -> Iterator[str]:
        for chunk in self.engine.stream(prompt, sampling, cancel=cancel):
            if isinstance(prompt, str) and self.prompt_text in prompt:
                self.cancel.set()
            yield chunk

    def close(self) -> None:
        self.engine.close()


def test_a_cancel_inside_an_answer_drops_it(tmp_path: Path, models: tuple[Path, Path]) -> None:
    run = EvalRun.create(tmp_path / "run", PROMPTS, contenders(models))
    cancel = threading.Event()
    loads: list[str] = []

    def factory(contender: Contender, cancel_load: threading.Event | None) -> AnswerEngine:
        loads.append(contender.name)
        return CancelAfterFirstChunk(FAST(contender, cancel_load), cancel, "thank-you note")

    assert run_answers(run, cancel=cancel, engine_factory=factory) == 1
    assert loads == ["f16"]
    assert sorted(run.answers()) == [("f16", "a")]  # b was stopped mid-answer: nothing half-made is kept
    assert [(c.name, p.id) for c, p in run.missing()][:2] == [("f16", "b"), ("f16", "c")]


def test_a_cancel_during_a_load_stops_without_an_error(tmp_path: Path, models: tuple[Path, Path]) -> None:
    run = EvalRun.create(tmp_path / "run", PROMPTS, contenders(models))
    cancel = threading.Event()

    def cancel_on_second_load(_done: int, _total: int, label: str) -> None:
        if label == "loading q4":
            cancel.set()

    events = Events(cancel_on_second_load)
    assert run_answers(run, progress=events, cancel=cancel, engine_factory=FAST) == 3
    assert events.loads == ["loading f16", "loading q4"]
    assert [c.name for c, _ in run.missing()] == ["q4", "q4", "q4"]


def test_a_torn_last_line_is_ignored_and_made_again(tmp_path: Path, models: tuple[Path, Path]) -> None:
    run = EvalRun.create(tmp_path / "run", PROMPTS, contenders(models))
    run_answers(run, engine_factory=FAST)
    path = tmp_path / "run" / ANSWERS_FILE
    whole = path.read_bytes()
    path.write_bytes(whole[:-15])  # the power went out while the last answer was written
    assert len(run.answers()) == 5
    assert [(c.name, p.id) for c, p in run.missing()] == [("q4", "c")]
    assert run_answers(run, engine_factory=FAST) == 1
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 6
    assert all(json.loads(line) for line in lines)  # the torn piece was cut off before the append
    assert texts(run)[("q4", "c")] == json.loads(whole.splitlines()[-1])["text"]  # same seed, same answer


def test_a_damaged_line_in_the_middle_is_an_error_with_its_line(tmp_path: Path, models: tuple[Path, Path]) -> None:
    run = EvalRun.create(tmp_path / "run", PROMPTS, contenders(models))
    run.add_answer(Answer("f16", "a", "one", {"seed": 1}))
    with (tmp_path / "run" / ANSWERS_FILE).open("a", encoding="utf-8") as fh:
        fh.write('{"contender": "f16"\n')
    run.add_answer(Answer("f16", "b", "two"))
    with pytest.raises(EvalFormatError, match="line 2: not an answer") as caught:
        run.answers()
    assert caught.value.line == 2


def test_a_later_answer_replaces_an_earlier_one_and_strangers_are_left_out(
    tmp_path: Path, models: tuple[Path, Path]
) -> None:
    run = EvalRun.create(tmp_path / "run", PROMPTS, contenders(models))
    run.add_answer(Answer("f16", "a", "", error="the prompt is too long"))
    assert ("f16", "a") in [(c.name, p.id) for c, p in run.missing()]  # a failed answer is tried again
    run.add_answer(Answer("f16", "a", "second"))
    with (tmp_path / "run" / ANSWERS_FILE).open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"contender": "ghost", "prompt_id": "a", "text": "x", "stats": {}, "error": None}) + "\n")
    assert {k: a.text for k, a in run.answers().items()} == {("f16", "a"): "second"}
    with pytest.raises(EvaluationError, match="does not belong to this run"):
        run.add_answer(Answer("f16", "zzz", "x"))


def test_a_prompt_that_fails_is_recorded_and_the_others_go_on(tmp_path: Path, models: tuple[Path, Path]) -> None:
    long = EvalPrompt("long", "speech", "zh", "hard", "请写一篇演讲稿。" * 200)
    prompts = PromptSet("mixed", (PROMPTS.prompts[0], long, PROMPTS.prompts[2]))
    run = EvalRun.create(tmp_path / "run", prompts, contenders(models))
    assert run_answers(run, engine_factory=FAST) == 6
    answers = run.answers()
    assert answers[("f16", "long")].error is not None and "context window" in answers[("f16", "long")].error
    assert answers[("f16", "long")].text == ""
    assert answers[("q4", "c")].error is None
    assert [(c.name, p.id) for c, p in run.missing()] == [("f16", "long"), ("q4", "long")]


def test_a_model_that_does_not_load_names_its_contender(tmp_path: Path, models: tuple[Path, Path]) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\x00" * 64)
    run = EvalRun.create(
        tmp_path / "run", PROMPTS, [Contender("f16", models[0], sampling=SAMPLING), Contender("bad", broken)]
    )
    with pytest.raises(EvaluationError, match=r"^contender bad: ") as caught:
        run_answers(run, engine_factory=FAST)
    assert caught.value.hint
    assert sorted(run.answers()) == [("f16", "a"), ("f16", "b"), ("f16", "c")]  # what was made stays


def test_a_run_needs_an_empty_folder_and_two_named_contenders(tmp_path: Path, models: tuple[Path, Path]) -> None:
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(EvaluationError, match="is not empty"):
        EvalRun.create(tmp_path / "used", PROMPTS, contenders(models))
    assert (tmp_path / "used" / "notes.txt").read_text(encoding="utf-8") == "mine"
    with pytest.raises(EvalFormatError, match="at least two contenders"):
        EvalRun.create(tmp_path / "one", PROMPTS, contenders(models)[:1])
    with pytest.raises(EvalFormatError, match="two contenders are named 'f16'"):
        EvalRun.create(tmp_path / "twice", PROMPTS, [contenders(models)[0]] * 2)
    assert not (tmp_path / "one").exists() or not any((tmp_path / "one").iterdir())


def test_a_broken_run_folder_is_a_clear_error(tmp_path: Path, models: tuple[Path, Path]) -> None:
    with pytest.raises(EvalFormatError, match=r"run\.json is missing"):
        EvalRun.open(tmp_path)
    EvalRun.create(tmp_path / "run", PROMPTS, contenders(models))
    path = tmp_path / "run" / RUN_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**data, "format": 99}), encoding="utf-8")
    with pytest.raises(EvalFormatError, match="not a valid run"):
        EvalRun.open(tmp_path / "run")
    data["contenders"][1]["name"] = "f16"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(EvalFormatError, match="two contenders are named"):
        EvalRun.open(tmp_path / "run")
    path.write_text("{", encoding="utf-8")
    with pytest.raises(EvalFormatError, match="cannot be read"):
        EvalRun.open(tmp_path / "run")


# -- contenders ---------------------------------------------------------------------------------------------------


def test_a_contender_from_the_command_line() -> None:
    c = parse_contender_spec("fast=/models/q4.gguf,temperature=0.5,top_p=0.9,seed=42,max_tokens=300,top_k=20")
    assert c.name == "fast" and c.model == Path("/models/q4.gguf") and c.server is None
    assert (c.sampling.temperature, c.sampling.top_p, c.sampling.top_k, c.sampling.max_tokens) == (0.5, 0.9, 20, 300)
    assert c.seed == 42 and c.run_sampling().seed == 42
    remote = parse_contender_spec("big=http://127.0.0.1:8080,model=ziya-13b")
    assert remote.remote and remote.server == "http://127.0.0.1:8080" and remote.server_model == "ziya-13b"
    assert parse_contender_spec("plain=m.gguf").sampling == MODEL_CARD


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("no-equals", "a contender is NAME=PATH.gguf"),
        ("x=m.gguf,temperature=hot", "temperature must be a number, not 'hot'"),
        ("x=m.gguf,top_p=0", "top-p must be more than 0"),
        ("x=m.gguf,seed=-1", "seed must be between 0"),
        ("x=m.gguf,colour=red", "unknown setting 'colour'"),
        ("x=m.gguf,temperature", "expected setting=value"),
        ("a:b=m.gguf", "must be 1 to 64 characters"),
    ],
)
def test_a_bad_contender_spec_says_what_is_wrong(spec: str, problem: str) -> None:
    with pytest.raises(EvalFormatError, match=problem.replace("(", r"\(")):
        parse_contender_spec(spec)


def test_contenders_from_a_toml_file_and_back(tmp_path: Path, models: tuple[Path, Path]) -> None:
    (tmp_path / "m").mkdir()
    path = tmp_path / "contenders.toml"
    path.write_text(
        '[[contenders]]\nname = "q4"\nmodel = "m/q4.gguf"\nseed = 5\n[contenders.sampling]\ntemperature = 0.3\n\n'
        '[[contenders]]\nname = "server"\nserver = "http://127.0.0.1:9"\nserver_model = "ziya"\n',
        encoding="utf-8",
    )
    q4, server = load_contenders(path)
    assert q4.model == tmp_path / "m" / "q4.gguf" and q4.seed == 5 and q4.sampling.temperature == 0.3
    assert server.server == "http://127.0.0.1:9" and server.with_quantization().quantization == "remote"
    for c in (q4, server):
        assert contender_from_dict(json.loads(json.dumps(contender_as_dict(c)))) == c
    path.write_text('[[contenders]]\nname = "x"\nmodel = "a.gguf"\nserver = "http://127.0.0.1:9"\n', encoding="utf-8")
    with pytest.raises(EvalFormatError, match="contender #1: contender x needs either a model file or a server"):
        load_contenders(path)
    path.write_text('[[contenders]]\nname = "x"\nmodel = "a.gguf"\n[contenders.sampling]\ntop_p = 2\n', "utf-8")
    with pytest.raises(EvalFormatError, match="top-p must be more than 0 and at most 1"):
        load_contenders(path)
    with pytest.raises(EvalFormatError, match="at least two"):
        check_contenders([q4])


def test_the_quantization_is_read_from_the_gguf(models: tuple[Path, Path]) -> None:
    f16, q4 = (Contender(n, m).with_quantization() for n, m in zip(("f16", "q4"), models, strict=True))
    assert (f16.quantization, q4.quantization) == ("F16", "Q4_K_M")
    assert "Q4_K_M" in q4.describe()


def engine_factory_type_check(factory: EngineFactory) -> EngineFactory:
    return factory  # FAST and the wrapping factory above are both EngineFactory (checked by mypy's view of tests)


def test_a_server_that_cannot_be_reached_names_its_contender(tmp_path: Path, models: tuple[Path, Path]) -> None:
    with socket.socket() as probe:  # a port on this computer that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    far = Contender("far", server=f"http://127.0.0.1:{port}", server_model="ziya", sampling=SAMPLING)
    run = EvalRun.create(tmp_path / "run", PROMPTS, [Contender("f16", models[0], sampling=SAMPLING), far])
    events = Events()
    with pytest.raises(EvaluationError, match=r"^contender far: ") as caught:
        run_answers(run, progress=events, engine_factory=FAST)
    assert caught.value.hint
    assert events.loads == ["loading f16", "loading far"]
    assert sorted(run.answers()) == [("f16", "a"), ("f16", "b"), ("f16", "c")]
