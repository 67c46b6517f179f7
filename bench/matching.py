"""Matching at national scale: the feed through gunicorn, and batch top-20 vs one query per person.

Run from the repository root, after `flask --app wsgi seed scale --recipients 400000
--opportunities 50000` once:

    .venv/bin/python -m bench.matching            # full run (~15-20 minutes on 2 cores)
    .venv/bin/python -m bench.matching --quick    # small run (~2-3 minutes)

DATABASE_URL defaults to the dev database. Prints figures only; nothing here asserts a timing.

1. GET /v1/me/feed?limit=20 and GET /v1/health through a real gunicorn started here on a free
   127.0.0.1 port, at 1 and 16 concurrent clients (stdlib threads + http.client), with tokens
   minted for recipients of the largest scale municipality (revoked again at the end).
2. (a) `top_k_for_profiles(k=20)` for every recipient of that municipality; (b) the same batch for
   every scale municipality in worker processes, or a stratified subset extrapolated by recipient
   count when the full run would take too long; (c) the straightforward way, `candidate_rows` +
   `rank(limit=20)` per recipient as in `personal_feed`, on a random sample; (d) whether (a) and
   (c) give the same top-20 ids and scores.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import math
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
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session

from api.config import DEFAULT_DATABASE_URL

os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)

from api.app import create_app  # noqa: E402 - reads DATABASE_URL
from api.auth.service import logout, start_session  # noqa: E402
from api.db import session_scope, utcnow  # noqa: E402
from api.feed.batch import top_k_for_profiles  # noqa: E402
from api.feed.candidates import (  # noqa: E402
    candidate_rows,
    excluded_opportunity_ids,
    load_taxonomy,
    person_from_profile,
    to_candidate,
    weights_from_policy,
)
from api.municipalities.models import Municipality  # noqa: E402
from api.municipalities.policy import load_policy  # noqa: E402
from api.opportunities.service import point  # noqa: E402
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


FULL = Plan(
    tokens=200,
    requests_c1=300,
    requests_c16=1600,
    batch_limit=None,
    sample=300,
    national_budget_s=480,
)
QUICK = Plan(
    tokens=40,
    requests_c1=60,
    requests_c16=320,
    batch_limit=3000,
    sample=60,
    national_budget_s=60,
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
    print(f"\n== 1. HTTP through gunicorn ({workers} sync workers, {os.cpu_count()} CPUs) ==")
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
    print("gunicorn stopped; the benchmark's sign-ins revoked")


# ---------------------------------------------------------------------------- 2. batch


def top_ids(results: list[Ranked]) -> list[tuple[str, float]]:
    return [(r.candidate_id, r.score) for r in results]


def bench_batch_large(
    app: Any, town: Town, plan: Plan, now: datetime, sample_ids: set[uuid.UUID]
) -> tuple[dict[uuid.UUID, list[Ranked]], float]:
    """(a): one municipality, everyone at once. Returns the sampled results and ms/recipient."""
    with app.app_context(), session_scope(app) as s:
        t0 = time.perf_counter()
        profiles = load_profiles(s, town.id)
        load_s = time.perf_counter() - t0
        subset = ""
        if plan.batch_limit is not None and plan.batch_limit < len(profiles):
            rest = [p for p in profiles if p.user_id not in sample_ids]
            keep = random.Random(SEED).sample(rest, plan.batch_limit - len(sample_ids))
            profiles = [p for p in profiles if p.user_id in sample_ids] + keep
            subset = f" (--quick: {len(profiles)} of {town.recipients})"
        t0 = time.perf_counter()
        out = top_k_for_profiles(s, municipality_id=town.id, profiles=profiles, now=now, k=K)
        rank_s = time.perf_counter() - t0
    per = rank_s * 1000 / len(profiles)
    empty = sum(1 for v in out.values() if not v)
    print(f"\n== 2a. batch top_k_for_profiles(k={K}) for {town.slug}{subset} ==")
    print(
        f"{len(profiles)} recipients: profiles loaded in {load_s:.1f} s (one query), "
        f"ranked in {rank_s:.1f} s = {per:.2f} ms/recipient; {empty} got no suggestions"
    )
    if subset:
        print(
            f"extrapolated to all {town.recipients} recipients: "
            f"{per * town.recipients / 1000:.0f} s"
        )
    return {uid: out[uid] for uid in sample_ids}, (load_s + rank_s) * 1000 / len(profiles)


_worker_app: Any = None


def _worker_init() -> None:
    global _worker_app
    _worker_app = create_app()


def _worker_run(job: tuple[uuid.UUID, str, datetime]) -> tuple[str, int, float, float]:
    """Batch one municipality in a worker process; returns (slug, n, load_s, rank_s)."""
    mid, slug, now = job
    with _worker_app.app_context(), session_scope(_worker_app) as s:
        t0 = time.perf_counter()
        profiles = load_profiles(s, mid)
        t1 = time.perf_counter()
        top_k_for_profiles(s, municipality_id=mid, profiles=profiles, now=now, k=K)
        t2 = time.perf_counter()
    return slug, len(profiles), t1 - t0, t2 - t1


def bench_national(all_towns: list[Town], plan: Plan, now: datetime, est_ms: float) -> None:
    """(b): every municipality, or a stratified subset, in worker processes."""
    total = sum(t.recipients for t in all_towns)
    est_wall = total * est_ms / 1000 / NATIONAL_PROCESSES
    print(f"\n== 2b. batch for every scale municipality ({NATIONAL_PROCESSES} processes) ==")
    print(
        f"{len(all_towns)} municipalities, {total} recipients; estimate from 2a "
        f"(densest town, so pessimistic): {est_wall:.0f} s wall"
    )
    if est_wall <= plan.national_budget_s:
        groups = [[t] for t in all_towns]
    else:
        # Strata of k consecutive towns by size; the middle one of each is measured.
        k = math.ceil(est_wall / (plan.national_budget_s / 2))
        groups = [all_towns[i : i + k] for i in range(0, len(all_towns), k)]
    chosen = [g[len(g) // 2] for g in groups]
    subset = len(chosen) < len(all_towns)
    if subset:
        n_sub = sum(t.recipients for t in chosen)
        print(
            f"SUBSET: the full run would exceed ~{plan.national_budget_s / 60:.0f} min, so "
            f"{len(chosen)} of {len(all_towns)} municipalities ({n_sub} recipients, "
            f"{100 * n_sub / total:.0f}%) are run: the middle one of each stratum of "
            f"{len(groups[0])} consecutive towns by size; the rest is EXTRAPOLATED "
            f"by recipient count from its stratum's measured ms/recipient"
        )
    jobs = sorted(chosen, key=lambda t: -t.recipients)
    ctx = multiprocessing.get_context("spawn")
    t0 = time.perf_counter()
    with ctx.Pool(NATIONAL_PROCESSES, initializer=_worker_init) as pool:
        measured = {
            slug: (n, ls, rs)
            for slug, n, ls, rs in pool.imap_unordered(
                _worker_run, [(t.id, t.slug, now) for t in jobs]
            )
        }
    wall = time.perf_counter() - t0
    n_run = sum(v[0] for v in measured.values())
    cpu = sum(v[1] + v[2] for v in measured.values())
    load_cpu = sum(v[1] for v in measured.values())
    print(
        f"measured: {len(measured)} municipalities, {n_run} recipients in {wall:.1f} s wall "
        f"(incl. process start), {cpu:.1f} s summed in workers ({load_cpu:.1f} s loading "
        f"profiles) = {cpu * 1000 / n_run:.2f} ms/recipient, "
        f"{wall * 1000 / n_run:.2f} ms/recipient of wall time"
    )
    for t in jobs[:3] + jobs[-2:] if len(jobs) > 5 else jobs:
        n, ls, rs = measured[t.slug]
        print(
            f"  {t.slug:<28} {n:>6} recipients {ls + rs:>7.1f} s "
            f"{(ls + rs) * 1000 / n:>6.2f} ms each"
        )
    if subset:
        est_cpu = 0.0
        biggest = 0.0
        for g, c in zip(groups, chosen, strict=True):
            n, ls, rs = measured[c.slug]
            per = (ls + rs) / n
            est_cpu += per * sum(t.recipients for t in g)
            biggest = max(biggest, per * g[0].recipients)
        est_wall_nat = max(est_cpu / NATIONAL_PROCESSES, biggest)
        print(
            f"EXTRAPOLATED national ({total} recipients): {est_cpu:.0f} s of worker time, "
            f"~{est_wall_nat:.0f} s (~{est_wall_nat / 60:.1f} min) wall with "
            f"{NATIONAL_PROCESSES} processes = {est_cpu * 1000 / total:.2f} ms/recipient"
        )


def bench_straight(
    app: Any, town: Town, profiles: list[RecipientProfile], now: datetime
) -> tuple[dict[uuid.UUID, list[Ranked]], float]:
    """(c): as personal_feed does it, one PostGIS query per person, each in its own session."""
    with app.app_context(), session_scope(app) as s:
        policy = load_policy(s, town.id)
        taxonomy = load_taxonomy(s)
    weights = weights_from_policy(policy)
    out: dict[uuid.UUID, list[Ranked]] = {}
    ms: list[float] = []
    query_ms: list[float] = []
    sizes: list[int] = []
    full_rank_ms: list[float] = []
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
            cands = [to_candidate(*row) for row in rows]
            person = person_from_profile(p)
            out[p.user_id] = rank(
                person,
                cands,
                now=now,
                weights=weights,
                categories=taxonomy.categories,
                labels=taxonomy.labels,
                excluded_ids=excluded,
                limit=K,
            )
            ms.append((time.perf_counter() - t0) * 1000)
            query_ms.append((t1 - t0) * 1000)
            sizes.append(len(rows))
            # What personal_feed itself does: rank everything (reasons for all), then slice.
            t2 = time.perf_counter()
            rank(
                person,
                cands,
                now=now,
                weights=weights,
                categories=taxonomy.categories,
                labels=taxonomy.labels,
                excluded_ids=excluded,
            )
            full_rank_ms.append((time.perf_counter() - t2) * 1000)
    mean = statistics.mean(ms)
    p50, p95, p99 = pcts(ms)
    print(f"\n== 2c. straightforward: candidate_rows + rank(limit={K}) per recipient ==")
    print(
        f"random sample of {len(profiles)} recipients of {town.slug}: mean {mean:.1f} ms "
        f"(p50 {p50:.1f} / p95 {p95:.1f} / p99 {p99:.1f}); of which candidate_rows "
        f"{statistics.mean(query_ms):.1f} ms for {statistics.mean(sizes):.0f} rows on average"
    )
    print(
        f"personal_feed ranks without a limit: rank(all) {statistics.mean(full_rank_ms):.1f} ms "
        f"per recipient on the same candidates"
    )
    return out, mean


def compare(batch: dict[uuid.UUID, list[Ranked]], straight: dict[uuid.UUID, list[Ranked]]) -> None:
    """(d): the same top-k ids, in the same order, with the same scores?"""
    same = ids_only = 0
    diffs: list[str] = []
    for uid, s_res in straight.items():
        a, b = top_ids(batch[uid]), top_ids(s_res)
        if a == b:
            same += 1
            continue
        if [x for x, _ in a] == [x for x, _ in b]:
            ids_only += 1
        pos = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), None)
        pos = min(len(a), len(b)) if pos is None else pos
        diffs.append(
            f"  {uid} at position {pos + 1}: batch {a[pos : pos + 2]} (n={len(a)}), "
            f"straightforward {b[pos : pos + 2]} (n={len(b)})"
        )
    print(f"\n== 2d. batch vs straightforward, top-{K} of {len(straight)} sampled recipients ==")
    print(
        f"same ids and scores: {same}; same ids, other scores: {ids_only}; "
        f"different ids or order: {len(diffs) - ids_only}"
    )
    if diffs:
        print("\n".join(diffs[:5]))


# ---------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.matching", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small run (a few minutes)")
    parser.add_argument("--workers", type=int, choices=(2, 4), default=4, help="gunicorn workers")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    rng = random.Random(SEED)
    app = create_app()
    with app.app_context(), session_scope(app) as s:
        all_towns = towns(s)
        opps = s.scalar(
            text(
                "select count(*) from opportunities o join municipalities m"
                " on m.id = o.municipality_id where m.slug like 'scale-%'"
                " and o.status = 'published'"
            )
        )
        try:
            s.execute(text("select 1 from matches limit 1"))
        except ProgrammingError:
            sys.exit("The dev database lacks the matches table: run `alembic upgrade head`.")
    if not all_towns:
        sys.exit("No scale data: run `flask --app wsgi seed scale` first.")
    big = all_towns[0]
    db = os.environ["DATABASE_URL"].rsplit("@", 1)[-1]
    print(
        f"data ({db}): {len(all_towns)} scale municipalities, "
        f"{sum(t.recipients for t in all_towns)} recipient profiles, {opps} published "
        f"opportunities; largest by recipients: {big.slug} ({big.recipients})"
    )
    print(f"run: {'--quick' if args.quick else 'full'}, seed {SEED}")

    bench_http(app, big, plan, args.workers, rng)

    now = utcnow()
    with app.app_context(), session_scope(app) as s:
        profiles = load_profiles(s, big.id)
    sample = random.Random(SEED).sample(profiles, min(plan.sample, len(profiles)))
    batch, batch_ms = bench_batch_large(app, big, plan, now, {p.user_id for p in sample})
    bench_national(all_towns, plan, now, batch_ms)
    straight, straight_ms = bench_straight(app, big, sample, now)
    total = sum(t.recipients for t in all_towns)
    print(
        f"extrapolated, one process: {big.slug} {straight_ms * big.recipients / 1000:.0f} s "
        f"(batch 2a: {batch_ms * big.recipients / 1000:.0f} s); national "
        f"{straight_ms * total / 1000 / 60:.0f} min (from the densest town, so pessimistic)"
    )
    compare(batch, straight)


if __name__ == "__main__":
    main()
