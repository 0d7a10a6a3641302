"""Render resources/icons/ziya-desktop.svg to PNGs in the hicolor sizes (16 … 512 px), with Qt's QSvgRenderer.

    python packaging/render_icons.py OUT_DIR

writes OUT_DIR/hicolor/<n>x<n>/apps/ziya-desktop.png and OUT_DIR/hicolor/scalable/apps/ziya-desktop.svg (the
freedesktop icon theme layout: OUT_DIR is a share/icons folder), and OUT_DIR/ziya-desktop.ico and .icns for Windows
and macOS. QtSvg ships with PySide6-Essentials, so no librsvg
is needed.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

SIZES = (16, 32, 48, 64, 128, 256, 512)
NAME = "ziya-desktop"
SVG = Path(__file__).resolve().parent.parent / "resources" / "icons" / f"{NAME}.svg"


def render(out_dir: Path, svg: Path = SVG) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"render_icons: {svg} is not a valid SVG")
    written = []
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        path = out_dir / "hicolor" / f"{size}x{size}" / "apps" / f"{NAME}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(path), "PNG"):
            raise SystemExit(f"render_icons: could not write {path}")
        written.append(path)
    scalable = out_dir / "hicolor" / "scalable" / "apps" / f"{NAME}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(svg, scalable)
    # For the Windows EXE and the macOS .app (Qt's ico and icns image plugins write them).
    largest = QImage(str(written[-1]))
    for suffix, size in (("ico", 256), ("icns", 512)):
        path = out_dir / f"{NAME}.{suffix}"
        if largest.scaled(size, size).save(str(path), suffix.upper()):
            written.append(path)
    del app
    return [*written, scalable]


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: render_icons.py OUT_DIR")
    for p in render(Path(sys.argv[1])):
        print(p)
