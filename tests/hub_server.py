"""A fake Hugging Face hub on 127.0.0.1 serving one repository from a local folder, for download tests.

It answers what huggingface_hub 2.x asks (see ``file_download.py`` and ``hf_api.py`` there):

- ``GET /api/models/{repo}[/revision/{rev}]``: model info with ``sha`` and ``siblings`` (size, ``blobId``, and
  ``lfs: {sha256, size, pointerSize}`` for LFS files);
- ``POST /api/models/{repo}/paths-info/{rev}`` and ``GET /api/models/{repo}/tree/{rev}``: file entries (``oid``,
  ``size``, ``lfs: {oid, size, pointerSize}``);
- ``HEAD``/``GET /{repo}/resolve/{rev}/{file}``: ``X-Repo-Commit``, ``ETag`` (the git blob id, or the SHA-256 for LFS
  files), ``X-Linked-Etag``/``X-Linked-Size`` for LFS files, ``Content-Length``, ``Accept-Ranges``; a ``Range`` header
  gets ``206`` with ``Content-Range``. Unknown repos, revisions and files get 404 with the hub's ``X-Error-Code``.
  With ``lfs_redirect`` LFS files answer ``302`` to ``/cdn/{sha256}`` on the same server, as the hub sends LFS files
  to its CDN.

Every request is logged (:attr:`FakeHub.requests`) so a test can assert which ranges were asked for, or that none was
made at all. Switches: :meth:`FakeHub.interrupt` closes the connection after a given byte of a file,
:meth:`FakeHub.corrupt` serves one flipped byte (size unchanged), :attr:`FakeHub.chunk_delay_s` slows every
chunk, :attr:`FakeHub.ignore_range` answers ranges with the whole file (as some proxies do).

Hostile listings, as a mirror we do not control may send them: :meth:`FakeHub.add_entry` lists an extra file under
any name (``../../x``, an absolute path, control characters) with any blob id or SHA-256, and serves its bytes for
every request the URL of such a name may turn into; :attr:`FakeHub.listing_commit` replaces the commit the listing
names, and :attr:`FakeHub.raw_siblings` replaces the listing's entries with arbitrary JSON.

Use it as a context manager: ``with FakeHub(folder) as hub: os.environ["HF_ENDPOINT"] = hub.url``.
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qs, unquote, urlsplit

import helpers

from ziya_desktop.models.catalog import CatalogFile, CatalogModel

DEFAULT_REPO = "IDEA-CCNL/Ziya-Writing-LLaMa-13B-v1"
LFS_SUFFIXES = (".bin", ".model", ".safetensors", ".gguf", ".pt")
SEND_CHUNK = 64 * 1024


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    headers: dict[str, str]

    @property
    def range(self) -> str | None:
        return self.headers.get("range")


@dataclass
class HubFile:
    name: str
    data: bytes
    lfs: bool
    sha256: str = field(init=False)
    blob_id: str = field(init=False)
    pointer_size: int = field(init=False)

    def __post_init__(self) -> None:
        self.sha256 = hashlib.sha256(self.data).hexdigest()
        pointer = f"version https://git-lfs.github.com/spec/v1\noid sha256:{self.sha256}\nsize {len(self.data)}\n"
        self.pointer_size = len(pointer)
        stored = pointer.encode() if self.lfs else self.data
        self.blob_id = hashlib.sha1(b"blob %d\0" % len(stored) + stored).hexdigest()

    @property
    def etag(self) -> str:
        return self.sha256 if self.lfs else self.blob_id


class FakeHub:
    """The server. ``folder``'s files (not recursive) become the repository ``repo_id`` at one commit."""

    def __init__(self, folder: Path, *, repo_id: str = DEFAULT_REPO, revision: str = "main") -> None:
        self.repo_id = repo_id
        self.revision = revision
        self.files: dict[str, HubFile] = {
            p.name: HubFile(p.name, p.read_bytes(), p.suffix in LFS_SUFFIXES)
            for p in sorted(Path(folder).iterdir())
            if p.is_file()
        }
        self.commit = hashlib.sha1("".join(f.blob_id for f in self.files.values()).encode()).hexdigest()
        self.requests: list[RequestRecord] = []
        self.lfs_redirect = False
        self.chunk_delay_s = 0.0
        self.ignore_range = False
        self.hostile: dict[str, HubFile] = {}
        self.listing_commit: str | None = None
        self.raw_siblings: list[object] | None = None
        self._interrupts: dict[str, list[int]] = {}
        self._corrupt: dict[str, int] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- switches ----------------------------------------------------------------------------------------------

    def interrupt(self, filename: str, at_byte: int, *, times: int = 1) -> None:
        """Close the connection once ``at_byte`` bytes of ``filename`` are sent, for the next ``times`` GETs."""
        with self._lock:
            self._interrupts[filename] = [at_byte, times]

    def corrupt(self, filename: str, offset: int | None = None) -> None:
        """Serve ``filename`` with the byte at ``offset`` (default: the middle) flipped; same size."""
        with self._lock:
            self._corrupt[filename] = len(self.files[filename].data) // 2 if offset is None else offset

    def add_entry(
        self,
        name: str,
        data: bytes = b"hostile",
        *,
        lfs: bool = False,
        blob_id: str | None = None,
        sha256: str | None = None,
    ) -> HubFile:
        """List one more file named ``name`` (served as ``data``); ``blob_id``/``sha256`` replace the true ids."""
        f = HubFile(name, data, lfs)
        if blob_id is not None:
            f.blob_id = blob_id
        if sha256 is not None:
            f.sha256 = sha256
        self.hostile[name] = f
        return f

    def listed_files(self) -> list[HubFile]:
        return [*self.files.values(), *self.hostile.values()]

    def fallback_file(self, name: str) -> HubFile | None:
        """The hostile file a request for an unknown ``name`` gets: the URL of ``a/../../b`` is normalised on the
        way, so the request may not carry the listed name at all."""
        return self.hostile.get(name) or next(iter(self.hostile.values()), None)

    def clear_switches(self) -> None:
        with self._lock:
            self._interrupts.clear()
            self._corrupt.clear()
        self.chunk_delay_s = 0.0
        self.lfs_redirect = False
        self.ignore_range = False

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def gets_of(self, filename: str) -> list[RequestRecord]:
        """The logged GET requests for ``filename``'s content."""
        with self._lock:
            return [
                r
                for r in self.requests
                if r.method == "GET" and ("/resolve/" in r.path or r.path.startswith("/cdn/"))
                if unquote(urlsplit(r.path).path).endswith("/" + filename)
            ]

    # -- lifecycle ---------------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "the server is not running"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeHub:
        hub = self

        class Handler(_Handler):
            server_hub = hub

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # A short poll interval keeps stop() (and so every test's teardown) quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-hub", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- used by the handler -----------------------------------------------------------------------------------

    def log(self, record: RequestRecord) -> None:
        with self._lock:
            self.requests.append(record)

    def served_bytes(self, name: str) -> bytes:
        data = self.files[name].data if name in self.files else self.hostile[name].data
        with self._lock:
            offset = self._corrupt.get(name)
        if offset is None:
            return data
        return data[:offset] + bytes([data[offset] ^ 0xFF]) + data[offset + 1 :]

    def take_interrupt(self, name: str, start: int, end: int) -> int | None:
        """The byte to cut at if this response (bytes ``start``..``end``) is to be interrupted."""
        with self._lock:
            entry = self._interrupts.get(name)
            if not entry or entry[1] <= 0 or not start <= entry[0] < end:
                return None
            entry[1] -= 1
            return entry[0]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_hub: FakeHub

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        return

    # -- routing -----------------------------------------------------------------------------------------------

    def do_HEAD(self) -> None:
        self._route(body=False)

    def do_GET(self) -> None:
        self._route(body=True)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        payload = self.rfile.read(length) if length else b""
        self._route(body=True, payload=payload)

    def _route(self, *, body: bool, payload: bytes = b"") -> None:
        hub = self.server_hub
        hub.log(RequestRecord(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}))
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        repo = re.escape(hub.repo_id)
        if m := re.fullmatch(rf"/api/models/{repo}(?:/revision/([^/]+))?", path):
            return self._model_info(m.group(1) or hub.revision, parse_qs(parts.query))
        if m := re.fullmatch(rf"/api/models/{repo}/paths-info/([^/]+)", path):
            return self._paths_info(m.group(1), payload)
        if m := re.fullmatch(rf"/api/models/{repo}/tree/([^/]+)(?:/.*)?", path):
            return self._tree(m.group(1))
        if m := re.fullmatch(rf"/{repo}/resolve/([^/]+)/(.+)", path, re.DOTALL):
            return self._resolve(m.group(1), m.group(2), body=body)
        if m := re.fullmatch(r"/cdn/([0-9a-f]{64})/(.+)", path):
            return self._cdn(m.group(1), m.group(2), body=body)
        if not path.startswith("/api/") and (hostile := hub.fallback_file(path)) is not None:
            return self._content(hostile, body=body)
        if path.startswith("/api/models/") or "/resolve/" in path:
            return self._error(404, "RepoNotFound", "Repository not found")
        return self._error(404, None, "Not found")

    # -- API ---------------------------------------------------------------------------------------------------

    def _known_revision(self, revision: str) -> bool:
        hub = self.server_hub
        return revision in (hub.revision, hub.commit, hub.listing_commit)

    def _model_info(self, revision: str, query: dict[str, list[str]]) -> None:
        hub = self.server_hub
        if not self._known_revision(revision):
            return self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        blobs = query.get("blobs", ["false"])[0].lower() == "true"
        siblings: list[dict[str, object]] = []
        for f in hub.listed_files():
            entry: dict[str, object] = {"rfilename": f.name}
            if blobs:
                entry.update(size=len(f.data), blobId=f.blob_id)
                if f.lfs:
                    entry["lfs"] = {"sha256": f.sha256, "size": len(f.data), "pointerSize": f.pointer_size}
            siblings.append(entry)
        if hub.raw_siblings is not None:
            siblings = list(hub.raw_siblings)  # type: ignore[arg-type]
        info = {
            "_id": "0" * 24,
            "id": hub.repo_id,
            "modelId": hub.repo_id,
            "author": hub.repo_id.split("/")[0],
            "sha": hub.listing_commit if hub.listing_commit is not None else hub.commit,
            "lastModified": "2023-09-01T00:00:00.000Z",
            "private": False,
            "gated": False,
            "disabled": False,
            "downloads": 0,
            "likes": 0,
            "tags": ["llama", "text-generation"],
            "library_name": "transformers",
            "siblings": siblings,
        }
        self._json(info)

    def _file_entries(self, names: list[str] | None = None) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for f in self.server_hub.listed_files():
            if names is not None and f.name not in names:
                continue
            entry: dict[str, object] = {"type": "file", "oid": f.blob_id, "size": len(f.data), "path": f.name}
            if f.lfs:
                entry["lfs"] = {"oid": f.sha256, "size": len(f.data), "pointerSize": f.pointer_size}
            out.append(entry)
        return out

    def _paths_info(self, revision: str, payload: bytes) -> None:
        if not self._known_revision(revision):
            return self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        text = payload.decode("utf-8", "replace")
        if text.lstrip().startswith("{"):
            names = list(json.loads(text).get("paths", []))
        else:
            names = parse_qs(text).get("paths", [])
        self._json(self._file_entries(names))

    def _tree(self, revision: str) -> None:
        if not self._known_revision(revision):
            return self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        self._json(self._file_entries())

    # -- files -------------------------------------------------------------------------------------------------

    def _hub_headers(self, f: HubFile) -> dict[str, str]:
        headers = {"X-Repo-Commit": self.server_hub.commit, "ETag": f'"{f.etag}"'}
        if f.lfs:
            headers.update({"X-Linked-Etag": f'"{f.sha256}"', "X-Linked-Size": str(len(f.data))})
        return headers

    def _resolve(self, revision: str, name: str, *, body: bool) -> None:
        hub = self.server_hub
        if not self._known_revision(revision):
            return self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        f = hub.files.get(name) or hub.fallback_file(name)
        if f is None:
            return self._error(404, "EntryNotFound", f"{name} does not exist on {revision}")
        if f.lfs and hub.lfs_redirect:
            self.send_response(302)
            for key, value in self._hub_headers(f).items():
                self.send_header(key, value)
            self.send_header("Location", f"{hub.url}/cdn/{f.sha256}/{name}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        return self._content(f, body=body)

    def _cdn(self, sha256: str, name: str, *, body: bool) -> None:
        f = self.server_hub.files.get(name)
        if f is None or f.sha256 != sha256:
            return self._error(404, None, "No such object")
        return self._content(f, body=body)

    def _content(self, f: HubFile, *, body: bool) -> None:
        hub = self.server_hub
        size = len(f.data)
        start, end = 0, size
        status = 200
        requested = None if hub.ignore_range else self.headers.get("Range")
        if requested:
            m = re.fullmatch(r"bytes=(\d+)-(\d*)", requested.strip())
            if not m or int(m.group(1)) >= size:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            start = int(m.group(1))
            end = min(size, int(m.group(2)) + 1) if m.group(2) else size
            status = 206
        self.send_response(status)
        for key, value in self._hub_headers(f).items():
            self.send_header(key, value)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(end - start))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{size}")
        self.end_headers()
        if not body:
            return
        data = hub.served_bytes(f.name)
        cut = hub.take_interrupt(f.name, start, end)
        stop = cut if cut is not None else end
        pos = start
        try:
            while pos < stop:
                n = min(SEND_CHUNK, stop - pos)
                self.wfile.write(data[pos : pos + n])
                pos += n
                if hub.chunk_delay_s:
                    time.sleep(hub.chunk_delay_s)
            if cut is not None:
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
        except (BrokenPipeError, ConnectionResetError):
            # The client went away (a cancel): nothing more to send.
            self.close_connection = True

    # -- helpers -----------------------------------------------------------------------------------------------

    def _json(self, data: object) -> None:
        raw = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        self.send_header("X-Repo-Commit", self.server_hub.commit)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(raw)

    def _error(self, status: int, code: str | None, message: str) -> None:
        raw = json.dumps({"error": message}).encode()
        self.send_response(status)
        if code:
            self.send_header("X-Error-Code", code)
        self.send_header("X-Error-Message", message)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(raw)


def tiny_catalog_model(checkpoint_bytes: int | None = None) -> CatalogModel:
    """A catalog entry for the tiny checkpoint this server serves (sizes of its quantizations roughly right)."""
    if checkpoint_bytes is None:
        checkpoint_bytes = sum(p.stat().st_size for p in helpers.TINY_DIR.iterdir() if p.is_file())
    return CatalogModel(
        id="tiny-ziya",
        name="Tiny Ziya",
        repo_id=DEFAULT_REPO,
        revision="main",
        license_note="test weights",
        checkpoint_bytes=checkpoint_bytes,
        files=(
            CatalogFile("f16", 4_000_000, "原样", "as is"),
            CatalogFile("q4_k_m", 1_500_000, "推荐", "recommended", recommended=True),
        ),
        n_layer=2,
        n_ctx=2048,
    )
