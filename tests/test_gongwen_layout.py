"""The 公文 layout model, its line breaking on the 28-character grid and its pages, without Qt.

Half-width text is measured here at half a 三号 character, which is what the layout rules are about; the PDF tests
measure the real glyphs.
"""

from __future__ import annotations

import pytest

from ziya_desktop.documents.export import gongwen
from ziya_desktop.documents.export.gongwen import Role, guess_parts
from ziya_desktop.documents.export.gongwen_layout import build_layout, layout_for
from ziya_desktop.documents.export.gongwen_lines import AREA_HEIGHT_PT, AREA_WIDTH_PT, break_para, paginate
from ziya_desktop.documents.export.gongwen_model import RED, Align, Face, Para, Run
from ziya_desktop.documents.export.gongwen_title import break_title
from ziya_desktop.documents.export.markdown_blocks import parse_blocks
from ziya_desktop.writing.gongwen_parts import GongwenFormat, GongwenParts

CELL = gongwen.CHAR_PITCH_PT
SENTENCE = "为深入贯彻落实全市教育工作会议精神，进一步总结经验、表彰先进、部署任务，经研究，决定召开年度工作会议。"


def half_width(text: str, _run: Run, size: float) -> float:
    return len(text) * size / 2


def body(text: str) -> Para:
    return Para(Role.BODY, (Run(text),), first_indent=2.0)


def test_a_full_line_holds_exactly_28_characters_of_the_type_area() -> None:
    lines = break_para(body("测" * 100), half_width)
    assert [len(line.glyphs) for line in lines] == [26, 28, 28, 18]
    full = lines[1]
    assert full.glyphs[0].x == pytest.approx(0.0)
    assert full.glyphs[-1].x + CELL == pytest.approx(AREA_WIDTH_PT)
    # The first line starts two characters in.
    assert lines[0].glyphs[0].x == pytest.approx(2 * CELL)


def test_a_closing_mark_never_starts_a_line_it_hangs_past_the_edge() -> None:
    # 26 characters fill the first line (two in); the 27th is “。”.
    lines = break_para(body("测" * 26 + "。" + "后" * 10), half_width)
    first = lines[0]
    assert first.glyphs[-1].text == "。"
    assert first.glyphs[-1].x == pytest.approx(AREA_WIDTH_PT)  # hanging, just right of the type area
    assert len([g for g in first.glyphs if g.x < AREA_WIDTH_PT - 0.01]) == 26
    assert lines[1].glyphs[0].text == "后"


def test_two_closing_marks_move_the_last_character_down_and_the_line_is_spread() -> None:
    lines = break_para(body("测" * 26 + "”。" + "后" * 10), half_width)
    first, second = lines[0], lines[1]
    assert second.text.startswith("测”。")
    assert first.glyphs[-1].x + CELL == pytest.approx(AREA_WIDTH_PT)  # spread to the full width


def test_an_opening_mark_never_ends_a_line() -> None:
    lines = break_para(body("测" * 25 + "《通知》" + "后" * 10), half_width)
    assert not lines[0].text.endswith("《")
    assert lines[1].text.startswith("《")


def test_latin_words_are_not_broken_and_lines_are_justified_to_the_edge() -> None:
    text = "测试 " + " ".join(["word"] * 40)
    lines = break_para(body(text), half_width)
    assert all(not g.text.strip() or g.text.strip() in ("测", "试", "word") for line in lines for g in line.glyphs)
    last_glyph = lines[0].glyphs[-1]
    assert last_glyph.x + half_width(last_glyph.text.rstrip(), last_glyph.run, 16) <= AREA_WIDTH_PT + 0.01
    assert last_glyph.x + last_glyph.width == pytest.approx(AREA_WIDTH_PT, abs=0.5 * 16 / 2 + 0.01)


def test_a_full_page_holds_22_lines_and_nothing_is_on_two_pages() -> None:
    layout = build_layout(GongwenParts(), parse_blocks("\n".join("测" * 54 for _ in range(30))))
    pages = paginate(layout, half_width)
    assert [len(p.lines) for p in pages] == [22, 22, 16]
    for page in pages:
        assert all(line.top >= 0 and line.top + line.para.line_pt <= AREA_HEIGHT_PT + 0.5 for line in page.lines)
    texts = [line.text for page in pages for line in page.lines]
    assert len(texts) == 60 and "".join(texts) == "测" * 54 * 30


def test_the_record_sits_at_the_foot_of_an_even_page_between_thick_rules() -> None:
    parts = GongwenParts(copies_to="市委办公室", printer="某某办公室", print_date="2026年12月6日")
    one_page = paginate(build_layout(parts, parse_blocks("正文。")), half_width)
    assert len(one_page) == 2 and one_page[1].lines[-1].text.startswith("某某办公室")
    record = one_page[1]
    assert record.lines[-1].top + record.lines[-1].para.line_pt == pytest.approx(AREA_HEIGHT_PT)
    thick, thin = gongwen.mm_to_pt(0.35), gongwen.mm_to_pt(0.25)
    assert [round(r.rule.thickness_pt, 3) for r in record.rules] == [round(thick, 3), round(thin, 3), round(thick, 3)]
    assert record.rules[-1].y == pytest.approx(AREA_HEIGHT_PT)
    # A body ending on page 2 with room: the record goes on page 2; a full page 2 needs a blank page 3.
    two = paginate(build_layout(parts, parse_blocks("\n".join("测" * 54 for _ in range(12)))), half_width)
    assert len(two) == 2 and [p.number for p in two] == [1, 2]
    full = paginate(build_layout(parts, parse_blocks("\n".join("测" * 54 for _ in range(22)))), half_width)
    assert len(full) == 4 and [p.number for p in full] == [1, 2, None, None] and not full[2].lines


def test_the_letter_format_has_no_number_on_its_first_page_and_no_record_rules() -> None:
    parts = GongwenParts.for_kind("函", issuers=["某某市教育局"], doc_number="某教函〔2026〕8号", copies_to="市财政局")
    layout = layout_for(parts, parse_blocks("正文。"))
    assert layout.format is GongwenFormat.LETTER and not layout.record_rules
    pages = paginate(layout, half_width)
    assert pages[0].number is None
    assert all(r.rule.color == RED for r in pages[0].rules)
    bottom = max(r.y for r in pages[0].rules)
    assert gongwen.mm_to_pt(gongwen.MARGIN_TOP_MM) + bottom == pytest.approx(gongwen.mm_to_pt(297 - 20))


def test_the_masthead_of_a_notice() -> None:
    parts = GongwenParts.for_kind(
        "通知",
        copy_number="000123",
        classification="秘密",
        secrecy_period="1年",
        urgency="特急",
        issuers=["某某市教育局"],
        doc_number="某教发〔2026〕12号",
        title="关于召开年度工作会议的通知",
        addressees="各区教育局",
    )
    flow = build_layout(parts, parse_blocks("正文。")).flow
    roles = [p.role for p in flow]
    assert roles[:7] == [
        Role.COPY_NUMBER,
        Role.CLASSIFICATION,
        Role.URGENCY,
        Role.MARK,
        Role.DOC_NUMBER,
        Role.TITLE,
        Role.ADDRESSEE,
    ]
    assert flow[1].text == "秘密★1年" and flow[1].runs[0].face is Face.HEITI
    mark = flow[3]
    assert mark.text == "某某市教育局文件" and mark.color == RED and mark.align is Align.CENTER
    # Its glyphs' top edge 35 mm below the type area's top: three lines above it, then the space before.
    em_top = 3 * gongwen.LINE_PITCH_PT + mark.space_before_pt + (mark.line_pt - mark.size_pt) / 2
    assert em_top == pytest.approx(gongwen.mm_to_pt(35.0))
    assert flow[4].align is Align.CENTER and flow[4].rule_below is not None and flow[4].rule_below.color == RED
    assert flow[5].space_before_pt == pytest.approx(2 * gongwen.LINE_PITCH_PT)
    assert flow[6].text == "各区教育局：" and flow[6].first_indent == 0


def test_an_upward_document_puts_the_number_left_and_the_signers_right() -> None:
    parts = GongwenParts.for_kind(
        "请示", issuers=["某某区教育局"], doc_number="某教〔2026〕3号", signers=["张三", "李四", "王五"]
    )
    assert parts.upward
    signers = [p for p in build_layout(parts, ()).flow if p.role is Role.SIGNER]
    assert ["".join(r.text for r in p.right_runs) for p in signers] == ["签发人：张三　李四", "签发人：王五"]
    assert signers[-1].text.startswith("某教〔2026〕3号") and signers[0].runs == ()
    assert signers[-1].first_indent == 1.0 and signers[-1].right_indent == 1.0
    assert signers[-1].right_runs[1].face is Face.KAITI


@pytest.mark.parametrize(
    ("sealed", "name", "date", "name_right", "date_right"),
    [
        # Without a seal: the name two characters from the right, the date's first character two right of the name's.
        (False, "某某市教育局", "2026年12月6日", 4.5, 2.0),
        (False, "某某市人民政府办公室", "2026年1月5日", 2.0, 4.0),
        # With a seal: the date four characters in, the name centred over it.
        (True, "某某市教育局", "2026年12月6日", 4.25, 4.0),
    ],
)
def test_signature_and_date(sealed: bool, name: str, date: str, name_right: float, date_right: float) -> None:
    parts = GongwenParts(signature=name, date=date, sealed=sealed)
    signature, dated = [
        p for p in build_layout(parts, parse_blocks("正文。")).flow if p.role in (Role.SIGNATURE, Role.DATE)
    ]
    assert signature.right_indent == pytest.approx(name_right)
    assert dated.right_indent == pytest.approx(date_right)
    assert signature.space_before_pt == pytest.approx((2 if sealed else 1) * gongwen.LINE_PITCH_PT)
    if not sealed:
        name_left = gongwen.CHARS_PER_LINE - name_right - gongwen.text_width_chars(name)
        date_left = gongwen.CHARS_PER_LINE - date_right - gongwen.text_width_chars(date)
        assert date_left - name_left == pytest.approx(2.0) or date_right == 2.0


def test_attachments_note_and_notes() -> None:
    parts = GongwenParts(
        attachments=("参会回执", "会议议程"), notes="联系人：王五，电话：12345678", date="2026年12月6日"
    )
    flow = build_layout(parts, parse_blocks("正文。")).flow
    note = [p for p in flow if p.role is Role.ATTACHMENT_NOTE]
    assert [p.text for p in note] == ["附件：1.参会回执", "2.会议议程"]
    assert note[0].first_indent + note[0].left_indent == 2.0 and note[1].left_indent == 5.0
    assert note[0].space_before_pt == pytest.approx(gongwen.LINE_PITCH_PT)
    assert flow[-1].role is Role.NOTES and flow[-1].text == "（联系人：王五，电话：12345678）"


def test_attachments_start_a_new_page_with_their_label_and_title() -> None:
    layout = build_layout(GongwenParts(), parse_blocks("正文。\n附件1\n参会回执\n姓名：\n附件2\n会议议程\n上午。"))
    labels = [p for p in layout.flow if p.role is Role.ATTACHMENT_LABEL]
    assert [p.text for p in labels] == ["附件1", "附件2"] and all(p.new_page for p in labels)
    assert labels[0].runs[0].face is Face.HEITI
    pages = paginate(layout, half_width)
    assert [page.lines[0].text for page in pages] == ["正文。", "附件1", "附件2"]
    title = pages[1].lines[1]
    assert title.text == "参会回执" and title.top == pytest.approx(2 * gongwen.LINE_PITCH_PT)


def test_minutes_list_attendance_with_the_names_under_the_first_name() -> None:
    parts = GongwenParts.for_kind("纪要", title="2026年第3次局务会议纪要", attendees="张三、李四", absentees="王五")
    layout = build_layout(parts, parse_blocks("会议认为……"))
    assert layout.flow[0].role is Role.MARK and layout.flow[0].text == "2026年第3次局务会议纪要"
    assert Role.TITLE not in [p.role for p in layout.flow]
    attendance = [p for p in layout.flow if p.role is Role.ATTENDANCE]
    assert [p.text for p in attendance] == ["出席：张三、李四", "请假：王五"]
    assert attendance[0].runs[0].face is Face.HEITI and attendance[0].left_indent == 5.0


@pytest.mark.parametrize(
    "title",
    [
        "某某市教育局关于召开2026年度全市教育系统年度工作总结表彰会议的通知",
        "某某市人民政府办公室关于印发某某市推进教育、科技、人才一体化发展若干措施的通知",
        "关于进一步加强和改进新时代全市中小学校体育卫生与艺术教育工作的实施意见",
    ],
)
def test_long_titles_wrap_into_a_trapezoid_or_diamond(title: str) -> None:
    lines = break_title(title, gongwen.TITLE_SIZE_PT)
    assert "".join(lines) == title and len(lines) >= 2
    widths = [gongwen.text_width_chars(line) for line in lines]
    assert all(w <= 20 for w in widths) and min(widths) >= 3
    assert widths[-1] >= widths[0] or widths[1] >= max(widths[0], widths[-1])  # trapezoid, or a diamond
    assert not lines[-1].startswith(("的", "，", "、"))


def test_a_title_broken_by_hand_keeps_its_lines() -> None:
    assert break_title("关于召开\n年度工作会议的通知", 22) == ["关于召开", "年度工作会议的通知"]


def test_a_document_typed_by_hand_gives_its_parts() -> None:
    text = (
        "教办〔2026〕12号\n某某市教育局关于召开会议的通知\n各部门：\n正文。\n特此通知。\n"
        "附件：1. 参会回执\n2. 会议议程\n某某市教育局\n2026年12月6日\n（联系人：王五）"
    )
    parts, rest = guess_parts(parse_blocks(text))
    assert parts.doc_number == "教办〔2026〕12号" and parts.title == "某某市教育局关于召开会议的通知"
    assert parts.addressees == "各部门" and parts.attachments == ("参会回执", "会议议程")
    assert parts.signature == "某某市教育局" and parts.date == "2026年12月6日" and parts.notes == "联系人：王五"
    assert [b.text for b in rest] == ["正文。", "特此通知。"]


def test_addressees_too_many_for_the_first_page_move_to_the_record() -> None:
    many = "、".join(f"第{i}区教育局" for i in range(1, 200))
    parts = GongwenParts(title="关于召开会议的通知", addressees=many, copies_to="市委办公室")
    pages = paginate(build_layout(parts, parse_blocks("正文。")), half_width)
    assert pages[0].lines[1].text == "正文。"
    record = [line for line in pages[-1].lines if line.para.role in (Role.ADDRESSEE, Role.COPIES_TO)]
    assert record[0].text.startswith("主送：第1区教育局") and record[-1].text.endswith("抄送：市委办公室。")
    few = paginate(build_layout(parts.with_values(addressees="各区教育局"), parse_blocks("正文。")), half_width)
    assert few[0].lines[1].text == "各区教育局："
