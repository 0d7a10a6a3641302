"""TemplateForm for real on Qt's offscreen platform: widgets per field kind, defaults, notes, values, errors."""

from __future__ import annotations

import os

# Before Qt is imported and before pytest-qt creates the QApplication: no display needed, no window on screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QDate
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QDateEdit, QLabel, QLineEdit, QPlainTextEdit, QSpinBox
from pytestqt.qtbot import QtBot

from ziya_desktop.ui.templates.template_form import TemplateForm, preview_prompt
from ziya_desktop.writing.template_files import load_templates
from ziya_desktop.writing.templates import ChoiceOption, Field, FieldKind, LocalizedText, Template, TemplateLibrary

BUILTIN = Path(__file__).resolve().parent.parent / "resources" / "templates"


@pytest.fixture(scope="module")
def lib() -> TemplateLibrary:
    return load_templates(BUILTIN, None)


@pytest.fixture
def form(qtbot: QtBot) -> TemplateForm:
    widget = TemplateForm()
    qtbot.addWidget(widget)
    widget.resize(360, 800)
    widget.show()
    return widget


def _label_text(form: TemplateForm, name: str) -> str:
    editor = form.field_editor(name)
    assert editor is not None
    for label in form.findChildren(QLabel):
        if label.buddy() is editor:
            return label.text()
    raise AssertionError(f"no label for {name}")


def test_notice_builds_one_widget_per_kind_with_defaults(form: TemplateForm, lib: TemplateLibrary) -> None:
    notice = lib.templates["gongwen.notice"]
    form.set_template(notice, "zh")
    assert isinstance(form.field_editor("issuer"), QLineEdit)
    points = form.field_editor("points")
    assert isinstance(points, QPlainTextEdit)
    assert points.placeholderText() == "每行一条"  # the field's own help: no second, generic line
    date = form.field_editor("date")
    assert isinstance(date, QDateEdit) and date.calendarPopup()
    assert date.date() == QDate.currentDate()
    length = form.field_editor("length")
    assert isinstance(length, QSpinBox)
    assert length.value() == 600 and length.suffix() == " characters"
    recipients = form.field_editor("recipients")
    assert isinstance(recipients, QLineEdit) and recipients.text() == "各部门、各单位"
    issuer = form.field_editor("issuer")
    assert isinstance(issuer, QLineEdit) and "某某市教育局" in issuer.placeholderText()
    assert "某某市教育局" in issuer.toolTip()
    assert _label_text(form, "issuer") == "发文机关 *"
    assert _label_text(form, "doc_number") == "发文字号"
    form.set_template(notice, "en")
    assert _label_text(form, "issuer") == "Issuing authority *"
    assert form.values() == {
        "issuer": "",
        "doc_number": "",
        "subject": "",
        "recipients": "各部门、各单位",
        "points": "",
        "time_place": "",
        "contact": "",
        "attachments": "",
        "copies_to": "",
        "printer": "",
        "date": dt.date.today().isoformat(),
        "length": 600,
    }


def test_choice_shows_the_chosen_options_limits_and_note(
    qtbot: QtBot, form: TemplateForm, lib: TemplateLibrary
) -> None:
    form.set_template(lib.templates["copy.social"], "zh")
    channel = form.field_editor("channel")
    assert isinstance(channel, QComboBox)
    assert [channel.itemText(i) for i in range(channel.count())][:2] == ["微博", "微信公众号"]
    assert channel.currentData() == "xiaohongshu"
    info = form.info_text("channel")
    assert "Title ≤ 20 characters · Body ≤ 1000 characters" in info
    assert "正文不超过1000字" in info
    with qtbot.waitSignal(form.changed):
        channel.setCurrentIndex(channel.findData("sms"))
    assert "70 characters a segment" in form.info_text("channel")
    assert form.values()["channel"] == "sms"
    form.set_template(lib.templates["copy.social"], "en")
    channel = form.field_editor("channel")
    assert isinstance(channel, QComboBox) and channel.currentText() == "Xiaohongshu (RED)"
    assert "Title at most 20 characters" in form.info_text("channel")


def test_minutes_show_a_live_length_estimate(form: TemplateForm, lib: TemplateLibrary) -> None:
    form.set_template(lib.templates["speech.opening"], "zh")
    duration = form.field_editor("duration")
    assert isinstance(duration, QSpinBox) and duration.suffix() == " minutes"
    assert form.info_text("duration") == "about 1125 characters"
    duration.setValue(3)
    assert form.info_text("duration") == "about 675 characters"
    form.set_template(lib.templates["speech.en.speech"], "en")
    assert form.info_text("duration") == "about 700 words"


def test_values_round_trip_and_feed_the_template(qtbot: QtBot, form: TemplateForm, lib: TemplateLibrary) -> None:
    notice = lib.templates["gongwen.notice"]
    form.set_template(notice, "zh")
    values = {
        "issuer": "某某市教育局",
        "subject": "召开年度工作会议",
        "points": "总结全年工作\n部署明年任务",
        "date": "2026-11-25",
        "length": 800,
        "unknown": "ignored",
    }
    with qtbot.waitSignal(form.changed):
        form.set_values(values)
    got = form.values()
    assert {k: got[k] for k in ("issuer", "subject", "points", "date", "length")} == {
        k: v for k, v in values.items() if k != "unknown"
    }
    rendered = notice.render(got, "zh")
    assert dict(rendered.parts)["date"] == "2026年11月25日"
    assert "1. 总结全年工作\n2. 部署明年任务" in rendered.instruction
    assert "篇幅约800字" in rendered.instruction


def test_typing_emits_changed(qtbot: QtBot, form: TemplateForm, lib: TemplateLibrary) -> None:
    form.set_template(lib.templates["gongwen.notice"], "zh")
    issuer = form.field_editor("issuer")
    assert isinstance(issuer, QLineEdit)
    with qtbot.waitSignal(form.changed):
        QTest.keyClicks(issuer, "abc")
    assert form.values()["issuer"] == "abc"


def test_errors_show_on_the_field_and_clear_on_edit(qtbot: QtBot, form: TemplateForm, lib: TemplateLibrary) -> None:
    form.set_template(lib.templates["gongwen.notice"], "zh")
    form.show_error("subject", "请填写“事由”")
    assert form.error_message("subject") == "请填写“事由”"
    subject = form.field_editor("subject")
    assert isinstance(subject, QLineEdit) and "border" in subject.styleSheet()
    QTest.keyClicks(subject, "x")
    assert form.error_message("subject") == ""
    assert subject.styleSheet() == ""
    form.show_error("issuer", "bad")
    form.show_error("nonexistent", "general problem")
    assert form.error_message("") == "general problem"
    form.clear_errors()
    assert form.error_message("issuer") == "" and form.error_message("") == ""


def _custom(fields: tuple[Field, ...]) -> Template:
    return Template(
        id="t.custom",
        category="gongwen",
        names=LocalizedText("自定义", "Custom"),
        language="zh",
        fields=fields,
        header="",
        instruction="写：" + "".join(f"{{{f.name}}}" for f in fields),
        footer="",
    )


def test_dates_take_an_iso_default_and_may_stay_blank(form: TemplateForm) -> None:
    label = LocalizedText("日期", "Date")
    tpl = _custom(
        (
            Field("fixed", FieldKind.DATE, label, default="2026-11-25"),
            Field("open", FieldKind.DATE, label, default=""),
        )
    )
    form.set_template(tpl, "zh")
    assert form.values() == {"fixed": "2026-11-25", "open": ""}
    form.set_values({"open": "2027-01-02"})
    assert form.values()["open"] == "2027-01-02"
    assert tpl.prompt(form.values(), "zh") == "<human>:写：2026年11月25日2027年1月2日\n<bot>:"
    form.set_values({"open": ""})
    assert form.values()["open"] == ""


def test_choice_without_default_starts_empty(form: TemplateForm) -> None:
    opts = (ChoiceOption("a", LocalizedText("甲", "A")), ChoiceOption("b", LocalizedText("乙", "B")))
    tpl = _custom((Field("pick", FieldKind.CHOICE, LocalizedText("选", "Pick"), required=True, options=opts),))
    form.set_template(tpl, "en")
    combo = form.field_editor("pick")
    assert isinstance(combo, QComboBox) and combo.count() == 3
    assert form.values() == {"pick": ""}
    form.set_values({"pick": "b"})
    assert combo.currentText() == "B" and form.values() == {"pick": "b"}


def test_preview_prompt_marks_missing_fields(lib: TemplateLibrary) -> None:
    notice = lib.templates["gongwen.notice"]
    day = dt.date(2026, 11, 25)
    result = preview_prompt(notice, {"issuer": "某局"}, "zh", today=day)
    assert [f.name for f in result.missing] == ["subject", "points"]
    assert result.error is None
    assert "《某局关于【事由】的通知》" in result.prompt and "【通知要点】" in result.prompt
    full = {"issuer": "某局", "subject": "开会", "points": "一\n二"}
    done = preview_prompt(notice, full, "zh", today=day)
    assert done.missing == () and done.prompt == notice.prompt(full, "zh", today=day)
    bad = preview_prompt(notice, {**full, "length": "x"}, "zh", today=day)
    assert bad.prompt == "" and bad.error is not None and bad.error.field_name == "length"
