"""Writing actions: prompts in the Ziya format, windowing that says what it left out, errors, and output cleaning."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ziya_desktop.engine.prompt import MIN_ANSWER_TOKENS, ziya_prompt
from ziya_desktop.errors import PromptTooLongError, ZiyaError
from ziya_desktop.writing.actions import (
    CONTINUE_ANSWER_TOKENS,
    ActionError,
    ActionKind,
    ActionRequest,
    build_action,
    clean_model_output,
    detect_language,
    suggested_answer_tokens,
)
from ziya_desktop.writing.language import Language


def tok(text: str) -> list[int]:
    """A deterministic stand-in tokenizer: one token per UTF-8 byte."""
    return list(text.encode("utf-8"))


ZH_DOC = "各位同事：\n\n为进一步加强安全管理，现将有关事项通知如下。\n\n一、提高认识。我们要认识到安全工作的重要性。\n"
ZH_PARA = "一、提高认识。我们要认识到安全工作的重要性。"
EN_DOC = "Dear Ms Li,\n\nThank you for your help with the launch last week. We couldn't have done it without you.\n"
EN_PARA = "Thank you for your help with the launch last week. We couldn't have done it without you."
SELECTION_KINDS = [k for k in ActionKind if k is not ActionKind.CONTINUE]
# What each instruction must say, in the text's language.
KEYWORDS = {
    ActionKind.POLISH: ("润色", "Polish"),
    ActionKind.EXPAND: ("扩写", "Expand"),
    ActionKind.SHORTEN: ("缩写", "Shorten"),
    ActionKind.FORMAL: ("书面语", "formal"),
    ActionKind.WARM: ("亲切", "warmer"),
    ActionKind.TRANSLATE: ("翻译成英文", "into Chinese"),
    ActionKind.REWRITE: ("改成第一人称", "Make it shorter and punchier."),
}


def select(kind: ActionKind | str, text: str, part: str, **kw: object) -> ActionRequest:
    start = text.index(part)
    options: dict[str, object] = {"n_ctx": 2048, "answer_tokens": 256} | kw
    return build_action(
        kind,
        text=text,
        cursor=start + len(part),
        selection=(start, start + len(part)),
        tokenize=tok,
        **options,  # type: ignore[arg-type]
    )


def cont(text: str, cursor: int, **kw: object) -> ActionRequest:
    options: dict[str, object] = {"n_ctx": 2048, "answer_tokens": 256} | kw
    return build_action(
        ActionKind.CONTINUE,
        text=text,
        cursor=cursor,
        selection=None,
        tokenize=tok,
        **options,  # type: ignore[arg-type]
    )


# ------------------------------------------------------------------------------------------------ selection actions


@pytest.mark.parametrize("kind", SELECTION_KINDS)
@pytest.mark.parametrize(("text", "part", "lang"), [(ZH_DOC, ZH_PARA, "zh"), (EN_DOC, EN_PARA, "en")])
def test_selection_action_replaces_the_selection_with_a_ziya_prompt(
    kind: ActionKind, text: str, part: str, lang: str
) -> None:
    instruction = "改成第一人称" if lang == "zh" else "Make it shorter and punchier"
    req = select(kind, text, part, instruction=instruction)
    start = text.index(part)
    assert req.kind is kind
    assert (req.mode, req.target, req.original) == ("replace", (start, start + len(part)), part)
    assert req.language == lang
    assert req.prompt.startswith("<human>:") and req.prompt.endswith("\n<bot>:")
    assert req.prompt == ziya_prompt(req.prompt.removeprefix("<human>:").removesuffix("\n<bot>:"))
    assert req.tokens == tok(req.prompt)
    assert req.dropped_chars == 0 and req.strip_leading_space
    # The instruction comes first, in the text's language, then the selection itself.
    query = req.prompt.removeprefix("<human>:").removesuffix("\n<bot>:")
    instruction_part, selected = query.rsplit("\n\n", 1)
    assert selected == part
    assert KEYWORDS[kind][0 if lang == "zh" else 1] in instruction_part
    if lang == "zh":
        assert instruction_part.startswith("请") and "只输出" in instruction_part
    else:
        assert instruction_part.isascii() or "“" in instruction_part
        assert "Output only the" in instruction_part


def test_translate_names_the_direction_and_the_answer_language() -> None:
    zh = select(ActionKind.TRANSLATE, ZH_DOC, ZH_PARA)
    en = select(ActionKind.TRANSLATE, EN_DOC, EN_PARA)
    assert "中文翻译成英文" in zh.prompt and zh.output_language == "en"
    assert "English text into Chinese" in en.prompt and en.output_language == "zh"
    assert select(ActionKind.POLISH, ZH_DOC, ZH_PARA).output_language == "zh"


def test_length_targets_follow_the_selection() -> None:
    para = "这是一段测试文字。" * 20  # 180 characters
    text = f"标题\n{para}\n"
    assert "约270至360字" in select(ActionKind.EXPAND, text, para).prompt
    assert "约90字" in select(ActionKind.SHORTEN, text, para).prompt
    words = "one two three four five six seven eight nine ten"
    assert "about 15 to 20 words" in select(ActionKind.EXPAND, words, words).prompt
    assert "about 5 words" in select(ActionKind.SHORTEN, words, words).prompt


def test_rewrite_carries_the_writers_instruction_verbatim() -> None:
    req = select(ActionKind.REWRITE, ZH_DOC, ZH_PARA, instruction="  改成排比句，语气更有力量 {low}  ")
    assert "请按以下要求修改下面这段文字：改成排比句，语气更有力量 {low}。" in req.prompt


def test_genre_hint_is_added_in_the_texts_language() -> None:
    zh = select(ActionKind.POLISH, ZH_DOC, ZH_PARA, genre_hint="公文  通知")
    en = select(ActionKind.POLISH, EN_DOC, EN_PARA, genre_hint="thank-you letter")
    assert "文体：公文 通知。" in zh.prompt
    assert "Genre: thank-you letter." in en.prompt
    assert "文体" not in select(ActionKind.POLISH, ZH_DOC, ZH_PARA).prompt


def test_selection_whitespace_stays_in_the_document_and_order_does_not_matter() -> None:
    start = ZH_DOC.index(ZH_PARA)
    # Selected from the blank line before to the line break after, and dragged backwards.
    sel = (start + len(ZH_PARA) + 1, start - 2)
    req = build_action(
        ActionKind.POLISH, text=ZH_DOC, cursor=0, selection=sel, tokenize=tok, n_ctx=2048, answer_tokens=64
    )
    assert req.target == (start, start + len(ZH_PARA))
    assert ZH_DOC[req.target[0] : req.target[1]] == req.original == ZH_PARA


def test_language_of_digits_alone_follows_the_document() -> None:
    text = "会议定于2026年11月25日召开，请各单位准时参加。"
    assert select(ActionKind.POLISH, text, "2026").language == "zh"


@pytest.mark.parametrize("selection", [None, (5, 5), (5, 7)])
def test_selection_action_without_a_selection_is_an_action_error(selection: tuple[int, int] | None) -> None:
    text = "各位同事：\n\n  \n\n正文。"
    with pytest.raises(ActionError) as info:
        build_action(
            ActionKind.POLISH, text=text, cursor=0, selection=selection, tokenize=tok, n_ctx=2048, answer_tokens=64
        )
    assert isinstance(info.value, ZiyaError) and "select" in str(info.value).lower()


@pytest.mark.parametrize("instruction", ["", "   \n "])
def test_rewrite_without_an_instruction_is_an_action_error(instruction: str) -> None:
    with pytest.raises(ActionError, match="instruction"):
        select(ActionKind.REWRITE, ZH_DOC, ZH_PARA, instruction=instruction)


def test_selection_that_does_not_fit_raises_instead_of_being_cut() -> None:
    para = "这是一段很长的测试文字。" * 100
    fits = select(ActionKind.POLISH, para, para, n_ctx=100_000, answer_tokens=100)
    n_ctx = len(fits.tokens) + 100  # exactly enough room
    assert select(ActionKind.POLISH, para, para, n_ctx=n_ctx, answer_tokens=100).original == para
    with pytest.raises(PromptTooLongError) as info:
        select(ActionKind.POLISH, para, para, n_ctx=n_ctx - 1, answer_tokens=100)
    assert info.value.prompt_tokens == len(fits.tokens) and info.value.n_ctx == n_ctx - 1


def test_answer_room_is_never_below_the_engines_minimum() -> None:
    req = select(ActionKind.POLISH, ZH_DOC, ZH_PARA, answer_tokens=1)
    assert req.answer_tokens == MIN_ANSWER_TOKENS
    with pytest.raises(PromptTooLongError):
        select(ActionKind.POLISH, ZH_DOC, ZH_PARA, n_ctx=len(req.tokens) + MIN_ANSWER_TOKENS - 1, answer_tokens=1)


def test_positions_outside_the_text_are_programming_errors() -> None:
    with pytest.raises(ValueError, match="cursor"):
        cont("abc", 4)
    with pytest.raises(ValueError, match="selection"):
        build_action("polish", text="abc", cursor=0, selection=(1, 9), tokenize=tok, n_ctx=2048, answer_tokens=64)
    with pytest.raises(ValueError):
        build_action("summarise", text="abc", cursor=0, selection=(0, 3), tokenize=tok, n_ctx=2048, answer_tokens=64)


# ------------------------------------------------------------------------------------------------------- continue


def test_continue_inserts_at_the_cursor_with_the_text_before_it() -> None:
    req = cont(ZH_DOC, len(ZH_DOC))
    assert (req.mode, req.target, req.original) == ("insert", (len(ZH_DOC), len(ZH_DOC)), "")
    assert req.prompt == ziya_prompt(f"{ZH_DOC.strip()}\n\n请接着上文继续写，保持文风和格式一致，只输出续写的内容。")
    assert req.tokens == tok(req.prompt) and req.dropped_chars == 0 and req.language == "zh"
    en = cont(EN_DOC, len(EN_DOC))
    assert en.language == "en"
    assert en.prompt.endswith(
        "Continue the text above in the same style and format. Output only the continuation.\n<bot>:"
    )


def test_continue_in_the_middle_mentions_the_text_after_the_cursor() -> None:
    cursor = ZH_DOC.index(ZH_PARA)
    req = cont(ZH_DOC, cursor)
    assert req.target == (cursor, cursor)
    assert "我们要认识到" not in req.prompt.split("请接着上文")[1]  # only the first sentence after the cursor
    assert "并与后文“一、提高认识。”自然衔接（不要重复后文）" in req.prompt
    assert req.prompt.startswith("<human>:各位同事：") and "通知如下。\n\n请接着上文" in req.prompt


def test_continue_leaves_out_the_text_after_the_cursor_when_only_that_does_not_fit() -> None:
    before = "甲乙丙。"
    bare = cont(before, len(before), answer_tokens=MIN_ANSWER_TOKENS)
    text = before + "后文的第一句话。"
    req = cont(text, len(before), n_ctx=len(bare.tokens) + MIN_ANSWER_TOKENS, answer_tokens=MIN_ANSWER_TOKENS)
    assert req.prompt == bare.prompt and req.dropped_chars == 0
    assert "后文的第一句话" in cont(text, len(before)).prompt


def test_continue_windows_a_long_document_to_the_text_nearest_the_cursor() -> None:
    doc = "".join(f"第{i}条规定。" for i in range(1, 2001))
    cursor = doc.index("第1500条")
    req = cont(doc, cursor, n_ctx=1024, answer_tokens=256)
    assert len(req.tokens) <= 1024 - 256 and req.tokens == tok(req.prompt)
    kept = req.prompt.removeprefix("<human>:").split("\n\n请接着上文")[0]
    before = doc[:cursor]
    assert before.endswith(kept) and kept.startswith("第") and "第1499条规定。" in kept
    assert "第1条规定" not in req.prompt
    assert req.dropped_chars == len(before) - len(kept) > 0
    assert "并与后文“第1500条规定。”" in req.prompt


def test_continue_on_a_book_length_document_stays_cheap() -> None:
    longest = 0

    def counting(text: str) -> list[int]:
        nonlocal longest
        longest = max(longest, len(text))
        return tok(text)

    doc = "这是一个很长的文档。" * 100_000  # a million characters
    req = build_action(
        "continue", text=doc, cursor=len(doc), selection=None, tokenize=counting, n_ctx=2048, answer_tokens=512
    )
    assert longest < 2048 * 16 + 200  # never tokenized the whole book
    kept = req.prompt.removeprefix("<human>:").split("\n\n请接着上文")[0]
    assert req.dropped_chars == len(doc) - len(kept) and len(req.tokens) <= 2048 - 512


@pytest.mark.parametrize(("text", "cursor"), [("正文。", 0), ("  \n\n  正文。", 5), ("", 0)])
def test_nothing_to_continue_from_is_an_action_error(text: str, cursor: int) -> None:
    with pytest.raises(ActionError, match="nothing to continue from"):
        cont(text, cursor)


@pytest.mark.parametrize(
    ("text", "cursor", "strip"),
    [
        ("第一段。\n", 5, True),  # at a line start
        ("Dear Ms Li,\nThank you", 21, False),  # English mid-line: the model's space separates the words
        ("Dear Ms Li, thank you ", 22, True),  # after a space
        ("我们要认识到安全", 8, True),  # Chinese runs words together
    ],
)
def test_continue_strips_the_leading_space_except_inside_english_text(text: str, cursor: int, strip: bool) -> None:
    assert cont(text, cursor).strip_leading_space is strip


# ------------------------------------------------------------------------------------------------ language, sizes


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("今天天气很好。", "zh"),
        ("The weather is nice today.", "en"),
        ("我们在 LLaMA 模型上用 llama.cpp 部署离线写作助手", "zh"),
        ("Li Bai (李白) wrote many poems about the moon and wine.", "en"),
        ("2026-11-25 !!!", "zh"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_detect_language_default_for_text_without_letters() -> None:
    assert detect_language("123 456", default="en") == "en"


def test_suggested_answer_tokens_follow_the_action() -> None:
    sizes = {k: suggested_answer_tokens(k, 200, 4096) for k in SELECTION_KINDS}
    assert sizes[ActionKind.SHORTEN] < sizes[ActionKind.POLISH] < sizes[ActionKind.EXPAND]
    assert sizes[ActionKind.SHORTEN] >= 100  # room for about half the selection and then some
    assert sizes[ActionKind.EXPAND] >= 400  # twice the selection
    assert suggested_answer_tokens("expand", 2000, 1024) == 1024
    assert suggested_answer_tokens("shorten", 0, 1024) >= MIN_ANSWER_TOKENS
    assert suggested_answer_tokens("continue", 0, 4096) == CONTINUE_ANSWER_TOKENS
    assert suggested_answer_tokens("continue", 0, 300) == 300
    with pytest.raises(ValueError):
        suggested_answer_tokens("polish", -1, 100)


# ------------------------------------------------------------------------------------------------------ cleaning


@pytest.mark.parametrize(
    ("kind", "output", "original", "expected"),
    [
        ("polish", "好的，以下是润色后的文本：\n\n我们要充分认识。\n\n", "我们要认识。", "我们要充分认识。"),
        ("polish", "以下是我为您润色后的版本，供参考：\n“我们要充分认识。”", "我们要认识。", "我们要充分认识。"),
        ("shorten", "好的，缩写后的内容如下：\n简短。", "很长很长。", "简短。"),
        ("polish", "好的，我来帮您润色一下这段文字：\n新文字。", "旧文字。", "新文字。"),
        ("polish", "润色后：我们要充分认识。", "我们要认识。", "我们要充分认识。"),
        ("translate", "译文：We must act now.", "我们必须立即行动。", "We must act now."),
        ("translate", "Here is the translation:\n\nWe must act now.", "我们必须立即行动。", "We must act now."),
        ("polish", 'Sure! Here\'s the revised version of the text:\n"We did it."', "we done it", "We did it."),
        ("polish", "Revised text:\nThe plan was approved.", "The plan were approved.", "The plan was approved."),
        ("formal", "“此事已办结。”", "这事办完了！", "此事已办结。"),
        ("polish", "```\nThe plan was approved.\n```", "The plan were approved.", "The plan was approved."),
        ("polish", "  \n新文字。  \n", "旧文字。", "新文字。"),
    ],
)
def test_clean_model_output_removes_wrapping(kind: str, output: str, original: str, expected: str) -> None:
    lang: Language = "en" if original.isascii() else "zh"
    assert clean_model_output(kind, output, lang, original=original) == expected


@pytest.mark.parametrize(
    ("kind", "output", "original"),
    [
        ("polish", "以下是本次会议的主要内容：\n一、审议年度报告。", "以下是这次会议的主要内容：\n一、审议年度报告"),
        ("polish", "好的开始是成功的一半。", "好的开始是成功一半。"),
        ("polish", "修改：将第三条删去。", "修改：第三条删去。"),
        ("polish", "译文：本书的译文经过三次校订。", "译文：本书的译文经过三次校对。"),
        ("polish", "Here is a list of our achievements: one, two.", "Here is a list of our achievement: one, two."),
        ("polish", "Translation: the craft of carrying meaning across.", "Translation: the craft of carrying meaning."),
        ("polish", '"Hi," she said, "bye."', "'Hi', she said, 'bye.'"),
        ("polish", "“甲”和“乙”都同意。", "甲和乙同意。"),
        ("polish", "“同意。”", "“同意”"),
        ("continue", "“我们走吧。”他说。", ""),
        ("continue", "译文：有些读者更喜欢。", ""),
    ],
)
def test_clean_model_output_keeps_content_that_only_looks_like_wrapping(kind: str, output: str, original: str) -> None:
    lang: Language = "en" if original.isascii() and output.isascii() else "zh"
    assert clean_model_output(kind, output, lang, original=original) == output


def test_continuation_keeps_its_leading_space_unless_a_preamble_went() -> None:
    assert clean_model_output("continue", " and then we left.  \n", "en") == " and then we left."
    assert clean_model_output("continue", "好的，以下是续写的内容：\n\n“走吧。”他说。", "zh") == "“走吧。”他说。"


# ------------------------------------------------------------------------------------------- the real tokenizer


@pytest.mark.slow
def test_actions_with_the_models_tokenizer(tiny_gguf: Callable[[str], Path]) -> None:
    from ziya_desktop.engine.llama_api import LlamaModel, ModelParams

    model = LlamaModel(tiny_gguf("q8_0"), ModelParams(vocab_only=True))
    try:
        doc = "".join(f"第{i}条：各单位要认真落实安全生产责任制。\n" for i in range(1, 401))
        req = build_action(
            "continue", text=doc, cursor=len(doc), selection=None, tokenize=model.tokenize, n_ctx=512, answer_tokens=128
        )
        assert req.tokens == model.tokenize(req.prompt)
        assert len(req.tokens) <= 512 - 128
        assert req.dropped_chars > 0 and "第400条" in req.prompt and "第1条：" not in req.prompt
        kept = req.prompt.removeprefix("<human>:").split("\n\n请接着上文")[0]
        assert req.dropped_chars == len(doc.rstrip()) - len(kept)

        para = doc[: doc.index("第3条")].strip()
        polish = build_action(
            "polish", text=doc, cursor=0, selection=(0, len(para)), tokenize=model.tokenize, n_ctx=512, answer_tokens=64
        )
        assert polish.tokens == model.tokenize(polish.prompt) and polish.original == para
        with pytest.raises(PromptTooLongError):
            build_action(
                "polish",
                text=doc,
                cursor=0,
                selection=(0, len(doc)),
                tokenize=model.tokenize,
                n_ctx=512,
                answer_tokens=64,
            )
    finally:
        model.close()
