"""The local model library: GGUF files in the models folder, plus files elsewhere that the writer linked.

Copied imports live in the models folder (:func:`ziya_desktop.paths.models_dir`). Linked imports stay where they are
and are registered by path in a small JSON index in that folder (:data:`INDEX_NAME`), so a 10 GB file on another
disk is not copied; no symlink is needed, which matters on Windows.

Every file is checked with the engine's bounded GGUF reader (:mod:`ziya_desktop.engine.gguf_check` and
:mod:`~ziya_desktop.engine.model_info`), never with llama.cpp: a damaged or foreign file is listed with
``valid=False`` and the reason instead of crashing the app later. Copies go to a hidden temporary name, are
fsynced and renamed into place, so the library never shows half a file.

Plain Python: the UI runs :meth:`ModelLibrary.import_gguf` in a worker thread and forwards its ``progress``.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from converters.atomic import commit, format_bytes, temp_sibling
from ziya_desktop import paths
from ziya_desktop.atomic_write import atomic_write_bytes
from ziya_desktop.engine.model_gate import gate_model
from ziya_desktop.engine.model_info import ModelInfo
from ziya_desktop.errors import (
    ImportCancelledError,
    InsufficientDiskSpaceError,
    ModelImportError,
    ModelNotFoundError,
    ZiyaError,
)
from ziya_desktop.models.safe_names import absolute_path_problem

log = logging.getLogger(__name__)

INDEX_NAME = "library.json"
INDEX_FORMAT_VERSION = 1
GGUF_SUFFIX = ".gguf"
COPY_CHUNK_BYTES = 8 << 20
# Room left on the disk after a copy, so that the import itself never fills it to the last byte.
COPY_MARGIN_BYTES = 64 << 20

ImportMode = Literal["copy", "link"]
FreeSpace = Callable[[Path], int]


@dataclass(frozen=True)
class LocalModel:
    """A GGUF file the library knows.

    ``file_type`` is the header's ``general.file_type`` as llama.cpp names it (``"Q4_K_M"``), empty when the file
    is not valid; ``problem`` says why it is not valid (empty when it is). ``linked`` files live outside the
    models folder and are only registered by path.
    """

    path: Path
    name: str
    file_type: str
    size_bytes: int
    n_layer: int
    valid: bool
    problem: str
    linked: bool


def _disk_free(folder: Path) -> int:
    return shutil.disk_usage(folder).free


class ModelLibrary:
    """The models folder and its index of linked files.

    Safe to use from several threads of one process (the index is read and written under a lock). Emits nothing:
    :meth:`import_gguf` reports through its ``progress`` callback, called in the calling thread.

    Args:
        models_dir: the library folder; ``None`` is :func:`ziya_desktop.paths.models_dir` (created if missing).
        free_space: returns the free bytes of a folder's disk (tests inject a full disk here).
    """

    def __init__(self, models_dir: Path | None = None, *, free_space: FreeSpace = _disk_free) -> None:
        self.models_dir = Path(models_dir) if models_dir is not None else paths.models_dir()
        self.models_dir.mkdir(parents=True, exist_ok=True)
        self._free_space = free_space
        self._lock = threading.Lock()

    @property
    def index_path(self) -> Path:
        return self.models_dir / INDEX_NAME

    # -- listing -----------------------------------------------------------------------------------------------

    def scan(self) -> list[LocalModel]:
        """Every GGUF file in the models folder and every linked file, checked, sorted by name.

        A linked file that was moved or deleted is listed with ``valid=False``. A damaged index is listed as an
        invalid entry of its own (deleting that entry removes the index), so the folder's files still show.
        """
        found: dict[Path, LocalModel] = {}
        for path in sorted(self.models_dir.iterdir()):
            # Hidden names are copies and conversions in progress (see converters.atomic.temp_sibling).
            if path.name.startswith(".") or path.suffix.lower() != GGUF_SUFFIX or not path.is_file():
                continue
            found[path.resolve()] = self._describe(path, linked=False)
        try:
            linked = self._read_index()
        except ModelImportError as exc:
            log.warning("model library index unreadable: %s", exc)
            stat_size = self.index_path.stat().st_size if self.index_path.exists() else 0
            found[self.index_path] = LocalModel(
                self.index_path, INDEX_NAME, "", stat_size, 0, False, str(exc), linked=False
            )
            linked = []
        for path in linked:
            if path.resolve() not in found:
                found[path.resolve()] = self._describe(path, linked=True)
        return sorted(found.values(), key=lambda m: (m.name.lower(), str(m.path)))

    def describe(self, path: Path) -> LocalModel:
        """Check one file the way :meth:`scan` does (linked when it lies outside the models folder)."""
        return self._describe(Path(path), linked=not self._inside(Path(path)))

    def _describe(self, path: Path, *, linked: bool) -> LocalModel:
        try:
            info = gate_model(path)
        except ModelNotFoundError:
            problem = "the file was moved or deleted" if linked else "the file disappeared"
            return LocalModel(path, path.stem, "", 0, 0, False, f"{problem}: {path}", linked)
        except ZiyaError as exc:
            try:
                size = path.stat().st_size if path.is_file() else 0
            except OSError:
                size = 0
            return LocalModel(path, path.stem, "", size, 0, False, str(exc), linked)
        except OSError as exc:
            # A path that cannot even be looked at (a name too long, a folder without permission): listed, not fatal.
            problem = f"the file cannot be examined ({exc.strerror or exc}): {path}"
            return LocalModel(path, path.stem, "", 0, 0, False, problem, linked)
        return _from_info(path, info, linked=linked)

    # -- import ------------------------------------------------------------------------------------------------

    def import_gguf(
        self,
        src: Path,
        *,
        mode: ImportMode,
        progress: Callable[[int, int], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> LocalModel:
        """Add a GGUF file to the library, after checking it.

        ``"copy"`` copies it into the models folder (temporary name, fsync, rename; a name already taken gets a
        number appended). ``"link"`` registers its path without copying. A file already in the models folder is
        returned as it is.

        Args:
            src: the GGUF file.
            mode: ``"copy"`` or ``"link"``.
            progress: ``progress(done_bytes, total_bytes)`` during a copy, from the calling thread.
            cancel: set it to stop a copy between chunks.

        Returns:
            The library's entry for the imported file.

        Raises:
            ModelNotFoundError, InvalidModelError, UnsupportedModelError: the file was refused; nothing changed.
            InsufficientDiskSpaceError: the copy would not fit (checked before copying, or the disk filled up).
            ImportCancelledError: ``cancel`` was set; no partial copy is left.
            ModelImportError: the copy or the index could not be written.
        """
        src = Path(src).expanduser()
        info = gate_model(src)
        if self._inside(src):
            return _from_info(src, info, linked=False)
        if mode == "link":
            self._register(src.resolve())
            return _from_info(src.resolve(), info, linked=True)
        if mode != "copy":
            raise ValueError(f"unknown import mode {mode!r}")
        return self._copy(src, info, progress, cancel)

    def _copy(
        self,
        src: Path,
        info: ModelInfo,
        progress: Callable[[int, int], None] | None,
        cancel: threading.Event | None,
    ) -> LocalModel:
        total = src.stat().st_size
        needed = total + COPY_MARGIN_BYTES
        free = self._free_space(self.models_dir)
        if free < needed:
            raise InsufficientDiskSpaceError(
                f"importing {src.name} needs about {format_bytes(needed)} free in {self.models_dir}, "
                f"but only {format_bytes(free)} is free",
                needed=needed,
                free=free,
            )
        target = self._free_name(src.name)
        temp = temp_sibling(target, "import")
        try:
            done = 0
            with src.open("rb") as fin, temp.open("wb") as fout:
                while chunk := fin.read(COPY_CHUNK_BYTES):
                    if cancel is not None and cancel.is_set():
                        raise ImportCancelledError(f"the import of {src.name} was cancelled")
                    fout.write(chunk)
                    done += len(chunk)
                    if progress is not None:
                        progress(done, total)
            if done != total:
                raise ModelImportError(f"{src.name} changed while it was copied ({done} of {total} bytes)")
            commit(temp, target)
        except OSError as exc:
            temp.unlink(missing_ok=True)
            if exc.errno == errno.ENOSPC:
                raise InsufficientDiskSpaceError(
                    f"the disk of {self.models_dir} filled up while importing {src.name}", needed=needed, free=free
                ) from exc
            raise ModelImportError(f"{src.name} could not be copied into the library: {exc}") from exc
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        copied = self._describe(target, linked=False)
        if not copied.valid:
            target.unlink(missing_ok=True)
            raise ModelImportError(f"the copy of {src.name} failed its check: {copied.problem}")
        return copied

    def _free_name(self, name: str) -> Path:
        target = self.models_dir / name
        stem, suffix = target.stem, target.suffix or GGUF_SUFFIX
        n = 2
        while target.exists():
            target = self.models_dir / f"{stem}-{n}{suffix}"
            n += 1
        return target

    # -- delete ------------------------------------------------------------------------------------------------

    def delete(self, model: LocalModel) -> None:
        """Remove ``model``: a copied file is deleted from the disk, a linked one is only unregistered.

        Raises:
            ModelImportError: the file is not the library's to delete (outside the models folder and not linked),
                or it or the index could not be removed.
        """
        path = Path(model.path)
        if model.linked:
            self._unregister(path)
            return
        if not self._inside(path):
            raise ModelImportError(f"{path} is not in the model library folder; it was not deleted")
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise ModelImportError(f"{path.name} could not be deleted: {exc.strerror or exc}") from exc

    def reveal_path(self, model: LocalModel) -> Path:
        """The folder to open in the file manager for ``model``."""
        return Path(model.path).parent

    # -- the index of linked files -----------------------------------------------------------------------------

    def linked_paths(self) -> list[Path]:
        """The registered paths, in the order they were linked.

        Raises:
            ModelImportError: the index is damaged.
        """
        return self._read_index()

    def _inside(self, path: Path) -> bool:
        try:
            return path.resolve().parent == self.models_dir.resolve()
        except OSError:
            return False

    def _read_index(self) -> list[Path]:
        with self._lock:
            return self._read_index_unlocked()

    def _read_index_unlocked(self) -> list[Path]:
        try:
            text = self.index_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError) as exc:
            raise ModelImportError(f"the list of linked models {self.index_path} cannot be read: {exc}") from exc
        try:
            data: Any = json.loads(text)
        except (ValueError, RecursionError) as exc:
            # Besides JSONDecodeError: an integer of more than 4300 digits, arrays nested too deeply for the stack.
            raise ModelImportError(f"the list of linked models {self.index_path} is damaged: {exc}") from exc
        if not isinstance(data, dict) or data.get("format_version") != INDEX_FORMAT_VERSION:
            raise ModelImportError(f"the list of linked models {self.index_path} has an unknown format")
        entries = data.get("linked")
        if not isinstance(entries, list):
            raise ModelImportError(f"the list of linked models {self.index_path} has an unknown format")
        out: list[Path] = []
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
                raise ModelImportError(f"the list of linked models {self.index_path} has a malformed entry")
            # Links are stored resolved; anything else did not come from the app and is not followed.
            text = entry["path"]
            if (reason := absolute_path_problem(text)) is not None:
                raise ModelImportError(
                    f"the list of linked models {self.index_path} has an unusable entry {text!r:.300}: {reason}"
                )
            out.append(Path(text))
        return out

    def _write_index_unlocked(self, linked: list[Path]) -> None:
        data = {"format_version": INDEX_FORMAT_VERSION, "linked": [{"path": str(p)} for p in linked]}
        try:
            atomic_write_bytes(self.index_path, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode())
        except OSError as exc:
            raise ModelImportError(f"the list of linked models could not be saved: {exc.strerror or exc}") from exc

    def _register(self, path: Path) -> None:
        with self._lock:
            linked = self._read_index_unlocked()
            if path not in linked:
                linked.append(path)
                self._write_index_unlocked(linked)
                log.info("linked model %s", path)

    def _unregister(self, path: Path) -> None:
        with self._lock:
            linked = self._read_index_unlocked()
            remaining = [p for p in linked if p != path and os.path.normcase(p) != os.path.normcase(path)]
            if len(remaining) != len(linked):
                self._write_index_unlocked(remaining)


def _from_info(path: Path, info: ModelInfo, *, linked: bool) -> LocalModel:
    return LocalModel(
        path=path,
        name=path.stem,
        file_type=info.file_type,
        size_bytes=info.file_size,
        n_layer=info.n_layer,
        valid=True,
        problem="",
        linked=linked,
    )
