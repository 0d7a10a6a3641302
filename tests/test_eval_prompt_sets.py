"""Prompt sets: the JSONL and TOML files, every malformed case with its line, and the built-in set's coverage."""

from __future__ import annotations

import datetime
import itertools
import json
import string
from pathlib import Path

import pytest

from ziya_desktop.errors import EvalFormatError, ZiyaError
from ziya_desktop.evaluation.prompt_sets import (
    DIFFICULTIES,
    GENRES,
    LANGUAGES,
    EvalPrompt,
    builtin_prompt_path,
    builtin_prompt_set,
    load_prompt_set,
    parse_prompt,
    prompt_as_dict,
)
from ziya_desktop.paths import builtin_templates_dir
from ziya_desktop.writing.template_files import load_templates

GOOD = [
    {"id": "n1", "genre": "gongwen", "language": "zh", "difficulty": "easy", "instruction": "写一份停电通知。"},
    {"id": "s1", "genre": "speech", "language": "en", "difficulty": "hard", "instruction": "Write a toast."},
    {
        "id": "t1",
        "genre": "letter",
        "language": "en",
        "difficulty": "easy",
        "template": "letter.en.thanks",
        "fields": {"recipient": "Ms. Rivera", "sender": "Dan", "reason": "her help", "length": 120},
        "reference": "Thank you for everything.",
    },
]


def write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_a_jsonl_set_reads_every_prompt_in_order(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "mine.jsonl", [GOOD[0], "", GOOD[1], GOOD[2]][:1] + GOOD[1:])
    prompts = load_prompt_set(path)
    assert prompts.name == "mine"
    assert [p.id for p in prompts.prompts] == ["n1", "s1", "t1"]
    first = prompts.prompts[0]
    assert (first.genre, first.language, first.difficulty) == ("gongwen", "zh", "easy")
    assert first.query() == "写一份停电通知。"
    templated = prompts.prompts[2]
    assert templated.reference == "Thank you for everything."
    assert templated.fields["length"] == "120"  # numbers are kept as the text the template receives
    with pytest.raises(TypeError):
        templated.fields["sender"] = "someone else"  # type: ignore[index]


def test_a_template_prompt_asks_the_rendered_template(tmp_path: Path) -> None:
    prompt = load_prompt_set(write_jsonl(tmp_path / "t.jsonl", [GOOD[2]])).prompts[0]
    query = prompt.query()
    assert query.startswith("Write the body of a thank-you letter from Dan to Ms. Rivera, thanking them for her help.")
    assert "About 120 words." in query
    assert prompt.instruction == query  # a templated prompt without an instruction shows the rendered text


def test_blank_lines_are_skipped_and_defaults_fill_language_and_difficulty(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    rows = [
        {"id": "a", "genre": "copy", "instruction": "为新品写一句广告语"},
        {"id": "b", "genre": "copy", "instruction": "A slogan"},
    ]
    path.write_text("\n" + json.dumps(rows[0], ensure_ascii=False) + "\n\n   \n" + json.dumps(rows[1]) + "\n", "utf-8")
    a, b = load_prompt_set(path).prompts
    assert (a.language, a.difficulty) == ("zh", "easy")
    assert (b.language, b.difficulty) == ("en", "easy")


def test_a_toml_set_with_a_name(tmp_path: Path) -> None:
    path = tmp_path / "set.toml"
    path.write_text(
        'name = "weekly"\n\n[[prompts]]\nid = "one"\ngenre = "letter"\nlanguage = "zh"\ndifficulty = "hard"\n'
        'instruction = "给房东写一封信"\n\n[[prompts]]\nid = "two"\ngenre = "speech"\ninstruction = "A speech"\n'
        'template = "speech.en.speech"\n[prompts.fields]\ntopic = "Rivers"\npoints = "one\\ntwo"\n',
        encoding="utf-8",
    )
    prompts = load_prompt_set(path)
    assert prompts.name == "weekly"
    assert [p.id for p in prompts.prompts] == ["one", "two"]
    assert prompts.prompts[1].instruction == "A speech"
    assert 'a speech on "Rivers"' in prompts.prompts[1].query()


def test_prompts_round_trip_through_their_json_form() -> None:
    for raw in GOOD:
        prompt = parse_prompt(raw)
        assert parse_prompt(json.loads(json.dumps(prompt_as_dict(prompt)))) == prompt
        assert hash(parse_prompt(prompt_as_dict(prompt))) == hash(prompt)


BAD_LINES = [
    ("{not json", "not a JSON object"),
    ('["a list"]', "a prompt must be an object"),
    ('{"genre": "copy", "instruction": "x"}', "id must be"),
    ('{"id": "has space", "genre": "copy", "instruction": "x"}', "id must be"),
    ('{"id": "x", "instruction": "x"}', "unknown genre None"),
    ('{"id": "x", "genre": "poetry", "instruction": "x"}', "unknown genre 'poetry': choose one of gongwen, speech"),
    ('{"id": "x", "genre": "copy", "language": "fr", "instruction": "x"}', "unknown language 'fr'"),
    ('{"id": "x", "genre": "copy", "difficulty": "medium", "instruction": "x"}', "unknown difficulty 'medium'"),
    ('{"id": "x", "genre": "copy"}', "instruction is missing"),
    ('{"id": "x", "genre": "copy", "instruction": "   "}', "instruction must be non-empty text"),
    ('{"id": "x", "genre": "copy", "instruction": "x", "colour": "red"}', "unknown keys: colour"),
    ('{"id": "x", "genre": "copy", "instruction": "x", "fields": {"a": "b"}}', "fields are given without a template"),
    ('{"id": "x", "genre": "copy", "template": "no.such"}', "unknown template 'no.such'"),
    ('{"id": "x", "genre": "letter", "template": "letter.en.thanks", "fields": {"sender": "A"}}', "is required"),
    ('{"id": "x", "genre": "letter", "template": "letter.en.thanks", "fields": {"reason": ["a"]}}', "must be text"),
    ('{"id": "x", "genre": "copy", "instruction": "x", "reference": 3}', "reference must be non-empty text"),
    # Found by the fuzz campaign: json refuses a number of thousands of digits with a plain ValueError.
    ('{"id": "x", "genre": "copy", "instruction": "x", "n": ' + "9" * 5000 + "}", "Exceeds the limit"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
]


@pytest.mark.parametrize(("line", "problem"), BAD_LINES)
def test_a_malformed_prompt_names_its_line(tmp_path: Path, line: str, problem: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        json.dumps(GOOD[0], ensure_ascii=False) + "\n\n" + line + "\n" + json.dumps(GOOD[1]) + "\n", "utf-8"
    )
    with pytest.raises(EvalFormatError) as caught:
        load_prompt_set(path)
    assert caught.value.line == 3
    assert caught.value.path == path
    assert f"{path}, line 3: " in str(caught.value)
    assert problem in str(caught.value)
    assert isinstance(caught.value, ZiyaError) and caught.value.hint


def test_a_duplicate_id_names_both_lines(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "dup.jsonl", [GOOD[0], GOOD[1], {**GOOD[1], "instruction": "again"}])
    with pytest.raises(EvalFormatError, match=r"line 3: duplicate id 's1' \(first on line 2\)"):
        load_prompt_set(path)


def test_toml_errors_name_the_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('[[prompts]]\nid = "a"\ngenre = "copy\n', encoding="utf-8")
    with pytest.raises(EvalFormatError, match="not valid TOML") as caught:
        load_prompt_set(broken)
    assert caught.value.line == 3
    bad_genre = tmp_path / "genre.toml"
    bad_genre.write_text(
        '[[prompts]]\nid = "a"\ngenre = "copy"\ninstruction = "x"\n\n[[prompts]]\nid = "b"\ngenre = "ode"\n'
        'instruction = "y"\n',
        encoding="utf-8",
    )
    with pytest.raises(EvalFormatError, match="unknown genre 'ode'") as caught:
        load_prompt_set(bad_genre)
    assert caught.value.line == 6
    stray = tmp_path / "stray.toml"
    stray.write_text('title = "x"\n[[prompts]]\nid = "a"\ngenre = "copy"\ninstruction = "x"\n', encoding="utf-8")
    with pytest.raises(EvalFormatError, match=r"\[\[prompts\]\] tables only"):
        load_prompt_set(stray)


def test_files_that_are_not_prompt_sets(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(EvalFormatError, match="holds no prompts"):
        load_prompt_set(empty)
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(json.dumps(GOOD[1]).encode() + b"\n" + b'{"id": "caf\xe9"}\n')
    with pytest.raises(EvalFormatError, match="not UTF-8") as caught:
        load_prompt_set(latin)
    assert caught.value.line == 2
    with pytest.raises(EvalFormatError, match=r"\.jsonl or a \.toml"):
        load_prompt_set(write_jsonl(tmp_path / "set.json", GOOD))
    with pytest.raises(EvalFormatError, match="cannot read the file"):
        load_prompt_set(tmp_path / "missing.jsonl")


def test_the_builtin_set_covers_every_genre_language_and_difficulty() -> None:
    prompts = builtin_prompt_set()
    assert prompts.name == "builtin"
    assert len(prompts.prompts) >= 40
    assert len({p.id for p in prompts.prompts}) == len(prompts.prompts)
    cells = {(p.genre, p.language, p.difficulty) for p in prompts.prompts}
    assert cells == set(itertools.product(GENRES, LANGUAGES, DIFFICULTIES))
    for prompt in prompts.prompts:
        assert prompt.query().strip()
        assert prompt.language == ("zh" if any("\u4e00" <= ch <= "\u9fff" for ch in prompt.query()) else "en")


def test_the_builtin_templates_render_with_their_fields() -> None:
    templated = [p for p in builtin_prompt_set().prompts if p.template is not None]
    assert len(templated) >= 4
    assert {p.genre for p in templated} == set(GENRES)
    library = load_templates(builtin_templates_dir())
    for prompt in templated:
        template = library.get(prompt.template or "")
        assert template is not None
        query = prompt.query()
        assert query == template.render(prompt.fields, "en", today=datetime.date(2026, 1, 5)).instruction
        used = {name for _, name, _, _ in string.Formatter().parse(template.instruction) if name}
        for name, value in prompt.fields.items():
            kind = template.field(name)
            assert kind is not None, (prompt.id, name)
            if name in used and kind.kind.value in ("text", "multiline"):  # choices are shown by their label
                assert value.splitlines()[0] in query, (prompt.id, name)


def test_some_builtin_prompts_carry_a_reference_in_every_genre() -> None:
    with_reference = [p for p in builtin_prompt_set().prompts if p.reference]
    assert {p.genre for p in with_reference} == set(GENRES)
    assert {p.language for p in with_reference} == set(LANGUAGES)
    for prompt in with_reference:
        assert prompt.reference is not None and len(prompt.reference) >= 100


def test_the_builtin_file_is_shipped_with_the_package() -> None:
    assert builtin_prompt_path().is_file()
    assert builtin_prompt_path().parent.name == "evaluation"


def test_a_subset_keeps_the_order() -> None:
    prompts = builtin_prompt_set()
    letters = prompts.subset(genre="letter", limit=4)
    assert [p.id for p in letters.prompts] == [p.id for p in prompts.prompts if p.genre == "letter"][:4]
    assert prompts.subset(limit=2).prompts == prompts.prompts[:2]
    assert isinstance(prompts.get(prompts.prompts[3].id), EvalPrompt)
    assert prompts.get("no-such-id") is None
