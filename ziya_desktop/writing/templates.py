"""Genre templates: the forms a writer fills for 公文, 讲稿, 书信 and 创意文案.

A template is data, not code. It names its typed fields (text, multiline, choice, date, length), the fixed parts the
app lays out itself (``header`` and ``footer``: title, 主送机关, salutation, 特此通知。, 此致 敬礼！, signature, date)
and the ``instruction`` the model receives to write the body. All three are patterns with ``{field}`` placeholders.
A 公文 template also names its ``parts`` (发文机关, 发文字号, 标题, 主送机关, 附件, 署名, 成文日期 …): patterns that
become the document's :class:`~ziya_desktop.writing.gongwen_parts.GongwenParts`, kept with the document and laid
out by the export, instead of lines in the text.

This module is the data model and rendering. Reading, validating and writing the TOML files lives in
:mod:`ziya_desktop.writing.template_files`.

This module is Qt-free; the UI turns ``Template.fields`` into widgets and ``RenderedTemplate`` into a document.
"""

from __future__ import annotations

import datetime as _dt
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from ziya_desktop.engine.prompt import ziya_prompt
from ziya_desktop.errors import MissingFieldError, TemplateError, TemplateValueError
from ziya_desktop.writing.gongwen_parts import GongwenParts, parts_from_mapping
from ziya_desktop.writing.text_stats import SPOKEN_PER_MINUTE as SPOKEN_PER_MINUTE  # one pace for all estimates

__all__ = [
    "Category",
    "ChoiceOption",
    "Field",
    "FieldKind",
    "LocalizedText",
    "MissingFieldError",
    "RenderedTemplate",
    "Template",
    "TemplateError",
    "TemplateLibrary",
    "TemplateValueError",
    "format_date",
]

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class FieldKind(StrEnum):
    TEXT = "text"
    MULTILINE = "multiline"  # key points, one per line
    CHOICE = "choice"
    DATE = "date"  # default "today"; formatted 2026年11月25日 / 25 November 2026
    LENGTH = "length"  # target length: characters, words, or minutes for speeches


@dataclass(frozen=True)
class LocalizedText:
    """A user-visible string in both UI languages."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Category:
    id: str
    names: LocalizedText
    order: int = 1000


@dataclass(frozen=True)
class ChoiceOption:
    """One option of a choice field; ``limits`` carries channel limits (``title_max``, ``body_max``, ``segment``…)."""

    value: str
    label: LocalizedText
    note: LocalizedText | None = None
    limits: Mapping[str, int] = field(default_factory=dict)

    def __hash__(self) -> int:  # limits is a dict; options are compared by value, hashed by identity of content
        return hash((self.value, self.label, self.note, tuple(sorted(self.limits.items()))))


@dataclass(frozen=True)
class Field:
    """One form field. ``default`` is a str (an int for length fields; "today" or an ISO date for dates)."""

    name: str
    kind: FieldKind
    label: LocalizedText
    required: bool = False
    default: str | int = ""
    help: LocalizedText | None = None
    options: tuple[ChoiceOption, ...] = ()
    unit: str = ""  # length fields: chars, words or minutes

    def option(self, value: str) -> ChoiceOption | None:
        return next((o for o in self.options if o.value == value), None)

    def placeholders(self) -> tuple[str, ...]:
        """The placeholders this field fills: its own name, plus a derived one.

        choice ``{x_note}``: the chosen option's note (e.g. a channel's limits); length ``{x_estimate}``: the
        target in characters/words (minutes times the spoken pace); multiline ``{x_numbered}``: "1. …" lines.
        """
        if self.kind is FieldKind.CHOICE:
            return (self.name, f"{self.name}_note")
        if self.kind is FieldKind.LENGTH:
            return (self.name, f"{self.name}_estimate")
        if self.kind is FieldKind.MULTILINE:
            return (self.name, f"{self.name}_numbered")
        return (self.name,)


@dataclass(frozen=True)
class RenderedTemplate:
    """The filled fixed parts (laid out by the app) and the instruction for the model, which writes the body."""

    header: str
    instruction: str
    footer: str
    # The 公文 parts, filled: (part name, value) in the template's order; a part that came out empty is left out.
    parts: tuple[tuple[str, str], ...] = ()

    def gongwen_parts(self) -> GongwenParts | None:
        """The filled parts as a 公文's data (its 文种 sets format and direction); None for a template without."""
        if not self.parts:
            return None
        values = dict(self.parts)
        return GongwenParts.for_kind(values.pop("kind", ""), **values)


@dataclass(frozen=True)
class Template:
    """A genre template. ``language`` is the language the document is written in (zh or en)."""

    id: str
    category: str
    names: LocalizedText
    language: str
    fields: tuple[Field, ...]
    header: str
    instruction: str
    footer: str
    # 公文 parts as (part name, pattern); see RenderedTemplate.parts.
    parts: tuple[tuple[str, str], ...] = ()
    # Where it came from: not part of equality, so a saved-and-reloaded template equals the original.
    source: Path | None = field(default=None, compare=False)
    builtin: bool = field(default=False, compare=False)

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def render(
        self, values: Mapping[str, object], lang: str = "zh", *, today: _dt.date | None = None
    ) -> RenderedTemplate:
        """Fill header, instruction and footer from the writer's values (missing ones take the field default).

        ``lang`` is the UI language, used for error messages; the filled text is in ``self.language``. A header or
        footer line whose placeholders all came out empty is dropped (an optional 发文字号 or 附件 line).

        Raises:
            MissingFieldError: a required field is empty.
            TemplateValueError: a value does not fit its field (unknown option, not a positive number).
        """
        filled = _SafeValues(self._field_values(values, lang, today or _dt.date.today()))
        return RenderedTemplate(
            header=_fill(self.header, filled, drop_empty_lines=True),
            instruction=_fill(self.instruction, filled, drop_empty_lines=True),
            footer=_fill(self.footer, filled, drop_empty_lines=True),
            parts=self._fill_parts(filled),
        )

    def _fill_parts(self, filled: _SafeValues) -> tuple[tuple[str, str], ...]:
        out: list[tuple[str, str]] = []
        for name, pattern in self.parts:
            # “联系人：{contact}” with no contact is no 附注 at all: a line whose placeholders are all empty goes.
            value = _fill(pattern, filled, drop_empty_lines=True).strip()
            if not value:
                continue
            try:
                parts_from_mapping({name: value})
            except ValueError as err:
                # Too long, or not a yes/no for a switch: the writer's value in the field behind it is at fault.
                names = [n for _, n, _, _ in string.Formatter().parse(pattern) if n]
                raise TemplateValueError(str(err), field_name=names[0] if names else "") from err
            out.append((name, value))
        return tuple(out)

    def prompt(self, values: Mapping[str, object], lang: str = "zh", *, today: _dt.date | None = None) -> str:
        """The model prompt for the body, in the Ziya format."""
        return ziya_prompt(self.render(values, lang, today=today).instruction)

    def _field_values(self, values: Mapping[str, object], lang: str, today: _dt.date) -> dict[str, str]:
        out: dict[str, str] = {}
        doc = self.language
        for f in self.fields:
            raw = values.get(f.name)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                raw = f.default
            if f.kind is FieldKind.DATE and raw == "today":
                raw = today
            text = _value_text(f, raw, doc, lang)
            if f.required and not text:
                raise MissingFieldError(
                    f"“{f.label.get(lang)}” ({f.name}) is required" if lang == "en" else f"请填写“{f.label.zh}”",
                    field_name=f.name,
                )
            out[f.name] = text
            if f.kind is FieldKind.CHOICE:
                opt = f.option(raw) if isinstance(raw, str) else None
                out[f"{f.name}_note"] = opt.note.get(doc) if opt and opt.note else ""
            elif f.kind is FieldKind.MULTILINE:
                lines = text.split("\n") if text else []
                out[f"{f.name}_numbered"] = (
                    "\n".join(f"{i}. {s}" for i, s in enumerate(lines, 1)) if len(lines) > 1 else text
                )
            elif f.kind is FieldKind.LENGTH:
                n = int(text) if text else 0
                out[f"{f.name}_estimate"] = str(n * SPOKEN_PER_MINUTE[doc]) if f.unit == "minutes" and n else text
        return out


class _SafeValues(dict[str, str]):
    """The mapping given to ``str.format_map``. Placeholders are checked at load time, so a miss is a bug."""

    def __missing__(self, key: str) -> str:
        raise TemplateError(f"unknown placeholder {{{key}}}")


def _fill(pattern: str, values: _SafeValues, *, drop_empty_lines: bool) -> str:
    # format_map inserts values verbatim: a value containing "{x}" is never expanded again. Patterns were checked
    # at load time to hold only bare names (no attribute access, indexing, conversions or format specs).
    lines = []
    for line in pattern.split("\n"):
        names = [n for _, n, _, _ in string.Formatter().parse(line) if n is not None]
        if drop_empty_lines and names and not any(values[n] for n in names):
            continue
        lines.append(line.format_map(values))
    # Dropping an optional line can leave two blank lines in a row; one is the layout the pattern meant.
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def format_date(day: _dt.date, language: str) -> str:
    """2026年11月25日 (Arabic numerals, as GB/T 9704 asks) or 25 November 2026."""
    if language == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _value_text(f: Field, raw: object, doc: str, lang: str) -> str:
    label = f.label.get(lang)
    if f.kind is FieldKind.DATE:
        if isinstance(raw, _dt.date):
            return format_date(raw, doc)
        text = str(raw).strip()
        try:
            return format_date(_dt.date.fromisoformat(text), doc) if text else ""
        except ValueError:
            return text  # the writer typed a date in their own words; keep it as written
    if f.kind is FieldKind.LENGTH:
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise TemplateValueError(f"{label}: not a number", field_name=f.name)
        text = str(raw).strip()
        if not text:
            return ""
        if not text.isdigit() or int(text) <= 0 or int(text) > 1_000_000:
            raise TemplateValueError(f"{label}: expected a positive whole number, got {text!r}", field_name=f.name)
        return str(int(text))
    if f.kind is FieldKind.MULTILINE:
        items: Iterable[object] = (
            raw.splitlines() if isinstance(raw, str) else raw if isinstance(raw, list | tuple) else [raw]
        )
        # One point (or address line) per line, blank lines dropped; {x_numbered} adds "1. " numbering.
        return "\n".join(s for s in (str(x).strip() for x in items) if s)
    if f.kind is FieldKind.CHOICE:
        value = str(raw).strip()
        if not value:
            return ""
        opt = f.option(value)
        if opt is None:
            raise TemplateValueError(f"{label}: {value!r} is not one of the options", field_name=f.name)
        return opt.label.get(doc)
    return str(raw).strip()


@dataclass
class TemplateLibrary:
    """All loaded templates by id (user templates override built-ins), their categories, and load problems."""

    templates: dict[str, Template] = field(default_factory=dict)
    errors: list[TemplateError] = field(default_factory=list)
    _categories: dict[str, Category] = field(default_factory=dict)

    def get(self, template_id: str) -> Template | None:
        return self.templates.get(template_id)

    def add_category(self, category: Category) -> None:
        """Register a category's names and order; the first file to define an id wins, as for templates."""
        self._categories.setdefault(category.id, category)

    def categories(self) -> list[Category]:
        """Categories that hold at least one template, in display order (公文, 讲稿, 书信, 创意文案, then others)."""
        used = {t.category for t in self.templates.values()}
        cats = [self._categories.get(c) or Category(c, LocalizedText(c, c)) for c in used]
        return sorted(cats, key=lambda c: (c.order, c.id))

    def in_category(self, category: str) -> list[Template]:
        return [t for t in self.templates.values() if t.category == category]

    def search(self, query: str, lang: str = "zh") -> list[Template]:
        """Templates whose names, id or category names contain ``query`` in either language (case-insensitive).

        Matches on the name in ``lang`` come first, so a Chinese writer typing 信 sees 感谢信 before 函.
        """
        q = query.strip().casefold()
        if not q:
            return list(self.templates.values())
        hits: list[tuple[int, Template]] = []
        for t in self.templates.values():
            cat = self._categories.get(t.category)
            other = "en" if lang == "zh" else "zh"
            haystacks = [t.names.get(lang), t.names.get(other), t.id]
            if cat is not None:
                haystacks += [cat.names.zh, cat.names.en]
            rank = next((i for i, h in enumerate(haystacks) if q in h.casefold()), None)
            if rank is not None:
                hits.append((rank, t))
        return [t for _, t in sorted(hits, key=lambda h: h[0])]
