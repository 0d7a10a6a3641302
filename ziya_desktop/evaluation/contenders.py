"""Contenders: what an evaluation run compares. A contender is a model (a local GGUF or a model on a server), its
sampling settings and its seed, under a name judges see once a round is judged.

Contenders come from the command line (``NAME=PATH.gguf,temperature=0.7,seed=1``), from a TOML file
(``[[contenders]]`` tables) or from a run's ``run.json``; every form is checked into a :class:`Contender`.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from ziya_desktop.engine.sampling import LLAMA_MAX_SEED, MODEL_CARD, SamplingParams, validate_setting
from ziya_desktop.errors import EvalFormatError, InvalidSamplingError, ZiyaError
from ziya_desktop.regular_file import read_regular_file
from ziya_desktop.translatable import QT_TRANSLATE_NOOP

__all__ = [
    "Contender",
    "check_contenders",
    "contender_as_dict",
    "contender_from_dict",
    "load_contenders",
    "parse_contender_spec",
]

REMOTE_QUANTIZATION = "remote"
# A name is shown in tables and written on the command line (``--kl BASE:OTHER``, ``NAME=PATH``): no separators.
_NAME_RE = re.compile(r"[^\s,:=/\\][^,:=/\\]{0,63}")
_SPEC_KEYS = {"temperature", "top_p", "top_k", "min_p", "repeat_penalty", "repeat_last_n", "max_tokens"}
_INT_SETTINGS = {"top_k", "repeat_last_n", "max_tokens", "seed"}
# A contenders file names a handful of models; anything this large was never one.
MAX_CONTENDERS_BYTES = 1 << 20
_TOML_KEYS = {"name", "model", "server", "server_model", "sampling", "seed", "quantization"}


@dataclass(frozen=True)
class Contender:
    """One side of the comparison.

    Raises:
        EvalFormatError: (when made) a name that is empty or holds ``, : = /``, neither or both of ``model`` and
            ``server``, or a seed outside llama.cpp's range.
    """

    name: str  # unique within a run, shown after judging
    model: Path | None = None  # a local GGUF ...
    server: str | None = None  # ... or a server base URL (remote engine), with server_model
    server_model: str = ""
    sampling: SamplingParams = field(default=MODEL_CARD)
    seed: int = 1234
    quantization: str = ""  # read from the GGUF (general.file_type) when empty

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME_RE.fullmatch(self.name) or self.name != self.name.strip():
            raise EvalFormatError(
                QT_TRANSLATE_NOOP(
                    "Contender",
                    "contender name {name} must be 1 to 64 characters without spaces at the ends or , : = /",
                ).format(name=repr(self.name))
            )
        if (self.model is None) == (self.server is None):
            raise EvalFormatError(
                QT_TRANSLATE_NOOP("Contender", "contender {name} needs either a model file or a server").format(
                    name=self.name
                )
            )
        if self.model is not None:
            object.__setattr__(self, "model", Path(self.model))
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or not 0 <= self.seed <= LLAMA_MAX_SEED:
            raise EvalFormatError(
                QT_TRANSLATE_NOOP(
                    "Contender", "contender {name}: the seed must be a whole number from 0 to {high}"
                ).format(name=self.name, high=LLAMA_MAX_SEED)
            )

    @property
    def remote(self) -> bool:
        return self.server is not None

    def run_sampling(self) -> SamplingParams:
        """The sampling an answer is generated with: the contender's settings and its seed."""
        return self.sampling.with_(seed=self.seed)

    def with_quantization(self) -> Contender:
        """This contender with ``quantization`` filled in: the GGUF's file type, or ``remote`` for a server.

        Raises:
            ModelNotFoundError, InvalidModelError, UnsupportedModelError: the GGUF cannot be read.
        """
        if self.quantization:
            return self
        if self.model is None:
            return dataclasses.replace(self, quantization=REMOTE_QUANTIZATION)
        from ziya_desktop.engine.model_info import inspect_model

        return dataclasses.replace(self, quantization=inspect_model(self.model).file_type)

    def describe(self) -> str:
        """One line for tables and progress: name, quantization, sampling and seed."""
        s = self.sampling
        where = self.quantization or (self.model.name if self.model is not None else REMOTE_QUANTIZATION)
        return f"{self.name} ({where}, temperature {s.temperature:g}, top-p {s.top_p:g}, seed {self.seed})"


def _sampling_dict(sampling: SamplingParams) -> dict[str, object]:
    return {f.name: getattr(sampling, f.name) for f in dataclasses.fields(sampling)}


def contender_as_dict(contender: Contender) -> dict[str, object]:
    """A contender as ``run.json`` holds it."""
    return {
        "name": contender.name,
        "model": str(contender.model) if contender.model is not None else None,
        "server": contender.server,
        "server_model": contender.server_model,
        "sampling": _sampling_dict(contender.sampling),
        "seed": contender.seed,
        "quantization": contender.quantization,
    }


def _sampling_from(raw: object, name: str) -> SamplingParams:
    if raw is None:
        return MODEL_CARD
    if not isinstance(raw, Mapping):
        raise ValueError(QT_TRANSLATE_NOOP("Contender", "sampling must be a table of settings"))
    known = {f.name for f in dataclasses.fields(SamplingParams)}
    unknown = set(raw) - known
    if unknown:
        raise ValueError(
            QT_TRANSLATE_NOOP("Contender", "unknown sampling settings: {keys}").format(keys=", ".join(sorted(unknown)))
        )
    try:
        return SamplingParams(**raw)
    except InvalidSamplingError as err:
        raise ValueError(f"{name}: {err}") from err


def contender_from_dict(raw: object, *, base: Path | None = None) -> Contender:
    """A contender from its ``run.json`` or TOML table; a relative ``model`` is taken from ``base``.

    Raises:
        ValueError: a missing or malformed key.
        EvalFormatError: what :class:`Contender` refuses.
    """
    if not isinstance(raw, Mapping):
        raise ValueError(QT_TRANSLATE_NOOP("Contender", "a contender must be a table"))
    unknown = set(raw) - _TOML_KEYS
    if unknown:
        raise ValueError(QT_TRANSLATE_NOOP("Contender", "unknown keys: {keys}").format(keys=", ".join(sorted(unknown))))
    name = raw.get("name")
    model, server = raw.get("model"), raw.get("server")
    for key, value in (("name", name), ("model", model), ("server", server)):
        if value is not None and not isinstance(value, str):
            raise ValueError(QT_TRANSLATE_NOOP("Contender", "{key} must be text").format(key=key))
    server_model, quantization = raw.get("server_model", ""), raw.get("quantization", "")
    if not isinstance(server_model, str) or not isinstance(quantization, str):
        raise ValueError(QT_TRANSLATE_NOOP("Contender", "server_model and quantization must be text"))
    path = None if model is None else Path(model).expanduser()
    if path is not None and base is not None and not path.is_absolute():
        path = base / path
    return Contender(
        name=name if isinstance(name, str) else "",
        model=path,
        server=server,
        server_model=server_model,
        sampling=_sampling_from(raw.get("sampling"), str(name)),
        seed=raw.get("seed", 1234),
        quantization=quantization,
    )


def _spec_value(setting: str, text: str) -> object:
    try:
        value: object = int(text) if setting in _INT_SETTINGS else float(text)
    except ValueError:
        raise EvalFormatError(
            QT_TRANSLATE_NOOP("Contender", "{setting} must be a number, not {value}").format(
                setting=setting, value=repr(text)
            )
        ) from None
    try:
        return validate_setting(setting, value)
    except InvalidSamplingError as err:
        raise EvalFormatError(str(err)) from err


def parse_contender_spec(spec: str) -> Contender:
    """``NAME=PATH.gguf[,temperature=..,top_p=..,seed=..]``, or ``NAME=http://host:port[,model=NAME]`` for a
    model on a server. Other settings: top_k, min_p, repeat_penalty, repeat_last_n, max_tokens, quantization.

    Raises:
        EvalFormatError: no ``=``, an unknown setting, or a value out of its range.
    """
    name, sep, rest = spec.partition("=")
    if not sep or not rest:
        raise EvalFormatError(
            QT_TRANSLATE_NOOP("Contender", "a contender is NAME=PATH.gguf[,setting=value...], not {spec}").format(
                spec=repr(spec)
            )
        )
    where, *settings = rest.split(",")
    changes: dict[str, object] = {}
    extra: dict[str, str] = {}
    seed = 1234
    for item in settings:
        key, eq, value = (part.strip() for part in item.partition("="))
        if not eq:
            raise EvalFormatError(
                QT_TRANSLATE_NOOP("Contender", "expected setting=value, not {item}").format(item=item)
            )
        if key == "seed":
            seed = cast(int, _spec_value("seed", value))
        elif key in _SPEC_KEYS:
            changes[key] = _spec_value(key, value)
        elif key in ("model", "quantization"):
            extra[key] = value
        else:
            raise EvalFormatError(
                QT_TRANSLATE_NOOP("Contender", "unknown setting {key}: choose from {known}").format(
                    key=repr(key), known=", ".join(sorted({*_SPEC_KEYS, "seed", "model", "quantization"}))
                )
            )
    remote = where.startswith(("http://", "https://"))
    return Contender(
        name=name.strip(),
        model=None if remote else Path(where).expanduser(),
        server=where if remote else None,
        server_model=extra.get("model", ""),
        sampling=MODEL_CARD.with_(**changes),
        seed=seed,
        quantization=extra.get("quantization", ""),
    )


def load_contenders(path: Path) -> tuple[Contender, ...]:
    """Contenders from a TOML file of ``[[contenders]]`` tables; relative model paths are from the file's folder.

    Raises:
        EvalFormatError: unreadable, not TOML, or a malformed contender (named by its position).
    """
    try:
        data = tomllib.loads(read_regular_file(path, MAX_CONTENDERS_BYTES).decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise EvalFormatError(
            QT_TRANSLATE_NOOP("Contender", "cannot read the contenders: {reason}").format(reason=str(err)), path=path
        ) from err
    raw = data.get("contenders")
    if set(data) - {"contenders"} or not isinstance(raw, list):
        raise EvalFormatError(QT_TRANSLATE_NOOP("Contender", "expected [[contenders]] tables only"), path=path)
    out = []
    for i, entry in enumerate(raw, 1):
        try:
            out.append(contender_from_dict(entry, base=Path(path).parent))
        except (ValueError, ZiyaError) as err:
            raise EvalFormatError(
                QT_TRANSLATE_NOOP("Contender", "contender #{n}: {problem}").format(n=i, problem=str(err)), path=path
            ) from err
    return tuple(out)


def check_contenders(contenders: Iterable[Contender]) -> tuple[Contender, ...]:
    """The contenders as a tuple, checked: at least two, and no name twice.

    Raises:
        EvalFormatError: fewer than two contenders, or a repeated name.
    """
    out = tuple(contenders)
    if len(out) < 2:
        raise EvalFormatError(QT_TRANSLATE_NOOP("Contender", "a run compares at least two contenders"))
    seen: set[str] = set()
    for c in out:
        if c.name in seen:
            raise EvalFormatError(
                QT_TRANSLATE_NOOP("Contender", "two contenders are named {name}").format(name=repr(c.name))
            )
        seen.add(c.name)
    return out
