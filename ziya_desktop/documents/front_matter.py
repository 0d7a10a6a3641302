"""The document's own data before its text: a ``---`` block at the top of the ``.md`` file (front matter).

A 公文 keeps its 版头, 主送, 附件, 署名 and 版记 here (:class:`~ziya_desktop.writing.gongwen_parts.GongwenParts`),
with the layout and the template it was drafted from, so that they survive save and reopen and drive the export.
The block is a small, strict subset of YAML that any Markdown tool shows as front matter::

    ---
    layout: gongwen
    template: gongwen.notice
    kind: 通知
    issuers:
      - 某某市教育局
    doc_number: 某教发〔2026〕12号
    sealed: false
    ---

Values are plain text to the end of the line, or a double-quoted string (JSON escapes) where plain text would be
read back differently; lists are ``- item`` lines. A block this module did not write — another tool's front matter,
unknown keys, a broken line — is not taken: the file's text stays as it is, so nothing of it is lost.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields

from ziya_desktop.writing.gongwen_parts import LIST_FIELDS, GongwenParts, parts_from_mapping

__all__ = ["DocumentHead", "join_front_matter", "split_front_matter"]

_FENCE = "---"
_MAX_HEAD_LINES = 400
_KEY_RE = re.compile(r"([a-z][a-z_]{0,39}):(?: (.*))?")
_ITEM_RE = re.compile(r"  - (.*)")
_LAYOUTS = ("plain", "gongwen")
_TEMPLATE_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
# Plain text that a YAML reader would take for something else (a number, a bool, a mapping, a comment …).
_NEEDS_QUOTES_RE = re.compile(r'^[\s\-?:,\[\]{}#&*!|>\'"%@`]|[:#]\s|\s$|^(true|false|null|yes|no|~|\d[\d.]*)$', re.I)


@dataclass(frozen=True)
class DocumentHead:
    """What the front matter holds: the export layout, the template id and, for a 公文, its parts."""

    layout: str = "plain"
    template: str = ""
    parts: GongwenParts | None = None


def _quote(value: str) -> str:
    if value == "" or _NEEDS_QUOTES_RE.search(value) or "\n" in value:
        return json.dumps(value, ensure_ascii=False)
    return value


def join_front_matter(head: DocumentHead | None, body: str) -> str:
    """The file's text: the front matter for ``head`` (none for a plain document without a template), then ``body``."""
    if head is None or (head.layout == "plain" and not head.template and head.parts is None):
        return body
    lines = [_FENCE, f"layout: {head.layout}"]
    if head.template:
        lines.append(f"template: {head.template}")
    if head.parts is not None:
        default = GongwenParts()
        for f in fields(GongwenParts):
            value = getattr(head.parts, f.name)
            if value == getattr(default, f.name) and f.name not in ("kind", "format"):
                continue
            if f.name in LIST_FIELDS:
                lines.append(f"{f.name}:")
                lines.extend(f"  - {_quote(item)}" for item in value)
            elif isinstance(value, bool):
                lines.append(f"{f.name}: {'true' if value else 'false'}")
            else:
                lines.append(f"{f.name}: {_quote(str(value))}")
    lines.append(_FENCE)
    return "\n".join(lines) + "\n" + body


def _value(raw: str) -> str:
    if raw.startswith('"'):
        value = json.loads(raw)
        if not isinstance(value, str):
            raise ValueError("not a string")
        return value
    return raw.strip()


def _parse(lines: list[str]) -> DocumentHead:
    values: dict[str, object] = {}
    current_list: list[str] | None = None
    for line in lines:
        item = _ITEM_RE.fullmatch(line)
        if item is not None and current_list is not None:
            current_list.append(_value(item.group(1)))
            continue
        key = _KEY_RE.fullmatch(line)
        if key is None or key.group(1) in values:
            raise ValueError(f"not a front matter line: {line[:40]!r}")
        name, raw = key.group(1), key.group(2)
        if raw is None:
            current_list = []
            values[name] = current_list
        else:
            current_list = None
            values[name] = _value(raw)
    layout = values.pop("layout", None)
    template = values.pop("template", "")
    if layout not in _LAYOUTS or not isinstance(template, str):
        raise ValueError("no layout")
    if template and not _TEMPLATE_RE.fullmatch(template):
        raise ValueError("bad template id")
    parts = parts_from_mapping({k: v for k, v in values.items()}) if values else None
    return DocumentHead(layout=str(layout), template=template, parts=parts)


def split_front_matter(text: str) -> tuple[DocumentHead | None, str]:
    """The front matter this app wrote and the body after it; ``(None, text)`` when the text has none of ours.

    Never raises: a block that is not ours, or not well-formed, stays part of the text.
    """
    if not text.startswith(_FENCE + "\n"):
        return None, text
    lines = text.split("\n", _MAX_HEAD_LINES + 2)
    try:
        end = lines.index(_FENCE, 1)
    except ValueError:
        return None, text
    try:
        head = _parse(lines[1:end])
    except (ValueError, json.JSONDecodeError):
        return None, text
    body_start = sum(len(line) + 1 for line in lines[: end + 1])
    return head, text[body_start:]
