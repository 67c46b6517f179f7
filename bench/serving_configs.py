"""Server configurations side by side on the national feed: processes x threads, interleaved.

Run from the repository root against the scale data (`flask --app wsgi seed scale` once):

    export DATABASE_URL=postgresql://postgres@127.0.0.1:5432/meedoen_scale
    .venv/bin/python -m bench.serving_configs 2x4 2x4/plain 2x1 --rounds 6 --seconds 4

A configuration is processes x threads, as `python -m api.server` serves them (WEB_CONCURRENCY,
WEB_THREADS); `/plain` serves it with waitress's own task queue instead of the relay
(WEB_RELAY_MS=off, api/relay.py); `/relay=50` relieves a slow request after 50 ms.

The speed of this kind of machine drifts by a third within minutes, so two configurations
measured one after the other compare the minutes, not the configurations. Here every
configuration is started at once (each on its own port, warmed up as `bench.matching` does: every
worker holds every catalogue), and each round measures all of them in turn (order reversed every
other round) with 16 keep-alive clients: GET /v1/health and GET /v1/me/feed?limit=20 of the same
recipients of the largest municipality as `bench.matching`. With wrk when installed, else with the
Python clients of `bench.matching`. Prints per configuration: req/s, the median p50 and p95 over
rounds (p95 range), server and database CPU per request, and the feed/health ratio. Figures only.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import shutil
import statistics
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text

from api.config import DEFAULT_DATABASE_URL

os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)

from api.app import create_app  # noqa: E402 - reads DATABASE_URL
from api.db import session_scope  # noqa: E402
from bench.matching import (  # noqa: E402
    FEED_PATH,
    HEALTH_PATH,
    SEED,
    Minted,
    Server,
    load_note,
    mint,
    pcts,
    pick_recipients,
    revoke,
    run_phase,
    serve,
    warm_up,
    wrk_phase,
)

CLIENTS = 16


@dataclass
class Runs:
    """One configuration's phases of one endpoint."""

    requests: int = 0
    seconds: float = 0.0
    p50: list[float] = field(default_factory=list)
    p95: list[float] = field(default_factory=list)
    server_cpu: float = 0.0
    db_cpu: float = 0.0

    def rate(self) -> float:
        return self.requests / max(self.seconds, 1e-9)


def measure(server: Server, name: str, feed: list[Minted], seconds: float, wrk: str | None) -> Any:
    """One phase of one endpoint: (requests, seconds, p50, p95, server CPU s, db CPU s)."""
    path, tokens = (HEALTH_PATH, []) if name == "health" else (FEED_PATH, feed)
    if wrk is not None:
        w = wrk_phase(wrk, server, path, tokens, CLIENTS, seconds)
        return w.requests, w.seconds, w.p50, w.p95, w.server_cpu, w.db_cpu
    ph = run_phase(server, path, tokens, CLIENTS, seconds, 100_000)
    p50, p95, _ = pcts(ph.latencies)
    return len(ph.latencies), ph.wall, p50, p95, ph.server_cpu, ph.db_cpu


@dataclass(frozen=True)
class Config:
    """How one server is started."""

    spec: str
    processes: int
    threads: int
    env: tuple[tuple[str, str], ...]


def parse_config(spec: str) -> Config:
    """'2x4' -> 2 processes x 4 threads; '2x4/plain': waitress's own queue; '/relay=50': 50 ms."""
    size, _, variant = spec.partition("/")
    processes, _, threads = size.partition("x")
    env: tuple[tuple[str, str], ...] = ()
    if variant == "plain":
        env = (("WEB_RELAY_MS", "off"),)
    elif variant.startswith("relay="):
        env = (("WEB_RELAY_MS", variant.removeprefix("relay=")),)
    elif variant:
        raise SystemExit(f"unknown variant {variant!r} in {spec!r}")
    return Config(spec, int(processes), int(threads), env)


@contextlib.contextmanager
def started(config: Config) -> Any:
    """`serve` with the configuration's environment (read when the server process starts)."""
    saved = dict(os.environ)
    os.environ.update(dict(config.env))
    try:
        cm = serve(config.processes, config.threads)
        server = cm.__enter__()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    try:
        yield server
    finally:
        cm.__exit__(None, None, None)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.serving_configs", description=__doc__)
    parser.add_argument("configs", nargs="+", help="processes x threads, e.g. 2x4 2x1")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=4.0, help="per phase")
    args = parser.parse_args(argv)
    configs = [parse_config(c) for c in args.configs]
    wrk = shutil.which("wrk")
    app = create_app()
    with app.app_context():
        rng = random.Random(SEED)
        with session_scope(app) as s:
            people = pick_recipients(s, "scale-amsterdam", 240, rng)
            slugs = s.scalars(
                text("select slug from municipalities where slug like 'scale-%' order by slug")
            ).all()
            others = [(pick_recipients(s, slug, 1, rng)[0][0], slug) for slug in slugs]
        if not people:
            raise SystemExit("No scale data: run `flask --app wsgi seed scale` first.")
        feed, national = mint(app, people), mint(app, others)
        runs = {c: {"health": Runs(), "feed": Runs()} for c in configs}
        print(
            f"{len(configs)} configurations, {args.rounds} rounds x {args.seconds:.0f} s per "
            f"endpoint, {CLIENTS} clients, {'wrk' if wrk else 'Python clients'}  {load_note()}"
        )
        try:
            with ExitStack() as stack:
                servers = {}
                for c in configs:
                    server = stack.enter_context(started(c))
                    server.db = stack.enter_context(session_scope(app))
                    said = io.StringIO()
                    with contextlib.redirect_stdout(said):
                        warm_up(server, feed, national)
                    for line in said.getvalue().splitlines():
                        if "WARNING" in line:
                            print(f"  {c.spec}: {line.strip()}")
                    servers[c] = server
                for r in range(args.rounds):
                    for c in configs if r % 2 == 0 else configs[::-1]:
                        for name in ("health", "feed"):
                            n, sec, p50, p95, cpu, db = measure(
                                servers[c], name, feed, args.seconds, wrk
                            )
                            one = runs[c][name]
                            one.requests += n
                            one.seconds += sec
                            one.p50.append(p50)
                            one.p95.append(p95)
                            one.server_cpu += cpu
                            one.db_cpu += db
                    print(f"  round {r + 1} of {args.rounds}  {load_note()}", flush=True)
        finally:
            revoke(app, feed + national)
    print(
        f"\n{'config':<14}{'endpoint':<9}{'req/s':>8}{'p50':>7}{'p95':>7}  {'p95 range':<14}"
        f"{'server':>7}{'db':>6}  (ms; CPU ms per request)"
    )
    for c in configs:
        for name in ("health", "feed"):
            x = runs[c][name]
            print(
                f"{c.spec:<14}{name:<9}{x.rate():>8.0f}{statistics.median(x.p50):>7.1f}"
                f"{statistics.median(x.p95):>7.1f}  {min(x.p95):>5.1f}-{max(x.p95):<8.1f}"
                f"{1000 * x.server_cpu / max(x.requests, 1):>7.2f}"
                f"{1000 * x.db_cpu / max(x.requests, 1):>6.2f}"
            )
        ratio = runs[c]["feed"].rate() / max(runs[c]["health"].rate(), 1e-9)
        print(f"{'':<14}feed/health throughput {100 * ratio:.0f}%")


if __name__ == "__main__":
    main()
