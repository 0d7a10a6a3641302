"""``ziya-desktop generate`` and ``info`` run for real in a subprocess on a Q4_K_M made by ziya-convert."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
STATS_KEYS = {"prompt_tokens", "generated_tokens", "ttft_s", "tokens_per_s", "backend", "gpu_layers", "threads"}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ziya_desktop", *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_generate_streams_text_and_prints_stats(q4: Path) -> None:
    proc = run_cli(
        "generate", "--model", str(q4), "--prompt", "写一封感谢信", "--max-tokens", "64", "--seed", "1", "--stats"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()
    stats = json.loads(proc.stderr.strip().splitlines()[-1])
    assert set(stats) >= STATS_KEYS
    assert 0 < stats["generated_tokens"] <= 64
    assert stats["backend"] == "CPU" and stats["gpu_layers"] == 0
    again = run_cli("generate", "--model", str(q4), "--prompt", "写一封感谢信", "--max-tokens", "64", "--seed", "1")
    assert again.stdout == proc.stdout, "the same seed gives the same text"


def test_ignore_eos_generates_exactly_max_tokens(q4: Path) -> None:
    proc = run_cli(
        "generate",
        "--model",
        str(q4),
        "--prompt",
        "hi",
        "--max-tokens",
        "50",
        "--ignore-eos",
        "--stats",
        "--threads",
        "1",
        "--temperature",
        "0.5",
        "--top-p",
        "0.9",
    )
    assert proc.returncode == 0, proc.stderr
    stats = json.loads(proc.stderr.strip().splitlines()[-1])
    assert stats["generated_tokens"] == 50
    assert stats["threads"] == 1
    assert stats["tokens_per_s"] > 0


@pytest.mark.parametrize("kind", ["missing", "not_gguf", "truncated", "folder"])
def test_bad_model_is_one_clear_line_and_exit_code_2(kind: str, q4: Path, tmp_path: Path) -> None:
    path = tmp_path / "model.gguf"
    if kind == "not_gguf":
        path.write_text("这不是模型文件", encoding="utf-8")
    elif kind == "truncated":
        path.write_bytes(q4.read_bytes()[: q4.stat().st_size // 2])
    elif kind == "folder":
        path.mkdir()
    proc = run_cli("generate", "--model", str(path), "--prompt", "x")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines[0].startswith("ziya-desktop: error: ")
    assert len(lines) == 2 and lines[1].startswith("ziya-desktop: hint: ")
    assert proc.stdout == ""


def test_prompt_longer_than_the_context_is_a_clear_error(q4: Path) -> None:
    proc = run_cli("generate", "--model", str(q4), "--prompt", "年" * 3000, "--ctx", "256")
    assert proc.returncode == 2
    assert "context window" in proc.stderr and "Traceback" not in proc.stderr


def test_info_shows_metadata_and_offload_plan(q4: Path) -> None:
    proc = run_cli("info", "--model", str(q4))
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["model"]["n_layer"] == 2 and info["model"]["file_type"] == "Q4_K_M"
    assert info["model"]["n_vocab"] == 1016
    assert info["offload_plan"]["n_gpu_layers"] == 0
    assert info["machine"]["physical_cores"] >= 1


def test_prompt_that_is_not_utf8_is_one_clear_line(q4: Path) -> None:
    # Bytes that are not UTF-8 reach Python as lone surrogates; they used to end in a UnicodeEncodeError traceback.
    proc = subprocess.run(
        [sys.executable, "-m", "ziya_desktop", "generate", "--model", str(q4), "--prompt", b"\xed\xa0\x80 hi"],
        capture_output=True,
        timeout=120,
        check=False,
    )
    stderr = proc.stderr.decode("utf-8", errors="replace")
    assert proc.returncode == 2, stderr
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert lines[0].startswith("ziya-desktop: error: the prompt is not valid UTF-8 text")
    assert len(lines) == 2 and lines[1].startswith("ziya-desktop: hint: ")
    assert proc.stdout == b""


def test_invalid_gpu_layers_is_rejected(q4: Path) -> None:
    proc = run_cli("generate", "--model", str(q4), "--prompt", "x", "--gpu-layers", "-3")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_info_refuses_a_file_the_engine_would_refuse() -> None:
    """``info`` applies the load gate: a vocabulary llama.cpp aborts on is one clear line, not a usable report."""
    hostile = Path(__file__).resolve().parent / "data" / "hostile_gguf" / "duplicate-token.gguf"
    proc = run_cli("info", "--model", str(hostile))
    assert proc.returncode == 2
    assert "duplicate-token.gguf" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
