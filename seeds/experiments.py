"""Demo experiments: one finished in Apeldoorn (with a realistic report), one running in Epe.

Apeldoorn gets 450 extra participants on two research coaches' caseloads, like the municipality's
own three-arm trial (500+ people); they have no account to sign in with. Everything has a
stable id, so loading twice changes nothing.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from api.experiments.assignment import assign
from api.experiments.enrolment import stratum_of
from api.experiments.models import Assignment, Experiment, ExperimentArm, Exposure
from api.experiments.report import ANALYSIS
from api.experiments.stats import mde_rate
from api.ladder.models import LadderEntry
from api.profiles.models import RecipientProfile
from api.progress.models import CheckIn
from api.users.models import User

EXTRA_APELDOORN = 450


def _day(d: date, hour: int = 10) -> datetime:
    return datetime(d.year, d.month, d.day, hour, tzinfo=UTC)


def load_experiments(session: Session, demo_id: Any, ewkt: Any) -> int:
    """Both demo experiments; returns how many people they enrolled."""
    return _apeldoorn(session, demo_id, ewkt) + _epe(session, demo_id)


def _people(session: Session, mun_id: uuid.UUID) -> list[dict[str, Any]]:
    """The municipality's recipients with coach and ladder step (for strata and baselines)."""
    rows = session.execute(
        select(User.id.label("user_id"), User.coach_id, RecipientProfile.ladder_step)
        .join(RecipientProfile, RecipientProfile.user_id == User.id)
        .where(User.municipality_id == mun_id, User.role == "recipient")
        .order_by(User.id)
    ).mappings()
    return [dict(r) for r in rows]


def _experiment(
    session: Session,
    *,
    exp_id: uuid.UUID,
    mun_id: uuid.UUID,
    arms: list[dict[str, Any]],
    people: list[dict[str, Any]],
    **fields: Any,
) -> dict[uuid.UUID, str]:
    """Upsert the experiment and its arms; enrol the people (once). Person -> arm key."""
    values = {"id": exp_id, "municipality_id": mun_id, **fields}
    stmt = insert(Experiment).values(values)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["id"], set_={k: stmt.excluded[k] for k in values if k != "id"}
        )
    )
    for arm in arms:
        row = {"experiment_id": exp_id, **arm}
        a = insert(ExperimentArm).values(row)
        session.execute(
            a.on_conflict_do_update(
                index_elements=["id"], set_={k: a.excluded[k] for k in row if k != "id"}
            )
        )
    weights = {a["key"]: a["weight"] for a in arms}
    arm_ids = {a["key"]: a["id"] for a in arms}
    strata = fields["strata"]
    decided = assign(
        fields["salt"], weights, [(str(p["user_id"]), stratum_of(strata, p)) for p in people]
    )
    by_id = {str(p["user_id"]): p for p in people}
    rows = [
        {
            "experiment_id": exp_id,
            "user_id": by_id[d.person]["user_id"],
            "arm_id": arm_ids[d.arm],
            "stratum": d.stratum,
            "position": d.position,
            "assigned_at": fields["started_at"],
            "baseline": {
                "ladder_step": by_id[d.person]["ladder_step"],
                "wellbeing": 3,
                "paused": False,
            },
        }
        for d in decided
    ]
    session.execute(insert(Assignment).values(rows).on_conflict_do_nothing())
    return {by_id[d.person]["user_id"]: d.arm for d in decided}


def _apeldoorn(session: Session, demo_id: Any, ewkt: Any) -> int:
    slug = "apeldoorn"
    mun_id = demo_id("municipality", slug)
    rng = random.Random("meedoen-demo-experiment-apeldoorn")  # noqa: S311 - demo data
    coaches = []
    for key, name in (("coach3", "Ilse Bakker"), ("coach4", "Youssef El Amrani")):
        coaches.append(demo_id("user", slug, key))
        session.execute(
            insert(User)
            .values(
                id=coaches[-1],
                municipality_id=mun_id,
                email=f"{key}.{slug}@example.org",
                role="coach",
                name=name,
                is_active=True,
            )
            .on_conflict_do_nothing()
        )
    users, profiles = [], []
    for n in range(1, EXTRA_APELDOORN + 1):
        uid = demo_id("user", slug, f"deelnemer{n}")
        users.append(
            {
                "id": uid,
                "municipality_id": mun_id,
                "email": None,
                "role": "recipient",
                "name": f"Deelnemer {n:03d}",
                "is_active": True,
                "coach_id": coaches[n % 2],
            }
        )
        profiles.append(
            {
                "user_id": uid,
                "municipality_id": mun_id,
                "display_name": f"Deelnemer {n:03d}",
                "preferred_language": "nl",
                "postcode_area": "7311",
                "home_area": ewkt(
                    52.2110 + rng.uniform(-0.02, 0.02), 5.9680 + rng.uniform(-0.03, 0.03)
                ),
                "travel_mode": "bike",
                "max_distance_km": 5.0,
                "interests": ["koken"],
                "availability": ["tue-morning", "thu-afternoon"],
                "accessibility_needs": [],
                "dutch_level": "B1",
                "ladder_step": rng.choices([1, 2, 3, 4], weights=[2, 4, 3, 1])[0],
                "nudge_preferences": {},
            }
        )
    session.execute(insert(User).values(users).on_conflict_do_nothing())
    session.execute(insert(RecipientProfile).values(profiles).on_conflict_do_nothing())
    session.flush()

    started = _day(date(2026, 5, 4))
    end = _day(date(2026, 10, 16), 17)
    exp_id = demo_id("experiment", slug)
    arms = [
        {
            "id": demo_id("arm", slug, "control"),
            "key": "control",
            "name": "Zoals nu",
            "weight": 1,
            "is_control": True,
            "treatment": {},
        },
        {
            "id": demo_id("arm", slug, "norm"),
            "key": "norm",
            "name": "Sociale norm",
            "weight": 1,
            "is_control": False,
            "treatment": {"framing": "social_norm"},
        },
        {
            "id": demo_id("arm", slug, "contact"),
            "key": "contact",
            "name": "Winst en een seintje aan de coach",
            "weight": 1,
            "is_control": False,
            "treatment": {"framing": "gain", "coach_prompt": True},
        },
    ]
    people = [p for p in _people(session, mun_id) if p["coach_id"] is not None]
    power = mde_rate(0.17, len(people) // 3, len(people) // 3, comparisons=2)
    registration = {
        "frozen_at": started.isoformat(),
        "hypothesis": "Wie tips in een sociale-normtoon krijgt, of tips over wat meedoen "
        "oplevert plus een belletje van de coach, zet vaker een stap op de ladder.",
        "primary_outcome": "ladder_step_up",
        "secondary_outcomes": ["started_paid_work", "hours_per_month", "wellbeing_change"],
        "horizon_days": 90,
        "strata": ["ladder_step", "coach"],
        "eligibility": {"with_coach": True},
        "guardrails": [{"metric": "opt_out", "threshold": 0.2}],
        "arms": [{k: a[k] for k in ("key", "weight", "is_control", "treatment")} for a in arms],
        "analysis": ANALYSIS,
        "planned_sample_size": len(people),
        "power": {
            "outcome": "ladder_step_up",
            "kind": "rate",
            "eligible": len(people),
            "per_arm": {a["key"]: len(people) // 3 for a in arms},
            "baseline_n": len(people),
            "baseline": 0.17,
            "sd": None,
            "alpha": power.alpha,
            "power": power.power,
            "mde": power.mde,
            "planned_sample_size": len(people),
            "computed_at": started.isoformat(),
        },
    }
    arm_of = _experiment(
        session,
        exp_id=exp_id,
        mun_id=mun_id,
        arms=arms,
        people=people,
        name="Toon en contact bij de wekelijkse tips",
        hypothesis=registration["hypothesis"],
        status="finished",
        salt="demo-apeldoorn-2026",
        eligibility={"with_coach": True},
        strata=["ladder_step", "coach"],
        primary_outcome="ladder_step_up",
        horizon_days=90,
        secondary_outcomes=registration["secondary_outcomes"],
        guardrails=registration["guardrails"],
        enrol_until=started + timedelta(days=14),
        planned_end=end,
        dpia_reference="DPIA-APD-2026-03",
        ethics_reference="CTO-2026-017 (Radboud)",
        registration=registration,
        created_by=demo_id("user", slug, "admin"),
        started_at=started,
        stopped_at=end,
        stop_reason="planned_end",
    )
    # What happened within 90 days: modest effects, as the research found.
    step_up = {"control": 0.17, "norm": 0.20, "contact": 0.28}
    paid = {"control": 0.05, "norm": 0.05, "contact": 0.07}
    extra_hours = {"control": 0.0, "norm": 0.3, "contact": 1.2}
    ladder, checkins, exposures, opted = [], [], [], []
    for uid, arm in sorted(arm_of.items(), key=lambda kv: str(kv[0])):
        r = random.Random(f"apd-{uid}")  # noqa: S311 - demo data
        base = next(p["ladder_step"] for p in people if p["user_id"] == uid) or 2
        if r.random() < step_up[arm] and base < 6:
            ladder.append(
                {
                    "id": demo_id("ladder", uid),
                    "user_id": uid,
                    "municipality_id": mun_id,
                    "step": base + 1,
                    "source": r.choice(["self", "coach"]),
                    "at": started + timedelta(days=r.randint(10, 85)),
                }
            )
        for k in range(r.randint(1, 4)):
            day = (started + timedelta(days=7 + 20 * k + r.randint(0, 6))).date()
            checkins.append(
                {
                    "id": demo_id("checkin", uid, k),
                    "user_id": uid,
                    "municipality_id": mun_id,
                    "date": day,
                    "hours": round(max(0.0, r.gauss(5.0 + extra_hours[arm], 3.0)), 1),
                    "wellbeing": min(
                        5, max(1, round(r.gauss(3.2 + (0.2 if arm == "contact" else 0), 0.9)))
                    ),
                    "steps_toward_work": ["started_paid_work"]
                    if k == 0 and r.random() < paid[arm]
                    else [],
                    "informal_care": False,
                }
            )
        if r.random() < 0.92:
            exposures.append(
                {
                    "id": demo_id("exposure", uid),
                    "experiment_id": exp_id,
                    "user_id": uid,
                    "arm_id": demo_id("arm", slug, arm),
                    "kind": "weekly_suggestions",
                    "period": "2026-W20",
                    "outcome": "given",
                    "at": started + timedelta(days=3),
                }
            )
        if r.random() < (0.03 if arm == "control" else 0.05):
            opted.append(uid)
    for model, rows in ((LadderEntry, ladder), (CheckIn, checkins), (Exposure, exposures)):
        if rows:
            session.execute(insert(model).values(rows).on_conflict_do_nothing())
    if opted:
        session.execute(
            Assignment.__table__.update()
            .where(Assignment.experiment_id == exp_id, Assignment.user_id.in_(opted))
            .values(opted_out_at=started + timedelta(days=30))
        )
    return len(arm_of)


def _epe(session: Session, demo_id: Any) -> int:
    slug = "epe"
    mun_id = demo_id("municipality", slug)
    started = _day(date(2026, 10, 19))
    arms = [
        {
            "id": demo_id("arm", slug, "control"),
            "key": "control",
            "name": "Zoals nu",
            "weight": 1,
            "is_control": True,
            "treatment": {},
        },
        {
            "id": demo_id("arm", slug, "rustig"),
            "key": "rustig",
            "name": "Eén bericht per week, alleen in de inbox",
            "weight": 1,
            "is_control": False,
            "treatment": {"max_per_week": 1, "channel": "inbox", "framing": "loss_aversion"},
        },
    ]
    people = _people(session, mun_id)
    power = mde_rate(0.25, len(people) // 2, len(people) // 2, comparisons=1)
    arm_of = _experiment(
        session,
        exp_id=demo_id("experiment", slug),
        mun_id=mun_id,
        arms=arms,
        people=people,
        name="Minder, rustiger berichten",
        hypothesis="Eén bericht per week in de inbox, zonder melding, houdt evenveel mensen "
        "actief en laat minder mensen berichten uitzetten.",
        status="running",
        salt="demo-epe-2026",
        eligibility={},
        strata=["ladder_step"],
        primary_outcome="started_activity",
        horizon_days=120,
        secondary_outcomes=["nudge_response", "wellbeing_change"],
        guardrails=[
            {"metric": "opt_out", "threshold": 0.2},
            {"metric": "nudge_mute", "threshold": 0.15},
        ],
        enrol_until=_day(date(2027, 1, 31)),
        planned_end=_day(date(2027, 4, 30)),
        dpia_reference="DPIA-EPE-2026-11",
        ethics_reference="niet WMO-plichtig (METC Oost, 2026-09)",
        registration={
            "frozen_at": started.isoformat(),
            "primary_outcome": "started_activity",
            "horizon_days": 120,
            "analysis": ANALYSIS,
            "planned_sample_size": len(people),
            "power": {
                "outcome": "started_activity",
                "kind": "rate",
                "eligible": len(people),
                "per_arm": {a["key"]: len(people) // 2 for a in arms},
                "baseline_n": len(people),
                "baseline": 0.25,
                "sd": None,
                "alpha": power.alpha,
                "power": power.power,
                "mde": power.mde,
                "planned_sample_size": len(people),
                "computed_at": started.isoformat(),
            },
        },
        created_by=demo_id("user", slug, "admin"),
        started_at=started,
    )
    return len(arm_of)
