"""An evaluation run with a contender on a server: llama-cpp-python's own server on 127.0.0.1 (with an API key)
against the tiny model in-process, the way a writer judges a local quantization against the model on a team box."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from llama_server import LlamaServer
from pytestqt.qtbot import QtBot

from ziya_desktop.engine.engine import LoadOptions
from ziya_desktop.engine.remote import RemoteTarget
from ziya_desktop.engine.sampling import MODEL_CARD
from ziya_desktop.errors import EvaluationError, ServerAuthError
from ziya_desktop.evaluation.contenders import Contender
from ziya_desktop.evaluation.prompt_sets import EvalPrompt, PromptSet
from ziya_desktop.evaluation.run_store import EvalRun
from ziya_desktop.evaluation.runner import API_KEY_ENV, local_engine_factory, run_answers
from ziya_desktop.ui.evaluation.new_run_dialog import NewRunDialog

pytestmark = pytest.mark.slow

KEY = "sk-eval-9f2c1e7a"
SAMPLING = MODEL_CARD.with_(max_tokens=8)
PROMPTS = PromptSet(
    "two",
    (
        EvalPrompt("a", "gongwen", "zh", "easy", "写一份停电通知。"),
        EvalPrompt("b", "letter", "en", "hard", "Write a thank-you note to a client."),
    ),
)


@pytest.fixture(scope="module")
def server(tiny_gguf: Callable[[str], Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    running = LlamaServer(tiny_gguf("f16"), tmp_path_factory.mktemp("server") / "server.log", api_key=KEY)
    try:
        yield running
    finally:
        running.kill()


def test_a_server_contender_answers_beside_a_local_one(
    server: LlamaServer, q4: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    contenders = [
        Contender("q4 here", q4, sampling=SAMPLING, seed=3),
        Contender("f16 on the server", server=server.url, server_model=server.model_id, sampling=SAMPLING, seed=3),
    ]
    run = EvalRun.create(tmp_path / "run", PROMPTS, contenders)
    factory = local_engine_factory(LoadOptions(threads=1, n_ctx=512, gpu_layers=0))

    # Without the key the server refuses: the error names the contender, and the local answers made stay.
    monkeypatch.delenv(API_KEY_ENV, raising=False)
    with pytest.raises(EvaluationError, match="f16 on the server") as refused:
        run_answers(run, engine_factory=factory)
    assert isinstance(refused.value.__cause__, ServerAuthError)
    assert {key[0] for key in EvalRun.open(run.folder).answers()} == {"q4 here"}

    # With the key (the command line's variable) the run resumes and makes only the server's answers.
    monkeypatch.setenv(API_KEY_ENV, KEY)
    labels: list[str] = []
    made = run_answers(
        EvalRun.open(run.folder), engine_factory=factory, progress=lambda d, t, label: labels.append(label)
    )
    assert made == 2 and labels == ["loading f16 on the server", "f16 on the server: a", "f16 on the server: b"]
    answers = EvalRun.open(run.folder).answers()
    for prompt in ("a", "b"):
        remote = answers[("f16 on the server", prompt)]
        assert remote.error is None and remote.text
        assert remote.stats["generated_tokens"] == SAMPLING.max_tokens or remote.stats["stop_reason"] == "eos"
    # The key is nowhere in the run's files.
    for path in run.folder.iterdir():
        assert KEY not in path.read_text(encoding="utf-8"), path.name


def test_the_new_run_dialog_takes_a_server_beside_a_model_file(
    qtbot: QtBot, server: LlamaServer, q4: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(API_KEY_ENV, raising=False)  # the key typed in the dialog is the one used
    dialog = NewRunDialog(load_options=LoadOptions(gpu_layers=0, n_ctx=512, threads=1))
    qtbot.addWidget(dialog)
    dialog.folder_edit.setText(str(tmp_path / "run"))
    dialog.add_model(q4)
    item = dialog.add_server(RemoteTarget(server.url, server.model_id, api_key=KEY))
    assert "on the server 127.0.0.1:" in item.text()
    prompts = tmp_path / "prompts.jsonl"
    prompts.write_text(
        json.dumps(
            {"id": "n1", "genre": "letter", "language": "en", "difficulty": "easy", "instruction": "Thank a friend."}
        )
        + "\n",
        encoding="utf-8",
    )
    dialog.set_prompt_file(prompts)
    dialog.max_tokens_spin.setValue(6)
    with qtbot.waitSignal(dialog.runReady, timeout=120_000):
        assert dialog.start()
    qtbot.waitUntil(lambda: not dialog.runner.running, timeout=120_000)
    run = EvalRun.open(tmp_path / "run")
    remote = [c for c in run.contenders if c.server is not None]
    assert [(c.server, c.server_model) for c in remote] == [(server.url, server.model_id)]
    answers = run.answers()
    assert len(answers) == 2 and all(a.error is None and a.text for a in answers.values())
    for path in run.folder.iterdir():
        assert KEY not in path.read_text(encoding="utf-8"), path.name
