"""The sans-serif font families the app asks for when it shows or exports Chinese text, most preferred first.

Each carries Latin glyphs too, so mixed text stays in one typeface. Windows, macOS and Linux each ship at least one;
the editor, the HTML stylesheet and the PDF font choice all read this one list.
"""

from __future__ import annotations

SANS_CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Noto Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
)
