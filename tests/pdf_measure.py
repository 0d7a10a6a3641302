"""Measuring exported pages: glyph positions out of a PDF (pdfplumber), in millimetres from the page's top-left.

``pdf_pages(path)`` gives one :class:`Page` per page; ``Page.lines()`` groups its characters into lines by baseline.
A line's ``top_mm`` is the top of its em box (baseline − 0.88 em, the ideographic em box of CJK faces), which is
what GB/T 9704 measures ("上边缘"), independent of the font's own ascent.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber

MM_PER_PT = 25.4 / 72
_ASCENT = 0.88
_BASELINE_TOLERANCE_PT = 2.0


@dataclass(frozen=True)
class Char:
    text: str
    left_mm: float
    right_mm: float
    baseline_mm: float
    size_pt: float
    color: tuple[float, ...]

    @property
    def top_mm(self) -> float:
        return self.baseline_mm - _ASCENT * self.size_pt * MM_PER_PT


@dataclass(frozen=True)
class TextLine:
    chars: tuple[Char, ...]

    @property
    def text(self) -> str:
        return "".join(c.text for c in self.chars)

    @property
    def left_mm(self) -> float:
        return self.chars[0].left_mm

    @property
    def right_mm(self) -> float:
        return max(c.right_mm for c in self.chars)

    @property
    def top_mm(self) -> float:
        return min(c.top_mm for c in self.chars)

    @property
    def size_pt(self) -> float:
        return max(c.size_pt for c in self.chars)

    def count_from(self, left_mm: float, right_mm: float) -> int:
        """Characters (not spaces) whose left edge lies in [left_mm, right_mm)."""
        return sum(1 for c in self.chars if c.text.strip() and left_mm - 0.3 <= c.left_mm < right_mm - 0.3)


@dataclass(frozen=True)
class Rule:
    """A horizontal line (a drawn line or a thin filled rectangle)."""

    y_mm: float
    left_mm: float
    right_mm: float
    thickness_mm: float
    color: tuple[float, ...]


@dataclass(frozen=True)
class Page:
    width_mm: float
    height_mm: float
    chars: tuple[Char, ...]
    rules: tuple[Rule, ...]

    def lines(self) -> list[TextLine]:
        ordered = sorted(self.chars, key=lambda c: (c.baseline_mm, c.left_mm))
        lines: list[list[Char]] = []
        for char in ordered:
            if lines and abs(lines[-1][0].baseline_mm - char.baseline_mm) <= _BASELINE_TOLERANCE_PT * MM_PER_PT:
                lines[-1].append(char)
            else:
                lines.append([char])
        return [TextLine(tuple(sorted(line, key=lambda c: c.left_mm))) for line in lines]

    def text(self) -> str:
        return "\n".join(line.text for line in self.lines())


def _color(raw: Any) -> tuple[float, ...]:
    if isinstance(raw, list | tuple):
        return tuple(float(v) for v in raw)
    return (float(raw),) if raw is not None else (0.0,)


def pdf_pages(path: Path) -> list[Page]:
    with pdfplumber.open(str(path)) as pdf:
        pages = []
        for page in pdf.pages:
            height = float(page.height)
            chars = tuple(
                Char(
                    c["text"],
                    float(c["x0"]) * MM_PER_PT,
                    float(c["x1"]) * MM_PER_PT,
                    (height - float(c["matrix"][5])) * MM_PER_PT,
                    float(c["size"]),
                    _color(c.get("non_stroking_color")),
                )
                for c in page.chars
            )
            rules = [
                Rule(
                    (float(line["top"]) + float(line["bottom"])) / 2 * MM_PER_PT,
                    float(line["x0"]) * MM_PER_PT,
                    float(line["x1"]) * MM_PER_PT,
                    max(float(line.get("linewidth") or 0), float(line["bottom"]) - float(line["top"])) * MM_PER_PT,
                    _color(line.get("stroking_color")),
                )
                for line in page.lines
            ]
            rules += [
                Rule(
                    (float(r["top"]) + float(r["bottom"])) / 2 * MM_PER_PT,
                    float(r["x0"]) * MM_PER_PT,
                    float(r["x1"]) * MM_PER_PT,
                    (float(r["bottom"]) - float(r["top"])) * MM_PER_PT,
                    _color(r.get("non_stroking_color")),
                )
                for r in page.rects
                if float(r["bottom"]) - float(r["top"]) < 3 and float(r["x1"]) - float(r["x0"]) > 50
            ]
            pages.append(
                Page(
                    float(page.width) * MM_PER_PT, height * MM_PER_PT, chars, tuple(sorted(rules, key=lambda r: r.y_mm))
                )
            )
        return pages


def is_red(color: tuple[float, ...]) -> bool:
    """RGB (or CMYK) that reads as red."""
    if len(color) == 3:
        return color[0] > 0.7 and color[1] < 0.3 and color[2] < 0.3
    if len(color) == 4:
        return color[1] > 0.7 and color[2] > 0.7 and color[0] < 0.3
    return False
