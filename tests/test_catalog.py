"""The shipped model catalog and the loader's strict validation."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from ziya_desktop.errors import CatalogError
from ziya_desktop.models.catalog import load_catalog, parse_catalog, shipped_catalog_path


def shipped() -> dict[str, Any]:
    return tomllib.loads(shipped_catalog_path().read_text(encoding="utf-8"))


def test_shipped_catalog_describes_ziya_writing_13b() -> None:
    [model] = load_catalog()
    assert model.id == "ziya-writing-13b"
    assert model.repo_id == "IDEA-CCNL/Ziya-Writing-LLaMa-13B-v1"
    assert (model.revision, model.n_layer, model.n_ctx) == ("main", 40, 2048)
    assert 50e9 < model.checkpoint_bytes < 54e9
    assert "non-commercial" in model.license_note.lower()
    sizes = {f.outtype: f.size_bytes for f in model.files}
    assert sizes == {
        "f16": 26_200_000_000,
        "q8_0": 13_900_000_000,
        "q6_k": 10_700_000_000,
        "q5_k_m": 9_300_000_000,
        "q4_k_m": 7_900_000_000,
    }
    assert model.recommended.outtype == "q4_k_m"
    assert model.file("Q8_0").file_type == "Q8_0"
    assert "Q4_0" in model.recommended.quality_note_en and "Q4_0" in model.recommended.quality_note_zh
    assert all(f.quality_note("zh_CN") != f.quality_note("en") for f in model.files)
    with pytest.raises(KeyError):
        model.file("q4_0")


def test_explicit_path_is_read(tmp_path: Path) -> None:
    copy = tmp_path / "catalog.toml"
    copy.write_bytes(shipped_catalog_path().read_bytes())
    assert load_catalog(copy) == load_catalog()


def test_missing_and_malformed_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot be read"):
        load_catalog(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[models]\nid = ", encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid TOML"):
        load_catalog(bad)
    bad.write_bytes(b"\xff\xfe")
    with pytest.raises(CatalogError, match="UTF-8"):
        load_catalog(bad)


def edited(change: str, value: Any = None, *, file: int | None = None, delete: bool = False) -> dict[str, Any]:
    data = shipped()
    table = data["models"][0] if file is None else data["models"][0]["files"][file]
    if delete:
        del table[change]
    else:
        table[change] = value
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (edited("repo_id", delete=True), "'repo_id' is missing"),
        (edited("colour", "red"), "unknown key 'colour'"),
        (edited("n_layer", "40"), "'n_layer' must be int"),
        (edited("n_layer", True), "'n_layer' must be int"),
        (edited("n_ctx", 0), "'n_ctx' must be positive"),
        (edited("name", "  "), "'name' is empty"),
        (edited("repo_id", "just-a-name"), "owner/name"),
        (edited("files", []), "no \\[\\[models.files\\]\\]"),
        (edited("outtype", "q4_0", file=0), "deliberately not offered"),
        (edited("outtype", "q3_k_s", file=0), "not one the converter writes"),
        (edited("outtype", "q8_0", file=0), "offered twice"),
        (edited("recommended", True, file=0), "exactly one file must be marked recommended, found 2"),
        (edited("recommended", False, file=4), "found 0"),
        (edited("size_bytes", -1, file=1), "'size_bytes' must be positive"),
        (edited("quality_note_zh", delete=True, file=2), "'quality_note_zh' is missing"),
    ],
)
def test_strict_validation_names_the_problem(data: dict[str, Any], message: str) -> None:
    with pytest.raises(CatalogError, match=message):
        parse_catalog(data)


def test_top_level_shape_is_checked() -> None:
    data = shipped()
    with pytest.raises(CatalogError, match="format_version"):
        parse_catalog({**data, "format_version": 2})
    with pytest.raises(CatalogError, match="no \\[\\[models\\]\\]"):
        parse_catalog({"format_version": 1, "models": []})
    with pytest.raises(CatalogError, match="unknown top-level key"):
        parse_catalog({**data, "extra": 1})
    with pytest.raises(CatalogError, match="appears twice"):
        parse_catalog({**data, "models": data["models"] * 2})


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("id", "../../escape"),
        ("id", "a/b"),
        ("id", "a\\b"),
        ("id", ".."),
        ("id", "C:model"),
        ("id", "nul\x00"),
        ("id", "new\nline"),
        ("repo_id", "../x"),
        ("repo_id", "owner/.."),
        ("repo_id", "owner/na..me"),
        ("repo_id", "own\\er/name"),
        ("repo_id", "owner/name\x00"),
        ("revision", "../../escape"),
        ("revision", "/abs"),
        ("revision", "a\\b"),
        ("revision", "main\n"),
        ("revision", "refs//pr"),
    ],
)
def test_references_that_become_paths_are_checked_and_named(key: str, value: str) -> None:
    with pytest.raises(CatalogError, match=re.escape(f"'{key}' {value!r}")):
        parse_catalog(edited(key, value))


def test_safe_references_pass() -> None:
    for key, value in [("id", "ziya-writing_13b.v1"), ("revision", "refs/pr/1"), ("revision", "a" * 40)]:
        [model] = parse_catalog(edited(key, value))
        assert getattr(model, key) == value
