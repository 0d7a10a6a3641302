"""The README's benchmark tables, generated from the one figures file ``make bench`` writes, so they never disagree.

    python -m benchmarks.render_tables [--figures benchmarks/figures.json] (--write | --check)

``benchmarks/README.md`` gets every figure, one table per group, between ``<!-- figures:begin -->`` and
``<!-- figures:end -->``; the top ``README.md`` gets a summary of the key figures between
``<!-- bench-summary:begin -->`` and ``<!-- bench-summary:end -->``. Both open with where and how the figures were
taken (the file's ``context``). ``--check`` exits 1 when a README differs from what the file renders
(``tests/test_benchmarks.py`` checks the same).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "benchmarks" / "figures.json"
BENCH_README = ROOT / "benchmarks" / "README.md"
TOP_README = ROOT / "README.md"
BLOCKS = {BENCH_README: "figures", TOP_README: "bench-summary"}


@dataclass(frozen=True)
class Row:
    group: str
    name: str
    value: float | None
    unit: str
    goal: str
    met: bool | None


def load(path: Path = FIGURES) -> tuple[dict[str, object], list[Row]]:
    """The figures file's context and rows."""
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = [Row(r["group"], r["name"], r["value"], r["unit"], r["goal"], r["met"]) for r in data["figures"]]
    return dict(data["context"]), rows


def number(value: float | None) -> str:
    """Four significant digits, no exponent; "n/a" for a missing (non-finite) value."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def _met(row: Row) -> str:
    return "" if row.met is None else ("met" if row.met else "**missed**")


def provenance(context: dict[str, object]) -> str:
    """One paragraph: when, where, with what, how long, how loaded, with which arguments."""
    before, after = context.get("load_average_before", [math.nan]), context.get("load_average", [math.nan])
    assert isinstance(before, list | tuple) and isinstance(after, list | tuple)
    arguments = context.get("arguments") or []
    assert isinstance(arguments, list)
    args = " ".join(str(a) for a in arguments) or "(none)"
    size = "full sizes" if context.get("full_size") else "**reduced sizes, not the full `make bench`**"
    text = (
        f"Taken {context.get('date', '?')} by `python -m benchmarks.run_all {args}` ({size}): "
        f"{context.get('cpu', '?')}, {context.get('physical_cores', '?')} physical cores, "
        f"{context.get('threads', '?')} llama.cpp threads, Python {context.get('python', '?')}, "
        f"llama-cpp-python {context.get('llama_cpp_python', '?')}; whole run {context.get('seconds', '?')} s; "
        f"load average {float(before[0]):.2f} at the start and {float(after[0]):.2f} at the end."
    )
    return textwrap.fill(text, width=116, break_long_words=False, break_on_hyphens=False)


def render_full(context: dict[str, object], rows: list[Row]) -> str:
    """Every figure, one table per group, in the file's order."""
    out = [provenance(context), ""]
    group = None
    for row in rows:
        if row.group != group:
            if group is not None:
                out.append("")
            group = row.group
            out += [f"**{group}**", "", "| figure | value | unit | goal | |", "|---|---:|---|---|---|"]
        out.append(f"| {row.name} | {number(row.value)} | {row.unit} | {row.goal} | {_met(row)} |")
    return "\n".join(out)


def _pick(rows: list[Row], group: str, name: str) -> Row | None:
    """The last row whose group starts with ``group`` and whose name matches the regular expression ``name``."""
    found = [r for r in rows if r.group.startswith(group) and re.fullmatch(name, r.name)]
    return found[-1] if found else None


def _with_range(rows: list[Row], group: str, name: str) -> str | None:
    median = _pick(rows, group, f"{name}, median of the runs")
    low, high = _pick(rows, group, f"{name}, lowest run"), _pick(rows, group, f"{name}, highest run")
    if median is None or low is None or high is None:
        return None
    return f"{number(median.value)} (runs {number(low.value)}–{number(high.value)})"


# (what the summary calls it, group prefix, name pattern)
SUMMARY = (
    ("Engine.stream / bare llama.cpp, real width, longest", "decode, synthetic", r"Engine\.stream / bare at \d+"),
    ("editor path / bare llama.cpp, real width, whole call, longest", "decode through the editor, synthetic",
     r"editor path / bare at \d+, whole call"),
    ("editor path / bare llama.cpp, tiny model, whole call, longest", "decode through the editor, tiny",
     r"editor path / bare at \d+, whole call"),
    ("regenerate / one decode step, real width", "time to first token, synthetic", r"regenerate / one decode step"),
    ("app − bare llama.cpp process, 40 layers (f16 KV)", "memory vs bare llama.cpp, synthetic real width, f16",
     r"app − bare \(the app's own cost\) at 40 layers"),
    ("app at 40 layers, extrapolated (f16 KV)", "memory vs bare llama.cpp, synthetic real width, f16",
     r"app, extrapolated to 40 layers"),
    ("app at 40 layers, extrapolated (q8_0 KV)", "memory vs bare llama.cpp, synthetic real width, q8_0",
     r"app, extrapolated to 40 layers"),
    ("KV cache at 40 layers, 2048 tokens (f16)", "memory vs bare llama.cpp, synthetic real width, f16",
     r"KV cache at 40 layers, computed"),
    ("UI heartbeat p99 while the tiny model streams", "UI, real model", r"heartbeat gap p99"),
    ("start-up to a responsive window", "start-up", r"launch to shown, responsive window"),
    ("longest event-loop gap while the model loads", "start-up", r"longest event-loop gap.*"),
    ("conversion / reading and writing the same bytes", "conversion", r"convert / read-and-write throughput"),
    ("crash recovery to the shown dialog", "crash recovery", r"start-up recovery to the shown dialog"),
    ("loss window after SIGKILL mid-generation, p95", "crash recovery, ", r"loss window.*, p95"),
    ("loss window after SIGKILL mid-generation, max", "crash recovery, ", r"loss window.*, max"),
    ("kill trials of the save: document lost", "kill trials", r"document lost.*"),
    ("kill trials of the save: rolled back", "kill trials", r".*rolled back.*"),
)  # fmt: skip
# Summed over every fuzzed reader: (what the summary calls it, group prefix, name pattern of the rows to add up)
TOTALS = (
    ("fuzzing, every reader: inputs", "fuzzing", r".*: inputs"),
    ("fuzzing, every reader: crashes, hangs, unexpected exceptions", "fuzzing",
     r".*: (crashes|hangs|unexpected exceptions)"),
)  # fmt: skip


def render_summary(context: dict[str, object], rows: list[Row]) -> str:
    """The key figures with their goals; the full tables are in benchmarks/README.md."""
    out = [provenance(context), "", "| figure | value | unit | goal | |", "|---|---:|---|---|---|"]
    for label, group, name in SUMMARY:
        row = _pick(rows, group, name)
        if row is not None:
            out.append(f"| {label} | {number(row.value)} | {row.unit} | {row.goal} | {_met(row)} |")
    for label, group, name in TOTALS:
        found = [r for r in rows if r.group.startswith(group) and re.fullmatch(name, r.name)]
        if found:
            total = sum(r.value or 0.0 for r in found)
            goal = "= 0" if "crashes" in label else ""
            met = "" if not goal else ("met" if total == 0 else "**missed**")
            out.append(f"| {label} | {number(total)} | {found[0].unit} | {goal} | {met} |")
    paragraph = "UI, fake source at 200 tokens/s, one 50,000-character paragraph"
    for name in ("heartbeat gap p99", "heartbeat gap max"):
        text = _with_range(rows, paragraph, name)
        row = _pick(rows, paragraph, f"{name}, median of the runs")
        if text is not None and row is not None:
            out.append(
                f"| UI {name}, one 50,000-character paragraph (median) | {text} | ms | {row.goal} | {_met(row)} |"
            )
    return "\n".join(out)


RENDERERS: dict[str, Callable[[dict[str, object], list[Row]], str]] = {
    "figures": render_full,
    "bench-summary": render_summary,
}


def replace_block(text: str, block: str, body: str) -> str:
    """``text`` with what lies between ``<!-- BLOCK:begin -->`` and ``<!-- BLOCK:end -->`` replaced by ``body``.

    Raises:
        ValueError: the markers are missing.
    """
    begin, end = f"<!-- {block}:begin -->", f"<!-- {block}:end -->"
    start, stop = text.find(begin), text.find(end)
    if start < 0 or stop < start:
        raise ValueError(f"the markers {begin} ... {end} are missing")
    return text[: start + len(begin)] + "\n" + body + "\n" + text[stop:]


def rendered(figures: Path = FIGURES) -> dict[Path, str]:
    """What each README must hold, given the figures file."""
    context, rows = load(figures)
    return {
        path: replace_block(path.read_text(encoding="utf-8"), block, RENDERERS[block](context, rows))
        for path, block in BLOCKS.items()
    }


def write_readmes(figures: Path = FIGURES) -> list[Path]:
    """Regenerate the tables of every README from ``figures``; returns the files that changed."""
    changed = []
    for path, text in rendered(figures).items():
        if path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--figures", type=Path, default=FIGURES)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="regenerate the tables")
    mode.add_argument("--check", action="store_true", help="exit 1 if a README differs from what the file renders")
    args = parser.parse_args(argv)
    if args.write:
        for path in write_readmes(args.figures):
            print(f"regenerated {path.relative_to(ROOT)}")
        return 0
    stale = [p for p, text in rendered(args.figures).items() if p.read_text(encoding="utf-8") != text]
    for path in stale:
        print(f"{path.relative_to(ROOT)} differs from {args.figures}: run make bench or --write", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
