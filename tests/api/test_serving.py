"""The real server (scripts/serve.sh): slow clients cannot starve it; its own errors are problems."""

from __future__ import annotations

import http.client
import json
import socket
import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from api.auth.models import TokenFamily
from api.municipalities.models import Municipality
from bench.procfs import all_pids, workers_of
from tests.api.live import LiveServer, live_server, redis_prefix
from tests.factories import PASSWORD, create_municipality, create_user

SLOW_CONNECTIONS = 50


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with (
        redis_prefix() as prefix,
        live_server(REDIS_URL="redis://127.0.0.1:6379/14", RATE_LIMIT_PREFIX=prefix) as live,
    ):
        yield live


@pytest.fixture(scope="module")
def impatient_server() -> Iterator[LiveServer]:
    """The same server with a short read deadline (REQUEST_READ_TIMEOUT), to see the 408."""
    with (
        redis_prefix() as prefix,
        live_server(
            REDIS_URL="redis://127.0.0.1:6379/14",
            RATE_LIMIT_PREFIX=prefix,
            REQUEST_READ_TIMEOUT="2",
            WEB_CONCURRENCY="1",
        ) as live,
    ):
        yield live


def _problem(raw: bytes) -> tuple[int, dict[str, str], dict[str, Any]]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    assert headers["content-type"] == "application/problem+json", raw[:300]
    return status, headers, json.loads(body)


class Trickler:
    """Connections that send one byte at a time: half the headers of a GET, half a login body."""

    def __init__(self, port: int, n: int) -> None:
        self.streams: list[tuple[socket.socket, bytes]] = []
        for i in range(n):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            if i % 2:
                data = b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200
            else:
                s.sendall(
                    b"POST /v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    b"Content-Type: application/json\r\nContent-Length: 4000\r\n\r\n"
                )
                data = b'{"email": "' + b"a" * 200
            self.streams.append((s, data))
        self.sent = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.wait(0.5) and self.sent < 200:
            for s, data in self.streams:
                s.send(data[self.sent : self.sent + 1])  # raises if the server dropped us
            self.sent += 1

    def still_open(self) -> int:
        """Connections the server has neither answered nor closed."""
        count = 0
        for s, _ in self.streams:
            s.setblocking(False)
            try:
                s.recv(1)  # data or EOF: the server answered or closed
            except BlockingIOError:
                count += 1
            except OSError:
                pass
        return count

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        for s, _ in self.streams:
            s.close()


def test_health_answers_within_a_second_while_50_connections_trickle(server: LiveServer) -> None:
    trickler = Trickler(server.port, SLOW_CONNECTIONS)
    try:
        trickler.thread.start()
        time.sleep(2)  # every slow connection has sent part of its request
        latencies = []
        for _ in range(20):
            t0 = time.perf_counter()
            status, _, _ = server.request("GET", "/v1/health", timeout=5)
            latencies.append(time.perf_counter() - t0)
            assert status == 200
            time.sleep(0.2)
        held = trickler.still_open()
        assert trickler.thread.is_alive(), "a slow connection was dropped"
    finally:
        trickler.close()
    print(
        f"\n{held} slow connections held ({trickler.sent} bytes each so far); GET /v1/health "
        f"p50={statistics.median(latencies) * 1000:.1f} ms max={max(latencies) * 1000:.1f} ms"
    )
    assert held == SLOW_CONNECTIONS
    assert max(latencies) < 1.0


@pytest.fixture()
def person(engine: Engine) -> Iterator[dict[str, Any]]:
    """A committed recipient the server can sign in; removed afterwards."""
    with Session(engine, expire_on_commit=False) as s:
        m = create_municipality(s)
        user = create_user(s, municipality=m, role="recipient")
        s.commit()
    yield {"user": user, "municipality": m}
    with Session(engine) as s:
        s.delete(s.get(Municipality, m.id))
        s.commit()


def _families(engine: Engine, user_id: Any) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).where(TokenFamily.user_id == user_id)) or 0


def test_body_shorter_than_content_length_is_400_and_signs_nobody_in(
    server: LiveServer, engine: Engine, person: dict[str, Any]
) -> None:
    body = json.dumps({"email": person["user"].email, "password": PASSWORD}).encode()
    head = (
        b"POST /v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % (len(body) + 40)
    )
    # the body is complete JSON, but 40 bytes short of what the client announced; then it closes
    status, headers, problem = _problem(server.raw(head + body, shut_write=True))
    assert status == 400
    assert "Content-Length" in problem["detail"]
    assert "retry-after" not in headers
    assert _families(engine, person["user"].id) == 0  # nobody was signed in
    # the same body with the right length does sign in (so the request above was refused)
    ok, _, _ = server.request(
        "POST", "/v1/auth/login", body=body, headers={"Content-Type": "application/json"}
    )
    assert ok == 200
    assert _families(engine, person["user"].id) == 1


def test_uri_too_long_is_414_problem(server: LiveServer) -> None:
    for size in (9_000, 40_000):  # past the URI limit; past the whole header limit
        path = "/v1/health?q=" + "a" * size
        status, _, problem = _problem(
            server.raw(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        )
        assert (status, problem["status"]) == (414, 414)


def test_headers_too_large_is_431_problem(server: LiveServer) -> None:
    headers = "".join(f"X-Filler-{i}: {'b' * 1000}\r\n" for i in range(20))
    raw = server.raw(f"GET /v1/health HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode())
    status, _, problem = _problem(raw)
    assert (status, problem["status"], problem["title"]) == (
        431,
        431,
        "De headers van het verzoek zijn te groot",  # headers unread: Dutch, the default
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"GARBAGE\r\n\r\n", 400),
        (b"G@T /v1/health HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        (b"GET /v1/health HTTP/1.1 extra\r\n\r\n", 400),
        (b"GET /v1/health HTTP/1.1\r\nNo colon here\r\n\r\n", 400),
        (b"GET /v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400),
        (b"GET /v1/health HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n", 505),
        (b"POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
    ],
    ids=["garbage", "bad-method", "extra-word", "bad-header", "bad-length", "version", "coding"],
)
def test_malformed_requests_get_problem_answers(
    server: LiveServer, raw: bytes, expected: int
) -> None:
    status, headers, problem = _problem(server.raw(raw))
    assert (status, problem["status"]) == (expected, expected)
    assert "retry-after" not in headers


def test_body_over_64_kib_is_413_problem_unread(server: LiveServer) -> None:
    head = (
        b"POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 10000000\r\n\r\n"
    )
    status, _, problem = _problem(server.raw(head))  # answered without waiting for the body
    assert (status, problem["status"]) == (413, 413)
    assert problem["detail"] == "Het verzoek is te groot."  # no Accept-Language: Dutch


def test_the_servers_own_answers_speak_the_requests_language(server: LiveServer) -> None:
    head = (
        b"POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Accept-Language: en-GB, nl;q=0.5\r\nContent-Length: 10000000\r\n\r\n"
    )
    status, headers, problem = _problem(server.raw(head))
    assert status == 413 and headers["content-language"] == "en"
    assert (problem["title"], problem["detail"], problem["code"]) == (
        "The request is too large",
        "The request body is too large.",
        "too_large",
    )


def test_request_still_arriving_after_the_read_deadline_is_408(
    impatient_server: LiveServer,
) -> None:
    with socket.create_connection(("127.0.0.1", impatient_server.port), timeout=10) as s:
        for byte in b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaa":
            s.sendall(bytes([byte]))
            time.sleep(0.1)  # 4+ s in all, past the 2 s deadline
            s.setblocking(False)
            try:
                answer = s.recv(65536)
                break
            except BlockingIOError:
                pass
            finally:
                s.setblocking(True)
        else:
            pytest.fail("no answer while trickling")
        while chunk := s.recv(65536):
            answer += chunk
    status, _, problem = _problem(answer)
    assert (status, problem["status"]) == (408, 408)


def _server_side_owners(server_port: int, client_ports: set[int]) -> dict[int, int]:
    """Client port -> pid of the server process holding the other end (from /proc)."""
    return {
        port: pid
        for port, pid in workers_of(server_port, all_pids()).items()
        if port in client_ports
    }


def _wait_until_both_processes_serve(server: LiveServer) -> None:
    """A process builds its app for a few seconds after start; until then the other serves all."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        pair = [http.client.HTTPConnection("127.0.0.1", server.port, timeout=10) for _ in range(2)]
        try:
            for conn in pair:
                conn.request("GET", "/v1/health")
                conn.getresponse().read()
            ports = {c.sock.getsockname()[1] for c in pair if c.sock is not None}
            if len(set(_server_side_owners(server.port, ports).values())) == 2:
                return
        finally:
            for conn in pair:
                conn.close()
        time.sleep(0.2)
    raise AssertionError("the second server process never served")


def test_a_burst_of_keep_alive_connections_is_shared_evenly_by_the_processes(
    server: LiveServer,
) -> None:
    """16 clients connecting at once: each of the 2 processes holds about half (they used to
    race for them, and one often got most while the other idled)."""
    _wait_until_both_processes_serve(server)
    conns = [http.client.HTTPConnection("127.0.0.1", server.port, timeout=10) for _ in range(16)]
    start = threading.Barrier(len(conns))
    statuses: list[int] = []

    def first_request(conn: http.client.HTTPConnection) -> None:
        start.wait()
        conn.request("GET", "/v1/health")
        resp = conn.getresponse()
        resp.read()
        statuses.append(resp.status)

    threads = [threading.Thread(target=first_request, args=(c,)) for c in conns]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        assert statuses == [200] * len(conns)
        ports = {c.sock.getsockname()[1] for c in conns if c.sock is not None}
        owners = _server_side_owners(server.port, ports)
        assert len(owners) == len(conns)
        per_process = sorted(Counter(owners.values()).values())
        assert len(per_process) == 2 and per_process[1] - per_process[0] <= 2, per_process
    finally:
        for c in conns:
            c.close()
