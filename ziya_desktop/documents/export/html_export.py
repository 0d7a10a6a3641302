"""Export to a standalone HTML file: UTF-8, embedded CSS with CJK font stacks, and the writer's text escaped.

The plain layout runs the text through the ``markdown`` package (``extra`` and ``sane_lists``) after reading every
line as its own paragraph; raw HTML in the text is shown as text, never passed through. The 公文 layout is the
shared 公文 layout model (:mod:`~ziya_desktop.documents.export.gongwen_html`), since its parts are data and its
“1.” lines are headings, not lists.

The same HTML, with fonts narrowed to installed families (``fonts=``) and ``for_print=True``, feeds the plain
layout's PDF export through ``QTextDocument``. Lengths that Qt's rich text must honour are in ``px`` (Qt ignores
``pt`` for line height and indents).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import markdown

from ziya_desktop.documents.export import gongwen
from ziya_desktop.documents.export.base import ExportDocument, Exporter, ExportFormat
from ziya_desktop.documents.export.gongwen_html import gongwen_body_html, gongwen_css
from ziya_desktop.documents.export.gongwen_layout import layout_for
from ziya_desktop.documents.export.gongwen_model import FACE_STACKS
from ziya_desktop.documents.export.markdown_blocks import lines_as_paragraphs
from ziya_desktop.documents.fonts import SANS_CJK_FAMILIES

__all__ = [
    "PLAIN_FONTS_EN",
    "PLAIN_FONTS_ZH",
    "FontStacks",
    "HtmlExporter",
    "build_html",
    "default_fonts",
    "markdown_body",
    "pt_to_px",
]

PLAIN_FONTS_ZH = (*SANS_CJK_FAMILIES, "sans-serif")
PLAIN_FONTS_EN = ("Segoe UI", "Helvetica Neue", "Arial", "Liberation Sans", *PLAIN_FONTS_ZH)
_GENERIC_FAMILIES = ("serif", "sans-serif", "monospace")
PLAIN_SIZE_PT = 12.0  # 小四
# An entity the writer typed (“&amp;”) is text to show, not markup; markdown would pass it through.
_ENTITY_RE = re.compile(r"&(?=#?[0-9A-Za-z]+;)")


def pt_to_px(pt: float) -> float:
    """CSS pixels (1/96 inch), the unit both browsers and Qt's rich text understand for every length."""
    return pt * 96.0 / 72.0


def _px(pt: float) -> str:
    return f"{pt_to_px(pt):.2f}px"


@dataclass(frozen=True)
class FontStacks:
    """Font families per role, first choice first. ``headings`` maps a 公文 heading level to its stack."""

    body: tuple[str, ...]
    title: tuple[str, ...]
    headings: Mapping[int, tuple[str, ...]] = field(default_factory=dict)


def default_fonts(doc: ExportDocument) -> FontStacks:
    """The stacks for a layout: 仿宋/黑体/楷体/小标宋 for 公文 (Latin in Times New Roman), sans CJK for plain."""
    if doc.gongwen:
        latin = (gongwen.LATIN_FONT,)
        return FontStacks(
            body=(*latin, *gongwen.BODY_FONTS, "serif"),
            title=(*latin, *gongwen.TITLE_FONTS, "serif"),
            headings={level: (*latin, *stack, "serif") for level, stack in gongwen.HEADING_FONTS.items()},
        )
    stack = PLAIN_FONTS_ZH if doc.language == "zh" else PLAIN_FONTS_EN
    return FontStacks(body=stack, title=stack)


def _css_family(stack: tuple[str, ...]) -> str:
    return ", ".join(name if name in _GENERIC_FAMILIES else '"' + name.replace('"', "") + '"' for name in stack)


def _plain_css(doc: ExportDocument, fonts: FontStacks, for_print: bool) -> str:
    indent = f"text-indent: {_px(2 * PLAIN_SIZE_PT)}; " if doc.language == "zh" else ""
    screen = "" if for_print else "max-width: 760px; margin: 32px auto; padding: 0 24px; "
    return (
        "@page { size: A4; margin: 25mm; }\n"
        f"body {{ font-family: {_css_family(fonts.body)}; font-size: {PLAIN_SIZE_PT:g}pt; line-height: 160%; "
        f"color: #111111; {screen}}}\n"
        f"h1, h2, h3, h4, h5, h6 {{ font-family: {_css_family(fonts.title)}; font-weight: bold; line-height: 140%; "
        "margin: 18px 0px 8px 0px; }\n"
        "h1 { font-size: 20pt; } h2 { font-size: 16pt; } h3 { font-size: 14pt; } "
        "h4, h5, h6 { font-size: 12pt; }\n"
        f"p {{ margin: 0px 0px 8px 0px; {indent}}}\n"
        "li p { text-indent: 0px; margin: 0px; }\n"
        "ul, ol { margin: 0px 0px 8px 0px; }\n"
        "table { border-collapse: collapse; } th, td { border: 1px solid #999999; padding: 4px 8px; }\n"
        "code, pre { font-family: monospace; }\n"
        "@media print { body { max-width: none; margin: 0; padding: 0; } }\n"
    )


def markdown_body(text: str) -> str:
    """The writer's light Markdown as an HTML fragment, the way every export and the preview read it: each line its
    own paragraph, raw HTML shown as text."""
    converter = markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html")
    # The writer's "<b>" or "<script>" is text: drop the raw-HTML block and inline handlers so it gets escaped.
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.deregister("html")
    converter.inlinePatterns.deregister("entity")
    # attr_list would read a trailing “{重要}” on a heading as HTML attributes and drop it from the text.
    converter.treeprocessors.deregister("attr_list")
    body: str = converter.convert(_ENTITY_RE.sub("&amp;", lines_as_paragraphs(text)))
    return body


def build_html(doc: ExportDocument, *, fonts: FontStacks | None = None, for_print: bool = False) -> str:
    """The complete HTML document.

    Args:
        doc: what to export.
        fonts: font stacks to name in the CSS; :func:`default_fonts` when None.
        for_print: leave out the screen-only centring (for ``QTextDocument`` and the PDF export).

    Returns:
        A standalone ``<!DOCTYPE html>`` document with ``lang``, ``<meta charset="utf-8">``, ``<title>`` and
        embedded CSS.
    """
    fonts = fonts or default_fonts(doc)
    if doc.gongwen:
        latin = (gongwen.LATIN_FONT,)
        css = gongwen_css(
            {face: _css_family((*latin, *stack, "serif")) for face, stack in FACE_STACKS.items()}, for_print
        )
        body = gongwen_body_html(layout_for(doc.parts, doc.blocks()))
    else:
        css = _plain_css(doc, fonts, for_print)
        body = markdown_body(doc.text)
    layout = "gongwen" if doc.gongwen else "plain"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{doc.language_tag}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="generator" content="Ziya Desktop">\n'
        f"<title>{html.escape(doc.display_title(), quote=False)}</title>\n"
        f"<style>\n{css}</style>\n</head>\n"
        f'<body class="{layout}">\n{body}\n</body>\n</html>\n'
    )


class HtmlExporter(Exporter):
    """Writes a standalone UTF-8 HTML file."""

    format = ExportFormat.HTML

    def render(self, doc: ExportDocument) -> bytes:
        return build_html(doc).encode("utf-8")
