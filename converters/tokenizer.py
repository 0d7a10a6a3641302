"""The checkpoint's tokenizer as GGUF vocabulary, plus a reference encoder for verification.

The truth is the tokenizer files in the folder: ``tokenizer.model`` (sentencepiece) and the added tokens, which
may be declared in ``added_tokens.json``, ``tokenizer_config.json`` (``added_tokens_decoder``) and
``tokenizer.json``. Where they disagree with each other or with the model's vocabulary size, conversion stops.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any

import sentencepiece as spm

from converters.errors import TokenizerMismatchError
from converters.safe_files import read_bounded, read_json_object, short_repr

# Bounds on the tokenizer files: LLaMA's tokenizer.model is 0.5 MB and its tokenizer.json 1.8 MB.
MAX_SPM_BYTES = 64 << 20
MAX_TOKENIZER_JSON_BYTES = 16 << 20
MAX_SMALL_JSON_BYTES = 4 << 20

# A LLaMA-1 tokenizer does no normalisation; llama.cpp's SPM tokenizer neither. These strings change under NFKC
# or whitespace folding, so a round trip through the tokenizer reveals a normaliser llama.cpp cannot reproduce.
_NORMALISATION_PROBES = ("０１２ ＡＢ", "ﬁ ① ㎏", "a  b   c", "x\u3000y")


class TokenType(IntEnum):
    """GGUF token types (gguf.TokenType), repeated here so the values are visible where they are used."""

    NORMAL = 1
    UNKNOWN = 2
    CONTROL = 3
    USER_DEFINED = 4
    UNUSED = 5
    BYTE = 6


@dataclass(frozen=True)
class GGUFVocab:
    tokens: list[str]
    scores: list[float]
    types: list[int]
    n_pieces: int
    added: dict[str, int]
    bos_id: int
    eos_id: int
    unk_id: int
    add_space_prefix: bool


class CheckpointTokenizer:
    """sentencepiece + added tokens, loaded from a checkpoint folder.

    Raises:
        TokenizerMismatchError: missing tokenizer.model, conflicting added tokens, ids outside the vocabulary,
            or a normaliser llama.cpp cannot reproduce.
    """

    def __init__(self, folder: Path, vocab_size: int) -> None:
        self.folder = Path(folder)
        model_file = self.folder / "tokenizer.model"
        if not os.path.lexists(model_file):
            raise TokenizerMismatchError(f"{self.folder}: tokenizer.model is missing")
        proto = read_bounded(model_file, MAX_SPM_BYTES, error=TokenizerMismatchError)
        try:
            self.sp = spm.SentencePieceProcessor(model_proto=proto)
        except (RuntimeError, OSError, ValueError) as exc:
            raise TokenizerMismatchError(f"{model_file}: not a sentencepiece model ({str(exc)[:80]})") from exc
        self.n_pieces = self.sp.get_piece_size()
        self.pieces = self._pieces(model_file)
        self.vocab_size = vocab_size
        self.added = self._added_tokens()
        self._check()
        self._split = (
            re.compile("(" + "|".join(re.escape(t) for t in sorted(self.added, key=len, reverse=True)) + ")")
            if self.added
            else None
        )

    def _pieces(self, model_file: Path) -> list[str]:
        pieces: list[str] = []
        for i in range(self.n_pieces):
            try:
                pieces.append(self.sp.id_to_piece(i))
            except UnicodeDecodeError:
                raise TokenizerMismatchError(f"{model_file}: piece {i} is not valid UTF-8 text") from None
        return pieces

    def _added_tokens(self) -> dict[str, int]:
        found: dict[str, tuple[int, str]] = {}
        piece_ids = {piece: i for i, piece in enumerate(self.pieces)}

        def put(content: Any, token_id: Any, source: str) -> None:
            if not isinstance(content, str) or not content:
                raise TokenizerMismatchError(f"{source}: added token {short_repr(content)} is not a non-empty text")
            if not isinstance(token_id, int) or isinstance(token_id, bool) or not 0 <= token_id < self.vocab_size:
                raise TokenizerMismatchError(
                    f"{source}: added token {short_repr(content)} has id {short_repr(token_id)}, "
                    f"outside vocab_size {self.vocab_size}"
                )
            if token_id < self.n_pieces:
                if self.pieces[token_id] != content:
                    raise TokenizerMismatchError(
                        f"{source}: {short_repr(content)} is declared as id {token_id}, which sentencepiece maps to "
                        f"{short_repr(self.pieces[token_id])}"
                    )
                return
            if content in piece_ids:
                # A second id for a piece's text gives the GGUF one token text twice, which llama.cpp aborts on.
                raise TokenizerMismatchError(
                    f"{source}: {short_repr(content)} is declared as id {token_id}, but it is already "
                    f"sentencepiece piece {piece_ids[content]}"
                )
            if content in found and found[content][0] != token_id:
                raise TokenizerMismatchError(
                    f"{short_repr(content)} is id {found[content][0]} in {found[content][1]} but {token_id} in {source}"
                )
            found[content] = (token_id, source)

        added_json = self.folder / "added_tokens.json"
        if os.path.lexists(added_json):
            for content, token_id in _load_json(added_json, MAX_SMALL_JSON_BYTES).items():
                put(content, token_id, added_json.name)
        config = self.folder / "tokenizer_config.json"
        if os.path.lexists(config):
            decoder = _load_json(config, MAX_SMALL_JSON_BYTES).get("added_tokens_decoder") or {}
            if not isinstance(decoder, dict):
                raise TokenizerMismatchError(f"{config.name}: added_tokens_decoder is not an object of id → token")
            for token_id, spec in decoder.items():
                put(spec.get("content") if isinstance(spec, dict) else None, _int(token_id), config.name)
        tok_json = self.folder / "tokenizer.json"
        if os.path.lexists(tok_json):
            added = _load_json(tok_json, MAX_TOKENIZER_JSON_BYTES).get("added_tokens") or []
            if not isinstance(added, list) or not all(isinstance(spec, dict) for spec in added):
                raise TokenizerMismatchError(f"{tok_json.name}: added_tokens is not a list of token objects")
            for spec in added:
                put(spec.get("content"), spec.get("id"), tok_json.name)
        by_id: dict[int, str] = {}
        for content, (token_id, source) in found.items():
            if token_id in by_id:
                raise TokenizerMismatchError(
                    f"{source}: added tokens {short_repr(by_id[token_id])} and {short_repr(content)} "
                    f"share id {token_id}"
                )
            by_id[token_id] = content
        return {content: token_id for content, (token_id, _) in found.items()}

    def _check(self) -> None:
        if self.n_pieces > self.vocab_size:
            raise TokenizerMismatchError(
                f"tokenizer.model has {self.n_pieces} pieces but config.json's vocab_size is {self.vocab_size}"
            )
        for probe in _NORMALISATION_PROBES:
            if self.sp.decode(self.sp.encode(probe)) != probe:
                raise TokenizerMismatchError(
                    "tokenizer.model normalises text (e.g. NFKC or whitespace folding), which llama.cpp's "
                    "tokenizer does not do; the converted model would tokenize differently"
                )

    def gguf_vocab(self) -> GGUFVocab:
        tokens: list[str] = []
        scores: list[float] = []
        types: list[int] = []
        sp = self.sp
        for i in range(self.n_pieces):
            tokens.append(self.pieces[i])
            scores.append(sp.get_score(i))
            if sp.is_unknown(i):
                types.append(TokenType.UNKNOWN)
            elif sp.is_control(i):
                types.append(TokenType.CONTROL)
            elif sp.is_unused(i):
                types.append(TokenType.UNUSED)
            elif sp.is_byte(i):
                types.append(TokenType.BYTE)
            else:
                types.append(TokenType.NORMAL)
        by_id = {token_id: content for content, token_id in self.added.items()}
        taken = set(tokens) | set(by_id.values())
        for i in range(self.n_pieces, self.vocab_size):
            if i in by_id:
                tokens.append(by_id[i])
                scores.append(-1000.0)
                types.append(TokenType.USER_DEFINED)
            else:
                tokens.append(_padding_text(i, taken))
                scores.append(-1000.0)
                types.append(TokenType.UNUSED)
        # llama.cpp aborts on a vocabulary with an empty or repeated token text.
        if len(set(tokens)) != len(tokens) or "" in taken:
            raise TokenizerMismatchError("tokenizer.model: the vocabulary has an empty or repeated token text")
        first = sp.encode("a", out_type=str)
        return GGUFVocab(
            tokens=tokens,
            scores=scores,
            types=[int(t) for t in types],
            n_pieces=self.n_pieces,
            added=dict(self.added),
            bos_id=sp.bos_id(),
            eos_id=sp.eos_id(),
            unk_id=sp.unk_id(),
            add_space_prefix=bool(first) and first[0].startswith("\u2581"),
        )

    def encode(self, text: str, *, add_bos: bool = True) -> list[int]:
        """Encode as the slow LlamaTokenizer does: split on added tokens, sentencepiece for the rest."""
        ids = [self.sp.bos_id()] if add_bos else []
        parts = self._split.split(text) if self._split else [text]
        for part in parts:
            if part in self.added:
                ids.append(self.added[part])
            elif part:
                ids.extend(self.sp.encode(part))
        return ids


def _load_json(path: Path, max_bytes: int) -> dict[str, Any]:
    return read_json_object(path, max_bytes, error=TokenizerMismatchError)


def _padding_text(token_id: int, taken: set[str]) -> str:
    """``[PAD<id>]``, or a variant of it when an added token or a piece already has that text."""
    text = f"[PAD{token_id}]"
    n = 1
    while text in taken:
        text = f"[PAD{token_id}.{n}]"
        n += 1
    taken.add(text)
    return text


def _int(value: Any) -> int | None:
    # Keys of added_tokens_decoder are decimal strings; anything else is reported by the caller as malformed.
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 20:
        return int(value)
    return None
