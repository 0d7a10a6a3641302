"""The checks that names and ids from outside pass before they become paths, and the weight index's shard names."""

from __future__ import annotations

from pathlib import Path

import pytest

from ziya_desktop.models.safe_names import (
    absolute_path_problem,
    hex_problem,
    path_inside,
    plain_name_problem,
    relative_path_problem,
    repo_id_problem,
    revision_problem,
)

SAFE = ["config.json", "sub/dir/model-00001-of-00002.bin", "日本語 名前.json", ".gitattributes", "a..b", "x" * 160]
UNSAFE = {
    "../../x": "'..' segment",
    "a/../../b": "'..' segment",
    "/abs": "absolute",
    "C:\\x": "backslash",
    "C:x": "drive",
    "a\\b": "backslash",
    "a\x00b": "U+0000",
    "a\nb": "U+000A",
    "\x7f": "U+007F",
    "\x85": "U+0085",
    "a\u2028b": "U+2028",
    "\ud800": "U+D800",
    "./a": "'.' segment",
    "a//b": "empty segment",
    "a/": "empty segment",
    "": "empty",
    ".. /x": "only dots and spaces",
    "... ": "only dots and spaces",
    "x" * 161: "longer than 160 bytes",
    "é" * 81: "longer than 160 bytes",
    "a/" * 600: "longer than 1024",
}


@pytest.mark.parametrize("name", SAFE)
def test_safe_relative_names_pass(name: str) -> None:
    assert relative_path_problem(name) is None


@pytest.mark.parametrize(("name", "reason"), UNSAFE.items(), ids=[repr(n)[:20] for n in UNSAFE])
def test_unsafe_relative_names_are_refused_with_the_reason(name: str, reason: str) -> None:
    problem = relative_path_problem(name)
    assert problem is not None and reason in problem, problem


def test_non_text_and_nested_plain_names() -> None:
    assert relative_path_problem(None) == "it is a NoneType, not text"
    assert relative_path_problem(3) is not None
    assert plain_name_problem("a/b") == "it is a path, not a plain name"
    assert plain_name_problem("tiny-ziya") is None
    assert plain_name_problem("..") is not None


def test_hex_ids_have_the_expected_length() -> None:
    assert hex_problem("a" * 40, (40,)) is None
    assert hex_problem("ABCDEF0123" * 4, (40,)) is None
    assert hex_problem("a" * 64, (40, 64)) is None
    for bad in ["a" * 39, "a" * 41, "g" * 40, "a" * 39 + "\n", "../" * 13 + "a", " " + "a" * 39, None, 40]:
        assert hex_problem(bad, (40,)) is not None, bad


@pytest.mark.parametrize("repo_id", ["IDEA-CCNL/Ziya-Writing-LLaMa-13B-v1", "gpt2", "a_b/c.d"])
def test_hub_repository_ids_pass(repo_id: str) -> None:
    assert repo_id_problem(repo_id) is None


@pytest.mark.parametrize("repo_id", ["../x", "a/b/c", "own/na..me", "own/a--b", "own\\x/y", "own/x\x00", "-a/b", ""])
def test_odd_repository_ids_are_refused(repo_id: str) -> None:
    assert repo_id_problem(repo_id) is not None
    assert repo_id_problem("gpt2", owner_required=True) == "it is not of the form owner/name"


def test_revisions() -> None:
    for ok in ["main", "v1.0", "refs/pr/1", "a" * 40]:
        assert revision_problem(ok) is None, ok
    for bad in ["../x", ".hidden", "refs/.x", "/abs", "a\\b", "main\n", "a//b", ""]:
        assert revision_problem(bad) is not None, bad


def test_absolute_paths_of_linked_files(tmp_path: Path) -> None:
    assert absolute_path_problem(str(tmp_path / "m.gguf")) is None
    for bad in ["m.gguf", "../m.gguf", str(tmp_path / ".." / "m.gguf"), str(tmp_path / "a\x00.gguf"), "", 5]:
        assert absolute_path_problem(bad) is not None, bad


def test_path_inside_follows_links_already_on_disk(tmp_path: Path) -> None:
    folder, outside = tmp_path / "folder", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    (folder / "out").symlink_to(outside, target_is_directory=True)
    (folder / "in").symlink_to(folder / "real", target_is_directory=True)
    (folder / "loop").symlink_to(folder / "loop")
    assert path_inside(folder, folder / "a" / "b")
    assert path_inside(folder, folder / "in" / "x")
    assert not path_inside(folder, folder / "out" / "x")
    assert not path_inside(folder, folder / ".." / "x")
    assert not path_inside(folder, folder / "loop" / "x")
    assert not path_inside(folder, folder / "nul\x00")
    # The folder itself may be a link (a models folder on another disk).
    (tmp_path / "alias").symlink_to(folder, target_is_directory=True)
    assert path_inside(tmp_path / "alias", tmp_path / "alias" / "x")
