"""The hints of the error classes, in the UI language.

Errors are raised below the UI, where there is no Qt and so no ``tr()``; their messages carry details (paths,
sizes, llama.cpp's words) and stay as they are, but each class's hint is a fixed sentence, translated here at the
UI boundary. tests/test_error_text.py keeps this table in step with the error classes.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from converters import errors as conversion_errors
from ziya_desktop import errors


def hint_table() -> dict[str, str]:
    """Each error class's hint (English, as in the source) → the hint in the UI language."""
    translate = QCoreApplication.translate
    return {
        errors.ModelNotFoundError.hint: translate("ErrorHints", "Check the path, or choose another model file."),
        errors.InvalidModelError.hint: translate(
            "ErrorHints", "The file is damaged or not a GGUF model. Download or convert it again."
        ),
        errors.UnsupportedModelError.hint: translate(
            "ErrorHints", "Ziya Desktop runs LLaMA-architecture GGUF models such as Ziya-Writing-LLaMa-13B-v1."
        ),
        errors.ModelLoadError.hint: translate(
            "ErrorHints", "Close other programs to free memory, or use a smaller quantization such as Q4_K_M."
        ),
        errors.NoModelLoadedError.hint: translate("ErrorHints", "Load a model first."),
        errors.PromptTooLongError.hint: translate(
            "ErrorHints", "Shorten the instruction or select less text; the model reads at most its context window."
        ),
        errors.GenerationError.hint: translate(
            "ErrorHints", "Try again; if it keeps happening, reload the model with fewer GPU layers."
        ),
        errors.DocumentReadError.hint: translate("ErrorHints", "Check the file, or open another one."),
        errors.DocumentSaveError.hint: translate(
            "ErrorHints", "Nothing was changed on disk; use Save As to save elsewhere."
        ),
        errors.ExportError.hint: translate(
            "ErrorHints", "Nothing was written; choose another folder or file name and export again."
        ),
        errors.CatalogError.hint: translate(
            "ErrorHints", "Reinstall Ziya Desktop; the model catalog that ships with it is damaged."
        ),
        errors.OfflineError.hint: translate(
            "ErrorHints", "Turn off offline mode (or unset ZIYA_OFFLINE) to download, or import a model file from disk."
        ),
        errors.DownloadError.hint: translate(
            "ErrorHints", "Check the network connection and start the download again; it continues where it stopped."
        ),
        errors.UnsafeDownloadError.hint: translate(
            "ErrorHints", "Nothing was written. Download from the official hub or a mirror (HF_ENDPOINT) you trust."
        ),
        errors.DownloadVerificationError.hint: translate(
            "ErrorHints", "Start the download again; the damaged file will be fetched anew."
        ),
        errors.InsufficientDiskSpaceError.hint: translate(
            "ErrorHints", "Free some disk space or choose another folder, then try again."
        ),
        errors.ModelImportError.hint: translate(
            "ErrorHints", "Check that the file is readable and the disk is not full, then import it again."
        ),
        errors.ActionError.hint: translate(
            "ErrorHints", "Place the cursor after some text, or select the text the action should work on."
        ),
        errors.NothingToContinueError.hint: translate(
            "ErrorHints", "Write a first sentence, or place the cursor after the text to continue."
        ),
        errors.NoRewriteInstructionError.hint: translate(
            "ErrorHints", "Say how to rewrite the selection, e.g. “改成第一人称”."
        ),
        errors.TemplateError.hint: translate(
            "ErrorHints", "Fix or remove the template file; the other templates are still available."
        ),
        errors.TemplateValueError.hint: translate("ErrorHints", "Correct the field in the form and try again."),
        errors.MissingFieldError.hint: translate(
            "ErrorHints", "Fill in the field; the model needs it to write the body."
        ),
        conversion_errors.CheckpointError.hint: translate(
            "ErrorHints",
            "Check that the folder holds a complete Hugging Face LLaMA checkpoint (config, tokenizer, weights).",
        ),
        conversion_errors.UnsafeCheckpointError.hint: translate(
            "ErrorHints", "Only use checkpoints from a source you trust; this file tries to run code when loaded."
        ),
    }


def localized_hint(hint: str) -> str:
    """``hint`` in the UI language when it is one of the error classes' hints, else unchanged."""
    return hint_table().get(hint, hint) if hint else hint
