"""Prompt sets: the writing instructions an evaluation run asks every contender, read from JSONL or TOML files.

One prompt is an id, a genre (公文, 讲稿, 书信, 文案), a language, a difficulty and an instruction, or a genre
template with its fields (the query is then the template's rendered instruction), and optionally a reference
answer the KL measure forces through both models. A JSONL file holds one prompt object per line; a TOML file holds
``[[prompts]]`` tables and an optional top-level ``name``. Every problem is an :class:`EvalFormatError` naming the
file and the line.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, cast, get_args

from ziya_desktop.errors import EvalFormatError, MissingFieldError, TemplateValueError
from ziya_desktop.paths import resources_dir
from ziya_desktop.regular_file import FileTooLargeError, read_regular_file
from ziya_desktop.translatable import QT_TRANSLATE_NOOP

__all__ = [
    "DIFFICULTIES",
    "GENRES",
    "LANGUAGES",
    "Difficulty",
    "EvalFormatError",
    "EvalPrompt",
    "Genre",
    "Language",
    "PromptSet",
    "builtin_prompt_set",
    "load_prompt_set",
    "parse_prompt",
    "prompt_as_dict",
]

Genre = Literal["gongwen", "speech", "letter", "copy"]
Language = Literal["zh", "en"]
Difficulty = Literal["easy", "hard"]
GENRES: tuple[str, ...] = get_args(Genre)
LANGUAGES: tuple[str, ...] = get_args(Language)
DIFFICULTIES: tuple[str, ...] = get_args(Difficulty)

BUILTIN_NAME = "builtin"
MAX_FILE_BYTES = 16 << 20
MAX_PROMPTS = 10_000
MAX_TEXT_CHARS = 20_000
_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_CJK_RE = re.compile(r"[\u3400-\u9fff]")
_KEYS = {"id", "genre", "language", "difficulty", "instruction", "template", "fields", "reference"}
_PROMPT_HEADER_RE = re.compile(r"^[ \t]*\[\[[ \t]*prompts[ \t]*\]\]", re.MULTILINE)
_TOML_LINE_RE = re.compile(r"at line (\d+)")
# A template's date fields default to today; a run's queries must not change from one day to the next (a resumed
# run asks what the first night asked), so templates are rendered as of one fixed day unless a field sets the date.
_RENDER_DAY = _dt.date(2026, 1, 5)
_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class EvalPrompt:
    """One writing instruction of a prompt set.

    ``instruction`` is what the writer asked, shown to judges; with a ``template`` the model gets the template's
    rendered instruction instead (see :meth:`query`), and a file may leave ``instruction`` out (it is then the
    rendered text). ``fields`` are the template's values, read-only.
    """

    id: str
    genre: Genre
    language: Language
    difficulty: Difficulty
    instruction: str
    template: str | None = None
    fields: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    reference: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))

    def __hash__(self) -> int:  # fields is a mapping proxy: hashed by its items
        items = tuple(sorted(self.fields.items()))
        return hash((self.id, self.genre, self.language, self.difficulty, self.instruction, self.template, items))

    def query(self) -> str:
        """What the model is asked: the instruction, or the template rendered with ``fields``.

        Raises:
            EvalFormatError: the template is not installed or a field does not fit it.
        """
        if self.template is None:
            return self.instruction
        return _render(self.template, self.fields)


@dataclass(frozen=True)
class PromptSet:
    name: str
    prompts: tuple[EvalPrompt, ...]

    def get(self, prompt_id: str) -> EvalPrompt | None:
        return next((p for p in self.prompts if p.id == prompt_id), None)

    def subset(self, *, genre: str | None = None, limit: int | None = None) -> PromptSet:
        """The prompts of ``genre`` (all when None), the first ``limit`` of them (all when None), in order."""
        chosen = [p for p in self.prompts if genre is None or p.genre == genre]
        return PromptSet(self.name, tuple(chosen if limit is None else chosen[:limit]))


@functools.cache
def _templates() -> Any:
    """The built-in and the writer's own templates, loaded once (import here: the writing layer sits below)."""
    from ziya_desktop.paths import builtin_templates_dir, templates_dir
    from ziya_desktop.writing.template_files import load_templates

    return load_templates(builtin_templates_dir(), templates_dir())


def _render(template_id: str, fields: Mapping[str, str]) -> str:
    template = _templates().get(template_id)
    if template is None:
        raise EvalFormatError(
            QT_TRANSLATE_NOOP("PromptSet", "unknown template {template}").format(template=repr(template_id))
        )
    try:
        return str(template.render(fields, "en", today=_RENDER_DAY).instruction)
    except (MissingFieldError, TemplateValueError) as err:
        raise EvalFormatError(
            QT_TRANSLATE_NOOP("PromptSet", "template {template}: {problem}").format(
                template=repr(template_id), problem=str(err)
            )
        ) from err


def prompt_as_dict(prompt: EvalPrompt) -> dict[str, object]:
    """A prompt as the JSON object the files and ``run.json`` hold (optional keys left out when empty)."""
    out: dict[str, object] = {
        "id": prompt.id,
        "genre": prompt.genre,
        "language": prompt.language,
        "difficulty": prompt.difficulty,
        "instruction": prompt.instruction,
    }
    if prompt.template is not None:
        out["template"] = prompt.template
        out["fields"] = dict(prompt.fields)
    if prompt.reference is not None:
        out["reference"] = prompt.reference
    return out


def _text(raw: Mapping[str, object], key: str, *, required: bool) -> str | None:
    value = raw.get(key)
    if value is None:
        if required:
            raise ValueError(QT_TRANSLATE_NOOP("PromptSet", "{key} is missing").format(key=key))
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError(QT_TRANSLATE_NOOP("PromptSet", "{key} must be non-empty text").format(key=key))
    if len(value) > MAX_TEXT_CHARS:
        raise ValueError(
            QT_TRANSLATE_NOOP("PromptSet", "{key} is longer than {limit} characters").format(
                key=key, limit=MAX_TEXT_CHARS
            )
        )
    return value


def _choice(raw: Mapping[str, object], key: str, allowed: Sequence[str], default: str | None) -> str:
    value = raw.get(key, default)
    if value not in allowed:
        raise ValueError(
            QT_TRANSLATE_NOOP("PromptSet", "unknown {key} {value}: choose one of {allowed}").format(
                key=key, value=repr(value), allowed=", ".join(allowed)
            )
        )
    return cast(str, value)


def _fields(raw: object) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValueError(QT_TRANSLATE_NOOP("PromptSet", "fields must be a table of names and values"))
    out: dict[str, str] = {}
    for name, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValueError(QT_TRANSLATE_NOOP("PromptSet", "field {name} must be text").format(name=repr(name)))
        out[str(name)] = str(value)
    return out


def parse_prompt(raw: object) -> EvalPrompt:
    """One prompt from its JSON/TOML object, checked.

    Raises:
        ValueError: a missing or malformed key, an unknown genre, language or difficulty, or a template that does
            not render (the caller adds the file and line).
    """
    if not isinstance(raw, dict):
        raise ValueError(QT_TRANSLATE_NOOP("PromptSet", "a prompt must be an object"))
    unknown = set(raw) - _KEYS
    if unknown:
        raise ValueError(QT_TRANSLATE_NOOP("PromptSet", "unknown keys: {keys}").format(keys=", ".join(sorted(unknown))))
    prompt_id = raw.get("id")
    if not isinstance(prompt_id, str) or not _ID_RE.fullmatch(prompt_id):
        raise ValueError(
            QT_TRANSLATE_NOOP(
                "PromptSet", "id must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"
            )
        )
    template = _text(raw, "template", required=False)
    instruction = _text(raw, "instruction", required=template is None)
    fields = _fields(raw.get("fields"))
    if fields and template is None:
        raise ValueError(QT_TRANSLATE_NOOP("PromptSet", "fields are given without a template"))
    rendered = _render(template, fields) if template is not None else ""  # checks the template now, not mid-run
    text = instruction or rendered
    language = _choice(raw, "language", LANGUAGES, "zh" if _CJK_RE.search(text) else "en")
    return EvalPrompt(
        id=prompt_id,
        genre=cast(Genre, _choice(raw, "genre", GENRES, None)),
        language=cast(Language, language),
        difficulty=cast(Difficulty, _choice(raw, "difficulty", DIFFICULTIES, "easy")),
        instruction=text,
        template=template,
        fields=fields,
        reference=_text(raw, "reference", required=False),
    )


def _read(path: Path) -> str:
    try:
        data = read_regular_file(path, MAX_FILE_BYTES)
    except FileTooLargeError as err:
        raise EvalFormatError(
            QT_TRANSLATE_NOOP("PromptSet", "larger than {limit} MiB").format(limit=MAX_FILE_BYTES >> 20), path=path
        ) from err
    except OSError as err:  # missing, unreadable, or a pipe or device (never waited on)
        raise EvalFormatError(
            QT_TRANSLATE_NOOP("PromptSet", "cannot read the file: {reason}").format(reason=err.strerror or str(err)),
            path=path,
        ) from err
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise EvalFormatError(QT_TRANSLATE_NOOP("PromptSet", "not UTF-8 text"), path=path, line=line) from err


def _jsonl_entries(path: Path, text: str) -> list[tuple[int, object]]:
    entries: list[tuple[int, object]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            entries.append((number, json.loads(line)))
        except json.JSONDecodeError as err:
            raise EvalFormatError(
                QT_TRANSLATE_NOOP("PromptSet", "not a JSON object: {reason}").format(reason=err.msg),
                path=path,
                line=number,
            ) from err
        except ValueError as err:  # json's other refusal: a number of thousands of digits
            raise EvalFormatError(
                QT_TRANSLATE_NOOP("PromptSet", "not a JSON object: {reason}").format(reason=str(err)),
                path=path,
                line=number,
            ) from err
        except RecursionError as err:
            raise EvalFormatError(QT_TRANSLATE_NOOP("PromptSet", "nested too deeply"), path=path, line=number) from err
    return entries


def _toml_entries(path: Path, text: str) -> tuple[str, list[tuple[int | None, object]]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        found = _TOML_LINE_RE.search(str(err))
        raise EvalFormatError(
            QT_TRANSLATE_NOOP("PromptSet", "not valid TOML: {reason}").format(reason=str(err)),
            path=path,
            line=int(found.group(1)) if found else None,
        ) from err
    except (RecursionError, ValueError) as err:  # nesting or a number Python cannot hold: still this file's fault
        raise EvalFormatError(
            QT_TRANSLATE_NOOP("PromptSet", "not valid TOML: {reason}").format(reason=str(err)), path=path
        ) from err
    unknown = set(data) - {"name", "prompts"}
    prompts = data.get("prompts", [])
    name = data.get("name", path.stem)
    if unknown or not isinstance(prompts, list) or not isinstance(name, str):
        raise EvalFormatError(
            QT_TRANSLATE_NOOP("PromptSet", "expected an optional name and [[prompts]] tables only"), path=path
        )
    lines = [text.count("\n", 0, m.start()) + 1 for m in _PROMPT_HEADER_RE.finditer(text)]
    return name, [(lines[i] if i < len(lines) else None, raw) for i, raw in enumerate(prompts)]


def load_prompt_set(path: Path) -> PromptSet:
    """Read a prompt set from ``path`` (``.jsonl`` or ``.toml``); its name is the TOML ``name`` or the file's stem.

    Raises:
        EvalFormatError: unreadable, not UTF-8, malformed, an invalid prompt, a duplicate id or no prompts at all;
            the message names the file and the line.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".jsonl", ".toml"):
        raise EvalFormatError(QT_TRANSLATE_NOOP("PromptSet", "a prompt set is a .jsonl or a .toml file"), path=path)
    text = _read(path)
    if suffix == ".jsonl":
        name, entries = path.stem, cast(list[tuple[int | None, object]], _jsonl_entries(path, text))
    else:
        name, entries = _toml_entries(path, text)
    if len(entries) > MAX_PROMPTS:
        raise EvalFormatError(
            QT_TRANSLATE_NOOP("PromptSet", "more than {limit} prompts").format(limit=MAX_PROMPTS), path=path
        )
    prompts: list[EvalPrompt] = []
    seen: dict[str, int | None] = {}
    for line, raw in entries:
        try:
            prompt = parse_prompt(raw)
        except (ValueError, EvalFormatError) as err:
            raise EvalFormatError(str(err), path=path, line=line) from err
        if prompt.id in seen:
            raise EvalFormatError(
                QT_TRANSLATE_NOOP("PromptSet", "duplicate id {id} (first on line {first})").format(
                    id=repr(prompt.id), first=seen[prompt.id]
                ),
                path=path,
                line=line,
            )
        seen[prompt.id] = line
        prompts.append(prompt)
    if not prompts:
        raise EvalFormatError(QT_TRANSLATE_NOOP("PromptSet", "the file holds no prompts"), path=path)
    return PromptSet(name, tuple(prompts))


def builtin_prompt_path() -> Path:
    return resources_dir() / "evaluation" / "writing_prompts.jsonl"


def builtin_prompt_set() -> PromptSet:
    """The writing instructions shipped with the app (four genres, Chinese and English, easy and hard)."""
    loaded = load_prompt_set(builtin_prompt_path())
    return PromptSet(BUILTIN_NAME, loaded.prompts)
