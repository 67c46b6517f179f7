"""The honesty check of api/experiments: synthetic populations with a known true effect.

Each trial builds a municipality of P synthetic recipients (ladder step 1-3, one of four
coaches), pre-registers and starts a two-arm experiment through the real service (power,
salted blocked enrolment stratified by ladder step and coach, audit rows), runs a planning pass
through the real planner skeleton (arms shape the nudges, exposure is logged), lets outcomes
happen in SQL (started paid work with a baseline that rises with the ladder step, plus the true
effect in the treatment arm), and reads the real report. On the same population it then redraws
the outcomes with no effect (false positives) and breaks the assignment on purpose (a fifth of
control moved to treatment, as a bucketing bug would) to see whether the sample-ratio check
flags it. Nothing is kept: the caller rolls each trial back.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from api.auth.security import Actor
from api.core.time import local_date
from api.experiments import service
from api.experiments.models import Assignment, Experiment, ExperimentArm, Exposure
from api.experiments.report import report
from api.municipalities.models import Municipality, Policy
from api.nudges.outbox import PlanStats
from api.nudges.planners.skeleton import Planned, Planner, Scope, plan
from api.users.models import User

LADDER_SLOPE = 0.05  # the baseline rate rises 5 points per ladder step (1-3)
COACHES = 4
HORIZON_DAYS = 60


@dataclass(frozen=True)
class TrialResult:
    difference: float | None
    low: float | None
    high: float | None
    covered: bool | None  # the 95% interval covers the true effect
    significant_at_effect: bool | None
    false_positive: bool | None  # null twin: Holm p < 0.05 (interval excludes zero)
    srm_fair: bool  # the sample-ratio check flagged the honest assignment
    srm_broken: bool  # ... and the deliberately broken one
    exposed: int  # exposures the planning pass logged (one per planned person)


_PEOPLE = """
WITH coaches AS (SELECT array_agg(id ORDER BY id) AS ids FROM users
                 WHERE municipality_id = :mun AND role = 'coach'),
people AS (
    SELECT gen_random_uuid() AS id, i,
           1 + floor(random() * 3)::int AS step,
           1 + floor(random() * :coaches)::int AS coach_no
    FROM generate_series(1, :n) AS i
),
made AS (
    INSERT INTO users (id, municipality_id, role, name, coach_id, is_active, created_at)
    SELECT p.id, :mun, 'recipient', 'Synthetisch ' || p.i, c.ids[p.coach_no], true, :now
    FROM people p CROSS JOIN coaches c
    RETURNING id
)
INSERT INTO recipient_profiles (user_id, municipality_id, display_name, preferred_language,
    travel_mode, max_distance_km, interests, availability, accessibility_needs, dutch_level,
    ladder_step, nudge_preferences)
SELECT p.id, :mun, 'Synth', 'nl', 'bike', 5, '{}', '{}', '{}', 'B1', p.step, '{}'
FROM people p JOIN made m ON m.id = p.id
"""

_OUTCOMES = """
INSERT INTO checkins (id, user_id, municipality_id, date, hours, wellbeing, steps_toward_work,
    informal_care, created_at)
SELECT gen_random_uuid(), a.user_id, :mun, CAST(:day AS date), 2, 3,
       CASE WHEN random() < :baseline + (CAST(a.baseline ->> 'ladder_step' AS int) - 2) * :slope
                            + CASE WHEN arm.is_control THEN 0 ELSE :effect END
            THEN CAST(ARRAY['started_paid_work'] AS varchar[]) ELSE CAST('{}' AS varchar[]) END,
       false, :now
FROM experiment_assignments a JOIN experiment_arms arm ON arm.id = a.arm_id
WHERE a.experiment_id = :exp
"""

_BREAK = """
UPDATE experiment_assignments SET arm_id = :treatment
WHERE experiment_id = :exp AND arm_id = :control AND abs(hashtext(CAST(user_id AS text))) % 5 = 0
"""


def population(session: Session, *, people: int, now: datetime) -> tuple[Municipality, Actor]:
    """The synthetic municipality, built once per run; every trial re-randomises it."""
    mun = Municipality(slug=f"sim-{uuid.uuid4().hex[:12]}", name="Simulatie")
    session.add(mun)
    session.flush()
    session.add(Policy(municipality_id=mun.id, settings={}))
    admin = User(municipality_id=mun.id, role="admin", name="Simulatie admin")
    coaches = [
        User(municipality_id=mun.id, role="coach", name=f"Coach {i}") for i in range(COACHES)
    ]
    session.add_all([admin, *coaches])
    session.flush()
    session.execute(text(_PEOPLE), {"mun": mun.id, "n": people, "coaches": COACHES, "now": now})
    return mun, Actor(admin.id, "admin", mun.id, None)


def _body(now: datetime) -> dict[str, Any]:
    return {
        "name": "Simulatie",
        "hypothesis": "Winstgerichte woorden laten meer mensen aan het werk gaan.",
        "arms": [
            {"key": "control", "name": "Zoals nu", "weight": 1, "is_control": True},
            {
                "key": "gain",
                "name": "Winst",
                "weight": 1,
                "is_control": False,
                "treatment": {"framing": "gain"},
            },
        ],
        "eligibility": {},
        "strata": ["ladder_step", "coach"],
        "primary_outcome": "started_paid_work",
        "horizon_days": HORIZON_DAYS,
        "secondary_outcomes": [],
        "guardrails": [],
        "enrol_until": now + timedelta(days=30),
        "planned_end": now + timedelta(days=180),
        "dpia_reference": "SIMULATIE",
        "ethics_reference": "SIMULATIE",
    }


def _planning_pass(session: Session, exp: Experiment, *, now: datetime, sample: int) -> int:
    """A check-in prompt for `sample` enrolled people through the real planner skeleton (the
    outbox writes one row at a time, so a trial plans for a sample, not for everyone).
    Returns how many exposures it logged."""

    def who(s: Session, scope: Scope) -> Iterable[uuid.UUID]:
        if scope.municipality_id != exp.municipality_id:
            return []
        return s.scalars(
            select(Assignment.user_id)
            .where(Assignment.experiment_id == exp.id)
            .order_by(Assignment.user_id)
            .limit(sample)
        ).all()

    def what(user_id: uuid.UUID, scope: Scope) -> Planned:
        return Planned(user_id, "sim", {"name": "Synth", "title": "Taalcafé"}, "nl", {})

    plan(session, Planner("checkin_prompt", who, what), now=now, stats=PlanStats.empty())
    return int(
        session.scalar(
            select(func.count()).select_from(Exposure).where(Exposure.experiment_id == exp.id)
        )
        or 0
    )


def _primary(result: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in result["outcomes"][0]["arms"] if r["arm"] == "gain")


def run_trial(
    session: Session,
    *,
    mun: Municipality,
    actor: Actor,
    effect: float,
    baseline: float,
    seed: float,
    now: datetime,
    plan_sample: int = 20,
) -> TrialResult:
    """One synthetic trial inside the caller's transaction (which the caller rolls back)."""
    session.execute(text("SELECT setseed(:s)"), {"s": seed})
    created = service.create(session, actor=actor, data=_body(now))
    service.start(session, actor=actor, experiment_id=created["id"])
    exp = session.get(Experiment, created["id"])
    assert exp is not None
    arms = list(session.scalars(select(ExperimentArm).where(ExperimentArm.experiment_id == exp.id)))
    control = next(a for a in arms if a.is_control)
    treatment = next(a for a in arms if not a.is_control)
    exposed = _planning_pass(session, exp, now=now, sample=plan_sample)
    later = now + timedelta(days=1)
    params = {
        "mun": mun.id,
        "exp": exp.id,
        "day": local_date(later),
        "now": later,
        "baseline": baseline,
        "slope": LADDER_SLOPE,
    }
    session.execute(text(_OUTCOMES), {**params, "effect": effect})
    real = report(session, exp, arms, now=later)
    row = _primary(real)
    covered = significant = None
    if row["difference"] is not None:
        covered = row["ci_low"] <= effect <= row["ci_high"]
        significant = row["p_holm"] < 0.05 and not (row["ci_low"] <= 0 <= row["ci_high"])
    # The same population, no effect: does the report see one anyway?
    session.execute(text("DELETE FROM checkins WHERE municipality_id = :mun"), {"mun": mun.id})
    session.execute(text(_OUTCOMES), {**params, "effect": 0.0})
    null_row = _primary(report(session, exp, arms, now=later))
    false_positive = None
    if null_row["difference"] is not None:
        false_positive = null_row["p_holm"] < 0.05 and not (
            null_row["ci_low"] <= 0 <= null_row["ci_high"]
        )
    # A broken assignment: does the sample-ratio check flag it?
    session.execute(text(_BREAK), {"exp": exp.id, "treatment": treatment.id, "control": control.id})
    broken = report(session, exp, arms, now=later)
    return TrialResult(
        difference=row["difference"],
        low=row["ci_low"],
        high=row["ci_high"],
        covered=covered,
        significant_at_effect=significant,
        false_positive=false_positive,
        srm_fair=real["sample_ratio"]["flagged"],
        srm_broken=broken["sample_ratio"]["flagged"],
        exposed=exposed,
    )


@dataclass(frozen=True)
class Summary:
    trials: int
    analysed: int  # trials whose primary cells were all shown (none under 10)
    coverage: float
    false_positive_rate: float
    power: float
    srm_fair_flagged: float
    srm_broken_flagged: float
    mean_difference: float


def summarise(results: list[TrialResult]) -> Summary:
    shown = [r for r in results if r.covered is not None]
    nulls = [r for r in results if r.false_positive is not None]

    def share(values: list[bool]) -> float:
        return sum(values) / len(values) if values else float("nan")

    return Summary(
        trials=len(results),
        analysed=len(shown),
        coverage=share([bool(r.covered) for r in shown]),
        false_positive_rate=share([bool(r.false_positive) for r in nulls]),
        power=share([bool(r.significant_at_effect) for r in shown]),
        srm_fair_flagged=share([r.srm_fair for r in results]),
        srm_broken_flagged=share([r.srm_broken for r in results]),
        mean_difference=(
            sum(r.difference for r in shown if r.difference is not None) / len(shown)
            if shown
            else float("nan")
        ),
    )
