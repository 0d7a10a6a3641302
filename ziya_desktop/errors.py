"""The failures a writer can meet, each with a message in plain words and a hint of what to do.

Everything the app shows in an error dialog or prints on the command line is a :class:`ZiyaError`: the converter's
errors (``converters.errors``) derive from it too, so one ``except ZiyaError`` catches every failure meant for the
writer. A cancellation is a :class:`CancelledError`, whatever was cancelled. A class-level ``hint`` is a fixed
sentence marked for translation in the context ``ErrorHints`` (``QT_TRANSLATE_NOOP``); a message or hint made
below the UI may be a :class:`~ziya_desktop.translatable.Translatable` too. The UI translates both where it shows
them (``ui.common.error_text``); ``str(err)`` and ``hint`` read in English everywhere else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ziya_desktop.translatable import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from pathlib import Path


class ZiyaError(Exception):
    """Base class. ``str(err)`` is the message; ``hint`` says what the writer can do about it."""

    hint: str = ""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        if hint:
            self.hint = hint

    @property
    def message(self) -> str:
        """The message as it was made: a :class:`~ziya_desktop.translatable.Translatable` the UI translates, or
        plain text (equal to ``str(err)`` either way)."""
        return self.args[0] if len(self.args) == 1 and isinstance(self.args[0], str) else str(self)


class CancelledError(ZiyaError):
    """The writer cancelled a load, download, import or conversion; no hint, as nothing went wrong.

    Each subclass says what was left behind (nothing half-made, or a partial download kept for a resume).
    """


class ModelNotFoundError(ZiyaError):
    hint = QT_TRANSLATE_NOOP("ErrorHints", "Check the path, or choose another model file.")


class InvalidModelError(ZiyaError):
    """The file failed the GGUF header check; llama.cpp was never called with it."""

    hint = QT_TRANSLATE_NOOP("ErrorHints", "The file is damaged or not a GGUF model. Download or convert it again.")


class UnsupportedModelError(ZiyaError):
    """A well-formed GGUF this app cannot run (another architecture, missing keys)."""

    hint = QT_TRANSLATE_NOOP(
        "ErrorHints", "Ziya Desktop runs LLaMA-architecture GGUF models such as Ziya-Writing-LLaMa-13B-v1."
    )


class ModelLoadError(ZiyaError):
    """llama.cpp could not load the model, on the GPU nor on the CPU."""

    hint = QT_TRANSLATE_NOOP(
        "ErrorHints", "Close other programs to free memory, or use a smaller quantization such as Q4_K_M."
    )


class LoadCancelledError(CancelledError):
    """The writer cancelled a model load; nothing stays loaded."""


class NoModelLoadedError(ZiyaError):
    hint = QT_TRANSLATE_NOOP("ErrorHints", "Load a model first.")


class PromptTooLongError(ZiyaError):
    """The prompt does not fit the context window together with room for an answer."""

    hint = QT_TRANSLATE_NOOP(
        "ErrorHints", "Shorten the instruction or select less text; the model reads at most its context window."
    )

    def __init__(self, prompt_tokens: int, n_ctx: int, *, min_answer: int) -> None:
        super().__init__(
            QT_TRANSLATE_NOOP(
                "PromptTooLongError",
                "the prompt is {prompt_tokens} tokens, but the context window holds {n_ctx} tokens "
                "and at least {min_answer} must stay free for the answer",
            ).format(prompt_tokens=prompt_tokens, n_ctx=n_ctx, min_answer=min_answer)
        )
        self.prompt_tokens = prompt_tokens
        self.n_ctx = n_ctx


class SelectionTooLongError(PromptTooLongError):
    """A selection too long to rewrite in one go; the message says how much of it fits (made where it is known)."""

    def __init__(self, message: str, *, hint: str, prompt_tokens: int, n_ctx: int, fits_chars: int) -> None:
        ZiyaError.__init__(self, message, hint=hint)
        self.prompt_tokens = prompt_tokens
        self.n_ctx = n_ctx
        self.fits_chars = fits_chars


class GenerationError(ZiyaError):
    """llama.cpp failed while evaluating or generating."""

    hint = QT_TRANSLATE_NOOP("ErrorHints", "Try again; if it keeps happening, reload the model with fewer GPU layers.")


class InvalidSamplingError(ZiyaError, ValueError):
    """A sampling setting llama.cpp cannot generate with: NaN, infinite, of the wrong type or out of its range.

    The message names the setting, the value and the range. A ``ValueError`` too, so that code falling back from
    a bad stored value on ``ValueError`` keeps doing so. ``setting`` is the field of ``SamplingParams``
    (``repeat_penalty``), ``value`` the value refused.
    """

    hint = QT_TRANSLATE_NOOP(
        "ErrorHints",
        "Choose a value within the range given; the Sampling Settings dialog offers only values that work.",
    )

    def __init__(self, message: str, *, setting: str = "", value: object = None) -> None:
        super().__init__(message)
        self.setting = setting
        self.value = value


class DocumentReadError(ZiyaError):
    """A document could not be opened: missing, unreadable, too large, binary or not UTF-8 text."""

    hint = QT_TRANSLATE_NOOP("ErrorHints", "Check the file, or open another one.")


class DocumentSaveError(ZiyaError):
    """A save failed before the new text replaced the old file; the old file is unchanged."""

    hint = QT_TRANSLATE_NOOP("ErrorHints", "Nothing was changed on disk; use Save As to save elsewhere.")


class ExportError(ZiyaError):
    """An export (HTML, PDF, DOCX) failed or its format is unknown; no partial file is left behind."""

    hint = QT_TRANSLATE_NOOP("ErrorHints", "Nothing was written; choose another folder or file name and export again.")


class CatalogError(ZiyaError):
    """The model catalog (``catalog.toml``) is missing, unreadable or has a wrong or missing entry."""

    hint = QT_TRANSLATE_NOOP("ErrorHints", "Reinstall Ziya Desktop; the model catalog that ships with it is damaged.")


class OfflineError(ZiyaError):
    """A network access was refused because offline mode is on; no request was made."""

    hint = QT_TRANSLATE_NOOP(
        "ErrorHints", "Turn off offline mode (or unset ZIYA_OFFLINE) to download, or import a model file from disk."
    )


class DownloadError(ZiyaError):
    """A download stopped (network or server failure); what was fetched so far stays for a later resume."""

    hint = QT_TRANSLATE_NOOP(
        "ErrorHints", "Check the network connection and start the download again; it continues where it stopped."
    )


class UnsafeDownloadError(DownloadError):
    """The hub's answer (or a catalog entry) names a file, id or revision that is not safe to turn into a path.

    The whole download is refused before anything is written; ``entry`` is the offending name as it was received.
    """

    hint = QT_TRANSLATE_NOOP(
        "ErrorHints", "Nothing was written. Download from the official hub or a mirror (HF_ENDPOINT) you trust."
    )

    def __init__(self, message: str, *, entry: str = "") -> None:
        super().__init__(message)
        self.entry = entry


class DownloadCancelledError(CancelledError):
    """The writer cancelled a download; the partial file stays, and the next download resumes from it."""


class DownloadVerificationError(ZiyaError):
    """A downloaded file's SHA-256 differs from the hub's; the bad file was deleted and is not used."""

    hint = QT_TRANSLATE_NOOP("ErrorHints", "Start the download again; the damaged file will be fetched anew.")

    def __init__(self, message: str, *, filename: str = "") -> None:
        super().__init__(message)
        self.filename = filename


class InsufficientDiskSpaceError(ZiyaError):
    """Not enough free disk space for a download, an import or a conversion; nothing was left half-written.

    ``needed`` and ``free`` are in bytes (0 where the disk filled up while writing and the figures are not known).
    """

    hint = QT_TRANSLATE_NOOP("ErrorHints", "Free some disk space or choose another folder, then try again.")

    def __init__(self, message: str, *, needed: int = 0, free: int = 0) -> None:
        super().__init__(message)
        self.needed = needed
        self.free = free


class ModelImportError(ZiyaError):
    """A model file could not be copied into or registered with the model library; the library is unchanged."""

    hint = QT_TRANSLATE_NOOP(
        "ErrorHints", "Check that the file is readable and the disk is not full, then import it again."
    )


class ImportCancelledError(CancelledError):
    """The writer cancelled an import; no partial copy is left in the model library."""


class ActionError(ZiyaError):
    """A writing action that cannot start: nothing selected, nothing to continue from, no rewrite instruction."""

    hint = QT_TRANSLATE_NOOP(
        "ErrorHints", "Place the cursor after some text, or select the text the action should work on."
    )


class NothingToContinueError(ActionError):
    """Continue was asked for with no text before the cursor."""

    hint = QT_TRANSLATE_NOOP("ErrorHints", "Write a first sentence, or place the cursor after the text to continue.")


class NoRewriteInstructionError(ActionError):
    """A free rewrite was asked for without an instruction."""

    hint = QT_TRANSLATE_NOOP("ErrorHints", "Say how to rewrite the selection, e.g. “改成第一人称”.")


class TemplateError(ZiyaError):
    """A template file that cannot be used, naming the file and, where known, the line."""

    hint = QT_TRANSLATE_NOOP("ErrorHints", "Fix or remove the template file; the other templates are still available.")

    def __init__(self, message: str, *, path: Path | None = None, line: int | None = None, hint: str = "") -> None:
        where = str(path) if path is not None else "template"
        if line is not None:
            where += f", line {line}"
        super().__init__(f"{where}: {message}", hint=hint)
        self.path = path
        self.line = line
        self.detail = message


class TemplateValueError(ZiyaError):
    """A value the writer entered in a template's form is not usable (wrong option, not a number)."""

    hint = QT_TRANSLATE_NOOP("ErrorHints", "Correct the field in the form and try again.")

    def __init__(self, message: str, *, field_name: str) -> None:
        super().__init__(message)
        self.field_name = field_name


class MissingFieldError(TemplateValueError):
    """A required field was left empty."""

    hint = QT_TRANSLATE_NOOP("ErrorHints", "Fill in the field; the model needs it to write the body.")


class EvaluationError(ZiyaError):
    """An evaluation run cannot go on: a contender's model does not load, the run folder is taken, two models do
    not share a vocabulary. What the run already made stays on disk."""

    hint = QT_TRANSLATE_NOOP(
        "ErrorHints", "Fix what the message names and start the run again; answers already made are kept."
    )


class EvalFormatError(EvaluationError):
    """A prompt set, contenders file or run folder that cannot be read, naming the file and, where known, the line."""

    hint = QT_TRANSLATE_NOOP("ErrorHints", "Correct the file at the line named, then try again.")

    def __init__(self, message: str, *, path: Path | None = None, line: int | None = None, hint: str = "") -> None:
        where = str(path) if path is not None else ""
        if line is not None:
            where = f"{where}, line {line}" if where else f"line {line}"
        super().__init__(f"{where}: {message}" if where else message, hint=hint)
        self.path = path
        self.line = line
        self.detail = message


class JudgementError(EvaluationError):
    """A verdict that cannot be recorded or read: no judge's name, a round the run does not have, a
    ``judgements.jsonl`` that cannot be written. Verdicts already on disk stay."""

    hint = QT_TRANSLATE_NOOP(
        "ErrorHints", "Check the judge's name and that the run folder is writable; verdicts already given are kept."
    )


class RemoteError(ZiyaError):
    """An inference server (llama.cpp's server, vLLM) could not be used; the base of the remote engine's failures.

    Text a generation already wrote stays where it is: only what the server did not send is missing.
    """

    hint = QT_TRANSLATE_NOOP(
        "ErrorHints", "Check the server's address and that it is running, or go back to the local model (Model menu)."
    )


class ServerAddressError(RemoteError):
    """The server's address is not an http:// or https:// URL with a host."""

    hint = QT_TRANSLATE_NOOP("ErrorHints", "Give the address like http://127.0.0.1:8080 or https://llm.example.org.")


class ServerUnreachableError(RemoteError):
    """The connection was refused, the host name is unknown or the network is down; nothing was sent."""

    hint = QT_TRANSLATE_NOOP(
        "ErrorHints", "Check the address and port, that the server (llama-server or vLLM) runs, and the network."
    )


class ServerTimeoutError(RemoteError):
    """The server did not accept the connection, or sent nothing, within the timeout."""

    hint = QT_TRANSLATE_NOOP(
        "ErrorHints", "The server may be busy or the network slow: try again, or allow a longer timeout."
    )


class ServerHTTPError(RemoteError):
    """The server answered with an HTTP error; ``status`` is its code and ``detail`` the server's own message."""

    hint = QT_TRANSLATE_NOOP("ErrorHints", "The server's message says what it refused; check the model name too.")

    def __init__(self, message: str, *, status: int = 0, detail: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail


class ServerAuthError(ServerHTTPError):
    """The server refused the API key (HTTP 401 or 403)."""

    hint = QT_TRANSLATE_NOOP(
        "ErrorHints", "Check the API key in Connect to Server (on the command line: --api-key or ZIYA_API_KEY)."
    )


class ServerStreamCutError(RemoteError):
    """The connection broke while the answer streamed; what arrived before is kept."""

    hint = QT_TRANSLATE_NOOP(
        "ErrorHints", "The text written so far was kept. Check the server, then continue writing from the cursor."
    )


class ServerProtocolError(RemoteError):
    """The answer was not what an OpenAI-compatible server sends (not JSON, no models, malformed events)."""

    hint = QT_TRANSLATE_NOOP(
        "ErrorHints", "Check that the address is an OpenAI-compatible server: llama-server, llama-cpp-python or vLLM."
    )


class ServerCertificateError(RemoteError):
    """The server's TLS certificate could not be verified; no unverified connection is ever made."""

    hint = QT_TRANSLATE_NOOP(
        "ErrorHints",
        "Give the server a certificate from a trusted authority, or install the team's certificate authority on this "
        "computer.",
    )


class ServerModelError(RemoteError):
    """The server does not serve the model asked for (or serves none)."""

    hint = QT_TRANSLATE_NOOP(
        "ErrorHints", "Choose one of the server's models (Fetch Models in Connect to Server, or --server-model)."
    )
