"""Crash recovery of a long document: start-up to the shown recovery dialog, against plain difflib.

    python -m benchmarks.bench_recovery [--kb 100] [--kill-trials 20] [--model M.gguf] [--json]

A 公文-style document of ``--kb`` kilobytes (UTF-8; paragraphs of stock phrases, so the same characters and
phrases recur as in real official writing) is saved, then edited heavily the way a writer would before a crash:
every second paragraph gets one to six insertions, deletions or replacements, and one paragraph in ten is deleted
or a new one inserted. The edited text goes into a journal as a crashed process leaves it. The app's real start-up
recovery (``start_recovery`` on a shown ``MainWindow``, offscreen) then runs up to the dialog being visible with its
diff rendered. The baseline, in the same run, is the diff recovery used before: ``difflib.SequenceMatcher`` with
``autojunk=False`` over the same diff units. The diff's step count (see ``ziya_desktop.writing.diff.DiffBudget``)
is reported too: it bounds the work whatever the machine.

With ``--kill-trials N`` (default 20; ``--model``, default the tiny test checkpoint converted to Q4_K_M) the real
app is also killed with SIGKILL N times in the middle of a generation, each start recovering what the last one
lost (``benchmarks.fuzz_kill_timing`` runs the app). Each start (``run_gui``, offscreen, one ``ZIYA_HOME`` for all)
restores what the recovery dialog offers, or opens the 20 KB document when nothing was left to recover, continues
it at its end with the model and saves it every 1.5 s while the model writes. The model is **paced**: each
streamed token is delayed 15 ms (about 50 tokens/s measured, a fast GPU's pace for a 13B model; the tiny model
alone writes thousands a second), so that a kill lands mid-stream: 0.3 to 2.2 s into it, or, for every second
kill, at the first save after that moment. Every change of the text is reported with its SHA-256, and every save
as it begins and after it returned. Per kill, judged by the next start: the loss window (from the first change the
recovered text lacks to the kill); the time from launch, and from the shown window, to the recovery dialog; whether
the recovered text is, by hash, exactly a text the editor showed before the kill; whether the saved file is one
complete version and never older than the last save that had completed; whether the kill landed mid-save (a save
had begun and not returned).
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from benchmarks.fuzz_kill_timing import TOKEN_DELAY_S, Run, launch, text_sha
from ziya_desktop.bench import Figure, figure, figures_json, format_table

GOAL_S = 2.0
ROOT = Path(__file__).resolve().parent.parent
KILL_TRIALS = 20
SEED_TEXT = "关于召开年度工作会议的通知\n\n各部门：\n"
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
            window.ask_unsaved = lambda _tab: QMessageBox.StandardButton.Discard  # type: ignore[method-assign,assignment]
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


# -- SIGKILL in the middle of a generation, again and again ----------------------------------------------------------


@dataclass
class KillTrial:
    """One SIGKILL mid-generation, judged by the start after it."""

    streamed_s: float  # from the first streamed change to the kill
    dialog_s: float | None  # launch of the next start to its recovery dialog (None: nothing was left to recover)
    dialog_after_up_s: float | None  # the same from the shown window (start_recovery's own time)
    loss_s: float  # from the first change the recovered text lacks to the kill (nan: no state matched)
    matched: bool  # the recovered text is, by SHA-256, a text the editor showed before the kill
    named_model: bool  # the dialog said which model was writing
    mid_save: bool  # a save had begun and not returned when the kill came
    aimed_mid_save: bool
    file_ok: bool  # the saved file is one complete version (a finished save's, or the interrupted one's)
    rolled_back: bool  # the saved file is older than the last save that had completed
    temps_left: int
    tokens_per_s: float


@dataclass
class KillRecovery:
    trials: list[KillTrial] = field(default_factory=list)
    seconds: float = 0.0


def judge_kill(killed: Run, after: Run, saves: list[str], model_name: str) -> KillTrial:
    """Compare what ``after`` recovered and the file on disk with what ``killed`` showed and saved."""
    states = killed.states()
    start = after.first("start")
    assert start is not None
    match = max((i for i, (_t, sha) in enumerate(states) if sha == start["sha"]), default=None)
    loss = math.nan if match is None else (killed.killed_at - states[match + 1][0] if match + 1 < len(states) else 0)
    saves += [e["file"] for e in killed.events if e["ev"] == "saved" and e["ok"]]
    on_disk = hashlib.sha256(killed.file_after).hexdigest()
    in_flight = killed.save_in_flight()
    try:
        file_text_sha = text_sha(killed.file_after.decode("utf-8"))
    except UnicodeDecodeError:
        file_text_sha = ""
    landed = in_flight is not None and file_text_sha == in_flight and on_disk != saves[-1]
    if landed:
        saves.append(on_disk)  # the interrupted save had renamed its file into place: the newest version
    texts = [e for e in killed.events if e["ev"] == "text"]
    rate = (texts[-1]["tokens"] - texts[0]["tokens"]) / (texts[-1]["t"] - texts[0]["t"]) if len(texts) > 1 else 0.0
    dialog, up = after.first("dialog"), after.first("up")
    generate = killed.first("generate")
    began = next((e["t"] for e in texts if generate is not None and e["t"] >= generate["t"]), killed.killed_at)
    return KillTrial(
        streamed_s=killed.killed_at - began,
        dialog_s=None if dialog is None else dialog["t"] - after.launched,
        dialog_after_up_s=None if dialog is None or up is None else dialog["t"] - up["t"],
        loss_s=loss,
        matched=match is not None,
        named_model=dialog is not None and model_name in str(dialog["details"]),
        mid_save=in_flight is not None,
        aimed_mid_save=killed.aimed_mid_save,
        file_ok=on_disk == saves[-1],
        rolled_back=on_disk in saves[:-1] and on_disk != saves[-1],
        temps_left=killed.temps_left,
        tokens_per_s=rate,
    )


def initial_document() -> str:
    """The kill trials' document: about 20 KB of 公文 paragraphs, ending in the text the model continues."""
    return heavy_edit_pair(20_000, seed=7)[0] + SEED_TEXT


def measure_kill_recovery(
    model: Path, trials: int = KILL_TRIALS, *, seed: int = 5, work: Path | None = None
) -> KillRecovery:
    """Kill the app ``trials`` times mid-generation, each start recovering the last kill (see the module's text).

    Raises:
        RuntimeError: a start failed, showed no dialog although journals were left, or never reached its kill.
    """
    rng = random.Random(seed)
    began = time.perf_counter()
    result = KillRecovery()
    with tempfile.TemporaryDirectory(prefix="ziya-kill-recovery-", dir=work) as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        doc = Path(tmp) / "通知.md"
        doc.write_bytes(initial_document().encode("utf-8"))
        env = dict(os.environ, ZIYA_HOME=str(home), QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
        saves = [hashlib.sha256(doc.read_bytes()).hexdigest()]
        killed: Run | None = None
        for i in range(trials + 1):
            run = launch(model, doc, env, final=i == trials, rng=rng, aim=i % 2 == 1)
            if killed is not None:
                result.trials.append(judge_kill(killed, run, saves, model.name))
            killed = run
    result.seconds = time.perf_counter() - began
    return result


def _p95(values: list[float]) -> float:
    """The nearest-rank 95th percentile (the 19th of 20); nan when empty or when any value is nan."""
    if not values or any(math.isnan(v) for v in values):
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _spread(g: str, name: str, values: list[float], goal: bool) -> list[Figure]:
    """p95 and max of ``values`` in seconds, against GOAL_S when ``goal``."""
    worst = max(values) if values and not any(math.isnan(v) for v in values) else math.nan
    text = f"<= {GOAL_S:g} s" if goal else ""
    return [
        figure(g, f"{name}, p95", _p95(values), "s", text, _p95(values) <= GOAL_S if goal else None),
        figure(g, f"{name}, max", worst, "s", text, worst <= GOAL_S if goal else None),
    ]


def kill_recovery_figures(result: KillRecovery) -> list[Figure]:
    """The loss window and the time to the recovery dialog (p95, max) against the 2 s goal; content, file and
    mid-save counts; the model's pace."""
    t = result.trials
    n = len(t)
    g = f"crash recovery, {n} SIGKILLs mid-generation (model paced: +{TOKEN_DELAY_S * 1000:g} ms a token)"
    shown = [x for x in t if x.dialog_s is not None]
    rate = statistics.median(x.tokens_per_s for x in t) if t else math.nan
    return [
        figure(g, "kill trials", n, "trials"),
        figure(g, "model pace: delay added per streamed token", TOKEN_DELAY_S * 1000, "ms"),
        figure(g, "streaming rate measured (paced), median", rate, "tokens/s"),
        figure(g, "streamed before the kill, shortest", min((x.streamed_s for x in t), default=math.nan), "s"),
        *_spread(g, "loss window (first change not recovered to the kill)", [x.loss_s for x in t], True),
        figure(g, "starts that showed the recovery dialog", len(shown), "trials"),
        *_spread(g, "shown window to recovery dialog", [x.dialog_after_up_s or 0.0 for x in shown], True),
        *_spread(
            g, "launch to recovery dialog (interpreter start included)", [x.dialog_s or 0.0 for x in shown], False
        ),
        figure(
            g,
            "recovered text = a text shown before the kill (SHA-256)",
            sum(x.matched for x in t),
            "trials",
            f"= {n}",
            all(x.matched for x in t),
        ),
        figure(g, "dialog named the model that was writing", sum(x.named_model for x in shown), "trials"),
        figure(g, "kills that landed mid-save", sum(x.mid_save for x in t), "trials"),
        figure(g, "kills aimed at the start of a save", sum(x.aimed_mid_save for x in t), "trials"),
        figure(g, "kills that left a save's temp file", sum(x.temps_left > 0 for x in t), "trials"),
        figure(
            g,
            "saved file not one complete version",
            sum(not x.file_ok for x in t),
            "trials",
            "= 0",
            all(x.file_ok for x in t),
        ),
        figure(
            g,
            "saved file rolled back to an older version",
            sum(x.rolled_back for x in t),
            "trials",
            "= 0",
            not any(x.rolled_back for x in t),
        ),
    ]


def tiny_model(folder: Path) -> Path:
    """The tiny test checkpoint converted to Q4_K_M in ``folder`` (a second or two)."""
    from converters.hf_to_gguf import convert
    from ziya_desktop.engine.llama_api import ensure_backend

    ensure_backend()  # routes the quantizer's log into logging instead of the report's output
    out = folder / "tiny-q4_k_m.gguf"
    convert(ROOT / "tests" / "data" / "tiny_ziya", out, "q4_k_m", threads=1)
    return out


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--kb", type=int, default=100, help="size of the saved document in KB (default 100)")
    parser.add_argument("--kill-trials", type=int, default=KILL_TRIALS, help="SIGKILLs mid-generation (0: none)")
    parser.add_argument("--model", type=Path, default=None, help="GGUF for the kill trials (default: tiny model)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    opts = parser.parse_args(args)
    figures = measure_recovery(opts.kb)
    if opts.kill_trials > 0:
        with tempfile.TemporaryDirectory(prefix="ziya-bench-recovery-model-") as tmp:
            model = opts.model if opts.model is not None else tiny_model(Path(tmp))
            figures += kill_recovery_figures(measure_kill_recovery(model, opts.kill_trials))
    print(figures_json(figures) if opts.json else format_table(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
