"""A repository's file list as the hub gives it, and the checks that make it safe to turn into paths.

huggingface_hub supplies the listing (``HfApi.model_info(files_metadata=True)``: sizes, git blob ids, LFS SHA-256).
Every name and id in the hub's answer becomes part of a path, and a mirror we do not control may send anything, so
the whole listing is checked before the first byte is written (:func:`check_listing`: relative POSIX names without
``..``, drives, backslashes or control characters; blob ids, SHA-256 sums and the commit as hex of the right length);
a hostile listing is refused whole with :class:`~ziya_desktop.errors.UnsafeDownloadError` naming the entry.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import httpx2
from huggingface_hub import HfApi
from huggingface_hub.errors import (
    HfHubHTTPError,
    OfflineModeIsEnabled,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

from ziya_desktop.errors import DownloadError, OfflineError, UnsafeDownloadError
from ziya_desktop.models.hub_settings import hub_endpoint, is_offline
from ziya_desktop.models.safe_names import (
    GIT_SHA1_HEX,
    SHA256_HEX,
    hex_problem,
    relative_path_problem,
    repo_id_problem,
    revision_problem,
)

_COMMIT = re.compile(r"[0-9a-f]{40}")


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


def is_commit_hash(revision: str) -> bool:
    # fullmatch: with match and "$", a trailing newline would pass.
    return bool(_COMMIT.fullmatch(revision))


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
