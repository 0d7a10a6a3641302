"""Errors the converter raises; each message names the file and what is wrong with it.

They belong to the app's one error model (:mod:`ziya_desktop.errors`): :class:`ConversionError` is a ``ZiyaError``,
a cancelled conversion is a ``CancelledError``, and a disk too full for the output raises the app's one
``InsufficientDiskSpaceError`` (importable from here too).
"""

from __future__ import annotations

from pathlib import Path

from ziya_desktop.errors import CancelledError, InsufficientDiskSpaceError, ZiyaError
from ziya_desktop.translatable import QT_TRANSLATE_NOOP

__all__ = [
    "CheckpointError",
    "ConversionCancelled",
    "ConversionError",
    "InsufficientDiskSpaceError",
    "QuantizeError",
    "TokenizerMismatchError",
    "UnsafeCheckpointError",
]


class ConversionError(ZiyaError):
    """Base class: the conversion stopped and left no output behind."""


class CheckpointError(ConversionError):
    """The checkpoint folder or one of its files cannot be read as a LLaMA checkpoint."""

    hint = QT_TRANSLATE_NOOP(
        "ErrorHints",
        "Check that the folder holds a complete Hugging Face LLaMA checkpoint (config, tokenizer, weights).",
    )


class UnsafeCheckpointError(CheckpointError):
    """A pickle in the checkpoint names a global outside the allow-list; nothing from it was executed."""

    hint = QT_TRANSLATE_NOOP(
        "ErrorHints", "Only use checkpoints from a source you trust; this file tries to run code when loaded."
    )

    def __init__(self, path: Path, global_name: str) -> None:
        super().__init__(
            f"{Path(path).name}: refused to load: the pickle asks for '{global_name}', which is not allowed "
            "in a weights file (nothing from the file was executed)"
        )
        self.path = Path(path)
        self.global_name = global_name


class TokenizerMismatchError(CheckpointError):
    """The tokenizer files disagree with each other or with the model's vocabulary size."""


class ConversionCancelled(ConversionError, CancelledError):
    """The caller cancelled; partial files were removed."""


class QuantizeError(ConversionError):
    """llama.cpp's quantizer failed."""
