"""The checkpoint's tokenizer as GGUF vocabulary, plus a reference encoder for verification.

The truth is the tokenizer files in the folder: ``tokenizer.model`` (sentencepiece) and the added tokens, which
may be declared in ``added_tokens.json``, ``tokenizer_config.json`` (``added_tokens_decoder``) and
``tokenizer.json``. Where they disagree with each other or with the model's vocabulary size, conversion stops.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any

import sentencepiece as spm

from converters.errors import TokenizerMismatchError

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
        if not model_file.is_file():
            raise TokenizerMismatchError(f"{self.folder}: tokenizer.model is missing")
        try:
            self.sp = spm.SentencePieceProcessor(model_file=str(model_file))
        except (RuntimeError, OSError) as exc:
            raise TokenizerMismatchError(f"{model_file}: not a sentencepiece model ({exc})") from exc
        self.n_pieces = self.sp.get_piece_size()
        self.vocab_size = vocab_size
        self.added = self._added_tokens()
        self._check()
        self._split = (
            re.compile("(" + "|".join(re.escape(t) for t in sorted(self.added, key=len, reverse=True)) + ")")
            if self.added
            else None
        )

    def _added_tokens(self) -> dict[str, int]:
        found: dict[str, tuple[int, str]] = {}

        def put(content: Any, token_id: Any, source: str) -> None:
            if not isinstance(content, str) or not isinstance(token_id, int):
                raise TokenizerMismatchError(f"{source}: malformed added token {content!r}: {token_id!r}")
            if token_id < self.n_pieces:
                if self.sp.id_to_piece(token_id) != content:
                    raise TokenizerMismatchError(
                        f"{source}: '{content}' is declared as id {token_id}, which sentencepiece maps to "
                        f"'{self.sp.id_to_piece(token_id)}'"
                    )
                return
            if content in found and found[content][0] != token_id:
                raise TokenizerMismatchError(
                    f"'{content}' is id {found[content][0]} in {found[content][1]} but {token_id} in {source}"
                )
            found[content] = (token_id, source)

        added_json = self.folder / "added_tokens.json"
        if added_json.is_file():
            for content, token_id in _load_json(added_json).items():
                put(content, token_id, added_json.name)
        config = self.folder / "tokenizer_config.json"
        if config.is_file():
            decoder = _load_json(config).get("added_tokens_decoder") or {}
            for token_id, spec in decoder.items():
                put(spec.get("content") if isinstance(spec, dict) else None, _int(token_id), config.name)
        tok_json = self.folder / "tokenizer.json"
        if tok_json.is_file():
            for spec in _load_json(tok_json).get("added_tokens") or []:
                put(spec.get("content"), spec.get("id"), tok_json.name)
        ids = [i for i, _ in found.values()]
        if len(set(ids)) != len(ids):
            raise TokenizerMismatchError("two added tokens share one id")
        return {content: token_id for content, (token_id, _) in found.items()}

    def _check(self) -> None:
        if self.n_pieces > self.vocab_size:
            raise TokenizerMismatchError(
                f"tokenizer.model has {self.n_pieces} pieces but config.json's vocab_size is {self.vocab_size}"
            )
        for content, token_id in self.added.items():
            if token_id >= self.vocab_size:
                raise TokenizerMismatchError(
                    f"added token '{content}' has id {token_id}, outside vocab_size {self.vocab_size}"
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
            tokens.append(sp.id_to_piece(i))
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
        for i in range(self.n_pieces, self.vocab_size):
            if i in by_id:
                tokens.append(by_id[i])
                scores.append(-1000.0)
                types.append(TokenType.USER_DEFINED)
            else:
                tokens.append(f"[PAD{i}]")
                scores.append(-1000.0)
                types.append(TokenType.UNUSED)
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


def _load_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, RecursionError) as exc:
        raise TokenizerMismatchError(f"{path}: not valid JSON ({str(exc)[:80]})") from exc
    if not isinstance(data, dict):
        raise TokenizerMismatchError(f"{path}: not a JSON object")
    return data


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
