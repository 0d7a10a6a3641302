"""Template files: loading the built-in and user TOML files, validating them, and saving the writer's own.

Built-in templates live in ``resources/templates/*.toml``; the writer's own templates live in a user folder and
override built-ins of the same id. A broken user file never takes the others down: each problem becomes a
``TemplateError`` naming the file (and the line where known) in ``TemplateLibrary.errors``.

Every file is read bounded (size checked before parsing, regular files only) and every table is checked against
the schema: unknown keys, wrong types, over-long text and placeholders other than bare field names are refused at
load time, so rendering never meets a surprise. The data model lives in :mod:`ziya_desktop.writing.templates`.
"""

from __future__ import annotations

import datetime as _dt
import re
import string
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from ziya_desktop.atomic_write import atomic_write_bytes
from ziya_desktop.writing.gongwen_parts import LIST_FIELDS, TEXT_FIELDS
from ziya_desktop.writing.templates import (
    Category,
    ChoiceOption,
    Field,
    FieldKind,
    LocalizedText,
    Template,
    TemplateError,
    TemplateLibrary,
)

__all__ = [
    "MAX_FILE_BYTES",
    "duplicate",
    "load_templates",
    "save_user_template",
    "template_to_toml",
]

# A template file is a few kilobytes; anything past 1 MiB is a mistake or an attack and is refused unparsed.
MAX_FILE_BYTES = 1 << 20
# Bounds that keep a hostile-but-small file from making the form or the prompt absurd.
MAX_USER_FILES = 500
MAX_TEMPLATES_PER_FILE = 200
MAX_FIELDS = 60
MAX_OPTIONS = 60
MAX_PATTERN_CHARS = 20_000
MAX_TEXT_CHARS = 2_000
LANGS = ("zh", "en")
LENGTH_UNITS = ("chars", "words", "minutes")
# Used with fullmatch only: `$` would also match before a final newline, letting "name\n" through.
_ID_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,39}")
_LIMIT_KEY_RE = re.compile(r"[a-z][a-z0-9_]{0,39}")
_TOML_LINE_RE = re.compile(r"at line (\d+)")
_TEMPLATE_HEADER_RE = re.compile(r"^[ \t]*\[\[[ \t]*templates[ \t]*\]\]", re.MULTILINE)


def load_templates(builtin_dir: Path, user_dir: Path | None = None) -> TemplateLibrary:
    """Load built-in templates, then the writer's own (which override built-ins of the same id).

    Never raises for a bad file: every problem is a ``TemplateError`` in ``TemplateLibrary.errors``.
    """
    lib = TemplateLibrary()
    for directory, builtin in ((builtin_dir, True), (user_dir, False)):
        if directory is None or not directory.is_dir():
            continue
        files = sorted(directory.glob("*.toml"))
        if len(files) > MAX_USER_FILES:
            lib.errors.append(
                TemplateError(f"more than {MAX_USER_FILES} template files; the rest were skipped", path=directory)
            )
            files = files[:MAX_USER_FILES]
        for path in files:
            _load_file(path, builtin, lib)
    return lib


def _load_file(path: Path, builtin: bool, lib: TemplateLibrary) -> None:
    try:
        text = _read_bounded(path)
        data = tomllib.loads(text)
    except TemplateError as err:
        lib.errors.append(err)
        return
    except tomllib.TOMLDecodeError as err:
        m = _TOML_LINE_RE.search(str(err))
        lib.errors.append(TemplateError(f"not valid TOML: {err}", path=path, line=int(m.group(1)) if m else None))
        return
    except RecursionError:
        lib.errors.append(TemplateError("nested too deeply", path=path))
        return
    except ValueError as err:
        # TOML that parses but cannot be held (an integer of thousands of digits): one bad file, the others load.
        lib.errors.append(TemplateError(f"not valid TOML: {err}", path=path))
        return
    try:
        cats = _parse_categories(data.get("categories", []))
        raw_templates = data.get("templates", [])
        unknown = set(data) - {"categories", "templates"}
        if unknown:
            raise ValueError(f"unknown top-level keys: {', '.join(sorted(unknown))}")
        if not isinstance(raw_templates, list) or len(raw_templates) > MAX_TEMPLATES_PER_FILE:
            raise ValueError(f"'templates' must be an array of at most {MAX_TEMPLATES_PER_FILE} tables")
    except (ValueError, TypeError) as err:
        lib.errors.append(TemplateError(str(err), path=path))
        return
    for cat in cats:
        lib.add_category(cat)
    lines = [text.count("\n", 0, m.start()) + 1 for m in _TEMPLATE_HEADER_RE.finditer(text)]
    seen: set[str] = set()
    for i, raw in enumerate(raw_templates):
        line = lines[i] if i < len(lines) else None
        try:
            tpl = _parse_template(raw, path, builtin)
        except (ValueError, TypeError) as err:
            lib.errors.append(TemplateError(f"template #{i + 1}: {err}", path=path, line=line))
            continue
        if tpl.id in seen:
            lib.errors.append(TemplateError(f"duplicate template id {tpl.id!r}", path=path, line=line))
            continue
        seen.add(tpl.id)
        lib.templates[tpl.id] = tpl


def _read_bounded(path: Path) -> str:
    # Check the size before parsing, and read at most one byte past the limit in case stat lied (a symlink to a
    # device, a file growing under us). A FIFO would block open(), so only regular files are read.
    try:
        if not path.is_file():
            raise TemplateError("not a regular file", path=path)
        if path.stat().st_size > MAX_FILE_BYTES:
            raise TemplateError(f"larger than {MAX_FILE_BYTES // 1024} KiB; refused", path=path)
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise TemplateError(f"cannot read: {err.strerror or err}", path=path) from err
    if len(data) > MAX_FILE_BYTES:
        raise TemplateError(f"larger than {MAX_FILE_BYTES // 1024} KiB; refused", path=path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise TemplateError(f"not UTF-8 text (byte {err.start})", path=path) from err


def _expect(value: object, kind: type | tuple[type, ...], what: str) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"{what} has the wrong type ({type(value).__name__})")
    return value


def _table(raw: object, what: str, allowed: set[str], required: set[str]) -> dict[str, Any]:
    d: dict[str, Any] = _expect(raw, dict, what)
    extra = set(d) - allowed
    if extra:
        raise ValueError(f"{what}: unknown keys {', '.join(sorted(extra))}")
    missing = required - set(d)
    if missing:
        raise ValueError(f"{what}: missing {', '.join(sorted(missing))}")
    return d


def _text(raw: object, what: str, *, limit: int = MAX_TEXT_CHARS) -> str:
    s: str = _expect(raw, str, what)
    if len(s) > limit:
        raise ValueError(f"{what} is longer than {limit} characters")
    return s


def _localized(raw: object, what: str) -> LocalizedText:
    d = _table(raw, what, {"zh", "en"}, {"zh", "en"})
    return LocalizedText(_text(d["zh"], f"{what}.zh"), _text(d["en"], f"{what}.en"))


def _parse_categories(raw: object) -> list[Category]:
    out = []
    for i, item in enumerate(_expect(raw, list, "categories")):
        d = _table(item, f"categories[{i}]", {"id", "names", "order"}, {"id", "names"})
        cid = _text(d["id"], "category id")
        if not _ID_RE.fullmatch(cid):
            raise ValueError(f"category id {cid!r} must be lowercase letters, digits, '.', '_' or '-'")
        out.append(
            Category(cid, _localized(d["names"], f"category {cid} names"), _expect(d.get("order", 1000), int, "order"))
        )
    return out


def _parse_option(raw: object, what: str) -> ChoiceOption:
    d = _table(raw, what, {"value", "label", "note", "limits"}, {"value", "label"})
    limits: dict[str, int] = {}
    for k, v in _expect(d.get("limits", {}), dict, f"{what}.limits").items():
        if not _LIMIT_KEY_RE.fullmatch(k):
            raise ValueError(f"{what}.limits: bad key {k!r}")
        limits[k] = _expect(v, int, f"{what}.limits.{k}")
    note = _localized(d["note"], f"{what}.note") if "note" in d else None
    return ChoiceOption(_text(d["value"], f"{what}.value"), _localized(d["label"], f"{what}.label"), note, limits)


def _parse_field(raw: object, i: int) -> Field:
    d = _table(
        raw,
        f"fields[{i}]",
        {"name", "kind", "label", "required", "default", "help", "options", "unit"},
        {"name", "kind", "label"},
    )
    name = _text(d["name"], f"fields[{i}].name")
    if not _NAME_RE.fullmatch(name):
        raise ValueError(f"field name {name!r} must be lowercase letters, digits and '_'")
    what = f"field {name!r}"
    try:
        kind = FieldKind(_text(d["kind"], f"{what} kind"))
    except ValueError:
        raise ValueError(f"{what}: kind must be one of {', '.join(k.value for k in FieldKind)}") from None
    raw_opts = _expect(d.get("options", []), list, f"{what} options")
    if len(raw_opts) > MAX_OPTIONS:
        raise ValueError(f"{what}: more than {MAX_OPTIONS} options")
    options = tuple(_parse_option(o, f"{what} option #{j + 1}") for j, o in enumerate(raw_opts))
    unit = _text(d.get("unit", ""), f"{what} unit")
    default: str | int
    if kind is FieldKind.LENGTH:
        target: int = _expect(d.get("default", 0), int, f"{what} default")
        if unit not in LENGTH_UNITS:
            raise ValueError(f"{what}: unit must be one of {', '.join(LENGTH_UNITS)}")
        if not 0 <= target <= 1_000_000:
            raise ValueError(f"{what}: default must be between 0 and 1000000")
        default = target
    else:
        default = _text(d.get("default", ""), f"{what} default")
        if unit:
            raise ValueError(f"{what}: only length fields have a unit")
    if kind is FieldKind.CHOICE:
        if not options:
            raise ValueError(f"{what}: a choice needs options")
        if len({o.value for o in options}) != len(options):
            raise ValueError(f"{what}: option values must be unique")
        if default and default not in {o.value for o in options}:
            raise ValueError(f"{what}: default {default!r} is not one of the options")
    elif options:
        raise ValueError(f"{what}: only choice fields have options")
    if kind is FieldKind.DATE and default not in ("", "today"):
        try:
            _dt.date.fromisoformat(str(default))
        except ValueError:
            raise ValueError(f"{what}: default must be 'today', empty or an ISO date") from None
    help_ = _localized(d["help"], f"{what} help") if "help" in d else None
    return Field(
        name,
        kind,
        _localized(d["label"], f"{what} label"),
        _expect(d.get("required", False), bool, f"{what} required"),
        default,
        help_,
        options,
        unit,
    )


_TEMPLATE_KEYS = {"id", "category", "names", "language", "fields", "header", "instruction", "footer", "parts"}
# What a template may set of a 公文's parts: every part but the page format, which follows the 文种.
_PART_NAMES = {*TEXT_FIELDS, *LIST_FIELDS, "upward", "sealed"}


def _parse_template(raw: object, path: Path | None, builtin: bool) -> Template:
    d = _table(raw, "template", _TEMPLATE_KEYS, _TEMPLATE_KEYS - {"fields", "header", "footer", "parts"})
    tid = _text(d["id"], "id")
    if not _ID_RE.fullmatch(tid):
        raise ValueError(f"id {tid!r} must be lowercase letters, digits, '.', '_' or '-' (at most 64)")
    language = _text(d["language"], "language")
    if language not in LANGS:
        raise ValueError(f"language must be zh or en, not {language!r}")
    raw_fields = _expect(d.get("fields", []), list, "fields")
    if len(raw_fields) > MAX_FIELDS:
        raise ValueError(f"more than {MAX_FIELDS} fields")
    fields = tuple(_parse_field(f, i) for i, f in enumerate(raw_fields))
    provided: list[str] = [p for f in fields for p in f.placeholders()]
    if len(set(provided)) != len(provided):
        raise ValueError("field names (and their _note/_estimate placeholders) must be unique")
    patterns = {}
    for key in ("header", "instruction", "footer"):
        pattern = _text(d.get(key, ""), key, limit=MAX_PATTERN_CHARS)
        _check_pattern(pattern, key, set(provided))
        patterns[key] = pattern
    if not patterns["instruction"].strip():
        raise ValueError("instruction must not be empty")
    parts = _parse_parts(d.get("parts", {}), set(provided))
    return Template(
        id=tid,
        category=_text(d["category"], "category"),
        names=_localized(d["names"], "names"),
        language=language,
        fields=fields,
        header=patterns["header"],
        instruction=patterns["instruction"],
        footer=patterns["footer"],
        parts=parts,
        source=path,
        builtin=builtin,
    )


def _parse_parts(raw: object, known: set[str]) -> tuple[tuple[str, str], ...]:
    table = _expect(raw, dict, "parts")
    parts = []
    for name, pattern in table.items():
        if name not in _PART_NAMES:
            raise ValueError(f"parts: unknown 公文 part {name!r} (known: {', '.join(sorted(_PART_NAMES))})")
        text = _text(pattern, f"parts.{name}", limit=MAX_TEXT_CHARS)
        _check_pattern(text, f"parts.{name}", known)
        parts.append((name, text))
    if parts and "kind" not in table:
        raise ValueError("parts: kind (the 文种: 通知, 请示, 报告, 函, 纪要 …) is required")
    return tuple(parts)


def _check_pattern(pattern: str, key: str, known: set[str]) -> None:
    # Only bare names are allowed: "{x.__class__}", "{x[0]}", "{x!r}" and "{x:{y}}" could reach into Python objects
    # or nest, so they are load-time errors rather than surprises at render time.
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError as err:
        raise ValueError(f"{key}: bad braces ({err}); write {{{{ and }}}} for literal braces") from None
    for _, name, spec, conv in parsed:
        if name is None:
            continue
        if conv is not None or spec or not _NAME_RE.fullmatch(name):
            raise ValueError(
                f"{key}: placeholder {{{name}{'!' + conv if conv else ''}{':' + spec if spec else ''}}} "
                "must be a plain field name"
            )
        if name not in known:
            raise ValueError(f"{key}: unknown placeholder {{{name}}}")


# ------------------------------------------------------------------------------------------- saving & duplicating


def duplicate(template: Template, new_id: str) -> Template:
    """A user copy of ``template`` under ``new_id``, its names marked as a copy."""
    if not _ID_RE.fullmatch(new_id):
        raise TemplateError(f"id {new_id!r} must be lowercase letters, digits, '.', '_' or '-' (at most 64)")
    names = LocalizedText(f"{template.names.zh}（副本）", f"{template.names.en} (copy)")
    return replace(template, id=new_id, names=names, source=None, builtin=False)


def save_user_template(template: Template, user_dir: Path) -> Path:
    """Write ``template`` to ``user_dir/<id>.toml`` atomically (temp file, fsync, rename) and return the path.

    Raises:
        TemplateError: the id is not usable as a file name, or the file could not be written.
    """
    if not _ID_RE.fullmatch(template.id):
        raise TemplateError(f"id {template.id!r} must be lowercase letters, digits, '.', '_' or '-'")
    text = template_to_toml(template)
    # Refuse to write what we could not load back (an unknown placeholder, an over-long pattern).
    try:
        _parse_template(tomllib.loads(text)["templates"][0], None, False)
    except (ValueError, TypeError) as err:
        raise TemplateError(f"not saved: {err}", path=user_dir / f"{template.id}.toml") from err
    target = user_dir / f"{template.id}.toml"
    try:
        user_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(target, text.encode("utf-8"))
    except OSError as err:  # AtomicWriteError is one
        raise TemplateError(f"cannot save: {err.strerror or err}", path=target) from err
    return target


def template_to_toml(template: Template) -> str:
    """This schema as TOML (tomllib only reads). Strings are basic strings with escapes, so any text round-trips."""
    out = ["# Ziya Desktop template, written by the app.", "", "[[templates]]"]
    out += [
        f"id = {_q(template.id)}",
        f"category = {_q(template.category)}",
        f"names = {_loc(template.names)}",
        f"language = {_q(template.language)}",
        f"header = {_q(template.header)}",
        f"instruction = {_q(template.instruction)}",
        f"footer = {_q(template.footer)}",
    ]
    if template.parts:
        out.append(f"parts = {{ {', '.join(f'{name} = {_q(pattern)}' for name, pattern in template.parts)} }}")
    for f in template.fields:
        out += [
            "",
            "[[templates.fields]]",
            f"name = {_q(f.name)}",
            f"kind = {_q(f.kind.value)}",
            f"label = {_loc(f.label)}",
            f"required = {'true' if f.required else 'false'}",
        ]
        out.append(f"default = {f.default}" if isinstance(f.default, int) else f"default = {_q(f.default)}")
        if f.unit:
            out.append(f"unit = {_q(f.unit)}")
        if f.help is not None:
            out.append(f"help = {_loc(f.help)}")
        for o in f.options:
            out += ["", "[[templates.fields.options]]", f"value = {_q(o.value)}", f"label = {_loc(o.label)}"]
            if o.note is not None:
                out.append(f"note = {_loc(o.note)}")
            if o.limits:
                out.append("limits = { " + ", ".join(f"{k} = {int(v)}" for k, v in o.limits.items()) + " }")
    return "\n".join(out) + "\n"


def _q(s: str) -> str:
    """A TOML basic string."""
    parts = ['"']
    for ch in s:
        if ch == '"':
            parts.append('\\"')
        elif ch == "\\":
            parts.append("\\\\")
        elif ch == "\n":
            parts.append("\\n")
        elif ch == "\t":
            parts.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            parts.append(f"\\u{ord(ch):04x}")
        else:
            parts.append(ch)
    parts.append('"')
    return "".join(parts)


def _loc(t: LocalizedText) -> str:
    return f"{{ zh = {_q(t.zh)}, en = {_q(t.en)} }}"
