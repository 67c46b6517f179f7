"""The nudges' jobs: each planning run, and the dispatcher that drains the outbox in batches."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.db import parallel_sessions, session_scope
from api.nudges.dispatcher import DispatchStats, dispatch_batch
from api.nudges.events import plan_daily_summaries
from api.nudges.outbox import PlanStats
from api.nudges.planners import PLANNERS, run_planners
from api.nudges.providers import PushProvider


def _planning_job(name: str) -> Callable[..., dict[str, Any]]:
    def job(session: Session, *, now: datetime) -> dict[str, Any]:
        stats = PlanStats.empty()
        run_planners(session, name, now=now, stats=stats)
        return asdict(stats)

    job.__doc__ = f"Plan the {name.replace('_', ' ')} due as of `now`."
    return job


# Name -> job(session, *, now) -> stats; api.scheduler runs each under its own lock.
def _summaries_job(session: Session, *, now: datetime) -> dict[str, Any]:
    """Write the daily summaries of staff who chose one."""
    stats = PlanStats.empty()
    plan_daily_summaries(session, now=now, stats=stats)
    return asdict(stats)


PLANNING_JOBS: dict[str, Callable[..., dict[str, Any]]] = {
    **{name: _planning_job(name) for name in PLANNERS},
    "staff_summaries": _summaries_job,
}


def run_dispatcher(
    app: Flask,
    now: datetime,
    provider: PushProvider,
    *,
    batch: int = 500,
    max_batches: int = 10_000,
    workers: int | None = None,
) -> DispatchStats:
    """Drain what is due, one committed batch at a time (no lock: SKIP LOCKED shares the rows).

    A backlog was just written by a planning run, before PostgreSQL's statistics knew of it:
    with "a few pending" in mind it sorts every pending row for each batch (160 ms a batch at
    140,000) instead of reading the first ones off the index. So a full first batch first has
    the table's statistics brought up to date (a sample; a fraction of a second). Then
    `workers` threads (DISPATCH_WORKERS, default 2) drain the rest side by side: while one
    waits on PostgreSQL or the push provider, another renders its batch.
    """
    total = DispatchStats()
    lock = threading.Lock()
    left = [max_batches]

    def one() -> bool:
        """One batch; whether it was full (so more may be waiting)."""
        with lock:
            if left[0] <= 0:
                return False
            left[0] -= 1
        with session_scope(app) as session:
            stats = dispatch_batch(session, now=now, provider=provider, limit=batch)
        with lock:
            total.delivered += stats.delivered
            total.retried += stats.retried
            total.dead += stats.dead
            total.devices_removed += stats.devices_removed
        return stats.handled >= batch

    if not one():
        return total
    with session_scope(app) as session:
        session.execute(text("analyze nudges"))
    count = workers if workers is not None else int(app.config.get("DISPATCH_WORKERS", 2))
    if not parallel_sessions(app):
        count = 1

    failed: list[BaseException] = []

    def drain() -> None:
        try:
            while one():
                pass
        except BaseException as exc:  # raised again below, in the caller's thread
            failed.append(exc)

    threads = [threading.Thread(target=drain, name=f"dispatch-{n}") for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failed:
        raise failed[0]
    return total
