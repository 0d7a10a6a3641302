"""Genre templates: the built-ins load and render, user templates override and round-trip, bad files are contained."""

from __future__ import annotations

import datetime as dt
import errno
import os
from dataclasses import replace
from pathlib import Path

import pytest

from ziya_desktop.engine.prompt import ziya_prompt
from ziya_desktop.writing.template_files import MAX_FILE_BYTES, duplicate, load_templates, save_user_template
from ziya_desktop.writing.templates import (
    FieldKind,
    MissingFieldError,
    Template,
    TemplateError,
    TemplateLibrary,
    TemplateValueError,
    format_date,
)

BUILTIN = Path(__file__).resolve().parent.parent / "resources" / "templates"
DAY = dt.date(2026, 11, 25)


@pytest.fixture(scope="module")
def lib() -> TemplateLibrary:
    return load_templates(BUILTIN, None)


def _values(t: Template) -> dict[str, object]:
    """Defaults plus a value for every required field without one; points carry a marker we look for."""
    values: dict[str, object] = {}
    for f in t.fields:
        if f.required and not f.default:
            values[f.name] = f"要点甲-{f.name}\n要点乙-{f.name}" if f.kind is FieldKind.MULTILINE else f"值-{f.name}"
    return values


def test_builtins_load_without_errors(lib: TemplateLibrary) -> None:
    assert lib.errors == []
    assert len(lib.templates) >= 19
    assert all(t.builtin for t in lib.templates.values())


def test_required_categories_templates_and_kinds(lib: TemplateLibrary) -> None:
    assert [c.names.zh for c in lib.categories()] == ["公文", "讲稿", "书信", "创意文案"]
    names = {t.names.zh for t in lib.templates.values()}
    for zh in ["通知", "请示", "报告", "函", "纪要", "开幕致辞", "工作汇报", "演讲稿", "感谢信", "邀请函", "求职信",
               "推荐信", "英文求职信", "英文推荐信", "英文感谢信", "产品推广", "活动宣传", "社交媒体帖"]:  # fmt: skip
        assert zh in names
    kinds = {f.kind for t in lib.templates.values() for f in t.fields}
    assert kinds == set(FieldKind)
    assert {t.language for t in lib.templates.values()} == {"zh", "en"}


def test_every_user_visible_string_is_bilingual(lib: TemplateLibrary) -> None:
    for t in lib.templates.values():
        assert t.names.zh and t.names.en
        for f in t.fields:
            assert f.label.zh and f.label.en, (t.id, f.name)
            for o in f.options:
                assert o.label.zh and o.label.en


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_template_renders_and_mentions_key_points(lib: TemplateLibrary, lang: str) -> None:
    for t in lib.templates.values():
        values = _values(t)
        r = t.render(values, lang, today=DAY)
        assert "{" not in r.instruction.replace("{{", "")
        for f in t.fields:
            if f.kind is FieldKind.MULTILINE and f.required:
                assert f"要点甲-{f.name}" in r.instruction and f"要点乙-{f.name}" in r.instruction, t.id
        assert t.prompt(values, lang, today=DAY) == ziya_prompt(r.instruction)


def test_gongwen_parts_are_data_and_the_footer_only_the_closing_formula(lib: TemplateLibrary) -> None:
    notice = lib.templates["gongwen.notice"]
    values = {"issuer": "某市教育局", "subject": "召开年度工作会议", "points": "时间\n地点", "contact": ""}
    r = notice.render(values, "zh", today=DAY)
    assert r.header == "" and r.footer == "特此通知。"
    parts = r.gongwen_parts()
    assert parts is not None and parts.kind == "通知" and not parts.upward
    assert parts.title == "某市教育局关于召开年度工作会议的通知" and parts.issuers == ("某市教育局",)
    assert parts.addressees == "各部门、各单位" and parts.date == "2026年11月25日"
    # Parts left empty are not there: no 发文字号, no 附件, and no 附注 “联系人：” without a contact.
    assert (parts.doc_number, parts.attachments, parts.notes, parts.copies_to) == ("", (), "", "")
    assert "1. 时间\n2. 地点" in r.instruction
    full = notice.render(
        {**values, "doc_number": "某教〔2026〕1号", "attachments": "甲\n乙", "contact": "王五", "copies_to": "市政府"},
        "zh",
        today=DAY,
    ).gongwen_parts()
    assert full is not None and full.doc_number == "某教〔2026〕1号" and full.attachments == ("甲", "乙")
    assert full.notes == "联系人：王五" and full.copies_to == "市政府" and full.has_record()
    request = lib.templates["gongwen.request"]
    r = request.render({**_values(request), "signers": "张三\n李四"}, "zh", today=DAY)
    assert r.footer == "妥否，请批示。"
    parts = r.gongwen_parts()
    assert parts is not None and parts.upward and parts.signers == ("张三", "李四")


@pytest.mark.parametrize(
    "template_id", ["gongwen.notice", "gongwen.request", "gongwen.report", "gongwen.letter", "gongwen.minutes"]
)
def test_every_gongwen_template_has_parts(lib: TemplateLibrary, template_id: str) -> None:
    t = lib.templates[template_id]
    parts = t.render(_values(t), "zh", today=DAY).gongwen_parts()
    assert parts is not None and parts.kind and parts.date == "2026年11月25日" and parts.title
    issuer = t.field("issuer")
    assert issuer is not None and (parts.issuers or not issuer.required)


def test_a_part_too_long_for_a_document_names_its_field(lib: TemplateLibrary) -> None:
    notice = lib.templates["gongwen.notice"]
    with pytest.raises(TemplateValueError) as info:
        notice.render({**_values(notice), "copies_to": "长" * 2_001}, "zh", today=DAY)
    assert info.value.field_name == "copies_to"


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ('parts = { kind = "通知", colour = "红" }', "unknown 公文 part 'colour'"),
        ('parts = { title = "{issuer}" }', "kind"),
        ('parts = { kind = "通知", title = "{nobody}" }', "unknown placeholder {nobody}"),
        ('parts = { kind = "通知", title = "{issuer.__class__}" }', "must be a plain field name"),
        ('parts = "通知"', "parts has the wrong type"),
    ],
)
def test_bad_parts_are_refused_at_load(tmp_path: Path, parts: str, message: str) -> None:
    text = USER_TEMPLATE.format(id="user.parts", zh="我的通知").replace(
        'footer = "特此通知。"', f'footer = "特此通知。"\n{parts}'
    )
    (tmp_path / "parts.toml").write_text(text, encoding="utf-8")
    lib = load_templates(BUILTIN, tmp_path)
    assert "user.parts" not in lib.templates
    assert len(lib.errors) == 1 and message in str(lib.errors[0])


def test_parts_survive_saving_a_user_copy(lib: TemplateLibrary, tmp_path: Path) -> None:
    copy = duplicate(lib.templates["gongwen.request"], "user.request")
    path = save_user_template(copy, tmp_path)
    again = load_templates(BUILTIN, tmp_path).templates["user.request"]
    assert again.parts == lib.templates["gongwen.request"].parts and again == copy
    assert path.exists()


def test_chinese_letter_closing(lib: TemplateLibrary) -> None:
    t = lib.templates["letter.thanks"]
    r = t.render({"recipient": "尊敬的王老师", "sender": "李明", "reason": "悉心指导"}, "zh", today=DAY)
    assert r.header.endswith("尊敬的王老师：\n　　您好！")
    lines = r.footer.splitlines()
    assert "　　此致" in lines and "敬礼！" in lines
    assert lines.index("敬礼！") == lines.index("　　此致") + 1


def test_date_default_is_today_formatted(lib: TemplateLibrary) -> None:
    t = lib.templates["gongwen.notice"]
    r = t.render({"issuer": "甲", "subject": "乙", "points": "丙"}, "zh")
    today = dt.date.today()
    assert dict(r.parts)["date"] == f"{today.year}年{today.month}月{today.day}日"
    assert format_date(dt.date(2026, 1, 5), "zh") == "2026年1月5日"
    assert format_date(DAY, "en") == "25 November 2026"
    cover = lib.templates["letter.en.cover"]
    r = cover.render(_values(cover), "en", today=DAY)
    assert "25 November 2026" in r.header
    assert r.header.endswith("Dear Hiring Manager,")
    assert r.footer.startswith("Sincerely,")


def test_speech_length_follows_duration(lib: TemplateLibrary) -> None:
    zh = lib.templates["speech.opening"]
    r = zh.render({"occasion": "年会", "points": "甲", "duration": 4}, "zh")
    assert "4分钟" in r.instruction and "900字" in r.instruction
    en = lib.templates["speech.en.speech"]
    r = en.render({"topic": "t", "points": "p", "duration": "3"}, "en")
    assert "about 420 words" in r.instruction


def test_channel_limits_are_data(lib: TemplateLibrary) -> None:
    social = lib.templates["copy.social"]
    channel = social.field("channel")
    assert channel is not None and channel.kind is FieldKind.CHOICE
    labels = {o.label.zh for o in channel.options}
    assert {"微博", "微信公众号", "小红书", "短信", "海报"} <= labels
    limits = {o.value: dict(o.limits) for o in channel.options}
    assert limits["xiaohongshu"] == {"title_max": 20, "body_max": 1000}
    assert limits["wechat"]["title_max"] == 64
    assert limits["sms"]["segment"] == 70
    assert limits["weibo"]["lead"] == 140
    r = social.render({"topic": "秋季穿搭", "points": "a", "channel": "sms"}, "zh")
    assert "短信" in r.instruction and "70" in r.instruction


def test_missing_and_bad_values(lib: TemplateLibrary) -> None:
    t = lib.templates["gongwen.notice"]
    with pytest.raises(MissingFieldError) as info:
        t.render({"issuer": "甲", "points": "丙"}, "zh")
    assert info.value.field_name == "subject" and "事由" in str(info.value)
    with pytest.raises(MissingFieldError, match="subject"):
        t.render({"issuer": "甲", "points": "丙"}, "en")
    with pytest.raises(TemplateValueError):
        t.render({"issuer": "甲", "subject": "乙", "points": "丙", "length": "many"}, "zh")
    social = lib.templates["copy.social"]
    with pytest.raises(TemplateValueError):
        social.render({"topic": "x", "points": "y", "channel": "tiktok"}, "zh")


def test_values_are_not_re_expanded(lib: TemplateLibrary) -> None:
    t = lib.templates["gongwen.notice"]
    r = t.render({"issuer": "{subject}{0}{__class__}", "subject": "{issuer!r}", "points": "{{x}}"}, "zh", today=DAY)
    parts = r.gongwen_parts()
    assert parts is not None and parts.title == "{subject}{0}{__class__}关于{issuer!r}的通知"
    assert "{{x}}" in r.instruction


USER_TEMPLATE = """\
[[templates]]
id = "{id}"
category = "gongwen"
names = {{ zh = "{zh}", en = "My notice" }}
language = "zh"
header = "{{issuer}}："
instruction = "写：{{points}}"
footer = "特此通知。"

[[templates.fields]]
name = "issuer"
kind = "text"
label = {{ zh = "机关", en = "Authority" }}
default = "本单位"

[[templates.fields]]
name = "points"
kind = "multiline"
label = {{ zh = "要点", en = "Points" }}
required = true
"""


def test_broken_user_template_names_file_and_line(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text(USER_TEMPLATE.format(id="user.good", zh="我的通知"), encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text('[[templates]]\nid = "x"\ncategory = "gongwen"\nnames = { zh = "甲" en = "b" }\n', encoding="utf-8")
    lib = load_templates(BUILTIN, tmp_path)
    assert len(lib.errors) == 1
    err = lib.errors[0]
    assert err.path == bad and err.line == 4
    assert "bad.toml" in str(err) and "line 4" in str(err)
    assert "gongwen.notice" in lib.templates and "user.good" in lib.templates


def test_user_template_overrides_builtin(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text(USER_TEMPLATE.format(id="gongwen.notice", zh="我的通知"), encoding="utf-8")
    lib = load_templates(BUILTIN, tmp_path)
    assert lib.errors == []
    t = lib.templates["gongwen.notice"]
    assert t.names.zh == "我的通知" and not t.builtin and t.source == tmp_path / "mine.toml"
    assert t.render({"points": "甲"}, "zh").header == "本单位："


def test_huge_file_refused_fast(tmp_path: Path) -> None:
    huge = tmp_path / "huge.toml"
    huge.write_bytes(b"# " + b"x" * MAX_FILE_BYTES + b"\n")
    lib = load_templates(BUILTIN, tmp_path)
    # Refused by its size before any parsing (the message says so), not by the TOML parser after reading it.
    assert len(lib.errors) == 1 and lib.errors[0].path == huge and "refused" in str(lib.errors[0])
    assert "gongwen.notice" in lib.templates


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("a = " + "[" * 5000 + "]" * 5000 + "\n", "nested"),  # deeply nested data
        ("templates = 5\n", "array"),  # wrong top-level type
        (
            '[[templates]]\nid = 5\ncategory = "x"\nnames = { zh = "a", en = "b" }\n'
            'language = "zh"\ninstruction = "x"\n',
            "wrong type",
        ),
        (USER_TEMPLATE.format(id="u.a", zh="x").replace("写：{points}", "写：{nope}"), "unknown placeholder"),
        (USER_TEMPLATE.format(id="u.b", zh="x").replace("写：{points}", "写：{points.__class__}"), "plain field"),
        (USER_TEMPLATE.format(id="u.c", zh="x").replace("写：{points}", "写：{points:{points}}"), "plain field"),
        (USER_TEMPLATE.format(id="u.d", zh="x").replace("写：{points}", "写：{{points}"), "braces"),
        (USER_TEMPLATE.format(id="u.e", zh="x").replace('kind = "text"', 'kind = "html"'), "kind"),
        (USER_TEMPLATE.format(id="u.f", zh="x").replace('language = "zh"', 'language = "fr"'), "language"),
        (b"\xff\xfe bad".decode("latin-1"), "UTF-8"),
    ],
)
def test_hostile_user_templates_are_contained(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "hostile.toml"
    if needle == "UTF-8":
        path.write_bytes(b"\xff\xfe bad")
    else:
        path.write_text(text, encoding="utf-8")
    lib = load_templates(BUILTIN, tmp_path)
    assert len(lib.errors) == 1, lib.errors
    assert lib.errors[0].path == path and needle in str(lib.errors[0])
    assert "gongwen.notice" in lib.templates


def test_save_load_round_trip(lib: TemplateLibrary, tmp_path: Path) -> None:
    user = tmp_path / "user"
    for original in (lib.templates["copy.social"], lib.templates["letter.en.cover"], lib.templates["gongwen.notice"]):
        copy = duplicate(original, original.id + ".mine")
        assert copy.names.zh.endswith("（副本）") and not copy.builtin
        path = save_user_template(copy, user)
        assert path == user / f"{copy.id}.toml"
        reloaded = load_templates(BUILTIN, user)
        assert reloaded.errors == []
        assert reloaded.templates[copy.id] == copy
    # Nothing but the saved templates: no temp file of any name is left behind.
    assert {p.suffix for p in user.iterdir()} == {".toml"}


def test_a_failed_save_keeps_the_old_template_and_says_so(
    lib: TemplateLibrary, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = duplicate(lib.templates["gongwen.notice"], "mine")
    path = save_user_template(copy, tmp_path)
    before = path.read_bytes()

    def failing_fsync(fd: int) -> None:
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(TemplateError) as info:
        save_user_template(replace(copy, header="changed"), tmp_path)
    assert info.value.path == path
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_round_trip_of_awkward_strings(tmp_path: Path) -> None:
    lib = load_templates(BUILTIN, None)
    t = duplicate(lib.templates["gongwen.notice"], "odd")
    t = type(t)(**{**t.__dict__, "header": 'a "quoted" \\ back\\slash\ttab\n{issuer}\u0001 {{literal}}'})
    save_user_template(t, tmp_path)
    assert load_templates(BUILTIN, tmp_path).templates["odd"] == t


def test_search(lib: TemplateLibrary) -> None:
    assert "letter.thanks" in [t.id for t in lib.search("thank", "en")]
    assert "letter.thanks" in [t.id for t in lib.search("感谢", "zh")]
    assert "letter.thanks" in [t.id for t in lib.search("THANK", "zh")]
    assert {t.category for t in lib.search("公文", "zh")} == {"gongwen"}
    assert lib.search("", "zh") == list(lib.templates.values())


# -- names that end in a newline -------------------------------------------------------------------------------------

_CHOICE_FIELD = """
[[templates.fields]]
name = "channel"
kind = "choice"
label = { zh = "渠道", en = "Channel" }
options = [{ value = "sms", label = { zh = "短信", en = "SMS" }, limits = { LIMIT = 70 } }]
"""


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        # A field name and its placeholder with a final newline: `$` matched before it, then rendering raised.
        (USER_TEMPLATE.format(id="u.n", zh="x").replace('"points"', '"points\\n"').replace("{points}", "{points\\n}"),
         "field name"),
        (USER_TEMPLATE.format(id="u.n\\n", zh="x"), "id "),
        (USER_TEMPLATE.format(id="u.n", zh="x") + _CHOICE_FIELD.replace("LIMIT", '"body_max\\n"'), "bad key"),
        (USER_TEMPLATE.format(id="u.n", zh="x") + _CHOICE_FIELD.replace('"channel"', '"channel\\n"')
         .replace("LIMIT", "body_max"), "field name"),
    ],
)  # fmt: skip
def test_names_ending_in_a_newline_are_refused_at_load(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "newline.toml"
    path.write_text(text, encoding="utf-8")
    lib = load_templates(BUILTIN, tmp_path)
    assert len(lib.errors) == 1, lib.errors
    assert lib.errors[0].path == path and needle in str(lib.errors[0])
    assert "u.n" not in lib.templates and "u.n\n" not in lib.templates
    # Everything that did load renders.
    for template in lib.templates.values():
        template.prompt(_values(template), "zh", today=DAY)


def test_ids_ending_in_a_newline_are_not_copied_or_saved(lib: TemplateLibrary, tmp_path: Path) -> None:
    original = lib.templates["gongwen.notice"]
    with pytest.raises(TemplateError, match="id "):
        duplicate(original, "mine\n")
    with pytest.raises(TemplateError, match="id "):
        save_user_template(replace(duplicate(original, "mine"), id="mine\n"), tmp_path)
    assert list(tmp_path.iterdir()) == []
