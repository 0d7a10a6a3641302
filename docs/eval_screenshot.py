"""Take the judging window's screenshot (docs/judging-window.png) of a real run under Xvfb.

Run from the repository root (needs Xvfb and a CJK font: ``apt-get install xvfb fonts-noto-cjk``)::

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python docs/eval_screenshot.py

The run is made the way a writer makes one: the tiny test checkpoint is converted to F16 and Q4_K_M by our own
converter, and the runner asks both the first prompt of each genre of the built-in set. The tiny model's weights
are random, so its answers are strings of random tokens; the pictures show the window, not writing quality. The
first (judging-window.png) is a round waiting for its verdict, the contenders hidden; the second
(judging-window-revealed.png) is the same round just judged, the line under the answers naming the two.
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

OUT = ROOT / "docs" / "judging-window.png"
REVEALED = ROOT / "docs" / "judging-window-revealed.png"
PROMPTS = 4


def settle(ms: int = 400) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main() -> int:
    home = Path(tempfile.mkdtemp(prefix="ziya-eval-shot-"))
    os.environ["ZIYA_HOME"] = str(home)
    from converters.hf_to_gguf import convert
    from ziya_desktop.engine.engine import LoadOptions
    from ziya_desktop.engine.sampling import MODEL_CARD
    from ziya_desktop.evaluation.contenders import Contender
    from ziya_desktop.evaluation.prompt_sets import PromptSet, builtin_prompt_set
    from ziya_desktop.evaluation.run_store import EvalRun
    from ziya_desktop.evaluation.runner import local_engine_factory, run_answers
    from ziya_desktop.ui.common.i18n import install_translations
    from ziya_desktop.ui.common.settings import configure_application_identity
    from ziya_desktop.ui.evaluation.judging_window import JudgingWindow

    models = {}
    for outtype in ("f16", "q4_k_m"):
        models[outtype] = home / f"ziya-tiny-{outtype}.gguf"
        convert(ROOT / "tests" / "data" / "tiny_ziya", models[outtype], outtype, threads=2)
    builtin = builtin_prompt_set()
    # One prompt of each genre, so the picture's round is a realistic instruction.
    firsts = {p.genre: p for p in reversed(builtin.prompts)}
    prompts = PromptSet("builtin (one per genre)", tuple(firsts.values())[:PROMPTS])
    sampling = MODEL_CARD.with_(max_tokens=60)
    contenders = [
        Contender("Q4_K_M", model=models["q4_k_m"], sampling=sampling),
        Contender("F16", model=models["f16"], sampling=sampling),
    ]
    run = EvalRun.create(home / "runs" / "tiny-q4-vs-f16", prompts, contenders, name="tiny Q4_K_M vs F16")
    run_answers(run, engine_factory=local_engine_factory(LoadOptions(gpu_layers=0, n_ctx=512, threads=2)))

    app = QApplication(sys.argv[:1])
    configure_application_identity()
    install_translations(app, "en")
    window = JudgingWindow(run, reveal_ms=60_000)
    window.resize(1400, 860)
    window.show()
    window.start("Li")
    window.give_verdict("a")
    window.next_round()
    settle(600)
    window.grab().save(str(OUT))
    window.give_verdict("tie")
    settle(600)
    window.grab().save(str(REVEALED))
    window.close()
    print("screenshots written to", OUT, "and", REVEALED)
    return 0


if __name__ == "__main__":
    sys.exit(main())
