"""Slow clients against each candidate server: health latency meanwhile, and plain throughput.

Run from the repository root (loopback only; every loop is bounded by a duration):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/meedoen .venv/bin/python -m bench.slow_clients
    .venv/bin/python -m bench.slow_clients --only serve.sh --slow 50 --seconds 20

For each candidate a server is started on a free 127.0.0.1 port with rate limits off, then:

1. `--slow` connections trickle one byte every `--interval` seconds (half of them the request
   headers of a GET, half the body of a POST /v1/auth/login) while one prober asks GET /v1/health
   on a fresh connection every 0.1 s: p50/p95/max latency and how many probes failed (no answer
   within 5 s). 2. Health latency while 4 clients sign in (argon2id, CPU-heavy) back to back.
3. Plain throughput with `--clients` keep-alive client processes for `--seconds`/4 each:
   GET /v1/health and GET /v1/interests (a database read). Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import math
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PROBE_TIMEOUT_S = 5.0

CANDIDATES: dict[str, list[str]] = {
    "gunicorn-sync": [str(BIN / "gunicorn"), "--workers", "2", "wsgi:app"],
    "gunicorn-gthread": [
        str(BIN / "gunicorn"),
        *("--workers", "2", "--worker-class", "gthread", "--threads", "8"),
        "wsgi:app",
    ],
    "gunicorn-gevent": [
        str(BIN / "gunicorn"),
        *("--workers", "2", "--worker-class", "gevent", "--worker-connections", "1000"),
        "wsgi:app",
    ],
    "waitress": [
        str(BIN / "waitress-serve"),
        *("--threads", "8", "--connection-limit", "1000", "--asyncore-use-poll"),
        "wsgi:app",
    ],
    # what `make run` serves with: scripts/serve.sh (the scheduler off here)
    "serve.sh": [str(ROOT / "scripts" / "serve.sh")],
}


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(port: int, path: str, timeout: float = PROBE_TIMEOUT_S) -> int:
    """One GET on a fresh connection; the status code."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


@contextmanager
def server(name: str, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """Start a candidate on the port and stop its whole process group afterwards."""
    cmd = list(CANDIDATES[name])
    if name != "serve.sh":
        cmd[1:1] = ["--bind" if "gunicorn" in name else "--listen", f"127.0.0.1:{port}"]
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "RATE_LIMITS": "off",
        "SCHEDULER": "off",
        "ACCESS_LOG": "off",
    }
    proc = subprocess.Popen(  # noqa: S603 - fixed commands from this file
        cmd,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(port, "/v1/health", timeout=2) == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start")
            time.sleep(0.2)
        yield proc
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()


def slow_streams(port: int, n: int) -> list[tuple[socket.socket, bytes]]:
    """n connections with what each will trickle: half headers, half a login body."""
    out = []
    for i in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        if i % 2:
            head = b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
            out.append((s, head + b"a" * 4000))
        else:
            s.sendall(
                b"POST /v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nContent-Length: 4000\r\n\r\n"
            )
            out.append((s, b'{"email": "' + b"a" * 3990))
    return out


def trickle(streams: list[tuple[socket.socket, bytes]], interval: float, stop: threading.Event):
    """Send each stream one byte per interval until stopped; count connections still open."""
    pos = 0
    while not stop.wait(interval):
        for s, data in streams:
            if pos < len(data) and s.fileno() != -1:
                try:
                    s.send(data[pos : pos + 1])
                except OSError:
                    s.close()
        pos += 1


def probe(port: int, seconds: float) -> tuple[list[float], int]:
    """Health latencies (ms) on fresh connections every 0.1 s, and the failed probes."""
    ms: list[float] = []
    failed = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = time.perf_counter()
        try:
            ok = get(port, "/v1/health") == 200
        except OSError:
            ok = False
        if ok:
            ms.append((time.perf_counter() - t0) * 1000)
        else:
            failed += 1
        time.sleep(0.1)
    return ms, failed


def describe(ms: list[float], failed: int) -> str:
    """p50/p95/max of the answered probes, and how many got no answer."""
    if len(ms) < 2:
        return f"answered={len(ms)} failed={failed}"
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return (
        f"answered={len(ms)} failed={failed} p50={statistics.median(ms):.1f} ms "
        f"p95={q[94]:.1f} ms max={max(ms):.1f} ms"
    )


def _client_loop(args: tuple[int, str, str, float]) -> list[float]:
    """One keep-alive client doing requests back to back for a while."""
    port, method, path, seconds = args
    body = b'{"email": "nobody@example.org", "password": "wrong-password"}'
    headers = {"Content-Type": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    out: list[float] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = time.perf_counter()
        try:
            if method == "POST":
                conn.request("POST", path, body=body, headers=headers)
            else:
                conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            if resp.will_close:
                conn.close()
        except OSError:
            conn.close()
            continue
        out.append((time.perf_counter() - t0) * 1000)
    conn.close()
    return out


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU seconds of every process in the server's process group."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state ppid pgrp ...
            total += int(fields[11]) + int(fields[12])  # utime stime
    return total / tick


def throughput(port: int, pgid: int, path: str, clients: int, seconds: float) -> dict[str, float]:
    """Requests per second with `clients` client processes, latency, server CPU per request."""
    cpu0 = group_cpu_seconds(pgid)
    with multiprocessing.Pool(clients) as pool:
        runs = pool.map(_client_loop, [(port, "GET", path, seconds)] * clients)
    cpu = group_cpu_seconds(pgid) - cpu0
    ms = [m for run in runs for m in run]
    return {
        "rps": len(ms) / seconds,
        "p50": statistics.median(ms) if ms else float("nan"),
        "cpu_ms": cpu * 1000 / max(1, len(ms)),
    }


def run(name: str, args: argparse.Namespace) -> dict[str, float]:
    """All measurements for one candidate, printed and returned."""
    if name == "gunicorn-gevent" and importlib.util.find_spec("gevent") is None:
        raise RuntimeError("skipped: `.venv/bin/pip install gevent` to compare it")
    port = free_port()
    out: dict[str, float] = {}
    with server(name, port) as proc:
        streams = slow_streams(port, args.slow)
        stop = threading.Event()
        t = threading.Thread(target=trickle, args=(streams, args.interval, stop), daemon=True)
        t.start()
        time.sleep(1.0)
        ms, failed = probe(port, args.seconds)
        stop.set()
        t.join()
        still_open = sum(1 for s, _ in streams if s.fileno() != -1)
        for s, _ in streams:
            s.close()
        print(f"  health with {args.slow} slow connections ({still_open} still open): ", end="")
        print(describe(ms, failed), flush=True)
        out["slow_p50"], out["slow_p95"] = _p50_p95(ms)
        out["slow_failed"] = failed
        out["slow_answered"] = len(ms)

        with multiprocessing.Pool(4) as pool:
            job = pool.map_async(_client_loop, [(port, "POST", "/v1/auth/login", 8.0)] * 4)
            time.sleep(1.0)
            ms, failed = probe(port, 6.0)
            logins = sum(len(r) for r in job.get())
        print(f"  health during 4 clients signing in ({logins} logins): {describe(ms, failed)}")
        out["login_p50"], out["login_p95"] = _p50_p95(ms)
        for key, path in (("health", "/v1/health"), ("db", "/v1/interests")):
            r = throughput(port, proc.pid, path, args.clients, args.seconds / 4)
            print(
                f"  GET {path}: {r['rps']:.0f} req/s (c={args.clients}) p50={r['p50']:.1f} ms "
                f"server CPU {r['cpu_ms']:.2f} ms/request",
                flush=True,
            )
            out[f"{key}_rps"], out[f"{key}_cpu_ms"] = r["rps"], r["cpu_ms"]
    return out


def _p50_p95(ms: list[float]) -> tuple[float, float]:
    if len(ms) < 2:
        return float("nan"), float("nan")
    return statistics.median(ms), statistics.quantiles(ms, n=100, method="inclusive")[94]


COLUMNS = [
    ("slow_p50", "slow p50 ms"),
    ("slow_p95", "slow p95 ms"),
    ("slow_answered", "slow answered"),
    ("slow_failed", "slow no answer in 5 s"),
    ("login_p50", "login p50 ms"),
    ("login_p95", "login p95 ms"),
    ("health_rps", "health req/s"),
    ("health_cpu_ms", "health CPU ms"),
    ("db_rps", "db req/s"),
    ("db_cpu_ms", "db CPU ms"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=sorted(CANDIDATES))
    parser.add_argument("--slow", type=int, default=50, help="slow connections")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between bytes")
    parser.add_argument("--seconds", type=float, default=20.0, help="probe duration")
    parser.add_argument("--clients", type=int, default=4, help="throughput client processes")
    parser.add_argument("--rounds", type=int, default=1, help="candidates interleaved, medians")
    args = parser.parse_args()
    names = args.only or list(CANDIDATES)
    results: dict[str, list[dict[str, float]]] = {n: [] for n in names}
    for r in range(args.rounds):
        for name in names:
            print(f"== {name} (round {r + 1})", flush=True)
            try:
                results[name].append(run(name, args))
            except RuntimeError as exc:
                print(f"  {exc}", file=sys.stderr)
    print(f"\nmedians over {args.rounds} round(s), {args.slow} slow connections:")
    print("| candidate | " + " | ".join(title for _, title in COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 1) + "|")
    for name, runs in results.items():
        cells = []
        for key, _ in COLUMNS:
            values = [r[key] for r in runs if not math.isnan(r[key])]  # nan: nothing answered
            cells.append(f"{statistics.median(values):.1f}" if values else "-")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
