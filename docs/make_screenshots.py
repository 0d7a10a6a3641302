"""Take the README's screenshots of the real app under Xvfb.

Run from the repository root (needs Xvfb and a CJK font: ``apt-get install xvfb fonts-noto-cjk``)::

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python docs/make_screenshots.py

The model is the tiny test checkpoint converted by our own converter, so the status bar shows a real load. Its
weights are random, so the document and the rewrite in the pictures are sample text typed in by this script,
not model output.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import os  # noqa: E402

from PySide6.QtCore import QCoreApplication, QEventLoop, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

OUT = ROOT / "docs"

# The body of the 通知; its 版头, title, 主送机关, 署名 and date are its parts, shown in the form beside the editor.
NOTICE = """\
为全面总结2026年教育工作，研究部署2027年重点任务，经研究，决定召开2026年度工作总结会议。现将有关事项通知如下：

一、会议时间

2026年12月10日（星期四）上午9:00，会期半天。

二、会议地点

市教育局三楼第一会议室。

三、参会人员

各区县教育局局长，局属各单位主要负责同志。

四、有关要求

（一）请各单位于12月5日前将书面总结报送局办公室。

（二）请参会人员提前10分钟到场签到，不得无故缺席。

特此通知。"""

LETTER = """Dear Ms Li,

Thank you for hosting our team at the Shenzhen workshop last week. Your walk-through of the new archive \
system was clear and practical, and the whole team came back with ideas we are already putting to work.

We would be glad to welcome you to our office in the spring.

Sincerely,
Wang Lei"""

POLISH_BEFORE = "为全面总结2026年教育工作，研究部署2027年重点任务，经研究，决定召开2026年度工作总结会议。"
POLISH_AFTER = "为全面总结2026年全市教育工作，科学谋划2027年重点任务，经局党组研究，决定召开2026年度工作总结会议。"


def settle(ms: int = 400) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main() -> int:
    home = Path(tempfile.mkdtemp(prefix="ziya-shots-"))
    os.environ["ZIYA_HOME"] = str(home)
    from converters.hf_to_gguf import convert
    from ziya_desktop.documents.front_matter import DocumentHead
    from ziya_desktop.ui.common.i18n import install_translations
    from ziya_desktop.ui.common.settings import configure_application_identity
    from ziya_desktop.ui.shell.main_window import MainWindow

    model = home / "ziya-tiny-q4_k_m.gguf"
    convert(ROOT / "tests" / "data" / "tiny_ziya", model, "q4_k_m", threads=2)

    app = QApplication(sys.argv[:1])
    configure_application_identity()
    for lang in ("zh", "en"):
        install_translations(app, lang)
        window = MainWindow(lang=lang)
        window.resize(1480, 900)
        window.show()
        if lang == "en":
            # First start: no model anywhere yet, so the editor area says what the app needs.
            window.offer_first_run()
            settle()
            window.grab().save(str(OUT / "first-run.png"))
        window.writing.load_options = replace(window.writing.load_options, threads=1)
        window.writing.load_model(model)
        while window.writing.report is None:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
        panel = window.templates
        tab = window.current_tab()
        assert tab is not None
        if lang == "zh":
            panel.select_template("gongwen.notice")
            panel.form.set_values(
                {
                    "issuer": "某市教育局",
                    "doc_number": "教办〔2026〕12号",
                    "subject": "召开2026年度工作总结会议",
                    "recipients": "各区县教育局，局属各单位",
                    "points": "会议时间：12月10日上午9:00\n会议地点：市教育局三楼第一会议室\n"
                    "参会人员：各区县教育局局长",
                }
            )
            tab.editor.setPlainText(NOTICE)
            template = panel.current_template()
            assert template is not None
            parts = template.render(panel.form.values(), "zh").gongwen_parts()
            tab.set_head(DocumentHead(layout="gongwen", template=template.id, parts=parts))
        else:
            panel.select_template("letter.en.thanks")
            panel.form.set_values(
                {
                    "recipient": "Ms Li",
                    "sender": "Wang Lei",
                    "reason": "hosting our team at the Shenzhen workshop",
                    "points": "clear walk-through of the archive system\ninvite her to our office in the spring",
                }
            )
            window.review_dock.hide()
            tab.editor.setPlainText(LETTER)
        tab.editor.document().setModified(False)
        cursor = tab.editor.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        tab.editor.setTextCursor(cursor)
        settle()
        window.grab().save(str(OUT / f"main-window-{lang}.png"))

        if lang == "zh":
            panel.grab().save(str(OUT / "template-picker.png"))
            # A small screen: the panels give way and the text keeps a usable width.
            window.resize(800, 600)
            settle()
            window.grab().save(str(OUT / "small-window.png"))
            window.resize(1480, 900)
            settle()
            text = tab.text()
            start = text.index(POLISH_BEFORE)
            cursor = tab.editor.textCursor()
            cursor.setPosition(start)
            cursor.setPosition(start + len(POLISH_BEFORE), cursor.MoveMode.KeepAnchor)
            tab.editor.setTextCursor(cursor)
            window.review_dock.show()
            window.review.start(POLISH_BEFORE, "润色")
            window.review.append_revised(POLISH_AFTER)
            window.review.finish()
            window.resizeDocks([window.review_dock], [560], Qt.Orientation.Horizontal)
            settle(600)
            window.grab().save(str(OUT / "rewrite-review.png"))
        window.menu_actions.writing.stop.setEnabled(False)
        tab.editor.document().setModified(False)
        window.close()
        settle(200)
    print("screenshots written to", OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
