"""The honesty check runs end to end on a few small synthetic trials (the 500-trial run is a
command: `flask experiments simulate --trials 500`)."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from api.experiments.models import Experiment
from api.simulation.cli import describe, simulate
from api.simulation.trial import summarise


def test_simulation_runs_enrolment_planning_and_report_and_keeps_nothing(engine: Engine) -> None:
    results = simulate(
        engine, trials=3, people=200, effect=0.35, baseline=0.25, seed=7, plan_sample=4
    )
    assert len(results) == 3
    for r in results:
        assert r.exposed == 4  # the real planner logged the arm's exposure
        assert r.srm_fair is False  # blocked assignment: the arms are the size they should be
        assert r.covered is not None and r.difference is not None
        assert r.low is not None and r.high is not None and r.low < r.difference < r.high
        assert r.significant_at_effect  # 35 points on 100 per arm is plain to see
    summary = summarise(results)
    assert summary.analysed == 3 and summary.power == 1.0
    text = "\n".join(describe(summary, people=200, effect=0.35, baseline=0.25))
    assert "covers the true effect" in text and "flagged by SRM" in text
    with Session(engine) as s:  # every trial was rolled back
        assert (
            s.scalar(
                select(func.count()).select_from(Experiment).where(Experiment.name == "Simulatie")
            )
            == 0
        )
