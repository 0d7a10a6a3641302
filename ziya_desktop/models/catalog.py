"""The model catalog: which checkpoints the app can fetch, and which GGUF file types it offers to convert them to.

The catalog is data (``resources/catalog.toml``), read once and validated strictly: every key is known, every value
has the right type and range, and every file type is one the converter writes. A broken catalog is a packaging bug,
so :func:`load_catalog` refuses it with a :class:`~ziya_desktop.errors.CatalogError` that names the entry and key.

Q4_0 is never offered (see the comment at the top of ``catalog.toml``): :data:`AVOIDED_OUTTYPES` lists it, and the
loader rejects a catalog that tries.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from converters.hf_to_gguf import OUTTYPE_SIZE_VS_F16
from ziya_desktop import paths
from ziya_desktop.errors import CatalogError
from ziya_desktop.models.safe_names import plain_name_problem, repo_id_problem, revision_problem

CATALOG_FORMAT_VERSION = 1
CATALOG_FILE_NAME = "catalog.toml"
# Q4_0 loses three times Q4_K_M's perplexity for 0.5 GB (ZIYA_MODEL.md); the catalog must not offer it.
AVOIDED_OUTTYPES = frozenset({"q4_0"})
_MAX_CATALOG_BYTES = 1 << 20

_MODEL_KEYS = {
    "id": str,
    "name": str,
    "repo_id": str,
    "revision": str,
    "license_note": str,
    "checkpoint_bytes": int,
    "n_layer": int,
    "n_ctx": int,
    "files": list,
}
_FILE_KEYS = {
    "outtype": str,
    "size_bytes": int,
    "quality_note_zh": str,
    "quality_note_en": str,
    "recommended": bool,
}
_OPTIONAL_FILE_KEYS = frozenset({"recommended"})


@dataclass(frozen=True)
class CatalogFile:
    """One GGUF file type a catalog model can be converted to (``outtype`` as the converter names it)."""

    outtype: str
    size_bytes: int
    quality_note_zh: str
    quality_note_en: str
    recommended: bool = False

    @property
    def file_type(self) -> str:
        """The name llama.cpp and the GGUF header use (``"Q4_K_M"``), as in :attr:`LocalModel.file_type`."""
        return self.outtype.upper()

    def quality_note(self, language: str) -> str:
        """The note in ``language`` (``"zh..."`` gives Chinese, anything else English)."""
        return self.quality_note_zh if language.lower().startswith("zh") else self.quality_note_en


@dataclass(frozen=True)
class CatalogModel:
    """A checkpoint on the Hugging Face hub and the file types offered for it (largest first, as in the file)."""

    id: str
    name: str
    repo_id: str
    revision: str
    license_note: str
    checkpoint_bytes: int
    files: tuple[CatalogFile, ...]
    n_layer: int
    n_ctx: int

    def file(self, outtype: str) -> CatalogFile:
        """The entry for ``outtype`` (any case).

        Raises:
            KeyError: the catalog offers no such file type for this model.
        """
        wanted = outtype.lower()
        for f in self.files:
            if f.outtype == wanted:
                return f
        raise KeyError(outtype)

    @property
    def recommended(self) -> CatalogFile:
        """The file type marked ``recommended`` (the loader guarantees exactly one)."""
        return next(f for f in self.files if f.recommended)


def shipped_catalog_path() -> Path:
    """``resources/catalog.toml`` inside the installed app."""
    return paths.resources_dir() / CATALOG_FILE_NAME


def load_catalog(path: Path | None = None) -> tuple[CatalogModel, ...]:
    """Read and validate a catalog file.

    Args:
        path: the TOML file; ``None`` reads the one shipped with the app.

    Returns:
        The models in file order.

    Raises:
        CatalogError: the file is missing, unreadable, not TOML, or any entry is missing a key, has an unknown
            key, a wrong type or an impossible value, repeats an id, has an id, repo id or revision that is not
            safe to turn into a path, or offers a file type the converter cannot write (Q4_0 included).
    """
    source = Path(path) if path is not None else shipped_catalog_path()
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise CatalogError(f"the model catalog {source} cannot be read ({exc.strerror or exc})") from exc
    if len(raw) > _MAX_CATALOG_BYTES:
        raise CatalogError(f"the model catalog {source} is {len(raw)} bytes, more than a catalog can be")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise CatalogError(f"the model catalog {source} is not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"the model catalog {source} is not valid TOML: {exc}") from exc
    except (ValueError, RecursionError) as exc:
        # tomllib lets both through: an integer of more than 4300 digits (int's conversion limit) and arrays or
        # tables nested too deeply for the interpreter's stack.
        raise CatalogError(f"the model catalog {source} is not a usable TOML file: {str(exc)[:200]}") from exc
    return parse_catalog(data, label=source.name)


def parse_catalog(data: Mapping[str, Any], *, label: str = CATALOG_FILE_NAME) -> tuple[CatalogModel, ...]:
    """Validate an already parsed catalog table (see :func:`load_catalog` for what is checked).

    Raises:
        CatalogError: see :func:`load_catalog`.
    """
    unknown = set(data) - {"format_version", "models"}
    if unknown:
        raise CatalogError(f"{label}: unknown top-level key '{sorted(unknown)[0]}'")
    version = data.get("format_version")
    if version != CATALOG_FORMAT_VERSION:
        raise CatalogError(f"{label}: format_version is {version!r}, this app reads {CATALOG_FORMAT_VERSION}")
    entries = data.get("models")
    if not isinstance(entries, list) or not entries:
        raise CatalogError(f"{label}: the catalog lists no [[models]]")
    models: list[CatalogModel] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        model = _parse_model(entry, f"{label}: model {i + 1}")
        if model.id in seen:
            raise CatalogError(f"{label}: model id '{model.id}' appears twice")
        seen.add(model.id)
        models.append(model)
    return tuple(models)


def _check_keys(entry: object, schema: Mapping[str, type], optional: frozenset[str], where: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise CatalogError(f"{where}: expected a table, found {type(entry).__name__}")
    unknown = set(entry) - set(schema)
    if unknown:
        raise CatalogError(f"{where}: unknown key '{sorted(unknown)[0]}'")
    for key, kind in schema.items():
        if key not in entry:
            if key in optional:
                continue
            raise CatalogError(f"{where}: the key '{key}' is missing")
        value = entry[key]
        # bool is an int in Python; a flag where a number belongs (or the reverse) is a mistake in the file.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise CatalogError(f"{where}: '{key}' must be {kind.__name__}, found {type(value).__name__}")
        if isinstance(value, str) and not value.strip():
            raise CatalogError(f"{where}: '{key}' is empty")
        if isinstance(value, int) and not isinstance(value, bool) and value <= 0:
            raise CatalogError(f"{where}: '{key}' must be positive, found {value}")
    return entry


def _parse_model(entry: object, where: str) -> CatalogModel:
    table = _check_keys(entry, _MODEL_KEYS, frozenset(), where)
    # The id names the checkpoint folder and the GGUF file, the repo id the hub cache folder and the URLs, and the
    # revision a file under refs/: each is checked before it can become a path.
    for key, problem in (
        ("id", plain_name_problem(table["id"])),
        ("repo_id", repo_id_problem(table["repo_id"], owner_required=True)),
        ("revision", revision_problem(table["revision"])),
    ):
        if problem is not None:
            raise CatalogError(f"{where}: '{key}' {table[key]!r:.200} is refused: {problem}")
    where = f"{where} ('{table['id']}')"
    repo_id = table["repo_id"]
    if not table["files"]:
        raise CatalogError(f"{where}: no [[models.files]] are offered")
    files: list[CatalogFile] = []
    for j, file_entry in enumerate(table["files"]):
        files.append(_parse_file(file_entry, f"{where}, file {j + 1}"))
    outtypes = [f.outtype for f in files]
    duplicates = {t for t in outtypes if outtypes.count(t) > 1}
    if duplicates:
        raise CatalogError(f"{where}: file type '{sorted(duplicates)[0]}' is offered twice")
    n_recommended = sum(f.recommended for f in files)
    if n_recommended != 1:
        raise CatalogError(f"{where}: exactly one file must be marked recommended, found {n_recommended}")
    return CatalogModel(
        id=table["id"],
        name=table["name"],
        repo_id=repo_id,
        revision=table["revision"],
        license_note=table["license_note"],
        checkpoint_bytes=table["checkpoint_bytes"],
        files=tuple(files),
        n_layer=table["n_layer"],
        n_ctx=table["n_ctx"],
    )


def _parse_file(entry: object, where: str) -> CatalogFile:
    table = _check_keys(entry, _FILE_KEYS, _OPTIONAL_FILE_KEYS, where)
    outtype = table["outtype"].lower()
    if outtype in AVOIDED_OUTTYPES:
        raise CatalogError(f"{where}: file type '{outtype}' is deliberately not offered (it loses too much quality)")
    if outtype not in OUTTYPE_SIZE_VS_F16:
        known = ", ".join(OUTTYPE_SIZE_VS_F16)
        raise CatalogError(f"{where}: file type '{outtype}' is not one the converter writes ({known})")
    return CatalogFile(
        outtype=outtype,
        size_bytes=table["size_bytes"],
        quality_note_zh=table["quality_note_zh"],
        quality_note_en=table["quality_note_en"],
        recommended=table.get("recommended", False),
    )
