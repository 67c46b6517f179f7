"""`flask experiments simulate`: does the report keep its promises on data with a known truth?"""

from __future__ import annotations

import time
from collections.abc import Callable

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from api.db import utcnow
from api.simulation.trial import (
    COACHES,
    HORIZON_DAYS,
    LADDER_SLOPE,
    Summary,
    TrialResult,
    population,
    run_trial,
    summarise,
)


def simulate(
    engine: Engine,
    *,
    trials: int,
    people: int,
    effect: float,
    baseline: float,
    seed: int,
    plan_sample: int = 20,
    progress: Callable[[int], None] | None = None,
) -> list[TrialResult]:
    """Run the trials, each in a transaction of its own that is rolled back (nothing stays).

    Every trial builds its own population: reusing one across savepoints of one long
    transaction makes each trial slower than the last (the rolled-back rows of earlier trials
    hang on to the same people's index entries until the transaction ends).
    """
    results = []
    now = utcnow()
    for i in range(trials):
        with engine.connect() as conn:
            trans = conn.begin()
            session = Session(bind=conn)
            try:
                s = ((seed * 7919 + i * 104729) % 20000) / 10000 - 1  # in [-1, 1)
                session.execute(text("SELECT setseed(:s)"), {"s": s})
                mun, actor = population(session, people=people, now=now)
                results.append(
                    run_trial(
                        session,
                        mun=mun,
                        actor=actor,
                        effect=effect,
                        baseline=baseline,
                        seed=s,
                        now=now,
                        plan_sample=plan_sample,
                    )
                )
            finally:
                session.close()
                trans.rollback()
        if progress is not None:
            progress(i + 1)
    return results


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def describe(summary: Summary, *, people: int, effect: float, baseline: float) -> list[str]:
    """The printed result, with the goals beside the figures."""
    s = summary
    return [
        f"{s.trials} trials of {people} synthetic people each: two arms 1:1, blocked within "
        f"ladder step x coach ({COACHES} coaches), horizon {HORIZON_DAYS} days;",
        f"  true effect {effect * 100:+.1f} pp on started paid work, baseline "
        f"{baseline:.0%} ({LADDER_SLOPE * 100:+.0f} pp per ladder step); every trial rolled back.",
        f"  trials with all primary cells shown (none under 10): {s.analysed}",
        f"  95% interval covers the true effect:    {s.coverage:6.1%}  "
        f"(goal 93-97%)  {_verdict(0.93 <= s.coverage <= 0.97)}",
        f"  false positives at effect 0 (same people, outcomes redrawn): "
        f"{s.false_positive_rate:6.1%}  (goal <= 6%)  {_verdict(s.false_positive_rate <= 0.06)}",
        f"  broken assignment (1/5 of control moved to treatment) flagged by SRM: "
        f"{s.srm_broken_flagged:6.1%}  (goal >= 99%)  {_verdict(s.srm_broken_flagged >= 0.99)}",
        f"  honest assignment flagged by SRM:       {s.srm_fair_flagged:6.1%}",
        f"  power at the true effect:               {s.power:6.1%}; mean estimate "
        f"{s.mean_difference * 100:+.2f} pp",
    ]


def register_simulation_commands(app: Flask) -> None:
    """Attach the `experiments` group."""
    group = AppGroup("experiments", help="Randomised experiments on nudge strategies.")

    @group.command("simulate")
    @click.option("--trials", default=100, show_default=True, type=click.IntRange(1, 100_000))
    @click.option("--people", default=1000, show_default=True, type=click.IntRange(40, 100_000))
    @click.option(
        "--effect",
        default=0.05,
        show_default=True,
        type=click.FloatRange(-0.2, 0.2),
        help="True effect on the rate (0.05 = +5 percentage points).",
    )
    @click.option("--baseline", default=0.25, show_default=True, type=click.FloatRange(0.1, 0.7))
    @click.option("--seed", default=1, show_default=True)
    @click.option(
        "--plan-sample",
        default=20,
        show_default=True,
        type=click.IntRange(0, 100_000),
        help="People per trial planned through the real planner (exposure logged).",
    )
    def simulate_command(
        trials: int, people: int, effect: float, baseline: float, seed: int, plan_sample: int
    ) -> None:
        """Synthetic populations with a known true effect, through enrolment, planning, report."""
        started = time.perf_counter()
        engine: Engine = app.extensions["meedoen_engine"]
        results = simulate(
            engine,
            trials=trials,
            people=people,
            effect=effect,
            baseline=baseline,
            seed=seed,
            plan_sample=plan_sample,
            progress=lambda done: (
                click.echo(f"  {done}/{trials} trials", err=True) if done % 50 == 0 else None
            ),
        )
        lines = describe(summarise(results), people=people, effect=effect, baseline=baseline)
        took = time.perf_counter() - started
        lines.append(f"  time: {took:.0f} s ({took / trials:.2f} s per trial)")
        click.echo("\n".join(lines))

    app.cli.add_command(group)
