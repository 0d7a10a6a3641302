"""Checkpoint downloads against the fake hub on 127.0.0.1: progress, resume, SHA-256, disk space, cancel, offline."""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import TINY_DIR
from hub_server import FakeHub

from ziya_desktop.errors import (
    DownloadCancelledError,
    DownloadError,
    DownloadVerificationError,
    InsufficientDiskSpaceError,
    OfflineError,
    UnsafeDownloadError,
)
from ziya_desktop.models.download import (
    DownloadProgress,
    cached_checkpoint,
    download_checkpoint,
    list_checkpoint_files,
)

SHARD1 = "pytorch_model-00001-of-00002.bin"
MIB = 1 << 20
SHARD2 = "pytorch_model-00002-of-00002.bin"
TOTAL = sum(p.stat().st_size for p in TINY_DIR.iterdir() if p.is_file())


def serve(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    """A fake hub serving ``repo``, with every hub and app location under ``tmp_path`` and offline mode off."""
    with FakeHub(repo) as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
        monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
        monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
        monkeypatch.setenv("ZIYA_HOME", str(tmp_path / "ziya"))
        monkeypatch.delenv("ZIYA_OFFLINE", raising=False)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        yield server


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    yield from serve(TINY_DIR, tmp_path, monkeypatch)


def cache_root(tmp_path: Path) -> Path:
    return tmp_path / "hf" / "hub" / "models--IDEA-CCNL--Ziya-Writing-LLaMa-13B-v1"


def assert_same_as_source(folder: Path) -> None:
    for src in TINY_DIR.iterdir():
        assert (folder / src.name).read_bytes() == src.read_bytes(), src.name


def test_download_reports_monotonic_progress_and_verified_files(hub: FakeHub, tmp_path: Path) -> None:
    events: list[DownloadProgress] = []
    folder = download_checkpoint(hub.repo_id, progress=events.append)

    assert folder == cache_root(tmp_path) / "snapshots" / hub.commit
    assert_same_as_source(folder)
    assert all(e.total_bytes == TOTAL for e in events)
    done = [e.done_bytes for e in events]
    assert done == sorted(done), "progress went backwards"
    assert all(0 <= e.file_done_bytes <= e.file_total_bytes for e in events)
    assert events[-1].phase == "done" and events[-1].done_bytes == TOTAL
    assert [e.phase for e in events].count("done") == 1
    assert {e.file for e in events if e.phase == "verify"} == {p.name for p in TINY_DIR.iterdir()}
    # One listing, one plain GET per file, no HEAD needed, no ranges.
    assert [r.method for r in hub.requests].count("GET") == 1 + len(hub.files)
    assert all(r.range is None for r in hub.requests)
    # The cache is huggingface_hub's own: refs and the tree listing let it find the files offline.
    assert (cache_root(tmp_path) / "refs" / "main").read_text() == hub.commit
    assert (cache_root(tmp_path) / "trees" / f"{hub.commit}.json").is_file()


def test_second_download_fetches_nothing_again(hub: FakeHub) -> None:
    first = download_checkpoint(hub.repo_id)
    hub.clear_log()
    events: list[DownloadProgress] = []
    assert download_checkpoint(hub.repo_id, progress=events.append) == first
    assert [r.path.split("?")[0] for r in hub.requests] == [f"/api/models/{hub.repo_id}/revision/main"]
    assert events[-1].done_bytes == TOTAL


def test_interrupted_download_resumes_from_the_partial_file_on_the_next_run(hub: FakeHub, tmp_path: Path) -> None:
    size = len(hub.files[SHARD1].data)
    at = random.Random().randrange(1, size - 1)
    hub.interrupt(SHARD1, at)

    with pytest.raises(DownloadError, match=SHARD1):
        download_checkpoint(hub.repo_id, retries=0)
    blob = cache_root(tmp_path) / "blobs" / hub.files[SHARD1].sha256
    partial = blob.with_name(blob.name + ".incomplete")
    assert partial.stat().st_size == at, f"cut at {at}"
    assert not blob.exists()
    assert not (cache_root(tmp_path) / "snapshots" / hub.commit / SHARD1).exists()

    hub.clear_log()
    folder = download_checkpoint(hub.repo_id, retries=0)
    assert_same_as_source(folder)
    gets = hub.gets_of(SHARD1)
    assert len(gets) == 1 and gets[0].range == f"bytes={at}-", f"cut at {at}: {gets}"
    # Files finished in the first run are not fetched again.
    assert hub.gets_of("config.json") == []
    assert not partial.exists()


def test_dropped_connection_is_resumed_within_the_same_download(hub: FakeHub) -> None:
    hub.interrupt(SHARD2, 1_000_000)
    folder = download_checkpoint(hub.repo_id)
    assert_same_as_source(folder)
    assert [g.range for g in hub.gets_of(SHARD2)] == [None, "bytes=1000000-"]


def test_a_server_that_ignores_the_range_gets_the_file_from_the_start(hub: FakeHub) -> None:
    hub.interrupt(SHARD1, 2_000_000)
    with pytest.raises(DownloadError):
        download_checkpoint(hub.repo_id, retries=0)
    hub.ignore_range = True
    hub.clear_log()
    assert_same_as_source(download_checkpoint(hub.repo_id))
    assert [g.range for g in hub.gets_of(SHARD1)] == ["bytes=2000000-"]


def test_corrupted_byte_fails_the_sha256_check_and_nothing_is_reported_done(hub: FakeHub, tmp_path: Path) -> None:
    hub.corrupt(SHARD2)
    events: list[DownloadProgress] = []
    with pytest.raises(DownloadVerificationError, match="SHA-256") as info:
        download_checkpoint(hub.repo_id, progress=events.append)
    assert info.value.filename == SHARD2
    assert SHARD2 in str(info.value)
    assert all(e.phase != "done" for e in events)
    blobs = cache_root(tmp_path) / "blobs"
    assert not (cache_root(tmp_path) / "snapshots" / hub.commit / SHARD2).exists()
    assert not (blobs / hub.files[SHARD2].sha256).exists()
    assert not (blobs / f"{hub.files[SHARD2].sha256}.incomplete").exists(), "the bad file must be deleted"
    with pytest.raises(OfflineError, match=SHARD2):
        cached_checkpoint(hub.repo_id)

    hub.clear_switches()
    hub.clear_log()
    assert_same_as_source(download_checkpoint(hub.repo_id))
    assert [g.range for g in hub.gets_of(SHARD2)] == [None]


def test_full_disk_is_refused_before_any_file_is_fetched(hub: FakeHub, tmp_path: Path) -> None:
    with pytest.raises(InsufficientDiskSpaceError) as info:
        download_checkpoint(hub.repo_id, free_space=lambda folder: 1_000_000)
    message = str(info.value)
    assert "7.4 MB" in message and "1.0 MB" in message, message
    assert info.value.free == 1_000_000 and info.value.needed > TOTAL
    assert all("/resolve/" not in r.path for r in hub.requests)
    assert not (cache_root(tmp_path) / "snapshots").exists()


def test_space_check_counts_only_what_is_still_missing(hub: FakeHub) -> None:
    download_checkpoint(hub.repo_id, allow_patterns=["*.json", "*.model", SHARD1])
    have = sum(len(f.data) for f in hub.files.values() if f.name != SHARD2)
    asked: list[Path] = []

    def free(folder: Path) -> int:
        asked.append(folder)
        return TOTAL - have + (256 << 20) + 1

    assert_same_as_source(download_checkpoint(hub.repo_id, free_space=free))
    assert len(asked) == 1


def test_cancel_mid_file_keeps_the_partial_file_and_resumes(hub: FakeHub, tmp_path: Path) -> None:
    hub.chunk_delay_s = 0.005
    cancel = threading.Event()

    def on_progress(p: DownloadProgress) -> None:
        if p.file == SHARD1 and p.file_done_bytes >= MIB:
            cancel.set()

    with pytest.raises(DownloadCancelledError):
        download_checkpoint(hub.repo_id, progress=on_progress, cancel=cancel)
    partial = cache_root(tmp_path) / "blobs" / f"{hub.files[SHARD1].sha256}.incomplete"
    kept = partial.stat().st_size
    assert MIB <= kept < len(hub.files[SHARD1].data)

    hub.chunk_delay_s = 0.0
    hub.clear_log()
    assert_same_as_source(download_checkpoint(hub.repo_id))
    assert [g.range for g in hub.gets_of(SHARD1)] == [f"bytes={kept}-"]


def test_offline_mode_makes_no_request(hub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(OfflineError):
        download_checkpoint(hub.repo_id, offline=True)
    with pytest.raises(OfflineError):
        list_checkpoint_files(hub.repo_id, offline=True)
    monkeypatch.setenv("ZIYA_OFFLINE", "1")
    with pytest.raises(OfflineError):
        download_checkpoint(hub.repo_id)
    assert hub.requests == []


def test_offline_mode_returns_a_complete_download_from_disk(hub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = download_checkpoint(hub.repo_id)
    hub.clear_log()
    monkeypatch.setenv("ZIYA_OFFLINE", "1")
    assert download_checkpoint(hub.repo_id) == folder
    assert download_checkpoint(hub.repo_id, allow_patterns=["*.json"]) == folder
    # huggingface_hub's own offline reader sees the same complete snapshot.
    from huggingface_hub import snapshot_download

    assert snapshot_download(hub.repo_id, local_files_only=True, cache_dir=folder.parents[2]) == str(folder)
    assert hub.requests == []


def test_offline_mode_refuses_an_incomplete_download(hub: FakeHub) -> None:
    download_checkpoint(hub.repo_id, allow_patterns=["*.json"])
    hub.clear_log()
    assert download_checkpoint(hub.repo_id, allow_patterns=["*.json"], offline=True).is_dir()
    with pytest.raises(OfflineError, match="incomplete"):
        download_checkpoint(hub.repo_id, offline=True)
    assert hub.requests == []


def test_download_into_a_local_folder(hub: FakeHub, tmp_path: Path) -> None:
    target = tmp_path / "checkpoint"
    hub.interrupt(SHARD1, 123_456)
    with pytest.raises(DownloadError):
        download_checkpoint(hub.repo_id, local_dir=target, retries=0)
    assert not (target / SHARD1).exists()
    assert download_checkpoint(hub.repo_id, local_dir=target) == target
    assert_same_as_source(target)
    assert hub.gets_of(SHARD1)[-1].range == "bytes=123456-"
    hub.clear_log()
    assert download_checkpoint(hub.repo_id, local_dir=target, offline=True) == target
    assert hub.requests == []


def test_lfs_files_are_followed_through_the_cdn_redirect(hub: FakeHub) -> None:
    hub.lfs_redirect = True
    assert_same_as_source(download_checkpoint(hub.repo_id))
    assert any(r.path.startswith("/cdn/") for r in hub.requests)


def test_unknown_repository_and_revision_are_clear_errors(hub: FakeHub) -> None:
    with pytest.raises(DownloadError, match="not found"):
        download_checkpoint("IDEA-CCNL/No-Such-Model")
    with pytest.raises(DownloadError, match="no revision 'v9'"):
        download_checkpoint(hub.repo_id, revision="v9")


def test_the_fake_hub_satisfies_huggingface_hub_itself(hub: FakeHub, tmp_path: Path) -> None:
    # Guards the fake: huggingface_hub's own HEAD-then-GET download must work against it unchanged.
    from huggingface_hub import hf_hub_download

    path = hf_hub_download(hub.repo_id, SHARD2, endpoint=hub.url, cache_dir=tmp_path / "other-cache")
    assert Path(path).read_bytes() == (TINY_DIR / SHARD2).read_bytes()
    assert any(r.method == "HEAD" for r in hub.requests)


# -- hostile listings: nothing is written anywhere, the error names the entry -----------------------------------------

HOSTILE_NAMES = [
    "../../x",
    "../../../../../x",
    "a/../../b",
    "ABSOLUTE",  # replaced by an absolute path inside the test's folder (so a write there is seen)
    "C:\\x",
    "C:x",
    "a\\b",
    "a\x00b",
    "a\nb",
    "bell\x07",
    "line\u2028sep",
    "./a",
    "a/./b",
    "a//b",
    "a/",
    ".",
    "..",
    "",
    ".. /x",
    "x" * 300,
]


def tree_state(root: Path) -> dict[str, tuple[str, str]]:
    """Every folder, file (by content) and link (by target) below ``root``, links not followed."""
    state: dict[str, tuple[str, str]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath) / name
            key = str(path.relative_to(root))
            if path.is_symlink():
                state[key] = ("link", str(path.readlink()))
            elif path.is_dir():
                state[key] = ("dir", "")
            else:
                state[key] = ("file", hashlib.sha256(path.read_bytes()).hexdigest())
    return state


@pytest.fixture
def small_repo(tmp_path: Path) -> Path:
    """A two-file repository: one small git file, one LFS file."""
    folder = tmp_path / "repo-source"
    folder.mkdir()
    (folder / "config.json").write_text('{"model_type": "llama"}\n', encoding="utf-8")
    (folder / "weights.bin").write_bytes(bytes(range(256)) * 64)
    return folder


@pytest.fixture
def small_hub(small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    yield from serve(small_repo, tmp_path, monkeypatch)


def local_target(tmp_path: Path) -> Path:
    # Deep enough that "../../x" still lands inside tmp_path, where the snapshot sees it.
    return tmp_path / "downloads" / "deeper" / "target"


def download_into(layout: str, hub: FakeHub, tmp_path: Path) -> Path:
    if layout == "local":
        return download_checkpoint(hub.repo_id, local_dir=local_target(tmp_path), retries=0)
    return download_checkpoint(hub.repo_id, retries=0)


def assert_refused_and_nothing_written(layout: str, hub: FakeHub, tmp_path: Path, entry: str) -> UnsafeDownloadError:
    before = tree_state(tmp_path)
    with pytest.raises(UnsafeDownloadError) as info:
        download_into(layout, hub, tmp_path)
    assert tree_state(tmp_path) == before, "the hostile download wrote something"
    assert info.value.entry == entry
    assert repr(entry)[:100] in str(info.value), str(info.value)
    assert not hub.gets_of("config.json"), "a hostile listing is refused before any file is fetched"
    return info.value


@pytest.mark.parametrize("layout", ["cache", "local"])
@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=[repr(n)[:24] for n in HOSTILE_NAMES])
def test_hostile_file_names_are_refused_whole_before_anything_is_written(
    small_hub: FakeHub, tmp_path: Path, layout: str, name: str
) -> None:
    if name == "ABSOLUTE":
        name = str(tmp_path / "absolute-target")
    small_hub.add_entry(name, b"planted by the mirror")
    assert_refused_and_nothing_written(layout, small_hub, tmp_path, name)
    assert not (tmp_path / "x").exists() and not (tmp_path / "downloads" / "x").exists()


ESCAPE = "../../../../../../escape/planted"


@pytest.mark.parametrize("layout", ["cache", "local"])
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("blob_id", ESCAPE),
        ("blob_id", "z" * 40),
        ("blob_id", "a" * 39),
        ("blob_id", "a" * 40 + "\n"),
        ("sha256", ESCAPE),
        ("sha256", "g" * 64),
        ("sha256", "a" * 63),
        ("sha256", "../" * 21 + "a"),
    ],
)
def test_hostile_blob_ids_and_etags_are_refused(
    small_hub: FakeHub, tmp_path: Path, layout: str, field: str, value: str
) -> None:
    lfs = field == "sha256"
    small_hub.add_entry("extra.bin" if lfs else "extra.json", b"planted", lfs=lfs, **{field: value})
    error = assert_refused_and_nothing_written(layout, small_hub, tmp_path, "extra.bin" if lfs else "extra.json")
    assert repr(value) in str(error)


@pytest.mark.parametrize("layout", ["cache", "local"])
@pytest.mark.parametrize("commit", ["../../../../escape", "a" * 40 + "\n", "A" * 39, "g" * 40])
def test_a_hostile_commit_is_refused(small_hub: FakeHub, tmp_path: Path, layout: str, commit: str) -> None:
    small_hub.listing_commit = commit
    assert_refused_and_nothing_written(layout, small_hub, tmp_path, commit)


@pytest.mark.parametrize("layout", ["cache", "local"])
def test_a_negative_size_and_a_repeated_name_are_refused(small_hub: FakeHub, tmp_path: Path, layout: str) -> None:
    small_hub.raw_siblings = [{"rfilename": "config.json", "size": -5, "blobId": "a" * 40}]
    assert_refused_and_nothing_written(layout, small_hub, tmp_path, "config.json")
    entry = {"rfilename": "config.json", "size": 5, "blobId": "a" * 40}
    small_hub.raw_siblings = [entry, entry]
    assert_refused_and_nothing_written(layout, small_hub, tmp_path, "config.json")


@pytest.mark.parametrize("siblings", [[{"size": 1}], [{"rfilename": "a.bin", "size": 1, "lfs": "oops"}], ["x"]])
def test_a_malformed_listing_is_a_clear_error_not_a_crash(
    small_hub: FakeHub, tmp_path: Path, siblings: list[object]
) -> None:
    small_hub.raw_siblings = siblings
    before = tree_state(tmp_path)
    with pytest.raises(DownloadError, match="malformed"):
        download_checkpoint(small_hub.repo_id)
    assert tree_state(tmp_path) == before


def test_the_local_folders_bookkeeping_cannot_be_named_by_the_listing(small_hub: FakeHub, tmp_path: Path) -> None:
    name = ".cache/huggingface/download/config.json.metadata"
    small_hub.add_entry(name, b"fake\nmetadata\n")
    assert_refused_and_nothing_written("local", small_hub, tmp_path, name)


@pytest.mark.parametrize("layout", ["cache", "local"])
def test_a_link_inside_the_folder_cannot_lead_a_write_out(small_hub: FakeHub, tmp_path: Path, layout: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = local_target(tmp_path) if layout == "local" else cache_root(tmp_path) / "snapshots" / small_hub.commit
    folder.mkdir(parents=True)
    (folder / "sub").symlink_to(outside, target_is_directory=True)
    small_hub.add_entry("sub/x.json", b"through the link")
    error = assert_refused_and_nothing_written(layout, small_hub, tmp_path, "sub/x.json")
    assert "outside" in str(error)
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("layout", ["cache", "local"])
def test_a_planted_partial_file_link_is_not_written_through(small_hub: FakeHub, tmp_path: Path, layout: str) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"")
    f = small_hub.files["config.json"]
    if layout == "local":
        partial = local_target(tmp_path) / ".cache" / "huggingface" / "download" / f"config.json.{f.etag}.incomplete"
    else:
        partial = cache_root(tmp_path) / "blobs" / f"{f.etag}.incomplete"
    partial.parent.mkdir(parents=True)
    partial.symlink_to(victim)
    assert_refused_and_nothing_written(layout, small_hub, tmp_path, "config.json")
    assert victim.read_bytes() == b""


@pytest.mark.parametrize("revision", ["../../../../escape", "/abs", "a\\b", "v1\x00", ".hidden", "refs//x"])
def test_a_hostile_revision_is_refused_before_any_request(small_hub: FakeHub, tmp_path: Path, revision: str) -> None:
    before = tree_state(tmp_path)
    for offline in (False, True):
        with pytest.raises(UnsafeDownloadError) as info:
            download_checkpoint(small_hub.repo_id, revision=revision, offline=offline)
        assert repr(revision) in str(info.value)
    assert small_hub.requests == []
    assert tree_state(tmp_path) == before


@pytest.mark.parametrize("repo_id", ["own\\..\\..\\x", "../x", "a/b/c", "own/na..me", "own/\x00"])
def test_a_hostile_repository_id_is_refused_before_any_request(
    small_hub: FakeHub, tmp_path: Path, repo_id: str
) -> None:
    before = tree_state(tmp_path)
    with pytest.raises(UnsafeDownloadError, match="repository"):
        download_checkpoint(repo_id)
    assert small_hub.requests == []
    assert tree_state(tmp_path) == before


def test_a_hostile_tree_listing_on_disk_is_refused_offline(small_hub: FakeHub, tmp_path: Path) -> None:
    download_checkpoint(small_hub.repo_id)
    tree = cache_root(tmp_path) / "trees" / f"{small_hub.commit}.json"
    tree.write_text(json.dumps({"format_version": 1, "files": {"../../../x": {"size": 1, "blob_id": "a" * 40}}}))
    with pytest.raises(UnsafeDownloadError, match=re.escape(repr("../../../x"))):
        download_checkpoint(small_hub.repo_id, offline=True)


def test_safe_nested_names_still_download(small_repo: Path, small_hub: FakeHub, tmp_path: Path) -> None:
    small_hub.add_entry("sub folder/日本語 name.json", b'{"ok": true}')
    for layout in ("cache", "local"):
        folder = download_into(layout, small_hub, tmp_path)
        assert (folder / "sub folder" / "日本語 name.json").read_bytes() == b'{"ok": true}'
        assert (folder / "config.json").read_bytes() == (small_repo / "config.json").read_bytes()
