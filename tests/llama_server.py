"""llama-cpp-python's own OpenAI-compatible server (``python -m llama_cpp.server``) on 127.0.0.1, for the remote
engine's tests: started on a free port with a tiny GGUF, ready once ``/v1/models`` answers, killed at the end.

One thread per side: on a 2-core machine shared with other tests, llama.cpp's spinning thread barrier makes more
threads far slower, not faster.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

# Only guards against a server that never comes up, never a speed claim.
START_GUARD_S = 180.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LlamaServer:
    """A running ``llama_cpp.server`` process serving ``model``; :attr:`url` is its base URL."""

    def __init__(self, model: Path, log_path: Path, *, api_key: str = "") -> None:
        self.model = model
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.api_key = api_key
        command = [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(model),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--n_ctx",
            "2048",
            "--n_threads",
            "1",
            "--n_threads_batch",
            "1",
        ]
        if api_key:
            command += ["--api_key", api_key]
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_GUARD_S
        request = urllib.request.Request(self.url + "/v1/models")
        if self.api_key:
            request.add_header("Authorization", f"Bearer {self.api_key}")
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited with {self.process.returncode}; see {self._log.name}")
            try:
                with urllib.request.urlopen(request, timeout=5) as answer:
                    if json.load(answer).get("data"):
                        return
            except (OSError, urllib.error.URLError, ValueError):  # not listening yet: try again shortly
                time.sleep(0.2)
        self.kill()
        raise RuntimeError(f"llama_cpp.server did not come up; see {self._log.name}")

    @property
    def model_id(self) -> str:
        """The id the server lists its model under (the path it was given)."""
        return str(self.model)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def pause(self) -> None:
        """Freeze the server (SIGSTOP): it holds its connections open and sends nothing more."""
        self.process.send_signal(signal.SIGSTOP)

    def kill(self) -> None:
        """Kill the server at once (SIGKILL ends a paused one too) and wait for it."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        self._log.close()
