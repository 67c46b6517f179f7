"""Matching at national scale: the feed through gunicorn, and batch top-20 vs one query per person.

Run from the repository root, after `flask --app wsgi seed scale --recipients 400000
--opportunities 50000` once:

    .venv/bin/python -m bench.matching            # full run (~15 minutes on 2 cores)
    .venv/bin/python -m bench.matching --quick    # small run (~1.5 minutes)

DATABASE_URL defaults to the dev database. Prints figures only; nothing here asserts a timing.

1. GET /v1/me/feed?limit=20 and GET /v1/health through a real gunicorn started here on a free
   127.0.0.1 port, at 1 and 16 concurrent clients (stdlib threads + http.client), with tokens
   minted for recipients of the largest scale municipality (revoked again at the end).
2. (a) `engine_top_k_for_profiles(k=20)` (the engine one person at a time) for every recipient of
   that municipality; (b) the same batch for every scale municipality in worker processes, or a
   stratified subset extrapolated by recipient count when the full run would take too long;
   (c) the straightforward way, `candidate_rows` + `rank(limit=20)` per recipient as in
   `personal_feed`, on a random sample; (d) whether (a) and (c) give the same top-20 ids and
   scores.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import logging
import multiprocessing
import os
import random
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
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from api.config import DEFAULT_DATABASE_URL

os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)

from api.app import create_app  # noqa: E402 - reads DATABASE_URL
from api.auth.service import logout, start_session  # noqa: E402
from api.core.geo import point  # noqa: E402
from api.db import session_scope, utcnow  # noqa: E402
from api.feed.batch import engine_top_k_for_profiles  # noqa: E402
from api.feed.candidates import (  # noqa: E402
    candidate_rows,
    excluded_opportunity_ids,
    load_taxonomy,
    person_from_profile,
    weights_from_policy,
)
from api.municipalities.models import Municipality  # noqa: E402
from api.municipalities.policy import load_policy  # noqa: E402
from api.profiles.models import RecipientProfile  # noqa: E402
from api.users.models import User  # noqa: E402
from matching import Ranked, rank  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261125
K = 20
FEED_PATH = f"/v1/me/feed?limit={K}"
HEALTH_PATH = "/v1/health"
REQUEST_TIMEOUT_S = 30.0
PHASE_DEADLINE_S = 240.0  # a load phase stops issuing requests after this long
NATIONAL_PROCESSES = 2


@dataclass(frozen=True)
class Plan:
    """How big a run is."""

    tokens: int
    requests_c1: int
    requests_c16: int
    batch_limit: int | None  # None: every recipient of the large municipality
    sample: int
    national_budget_s: float  # above this estimated wall time, run a subset
    strata: int  # how many municipalities the subset has
    town_cap: int | None  # at most this many random recipients per picked municipality


FULL = Plan(
    tokens=200,
    requests_c1=300,
    requests_c16=1600,
    batch_limit=None,
    sample=300,
    national_budget_s=480,
    strata=8,
    town_cap=None,
)
QUICK = Plan(
    tokens=40,
    requests_c1=60,
    requests_c16=320,
    batch_limit=3000,
    sample=60,
    national_budget_s=60,
    strata=6,
    town_cap=1500,
)


@dataclass(frozen=True)
class Town:
    """A scale municipality and how many recipient profiles it has."""

    id: uuid.UUID
    slug: str
    recipients: int


# ---------------------------------------------------------------------------- helpers


def pcts(ms: list[float]) -> tuple[float, float, float]:
    """p50, p95, p99 in milliseconds."""
    if len(ms) < 2:
        v = ms[0] if ms else float("nan")
        return v, v, v
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return statistics.median(ms), q[94], q[98]


def towns(session: Session) -> list[Town]:
    """Every scale municipality, most recipients first."""
    rows = session.execute(
        select(Municipality.id, Municipality.slug, func.count(RecipientProfile.user_id))
        .join(RecipientProfile, RecipientProfile.municipality_id == Municipality.id)
        .where(Municipality.slug.like("scale-%"))
        .group_by(Municipality.id, Municipality.slug)
        .order_by(func.count(RecipientProfile.user_id).desc(), Municipality.slug)
    ).all()
    return [Town(mid, slug, int(n)) for mid, slug, n in rows]


def load_profiles(session: Session, municipality_id: uuid.UUID) -> list[RecipientProfile]:
    """A municipality's recipient profiles in one query (active users, as the feed needs)."""
    return list(
        session.scalars(
            select(RecipientProfile)
            .join(User, User.id == RecipientProfile.user_id)
            .where(RecipientProfile.municipality_id == municipality_id, User.is_active.is_(True))
            .order_by(RecipientProfile.user_id)
        )
    )


def load_note() -> str:
    """The machine's load average: other work on it inflates wall times (not CPU times)."""
    one, five, _ = os.getloadavg()
    return f"[load avg {one:.1f} / {five:.1f}]"


def check_database(session: Session) -> None:
    """Refuse an old schema; warn when dead rows (autovacuum off?) would skew the figures."""
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its plugins log INFO on import
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini"))).get_heads())
    at = set(session.scalars(text("select version_num from alembic_version")))
    if at != heads:
        sys.exit(
            f"The database is at {sorted(at)}, the code at {sorted(heads)}: run "
            "`.venv/bin/alembic upgrade head` (what `make db` does) first."
        )
    dead = session.execute(
        text(
            "select relname, n_dead_tup, n_live_tup from pg_stat_user_tables where relname in"
            " ('users', 'recipient_profiles', 'opportunities') and n_dead_tup > 0.2 * n_live_tup"
        )
    ).all()
    for name, d, live in dead:
        print(f"WARNING: {name} has {d} dead rows next to {live} live ones; VACUUM ANALYZE first")


def _claims(token: str) -> dict[str, Any]:
    """A JWT's payload, unverified (we minted it ourselves)."""
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


# ---------------------------------------------------------------------------- 1. HTTP


@dataclass(frozen=True)
class Minted:
    user_id: uuid.UUID
    family_id: uuid.UUID
    access_token: str


def mint_tokens(app: Any, town: Town, n: int, rng: random.Random) -> list[Minted]:
    """Real access tokens for n different recipients (scale recipients have no password)."""
    out = []
    with app.app_context(), session_scope(app) as s:
        ids = list(
            s.scalars(
                select(User.id)
                .where(
                    User.municipality_id == town.id,
                    User.role == "recipient",
                    User.is_active.is_(True),
                )
                .order_by(User.id)
            )
        )
        for uid in rng.sample(ids, min(n, len(ids))):
            pair = start_session(s, s.get(User, uid))
            fam = uuid.UUID(_claims(pair.access_token)["fam"])
            out.append(Minted(uid, fam, pair.access_token))
    return out


def revoke_tokens(app: Any, minted: list[Minted]) -> None:
    """End the sign-ins this benchmark opened."""
    with app.app_context(), session_scope(app) as s:
        for m in minted:
            logout(s, family_id=m.family_id, user_id=m.user_id)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(port: int, path: str, token: str | None = None) -> tuple[int, bytes]:
    """One GET on a fresh connection (gunicorn's sync workers close after each response)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
    try:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


@contextmanager
def gunicorn(workers: int) -> Iterator[int]:
    """Start `gunicorn wsgi:app` on a free port, wait for /v1/health, always stop it."""
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "wsgi:app",
    ]
    env = {**os.environ, "DATABASE_URL": os.environ["DATABASE_URL"]}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {proc.returncode}; see {log.name}")
            try:
                if get(port, HEALTH_PATH)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer /v1/health in 60 s; see {log.name}")
            time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


@dataclass
class Phase:
    latencies: list[float]
    errors: dict[int, int]
    wall_s: float
    requested: int
    cut_short: bool


def load(port: int, path: str, tokens: list[str], n: int, concurrency: int) -> Phase:
    """n GETs spread over `concurrency` client threads and over the tokens; bounded in time."""
    lock = threading.Lock()
    nxt = [0]
    latencies: list[float] = []
    errors: dict[int, int] = {}
    deadline = time.monotonic() + PHASE_DEADLINE_S
    cut = [False]

    def client() -> None:
        while True:
            with lock:
                i = nxt[0]
                if i >= n:
                    return
                if time.monotonic() > deadline:
                    cut[0] = True
                    return
                nxt[0] += 1
            token = tokens[i % len(tokens)] if tokens else None
            t0 = time.perf_counter()
            try:
                status, _ = get(port, path, token)
            except OSError:
                status = -1
            ms = (time.perf_counter() - t0) * 1000
            with lock:
                if status == 200:
                    latencies.append(ms)
                else:
                    errors[status] = errors.get(status, 0) + 1

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Phase(latencies, errors, time.perf_counter() - t0, nxt[0], cut[0])


def bench_http(app: Any, town: Town, plan: Plan, workers: int, rng: random.Random) -> None:
    print(
        f"\n== 1. HTTP through gunicorn ({workers} sync workers, {os.cpu_count()} CPUs) ==  "
        f"{load_note()}"
    )
    t0 = time.perf_counter()
    minted = mint_tokens(app, town, plan.tokens, rng)
    tokens = [m.access_token for m in minted]
    print(
        f"minted {len(tokens)} access tokens for recipients of {town.slug} "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    try:
        with gunicorn(workers) as port:
            print(f"gunicorn up on 127.0.0.1:{port}; client threads run on the same machine")
            items = []
            for tok in tokens[:: max(1, len(tokens) // 10)]:
                status, body = get(port, FEED_PATH, tok)
                if status != 200:
                    raise RuntimeError(f"feed answered {status}: {body[:300]!r}")
                items.append(len(json.loads(body)["items"]))
            print(f"sanity: feed pages have {min(items)}..{max(items)} items")
            load(port, HEALTH_PATH, [], 4 * workers, workers)  # warm every worker
            load(port, FEED_PATH, tokens, 8 * workers, workers)
            head = (
                f"{'endpoint':<24} {'c':>3} {'n':>5} {'p50':>8} {'p95':>8} {'p99':>8} {'req/s':>7}"
            )
            print(head)
            for conc, n in ((1, plan.requests_c1), (16, plan.requests_c16)):
                for name, path, toks in (
                    ("GET /v1/health", HEALTH_PATH, []),
                    (f"GET /v1/me/feed?limit={K}", FEED_PATH, tokens),
                ):
                    ph = load(port, path, toks, n, conc)
                    p50, p95, p99 = pcts(ph.latencies)
                    note = ""
                    if ph.errors:
                        note += f"  errors {ph.errors}"
                    if ph.cut_short:
                        note += f"  (stopped at {PHASE_DEADLINE_S:.0f} s after {ph.requested})"
                    print(
                        f"{name:<24} {conc:>3} {len(ph.latencies):>5} {p50:>6.1f}ms "
                        f"{p95:>6.1f}ms {p99:>6.1f}ms {len(ph.latencies) / ph.wall_s:>7.1f}{note}"
                    )
    finally:
        revoke_tokens(app, minted)
    print(f"gunicorn stopped; the benchmark's sign-ins revoked  {load_note()}")


# ---------------------------------------------------------------------------- 2. batch


def top_ids(results: list[Ranked]) -> list[tuple[str, float]]:
    return [(r.candidate_id, r.score) for r in results]


@dataclass(frozen=True)
class Cost:
    """One batch run: profiles loaded for n_total people, top-k computed for n_run of them."""

    n_total: int
    n_run: int
    load_wall: float
    rank_wall: float
    load_cpu: float
    rank_cpu: float

    @property
    def ms_wall(self) -> float:
        """Wall milliseconds per recipient."""
        return 1000 * (self.load_wall / self.n_total + self.rank_wall / self.n_run)

    @property
    def ms_cpu(self) -> float:
        """CPU milliseconds of this process per recipient (insensitive to other load)."""
        return 1000 * (self.load_cpu / self.n_total + self.rank_cpu / self.n_run)


def batch_run(
    app: Any,
    municipality_id: uuid.UUID,
    now: datetime,
    *,
    cap: int | None = None,
    keep: frozenset[uuid.UUID] | set[uuid.UUID] = frozenset(),
) -> tuple[Cost, dict[uuid.UUID, list[Ranked]]]:
    """Load a municipality's profiles in one query, then the engine batch for (some of) them."""
    with app.app_context(), session_scope(app) as s:
        w0, c0 = time.perf_counter(), time.process_time()
        profiles = load_profiles(s, municipality_id)
        w1, c1 = time.perf_counter(), time.process_time()
        run = profiles
        if cap is not None and cap < len(profiles):
            rest = [p for p in profiles if p.user_id not in keep]
            run = [p for p in profiles if p.user_id in keep]
            run += random.Random(SEED).sample(rest, cap - len(run))
        out = engine_top_k_for_profiles(
            s, municipality_id=municipality_id, profiles=run, now=now, k=K
        )
        w2, c2 = time.perf_counter(), time.process_time()
    cost = Cost(len(profiles), len(run), w1 - w0, w2 - w1, c1 - c0, c2 - c1)
    return cost, out


def bench_batch_large(
    app: Any, town: Town, plan: Plan, now: datetime, sample_ids: set[uuid.UUID]
) -> tuple[dict[uuid.UUID, list[Ranked]], Cost]:
    """(a): one municipality, everyone at once. Returns the sampled people's results."""
    cost, out = batch_run(app, town.id, now, cap=plan.batch_limit, keep=sample_ids)
    subset = cost.n_run < cost.n_total
    print(f"\n== 2a. batch engine_top_k_for_profiles(k={K}) for {town.slug} ==  {load_note()}")
    print(
        f"profiles of {cost.n_total} recipients loaded in one query: {cost.load_wall:.1f} s"
        + (f"; --quick: ranked a random {cost.n_run} of them" if subset else "")
    )
    print(
        f"engine_top_k_for_profiles for {cost.n_run} recipients: {cost.rank_wall:.1f} s wall "
        f"({cost.rank_cpu:.1f} s CPU) = {1000 * cost.rank_wall / cost.n_run:.2f} ms/recipient; "
        f"{sum(1 for v in out.values() if not v)} got no suggestions"
    )
    whole = cost.ms_wall * cost.n_total / 1000
    print(
        f"{'EXTRAPOLATED' if subset else 'total'} for all {cost.n_total} recipients incl. "
        f"loading: {whole:.0f} s wall = {cost.ms_wall:.2f} ms/recipient "
        f"({cost.ms_cpu:.2f} ms CPU)"
    )
    return {uid: out[uid] for uid in sample_ids}, cost


_worker_app: Any = None


def _worker_init() -> None:
    global _worker_app
    _worker_app = create_app()


def _worker_run(job: tuple[uuid.UUID, str, datetime, int | None]) -> tuple[str, Cost]:
    """Batch one municipality in a worker process with its own app and engine."""
    mid, slug, now, cap = job
    return slug, batch_run(_worker_app, mid, now, cap=cap)[0]


def strata(all_towns: list[Town], count: int) -> list[tuple[list[Town], Town]]:
    """Towns by size in `count` strata of about equal recipients; each with the town that holds
    its middle recipient (a systematic sample with probability proportional to size)."""
    size = sum(t.recipients for t in all_towns) / count
    groups: list[list[Town]] = [[] for _ in range(count)]
    cum = 0
    for t in all_towns:
        groups[min(count - 1, int((cum + t.recipients / 2) // size))].append(t)
        cum += t.recipients
    out = []
    for g in (g for g in groups if g):
        half, acc = sum(t.recipients for t in g) / 2, 0
        for t in g:
            acc += t.recipients
            if acc >= half:
                out.append((g, t))
                break
    return out


def bench_national(all_towns: list[Town], plan: Plan, now: datetime, big: Cost) -> None:
    """(b): every municipality, or a stratified subset extrapolated by recipient count."""
    total = sum(t.recipients for t in all_towns)
    est = total * big.ms_wall / 1000 / NATIONAL_PROCESSES
    print(f"\n== 2b. batch for every scale municipality ({NATIONAL_PROCESSES} processes) ==")
    print(
        f"{len(all_towns)} municipalities, {total} recipients; the whole run at 2a's cost "
        f"per recipient (the densest town) would take ~{est:.0f} s wall"
    )
    subset = est > plan.national_budget_s
    plan_strata = strata(all_towns, plan.strata) if subset else [([t], t) for t in all_towns]
    picks = [t for _, t in plan_strata]
    reuse = {all_towns[0].slug: big} if subset and all_towns[0] in picks else {}
    cap = plan.town_cap if subset else None
    if subset:
        n_pick = sum(t.recipients for t in picks)
        print(
            f"SUBSET, more than ~{plan.national_budget_s / 60:.0f} min: {len(picks)} of "
            f"{len(all_towns)} municipalities ({n_pick} recipients, {100 * n_pick / total:.0f}%)"
            f", one per stratum of about {total // len(picks)} recipients by town size (the "
            f"town holding the stratum's middle recipient); the other towns are EXTRAPOLATED "
            f"by recipient count from their stratum's ms/recipient"
            + (f"; at most {cap} random recipients per picked town" if cap else "")
            + (f"; {all_towns[0].slug} is taken from 2a" if reuse else "")
        )
    jobs = [(t.id, t.slug, now, cap) for t in picks if t.slug not in reuse]
    ctx = multiprocessing.get_context("spawn")
    t0 = time.perf_counter()
    with ctx.Pool(NATIONAL_PROCESSES, initializer=_worker_init) as pool:
        measured = dict(pool.imap_unordered(_worker_run, jobs))
    wall = time.perf_counter() - t0
    n_run = sum(c.n_run for c in measured.values())
    print(
        f"measured {len(measured)} municipalities ({n_run} recipients ranked) in {wall:.1f} s "
        f"wall incl. process start; summed in the workers "
        f"{sum(c.load_wall + c.rank_wall for c in measured.values()):.1f} s wall, "
        f"{sum(c.load_cpu + c.rank_cpu for c in measured.values()):.1f} s CPU   {load_note()}"
    )
    measured.update(reuse)
    print(f"  {'stratum':<44} {'measured town':<26} {'ms/rec wall':>11} {'CPU':>6}")
    est_wall = est_cpu = longest = 0.0
    for g, pick in plan_strata:
        c = measured[pick.slug]
        n_g = sum(t.recipients for t in g)
        est_wall += c.ms_wall * n_g / 1000
        est_cpu += c.ms_cpu * n_g / 1000
        longest = max(longest, c.ms_wall * g[0].recipients / 1000)
        label = f"{len(g)} towns, {n_g} recipients" if len(g) > 1 else g[0].slug
        src = " (2a)" if pick.slug in reuse else ""
        if subset or len(plan_strata) <= 8 or pick in (picks[:3] + picks[-2:]):
            print(f"  {label:<44} {pick.slug + src:<26} {c.ms_wall:>11.2f} {c.ms_cpu:>6.2f}")
    nat_wall = max(est_wall / NATIONAL_PROCESSES, longest)
    word = "EXTRAPOLATED" if subset else "measured"
    print(
        f"{word} national batch ({total} recipients): {est_wall:.0f} s of worker time "
        f"({est_cpu:.0f} s CPU) = {1000 * est_wall / total:.2f} ms/recipient "
        f"({1000 * est_cpu / total:.2f} ms CPU); ~{nat_wall:.0f} s (~{nat_wall / 60:.1f} min) "
        f"wall with {NATIONAL_PROCESSES} processes"
        + ("" if subset else f" (this run: {wall:.0f} s)")
    )


@dataclass
class Straight:
    results: dict[uuid.UUID, list[Ranked]]
    candidates: dict[uuid.UUID, set[str]]
    ms: float


def bench_straight(
    app: Any, town: Town, profiles: list[RecipientProfile], now: datetime
) -> Straight:
    """(c): as personal_feed does it, one PostGIS query per person, each in its own session."""
    with app.app_context(), session_scope(app) as s:
        policy = load_policy(s, town.id)
        taxonomy = load_taxonomy(s)
    weights = weights_from_policy(policy)
    res = Straight({}, {}, 0.0)
    total, query, excl, conv, rank20, rank_all, rows_n = [], [], [], [], [], [], []
    print(f"\n== 2c. straightforward: candidate_rows + rank(limit={K}) per recipient ==")
    print(f"policy and taxonomy loaded once; each recipient in its own session  {load_note()}")
    with app.app_context():
        for p in profiles:
            t0 = time.perf_counter()
            with session_scope(app) as s:
                rows = candidate_rows(
                    s,
                    municipality_id=town.id,
                    home=point(p.home_lat, p.home_lon),
                    max_distance_km=p.max_distance_km,
                    availability=p.availability,
                )
                t1 = time.perf_counter()
                excluded = excluded_opportunity_ids(
                    s, recipient_id=p.user_id, now=now, recent_days=policy.recent_decline_days
                )
            t2 = time.perf_counter()
            cands = list(rows)  # candidate_rows already gives the engine's Candidates
            person = person_from_profile(p)
            t2b = time.perf_counter()
            args: dict[str, Any] = {
                "now": now,
                "weights": weights,
                "categories": taxonomy.categories,
                "labels": taxonomy.labels,
                "excluded_ids": excluded,
            }
            res.results[p.user_id] = rank(person, cands, limit=K, **args)
            t3 = time.perf_counter()
            rank(person, cands, **args)  # what personal_feed does: rank all, then slice a page
            t4 = time.perf_counter()
            res.candidates[p.user_id] = {c.id for c in cands}
            total.append((t3 - t0) * 1000)
            query.append((t1 - t0) * 1000)
            excl.append((t2 - t1) * 1000)
            conv.append((t2b - t2) * 1000)
            rank20.append((t3 - t2b) * 1000)
            rank_all.append((t4 - t3) * 1000)
            rows_n.append(len(rows))
    res.ms = statistics.mean(total)
    p50, p95, p99 = pcts(total)
    print(
        f"random sample of {len(profiles)} recipients of {town.slug}: mean {res.ms:.1f} ms, "
        f"p50 {p50:.1f} / p95 {p95:.1f} / p99 {p99:.1f} ms per recipient"
    )
    print(
        f"  mean parts: candidate_rows {statistics.mean(query):.1f} ms "
        f"({statistics.mean(rows_n):.0f} rows, max {max(rows_n)}), exclusions "
        f"{statistics.mean(excl):.1f} ms, person {statistics.mean(conv):.1f} ms, "
        f"rank(limit={K}) {statistics.mean(rank20):.1f} ms"
    )
    print(
        f"  (personal_feed ranks without a limit, then slices: rank(all) takes "
        f"{statistics.mean(rank_all):.1f} ms on the same candidates; not in the mean above)"
    )
    return res


def diagnose(app: Any, uid: uuid.UUID, ids: set[str]) -> list[tuple[str, bool, bool, float]]:
    """For opportunity ids: within reach on the spheroid (ST_DWithin's default) / the sphere?"""
    with app.app_context(), session_scope(app) as s:
        rows = s.execute(
            text(
                "select o.id::text, ST_DWithin(o.location, p.home_area, p.max_distance_km * 1000),"
                " ST_DWithin(o.location, p.home_area, p.max_distance_km * 1000, false),"
                " ST_Distance(o.location, p.home_area, false)"
                " from opportunities o, recipient_profiles p"
                " where p.user_id = :u and o.id = any(cast(:ids as uuid[]))"
            ),
            {"u": uid, "ids": sorted(ids)},
        ).all()
    return [(r[0], bool(r[1]), bool(r[2]), float(r[3])) for r in rows]


def compare(app: Any, batch: dict[uuid.UUID, list[Ranked]], straight: Straight) -> None:
    """(d): the same top-k ids, in the same order, with the same scores?"""
    same = ids_only = 0
    diffs: list[tuple[uuid.UUID, list[tuple[str, float]], list[tuple[str, float]]]] = []
    for uid, s_res in straight.results.items():
        a, b = top_ids(batch[uid]), top_ids(s_res)
        if a == b:
            same += 1
        elif [x for x, _ in a] == [x for x, _ in b]:
            ids_only += 1
            diffs.append((uid, a, b))
        else:
            diffs.append((uid, a, b))
    print(f"\n== 2d. batch (2a) vs straightforward (2c): top-{K} of {len(straight.results)} ==")
    print(
        f"same ids, order and scores: {same}; same ids, other scores: {ids_only}; "
        f"other ids or order: {len(diffs) - ids_only}"
    )
    explained = 0
    for n, (uid, a, b) in enumerate(diffs):
        only_batch = {x for x, _ in a} - straight.candidates[uid]
        checks = diagnose(app, uid, only_batch) if only_batch else []
        boundary = [c for c in checks if c[2] and not c[1]]
        explained += bool(boundary)
        if n < 5:
            pos = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), 0)
            print(
                f"  {uid} from position {pos + 1}: batch {a[pos][0][:8]} {a[pos][1]}, "
                f"straightforward {b[pos][0][:8]} {b[pos][1]}"
                + "".join(
                    f"; {oid[:8]} is {d:.1f} m away on the sphere (within reach there) but "
                    f"outside it for ST_DWithin on the spheroid"
                    for oid, _, _, d in boundary
                )
            )
    if diffs:
        print(
            f"{explained} of {len(diffs)} differences: the batch ranks an opportunity that "
            f"candidate_rows never returned because its ST_DWithin(geography) reach filter "
            f"uses the spheroid while both distances (ST_Distance(..., false) and the batch's "
            f"haversine) use the sphere"
        )


# ---------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.matching",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="a small run (a few minutes)")
    parser.add_argument("--workers", type=int, choices=(2, 4), default=4, help="gunicorn workers")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    app = create_app()
    with app.app_context(), session_scope(app) as s:
        check_database(s)
        all_towns = towns(s)
        opps = s.scalar(
            text(
                "select count(*) from opportunities o join municipalities m"
                " on m.id = o.municipality_id where m.slug like 'scale-%'"
                " and o.status = 'published'"
            )
        )
    if not all_towns:
        sys.exit("No scale data: run `flask --app wsgi seed scale` first.")
    big = all_towns[0]
    db = os.environ["DATABASE_URL"].rsplit("@", 1)[-1]
    print(
        f"data ({db}): {len(all_towns)} scale municipalities, "
        f"{sum(t.recipients for t in all_towns)} recipient profiles, {opps} published "
        f"opportunities; largest by recipients: {big.slug} ({big.recipients})"
    )
    print(
        f"run: {'--quick' if args.quick else 'full'}, seed {SEED}, {os.cpu_count()} CPUs "
        f"{load_note()}"
    )
    t_start = time.perf_counter()

    bench_http(app, big, plan, args.workers, random.Random(SEED))

    now = utcnow()
    with app.app_context(), session_scope(app) as s:
        profiles = load_profiles(s, big.id)
    sample = random.Random(SEED).sample(profiles, min(plan.sample, len(profiles)))
    batch, big_cost = bench_batch_large(app, big, plan, now, {p.user_id for p in sample})
    bench_national(all_towns, plan, now, big_cost)
    straight = bench_straight(app, big, sample, now)
    total = sum(t.recipients for t in all_towns)
    print(
        f"EXTRAPOLATED, one process: all of {big.slug} {straight.ms * big.recipients / 1000:.0f}"
        f" s (batch 2a: {big_cost.ms_wall * big.recipients / 1000:.0f} s); national "
        f"{straight.ms * total / 1000 / 60:.0f} min at {big.slug}'s cost per recipient (the "
        f"densest town, so pessimistic; batch 2b: see above)"
    )
    compare(app, batch, straight)
    print(f"\ndone in {time.perf_counter() - t_start:.0f} s {load_note()}")


if __name__ == "__main__":
    main()
