"""``ziya-desktop eval``: run (create, resume, Ctrl-C), kl, report, and the one-line errors with exit status 2."""

from __future__ import annotations

import argparse
import io
import json
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from ziya_desktop.eval_cli import add_eval_parser, eval_main
from ziya_desktop.evaluation.run_store import ANSWERS_FILE, EvalRun

pytestmark = pytest.mark.slow

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="module")
def models(tiny_gguf: Callable[[str], Path]) -> tuple[Path, Path]:
    return tiny_gguf("f16"), tiny_gguf("q4_k_m")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ziya-desktop")
    add_eval_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    def call(*argv: str) -> tuple[int, str, str]:
        rc = eval_main(parse(["eval", *argv]))
        captured = capsys.readouterr()
        return rc, captured.out, captured.err

    return call


def run_args(folder: Path, models: tuple[Path, Path], *extra: str) -> list[str]:
    return [
        "run",
        str(folder),
        "--contender",
        f"f16={models[0]},seed=3,max_tokens=8",
        "--contender",
        f"q4={models[1]},seed=3,max_tokens=8,temperature=0.7",
        "--limit",
        "3",
        "--threads",
        "1",
        "--gpu-layers",
        "0",
        "--ctx",
        "1024",
        *extra,
    ]


def test_run_creates_the_run_and_reports_progress(cli: Cli, models: tuple[Path, Path], tmp_path: Path) -> None:
    rc, out, err = cli(*run_args(tmp_path / "run", models))
    assert rc == 0, err
    assert out == ""
    lines = err.splitlines()
    assert lines[0] == "[0/6] loading f16"
    assert lines[1].startswith("[1/6] f16: ")
    assert "[3/6] loading q4" in lines
    assert lines[-1].startswith("ziya-desktop: 6 answers made")
    run = EvalRun.open(tmp_path / "run")
    assert run.prompt_set.name == "builtin" and len(run.prompt_set.prompts) == 3
    assert [(c.name, c.quantization, c.seed) for c in run.contenders] == [("f16", "F16", 3), ("q4", "Q4_K_M", 3)]
    assert all(c.model is not None and c.model.is_absolute() for c in run.contenders)
    assert run.contenders[1].sampling.temperature == 0.7 and run.contenders[1].sampling.max_tokens == 8
    assert len(run.answers()) == 6 and run.missing() == []


def test_run_resumes_and_refuses_other_contenders_or_prompts(
    cli: Cli, models: tuple[Path, Path], tmp_path: Path
) -> None:
    folder = tmp_path / "run"
    assert cli(*run_args(folder, models))[0] == 0
    rc, _, err = cli(*run_args(folder, models))  # the same command again: nothing left to do
    assert rc == 0
    assert "resuming" in err and "loading" not in err and "0 answers made" in err
    rc, _, err = cli("run", str(folder), "--threads", "1", "--gpu-layers", "0")  # or without the contenders
    assert rc == 0 and "0 answers made" in err

    other = run_args(folder, models)
    other[5] = f"q8={models[1]},seed=3,max_tokens=8"
    rc, _, err = cli(*other)
    assert rc == 2
    assert err.count("\n") == 1 and err.startswith("ziya-desktop: error: ") and "other contenders (f16, q4)" in err
    rc, _, err = cli(*run_args(folder, models), "--genre", "letter")
    assert rc == 2 and "other prompts" in err and err.count("\n") == 1


class InterruptOnLine(io.StringIO):
    """stderr that presses Ctrl-C (a real SIGINT to this process) when a line starting with ``start`` is written."""

    def __init__(self, start: str) -> None:
        super().__init__()
        self.start = start

    def write(self, text: str) -> int:
        n = super().write(text)
        if text.startswith(self.start):
            signal.raise_signal(signal.SIGINT)
        return n


def test_ctrl_c_stops_between_prompts_and_the_run_resumes(
    cli: Cli, models: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "run"
    stderr = InterruptOnLine("[2/6]")
    monkeypatch.setattr("sys.stderr", stderr)
    rc = eval_main(parse(["eval", *run_args(folder, models)]))
    monkeypatch.undo()
    assert rc == 130
    err = stderr.getvalue()
    assert "stopped after 2 answers; run the same command again to resume" in err
    assert "[3/6]" not in err
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # Ctrl-C is the usual again
    assert len((folder / ANSWERS_FILE).read_text(encoding="utf-8").splitlines()) == 2
    rc, _, err = cli("run", str(folder), "--threads", "1", "--gpu-layers", "0", "--ctx", "1024")
    assert rc == 0
    assert "4 answers made" in err
    assert next(line for line in err.splitlines() if line.startswith("[")) == "[2/6] loading f16"
    assert len(EvalRun.open(folder).answers()) == 6


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["--contender", "f16=MODEL0"], "at least two contenders"),
        (["--contender", "f16", "--contender", "q4=MODEL1"], "a contender is NAME=PATH.gguf"),
        (["--contender", "a=MODEL0,top_p=7", "--contender", "q4=MODEL1"], "top-p must be more than 0"),
        (["--contender", "a=MODEL0", "--contender", "b=/no/such/model.gguf"], "model.gguf"),
        (["--contender", "a=MODEL0", "--contender", "a=MODEL1"], "two contenders are named 'a'"),
        (["--contender", "a=MODEL0", "--contender", "b=MODEL1", "--prompts", "BAD"], "line 2: unknown genre 'ode'"),
        ([], "no run in that folder yet"),
    ],
)
def test_run_errors_are_one_line_and_exit_2(
    cli: Cli, models: tuple[Path, Path], tmp_path: Path, argv: list[str], problem: str
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"id": "a", "genre": "copy", "instruction": "x"}\n{"id": "b", "genre": "ode", "instruction": "y"}\n', "utf-8"
    )
    swap = {"MODEL0": str(models[0]), "MODEL1": str(models[1]), "BAD": str(bad)}
    argv = [next((a.replace(k, v) for k, v in swap.items() if k in a), a) for a in argv]
    rc, out, err = cli("run", str(tmp_path / "run"), *argv)
    assert rc == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("ziya-desktop: error: ")
    assert problem in err
    assert not (tmp_path / "run" / ANSWERS_FILE).exists()


def test_argument_errors_exit_2(models: tuple[Path, Path], tmp_path: Path) -> None:
    for argv in (
        ["eval", "run", str(tmp_path), "--limit", "0"],
        ["eval", "run", str(tmp_path), "--genre", "poetry"],
        ["eval", "report", str(tmp_path), "--format", "pdf"],
        ["eval", "kl", str(tmp_path), "f16"],
        ["eval"],
    ):
        with pytest.raises(SystemExit) as caught:
            parse(argv)
        assert caught.value.code == 2


def test_kl_prints_a_table_or_json(cli: Cli, models: tuple[Path, Path], tmp_path: Path) -> None:
    folder = tmp_path / "run"
    assert cli(*run_args(folder, models))[0] == 0
    rc, out, err = cli("kl", str(folder), "f16", "q4", "--threads", "1")
    assert rc == 0, err
    assert out.splitlines()[0].startswith("KL divergence of q4 from f16")
    assert out.splitlines()[-1].startswith("all ")
    assert "[1/6]" in err  # progress: three texts through each model
    rc, out, _ = cli("kl", str(folder), "f16", "q4", "--json", "--threads", "1")
    data = json.loads(out)
    overall = data["rows"][-1]
    assert rc == 0 and overall["genre"] == "all" and overall["mean_kl"] > 0 and 0 < overall["top1_agreement"] < 1
    rc, _, err = cli("kl", str(folder), "f16", "q8")
    assert rc == 2 and "no contender named 'q8'" in err and err.count("\n") == 1
    rc, _, err = cli("kl", str(tmp_path / "nothing"), "f16", "q4")
    assert rc == 2 and "no evaluation run here" in err


def test_report_writes_markdown_with_the_kl_rows(cli: Cli, models: tuple[Path, Path], tmp_path: Path) -> None:
    folder = tmp_path / "run"
    assert cli(*run_args(folder, models))[0] == 0
    out_file = tmp_path / "report.md"
    rc, out, err = cli("report", str(folder), "--kl", "f16:q4", "--by-genre", "--out", str(out_file), "--threads", "1")
    assert rc == 0, err
    assert out == ""
    text = out_file.read_text(encoding="utf-8")
    assert "f16" in text and "q4" in text and "KL divergence" in text
    rc, out, _ = cli("report", str(folder), "--format", "csv")
    assert rc == 0 and out.count("\n") >= 1
    rc, _, err = cli("report", str(folder), "--kl", "f16")
    assert rc == 2 and "expected BASE:OTHER" in err
