"""The nudges' jobs: each planning run, and the dispatcher that drains the outbox in batches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from api.db import session_scope
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
    batch: int = 200,
    max_batches: int = 10_000,
) -> DispatchStats:
    """Drain what is due, one committed batch at a time (no lock: SKIP LOCKED shares the rows)."""
    total = DispatchStats()
    for _ in range(max_batches):
        with session_scope(app) as session:
            stats = dispatch_batch(session, now=now, provider=provider, limit=batch)
        total.delivered += stats.delivered
        total.retried += stats.retried
        total.dead += stats.dead
        total.devices_removed += stats.devices_removed
        if stats.handled < batch:
            break
    return total
