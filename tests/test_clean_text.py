"""The character sets of clean_text: exactly what the model's text loses, and that what is left always saves and opens
again."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ziya_desktop.documents.storage import read_document, save_document
from ziya_desktop.writing.clean_text import clean_model_text, first_unsavable, remove_unsavable, unsavable_positions

_EVERY_BMP = "".join(map(chr, range(0x10000)))


def _noise(code: int) -> bool:
    return (
        (code < 0x20 and code not in (0x09, 0x0A))
        or 0x7F <= code <= 0x9F
        or 0xD800 <= code <= 0xDFFF
        or code in (0xFFFE, 0xFFFF)
    )


def test_model_text_loses_exactly_the_control_characters() -> None:
    text = _EVERY_BMP + "\U0001f389\U0010fffd"
    cleaned, removed = clean_model_text(text)
    expected = "".join(ch for ch in text if not _noise(ord(ch)))
    assert cleaned == expected
    assert removed == len(text) - len(expected) == 32 - 2 + 1 + 32 + 2048 + 2
    assert "\t" in cleaned and "\n" in cleaned and "\u00a0" in cleaned and "\ufeff" in cleaned


def test_unsavable_is_nul_and_lone_surrogates_and_all_of_it_is_model_noise() -> None:
    positions = unsavable_positions(_EVERY_BMP)
    assert positions == [0, *range(0xD800, 0xE000)]
    assert all(_noise(ord(_EVERY_BMP[i])) for i in positions)
    assert first_unsavable("ab\x00c\ud800") == 2 and first_unsavable("a\x01\x7f\ufffe") == -1
    assert remove_unsavable("a\x00b\udc00c") == ("abc", 2)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(st.characters(), st.characters(categories=["Cc", "Cs"]), st.sampled_from(["\r\n", "\ufeff"])),
        max_size=80,
    ).map("".join),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
def test_cleaned_model_text_always_saves_and_opens_again(text: str, newline: str, bom: bool) -> None:
    cleaned, _ = clean_model_text(text)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.md"
        save_document(path, cleaned, newline=newline, bom=bom)
        assert read_document(path).text == cleaned
