"""Where a download puts a repository's files on disk: huggingface_hub's cache, or a plain folder.

Both layouts keep what huggingface_hub itself writes, so its own ``hf_hub_download``/``snapshot_download`` find the
files later, and give each file a partial file with a stable name, so a download continues after a restart:

- :class:`CacheLayout` (the standard cache): ``blobs/<etag>.incomplete`` → ``blobs/<etag>``, linked from
  ``snapshots/<commit>/<file>``, plus ``refs/<revision>`` and ``trees/<commit>.json``;
- :class:`LocalDirLayout`: ``.cache/huggingface/download/<file>.<etag>.incomplete`` → ``<local_dir>/<file>`` plus
  ``.metadata``.

Each path is checked where it is built, with symlinks already on disk followed, so a link planted inside the folder
cannot lead a write out of it.
"""

from __future__ import annotations

import json
import logging
import os
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path

from ziya_desktop.atomic_write import atomic_write_bytes
from ziya_desktop.errors import UnsafeDownloadError
from ziya_desktop.models.hub_listing import RemoteFile, check_files, is_commit_hash
from ziya_desktop.models.safe_names import path_inside

log = logging.getLogger(__name__)


class HubLayout(ABC):
    """Where a repository's files, partial files, ref and tree listing live; see the two layouts below.

    Every path is built through :meth:`_guard`, which refuses one that leads out of :attr:`base` once existing
    symlinks are followed.
    """

    root: Path
    meta: Path
    base: Path

    def prepare(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    def name_problem(self, name: str) -> str | None:
        """Why a listed ``name`` cannot be used in this layout although it is a safe relative path, or None."""
        return None

    def check_paths(self, revision: str, commit: str, files: Sequence[RemoteFile]) -> None:
        """Build every path a download of ``files`` would touch, so that any refusal comes before any write.

        Raises:
            UnsafeDownloadError: a name this layout reserves, or a path that leads out of the folder.
        """
        if revision != commit:
            self._ref_path(revision)
        self._tree_path(commit)
        self.folder(commit)
        for f in files:
            if (reason := self.name_problem(f.name)) is not None:
                raise UnsafeDownloadError(
                    f"the hub's file list names the file {f.name!r:.200}, which is refused: {reason}; "
                    "nothing was written",
                    entry=f.name,
                )
            self.file_paths(f, commit)

    @abstractmethod
    def file_paths(self, f: RemoteFile, commit: str) -> list[Path]:
        """Every path that holds ``f`` or its bookkeeping, each checked by :meth:`_guard`."""

    def _guard(self, path: Path, entry: str) -> Path:
        if not path_inside(self.base, path):
            raise UnsafeDownloadError(
                f"{entry!r:.200} would be written at {path}, which leads outside {self.base} "
                "(through a link already on disk); nothing was written",
                entry=entry,
            )
        return path

    def _ref_path(self, revision: str) -> Path:
        return self._guard(self.meta / "refs" / revision, revision)

    def _tree_path(self, commit: str) -> Path:
        return self._guard(self.meta / "trees" / f"{commit}.json", commit)

    @abstractmethod
    def folder(self, commit: str) -> Path: ...

    @abstractmethod
    def partial_path(self, f: RemoteFile) -> Path: ...

    @abstractmethod
    def is_installed(self, f: RemoteFile, commit: str) -> bool: ...

    @abstractmethod
    def install(self, f: RemoteFile, commit: str) -> None:
        """Move the verified partial file (or blob) to where the checkpoint folder shows it."""

    def has_complete_blob(self, f: RemoteFile) -> bool:
        return False

    def present_bytes(self, f: RemoteFile, commit: str) -> int:
        if self.is_installed(f, commit) or self.has_complete_blob(f):
            return f.size
        partial = self.partial_path(f)
        return min(f.size, partial.stat().st_size) if partial.exists() else 0

    def write_ref(self, revision: str, commit: str) -> None:
        if revision != commit:
            _write_text(self._ref_path(revision), commit)

    def read_ref(self, revision: str) -> str | None:
        try:
            value = self._ref_path(revision).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return value if is_commit_hash(value) else None

    def write_tree(self, commit: str, files: Sequence[RemoteFile]) -> None:
        """huggingface_hub's own tree listing format (``trees/<commit>.json``, format_version 1)."""
        entries: dict[str, dict[str, object]] = {}
        for f in files:
            entry: dict[str, object] = {"size": f.size, "blob_id": f.blob_id}
            if f.sha256 is not None:
                entry.update(lfs_sha256=f.sha256, lfs_size=f.size)
            entries[f.name] = entry
        _write_text(self._tree_path(commit), json.dumps({"format_version": 1, "files": entries}))

    def read_tree(self, commit: str) -> list[RemoteFile] | None:
        """The listing saved by :meth:`write_tree`, checked like the hub's own answer (None when unreadable).

        Raises:
            UnsafeDownloadError: the saved listing names an unsafe file or id.
        """
        path = self._tree_path(commit)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            files = [
                RemoteFile(name, int(e["size"]), str(e["blob_id"]), e.get("lfs_sha256"))
                for name, e in data["files"].items()
            ]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("unreadable tree listing %s: %s", path, exc)
            return None
        check_files(files, f"the saved file list {path}")
        return files


class CacheLayout(HubLayout):
    """huggingface_hub's cache: ``models--owner--name/{blobs,snapshots,refs,trees}``."""

    def __init__(self, cache_dir: Path, repo_id: str) -> None:
        self.root = cache_dir
        self.meta = cache_dir / ("models--" + repo_id.replace("/", "--"))
        self.base = self.meta

    def folder(self, commit: str) -> Path:
        return self._guard(self.meta / "snapshots" / commit, commit)

    def _blob(self, f: RemoteFile) -> Path:
        return self._guard(self.meta / "blobs" / f.etag, f.name)

    def _pointer(self, f: RemoteFile, commit: str) -> Path:
        return self._guard(self.folder(commit) / f.name, f.name)

    def partial_path(self, f: RemoteFile) -> Path:
        return self._guard(self.meta / "blobs" / f"{f.etag}.incomplete", f.name)

    def file_paths(self, f: RemoteFile, commit: str) -> list[Path]:
        return [self._blob(f), self.partial_path(f), self._pointer(f, commit)]

    def is_installed(self, f: RemoteFile, commit: str) -> bool:
        return self._pointer(f, commit).exists()

    def has_complete_blob(self, f: RemoteFile) -> bool:
        return self._blob(f).is_file()

    def install(self, f: RemoteFile, commit: str) -> None:
        blob, pointer = self._blob(f), self._pointer(f, commit)
        partial = self.partial_path(f)
        if partial.exists():
            partial.replace(blob)
        pointer.parent.mkdir(parents=True, exist_ok=True)
        pointer.unlink(missing_ok=True)
        try:
            pointer.symlink_to(os.path.relpath(blob, pointer.parent))
        except OSError as exc:
            # Windows without developer mode: huggingface_hub then keeps the file itself in the snapshot.
            log.info("no symlink for %s (%s); moving the blob into the snapshot", f.name, exc)
            blob.replace(pointer)


class LocalDirLayout(HubLayout):
    """Files directly in ``local_dir``, bookkeeping in ``local_dir/.cache/huggingface`` as huggingface_hub keeps it."""

    def __init__(self, local_dir: Path) -> None:
        self.root = local_dir
        self.meta = local_dir / ".cache" / "huggingface"
        self.base = local_dir

    def folder(self, commit: str) -> Path:
        return self.root

    def name_problem(self, name: str) -> str | None:
        # The bookkeeping folder decides what counts as downloaded; the listing must not write into it.
        reserved = (".cache", ".cache/huggingface")
        folded = name.casefold()
        if folded in reserved or folded.startswith(".cache/huggingface/"):
            return "it names the download's own bookkeeping folder"
        return None

    def partial_path(self, f: RemoteFile) -> Path:
        return self._guard(self.meta / "download" / f"{f.name}.{f.etag}.incomplete", f.name)

    def _metadata(self, f: RemoteFile) -> Path:
        return self._guard(self.meta / "download" / f"{f.name}.metadata", f.name)

    def _final(self, f: RemoteFile) -> Path:
        return self._guard(self.root / f.name, f.name)

    def file_paths(self, f: RemoteFile, commit: str) -> list[Path]:
        return [self.partial_path(f), self._metadata(f), self._final(f)]

    def is_installed(self, f: RemoteFile, commit: str) -> bool:
        try:
            lines = self._metadata(f).read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return False
        return self._final(f).is_file() and len(lines) >= 2 and lines[1].strip() == f.etag

    def install(self, f: RemoteFile, commit: str) -> None:
        final = self._final(f)
        final.parent.mkdir(parents=True, exist_ok=True)
        self.partial_path(f).replace(final)
        _write_text(self._metadata(f), f"{commit}\n{f.etag}\n{time.time()}\n")


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, text.encode("utf-8"))
