"""Job runs: each planner in its own transaction under an advisory lock; dispatch in batches."""

from __future__ import annotations

import logging
import zlib
from dataclasses import asdict
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from api.db import session_scope
from api.nudges.dispatcher import DispatchStats, dispatch_batch
from api.nudges.outbox import PlanStats
from api.nudges.planner import PLANNERS
from api.nudges.providers import PushProvider

log = logging.getLogger(__name__)
LOCK_NAMESPACE = 4242


def _lock_key(name: str) -> int:
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


def run_planner(app: Flask, name: str, now: datetime) -> PlanStats | None:
    """Run one planner unless another process runs it right now (then None)."""
    with session_scope(app) as session:
        got = session.scalar(
            select(func.pg_try_advisory_xact_lock(LOCK_NAMESPACE, _lock_key(name)))
        )
        if not got:
            log.info("planner %s is running elsewhere; skipped", name)
            return None
        stats = PlanStats.empty()
        PLANNERS[name](session, now, stats)
        return stats


def run_dispatcher(
    app: Flask,
    now: datetime,
    provider: PushProvider,
    *,
    batch: int = 200,
    max_batches: int = 10_000,
) -> DispatchStats:
    """Drain what is due, one committed batch at a time."""
    total = DispatchStats()
    for _ in range(max_batches):
        with session_scope(app) as session:
            stats = dispatch_batch(session, now=now, provider=provider, limit=batch)
        total.delivered += stats.delivered
        total.retried += stats.retried
        total.dead += stats.dead
        if stats.handled < batch:
            break
    return total


def run_retention(app: Flask, now: datetime) -> dict[str, int] | None:
    """Remove old check-in notes and inactive accounts per municipality policy."""
    from api.municipalities.models import Municipality
    from api.municipalities.policy import load_policy
    from api.privacy.service import apply_retention

    with session_scope(app) as session:
        got = session.scalar(
            select(func.pg_try_advisory_xact_lock(LOCK_NAMESPACE, _lock_key("retention")))
        )
        if not got:
            return None
        total = {"notes_removed": 0, "accounts_erased": 0}
        for mid in session.scalars(select(Municipality.id)):
            policy = load_policy(session, mid)
            done = apply_retention(
                session,
                now=now,
                municipality_id=mid,
                note_days=policy.checkin_note_retention_days,
                inactive_days=policy.inactive_account_retention_days,
            )
            for key, value in done.items():
                total[key] += value
        return total


def run_due(app: Flask, now: datetime) -> dict[str, Any]:
    """Everything due as of `now`: every planner, retention, then the dispatcher."""
    planned: dict[str, Any] = {}
    for name in PLANNERS:
        stats = run_planner(app, name, now)
        planned[name] = "skipped (running elsewhere)" if stats is None else asdict(stats)
    retention = run_retention(app, now)
    dispatched = run_dispatcher(app, now, app.extensions["meedoen_push"])
    return {
        "at": now.isoformat(),
        "planned": planned,
        "retention": retention if retention is not None else "skipped (running elsewhere)",
        "dispatched": asdict(dispatched),
    }
