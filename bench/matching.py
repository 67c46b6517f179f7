"""Matching at national scale: the feed through the production server, and the national batch.

Run from the repository root against the scale data (`flask --app wsgi seed scale` once):

    export DATABASE_URL=postgresql://postgres@127.0.0.1:5432/meedoen_scale
    .venv/bin/python -m bench.matching            # full: ~4 minutes on 2 cores
    .venv/bin/python -m bench.matching --quick    # ~1 minute: shorter phases, a batch subset

Prints figures only; nothing here asserts a timing. Reads the database; writes only the sign-ins it
opens for its own tokens (revoked again at the end). The machine may be shared: the load average
is printed at the start and the end, and CPU seconds of the server processes per phase.

1. Recipients of the largest scale municipality, the same number from every (travel mode, reach)
   group so the longest reaches are in; real access tokens are minted for them.
2. `python -m api.server` (waitress, as scripts/serve.sh starts it; rate limits off) on a free
   loopback port. Warm-up: over one connection to each worker process, one feed request per scale
   municipality, so every worker loads every catalogue once (national scale). Then in one run, at 1
   and 16 concurrent keep-alive clients (stdlib threads + http.client): GET /v1/health and
   GET /v1/me/feed?limit=20, each for a fixed time: req/s, p50/p95/p99, the feed/health ratio.
   If wrk is installed (`apt-get install wrk`; the issue's own load generator, in C), the
   16-client phases are measured with it as well: the Python clients cost 0.3-0.5 ms of CPU
   per request on the same two cores, wrk next to nothing.
3. Per-worker RSS (VmRSS) after start, after warm-up and after the run.
4. The national batch (`national_top_k`, what `flask matching batch` runs) with its phases; the
   straightforward way (one PostGIS candidate query + `matching.rank(limit=20)` per person) on a
   random sample across the country, extrapolated; and whether both give the same top-20.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import itertools
import json
import logging
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from api.config import DEFAULT_DATABASE_URL

os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")  # as scripts/serve.sh

from api.app import create_app  # noqa: E402 - reads DATABASE_URL
from api.core.geo import point  # noqa: E402
from api.db import session_scope, utcnow  # noqa: E402
from api.feed.candidates import candidate_rows, excluded_opportunity_ids  # noqa: E402
from api.feed.national import BatchTimings, national_top_k  # noqa: E402
from api.municipalities.policy import load_policy  # noqa: E402
from api.profiles.models import RecipientProfile  # noqa: E402
from api.ranking.adapter import load_taxonomy, person_from_profile, weights_from_policy  # noqa: E402
from api.signin.service import logout, start_session  # noqa: E402
from api.users.models import User  # noqa: E402
from bench.procfs import socket_owners, tcp_sockets, workers_of  # noqa: E402
from matching import rank  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261130
K = 20
FEED_PATH = f"/v1/me/feed?limit={K}"
HEALTH_PATH = "/v1/health"
TIMEOUT_S = 30.0
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Plan:
    """How big a run is."""

    tokens: int  # feed tokens in the largest municipality (spread over its reach groups)
    seconds: float  # per load phase
    rounds: int  # health and feed phases alternate this many times per concurrency
    max_requests: int  # per phase, a bound besides the time
    batch_towns: int | None  # None: the whole country; else this many towns of the middle sizes
    sample: int  # people for the straightforward way


FULL = Plan(tokens=240, seconds=15, rounds=2, max_requests=100_000, batch_towns=None, sample=200)
QUICK = Plan(tokens=48, seconds=5, rounds=1, max_requests=20_000, batch_towns=4, sample=40)


def load_note() -> str:
    """The machine's load average: other work on it inflates wall times (not CPU per request)."""
    one, five, fifteen = os.getloadavg()
    return f"[load avg {one:.1f} / {five:.1f} / {fifteen:.1f}, {os.cpu_count()} CPUs]"


def pcts(ms: list[float]) -> tuple[float, float, float]:
    """p50, p95, p99 in milliseconds."""
    if len(ms) < 2:
        v = ms[0] if ms else float("nan")
        return v, v, v
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return statistics.median(ms), q[94], q[98]


def check_database(session: Any) -> None:
    """Say so when the schema is not the code's: the figures may then be of other code."""
    logging.getLogger("alembic").setLevel(logging.WARNING)
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini"))).get_heads())
    at = set(session.scalars(text("select version_num from alembic_version")))
    if at != heads:  # the bench only reads; a newer head may not touch what it reads
        print(f"WARNING: the database is at {sorted(at)}, the code at {sorted(heads)}")


# ------------------------------------------------------------------------------ 1. tokens


@dataclass(frozen=True)
class Minted:
    user_id: uuid.UUID
    family_id: uuid.UUID
    token: str
    group: str  # "bike 5 km", or the municipality for warm-up tokens


def pick_recipients(session: Any, slug: str, n: int, rng: random.Random) -> list[tuple[Any, str]]:
    """n active recipients with a complete profile, the same number from every reach group."""
    rows = session.execute(
        text(
            "select p.user_id, p.travel_mode, p.max_distance_km from recipient_profiles p"
            " join users u on u.id = p.user_id join municipalities m on m.id = p.municipality_id"
            " where m.slug = :slug and u.is_active and p.home_area is not null"
            " and cardinality(p.availability) > 0 order by p.user_id"
        ),
        {"slug": slug},
    ).all()
    groups: dict[str, list[Any]] = {}
    for uid, mode, km in rows:
        groups.setdefault(f"{mode} {km:g} km", []).append(uid)
    each = max(1, n // len(groups))
    return [
        (u, g) for g, ids in sorted(groups.items()) for u in rng.sample(ids, min(each, len(ids)))
    ]


def mint(app: Any, people: list[tuple[Any, str]]) -> list[Minted]:
    """Real access tokens (scale recipients have no password): a sign-in per person."""
    out = []
    with session_scope(app) as s:
        for uid, group in people:
            pair = start_session(s, s.get(User, uid))
            payload = pair.access_token.split(".")[1]
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            out.append(Minted(uid, uuid.UUID(claims["fam"]), pair.access_token, group))
    return out


def revoke(app: Any, minted: list[Minted]) -> None:
    """End the sign-ins this benchmark opened."""
    with session_scope(app) as s:
        for m in minted:
            logout(s, family_id=m.family_id, user_id=m.user_id)


# ------------------------------------------------------------------------------ 2. the server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children(pid: int) -> list[int]:
    """The direct child processes of pid."""
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def cpu_s(pid: int) -> float:
    """User + system CPU seconds a process has used so far."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_mb(pid: int) -> float:
    """Resident memory of a process (VmRSS), MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def db_backends(session: Any, workers: list[int]) -> list[int]:
    """Pids of the PostgreSQL backends that serve these worker processes' connections."""
    owner = socket_owners(workers)
    ports = {local for local, remote, inode in tcp_sockets() if remote == 5432 and inode in owner}
    rows = session.execute(
        text("select pid, client_port from pg_stat_activity where datname = current_database()")
    ).all()
    session.rollback()  # a new transaction sees new backends (activity is snapshotted per one)
    return [int(pid) for pid, port in rows if port in ports]


@dataclass
class Server:
    port: int
    supervisor: int
    workers: list[int]
    log: str
    db: Any = None  # a session of the benchmark, to find the workers' database backends

    def cpu(self) -> dict[int, float]:
        """CPU seconds so far of each worker and of each database backend serving one."""
        pids = self.workers + (db_backends(self.db, self.workers) if self.db is not None else [])
        return {pid: cpu_s(pid) for pid in pids}


@contextmanager
def serve(processes: int, threads: int) -> Iterator[Server]:
    """`python -m api.server` on a free loopback port; stopped (by its pid) afterwards."""
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="bench-matching-server-", suffix=".log", delete=False)  # noqa: SIM115
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(processes),
        "WEB_THREADS": str(threads),
        "RATE_LIMITS": "off",
        "ACCESS_LOG": "off",
    }
    proc = subprocess.Popen(  # noqa: S603 - our own server
        [sys.executable, "-m", "api.server"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    done = False
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited with {proc.returncode}; see {log.name}")
            kids = children(proc.pid)
            try:
                if len(kids) >= processes and Client(port).get(HEALTH_PATH)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer in 90 s; see {log.name}")
            time.sleep(0.3)
        yield Server(port, proc.pid, sorted(kids) if processes > 1 else [proc.pid], log.name)
        done = True
    finally:
        proc.send_signal(signal.SIGTERM)  # the supervisor stops its workers
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            for pid in children(proc.pid):
                os.kill(pid, signal.SIGKILL)
            proc.kill()
            proc.wait(timeout=10)
        log.close()
        if done:  # kept only to see why a run failed
            os.unlink(log.name)


class Client:
    """One keep-alive connection."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)

    def get(self, path: str, token: str | None = None) -> tuple[int, bytes]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            self.conn.request("GET", path, headers=headers)
            resp = self.conn.getresponse()
            return resp.status, resp.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()  # reconnects on the next request
            raise

    def local_port(self) -> int | None:
        return self.conn.sock.getsockname()[1] if self.conn.sock else None

    def close(self) -> None:
        self.conn.close()


@dataclass
class Phase:
    latencies: list[float] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    wall: float = 0.0
    server_cpu: float = 0.0
    db_cpu: float = 0.0
    client_cpu: float = 0.0
    spread: list[str] = field(default_factory=list)  # connections per worker, per phase run

    def add(self, other: Phase) -> None:
        self.latencies += other.latencies
        self.groups += other.groups
        for key, n in other.errors.items():
            self.errors[key] = self.errors.get(key, 0) + n
        self.wall += other.wall
        self.server_cpu += other.server_cpu
        self.db_cpu += other.db_cpu
        self.client_cpu += other.client_cpu
        self.spread += other.spread


def run_phase(
    server: Server, path: str, tokens: list[Minted], clients: int, seconds: float, cap: int
) -> Phase:
    """`clients` threads, each on its own keep-alive connection, for `seconds` (or `cap` GETs)."""
    counter = itertools.count()  # next() is atomic under the GIL
    results: list[tuple[list[float], list[str], dict[str, int]]] = []
    conns = [Client(server.port) for _ in range(clients)]
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client(conn: Client) -> None:
        ms: list[float] = []
        groups: list[str] = []
        errors: dict[str, int] = {}
        start.wait()
        while time.perf_counter() < deadline[0]:
            i = next(counter)
            if i >= cap:
                break
            tok = tokens[i % len(tokens)] if tokens else None
            t0 = time.perf_counter()
            try:
                status: int | str = conn.get(path, tok.token if tok else None)[0]
            except (OSError, http.client.HTTPException) as e:
                status = type(e).__name__
            if status == 200:
                ms.append((time.perf_counter() - t0) * 1000)
                groups.append(tok.group if tok else "")
            else:
                errors[str(status)] = errors.get(str(status), 0) + 1
        results.append((ms, groups, errors))

    threads = [threading.Thread(target=client, args=(c,), daemon=True) for c in conns]
    for t in threads:
        t.start()
    cpu0, client0 = server.cpu(), time.process_time()
    t0 = time.perf_counter()
    deadline[0] = t0 + seconds
    start.wait()
    for t in threads:
        t.join(seconds + 2 * TIMEOUT_S)
    wall = time.perf_counter() - t0
    client_cpu, cpu1 = time.process_time() - client0, server.cpu()
    by_port = workers_of(server.port, server.workers)
    per_worker: dict[int, int] = {}
    for c in conns:
        pid = by_port.get(c.local_port() or -1)
        if pid is not None:
            per_worker[pid] = per_worker.get(pid, 0) + 1
        c.close()
    spread = "/".join(str(per_worker.get(p, 0)) for p in server.workers)
    phase = Phase(wall=wall, client_cpu=client_cpu, spread=[spread])
    # Backends opened during the phase count in full (they started at zero).
    used = {p: cpu1[p] - cpu0.get(p, 0.0) for p in cpu1}
    phase.server_cpu = sum(used[p] for p in server.workers)
    phase.db_cpu = sum(v for p, v in used.items() if p not in server.workers)
    for ms, groups, errors in results:
        phase.add(Phase(ms, groups, errors))
    return phase


# Each wrk thread has its own Lua state: it reads the tokens and rotates through them.
WRK_SCRIPT = """
local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do tokens[#tokens + 1] = line end
local i = 0
request = function()
  i = i + 1
  if #tokens == 0 then return wrk.format("GET", os.getenv("BENCH_PATH")) end
  local headers = {["Authorization"] = "Bearer " .. tokens[(i % #tokens) + 1]}
  return wrk.format("GET", os.getenv("BENCH_PATH"), headers)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %d %d %d %.3f %.3f %.3f\\n", summary.requests,
    summary.duration, e.status + e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


@dataclass
class WrkPhase:
    requests: int
    seconds: float
    errors: int
    p50: float
    p95: float
    p99: float
    server_cpu: float
    db_cpu: float


def wrk_phase(
    wrk: str, server: Server, path: str, tokens: list[Minted], clients: int, seconds: float
) -> WrkPhase:
    """`clients` keep-alive connections from wrk (2 threads) for `seconds`."""
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:  # tokens: owner-only files
        script, token_file = Path(tmp) / "rotate.lua", Path(tmp) / "tokens"
        script.write_text(WRK_SCRIPT)
        token_file.write_text("".join(f"{m.token}\n" for m in tokens))
        cpu0 = server.cpu()
        done = subprocess.run(  # noqa: S603 - a fixed command line
            [
                wrk,
                "-t2",
                f"-c{clients}",
                f"-d{seconds:.0f}s",
                "--timeout",
                f"{TIMEOUT_S:.0f}s",
                "-s",
                str(script),
                f"http://127.0.0.1:{server.port}{path}",
            ],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "BENCH_TOKENS": str(token_file), "BENCH_PATH": path},
        )
        cpu1 = server.cpu()
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRK ")).split()
    used = {p: cpu1[p] - cpu0.get(p, 0.0) for p in cpu1}
    return WrkPhase(
        requests=int(line[1]),
        seconds=int(line[2]) / 1e6,
        errors=int(line[3]),
        p50=float(line[5]),
        p95=float(line[6]),
        p99=float(line[7]),
        server_cpu=sum(used[p] for p in server.workers),
        db_cpu=sum(v for p, v in used.items() if p not in server.workers),
    )


def print_wrk(runs: dict[str, list[WrkPhase]], clients: int, installed: bool) -> None:
    """The same phases as measured by wrk, each run right after the Python clients' one."""
    if not installed:
        print(f"{'':<4}(wrk not installed: no cross-check with a C load generator)")
        return
    rates = {}
    for name, label in (("health", "wrk: health"), ("feed", "wrk: feed")):
        n = sum(r.requests for r in runs[name])
        rates[name] = n / sum(r.seconds for r in runs[name])
        # wrk gives percentiles per run: the run with the median p95 is shown, all p95s after
        mid = sorted(runs[name], key=lambda r: r.p95)[len(runs[name]) // 2]
        errors = sum(r.errors for r in runs[name])
        print(
            f"{label:<26}{clients:>3}{n:>7}{rates[name]:>8.1f}{mid.p50:>8.1f}{mid.p95:>8.1f}"
            f"{mid.p99:>8.1f}{1000 * sum(r.server_cpu for r in runs[name]) / max(n, 1):>8.2f}"
            f"{1000 * sum(r.db_cpu for r in runs[name]) / max(n, 1):>6.2f}{'-':>8}      "
            f"  p95 per run: {', '.join(f'{r.p95:.1f}' for r in runs[name])}"
            + (f"  errors {errors}" if errors else "")
        )
    print(
        f"{'':<4}feed/health throughput with wrk at {clients} clients: "
        f"{100 * rates['feed'] / max(rates['health'], 1e-9):.0f}%"
    )


def warm_up(server: Server, feed: list[Minted], national: list[Minted]) -> None:
    """Over a connection pinned to each worker: one feed per municipality, then a few more."""
    pinned: dict[int, Client] = {}
    spare: list[Client] = []
    for _ in range(10):  # 16 connections at once, so that every worker accepts some
        batch = [Client(server.port) for _ in range(16)]
        asks = [threading.Thread(target=c.get, args=(HEALTH_PATH,)) for c in batch]
        for t in asks:
            t.start()
        for t in asks:
            t.join()
        by_port = workers_of(server.port, server.workers)
        for c in batch:
            pid = by_port.get(c.local_port() or -1)
            if pid is not None and pid not in pinned:
                pinned[pid] = c
            else:
                spare.append(c)
        if len(pinned) == len(server.workers):
            break
        time.sleep(0.3)  # a process that stepped back from accepting looks again every 0.1 s
    for c in spare:
        c.close()
    missing = [p for p in server.workers if p not in pinned]
    if missing:
        print(f"  WARNING: no connection reached worker(s) {missing}; they warm up in the run")
    sizes: list[int] = []
    for pid, c in sorted(pinned.items()):
        cpu0 = cpu_s(pid)
        first: list[tuple[float, str]] = []
        for m in national:
            t0 = time.perf_counter()
            status, body = c.get(FEED_PATH, m.token)
            first.append(((time.perf_counter() - t0) * 1000, m.group))
            if status != 200:
                raise RuntimeError(f"feed answered {status}: {body[:300]!r}")
        warm = []
        for m in feed:
            t0 = time.perf_counter()
            status, body = c.get(FEED_PATH, m.token)
            warm.append((time.perf_counter() - t0) * 1000)
            if status != 200:
                raise RuntimeError(f"feed answered {status}: {body[:300]!r}")
            sizes.append(len(json.loads(body)["items"]))
        slow_ms, slow_town = max(first)
        print(
            f"  worker {pid}: first feed request of each of {len(national)} municipalities "
            f"(loads its catalogue) {sum(ms for ms, _ in first) / 1000:.1f} s in all, slowest "
            f"{slow_ms:.0f} ms ({slow_town}); then {len(warm)} feeds of the largest: p50 "
            f"{statistics.median(warm):.1f} ms; CPU {cpu_s(pid) - cpu0:.1f} s"
        )
        c.close()
    if sizes:
        print(
            f"  feed pages of the largest municipality had {min(sizes)}..{max(sizes)} items "
            f"(mean {statistics.mean(sizes):.1f})"
        )


def bench_http(
    app: Any,
    big: str,
    towns: list[str],
    plan: Plan,
    processes: int,
    threads: int,
    concurrencies: list[int],
) -> None:
    rng = random.Random(SEED)
    t0 = time.perf_counter()
    with session_scope(app) as s:
        people = pick_recipients(s, big, plan.tokens, rng)
        others = []
        for slug in towns:
            one = pick_recipients(s, slug, 1, rng)
            others.append((one[0][0], slug))
    feed = mint(app, people)
    national = mint(app, others)
    groups = sorted({m.group for m in feed})
    print(
        f"minted {len(feed)} tokens in {big} ({len(feed) // len(groups)} per reach group: "
        f"{', '.join(groups)}) and {len(national)} for warm-up (one per scale municipality) "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    try:
        with serve(processes, threads) as server, session_scope(app) as db:
            server.db = db
            _http_run(server, feed, national, plan, processes, threads, concurrencies)
    finally:
        revoke(app, feed + national)
    print(f"server stopped; the benchmark's sign-ins revoked  {load_note()}")


def _rss_line(server: Server, when: str) -> None:
    print(f"RSS per worker {when}: " + ", ".join(f"{rss_mb(p):.0f} MiB" for p in server.workers))


def _http_run(
    server: Server,
    feed: list[Minted],
    national: list[Minted],
    plan: Plan,
    processes: int,
    threads: int,
    concurrencies: list[int],
) -> None:
    print(
        f"\n== 2. HTTP: python -m api.server, {processes} processes x {threads} threads, on "
        f"127.0.0.1:{server.port} (rate limits and access log off; the client threads run on "
        f"the same machine)  {load_note()}"
    )
    _rss_line(server, "after start (app built, no catalogue)")
    print("warm-up, one connection pinned to each worker (from /proc):")
    warm_up(server, feed, national)
    run_phase(server, HEALTH_PATH, [], 4, 1.0, 1000)
    _rss_line(server, f"after warm-up (every worker holds all {len(national)} catalogues)")
    head = (
        f"{'endpoint':<26}{'c':>3}{'n':>7}{'req/s':>8}{'p50':>8}{'p95':>8}{'p99':>8}"
        f"{'server':>8}{'db':>6}{'client':>8}{'used':>6}  conns/worker"
    )
    print(
        f"\n{plan.rounds} x {plan.seconds:.0f} s per endpoint and concurrency, health and feed "
        f"alternating; latencies in ms. CPU ms per request: server = its worker processes, db = "
        f"the PostgreSQL backends serving them, client = this process. used = all three as a "
        f"share of the machine's {os.cpu_count()} CPUs over the phase (the rest: other work)"
    )
    print(head)
    sums: dict[tuple[str, int], Phase] = {}
    cores = os.cpu_count() or 1
    wrk = shutil.which("wrk")
    for clients in concurrencies:
        by_wrk: dict[str, list[WrkPhase]] = {"health": [], "feed": []}
        for _ in range(plan.rounds):
            for name, path, toks in (("health", HEALTH_PATH, []), ("feed", FEED_PATH, feed)):
                ph = run_phase(server, path, toks, clients, plan.seconds, plan.max_requests)
                sums.setdefault((name, clients), Phase()).add(ph)
                if wrk is not None and clients > 1:  # right after, so the machine is the same
                    by_wrk[name].append(wrk_phase(wrk, server, path, toks, clients, plan.seconds))
        for name, label in (("health", "GET /v1/health"), ("feed", f"GET {FEED_PATH}")):
            ph = sums[(name, clients)]
            n = len(ph.latencies)
            p50, p95, p99 = pcts(ph.latencies)
            conns = ", ".join(ph.spread)
            print(
                f"{label:<26}{clients:>3}{n:>7}{n / ph.wall:>8.1f}{p50:>8.1f}{p95:>8.1f}"
                f"{p99:>8.1f}{1000 * ph.server_cpu / max(n, 1):>8.2f}"
                f"{1000 * ph.db_cpu / max(n, 1):>6.2f}{1000 * ph.client_cpu / max(n, 1):>8.2f}"
                f"{100 * (ph.server_cpu + ph.db_cpu + ph.client_cpu) / cores / ph.wall:>5.0f}%"
                f"  {conns}" + (f"  errors {ph.errors}" if ph.errors else "")
            )
        h, f = sums[("health", clients)], sums[("feed", clients)]
        ratio = (len(f.latencies) / f.wall) / max(len(h.latencies) / h.wall, 1e-9)
        print(f"{'':<4}feed/health throughput at {clients} client(s): {100 * ratio:.0f}%")
        by_group: dict[str, list[float]] = {}
        for ms, g in zip(f.latencies, f.groups, strict=True):
            by_group.setdefault(g, []).append(ms)
        print(
            f"{'':<4}feed p50/p95 per reach group: "
            + "; ".join(
                f"{g} {pcts(v)[0]:.1f}/{pcts(v)[1]:.1f}" for g, v in sorted(by_group.items())
            )
            + f"  {load_note()}"
        )
        if clients > 1:
            print_wrk(by_wrk, clients, wrk is not None)
    _rss_line(server, "after the run")


# ------------------------------------------------------------------------------ 4. batch


def run_batch(app: Any, slugs: list[str] | None, now: datetime, out: Any) -> BatchTimings:
    """national_top_k for the whole country, or for each of these municipalities."""
    with session_scope(app) as s:
        if slugs is None:
            return national_top_k(s, now=now, k=K, out=out)
        total = BatchTimings()
        for slug in slugs:
            t = national_top_k(s, now=now, k=K, out=out, municipality_slug=slug)
            for name in ("warm_up", "loading", "loading_cpu", "scoring", "scoring_cpu", "writing"):
                setattr(total, name, getattr(total, name) + getattr(t, name))
            for name in ("people", "opportunities", "municipalities"):
                setattr(total, name, getattr(total, name) + getattr(t, name))
            total.per_municipality += t.per_municipality
        return total


def read_lines(path: str, wanted: set[str]) -> dict[str, list[tuple[str, float]]]:
    """The batch output of these recipients: (opportunity id, score) best first."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            rid = line[16:52]  # {"recipientId":"<uuid>"
            if rid in wanted:
                items = json.loads(line)["items"]
                out[rid] = [(i["opportunityId"], i["score"]) for i in items]
    return out


@dataclass
class Straight:
    results: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    ms: list[float] = field(default_factory=list)
    parts: dict[str, list[float]] = field(default_factory=dict)
    rows: list[int] = field(default_factory=list)


def straightforward(app: Any, people: list[uuid.UUID], now: datetime) -> Straight:
    """Per person: the profile, one PostGIS candidate query, exclusions, rank(limit=20)."""
    res = Straight()
    context: dict[uuid.UUID, Any] = {}
    with session_scope(app) as s:
        for uid in people:
            t0 = time.perf_counter()
            p = s.get(RecipientProfile, uid)
            assert p is not None
            if p.municipality_id not in context:  # once per municipality, not timed
                t_skip = time.perf_counter()
                policy = load_policy(s, p.municipality_id)
                context[p.municipality_id] = (policy, load_taxonomy(s))
                t0 += time.perf_counter() - t_skip
            policy, taxonomy = context[p.municipality_id]
            t1 = time.perf_counter()
            cands = candidate_rows(
                s,
                municipality_id=p.municipality_id,
                home=point(p.home_lat, p.home_lon),
                max_distance_km=p.max_distance_km,
                availability=p.availability,
            )
            t2 = time.perf_counter()
            excluded = excluded_opportunity_ids(
                s, recipient_id=uid, now=now, recent_days=policy.recent_decline_days
            )
            t3 = time.perf_counter()
            ranked = rank(
                person_from_profile(p),
                cands,
                now=now,
                weights=weights_from_policy(policy),
                categories=taxonomy.categories,
                labels=taxonomy.labels,
                excluded_ids=excluded,
                limit=K,
            )
            t4 = time.perf_counter()
            res.results[str(uid)] = [(r.candidate_id, r.score) for r in ranked]
            res.ms.append((t4 - t0) * 1000)
            for name, a, b in (("profile", t0, t1), ("query", t1, t2), ("exclusions", t2, t3)):
                res.parts.setdefault(name, []).append((b - a) * 1000)
            res.parts.setdefault("rank", []).append((t4 - t3) * 1000)
            res.rows.append(len(cands))
            s.expunge_all()
    return res


def explain(app: Any, uid: str, ids: set[str]) -> list[tuple[str, float, float, bool]]:
    """Per opportunity id: sphere distance (m), the person's reach (m), within it for PostGIS?"""
    with session_scope(app) as s:
        rows = s.execute(
            text(
                "select o.id::text, ST_Distance(o.location, p.home_area, false),"
                " p.max_distance_km * 1000,"
                " ST_DWithin(o.location, p.home_area, p.max_distance_km * 1000, false)"
                " from opportunities o, recipient_profiles p"
                " where p.user_id = :u and o.id = any(cast(:ids as uuid[]))"
            ),
            {"u": uuid.UUID(uid), "ids": sorted(ids)},
        ).all()
    return [(r[0], float(r[1]), float(r[2]), bool(r[3])) for r in rows]


def compare(app: Any, batch: dict[str, list[tuple[str, float]]], straight: Straight) -> None:
    same = ids_same = 0
    diffs = []
    for uid, b in straight.results.items():
        a = batch.get(uid, [])
        if a == b:
            same += 1
        elif [x for x, _ in a] == [x for x, _ in b]:
            ids_same += 1
            diffs.append((uid, a, b))
        else:
            diffs.append((uid, a, b))
    n = len(straight.results)
    print(
        f"top-{K} agreement on the {n} people: identical ids, order and scores {same}/{n}; "
        f"same ids and order, other scores {ids_same}; other ids or order {n - same - ids_same}"
    )
    for uid, a, b in diffs[:10]:
        pos = next(
            (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
        )
        odd = ({x for x, _ in a} ^ {x for x, _ in b}) or {x for x, _ in (a + b)[pos : pos + 1]}
        detail = "; ".join(
            f"{oid[:8]} at {d:.3f} m, reach {r:.0f} m, ST_DWithin {w}"
            for oid, d, r, w in explain(app, uid, odd)
        )
        print(
            f"  {uid[:8]} from position {pos + 1}: batch {a[pos : pos + 2]}, straightforward "
            f"{b[pos : pos + 2]}; {detail}"
        )


def bench_batch(app: Any, towns: list[tuple[str, int]], plan: Plan) -> None:
    now = utcnow()
    if plan.batch_towns is None:
        slugs = None
        scope = "the whole country"
    else:  # towns of the middle sizes, so the quick run stays quick
        step = max(1, len(towns) // (plan.batch_towns + 1))
        slugs = [towns[step * (i + 1)][0] for i in range(plan.batch_towns)]
        scope = f"{len(slugs)} municipalities ({', '.join(slugs)}), --quick"
    print(f"\n== 4. batch: national_top_k(k={K}) for {scope}  {load_note()}")
    with tempfile.NamedTemporaryFile(
        "w", prefix="bench-matching-batch-", suffix=".jsonl", delete=False, encoding="utf-8"
    ) as out:
        path = out.name
        t0, c0 = time.perf_counter(), time.process_time()
        t = run_batch(app, slugs, now, out)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    try:
        print(
            f"{t.people} people, {t.opportunities} opportunities, {t.municipalities} "
            f"municipalities: warm-up {t.warm_up:.1f} s, loading {t.loading:.1f} s "
            f"({t.loading_cpu:.1f} s CPU), scoring "
            f"{t.scoring:.1f} s ({t.scoring_cpu:.1f} s CPU), writing {t.writing:.1f} s (JSON "
            f"lines, {os.path.getsize(path) / 2**20:.0f} MiB); wall "
            f"{wall:.1f} s, CPU {cpu:.1f} s (Numba threads included)"
        )
        slow = sorted(t.per_municipality, key=lambda m: -m[3])[:3]
        print(
            "  slowest to score: "
            + ", ".join(f"{s} ({p} people x {o} opps) {sec:.1f} s" for s, p, o, sec in slow)
        )
        # A random sample of the people the batch ranked, across its municipalities.
        with session_scope(app) as s:
            ids = list(
                s.scalars(
                    text(
                        "select p.user_id from recipient_profiles p join users u on"
                        " u.id = p.user_id join municipalities m on m.id = p.municipality_id"
                        " where u.is_active and p.home_area is not null"
                        " and cardinality(p.availability) > 0"
                        " and (cast(:every as boolean) or m.slug = any(:slugs))"
                        " order by p.user_id"
                    ),
                    {"every": slugs is None, "slugs": slugs or []},
                )
            )
        sample = random.Random(SEED).sample(ids, min(plan.sample, len(ids)))
        batch = read_lines(path, {str(u) for u in sample})
    finally:
        os.unlink(path)
    print(f"straightforward way on a random {len(sample)} of them  {load_note()}")
    st = straightforward(app, sample, now)
    p50, p95, p99 = pcts(st.ms)
    mean = statistics.mean(st.ms)
    parts = ", ".join(f"{k} {statistics.mean(v):.1f}" for k, v in st.parts.items())
    print(
        f"  per person: mean {mean:.1f} ms, p50 {p50:.1f} / p95 {p95:.1f} / p99 {p99:.1f} ms "
        f"(mean parts: {parts} ms; {statistics.mean(st.rows):.0f} candidate rows, "
        f"max {max(st.rows)})"
    )
    print(
        f"  EXTRAPOLATED to the batch's {t.people} people, one process: "
        f"{mean * t.people / 1000:.0f} s ({mean * t.people / 60000:.1f} min) vs the batch's "
        f"{wall:.0f} s wall: {mean * t.people / 1000 / wall:.0f}x"
    )
    compare(app, batch, st)


# ------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.matching",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="about 2 minutes")
    parser.add_argument("--processes", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 2)))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", 4)))
    parser.add_argument("--skip-http", action="store_true", help="only the batch part")
    parser.add_argument("--skip-batch", action="store_true", help="only the HTTP part")
    parser.add_argument(
        "--clients", type=int, nargs="+", default=[1, 16], help="concurrencies (default 1 16)"
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    app = create_app()
    with app.app_context():
        run(app, plan, args)


def run(app: Any, plan: Plan, args: argparse.Namespace) -> None:
    """Everything, inside an app context (tokens are signed with the app's key)."""
    with session_scope(app) as s:
        check_database(s)
        towns = [
            (slug, int(n))
            for slug, n in s.execute(
                text(
                    "select m.slug, count(*) from recipient_profiles p join municipalities m"
                    " on m.id = p.municipality_id where m.slug like 'scale-%'"
                    " group by m.slug order by 2 desc, 1"
                )
            )
        ]
        opps = s.scalar(text("select count(*) from opportunities where status = 'published'"))
    if not towns:
        sys.exit("No scale data: run `flask --app wsgi seed scale` first.")
    t_start, c_start = time.perf_counter(), time.process_time()
    print(
        f"data ({os.environ['DATABASE_URL'].rsplit('@', 1)[-1]}): {len(towns)} scale "
        f"municipalities, {sum(n for _, n in towns)} recipients, {opps} published opportunities; "
        f"largest: {towns[0][0]} ({towns[0][1]} recipients)"
    )
    print(f"run: {'--quick' if args.quick else 'full'}, seed {SEED}  start {load_note()}")
    if not args.skip_http:
        bench_http(
            app,
            towns[0][0],
            [t for t, _ in towns],
            plan,
            args.processes,
            args.threads,
            args.clients,
        )
    if not args.skip_batch:
        bench_batch(app, towns, plan)
    print(
        f"\ndone in {time.perf_counter() - t_start:.0f} s (this process: "
        f"{time.process_time() - c_start:.0f} s CPU)  end {load_note()}"
    )


if __name__ == "__main__":
    main()
