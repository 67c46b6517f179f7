"""The scheduler process (`flask scheduler run`) and `flask nudges run-due --at ...`."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import click
from flask import Flask
from flask.cli import AppGroup

from api.db import utcnow

log = logging.getLogger(__name__)


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
    from api.nudges.jobs import run_dispatcher, run_due, run_planner, run_retention
    from api.nudges.planner import PLANNERS

    scheduler = AppGroup("scheduler", help="The job scheduler (its own process).")
    nudges = AppGroup("nudges", help="Plan and deliver nudges.")

    @scheduler.command("run")
    @click.option("--plan-every-minutes", default=15, show_default=True)
    @click.option("--dispatch-every-seconds", default=30, show_default=True)
    def scheduler_run(plan_every_minutes: int, dispatch_every_seconds: int) -> None:
        """Run planners and the dispatcher on a schedule until stopped."""
        from apscheduler.schedulers.blocking import BlockingScheduler

        sched = BlockingScheduler(timezone="Europe/Amsterdam")

        def plan() -> None:
            now = utcnow()
            for name in PLANNERS:
                try:
                    run_planner(app, name, now)
                except Exception:  # one planner failing must not stop the others
                    log.exception("planner %s failed", name)

        def dispatch() -> None:
            run_dispatcher(app, utcnow(), app.extensions["meedoen_push"])

        def retention() -> None:
            run_retention(app, utcnow())

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
