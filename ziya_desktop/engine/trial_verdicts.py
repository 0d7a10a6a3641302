"""Remembered trial-load verdicts, one per model file, so a file is trialled once and then loads at once.

A verdict belongs to one exact file: its resolved path, size, modification time (ns) and inode. A file replaced,
rewritten or touched gets a new key and so a new trial. Verdicts live in memory for the process and in
``model_trials.json`` under the app's data folder across runs (written atomically); the llama.cpp version is part
of the record, since a newer llama.cpp may judge a file differently. The file is ours, but it is still read with a
size bound and anything unexpected in it is ignored (the cost is only a repeated trial).
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ziya_desktop.atomic_write import atomic_write_bytes

log = logging.getLogger(__name__)

VERDICTS_NAME = "model_trials.json"
FORMAT_VERSION = 1
MAX_ENTRIES = 256
MAX_FILE_BYTES = 1 << 20
# Verdicts worth remembering: a load that worked, and one that took its process down (deterministic for a file).
OK = "ok"
CRASHED = "crashed"
_STORED = (OK, CRASHED)


@dataclass(frozen=True)
class FileKey:
    path: str
    size: int
    mtime_ns: int
    inode: int

    @classmethod
    def of(cls, path: Path) -> FileKey:
        """The key of the file at ``path`` now (symlinks resolved).

        Raises:
            OSError: the file cannot be examined.
        """
        resolved = Path(path).resolve()
        st = resolved.stat()
        return cls(str(resolved), st.st_size, st.st_mtime_ns, st.st_ino)


@dataclass(frozen=True)
class Verdict:
    verdict: str  # OK or CRASHED
    detail: str = ""


_lock = threading.Lock()
_memory: dict[FileKey, Verdict] = {}


def _engine_version() -> str:
    import llama_cpp

    return str(getattr(llama_cpp, "__version__", "unknown"))


def _store_path() -> Path:
    from ziya_desktop.paths import data_dir

    return data_dir() / VERDICTS_NAME


def lookup(key: FileKey) -> Verdict | None:
    """The remembered verdict for exactly this file, from memory or from the data folder."""
    with _lock:
        found = _memory.get(key)
        if found is not None:
            return found
        entry = _read_entries().get(key.path)
    if not isinstance(entry, dict):
        return None
    if [entry.get(f) for f in ("size", "mtime_ns", "inode")] != [key.size, key.mtime_ns, key.inode]:
        return None
    if entry.get("verdict") not in _STORED or not isinstance(entry.get("detail", ""), str):
        return None
    verdict = Verdict(str(entry["verdict"]), str(entry.get("detail", "")))
    with _lock:
        _memory[key] = verdict
    return verdict


def record(key: FileKey, verdict: Verdict) -> None:
    """Remember ``verdict`` for ``key`` (replacing any verdict for an older state of the same path).

    A failure to write the file is logged, not raised: the verdict still holds for this process.
    """
    if verdict.verdict not in _STORED:
        raise ValueError(f"verdict {verdict.verdict!r} is not one that is remembered")
    with _lock:
        for old in [k for k in _memory if k.path == key.path]:
            del _memory[old]
        _memory[key] = verdict
        entries = _read_entries()
        entries.pop(key.path, None)
        entries[key.path] = {
            "size": key.size,
            "mtime_ns": key.mtime_ns,
            "inode": key.inode,
            "verdict": verdict.verdict,
            "detail": verdict.detail[:2000],
        }
        # Oldest first (dicts keep insertion order): the cap drops the verdicts of files not loaded for longest.
        kept = dict(list(entries.items())[-MAX_ENTRIES:])
        data = {"format_version": FORMAT_VERSION, "llama_cpp": _engine_version(), "entries": kept}
        try:
            atomic_write_bytes(_store_path(), json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
        except OSError as err:
            log.warning("could not save the model trial verdicts to %s: %s", _store_path(), err)


def record_trusted(path: Path, detail: str = "written by the converter") -> None:
    """Mark a file this app just wrote and checked as loadable, so its first load needs no trial."""
    record(FileKey.of(path), Verdict(OK, detail))


def forget_all_in_memory() -> None:
    """Drop the verdicts held in memory (those on disk stay); the next lookup reads the data folder again."""
    with _lock:
        _memory.clear()


def _read_entries() -> dict[str, Any]:
    path = _store_path()
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return {}
    except OSError as err:
        log.warning("could not read the model trial verdicts %s: %s", path, err)
        return {}
    if len(raw) > MAX_FILE_BYTES:
        log.warning("ignoring the model trial verdicts %s: larger than %d bytes", path, MAX_FILE_BYTES)
        return {}
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        log.warning("ignoring the damaged model trial verdicts %s: %s", path, err)
        return {}
    if (
        not isinstance(data, dict)
        or data.get("format_version") != FORMAT_VERSION
        or data.get("llama_cpp") != _engine_version()
        or not isinstance(data.get("entries"), dict)
    ):
        return {}
    return dict(data["entries"])
