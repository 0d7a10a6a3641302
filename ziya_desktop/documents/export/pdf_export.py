"""Export to PDF: the HTML export laid out by ``QTextDocument`` and painted page by page onto a ``QPdfWriter``.

Fonts are narrowed to families installed here, with a CJK family from ``QFontDatabase`` as the last resort of every
stack (serif for 公文, else sans), so Chinese glyphs are embedded rather than left as empty boxes. Each page gets a
number at its foot: centred for the plain layout; for 公文 “— 1 —” in 四号宋体 7 mm below the type area, one
character in from the outer edge (right on odd pages, left on even ones).

Needs a ``QGuiApplication`` (fonts come from the platform); the app has one, tests get it from pytest-qt's
``qapp``. Call it on the GUI thread: a document of a dozen pages renders in a fraction of a second.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QCoreApplication, QIODevice, QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPaintDevice,
    QPainter,
    QPdfWriter,
    QRawFont,
    QTextBlock,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextListFormat,
    QTextTable,
)

from ziya_desktop.documents.export import gongwen
from ziya_desktop.documents.export.base import ExportDocument, Exporter, ExportFormat
from ziya_desktop.documents.export.gongwen_layout import layout_for
from ziya_desktop.documents.export.gongwen_pdf import GongwenPainter
from ziya_desktop.documents.export.html_export import FontStacks, build_html, default_fonts
from ziya_desktop.documents.fonts import SANS_CJK_FAMILIES
from ziya_desktop.errors import ExportError
from ziya_desktop.translatable import QT_TRANSLATE_NOOP

__all__ = [
    "PDF_DPI",
    "PageRenderer",
    "PdfExporter",
    "fix_cjk_to_unicode",
    "pick_cjk_family",
    "shared_glyph_replacements",
]

PDF_DPI = 300
_CSS_DPI = 96.0
_PLAIN_MARGIN_MM = 25.0
_PLAIN_PAGE_NUMBER_PT = 10.0
_BULLETS = {
    QTextListFormat.Style.ListDisc: "•",
    QTextListFormat.Style.ListCircle: "◦",
    QTextListFormat.Style.ListSquare: "▪",
}
# A line belongs to the page its top edge is on, give or take this rounding (device pixels).
_EDGE_PX = 0.5
_SERIF_CJK = ("Noto Serif CJK SC", "Source Han Serif SC", "SimSun", "宋体", "Songti SC", "STSong", "AR PL UMing CN")
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
_BFRANGE_RE = re.compile(rb"beginbfrange(.*?)endbfrange", re.DOTALL)
_BFCHAR_RE = re.compile(rb"beginbfchar(.*?)endbfchar", re.DOTALL)
_HEX_RE = re.compile(rb"<([0-9A-Fa-f]+)>")
_RANGE_LINE_RE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\[[^\]]*\]|<[0-9A-Fa-f]+>)")
_CHAR_LINE_RE = re.compile(rb"(<[0-9A-Fa-f]+>\s*)(<[0-9A-Fa-f]+>)")


@dataclass(frozen=True)
class _Page:
    """Page geometry in millimetres."""

    top: float
    bottom: float
    left: float
    right: float
    width: float = gongwen.PAGE_WIDTH_MM
    height: float = gongwen.PAGE_HEIGHT_MM


_GONGWEN_PAGE = _Page(gongwen.MARGIN_TOP_MM, gongwen.MARGIN_BOTTOM_MM, gongwen.MARGIN_LEFT_MM, gongwen.MARGIN_RIGHT_MM)
_PLAIN_PAGE = _Page(_PLAIN_MARGIN_MM, _PLAIN_MARGIN_MM, _PLAIN_MARGIN_MM, _PLAIN_MARGIN_MM)


def pick_cjk_family(*, serif: bool) -> str | None:
    """An installed family that can show Simplified Chinese: a known serif (or sans) face first, then the other
    kind, then any family whose writing systems include Simplified Chinese; None when there is none."""
    installed = QFontDatabase.families()
    known = set(installed)
    preferred = (*_SERIF_CJK, *SANS_CJK_FAMILIES) if serif else (*SANS_CJK_FAMILIES, *_SERIF_CJK)
    for name in preferred:
        if name in known:
            return name
    chinese = QFontDatabase.WritingSystem.SimplifiedChinese
    for name in installed:
        if chinese in QFontDatabase.writingSystems(name):
            return name
    return None


def _installed(stack: tuple[str, ...], known: set[str], fallback: str | None) -> tuple[str, ...]:
    names = [name for name in stack if name in known]
    if fallback and fallback not in names:
        names.append(fallback)
    return tuple(names) or stack


def _installed_fonts(doc: ExportDocument, cjk: str | None) -> FontStacks:
    known = set(QFontDatabase.families())
    fonts = default_fonts(doc)
    return FontStacks(
        body=_installed(fonts.body, known, cjk),
        title=_installed(fonts.title, known, cjk),
        headings={level: _installed(stack, known, cjk) for level, stack in fonts.headings.items()},
    )


def _text_indent_factor(device: QPaintDevice, scale: float) -> float:
    """How much ``text-indent`` must still be scaled on ``device``: Qt (up to 6.11 at least) scales margins and
    line heights from CSS pixels to the device but leaves ``text-indent`` in device pixels. Measured on a probe
    so that a Qt which fixes this is not scaled twice."""
    probe = QTextDocument()
    probe.documentLayout().setPaintDevice(device)
    probe.setDocumentMargin(0)
    probe.setHtml('<p style="text-indent: 10px">x</p>')
    probe.setTextWidth(1000 * scale)
    probe.pageCount()  # lays the probe out
    x = probe.begin().layout().lineAt(0).x()
    return 1.0 if abs(x - 10 * scale) < abs(x - 10) else scale


def _scale_text_indents(qdoc: QTextDocument, factor: float) -> None:
    if factor == 1.0:
        return
    cursor = QTextCursor(qdoc)
    block = qdoc.begin()
    while block.isValid():
        indent = block.blockFormat().textIndent()
        if indent:
            cursor.setPosition(block.position())
            fmt = QTextBlockFormat()
            fmt.setTextIndent(indent * factor)
            cursor.mergeBlockFormat(fmt)
        block = block.next()


def _keep_glyphs_mappable(qdoc: QTextDocument) -> None:
    """Turn off the OpenType ``locl`` substitution for the whole document.

    Noto CJK's ``locl`` swaps digits in a Latin run (“Paragraph 12”) for glyphs its character map does not reach.
    Qt writes no ToUnicode entry for such glyphs, so those digits would vanish from text copied out of the PDF.
    The SC faces already map every character to its Simplified Chinese form, so nothing visible is lost.
    """
    cursor = QTextCursor(qdoc)
    cursor.select(QTextCursor.SelectionType.Document)
    fmt = QTextCharFormat()
    fmt.setFontFeatures({QFont.Tag("locl"): 0})
    cursor.mergeCharFormat(fmt)


# Code points a font may draw with the very glyph of a common character, and which Qt may then name in the PDF's
# ToUnicode table instead: C0 controls (the space glyph doubles as tab), Kangxi radicals and the CJK radicals
# supplement (⽂ for 文, ⻔ for 门), and CJK compatibility ideographs.
_AMBIGUOUS_RANGES = ((0x00, 0x1F), (0x2E80, 0x2FDF), (0xF900, 0xFAFF))
_AMBIGUOUS = "".join(chr(code) for low, high in _AMBIGUOUS_RANGES for code in range(low, high + 1))


def shared_glyph_replacements(text: str, families: Iterable[str]) -> dict[int, int]:
    """Which character of ``text`` each ambiguous code point really stands for, in the fonts of ``families``.

    A code point (say ⻔ U+2ED4) maps to a character of ``text`` (门 U+95E8) when a family draws both with the same
    glyph, in its regular or bold face. Characters outside the Basic Multilingual Plane are left out: their
    ToUnicode entries are longer and cannot be rewritten in place.
    """
    wanted = sorted({c for c in text if c not in _AMBIGUOUS and ord(c) <= 0xFFFF})
    replacements: dict[int, int] = {}
    if not wanted:
        return replacements
    for family in dict.fromkeys(families):
        for weight in (QFont.Weight.Normal, QFont.Weight.Bold):
            raw = QRawFont.fromFont(QFont(family, -1, weight))
            if not raw.isValid():
                continue
            glyph_to_char: dict[int, str] = {}
            for char, glyph in zip(wanted, raw.glyphIndexesForString("".join(wanted)), strict=False):
                if glyph:
                    glyph_to_char.setdefault(glyph, char)
            for char, glyph in zip(_AMBIGUOUS, raw.glyphIndexesForString(_AMBIGUOUS), strict=False):
                if glyph in glyph_to_char:
                    replacements.setdefault(ord(char), ord(glyph_to_char[glyph]))
    return replacements


def _replace_hex(token: bytes, replacements: Mapping[int, int]) -> bytes:
    """One ToUnicode target rewritten through ``replacements``, in the same number of hex digits so that no
    offset in the file moves; anything but a single UTF-16 unit stays as it is."""
    if len(token) != 4:
        return token
    new = replacements.get(int(token, 16))
    if new is None or new > 0xFFFF:
        return token
    replacement = f"{new:04X}".encode("ascii")
    return replacement.lower() if token.lower() == token and not token.isdigit() else replacement


def fix_cjk_to_unicode(pdf: bytes, replacements: Mapping[int, int]) -> bytes:
    """Make copied and searched PDF text use the characters the writer typed.

    Qt builds a PDF font's ToUnicode table by mapping each glyph back to a code point, and where a CJK font shares
    one glyph between 文 and the radical ⽂, or between space and tab, it may pick the wrong one: “文” would copy
    out as “⽂”. The tables Qt writes are uncompressed, so each wrong target is replaced in place (see
    :func:`shared_glyph_replacements`); glyph codes (the sources) are never touched.
    """
    if not replacements:
        return pdf

    def sub_hex(match: re.Match[bytes]) -> bytes:
        return b"<" + _replace_hex(match.group(1), replacements) + b">"

    def fix_range_line(line: re.Match[bytes]) -> bytes:
        low, high, target = line.group(1), line.group(2), line.group(3)
        # An array lists every target; a single start target of a longer run cannot be rewritten alone.
        if target.startswith(b"[") or low == high:
            target = _HEX_RE.sub(sub_hex, target)
        return line.group(0)[: line.start(3) - line.start(0)] + target

    def fix_char_line(line: re.Match[bytes]) -> bytes:
        return line.group(1) + _HEX_RE.sub(sub_hex, line.group(2))

    def fix_ranges(section: re.Match[bytes]) -> bytes:
        return b"beginbfrange" + _RANGE_LINE_RE.sub(fix_range_line, section.group(1)) + b"endbfrange"

    def fix_chars(section: re.Match[bytes]) -> bytes:
        return b"beginbfchar" + _CHAR_LINE_RE.sub(fix_char_line, section.group(1)) + b"endbfchar"

    return _BFCHAR_RE.sub(fix_chars, _BFRANGE_RE.sub(fix_ranges, pdf))


class PageRenderer:
    """Lays out an :class:`ExportDocument` on A4 pages for one paint device and paints them one at a time.

    The PDF export paints onto a ``QPdfWriter``; a print preview can paint the same pages onto a ``QImage`` with
    the same resolution. The device's resolution must stay fixed while the renderer is in use.

    Raises:
        ExportError: (from the constructor) no ``QGuiApplication`` exists, or the text is Chinese and no
            Chinese font is installed.
    """

    def __init__(self, doc: ExportDocument, device: QPaintDevice) -> None:
        cjk = _require_gui(doc)
        self._doc = doc
        self._cjk = cjk
        self._page = _GONGWEN_PAGE if doc.gongwen else _PLAIN_PAGE
        self._px_per_mm = device.logicalDpiY() / gongwen.MM_PER_INCH
        page = self._page
        self._body = QSizeF(
            (page.width - page.left - page.right) * self._px_per_mm,
            (page.height - page.top - page.bottom) * self._px_per_mm,
        )
        self._qdoc = QTextDocument()
        self._qdoc.documentLayout().setPaintDevice(device)
        self._qdoc.setDocumentMargin(0)
        if cjk:
            self._qdoc.setDefaultFont(QFont(cjk))
        self._fonts = _installed_fonts(doc, cjk)
        self._qdoc.setHtml(build_html(doc, fonts=self._fonts, for_print=True))
        scale = device.logicalDpiY() / _CSS_DPI
        _scale_text_indents(self._qdoc, _text_indent_factor(device, scale))
        _keep_glyphs_mappable(self._qdoc)
        self._qdoc.setPageSize(self._body)
        self._has_tables = any(isinstance(frame, QTextTable) for frame in self._qdoc.rootFrame().childFrames())

    @property
    def page_count(self) -> int:
        return self._qdoc.pageCount()

    def page_size_px(self) -> QSizeF:
        """The whole page (A4) in device pixels."""
        return QSizeF(self._page.width * self._px_per_mm, self._page.height * self._px_per_mm)

    def to_unicode_replacements(self) -> dict[int, int]:
        """The ToUnicode fixes this document's PDF needs (see :func:`fix_cjk_to_unicode`)."""
        fonts = self._fonts
        families = [*fonts.body, *fonts.title, *(name for stack in fonts.headings.values() for name in stack)]
        if self._cjk:
            families.append(self._cjk)
        page_numbers = "— 0123456789"
        return shared_glyph_replacements(self._doc.text + page_numbers, families)

    def paint_page(self, painter: QPainter, index: int) -> None:
        """Paint page ``index`` (0-based) with its page number; the painter's origin is the page's top-left."""
        page, body = self._page, self._body
        painter.save()
        painter.translate(page.left * self._px_per_mm, page.top * self._px_per_mm - index * body.height())
        if self._has_tables:
            # Table borders are drawn by the document layout only; such a document keeps Qt's own page drawing.
            self._qdoc.drawContents(painter, QRectF(QPointF(0, index * body.height()), body))
        else:
            self._paint_own_lines(painter, index)
        painter.restore()
        self._paint_page_number(painter, index + 1)

    def _paint_own_lines(self, painter: QPainter, index: int) -> None:
        """Draw the lines whose top edge lies on page ``index``, each exactly once.

        Qt's own page drawing (``drawContents`` with the page as clip) also draws the last line above the clip of a
        paragraph that runs over a page break: out of sight, but in the text layer, so search and copy found that
        line twice. Lines are drawn one by one here, with the list markers Qt would draw beside their first line.
        """
        height = self._body.height()
        block = self._qdoc.begin()
        while block.isValid():
            layout = block.layout()
            origin = layout.position()
            for i in range(layout.lineCount()):
                line = layout.lineAt(i)
                if int((origin.y() + line.y() + _EDGE_PX) // height) != index:
                    continue
                line.draw(painter, origin)
                if i == 0 and block.textList() is not None:
                    self._paint_list_marker(
                        painter, block, origin.x() + line.x(), origin.y() + line.y() + line.ascent()
                    )
            block = block.next()

    def _paint_list_marker(self, painter: QPainter, block: QTextBlock, x: float, baseline: float) -> None:
        text_list = block.textList()
        style = text_list.format().style()
        marker = _BULLETS.get(style) or text_list.itemText(block)
        font = block.charFormat().font()
        painter.save()
        painter.setFont(font)
        metrics = QFontMetricsF(font, painter.device())
        painter.drawText(QPointF(x - metrics.horizontalAdvance(marker + " "), baseline), marker)
        painter.restore()

    def _paint_page_number(self, painter: QPainter, number: int) -> None:
        page, px_per_mm = self._page, self._px_per_mm
        font = QFont()
        if self._doc.gongwen:
            known = set(QFontDatabase.families())
            families = [name for name in gongwen.PAGE_NUMBER_FONTS if name in known]
            font.setFamilies(families or ([self._cjk] if self._cjk else []))
            font.setPointSizeF(gongwen.PAGE_NUMBER_SIZE_PT)
            text = gongwen.page_number_text(number)
        else:
            if self._cjk:
                font.setFamilies([self._cjk])
            font.setPointSizeF(_PLAIN_PAGE_NUMBER_PT)
            text = str(number)
        painter.save()
        painter.setFont(font)
        height = QFontMetricsF(font, painter.device()).height()
        left = page.left * px_per_mm
        width = self._body.width()
        body_bottom = (page.height - page.bottom) * px_per_mm
        if self._doc.gongwen:
            one_char = gongwen.PAGE_NUMBER_SIZE_PT / gongwen.PT_PER_INCH * gongwen.MM_PER_INCH * px_per_mm
            top = body_bottom + gongwen.PAGE_NUMBER_GAP_MM * px_per_mm
            rect = QRectF(left + one_char, top, width - 2 * one_char, height)
            align = Qt.AlignmentFlag.AlignRight if number % 2 else Qt.AlignmentFlag.AlignLeft
        else:
            top = body_bottom + (page.bottom * px_per_mm - height) / 2
            rect = QRectF(left, top, width, height)
            align = Qt.AlignmentFlag.AlignHCenter
        painter.drawText(rect, int(align | Qt.AlignmentFlag.AlignTop), text)
        painter.restore()


class PdfExporter(Exporter):
    """Writes an A4 PDF at :data:`PDF_DPI` with embedded CJK fonts and page numbers."""

    format = ExportFormat.PDF

    def render(self, doc: ExportDocument) -> bytes:
        """Raises:
        ExportError: no ``QGuiApplication`` exists, the text is Chinese and no Chinese font is installed, or
            Qt could not paint the PDF.
        """
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        writer = QPdfWriter(buffer)
        writer.setResolution(PDF_DPI)
        writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                QMarginsF(0, 0, 0, 0),
                QPageLayout.Unit.Millimeter,
            )
        )
        writer.setTitle(doc.display_title())
        writer.setCreator("Ziya Desktop")
        self.notes = []
        renderer: PageRenderer | GongwenPainter
        if doc.gongwen:
            renderer = _gongwen_painter(doc, writer)
            self.notes = list(renderer.notes)
        else:
            renderer = PageRenderer(doc, writer)
        painter = QPainter()
        if not painter.begin(writer):
            raise ExportError(QT_TRANSLATE_NOOP("PdfExport", "The PDF could not be created."))
        try:
            for index in range(len(renderer.pages) if isinstance(renderer, GongwenPainter) else renderer.page_count):
                if index and not writer.newPage():
                    raise ExportError(
                        QT_TRANSLATE_NOOP("PdfExport", "The PDF could not be created: a new page could not be started.")
                    )
                renderer.paint_page(painter, index)
        finally:
            painter.end()
        buffer.close()
        if isinstance(renderer, GongwenPainter):
            replacements = shared_glyph_replacements(renderer.painted_text(), renderer.families())
        else:
            replacements = renderer.to_unicode_replacements()
        return fix_cjk_to_unicode(bytes(buffer.data().data()), replacements)


def _require_gui(doc: ExportDocument) -> str | None:
    """The CJK family to fall back on.

    Raises:
        ExportError: no ``QGuiApplication``, or the text is Chinese and no Chinese font is installed.
    """
    if not isinstance(QCoreApplication.instance(), QGuiApplication):
        raise ExportError(
            QT_TRANSLATE_NOOP(
                "PdfExport", "PDF export needs the application's graphical session, which is not running."
            )
        )
    cjk = pick_cjk_family(serif=doc.gongwen)
    if cjk is None and _CJK_RE.search(doc.text + _parts_text(doc)):
        raise ExportError(
            QT_TRANSLATE_NOOP(
                "PdfExport", "No Chinese font is installed, so the PDF would show empty boxes instead of Chinese text."
            ),
            hint=QT_TRANSLATE_NOOP(
                "PdfExport", "Install a Chinese font such as Noto Serif CJK SC or Noto Sans CJK SC, or export to DOCX."
            ),
        )
    return cjk


def _parts_text(doc: ExportDocument) -> str:
    if doc.parts is None:
        return ""
    return "".join(str(value) for value in vars(doc.parts).values() if isinstance(value, str | tuple))


def _gongwen_painter(doc: ExportDocument, writer: QPdfWriter) -> GongwenPainter:
    cjk = _require_gui(doc)
    return GongwenPainter(layout_for(doc.parts, doc.blocks()), writer, cjk)
