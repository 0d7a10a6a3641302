"""Take the model library screenshot (docs/model-library.png) of the real window under Xvfb.

Run from the repository root (needs Xvfb and a CJK font: ``apt-get install xvfb fonts-noto-cjk``)::

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python docs/make_library_screenshot.py

The model in the list is the tiny test checkpoint converted by our own converter, and a damaged file sits beside it
to show how a file that fails the check is listed. The machine is described, not probed (a 12 GB GPU and 32 GB of
RAM, so the catalog shows every verdict), and the download progress at the bottom is a sample report fed to the
progress panel: nothing is fetched.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import os  # noqa: E402

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

OUT = ROOT / "docs" / "model-library.png"


def settle(app: QApplication, ms: int = 300) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    app.processEvents()


def main() -> int:
    home = Path(tempfile.mkdtemp(prefix="ziya-shot-"))
    os.environ["ZIYA_HOME"] = str(home)
    os.environ.pop("ZIYA_OFFLINE", None)

    from converters.hf_to_gguf import convert
    from ziya_desktop import paths
    from ziya_desktop.engine.hardware import GpuDevice, HardwareInfo
    from ziya_desktop.models.convert_job import JobProgress
    from ziya_desktop.ui.models.model_library import ModelLibraryWindow

    app = QApplication(sys.argv)
    models = paths.models_dir()
    convert(
        ROOT / "tests" / "data" / "tiny_ziya",
        models / "tiny-ziya-Q4_K_M.gguf",
        "q4_k_m",
        threads=1,
        model_name="tiny-ziya (test weights)",
    )
    (models / "old-download.gguf").write_bytes(b"GGUF" + b"\x00" * 60)

    gpu = GpuDevice("CUDA0", "NVIDIA GeForce RTX 4070", "gpu", free_bytes=11_500_000_000, total_bytes=12_800_000_000)
    machine = HardwareInfo(
        gpu_offload=True,
        backend="CUDA",
        gpus=(gpu,),
        physical_cores=8,
        logical_cpus=16,
        total_ram=32_000_000_000,
        available_ram=24_000_000_000,
        cpu_features=frozenset({"AVX2"}),
        system_info="described machine",
    )
    window = ModelLibraryWindow(hardware=machine, lang="en")
    window.resize(1400, 860)
    window.show()
    while window.scanner.running:
        settle(app, 100)
    window.resize(1400, 860)
    window.select_model(models / "tiny-ziya-Q4_K_M.gguf")
    window.progress.begin("Downloading and converting Ziya-Writing-LLaMa-13B-v1 to Q4_K_M…")
    window.progress._progress(
        JobProgress(
            "download",
            0.27,
            1740.0,
            "Downloading pytorch_model-00007-of-00019.bin: 19.3 GB of 52.0 GB at 48.2 MB/s",
        )
    )
    settle(app, 500)
    window.grab().save(str(OUT))
    print(f"wrote {OUT}")
    window.shutdown()
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
