"""LibreOffice Writer, headless, turning an exported DOCX into a PDF the way an office suite renders it.

Each conversion runs in its own user profile (a temporary folder), so parallel runs never collide. Without
``soffice`` a test is skipped with the reason, except in CI (``CI`` set), where ``make system-deps`` installs it
and its absence is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

_TIMEOUT_S = 120


def soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        message = "LibreOffice (soffice) is not installed; `make system-deps` installs libreoffice-writer-nogui"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def libreoffice_pdf(program: str, docx: Path, out_dir: Path) -> Path:
    """``docx`` rendered to PDF by LibreOffice's ``program`` (headless, in a user profile of its own); the PDF's
    path. Free of pytest, so the documentation's screenshot script converts the same way.

    Raises:
        RuntimeError: LibreOffice failed or wrote no PDF (its output is in the message).
    """
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        result = subprocess.run(
            [
                program,
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out_dir),
                str(docx),
            ],
            capture_output=True,
            text=True,
            timeout=_TIMEOUT_S,
            check=False,
        )
    pdf = out_dir / f"{docx.stem}.pdf"
    if result.returncode != 0 or not pdf.exists():
        raise RuntimeError(f"LibreOffice could not convert {docx.name}: {result.stdout}{result.stderr}")
    return pdf


def docx_to_pdf(docx: Path, out_dir: Path) -> Path:
    """Render ``docx`` with LibreOffice; the PDF's path."""
    try:
        return libreoffice_pdf(soffice(), docx, out_dir)
    except RuntimeError as err:
        raise AssertionError(str(err)) from err
