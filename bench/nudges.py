"""Time of one `run-due` over the loaded data, per job (expiry, each planner); dispatcher rate.

Run: `flask --app wsgi seed scale` once, then `.venv/bin/python -m bench.nudges [ISO time]`.
Each run uses a fresh moment (a later week), so earlier runs' keys do not hide the work.
"""

from __future__ import annotations

import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime

from sqlalchemy import text

from api.app import create_app
from api.db import session_scope
from api.nudges.jobs import run_dispatcher
from api.nudges.providers import LogPushProvider
from api.scheduler import EXPIRY, PLANNING, run_job


def main() -> None:
    at = (
        datetime.fromisoformat(sys.argv[1])
        if len(sys.argv) > 1
        else datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # a Wednesday morning, after quiet hours
    )
    app = create_app()
    with session_scope(app) as s:
        people = s.execute(text("select count(*) from recipient_profiles")).scalar()
    print(f"run-due at {at.isoformat()} over {people} recipient profiles")
    started = time.perf_counter()
    t0 = time.perf_counter()
    expiry = run_job(app, EXPIRY, at)
    print(f"  {EXPIRY.name:24s} {time.perf_counter() - t0:7.1f} s  {expiry}")
    for job in PLANNING:
        t0 = time.perf_counter()
        stats = run_job(app, job, at)
        took = time.perf_counter() - t0
        made = sum(stats["created"].values()) if stats else 0
        dropped = sum(stats["dropped"].values()) if stats else 0
        print(f"  {job.name:24s} {took:7.1f} s  created {made:6d}  dropped {dropped:6d}")
    planning = time.perf_counter() - started
    with session_scope(app) as s:
        due = s.execute(
            text("select count(*) from nudges where status = 'pending' and due_at <= :at"),
            {"at": at},
        ).scalar()
    t0 = time.perf_counter()
    dispatched = run_dispatcher(app, at, LogPushProvider())
    took = time.perf_counter() - t0
    print(f"planning: {planning:.1f} s in all")
    print(
        f"dispatcher: {dispatched.delivered} delivered of {due} due in {took:.1f} s "
        f"= {dispatched.delivered / took if took else 0:.0f} nudges/s ({asdict(dispatched)})"
    )
    print(f"run-due total: {planning + took:.1f} s")


if __name__ == "__main__":
    main()
