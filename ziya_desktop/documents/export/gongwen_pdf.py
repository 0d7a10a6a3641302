"""The 公文 PDF: the pages of :func:`~ziya_desktop.documents.export.gongwen_lines.paginate` painted with Qt.

Every glyph is drawn once, at the position the grid gives it, so the type area holds exactly 28 characters × 22
lines, nothing is painted twice (no line is clipped at a page break and printed again on the next page) and the
text layer reads as the document. The faces the standard names are used where installed; otherwise the nearest
installed face stands in and the export says which (:attr:`GongwenPainter.notes`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetricsF, QPaintDevice, QPainter, QPen

from ziya_desktop.documents.export import gongwen
from ziya_desktop.documents.export.gongwen_lines import (
    AREA_HEIGHT_PT,
    AREA_WIDTH_PT,
    ASCENT,
    PageContent,
    PlacedRule,
    paginate,
)
from ziya_desktop.documents.export.gongwen_model import FACE_STACKS, Face, GongwenLayout, Para, Run
from ziya_desktop.translatable import QT_TRANSLATE_NOOP

__all__ = ["GongwenPainter"]

# Half-width text: the standard's Times New Roman, else a metric twin.
_LATIN = ("Times New Roman", "Liberation Serif", "Nimbus Roman", "TeX Gyre Termes", "DejaVu Serif")
_DOUBLE_GAP_PT = 1.0
_DOUBLE_THIN_PT = 0.5


class GongwenPainter:
    """Lays out a 公文 for one paint device and paints its pages.

    Args:
        layout: the 公文, from :func:`~ziya_desktop.documents.export.gongwen_layout.layout_for`.
        device: where it is painted (a ``QPdfWriter``); its resolution must not change afterwards.
        fallback: an installed CJK family for faces none of whose names are installed.
    """

    def __init__(self, layout: GongwenLayout, device: QPaintDevice, fallback: str | None) -> None:
        self._device = device
        self._px_per_pt = device.logicalDpiY() / gongwen.PT_PER_INCH
        known = set(QFontDatabase.families())
        latin = [name for name in _LATIN if name in known]
        self._latin = latin
        self._families: dict[Face, list[str]] = {}
        self.notes: list[str] = []
        used_faces = {run.face for para in (*layout.flow, *layout.record) for run in _runs_of(para)} | {Face.SONGTI}
        for face, stack in FACE_STACKS.items():
            installed = [name for name in stack if name in known]
            if not installed and fallback:
                installed = [fallback]
            self._families[face] = installed
            if face in used_faces and installed and installed[0] != stack[0]:
                self.notes.append(
                    QT_TRANSLATE_NOOP(
                        "PdfExport", "“{wanted}” is not installed; the PDF uses “{used}” in its place."
                    ).format(wanted=stack[0], used=installed[0])
                )
        self._fonts: dict[tuple[Face, bool, float, bool], QFont] = {}
        self.pages: list[PageContent] = paginate(layout, self._measure)

    def _font(self, run: Run, size_pt: float, text: str = "") -> QFont:
        """The font for ``text``: the face's CJK family for full-width text, the Latin one for half-width text.

        Chosen here rather than left to Qt's fallback, which takes the platform's fallback family for CJK glyphs
        missing from the first family (a sans face in the middle of 仿宋 text), not the next family of the list.
        """
        latin = bool(text) and all(unicodedata.east_asian_width(c) not in ("W", "F") for c in text)
        key = (run.face, run.bold, size_pt, latin)
        font = self._fonts.get(key)
        if font is None:
            font = QFont()
            font.setFamilies([*self._latin, *self._families[run.face]] if latin else self._families[run.face])
            font.setPointSizeF(size_pt)
            font.setBold(run.bold)
            # Noto CJK's locl feature swaps digits for glyphs its cmap does not reach: they would not copy out.
            font.setFeature(QFont.Tag("locl"), 0)
            font.setKerning(False)
            self._fonts[key] = font
        return font

    def _measure(self, text: str, run: Run, size_pt: float) -> float:
        metrics = QFontMetricsF(self._font(run, size_pt, text), self._device)
        return metrics.horizontalAdvance(text) / self._px_per_pt

    def families(self) -> list[str]:
        """Every family a page may be painted with (for the ToUnicode repair)."""
        return list(dict.fromkeys([*self._latin, *(name for names in self._families.values() for name in names)]))

    def painted_text(self) -> str:
        """Every character painted, page numbers included (for the ToUnicode repair)."""
        lines = (glyph.text for page in self.pages for line in page.lines for glyph in line.glyphs)
        return "".join(lines) + "— 0123456789"

    def paint_page(self, painter: QPainter, index: int) -> None:
        """Paint page ``index``; the painter's origin is the page's top-left corner."""
        page = self.pages[index]
        scale = self._px_per_pt
        left = gongwen.mm_to_pt(gongwen.MARGIN_LEFT_MM)
        top = gongwen.mm_to_pt(gongwen.MARGIN_TOP_MM)
        for line in page.lines:
            para = line.para
            painter.setPen(QColor(f"#{para.color}"))
            baseline = (top + line.baseline) * scale
            for glyph in line.glyphs:
                if glyph.text.strip():
                    painter.setFont(self._font(glyph.run, para.size_pt, glyph.text))
                    painter.drawText(QPointF((left + glyph.x) * scale, baseline), glyph.text)
        for placed in page.rules:
            self._paint_rule(painter, placed, left, top)
        if page.number is not None:
            self._paint_number(painter, page.number, left, top)

    def _paint_rule(self, painter: QPainter, placed: PlacedRule, left: float, top: float) -> None:
        rule, scale = placed.rule, self._px_per_pt
        length = gongwen.mm_to_pt(rule.length_mm)
        x0 = left + (AREA_WIDTH_PT - length) / 2
        strokes = [(0.0, rule.thickness_pt)]
        if rule.double:
            thin_at = rule.thickness_pt / 2 + _DOUBLE_GAP_PT + _DOUBLE_THIN_PT / 2
            strokes = (
                [(0.0, _DOUBLE_THIN_PT), (thin_at, rule.thickness_pt)]
                if rule.thin_first
                else [
                    (0.0, rule.thickness_pt),
                    (thin_at, _DOUBLE_THIN_PT),
                ]
            )
        for offset, width in strokes:
            y = (top + placed.y + offset) * scale
            pen = QPen(QColor(f"#{rule.color}"))
            pen.setWidthF(width * scale)
            painter.setPen(pen)
            painter.drawLine(QPointF(x0 * scale, y), QPointF((x0 + length) * scale, y))

    def _paint_number(self, painter: QPainter, number: int, left: float, top: float) -> None:
        scale, size = self._px_per_pt, gongwen.PAGE_NUMBER_SIZE_PT
        text = gongwen.page_number_text(number)
        font = self._font(Run("", Face.SONGTI), size, text)
        width = QFontMetricsF(font, self._device).horizontalAdvance(text) / scale
        # The number's line: its top 7 mm below the type area; one character in from the outer edge.
        x = AREA_WIDTH_PT - size - width if number % 2 else size
        baseline = AREA_HEIGHT_PT + gongwen.mm_to_pt(gongwen.PAGE_NUMBER_GAP_MM) + ASCENT * size
        painter.setPen(QColor("#000000"))
        painter.setFont(font)
        painter.drawText(QPointF((left + x) * scale, (top + baseline) * scale), text)

    def page_rect(self) -> QRectF:
        scale = self._px_per_pt
        return QRectF(
            0, 0, gongwen.mm_to_pt(gongwen.PAGE_WIDTH_MM) * scale, gongwen.mm_to_pt(gongwen.PAGE_HEIGHT_MM) * scale
        )


def _runs_of(para: Para) -> Iterable[Run]:
    yield from para.runs
    yield from para.right_runs
    for line in para.lines:
        yield from line
