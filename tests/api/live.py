"""A real server as `make run` starts it (scripts/serve.sh, scheduler off) on a free loopback port."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis

from tests.conftest import TEST_DATABASE_URL

ROOT = Path(__file__).resolve().parents[2]
# Redis database of these tests; each run uses its own key prefix and removes only its own keys.
TEST_REDIS_URL = "redis://127.0.0.1:6379/14"


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    port: int
    log_path: str

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 10,
    ) -> tuple[int, dict[str, str], bytes]:
        """One request on a fresh connection: status, headers, body."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            conn.close()

    def raw(self, data: bytes, *, shut_write: bool = False, timeout: float = 10) -> bytes:
        """Send bytes as they are and read the answer until the server closes."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(data)
            if shut_write:
                s.shutdown(socket.SHUT_WR)
            chunks = []
            while chunk := s.recv(65536):
                chunks.append(chunk)
            return b"".join(chunks)

    def log(self) -> str:
        with open(self.log_path, errors="replace") as f:
            return f.read()[-4000:]


@contextmanager
def live_server(**env: str) -> Iterator[LiveServer]:
    """Start scripts/serve.sh against the test database and stop its whole process group after."""
    with live_servers(1, **env) as (server,):
        yield server


@contextmanager
def live_servers(count: int, **env: str) -> Iterator[tuple[LiveServer, ...]]:
    """`count` servers with the same environment, started side by side (their start-up, mostly
    imports, overlaps), each on its own port; all stopped (process groups) afterwards."""
    started: list[tuple[subprocess.Popen[bytes], LiveServer, Any]] = []
    try:
        for _ in range(count):
            started.append(_start(env))
        deadline = time.monotonic() + 90
        for proc, server, _ in started:
            while True:
                try:
                    if server.request("GET", "/v1/health", timeout=2)[0] == 200:
                        break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("the server did not start:\n" + server.log())
                time.sleep(0.2)
        yield tuple(server for _, server, _ in started)
    finally:
        for proc, _, _ in started:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc, server, log in started:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            log.close()
            os.unlink(server.log_path)


def _start(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], LiveServer, Any]:
    """scripts/serve.sh on a free port, in a process group of its own, logging to a file."""
    port = free_port()
    environ = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": TEST_DATABASE_URL,
        "MEEDOEN_ENV": "test",
        "SCHEDULER": "off",
        "ACCESS_LOG": "off",
        **env,
    }
    log = tempfile.NamedTemporaryFile(prefix="meedoen-live-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(
        [str(ROOT / "scripts" / "serve.sh")],
        cwd=ROOT,
        env=environ,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return proc, LiveServer(port=port, log_path=log.name), log


@contextmanager
def redis_prefix() -> Iterator[str]:
    """A key prefix of our own in the test Redis database; its keys are removed afterwards."""
    prefix = f"meedoen-test-{uuid.uuid4().hex[:10]}"
    client = redis.Redis.from_url(TEST_REDIS_URL)
    client.ping()  # the machine's Redis (make test starts it); fails loudly when missing
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=f"*{prefix}*", count=500))
        if keys:
            client.delete(*keys)
        client.close()
