"""Smoke test of an installed wheel, run by .ci/wheel_smoke.sh in a fresh virtual environment outside the checkout.

Usage: python wheel_smoke.py CHECKOUT TINY_CHECKPOINT WORK_DIR

Checks that the app runs from what the wheel installed, not from the checkout: the model catalog loads, every
built-in template loads, the Chinese translation loads, and the installed ``ziya-convert`` and ``ziya-desktop``
commands convert the tiny checkpoint and generate from it. Prints what it checked; exits non-zero on the first
failure.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def check(condition: bool, what: str) -> None:
    if not condition:
        raise SystemExit(f"wheel smoke: FAILED: {what}")
    print(f"wheel smoke: ok: {what}")


def main() -> None:
    checkout, checkpoint, work = (Path(a).resolve() for a in sys.argv[1:4])
    os.environ["ZIYA_HOME"] = str(work / "home")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    import ziya_desktop
    from ziya_desktop import paths

    installed = Path(ziya_desktop.__file__).resolve().parent
    check(not installed.is_relative_to(checkout), f"ziya_desktop is imported from {installed}, outside the checkout")
    check(not paths.resources_dir().is_relative_to(checkout), f"resources are read from {paths.resources_dir()}")

    from ziya_desktop.models.catalog import load_catalog

    catalog = load_catalog()
    check(len(catalog) > 0, f"the model catalog loads ({len(catalog)} models)")

    from ziya_desktop.writing.template_files import load_templates

    library = load_templates(paths.builtin_templates_dir())
    check(not library.errors, f"built-in templates load without errors {[str(e) for e in library.errors]}")
    check(len(library.templates) >= 19, f"every built-in template loads ({len(library.templates)})")

    from PySide6.QtCore import QCoreApplication

    from ziya_desktop.ui.common.i18n import install_translations

    app = QCoreApplication([])
    check(install_translations(app, "zh"), "the zh_CN translation loads")
    check(QCoreApplication.translate("ErrorHints", "Load a model first.") != "Load a model first.", "it translates")

    bin_dir = Path(sys.executable).parent
    check((bin_dir / "ziya-desktop-gui").is_file(), "the GUI launcher ziya-desktop-gui is installed")
    gguf = work / "tiny-q8_0.gguf"
    subprocess.run(
        [str(bin_dir / "ziya-convert"), str(checkpoint), "--outfile", str(gguf), "--outtype", "q8_0"], check=True
    )
    check(gguf.is_file(), "the installed ziya-convert writes a GGUF")
    run = subprocess.run(
        [
            str(bin_dir / "ziya-desktop"),
            "generate",
            "--model",
            str(gguf),
            "--prompt",
            "写一封感谢信",
            "--max-tokens",
            "8",
            "--seed",
            "1",
            "--stats",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    check(run.returncode == 0, f"the installed ziya-desktop generates (exit {run.returncode}: {run.stderr[-500:]})")
    check('"generated_tokens"' in run.stderr, "generate prints its --stats line")
    print("wheel smoke: passed")


if __name__ == "__main__":
    main()
