"""Download a checkpoint from the Hugging Face hub: resumable, checked for space first, verified by SHA-256.

The public entry points of the hub downloader. :func:`download_checkpoint` lists the repository at one commit
(:mod:`~ziya_desktop.models.hub_listing`, which refuses a hostile listing whole before anything is written), checks
every path it will touch and the free space, then fetches what is missing into the cache or a plain folder
(:mod:`~ziya_desktop.models.hub_layout`), each file resumable and verified before it reaches its final name
(:mod:`~ziya_desktop.models.hub_fetch`).

Offline mode (``ZIYA_OFFLINE``, the ``offline`` argument, ``HF_HUB_OFFLINE``) makes no request: a complete earlier
download is returned from disk by :func:`cached_checkpoint`, anything else raises
:class:`~ziya_desktop.errors.OfflineError`. ``HF_ENDPOINT``, ``HF_HUB_CACHE`` and ``HF_HOME`` are read on every call,
not at import, so changes take effect (:mod:`~ziya_desktop.models.hub_settings`).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from huggingface_hub import hf_hub_url

# huggingface_hub.utils exports these lazily, which mypy cannot follow.
from huggingface_hub.utils import filter_repo_objects  # type: ignore[attr-defined]

from converters.atomic import format_bytes
from ziya_desktop.errors import DownloadError, InsufficientDiskSpaceError, OfflineError
from ziya_desktop.models.hub_fetch import DownloadProgress, ProgressMeter, fetch_file, verify_file
from ziya_desktop.models.hub_layout import CacheLayout, HubLayout, LocalDirLayout
from ziya_desktop.models.hub_listing import (
    RemoteFile,
    RepoListing,
    check_request,
    is_commit_hash,
    list_checkpoint_files,
)
from ziya_desktop.models.hub_settings import hub_cache_dir, hub_endpoint, is_offline

# Kept free beyond what the download still needs: the disk must not be filled to the last byte.
SPACE_MARGIN_BYTES = 256 << 20
SPACE_MARGIN_FRACTION = 0.01
RETRIES = 5

FreeSpace = Callable[[Path], int]


def _disk_free(folder: Path) -> int:
    return shutil.disk_usage(folder).free


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
    layout = _layout_for(repo_id, local_dir, cache_dir)
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
    meter = ProgressMeter(sum(f.size for f in selected), progress)
    for f in selected:
        _download_file(layout, listing, f, hub, meter, cancel, retries)
    meter.finish()
    return layout.folder(listing.commit)


def _layout_for(repo_id: str, local_dir: Path | None, cache_dir: Path | None) -> HubLayout:
    """``local_dir`` when given, else the hub cache (``cache_dir`` or :func:`hub_cache_dir`)."""
    if local_dir is not None:
        return LocalDirLayout(Path(local_dir).expanduser())
    return CacheLayout(Path(cache_dir).expanduser() if cache_dir is not None else hub_cache_dir(), repo_id)


def _download_file(
    layout: HubLayout,
    listing: RepoListing,
    f: RemoteFile,
    hub: str,
    meter: ProgressMeter,
    cancel: threading.Event | None,
    retries: int,
) -> None:
    """Bring ``f`` into ``layout``: skipped when installed, else fetched (or resumed), verified and installed."""
    if layout.is_installed(f, listing.commit):
        meter.start_file(f, f.size)
        return
    if layout.has_complete_blob(f):  # a blob without its snapshot link only needs the link
        meter.start_file(f, f.size)
    else:
        partial = layout.partial_path(f)
        url = hf_hub_url(listing.repo_id, f.name, revision=listing.commit, endpoint=hub)
        fetch_file(url, partial, f, meter, cancel, retries)
        verify_file(partial, f, meter, cancel)
    layout.install(f, listing.commit)


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


__all__ = [
    "RETRIES",
    "SPACE_MARGIN_BYTES",
    "SPACE_MARGIN_FRACTION",
    "DownloadProgress",
    "FreeSpace",
    "cached_checkpoint",
    "download_checkpoint",
    "list_checkpoint_files",
]
