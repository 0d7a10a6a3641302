"""``ziya-desktop --self-test`` from a checkout: the tiny model, a few tokens, a 通知 drafted, PDF and DOCX checked.

The packaged app runs the same checks on the model it ships (``make package`` runs them on the bundle); here the
model is the tests' tiny GGUF, or the checkpoint converted by the self-test itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ziya_desktop.self_test import CHECKS, ENV_MODEL, NOTICE_TITLE, pdf_info_title

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", ENV_MODEL)}
    environment.update({"ZIYA_HOME": str(home), **env})
    return subprocess.run(
        [sys.executable, "-m", "ziya_desktop", "--self-test", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        timeout=600,
        check=False,
    )


@pytest.mark.slow
def test_the_self_test_passes_and_says_what_it_checked(q4: Path, tmp_path: Path) -> None:
    done = _run("--self-test-model", str(q4), home=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Ziya Desktop ") and lines[0].endswith(" self-test")
    for name, _ in CHECKS:
        assert any(line.startswith(f"ok   {name}: ") for line in lines), (name, done.stdout)
    assert f"title “{NOTICE_TITLE}”" in done.stdout
    assert lines[-1] == f"self-test passed: {len(CHECKS)} checks"
    # The writer's data folder is not touched: the self-test used its own temporary one.
    assert not any(tmp_path.iterdir())


@pytest.mark.slow
def test_from_a_checkout_it_converts_the_tiny_checkpoint_itself(tmp_path: Path) -> None:
    done = _run(home=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "tiny-ziya-q4_k_m.gguf" in done.stdout


def test_a_failing_check_is_named_and_the_exit_status_is_not_zero(tmp_path: Path) -> None:
    done = _run(home=tmp_path, **{ENV_MODEL: str(tmp_path / "missing.gguf")})
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert f"FAIL model: CheckFailed: no model file at {tmp_path / 'missing.gguf'}" in lines
    assert lines[-1] == "self-test FAILED at check 'model'"
    # The checks before it ran and passed.
    assert [line.split(":")[0] for line in lines[1:4]] == ["ok   app", "ok   resources", "ok   qt"]


def test_the_pdf_title_is_read_from_the_document_information() -> None:
    utf16 = "\ufeff标题(1)".encode("utf-16-be")
    escaped = utf16.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    assert pdf_info_title(b"%PDF-1.4\n<< /Title (" + escaped + b")\n/Creator (x) >>") == "标题(1)"
    assert pdf_info_title(b"<< /Title (Plain \\(a\\) \\101) >>") == "Plain (a) A"
    assert pdf_info_title(b"<< /Title <FEFF6807> >>") == "标"
    assert pdf_info_title(b"%PDF-1.4 no information") is None
