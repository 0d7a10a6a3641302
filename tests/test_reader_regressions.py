"""Inputs the fuzzing of our readers found (benchmarks/robustness_report.py): each now gets the reader's own clear
error, and nothing else stops working because of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ziya_desktop.documents.journal import JournalFormatError, read_journal
from ziya_desktop.engine.gguf_check import read_gguf_header
from ziya_desktop.errors import ModelNotFoundError
from ziya_desktop.writing.template_files import load_templates

BUILTIN = Path(__file__).resolve().parent.parent / "resources" / "templates"
# JSON and TOML parse an integer of thousands of digits, then Python refuses to make it (a ValueError).
HUGE = "9" * 5_000


def test_a_journal_with_a_huge_integer_is_damaged_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "x.journal.json"
    path.write_text('{"format": "ziya-journal", "version": ' + HUGE + "}", encoding="utf-8")
    with pytest.raises(JournalFormatError, match="damaged"):
        read_journal(path)


def test_a_template_file_with_a_huge_integer_is_one_error_and_the_rest_load(tmp_path: Path) -> None:
    (tmp_path / "user.toml").write_text(f"x = {HUGE}\n", encoding="utf-8")
    library = load_templates(BUILTIN, tmp_path)
    assert len(library.errors) == 1 and "user.toml" in str(library.errors[0])
    assert "gongwen.notice" in library.templates


def test_a_model_path_that_cannot_be_examined_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="cannot be examined"):
        read_gguf_header(tmp_path / ("x" * 300 + ".gguf"))
