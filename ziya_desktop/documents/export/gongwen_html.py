"""The 公文 as HTML: the same layout model as the PDF and the DOCX, in CSS a browser prints close to the standard.

Each paragraph of :class:`~ziya_desktop.documents.export.gongwen_model.GongwenLayout` becomes a ``<p>`` with its
role as class, its indents in ``em`` of its own size, its space before, colour and size; rules become borders;
attachment pages start on a new printed page; the 版记 closes the document between its rules.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from ziya_desktop.documents.export import gongwen
from ziya_desktop.documents.export.gongwen_model import BLACK, Align, Face, GongwenLayout, Para, Rule, Run

__all__ = ["gongwen_body_html", "gongwen_css"]

_CSS_PX_PER_PT = 96 / 72


def _px(pt: float) -> str:
    return f"{pt * _CSS_PX_PER_PT:.2f}px"


def gongwen_css(families: Mapping[Face, str], for_print: bool) -> str:
    """The stylesheet: the page, the grid's line pitch, one class per face (``families``: CSS font-family lists)."""
    screen = "" if for_print else f"width: {gongwen.BODY_WIDTH_MM:g}mm; margin: 24px auto; "
    rules = [
        f"@page {{ size: A4; margin: {gongwen.MARGIN_TOP_MM:g}mm {gongwen.MARGIN_RIGHT_MM:g}mm "
        f"{gongwen.MARGIN_BOTTOM_MM:g}mm {gongwen.MARGIN_LEFT_MM:g}mm; }}",
        f"body {{ font-family: {families[Face.FANGSONG]}; font-size: {gongwen.BODY_SIZE_PT:g}pt; color: #000000; "
        f"{screen}}}",
        f"p {{ margin: 0px; line-height: {_px(gongwen.LINE_PITCH_PT)}; text-align: justify; }}",
        ".right { float: right; }",
        ".record { margin-top: 2em; }",
        "@media print { body { width: auto; margin: 0; } }",
    ]
    rules += [f".f-{face.value} {{ font-family: {stack}; }}" for face, stack in families.items()]
    return "\n".join(rules) + "\n"


def _runs_html(runs: Sequence[Run]) -> str:
    out = []
    for run in runs:
        text = html.escape(run.text, quote=False)
        if run.bold:
            text = f"<strong>{text}</strong>"
        out.append(f'<span class="f-{run.face.value}">{text}</span>')
    return "".join(out)


def _border(rule: Rule) -> str:
    style = "double" if rule.double else "solid"
    width = rule.thickness_pt * (3 if rule.double else 1)
    return f"border-bottom: {width:.2f}pt {style} #{rule.color}; padding-bottom: {rule.gap_pt:.1f}pt; "


def _para_html(para: Para) -> str:
    size = para.size_pt
    style = [f"font-size: {size:g}pt;", f"line-height: {_px(para.line_pt)};"]
    if para.align is not Align.JUSTIFY:
        style.append(f"text-align: {para.align.value};")
    if para.first_indent:
        style.append(f"text-indent: {para.first_indent:g}em;")
    if para.left_indent:
        style.append(f"margin-left: {para.left_indent:g}em;")
    if para.right_indent:
        style.append(f"margin-right: {para.right_indent:g}em;")
    if para.space_before_pt > 0:
        style.append(f"margin-top: {para.space_before_pt:.1f}pt;")
    if para.color != BLACK:
        style.append(f"color: #{para.color};")
    if para.new_page:
        style.append("page-break-before: always;")
    if para.rule_below is not None:
        style.append(_border(para.rule_below))
    content = "<br>".join(_runs_html(line) for line in para.lines) if para.lines else _runs_html(para.runs)
    if para.right_runs:
        content = f'<span class="right">{_runs_html(para.right_runs)}</span>{content}'
    return f'<p class="{para.role.value}" style="{" ".join(style)}">{content}</p>'


def gongwen_body_html(layout: GongwenLayout) -> str:
    """The ``<body>`` content: the flow, then the 版记 between its rules."""
    parts = [_para_html(para) for para in layout.flow]
    if layout.record:
        thick = f"{gongwen.mm_to_pt(0.35):.2f}pt solid #000000"
        thin = f"{gongwen.mm_to_pt(0.25):.2f}pt solid #000000"
        rows = []
        for index, para in enumerate(layout.record):
            top = (thick if index == 0 else thin) if layout.record_rules else "none"
            rows.append(f'<div style="border-top: {top};">{_para_html(para)}</div>')
        bottom = thick if layout.record_rules else "none"
        parts.append(f'<div class="record" style="border-bottom: {bottom};">{"".join(rows)}</div>')
    return "\n".join(parts)
