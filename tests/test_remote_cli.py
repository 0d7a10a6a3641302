"""``ziya-desktop generate --server URL`` for real in a subprocess: against llama-cpp-python's server with the tiny
GGUF (same output and ``--stats`` line as the in-process engine), and against the hostile server (a dead or wrong
server, a cut stream, a refused key, offline mode: one clear error and exit code 2, the key never printed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_sse_server import ANSWER, HostileServer
from llama_server import LlamaServer, free_port

pytestmark = pytest.mark.slow

STATS_KEYS = {"prompt_tokens", "generated_tokens", "ttft_s", "tokens_per_s", "backend", "gpu_layers", "threads"}
KEY = "sk-cli-77e1-never-printed"


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ziya_desktop", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def server(q4: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    running = LlamaServer(q4, tmp_path_factory.mktemp("llama_server") / "server.log")
    yield running
    running.kill()


@pytest.fixture()
def hostile() -> Iterator[HostileServer]:
    running = HostileServer()
    yield running
    running.close()


def test_generate_streams_from_the_server_with_the_same_stats(server: LlamaServer, q4: Path) -> None:
    args = ("generate", "--prompt", "写一封感谢信", "--max-tokens", "12", "--seed", "1", "--stats")
    proc = run_cli(*args, "--server", server.url)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() and proc.stdout.endswith("\n")
    stats = json.loads(proc.stderr.strip().splitlines()[-1])
    assert set(stats) >= STATS_KEYS
    assert stats["backend"] == "server" and 0 < stats["generated_tokens"] <= 12 and stats["seed"] == 1
    local = run_cli(*args, "--model", str(q4), "--threads", "1")
    assert set(json.loads(local.stderr.strip().splitlines()[-1])) == set(stats), "the same statistics line"
    again = run_cli(*args[:-1], "--server", server.url, "--server-model", server.model_id)
    assert again.returncode == 0 and again.stdout == proc.stdout, "the same seed gives the same text"


def test_the_key_comes_from_the_flag_or_the_environment(hostile: HostileServer) -> None:
    proc = run_cli("generate", "--server", hostile.url, "--prompt", "hi", "--api-key", KEY)
    assert proc.returncode == 0 and proc.stdout == ANSWER + "\n"
    assert hostile.requests[-1]["headers"]["Authorization"] == f"Bearer {KEY}"
    run_cli("generate", "--server", hostile.url, "--prompt", "hi", env={"ZIYA_API_KEY": KEY + "-env"})
    assert hostile.requests[-1]["headers"]["Authorization"] == f"Bearer {KEY}-env"


def errors_of(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.startswith("ziya-desktop: error:")]


@pytest.mark.parametrize(
    ("mode", "extra", "words"),
    [
        ("cut", (), "broke after 4 characters"),
        ("stall", ("--server-timeout", "1"), "sent nothing for 1 s"),
        ("hang", ("--server-timeout", "1"), "sent nothing for 1 s"),
        ("error401", (), "refused the API key (HTTP 401)"),
        ("error500", (), "HTTP 500: CUDA out of memory"),
    ],
)
def test_a_failing_server_is_one_clear_error_and_exit_code_2(
    hostile: HostileServer, mode: str, extra: tuple[str, ...], words: str
) -> None:
    hostile.mode = mode
    proc = run_cli("generate", "--server", hostile.url, "--prompt", "hi", "--api-key", KEY, *extra)
    assert proc.returncode == 2
    [error] = errors_of(proc)
    assert words in error
    assert KEY not in proc.stderr + proc.stdout
    if mode in ("cut", "stall"):  # what arrived before the failure was written out
        assert proc.stdout == ANSWER + "\n"


def test_a_dead_server_a_bad_address_and_offline_mode_exit_2(hostile: HostileServer) -> None:
    dead = run_cli("generate", "--server", f"http://127.0.0.1:{free_port()}", "--prompt", "hi")
    assert dead.returncode == 2 and "refused the connection" in errors_of(dead)[0]
    bad = run_cli("generate", "--server", "127.0.0.1:8080", "--prompt", "hi")
    assert bad.returncode == 2 and "is not a server address" in errors_of(bad)[0]
    offline = run_cli("generate", "--server", hostile.url, "--prompt", "hi", env={"ZIYA_OFFLINE": "1"})
    assert offline.returncode == 2 and "offline mode is on" in errors_of(offline)[0]
    assert hostile.accepted == 0
    neither = run_cli("generate", "--prompt", "hi")
    assert neither.returncode == 2 and "--model FILE or --server URL" in neither.stderr


def test_an_unencrypted_server_elsewhere_is_warned_about_before_any_request(hostile: HostileServer) -> None:
    # Offline mode keeps the test off the network: the warning comes from the address alone, before the refusal.
    elsewhere = run_cli(
        "generate", "--server", "http://gpu-box.example:8080", "--prompt", "hi", env={"ZIYA_OFFLINE": "1"}
    )
    lines = elsewhere.stderr.splitlines()
    assert elsewhere.returncode == 2
    assert lines[0] == "ziya-desktop: warning: the text travels unencrypted to gpu-box.example (use https://)"
    assert "offline mode is on" in lines[1]
    # This computer and https:// are not warned about.
    here = run_cli("generate", "--server", hostile.url, "--prompt", "hi", "--max-tokens", "4")
    assert here.returncode == 0 and "unencrypted" not in here.stderr
    secure = run_cli("generate", "--server", "https://gpu-box.example", "--prompt", "hi", env={"ZIYA_OFFLINE": "1"})
    assert secure.returncode == 2 and "unencrypted" not in secure.stderr
