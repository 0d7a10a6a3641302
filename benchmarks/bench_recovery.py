"""Crash recovery of a long document: start-up to the shown recovery dialog, against plain difflib.

    python -m benchmarks.bench_recovery [--kb 100] [--json]

A 公文-style document of ``--kb`` kilobytes (UTF-8; paragraphs of stock phrases, so the same characters and
phrases recur as in real official writing) is saved, then edited heavily the way a writer would before a crash:
every second paragraph gets one to six insertions, deletions or replacements, and one paragraph in ten is deleted
or a new one inserted. The edited text goes into a journal as a crashed process leaves it. The app's real start-up
recovery (``start_recovery`` on a shown ``MainWindow``, offscreen) then runs up to the dialog being visible with its
diff rendered. The baseline, in the same run, is the diff recovery used before: ``difflib.SequenceMatcher`` with
``autojunk=False`` over the same diff units. The diff's step count (see ``ziya_desktop.writing.diff.DiffBudget``)
is reported too: it bounds the work whatever the machine.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from difflib import SequenceMatcher
from pathlib import Path

from ziya_desktop.bench import Figure, figure, figures_json, format_table

GOAL_S = 2.0
_PHRASES = (
    "各部门",
    "要进一步",
    "提高工作效率",
    "加强组织领导",
    "认真贯彻落实",
    "的",
    "了",
    "，",
    "。",
    "会议精神",
    "切实做好",
    "相关工作",
    "确保",
    "按时完成",
    "年度目标任务",
    "我们",
    "和",
    "在",
    "全面推进",
    "高质量发展",
    "2026年",
    "第一季度",
    "各单位",
    "要",
    "结合实际",
    "制定",
    "具体方案",
    "并",
    "及时",
    "报送",
    "办公室",
    "联系人",
    "电话",
)


def _paragraph(rng: random.Random) -> str:
    return "".join(rng.choice(_PHRASES) for _ in range(rng.randint(20, 80))) + "。"


def _edit(rng: random.Random, paragraph: str) -> str:
    chars = list(paragraph)
    for _ in range(rng.randint(1, 6)):
        pos = rng.randrange(len(chars) + 1)
        kind = rng.random()
        if kind < 0.4:
            chars[pos:pos] = rng.choice(_PHRASES)
        elif kind < 0.7:
            del chars[pos : pos + rng.randint(1, 8)]
        else:
            chars[pos : pos + rng.randint(1, 6)] = rng.choice(_PHRASES)
    return "".join(chars)


def heavy_edit_pair(size_bytes: int, *, seed: int = 1, edited: float = 0.5) -> tuple[str, str]:
    """A saved document of about ``size_bytes`` UTF-8 bytes and the same document after heavy editing.

    Args:
        size_bytes: the saved text's size.
        seed: the random seed (the pair is the same for the same arguments).
        edited: the share of paragraphs that get edits inside them.
    """
    rng = random.Random(seed)
    saved: list[str] = []
    size = 0
    while size < size_bytes:
        saved.append(_paragraph(rng))
        size += len(saved[-1].encode("utf-8")) + 1
    revised: list[str] = []
    for paragraph in saved:
        fate = rng.random()
        if fate < 0.05:
            continue
        if fate < 0.10:
            revised.append(_paragraph(rng))
        revised.append(_edit(rng, paragraph) if rng.random() < edited else paragraph)
    return "\n".join(saved) + "\n", "\n".join(revised) + "\n"


def measure_recovery(size_kb: int = 100) -> list[Figure]:
    """Start-up recovery of a ``size_kb`` KB heavily edited document up to the shown dialog; the plain difflib
    baseline on the same text. Runs in this process with its own ``ZIYA_HOME`` (restored afterwards)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ziya_desktop import paths
    from ziya_desktop.documents.journal import JournalEntry, new_document_id, saved_file_state, write_journal
    from ziya_desktop.documents.storage import save_document
    from ziya_desktop.ui.files.recovery_dialog import RecoveryDialog, start_recovery
    from ziya_desktop.ui.shell.main_window import MainWindow
    from ziya_desktop.writing.diff import DIFF_STEP_LIMIT, DiffBudget, diff_changes, diff_units

    saved_text, revised = heavy_edit_pair(size_kb * 1000)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    old_home = os.environ.get("ZIYA_HOME")
    with tempfile.TemporaryDirectory(prefix="ziya-bench-recovery-") as tmp:
        os.environ["ZIYA_HOME"] = str(Path(tmp) / "home")
        try:
            document = Path(tmp) / "通知.md"
            save_document(document, saved_text)
            entry = JournalEntry(
                document_id=new_document_id(),
                title=document.name,
                path=document,
                saved=saved_file_state(document),
                text=revised,
                cursor=0,
                written_at=time.time() - 5,
                pid=999_999_999,
            )
            write_journal(paths.journal_dir(), entry)
            window = MainWindow(lang="en")
            window.show()
            app.processEvents()
            began = time.perf_counter()
            start = start_recovery(window)
            opened: list[object] = []
            start.finished.connect(opened.append)
            while not opened:  # the scan runs on a worker thread; the dialog opens on this one when it is done
                app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
            dialog = opened[0]
            shown_s = time.perf_counter() - began
            if not isinstance(dialog, RecoveryDialog) or not dialog.isVisible():
                raise RuntimeError("the recovery dialog did not open")
            changes_shown = len(dialog.recovered()[0].changes())
            dialog.reject()
            window.ask_unsaved = lambda _tab: QMessageBox.StandardButton.Discard  # type: ignore[method-assign]
            window.close()
            window.deleteLater()
            app.processEvents()
        finally:
            if old_home is None:
                os.environ.pop("ZIYA_HOME", None)
            else:
                os.environ["ZIYA_HOME"] = old_home

    budget = DiffBudget()
    began = time.perf_counter()
    diff_changes(saved_text, revised, budget=budget)
    diff_s = time.perf_counter() - began
    a_units, b_units = diff_units(saved_text), diff_units(revised)
    began = time.perf_counter()
    SequenceMatcher(None, a_units, b_units, autojunk=False).get_opcodes()
    plain_s = time.perf_counter() - began

    g = f"crash recovery, {size_kb} KB document with heavy edits"
    return [
        figure(g, "start-up recovery to the shown dialog", shown_s, "s", f"<= {GOAL_S:g} s", shown_s <= GOAL_S),
        figure(g, "changes listed", changes_shown, "changes"),
        figure(g, "diff alone", diff_s, "s"),
        figure(g, f"diff steps (budget {DIFF_STEP_LIMIT:,})", budget.steps, "steps"),
        figure(g, "regions shown whole (budget exceeded)", budget.fallbacks, "regions"),
        figure(g, "plain difflib on the same units (old diff)", plain_s, "s"),
        figure(g, "plain difflib / diff", plain_s / diff_s if diff_s > 0 else float("nan"), "ratio"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--kb", type=int, default=100, help="size of the saved document in KB (default 100)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = parser.parse_args(argv)
    figures = measure_recovery(args.kb)
    print(figures_json(figures) if args.json else format_table(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
