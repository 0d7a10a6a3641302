"""Fetching one file of a checkpoint: resumable streaming, SHA-256 verification, and the progress it reports.

huggingface_hub supplies the URLs, headers, token and HTTP session. Its ``hf_hub_download`` writes each file to a
process-unique temporary name and deletes it on failure, so an interrupted 2.7 GB shard would start again from zero,
and it cannot be cancelled. :func:`fetch_file` streams each file into a partial file with a stable name instead, and
continues it with an HTTP ``Range`` request after a dropped connection, a cancel or a restart of the app.
:func:`verify_file` then checks it against the hub's hash (LFS SHA-256, or the git blob id of a small file) and
deletes it on a mismatch.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

import httpx2
from huggingface_hub import constants, get_session, hf_raise_for_status
from huggingface_hub.errors import HfHubHTTPError

# huggingface_hub.utils exports these lazily, which mypy cannot follow.
from huggingface_hub.utils import build_hf_headers  # type: ignore[attr-defined]

from converters.atomic import format_bytes
from ziya_desktop.errors import (
    DownloadCancelledError,
    DownloadError,
    DownloadVerificationError,
    InsufficientDiskSpaceError,
)
from ziya_desktop.models.hub_listing import RemoteFile

log = logging.getLogger(__name__)

HASH_CHUNK_BYTES = 8 << 20
PROGRESS_INTERVAL_S = 0.1
SPEED_WINDOW_S = 5.0
RETRY_WAIT_S = 0.5
RETRY_WAIT_MAX_S = 8.0

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


class ProgressMeter:
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


def fetch_file(
    url: str, partial: Path, f: RemoteFile, meter: ProgressMeter, cancel: threading.Event | None, retries: int
) -> None:
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
    url: str, partial: Path, have: int, f: RemoteFile, meter: ProgressMeter, cancel: threading.Event | None
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


def verify_file(path: Path, f: RemoteFile, meter: ProgressMeter, cancel: threading.Event | None) -> None:
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
