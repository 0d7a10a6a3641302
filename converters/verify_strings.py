"""Strings whose tokenization must be identical in the GGUF and in the checkpoint's own tokenizer.

They cover what writers type: Chinese, English, mixed text, emoji, whitespace runs, digits, full-width
punctuation and the Ziya prompt template with its added tokens.
"""

from __future__ import annotations

VERIFY_STRINGS: tuple[str, ...] = (
    "写一封感谢信",
    "关于召开2026年度工作会议的通知",
    "各有关单位：\n    为做好年度总结工作，现将有关事项通知如下。",
    "Dear Ms Li,\n\nThank you for your kind invitation.",
    "Yours faithfully,  John   Smith",
    "混合 text：Ziya 写作助手 v1.0 supports 中文 and English!",
    "新品上市🎉🎉 限时优惠👍，快来抢购🛒",
    "👨‍👩‍👧‍👦 family emoji and 🇨🇳 flag",
    "〔2026〕12号　全角空格与“引号”《书名号》",
    "<human>:写一封感谢信\n<bot>:",
    "<human>:Write a speech for the opening ceremony.\n<bot>:",
    "<human>:请把下面这段话润色得更正式：\n我们明天开会。\n<bot>:",
    "  leading spaces and trailing  ",
    "tab\there and\r\nwindows newline",
    "1234567890 ０１２３ 3.1415926",
    "",
)
