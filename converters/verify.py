"""``--verify``: reload a converted GGUF and check it tokenizes exactly like the checkpoint's own tokenizer."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from converters.checkpoint import LlamaConfig
from converters.tokenizer import CheckpointTokenizer
from converters.verify_strings import VERIFY_STRINGS


@dataclass
class VerifyReport:
    checked: int = 0
    mismatches: list[tuple[str, list[int], list[int]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches and not self.problems

    def summary(self) -> str:
        lines = [
            f"verify: {self.checked - len(self.mismatches)}/{self.checked} strings tokenize identically"
            + (" — OK" if self.ok else " — FAILED")
        ]
        for text, want, got in self.mismatches:
            lines.append(f"  {text!r}: checkpoint {want[:16]} … gguf {got[:16]} …")
        lines.extend(f"  {p}" for p in self.problems)
        return "\n".join(lines)


def verify_tokenizer(checkpoint_dir: Path, gguf_path: Path, strings: tuple[str, ...] = VERIFY_STRINGS) -> VerifyReport:
    """Compare llama.cpp's tokenization of ``gguf_path`` with sentencepiece + added tokens from the checkpoint."""
    import json

    from ziya_desktop.engine.llama_api import LlamaModel, ModelParams

    raw = json.loads((Path(checkpoint_dir) / "config.json").read_text(encoding="utf-8"))
    config = LlamaConfig.from_dict(raw, "config.json")
    reference = CheckpointTokenizer(Path(checkpoint_dir), config.vocab_size)
    model = LlamaModel(Path(gguf_path), ModelParams(vocab_only=True))
    report = VerifyReport()
    try:
        if model.n_vocab != config.vocab_size:
            report.problems.append(f"GGUF has {model.n_vocab} tokens, config.json says {config.vocab_size}")
        for content, token_id in reference.added.items():
            if model.piece(token_id).decode("utf-8", errors="replace") != content:
                report.problems.append(f"added token {content!r} is not id {token_id} in the GGUF")
        for text in strings:
            want = reference.encode(text)
            got = model.tokenize(text)
            report.checked += 1
            if want != got:
                report.mismatches.append((text, want, got))
    finally:
        model.close()
    return report
