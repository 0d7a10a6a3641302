"""The parts of a 公文 that are not its body: 版头, 主送, 附件说明, 署名, 版记 and the rest (GB/T 9704-2012 §7–§10).

A 公文 drafted from a template keeps these as data of the document (saved as front matter, edited in a form beside
the editor) rather than as lines of text whose role would have to be guessed. The export lays each one out where
the standard puts it; the body text holds only the 正文 (with its closing formula) and any 附件 pages.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from enum import StrEnum
from typing import Any

__all__ = [
    "KIND_DEFAULTS",
    "LIST_FIELDS",
    "TEXT_FIELDS",
    "GongwenFormat",
    "GongwenParts",
    "parts_from_mapping",
]


class GongwenFormat(StrEnum):
    """The three page formats of the standard."""

    FILE = "file"  # 文件格式 (§7): 版头 with the red mark and separator line
    LETTER = "letter"  # 信函格式 (§10.1), for 函
    MINUTES = "minutes"  # 纪要格式 (§10.3), for 纪要


# 文种 → (page format, 上行文). 请示 and 报告 go up to a superior body: 发文字号 left, 签发人 right.
KIND_DEFAULTS: dict[str, tuple[GongwenFormat, bool]] = {
    "通知": (GongwenFormat.FILE, False),
    "通报": (GongwenFormat.FILE, False),
    "意见": (GongwenFormat.FILE, False),
    "决定": (GongwenFormat.FILE, False),
    "请示": (GongwenFormat.FILE, True),
    "报告": (GongwenFormat.FILE, True),
    "函": (GongwenFormat.LETTER, False),
    "纪要": (GongwenFormat.MINUTES, False),
}

MAX_PART_CHARS = 2_000
MAX_LIST_ITEMS = 50


@dataclass(frozen=True)
class GongwenParts:
    """Everything of a 公文 but its body. Empty text or an empty tuple means "not used"."""

    kind: str = ""  # 文种: 通知, 请示, 报告, 函, 纪要 …
    format: GongwenFormat = GongwenFormat.FILE
    upward: bool = False  # 上行文
    copy_number: str = ""  # 份号 (six digits)
    classification: str = ""  # 密级: 秘密, 机密, 绝密
    secrecy_period: str = ""  # 保密期限, e.g. 1年; printed as 秘密★1年
    urgency: str = ""  # 紧急程度: 特急, 加急
    issuers: tuple[str, ...] = ()  # 发文机关, the lead one first
    mark: str = ""  # 发文机关标志; empty: the issuers' names + 文件 (or the name alone for 函, the title for 纪要)
    doc_number: str = ""  # 发文字号
    signers: tuple[str, ...] = ()  # 签发人 (上行文)
    title: str = ""  # 标题
    addressees: str = ""  # 主送机关, without the closing colon
    attachments: tuple[str, ...] = ()  # 附件说明: the attachments' names
    signature: str = ""  # 发文机关署名; empty: the issuers
    date: str = ""  # 成文日期
    sealed: bool = False  # 加盖印章: 署名 centred over the date; else 署名 two characters in from the right
    notes: str = ""  # 附注, without the parentheses
    copies_to: str = ""  # 抄送机关
    printer: str = ""  # 印发机关
    print_date: str = ""  # 印发日期
    attendees: str = ""  # 纪要: 出席
    absentees: str = ""  # 纪要: 请假
    observers: str = ""  # 纪要: 列席

    @classmethod
    def for_kind(cls, kind: str, **values: Any) -> GongwenParts:
        """Parts for ``kind`` with its format and direction, then ``values`` (cleaned as :func:`parts_from_mapping`)."""
        page_format, upward = KIND_DEFAULTS.get(kind, (GongwenFormat.FILE, False))
        return parts_from_mapping({"format": page_format, "upward": upward, **values, "kind": kind})

    def shown_mark(self) -> str:
        """The 发文机关标志 as printed."""
        if self.mark.strip():
            return self.mark.strip()
        if self.format is GongwenFormat.MINUTES:
            return self.title.strip() or (f"{self.issuers[0]}纪要" if self.issuers else "")
        names = "".join(self.issuers)
        if not names:
            return ""
        return names if self.format is GongwenFormat.LETTER else f"{names}文件"

    def shown_signature(self) -> tuple[str, ...]:
        """The 署名 lines: the given signature, else one line per issuer."""
        if self.signature.strip():
            return tuple(line.strip() for line in self.signature.splitlines() if line.strip())
        return self.issuers

    def shown_classification(self) -> str:
        """密级和保密期限 as printed: 秘密★1年, or the 密级 alone."""
        level = self.classification.strip()
        if not level:
            return ""
        period = self.secrecy_period.strip()
        return f"{level}★{period}" if period else level

    def has_record(self) -> bool:
        """Whether there is a 版记 (抄送 or 印发)."""
        return bool(self.copies_to.strip() or self.printer.strip() or self.print_date.strip())

    def with_values(self, **values: Any) -> GongwenParts:
        return replace(self, **values)


TEXT_FIELDS = tuple(f.name for f in fields(GongwenParts) if f.type == "str")
LIST_FIELDS = tuple(f.name for f in fields(GongwenParts) if f.type == "tuple[str, ...]")
_BOOL_FIELDS = ("upward", "sealed")


def _clean_text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text")
    # Parts are single paragraphs (the signature may hold one name a line); control characters have no place.
    text = "".join(c for c in value if c in "\n" or (ord(c) >= 0x20 and ord(c) != 0x7F))
    if len(text) > MAX_PART_CHARS:
        raise ValueError(f"{name} is longer than {MAX_PART_CHARS} characters")
    return text.strip()


def _clean_list(value: object, name: str) -> tuple[str, ...]:
    items: list[object]
    if isinstance(value, str):
        items = list(value.splitlines())
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise ValueError(f"{name} must be a list of text")
    if len(items) > MAX_LIST_ITEMS:
        raise ValueError(f"{name} has more than {MAX_LIST_ITEMS} entries")
    cleaned = (_clean_text(item, name).replace("\n", " ") for item in items)
    return tuple(item for item in cleaned if item)


def _clean_bool(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "1", "false", "no", "0", ""):
        return value.strip().lower() in ("true", "yes", "1")
    raise ValueError(f"{name} must be true or false")


def parts_from_mapping(values: dict[str, Any]) -> GongwenParts:
    """Parts from a mapping of field names to values (front matter, template output).

    Text is stripped and cleaned of control characters; a list may be given as a list or as lines of text.

    Raises:
        ValueError: an unknown name, a value of the wrong type, an unknown format, or a value over the limits.
    """
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name in TEXT_FIELDS:
            out[name] = _clean_text(value, name)
        elif name in LIST_FIELDS:
            out[name] = _clean_list(value, name)
        elif name in _BOOL_FIELDS:
            out[name] = _clean_bool(value, name)
        elif name == "format":
            try:
                out[name] = GongwenFormat(value)
            except ValueError:
                raise ValueError(f"format must be one of {[f.value for f in GongwenFormat]}") from None
        else:
            raise ValueError(f"unknown 公文 part {name!r}")
    return GongwenParts(**out)
