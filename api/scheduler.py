"""The scheduler: which job runs when (`flask scheduler run`, `flask nudges run-due --at ...`).

Jobs live with their domain as `job(session, *, now) -> stats`; here each runs in its own
session and transaction under its own advisory lock, so a second scheduler doubles nothing.
"""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import Connection, func, select

from api.db import session_scope, utcnow
from api.experiments.jobs import run_experiments
from api.matches.jobs import expire_requests
from api.nudges.jobs import PLANNING_JOBS, dispatching_alongside, run_dispatcher
from api.plans.jobs import suggest_step_closures
from api.privacy.jobs import enforce_retention

log = logging.getLogger(__name__)
LOCK_NAMESPACE = 4242
SKIPPED = "skipped (running elsewhere)"


@dataclass(frozen=True)
class Job:
    """A domain's job; its name is also its lock (one run at a time across processes)."""

    name: str
    run: Callable[..., Any]  # run(session, *, now) -> JSON-able stats


EXPIRY = Job("expire_requests", expire_requests)
EXPERIMENTS = Job("experiments", run_experiments)  # enrol, guardrails, planned end
# Before the planners, so a step a finished match closes is not reminded of.
CLOSURES = Job("suggest_step_closures", suggest_step_closures)
PLANNING = tuple(Job(name, run) for name, run in PLANNING_JOBS.items())
RETENTION = Job("retention", enforce_retention)


def _lock_key(name: str) -> int:
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


@contextmanager
def job_lock(app: Flask, name: str) -> Iterator[bool]:
    """Whether this process may run the job now: a session-level advisory lock on a connection
    of its own, so it stays held across the commits of a job that commits as it goes (the
    planners commit per municipality). A process that dies loses its connection and the lock."""
    bind = app.extensions["meedoen_sessionmaker"].kw.get("bind")
    conn = bind if isinstance(bind, Connection) else app.extensions["meedoen_engine"].connect()
    key = (LOCK_NAMESPACE, _lock_key(name))
    got = False
    try:
        got = bool(conn.scalar(select(func.pg_try_advisory_lock(*key))))
        if conn is not bind:
            conn.commit()  # the lock outlives the transaction; do not sit idle in one
        yield got
    finally:
        try:
            if got:
                conn.scalar(select(func.pg_advisory_unlock(*key)))
                if conn is not bind:
                    conn.commit()
        except Exception:
            if conn is bind:
                raise
            log.exception("job %s: could not release its lock; closing the connection", name)
            conn.invalidate()  # a closed connection holds no lock; never back to the pool
        finally:
            if conn is not bind:
                conn.close()


def run_job(app: Flask, job: Job, now: datetime) -> Any | None:
    """Run one job in its own session, unless another process runs it right now (then None)."""
    with job_lock(app, job.name) as got:
        if not got:
            log.info("job %s is running elsewhere; skipped", job.name)
            return None
        with session_scope(app) as session:
            return job.run(session, now=now)


def run_each(app: Flask, jobs: tuple[Job, ...], now: datetime) -> None:
    """The scheduler's tick: one job failing must not stop the others."""
    for job in jobs:
        try:
            run_job(app, job, now)
        except Exception:
            log.exception("job %s failed", job.name)


def run_due(app: Flask, now: datetime) -> dict[str, Any]:
    """Everything due: expiry, step closures, experiments, retention, every planner, dispatch.

    Retention goes before the planners, so nobody whose account ends today is planned for.
    The dispatcher runs in a process of its own beside the planners, which commit per
    municipality, so messages go out while the rest is planned (see README, Benchmarks).
    """
    expiry = run_job(app, EXPIRY, now)
    closures = run_job(app, CLOSURES, now)
    experiments = run_job(app, EXPERIMENTS, now)
    retention = run_job(app, RETENTION, now)
    with dispatching_alongside(app, now, app.extensions["meedoen_push"]) as dispatched:
        planned = {job.name: run_job(app, job, now) for job in PLANNING}
    return {
        "at": now.isoformat(),
        "expiry": SKIPPED if expiry is None else expiry,
        "step_closures": SKIPPED if closures is None else closures,
        "experiments": SKIPPED if experiments is None else experiments,
        "planned": {name: SKIPPED if s is None else s for name, s in planned.items()},
        "retention": SKIPPED if retention is None else retention,
        "dispatched": asdict(dispatched),
    }


def _parse_at(value: str | None) -> datetime:
    if not value:
        return utcnow()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise click.BadParameter("use ISO 8601, e.g. 2026-11-30T09:00:00+01:00") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def register_scheduler(app: Flask) -> None:
    """Attach the `scheduler` and `nudges` command groups."""
    scheduler = AppGroup("scheduler", help="The job scheduler (its own process).")
    nudges = AppGroup("nudges", help="Plan and deliver nudges.")

    @scheduler.command("run")
    @click.option("--plan-every-minutes", default=15, show_default=True)
    @click.option("--dispatch-every-seconds", default=30, show_default=True)
    def scheduler_run(plan_every_minutes: int, dispatch_every_seconds: int) -> None:
        """Run expiry, experiments, planners, retention and the dispatcher until stopped."""
        from apscheduler.schedulers.blocking import BlockingScheduler

        sched = BlockingScheduler(timezone="Europe/Amsterdam")

        def plan() -> None:
            run_each(app, (EXPIRY, CLOSURES, EXPERIMENTS, *PLANNING), utcnow())

        def dispatch() -> None:
            run_dispatcher(app, utcnow(), app.extensions["meedoen_push"])

        def retention() -> None:
            run_each(app, (RETENTION,), utcnow())

        common = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 300}
        sched.add_job(retention, "cron", hour=3, minute=30, id="retention", **common)
        sched.add_job(plan, "interval", minutes=plan_every_minutes, id="plan", **common)
        sched.add_job(dispatch, "interval", seconds=dispatch_every_seconds, id="dispatch", **common)
        click.echo(
            f"scheduler running: planners every {plan_every_minutes} min, "
            f"dispatcher every {dispatch_every_seconds} s"
        )
        sched.start()

    @nudges.command("run-due")
    @click.option("--at", "at", default=None, help="ISO 8601 moment; default now")
    def nudges_run_due(at: str | None) -> None:
        """Run everything due as of a moment, then exit (catch-up, operations, tests)."""
        click.echo(json.dumps(run_due(app, _parse_at(at)), indent=2))

    app.cli.add_command(scheduler)
    app.cli.add_command(nudges)
