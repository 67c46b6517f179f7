"""The nudges' jobs: each planning run, and the dispatcher that drains the outbox in batches."""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
        run_planners(session, name, now=now, stats=stats, checkpoint=session.commit)
        return asdict(stats)

    job.__doc__ = f"Plan the {name.replace('_', ' ')} due as of `now`."
    return job


log = logging.getLogger(__name__)
STATISTICS_EVERY = 10.0  # seconds between refreshes of the outbox's statistics while draining


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
    refresh_statistics: bool = True,
) -> DispatchStats:
    """Drain what is due, one committed batch at a time (no lock: SKIP LOCKED shares the rows).

    A backlog was just written by a planning run, before PostgreSQL's statistics knew of it:
    with "a few pending" in mind it sorts every pending row for each batch (160 ms a batch at
    140,000) instead of reading the first ones off the index. So a full first batch first has
    the table's statistics brought up to date (a sample; a fraction of a second). Then
    `workers` threads (DISPATCH_WORKERS, default 2) drain the rest side by side: while one
    waits on PostgreSQL or the push provider, another renders its batch.
    `refresh_statistics=False` skips that (a caller that drains often does it now and then).
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
            total.merge(stats)
        return stats.handled >= batch

    if not one():
        return total
    if refresh_statistics:
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


@contextmanager
def dispatching_alongside(
    app: Flask, now: datetime, provider: PushProvider
) -> Iterator[DispatchStats]:
    """Deliver what is due from a process of its own while the caller plans (and commits as it
    goes); on leaving, that process drains what is still due and its figures are in the stats.

    A process, not a thread: planning and dispatching are both mostly Python, and two threads
    share one core (measured, README Benchmarks). Forked, so the child has the app as it is
    (its provider too, unused so far in a `run-due` process) and a database pool of its own.
    With sessions bound to one connection (tests), it dispatches afterwards, in this process.
    """
    total = DispatchStats()
    if not parallel_sessions(app):
        yield total
        total.merge(run_dispatcher(app, now, provider))
        return
    context = multiprocessing.get_context("fork")
    planned = context.Event()
    results, child_end = context.Pipe(duplex=False)
    child = context.Process(
        target=_dispatch_until, args=(app, now, provider, planned, child_end), name="dispatcher"
    )
    child.start()
    child_end.close()  # so a child that dies is an EOF here, not a wait forever
    try:
        yield total
    finally:
        planned.set()
        try:
            outcome, figures = results.recv()
        except EOFError:
            outcome, figures = "error", None
        child.join()
        results.close()
        if outcome != "ok":  # logged also when planning failed too (that error is raised)
            figures = figures or f"the dispatcher process ended with {child.exitcode}"
            log.error("dispatching alongside the planners failed:\n%s", figures)
    if outcome != "ok":
        raise RuntimeError(f"dispatching alongside the planners failed:\n{figures}")
    total.merge(DispatchStats(**figures))


def _dispatch_until(
    app: Flask, now: datetime, provider: PushProvider, planned: Any, results: Any
) -> None:
    """The child: drain, wait a moment, drain again, until the parent has planned; then once
    more, so whatever it committed before saying so goes out too."""
    app.extensions["meedoen_engine"].dispose(close=False)  # the parent's connections stay its own
    parent = os.getppid()
    try:
        total = DispatchStats()
        analyzed = float("-inf")
        while True:
            # A parent that died (killed) never says it planned: stop after this drain.
            last = planned.is_set() or os.getppid() != parent
            refresh = time.monotonic() - analyzed >= STATISTICS_EVERY
            total.merge(run_dispatcher(app, now, provider, refresh_statistics=refresh))
            if refresh:
                analyzed = time.monotonic()
            if last:
                break
            planned.wait(0.25)
        results.send(("ok", asdict(total)))
    except BaseException:
        results.send(("error", traceback.format_exc()))
    finally:
        results.close()
