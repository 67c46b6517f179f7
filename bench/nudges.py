"""Time of one `run-due` over the loaded data, per job (expiry, each planner, retention), then
the dispatcher's rate: wall seconds, this process's CPU seconds (with its dispatcher process)
and the database server's CPU seconds (all its processes, those that ended included).

Run: `flask --app wsgi seed scale` once (or copy a database that has it), then
`.venv/bin/python -m bench.nudges [ISO time] [--fresh N] [--whole]` (DATABASE_URL names the
database; `--whole` times `run_due` itself, as `flask nudges run-due` runs it: the dispatcher
in its own process beside the planners; without it each job runs alone, then the dispatcher,
which shows what each costs),
e.g. `.venv/bin/python -m bench.nudges 2026-11-30T09:00:00+01:00 --fresh 20`. Run it twice at
the same moment: the second run must create nothing. `--fresh N` first moves the publication
of N opportunities (the same N each time) into the 23 hours before the moment, so the
new-opportunity alerts have work; it changes the data, so use it on a copy. The machine may be
shared: CPU seconds say more than wall ones.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from api.app import create_app
from api.db import session_scope
from api.nudges.jobs import run_dispatcher
from api.nudges.providers import LogPushProvider
from api.scheduler import EXPIRY, PLANNING, RETENTION, run_due, run_job

_TICKS = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int, *, waited: bool = True) -> int:
    """Clock ticks a process used, with those of its children it has waited for."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    used = int(fields[11]) + int(fields[12])  # utime, stime
    return used + (int(fields[13]) + int(fields[14]) if waited else 0)  # cutime, cstime


def _db_cpu(app: Any) -> float | None:
    """CPU seconds used so far by the PostgreSQL server (same machine only): the postmaster's
    children alive now plus those that ended, so backends of other processes count too."""
    with session_scope(app) as s:
        backend = s.scalar(text("select pg_backend_pid()"))
    try:
        with open(f"/proc/{backend}/stat") as f:
            postmaster = int(f.read().rsplit(")", 1)[1].split()[1])
        total = _proc_cpu(postmaster)
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parent = int(f.read().rsplit(")", 1)[1].split()[1])
                if parent == postmaster:
                    total += _proc_cpu(int(entry))
            except (OSError, ValueError):
                continue  # ended meanwhile
    except OSError:
        return None
    return total / _TICKS


def _own_cpu() -> float:
    """This process's CPU seconds and those of its children that ended (a forked dispatcher)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class Clock:
    """Wall, own CPU and database CPU between two marks."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.mark()

    def mark(self) -> None:
        self.wall, self.cpu, self.db = time.perf_counter(), _own_cpu(), _db_cpu(self.app)

    def since(self) -> tuple[float, float, float | None]:
        db = _db_cpu(self.app)
        return (
            time.perf_counter() - self.wall,
            _own_cpu() - self.cpu,
            None if db is None or self.db is None else db - self.db,
        )


def _fmt(wall: float, cpu: float, db: float | None) -> str:
    dbs = "   n/a" if db is None else f"{db:6.1f}"
    return f"{wall:7.1f} s wall {cpu:7.1f} s cpu {dbs} s db-cpu"


def _freshen(app: Any, at: datetime, n: int) -> None:
    """Publish the first N opportunities (by id) within the day before `at`, spread over 23 h."""
    with session_scope(app) as s:
        s.execute(
            text(
                "update opportunities o set published_at = :at - (f.n % 23 + 1) * interval '1 hour'"
                " from (select id, row_number() over (order by id) as n from opportunities"
                "       where status = 'published' order by id limit :n) f"
                " where o.id = f.id"
                " and o.published_at is distinct from :at - (f.n % 23 + 1) * interval '1 hour'"
            ),
            {"at": at, "n": n},
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("at", nargs="?", default="2026-12-02T09:00:00+00:00")
    parser.add_argument("--fresh", type=int, default=0, help="opportunities published lately")
    parser.add_argument(
        "--whole",
        action="store_true",
        help="time `run_due` as a whole, as `flask nudges run-due` runs it",
    )
    args = parser.parse_args()
    at = datetime.fromisoformat(args.at)
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    app = create_app()
    if args.fresh:
        _freshen(app, at, args.fresh)
    with session_scope(app) as s:
        people = s.execute(text("select count(*) from recipient_profiles")).scalar()
        opps = s.execute(text("select count(*) from opportunities")).scalar()
    print(f"run-due at {at.isoformat()} over {people} recipient profiles, {opps} opportunities")
    if args.whole:
        whole = Clock(app)
        out = run_due(app, at)
        made = sum(sum(p["created"].values()) for p in out["planned"].values() if p)
        print(
            f"run-due as the CLI runs it: {_fmt(*whole.since())}  {made} nudges created,"
            f" {out['dispatched']['delivered']} delivered"
        )
        return
    total = Clock(app)
    clock = Clock(app)
    expiry = run_job(app, EXPIRY, at)
    print(f"  {EXPIRY.name:24s} {_fmt(*clock.since())}  {expiry}")
    created = 0
    planners = [0.0, 0.0, 0.0]
    for job in PLANNING:
        clock.mark()
        stats = run_job(app, job, at)
        took = clock.since()
        planners = [a + (b or 0.0) for a, b in zip(planners, took, strict=True)]
        made = sum(stats["created"].values()) if stats else 0
        dropped = sum(stats["dropped"].values()) if stats else 0
        existing = stats["skipped_existing"] if stats else 0
        created += made
        print(
            f"  {job.name:24s} {_fmt(*took)}  created {made:6d}  dropped {dropped:6d}"
            f"  existing {existing:6d}"
        )
    clock.mark()
    retention = run_job(app, RETENTION, at)
    print(f"  {RETENTION.name:24s} {_fmt(*clock.since())}  {retention}")
    with session_scope(app) as s:
        due = s.execute(
            text("select count(*) from nudges where status = 'pending' and due_at <= :at"),
            {"at": at},
        ).scalar()
    clock.mark()
    dispatched = run_dispatcher(app, at, LogPushProvider())
    sent = clock.since()
    wall = sent[0]
    print(
        f"  {'dispatcher':24s} {_fmt(*sent)}  delivered {dispatched.delivered} of {due} due"
        f" = {dispatched.delivered / wall if wall else 0:.0f} nudges/s ({asdict(dispatched)})"
    )
    print(f"planners:              {_fmt(*planners)}  {created} nudges created")
    both = [a + (b or 0.0) for a, b in zip(planners, sent, strict=True)]
    print(f"planners + dispatcher: {_fmt(*both)}")
    print(f"run-due in all:        {_fmt(*total.since())}  (with expiry and retention)")


if __name__ == "__main__":
    main()
