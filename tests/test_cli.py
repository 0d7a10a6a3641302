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


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--repeat-penalty", "nan", "repetition penalty must be between 0.01 and 100, not nan"),
        ("--repeat-penalty", "0", "repetition penalty must be between 0.01 and 100, not 0.0"),
        ("--repeat-penalty", "1e400", "repetition penalty must be between 0.01 and 100, not inf"),
        ("--temperature", "nan", "temperature must be 0 or between 0.01 and 100, not nan"),
        ("--temperature", "inf", "temperature must be 0 or between 0.01 and 100, not inf"),
        ("--temperature", "-0.5", "temperature must be 0 or between 0.01 and 100, not -0.5"),
        ("--top-p", "0", "top-p must be more than 0 and at most 1, not 0.0"),
        ("--top-p", "1.5", "top-p must be more than 0 and at most 1, not 1.5"),
        ("--max-tokens", "0", "max new tokens must be between 1 and 2147483647, not 0"),
        ("--seed", "-1", "seed must be between 0 and 4294967294, not -1"),
        ("--seed", "4294967295", "seed must be between 0 and 4294967294, not 4294967295"),
        ("--seed", "1.5", "expected a whole number, not '1.5'"),
        ("--temperature", "warm", "expected a number, not 'warm'"),
    ],
)
def test_invalid_sampling_options_are_refused_before_the_model_loads(
    option: str, value: str, expected: str, tmp_path: Path
) -> None:
    """argparse's error line names the option, the value and the range; exit code 2. The model path does not
    exist: had the model been opened first, the error would be about it."""
    proc = run_cli("generate", "--model", str(tmp_path / "absent.gguf"), "--prompt", "x", option, value)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    last = proc.stderr.strip().splitlines()[-1]
    assert last == f"ziya-desktop generate: error: argument {option}: {expected}"
    assert "absent.gguf" not in proc.stderr


def _greedy_text(q4: Path, penalty: str) -> str:
    proc = run_cli(
        "generate", "--model", str(q4), "--prompt", "写一封感谢信", "--max-tokens", "64", "--ignore-eos", "--stats",
        "--temperature", "0", "--repeat-penalty", penalty, "--threads", "1",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stderr.strip().splitlines()[-1])["generated_tokens"] == 64
    return proc.stdout


def test_repeat_penalties_generate_and_change_the_text(q4: Path) -> None:
    """``--repeat-penalty 1.1`` failed every generation with a TypeError from the penalties sampler."""
    texts = {penalty: _greedy_text(q4, penalty) for penalty in ("1.0", "1.1", "2.0")}
    assert all(text.strip() for text in texts.values())
    assert texts["2.0"] != texts["1.0"]
