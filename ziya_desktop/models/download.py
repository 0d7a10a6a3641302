"""Download a checkpoint from the Hugging Face hub: resumable, checked for space first, verified by SHA-256.

huggingface_hub supplies the listing (``HfApi.model_info(files_metadata=True)``: sizes, git blob ids, LFS SHA-256),
URLs, headers, token, HTTP session and the cache layout. Its ``hf_hub_download`` writes each file to a process-unique
temporary name and deletes it on failure, so an interrupted 2.7 GB shard would start again from zero, and it cannot
be cancelled. This module streams each file into a partial file with a stable name instead, and continues it with an
HTTP ``Range`` request after a dropped connection, a cancel or a restart of the app:

- standard cache (``local_dir=None``): ``blobs/<etag>.incomplete`` → ``blobs/<etag>``, linked from
  ``snapshots/<commit>/<file>``, plus ``refs/<revision>`` and ``trees/<commit>.json`` as huggingface_hub writes them,
  so its own ``hf_hub_download``/``snapshot_download`` find the files later;
- ``local_dir``: ``.cache/huggingface/download/<file>.<etag>.incomplete`` → ``<local_dir>/<file>`` plus ``.metadata``.

Every name and id in the hub's answer becomes part of a path, and a mirror we do not control may send anything, so
the whole listing is checked before the first byte is written (:func:`check_listing`: relative POSIX names without
``..``, drives, backslashes or control characters; blob ids, SHA-256 sums and the commit as hex of the right length);
a hostile listing is refused whole with :class:`~ziya_desktop.errors.UnsafeDownloadError` naming the entry. Each path
is checked again where it is built, with symlinks already on disk followed, so a link planted inside the folder
cannot lead a write out of it.

A file reaches its final name only after its hash matched (LFS SHA-256, or the git blob id of a small file); a
mismatch deletes it. Offline mode (``ZIYA_OFFLINE``, the ``offline`` argument, ``HF_HUB_OFFLINE``) makes no request:
a complete earlier download is returned from disk, anything else raises :class:`~ziya_desktop.errors.OfflineError`.
``HF_ENDPOINT``, ``HF_HUB_CACHE`` and ``HF_HOME`` are read on every call, not at import, so changes take effect.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import re
import shutil
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

import httpx2
from huggingface_hub import HfApi, constants, get_session, hf_hub_url, hf_raise_for_status
from huggingface_hub.errors import (
    HfHubHTTPError,
    OfflineModeIsEnabled,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

# huggingface_hub.utils exports these lazily, which mypy cannot follow.
from huggingface_hub.utils import build_hf_headers, filter_repo_objects  # type: ignore[attr-defined]

from converters.atomic import format_bytes
from ziya_desktop import paths
from ziya_desktop.atomic_write import atomic_write_bytes
from ziya_desktop.errors import (
    DownloadCancelledError,
    DownloadError,
    DownloadVerificationError,
    InsufficientDiskSpaceError,
    OfflineError,
    UnsafeDownloadError,
)
from ziya_desktop.models.safe_names import (
    GIT_SHA1_HEX,
    SHA256_HEX,
    hex_problem,
    path_inside,
    relative_path_problem,
    repo_id_problem,
    revision_problem,
)

log = logging.getLogger(__name__)

HASH_CHUNK_BYTES = 8 << 20
# Kept free beyond what the download still needs: the disk must not be filled to the last byte.
SPACE_MARGIN_BYTES = 256 << 20
SPACE_MARGIN_FRACTION = 0.01
PROGRESS_INTERVAL_S = 0.1
SPEED_WINDOW_S = 5.0
RETRIES = 5
RETRY_WAIT_S = 0.5
RETRY_WAIT_MAX_S = 8.0

FreeSpace = Callable[[Path], int]
Phase = Literal["download", "verify", "done"]


@dataclass(frozen=True)
class DownloadProgress:
    """Where a download stands.

    ``done_bytes``/``total_bytes`` count the whole checkpoint (files already on disk included), so one progress bar
    fills once; ``file_done_bytes``/``file_total_bytes`` count the current ``file``. ``bytes_per_s`` is the speed over
    the last few seconds of this run (0 until measured) and ``seconds_left`` the estimate from it (None while
    unknown). ``phase`` is ``"download"``, ``"verify"`` while a file's hash is computed, then ``"done"`` once.
    """

    file: str
    done_bytes: int
    total_bytes: int
    bytes_per_s: float
    seconds_left: float | None
    file_done_bytes: int = 0
    file_total_bytes: int = 0
    phase: Phase = "download"

    @property
    def fraction(self) -> float:
        return self.done_bytes / self.total_bytes if self.total_bytes else 1.0


@dataclass(frozen=True)
class RepoListing:
    """A repository at one commit: what :func:`list_checkpoint_files` returns."""

    repo_id: str
    revision: str
    commit: str
    files: tuple[RemoteFile, ...]

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)


# -- locations and modes ---------------------------------------------------------------------------------------------


def hub_endpoint() -> str:
    """The hub's URL: ``HF_ENDPOINT`` now, else huggingface_hub's default."""
    return (os.environ.get("HF_ENDPOINT") or constants.ENDPOINT).rstrip("/")


def hub_cache_dir() -> Path:
    """huggingface_hub's cache folder, with its precedence: ``HF_HUB_CACHE``, ``HUGGINGFACE_HUB_CACHE``, ``HF_HOME``."""
    for var in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        value = os.environ.get(var)
        if value:
            return Path(os.path.expandvars(value)).expanduser()
    home = os.environ.get("HF_HOME")
    if home:
        return Path(os.path.expandvars(home)).expanduser() / "hub"
    return Path(constants.HF_HUB_CACHE)


def is_offline(offline: bool = False) -> bool:
    """Whether network access is forbidden: the caller's setting, ``ZIYA_OFFLINE``, or ``HF_HUB_OFFLINE``."""
    hf_offline = os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}
    return offline or paths.offline_mode() or hf_offline or constants.is_offline_mode()


def _disk_free(folder: Path) -> int:
    return shutil.disk_usage(folder).free


# -- listing -------------------------------------------------------------------------------------------------------


def list_checkpoint_files(
    repo_id: str, *, revision: str = "main", endpoint: str | None = None, offline: bool = False
) -> RepoListing:
    """Ask the hub for the repository's files at ``revision`` (one request).

    Raises:
        OfflineError: offline mode is on (no request was made).
        UnsafeDownloadError: the repository id or revision is unusable (no request was made), or the answer names
            a file, id or commit that cannot safely become a path (see :func:`check_listing`).
        DownloadError: the repository or revision does not exist, or the hub cannot be reached or answers oddly.
    """
    check_request(repo_id, revision)
    if is_offline(offline):
        raise OfflineError(f"offline mode is on: the file list of {repo_id} was not fetched")
    api = HfApi(endpoint=endpoint or hub_endpoint())
    try:
        info = api.model_info(repo_id, revision=revision, files_metadata=True)
    except RevisionNotFoundError as exc:
        raise DownloadError(f"{repo_id} has no revision '{revision}'", hint="Check the catalog entry.") from exc
    except RepositoryNotFoundError as exc:
        raise DownloadError(
            f"the repository {repo_id} was not found on the hub",
            hint="Check the name, or log in with a token if the repository is gated.",
        ) from exc
    except OfflineModeIsEnabled as exc:
        raise OfflineError(f"offline mode is on: the file list of {repo_id} was not fetched") from exc
    except (HfHubHTTPError, httpx2.HTTPError) as exc:
        raise DownloadError(f"the hub could not list the files of {repo_id}: {exc}") from exc
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # huggingface_hub indexes the answer's JSON without checking its shape.
        raise DownloadError(f"the hub answered with a malformed file list for {repo_id}: {exc!r:.200}") from exc
    if not info.sha:
        raise DownloadError(f"the hub answered without a commit for {repo_id}@{revision}")
    files: list[RemoteFile] = []
    for sibling in info.siblings or []:
        if sibling.size is None or not sibling.blob_id:
            raise DownloadError(f"the hub gave no size or id for {sibling.rfilename!r:.200} in {repo_id}")
        sha256 = sibling.lfs.sha256 if sibling.lfs is not None else None
        files.append(RemoteFile(sibling.rfilename, sibling.size, sibling.blob_id, sha256))
    listing = RepoListing(repo_id, revision, info.sha, tuple(files))
    check_listing(listing)
    return listing


def check_request(repo_id: str, revision: str) -> None:
    """Refuse a repository id or revision that cannot safely name a cache folder or a ``refs/`` file.

    Raises:
        UnsafeDownloadError: naming the value and why; no request was made and nothing was written.
    """
    if (reason := repo_id_problem(repo_id)) is not None:
        raise UnsafeDownloadError(f"the repository id {repo_id!r:.200} is refused: {reason}", entry=repo_id)
    if (reason := revision_problem(revision)) is not None:
        raise UnsafeDownloadError(f"the revision {revision!r:.200} of {repo_id} is refused: {reason}", entry=revision)


def check_listing(listing: RepoListing) -> None:
    """Check every name and id of ``listing`` before any of them becomes a path; the first problem refuses it all.

    Raises:
        UnsafeDownloadError: naming the entry (``entry`` holds it as received) and why.
    """
    where = f"the hub's file list for {listing.repo_id}"
    if (reason := hex_problem(listing.commit, (GIT_SHA1_HEX,))) is not None:
        raise UnsafeDownloadError(
            f"{where} names the commit {listing.commit!r:.200}, which is refused: {reason}; nothing was written",
            entry=listing.commit,
        )
    check_files(listing.files, where)


def check_files(files: Sequence[RemoteFile], where: str) -> None:
    """The per-file part of :func:`check_listing`: names, sizes, blob ids and LFS SHA-256 sums, no name twice."""
    seen: set[str] = set()
    for f in files:
        problem = relative_path_problem(f.name)
        if problem is None and f.name in seen:
            problem = "it is listed twice"
        if problem is not None:
            raise UnsafeDownloadError(
                f"{where} names the file {f.name!r:.200}, which is refused: {problem}; nothing was written",
                entry=str(f.name),
            )
        seen.add(f.name)
        if (found := _field_problem(f)) is not None:
            what, value, reason = found
            raise UnsafeDownloadError(
                f"{where} gives the file {f.name!r:.200} {what} {value!r:.200}, which is refused: {reason}; "
                "nothing was written",
                entry=f.name,
            )


def _field_problem(f: RemoteFile) -> tuple[str, object, str] | None:
    """(what, value, why) for the first of ``f``'s size and ids that is unusable, or None."""
    if not isinstance(f.size, int) or isinstance(f.size, bool) or f.size < 0:
        return "the size", f.size, "it is not a size in bytes"
    if (reason := hex_problem(f.blob_id, (GIT_SHA1_HEX,))) is not None:
        return "the blob id", f.blob_id, reason
    if f.sha256 is not None and (reason := hex_problem(f.sha256, (SHA256_HEX,))) is not None:
        return "the SHA-256", f.sha256, reason
    return None


# -- the download ----------------------------------------------------------------------------------------------------


def download_checkpoint(
    repo_id: str,
    *,
    revision: str = "main",
    local_dir: Path | None = None,
    progress: Callable[[DownloadProgress], None] | None = None,
    cancel: threading.Event | None = None,
    allow_patterns: Sequence[str] | None = None,
    offline: bool = False,
    cache_dir: Path | None = None,
    endpoint: str | None = None,
    free_space: FreeSpace = _disk_free,
    retries: int = RETRIES,
) -> Path:
    """Download (or finish downloading) a repository's files and return the folder that holds them.

    Files already complete are skipped, partial ones continue where they stopped. Free space for what is still
    missing (plus a margin) is checked before the first byte is fetched.

    Args:
        repo_id: ``owner/name`` on the hub.
        revision: branch, tag or commit; the download is pinned to the commit it resolves to when it starts.
        local_dir: put the files here instead of the hub cache.
        progress: called from this thread, at most every 0.1 s and at the end of every file.
        cancel: set it to stop between the pieces the network delivers (tens of kilobytes).
        allow_patterns: glob patterns of the files to fetch (``["*.json", "*.bin"]``); ``None`` fetches all.
        offline: the app's offline setting; ``ZIYA_OFFLINE`` and ``HF_HUB_OFFLINE`` count too.
        cache_dir: the hub cache (default :func:`hub_cache_dir`); ignored with ``local_dir``.
        endpoint: the hub's URL (default :func:`hub_endpoint`).
        free_space: returns the free bytes of a folder's disk (tests inject a full disk here).
        retries: how often a dropped connection is resumed automatically before giving up.

    Returns:
        The snapshot folder (``snapshots/<commit>`` in the cache) or ``local_dir``.

    Raises:
        OfflineError: offline mode is on and the files are not all on disk already; no request was made.
        UnsafeDownloadError: the repository id, the revision or the hub's listing names something that cannot
            safely become a path, or a link on disk leads a path out of the folder; nothing was written.
        InsufficientDiskSpaceError: not enough free space (nothing was fetched), or the disk filled up.
        DownloadCancelledError: ``cancel`` was set; the partial file stays for the next attempt.
        DownloadVerificationError: a file's hash did not match; that file was deleted.
        DownloadError: the hub could not be reached, or the connection dropped more than ``retries`` times.
    """
    check_request(repo_id, revision)
    patterns = list(allow_patterns) if allow_patterns is not None else None
    layout: HubLayout = (
        LocalDirLayout(Path(local_dir).expanduser())
        if local_dir is not None
        else CacheLayout(Path(cache_dir).expanduser() if cache_dir is not None else hub_cache_dir(), repo_id)
    )
    if is_offline(offline):
        return cached_checkpoint(repo_id, revision=revision, layout=layout, allow_patterns=patterns)
    hub = endpoint or hub_endpoint()
    listing = list_checkpoint_files(repo_id, revision=revision, endpoint=hub, offline=offline)
    selected = list(filter_repo_objects(listing.files, allow_patterns=patterns, key=lambda f: f.name))
    if not selected:
        raise DownloadError(f"{repo_id} has no file matching {patterns}")
    # Every path the download will touch, checked against links on disk before the first folder is made.
    layout.check_paths(revision, listing.commit, listing.files)
    layout.prepare()
    _check_space(layout, listing.commit, selected, free_space)
    layout.write_ref(revision, listing.commit)
    layout.write_tree(listing.commit, listing.files)
    meter = _Meter(sum(f.size for f in selected), progress)
    for f in selected:
        if layout.is_installed(f, listing.commit):
            meter.start_file(f, f.size)
            continue
        if not layout.has_complete_blob(f):  # a blob without its snapshot link only needs the link
            partial = layout.partial_path(f)
            _fetch(
                hf_hub_url(repo_id, f.name, revision=listing.commit, endpoint=hub), partial, f, meter, cancel, retries
            )
            _verify(partial, f, meter, cancel)
        else:
            meter.start_file(f, f.size)
        layout.install(f, listing.commit)
    meter.finish()
    return layout.folder(listing.commit)


def cached_checkpoint(
    repo_id: str,
    *,
    revision: str = "main",
    layout: HubLayout | None = None,
    allow_patterns: Sequence[str] | None = None,
) -> Path:
    """The folder of a checkpoint downloaded completely before, found without any network access.

    Raises:
        OfflineError: it was never downloaded, or some files are missing (each named in the message).
        UnsafeDownloadError: the repository id, the revision or the saved file list is unusable as a path.
    """
    check_request(repo_id, revision)
    layout = layout or CacheLayout(hub_cache_dir(), repo_id)
    commit = revision if is_commit_hash(revision) else layout.read_ref(revision)
    tree = layout.read_tree(commit) if commit else None
    if commit is None or tree is None:
        raise OfflineError(f"offline mode is on and {repo_id} has not been downloaded yet")
    patterns = list(allow_patterns) if allow_patterns is not None else None
    wanted = list(filter_repo_objects(tree, allow_patterns=patterns, key=lambda f: f.name))
    missing = [f.name for f in wanted if not layout.is_installed(f, commit)]
    if missing or not wanted:
        shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        raise OfflineError(f"offline mode is on and the download of {repo_id} is incomplete (missing {shown})")
    return layout.folder(commit)


def _check_space(layout: HubLayout, commit: str, files: Sequence[RemoteFile], free_space: FreeSpace) -> None:
    missing = sum(f.size - layout.present_bytes(f, commit) for f in files)
    if missing <= 0:
        return
    needed = missing + max(SPACE_MARGIN_BYTES, int(missing * SPACE_MARGIN_FRACTION))
    free = free_space(layout.root)
    if free < needed:
        raise InsufficientDiskSpaceError(
            f"the download needs {format_bytes(missing)} more (about {format_bytes(needed)} with a safety margin) "
            f"in {layout.root}, but only {format_bytes(free)} is free",
            needed=needed,
            free=free,
        )


class _Meter:
    """Counts bytes, measures speed over a sliding window and calls ``progress`` at most every 0.1 s."""

    def __init__(self, total: int, progress: Callable[[DownloadProgress], None] | None) -> None:
        self.total, self.done, self._progress = total, 0, progress
        self._samples: list[tuple[float, int]] = []  # (time, bytes fetched in this run)
        self._fetched, self._last_emit = 0, 0.0
        self._file, self._file_done, self._file_total = "", 0, 0

    def start_file(self, f: RemoteFile, already: int, *, phase: Phase = "download") -> None:
        """Account for ``already`` bytes of ``f`` on disk (all of it for a file that is skipped)."""
        self._file, self._file_done, self._file_total = f.name, already, f.size
        self.done += already
        self._emit(force=True, phase=phase)

    def add(self, n: int) -> None:
        self.done, self._file_done, self._fetched = self.done + n, self._file_done + n, self._fetched + n
        now = time.monotonic()
        self._samples.append((now, self._fetched))
        while len(self._samples) > 2 and now - self._samples[0][0] > SPEED_WINDOW_S:
            self._samples.pop(0)
        self._emit()

    def restart_file(self) -> None:
        """The server ignored a resume: the bytes counted for this file are fetched again."""
        self.done -= self._file_done
        self._file_done = 0

    def speed(self) -> float:
        (t0, b0), (t1, b1) = self._samples[0], self._samples[-1]
        return (b1 - b0) / (t1 - t0) if len(self._samples) > 1 and t1 > t0 else 0.0

    def _emit(self, *, force: bool = False, phase: Phase = "download") -> None:
        now = time.monotonic()
        if self._progress is None or (not force and now - self._last_emit < PROGRESS_INTERVAL_S):
            return
        self._last_emit = now
        speed = self.speed() if self._samples else 0.0
        left = (self.total - self.done) / speed if speed > 0 else None
        self._progress(
            DownloadProgress(self._file, self.done, self.total, speed, left, self._file_done, self._file_total, phase)
        )

    def verifying(self) -> None:
        self._emit(force=True, phase="verify")

    def finish(self) -> None:
        self._emit(force=True, phase="done")


def _fetch(url: str, partial: Path, f: RemoteFile, meter: _Meter, cancel: threading.Event | None, retries: int) -> None:
    """Stream ``url`` into ``partial``, continuing from its current size; reconnect after a drop."""
    partial.parent.mkdir(parents=True, exist_ok=True)
    have = partial.stat().st_size if partial.exists() else 0
    if have > f.size:
        partial.unlink()
        have = 0
    meter.start_file(f, have)
    failures = 0
    while have < f.size:
        if cancel is not None and cancel.is_set():
            raise DownloadCancelledError(f"the download was cancelled in {f.name} ({format_bytes(have)} kept)")
        before = have
        try:
            have = _stream_once(url, partial, have, f, meter, cancel)
        except (httpx2.TransportError, HfHubHTTPError) as exc:
            have = partial.stat().st_size if partial.exists() else 0
            retryable = isinstance(exc, httpx2.TransportError) or _status(exc) in {408, 429, 500, 502, 503, 504}
            # Consecutive failures without progress; a reconnect that brought data starts the count afresh.
            failures = 1 if have > before else failures + 1
            if not retryable or failures > retries:
                raise DownloadError(
                    f"the download of {f.name} stopped after {format_bytes(have)} of {format_bytes(f.size)}: {exc}"
                ) from exc
            wait = min(RETRY_WAIT_MAX_S, RETRY_WAIT_S * 2 ** max(0, failures - 1))
            log.warning("download of %s interrupted at %d bytes (%s); resuming in %.1f s", f.name, have, exc, wait)
            if cancel is not None and cancel.wait(wait):
                raise DownloadCancelledError(
                    f"the download was cancelled in {f.name} ({format_bytes(have)} kept)"
                ) from exc
            if cancel is None:
                time.sleep(wait)
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise InsufficientDiskSpaceError(
                    f"the disk filled up while downloading {f.name}; free some space and start again to resume"
                ) from exc
            raise DownloadError(f"{f.name} could not be written to {partial.parent}: {exc}") from exc
        else:
            if have == before and have < f.size:
                # The server ended a response early but cleanly: a drop without progress all the same.
                failures += 1
                if failures > retries:
                    raise DownloadError(f"the hub keeps ending {f.name} early at {format_bytes(have)}")


def _stream_once(
    url: str, partial: Path, have: int, f: RemoteFile, meter: _Meter, cancel: threading.Event | None
) -> int:
    headers = build_hf_headers()
    # Compressed bodies would make byte offsets meaningless for resuming.
    headers["Accept-Encoding"] = "identity"
    if have:
        headers["Range"] = f"bytes={have}-"
    timeout = httpx2.Timeout(constants.HF_HUB_DOWNLOAD_TIMEOUT)
    with get_session().stream("GET", url, headers=headers, timeout=timeout, follow_redirects=True) as response:
        hf_raise_for_status(response)
        if have and (response.status_code != 206 or _range_start(response) != have):
            log.info("server ignored the resume of %s; fetching it from the start", f.name)
            meter.restart_file()
            have = 0
        with _open_partial(partial, append=bool(have)) as out:
            # Pieces as the network delivers them: a drop loses nothing already received, and a cancel lands fast.
            for chunk in response.iter_bytes():
                out.write(chunk)
                have += len(chunk)
                meter.add(len(chunk))
                if have > f.size:
                    break
                if cancel is not None and cancel.is_set():
                    raise DownloadCancelledError(
                        f"the download was cancelled in {f.name} ({format_bytes(have)} kept for later)"
                    )
    return have


def _open_partial(partial: Path, *, append: bool) -> BinaryIO:
    """Open the partial file for writing without following a link at its name (one planted after the check)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC) | getattr(os, "O_NOFOLLOW", 0)
    return os.fdopen(os.open(partial, flags, 0o644), "ab" if append else "wb")


def _range_start(response: httpx2.Response) -> int | None:
    m = re.match(r"bytes (\d+)-", response.headers.get("Content-Range", ""))
    return int(m.group(1)) if m else None


def _status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    return int(response.status_code) if response is not None else None


def _verify(path: Path, f: RemoteFile, meter: _Meter, cancel: threading.Event | None) -> None:
    """Check ``path`` against the hub's hash; delete it and raise on a mismatch."""
    meter.verifying()
    size = path.stat().st_size
    if size != f.size:
        path.unlink(missing_ok=True)
        raise DownloadVerificationError(
            f"{f.name} has {size} bytes, the hub says {f.size}; the file was deleted", filename=f.name
        )
    if f.sha256 is not None:
        digest = hashlib.sha256()
        expected, what = f.sha256, "SHA-256"
    else:
        # Small files are not in LFS; the hub names them by their git blob id: sha1 of "blob <size>\0" + content.
        digest = hashlib.sha1(usedforsecurity=False)
        digest.update(f"blob {f.size}\0".encode())
        expected, what = f.blob_id, "git blob id"
    with path.open("rb") as fin:
        while chunk := fin.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
            if cancel is not None and cancel.is_set():
                raise DownloadCancelledError(f"the download was cancelled while {f.name} was being checked")
    actual = digest.hexdigest()
    if actual != expected.lower():
        path.unlink(missing_ok=True)
        raise DownloadVerificationError(
            f"{f.name} is damaged: its {what} is {actual}, the hub says {expected}; the file was deleted",
            filename=f.name,
        )


# -- where files go --------------------------------------------------------------------------------------------------

_COMMIT = re.compile(r"[0-9a-f]{40}")


def is_commit_hash(revision: str) -> bool:
    # fullmatch: with match and "$", a trailing newline would pass.
    return bool(_COMMIT.fullmatch(revision))


@dataclass(frozen=True)
class RemoteFile:
    """One file of a repository: ``sha256`` is the LFS hash (None for small files kept in git)."""

    name: str
    size: int
    blob_id: str
    sha256: str | None = None

    @property
    def etag(self) -> str:
        """What the hub sends as the file's ETag, and what the cache names its blob by."""
        return self.sha256 or self.blob_id


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
