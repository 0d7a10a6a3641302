"""The incremental UTF-8 detokenizer: whole characters only, O(1) per piece."""

from __future__ import annotations

from ziya_desktop.engine.detokenizer import IncrementalDetokenizer


def test_bytes_one_at_a_time_give_whole_characters() -> None:
    text = "中文写作🎉 Dear Ms Li，您好！👨‍👩‍👧"
    detok = IncrementalDetokenizer()
    out = []
    for b in text.encode("utf-8"):
        chunk = detok.feed(bytes([b]))
        assert "\ufffd" not in chunk
        if chunk:
            assert chunk in text
        out.append(chunk)
    assert "".join(out) + detok.flush() == text


def test_a_character_split_across_pieces_is_held_back() -> None:
    detok = IncrementalDetokenizer()
    data = "感".encode()
    assert detok.feed(data[:1]) == ""
    assert detok.pending
    assert detok.feed(data[1:2]) == ""
    assert detok.feed(data[2:] + b"!") == "感!"
    assert not detok.pending


def test_invalid_bytes_become_replacement_characters_and_the_stream_goes_on() -> None:
    detok = IncrementalDetokenizer()
    assert detok.feed(b"\xff") == "\ufffd"
    assert detok.feed(b"ok") == "ok"
    assert detok.feed(b"\xe6\x84") == ""
    assert detok.flush() == "\ufffd"


def test_leading_space_of_an_answer_is_stripped_once() -> None:
    detok = IncrementalDetokenizer(strip_leading_space=True)
    assert detok.feed(b" Dear") == "Dear"
    assert detok.feed(b" Ms") == " Ms"
