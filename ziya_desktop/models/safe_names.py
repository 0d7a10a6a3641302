"""Checks for names and ids that arrive from outside (a hub listing, a catalog, an index file) before they become paths.

Each ``*_problem`` function returns ``None`` for an acceptable value, or a short reason in plain words ("it has a
'..' segment") that the caller puts into its own error, next to the entry it names. The rules are stricter than
any one filesystem needs, so that a name accepted here is harmless on Linux, macOS and Windows alike:

- a hub path is relative POSIX: ``/`` separates segments; no absolute path, no drive (``C:``), no backslash, no
  empty, ``.`` or ``..`` segment (nor a segment of only dots and spaces, which Windows folds into one of those), no
  control or line-separator character, no unpaired surrogate, and no segment too long for a file name once the
  download's own suffixes are added;
- ids that name files (git blob ids, LFS SHA-256 sums, commits) are hex of exactly the expected length.

:func:`path_inside` is the second line of defence, used where a path is finally built: it resolves symlinks that
already exist on disk, so a link planted inside a folder cannot lead a write out of it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from pathlib import Path

# Room for the longest suffix a download adds to a name (".<64 hex>.incomplete") within the usual 255-byte limit.
MAX_SEGMENT_BYTES = 160
MAX_PATH_CHARS = 1024
MAX_ABSOLUTE_PATH_CHARS = 4096
GIT_SHA1_HEX = 40
SHA256_HEX = 64

# Cc: C0/C1 controls and DEL (NUL included); Cs: unpaired surrogates (not encodable as a file name);
# Zl/Zp: line and paragraph separators, which break log lines and messages the way a newline does.
_BAD_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
_DRIVE = re.compile(r"[A-Za-z]:")
_HEX = re.compile(r"[0-9a-fA-F]+")
# The hub's own rule for one part of a repository id: word characters, '.', '-', starting and ending with a
# word character, at most 96 long; '--' and '..' are refused separately (see repo_id_problem).
_REPO_PART = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?")


def _bad_character(text: str) -> str | None:
    for ch in text:
        if unicodedata.category(ch) in _BAD_CATEGORIES:
            return f"it contains the control character U+{ord(ch):04X}"
    return None


def relative_path_problem(name: object) -> str | None:
    """Why ``name`` is not a safe relative POSIX path (``"sub/file.bin"``), or ``None`` when it is."""
    if not isinstance(name, str):
        return f"it is a {type(name).__name__}, not text"
    if not name:
        return "it is empty"
    if len(name) > MAX_PATH_CHARS:
        return f"it is longer than {MAX_PATH_CHARS} characters"
    if (reason := _bad_character(name)) is not None:
        return reason
    if "\\" in name:
        return "it contains a backslash"
    if name.startswith("/"):
        return "it is an absolute path"
    if _DRIVE.match(name):
        return "it names a drive"
    for segment in name.split("/"):
        if not segment:
            return "it has an empty segment"
        if segment in (".", ".."):
            return f"it has a '{segment}' segment"
        if not segment.strip(". "):
            return "it has a segment of only dots and spaces"
        if len(segment.encode("utf-8")) > MAX_SEGMENT_BYTES:
            return f"a segment is longer than {MAX_SEGMENT_BYTES} bytes"
    return None


def plain_name_problem(name: object) -> str | None:
    """Why ``name`` is not a safe single file or folder name (a relative path without ``/``), or ``None``."""
    reason = relative_path_problem(name)
    if reason is None and isinstance(name, str) and "/" in name:
        return "it is a path, not a plain name"
    return reason


def hex_problem(value: object, lengths: Collection[int]) -> str | None:
    """Why ``value`` is not a hex string of one of ``lengths`` digits, or ``None`` when it is."""
    wanted = " or ".join(str(n) for n in sorted(lengths))
    if not isinstance(value, str):
        return f"it is a {type(value).__name__}, not {wanted} hex digits"
    if len(value) not in lengths or not _HEX.fullmatch(value):
        return f"it is not {wanted} hex digits"
    return None


def repo_id_problem(repo_id: object, *, owner_required: bool = False) -> str | None:
    """Why ``repo_id`` is not a hub repository id (``owner/name``, or ``name`` alone unless ``owner_required``)."""
    if not isinstance(repo_id, str):
        return f"it is a {type(repo_id).__name__}, not text"
    parts = repo_id.split("/")
    if len(parts) > 2 or (owner_required and len(parts) != 2):
        return "it is not of the form owner/name"
    if (reason := _bad_character(repo_id)) is not None:
        return reason
    for part in parts:
        if not _REPO_PART.fullmatch(part):
            return f"'{part}' is not a hub name (letters, digits, '_', '.', '-')"
        if "--" in part or ".." in part:
            return f"'{part}' contains '--' or '..'"
    return None


def revision_problem(revision: object) -> str | None:
    """Why ``revision`` is not a usable branch, tag or commit name (it becomes a file under ``refs/``), or ``None``."""
    reason = relative_path_problem(revision)
    if reason is None and isinstance(revision, str) and any(s.startswith(".") for s in revision.split("/")):
        return "a segment starts with '.'"
    return reason


def absolute_path_problem(text: object) -> str | None:
    """Why ``text`` is not a plain absolute path of this system (no ``..``, no control characters), or ``None``.

    For paths an index file stores on the app's behalf, such as a linked model: they were written resolved, so
    anything relative, with ``..`` or with control characters did not come from the app.
    """
    if not isinstance(text, str):
        return f"it is a {type(text).__name__}, not text"
    if not text:
        return "it is empty"
    if len(text) > MAX_ABSOLUTE_PATH_CHARS:
        return f"it is longer than {MAX_ABSOLUTE_PATH_CHARS} characters"
    if (reason := _bad_character(text)) is not None:
        return reason
    path = Path(text)
    if not path.is_absolute():
        return "it is not an absolute path"
    if ".." in path.parts:
        return "it has a '..' segment"
    return None


def path_inside(folder: Path, path: Path) -> bool:
    """Whether ``path`` stays inside ``folder`` once every symlink that exists on disk is followed.

    ``folder`` itself may be a link (a models folder on another disk is fine); links below it must not lead out.
    A path that cannot be resolved (a symlink loop, a name the OS refuses) counts as outside.
    """
    try:
        base = folder.resolve()
        target = path.resolve()
    except (OSError, RuntimeError, ValueError):
        return False
    return target == base or target.is_relative_to(base)
