"""The document's head in its file: a 公文's parts, its layout and template as front matter that reads back the same.

What the app did not write — another tool's front matter, a broken block, a hostile one — is never taken: it stays
in the text, so nothing of the file is lost.
"""

from __future__ import annotations

import pytest

from ziya_desktop.documents.front_matter import DocumentHead, join_front_matter, split_front_matter
from ziya_desktop.writing.gongwen_parts import GongwenFormat, GongwenParts

PARTS = GongwenParts.for_kind(
    "请示",
    issuers=["某某市教育局", "某某市财政局"],
    doc_number="某教〔2026〕3号",
    signers=["张三", "李四"],
    title="某某市教育局关于召开年度工作会议的请示",
    addressees="某某市人民政府",
    attachments=["参会回执", "true", "- 看起来像列表", "3"],
    date="2026年12月6日",
    sealed=True,
    notes="联系人：王五，电话：010-12345678",
    copies_to="市委办公室: 市政府办公室 # 不是注释",
    classification="秘密",
    secrecy_period="1年",
)


def test_a_head_reads_back_as_written() -> None:
    head = DocumentHead(layout="gongwen", template="gongwen.request", parts=PARTS)
    body = "一、基本情况\n\n正文。\n---\n分隔线之后仍是正文。\n"
    text = join_front_matter(head, body)
    assert text.startswith("---\nlayout: gongwen\ntemplate: gongwen.request\nkind: 请示\n")
    assert split_front_matter(text) == (head, body)
    assert PARTS.upward and PARTS.format is GongwenFormat.FILE


def test_values_that_yaml_would_read_otherwise_are_quoted() -> None:
    text = join_front_matter(DocumentHead(layout="gongwen", parts=PARTS), "")
    assert '  - "true"' in text and '  - "3"' in text and '  - "- 看起来像列表"' in text
    assert 'copies_to: "市委办公室: 市政府办公室 # 不是注释"' in text


def test_a_plain_document_without_a_template_has_no_front_matter() -> None:
    assert join_front_matter(DocumentHead(), "正文") == "正文"
    assert join_front_matter(None, "正文") == "正文"
    assert split_front_matter("正文") == (None, "正文")


@pytest.mark.parametrize(
    "text",
    [
        "---\ntitle: Another tool's front matter\n---\nbody",  # no layout of ours
        "---\nlayout: gongwen\nlayout: plain\n---\nbody",  # a key twice
        "---\nlayout: gongwen\nkind: [通知]\nnot a line\n---\nbody",
        "---\nlayout: gongwen\nunknown_part: x\n---\nbody",
        "---\nlayout: gongwen\nsealed: perhaps\n---\nbody",
        "---\nlayout: gongwen\ntemplate: ../../etc/passwd\n---\nbody",
        '---\nlayout: gongwen\ntitle: "unterminated\n---\nbody',
        "---\nlayout: gongwen\ntitle: " + "长" * 2_001 + "\n---\nbody",
        "---\nlayout: gongwen\nattachments:\n" + "  - x\n" * 51 + "---\nbody",
        "---\nlayout: gongwen\nno end fence\nbody",
        "---\n" + "a: b\n" * 500 + "---\nbody",  # longer than any head we write
    ],
)
def test_what_we_did_not_write_stays_in_the_text(text: str) -> None:
    assert split_front_matter(text) == (None, text)
