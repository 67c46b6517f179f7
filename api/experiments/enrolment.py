"""Enrolment: who is eligible, their arm (salted blocked assignment), stored for good, audited.

Also what the nudge planners read: each enrolled person's arm, and the exposure log they write.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from api.experiments.assignment import assign, stratum_key
from api.experiments.models import Assignment, Experiment, ExperimentArm, Exposure
from api.experiments.outcomes import PEOPLE_AT
from api.experiments.treatment import Treatment
from api.i18n import N_

SYSTEM_ROLE = "system"
SYSTEM_NAME = "Meedoen (onderzoek)"
STRATA = ("ladder_step", "coach")


_INSERT_ASSIGNMENTS = """
INSERT INTO experiment_assignments
    (experiment_id, user_id, arm_id, stratum, position, assigned_at, baseline)
SELECT :exp, t.user_id, t.arm_id, t.stratum, t.position, :now,
       jsonb_build_object('ladder_step', t.step, 'wellbeing', t.wellbeing, 'paused', t.paused)
FROM unnest(CAST(:users AS uuid[]), CAST(:arms AS uuid[]), CAST(:strata AS text[]),
            CAST(:positions AS int[]), CAST(:steps AS int[]), CAST(:wellbeing AS int[]),
            CAST(:paused AS boolean[]))
     AS t(user_id, arm_id, stratum, position, step, wellbeing, paused)
ON CONFLICT DO NOTHING
"""

# Each enrolment in the person's access log and the municipality's audit trail.
_AUDIT_ENROLMENT = """
INSERT INTO audit_events (id, municipality_id, actor_id, actor_role, actor_name, subject_id,
    action, object_type, object_id, result, origin, purpose, at)
SELECT gen_random_uuid(), :mun, NULL, :role, :name, x.user_id, 'create',
       'experiment_assignment', CAST(:exp AS text), 'success', NULL, :purpose, :now
FROM experiment_assignments x
WHERE x.experiment_id = :exp AND x.assigned_at = :now AND x.user_id = ANY(CAST(:users AS uuid[]))
"""


def _eligible_sql(eligibility: dict[str, Any]) -> str:
    """The municipality's recipients the experiment may enrol (not yet in it, nor in another)."""
    where = [
        "NOT EXISTS (SELECT 1 FROM experiment_assignments x "
        "WHERE x.experiment_id = :exp AND x.user_id = ppl.user_id)",
        "NOT EXISTS (SELECT 1 FROM experiment_assignments x JOIN experiments e "
        "ON e.id = x.experiment_id WHERE x.user_id = ppl.user_id AND e.id <> :exp "
        "AND e.status = 'running')",
    ]
    if eligibility.get("ladder_steps"):
        where.append("ppl.ladder_step = ANY(:steps)")
    if eligibility.get("languages"):
        where.append("ppl.preferred_language = ANY(:languages)")
    if eligibility.get("with_coach"):
        where.append("ppl.coach_id IS NOT NULL")
    return f"SELECT * FROM ({PEOPLE_AT}) ppl WHERE " + " AND ".join(where)  # noqa: S608


def eligible_people(session: Session, exp: Experiment, *, at: datetime) -> list[Any]:
    """Rows (user_id, coach_id, ladder_step, wellbeing, paused) of people eligible now."""
    params = {
        "mun": exp.municipality_id,
        "exp": exp.id,
        "at": at,
        "steps": list(exp.eligibility.get("ladder_steps") or []),
        "languages": list(exp.eligibility.get("languages") or []),
    }
    return list(session.execute(text(_eligible_sql(exp.eligibility)), params).mappings())


def stratum_of(strata: list[str], row: Any) -> str:
    """The stratum text of a person: e.g. 'coach=<id>|ladder_step=2'."""
    values: dict[str, str | int | None] = {}
    for name in strata:
        value = row["coach_id"] if name == "coach" else row["ladder_step"]
        values[name] = "none" if value is None else str(value)
    return stratum_key(values)


def enrol(session: Session, exp: Experiment, arms: list[ExperimentArm], *, now: datetime) -> int:
    """Enrol everyone eligible now who is not yet in: arm by salted blocked assignment."""
    people = eligible_people(session, exp, at=now)
    if not people:
        return 0
    taken: dict[str, int] = {
        stratum: int(next_place)
        for stratum, next_place in session.execute(
            select(Assignment.stratum, func.max(Assignment.position) + 1)
            .where(Assignment.experiment_id == exp.id)
            .group_by(Assignment.stratum)
        )
    }
    by_id = {str(p["user_id"]): p for p in people}
    # Every arm keeps its weight after a guardrail stopped it (its people then get the current
    # policy), so the randomisation and the analysis by assigned arm stay as registered.
    weights = {a.key: a.weight for a in arms}
    decided = assign(
        exp.salt,
        weights,
        [(pid, stratum_of(exp.strata, p)) for pid, p in by_id.items()],
        taken,
    )
    arm_ids = {a.key: a.id for a in arms}
    people_in = [by_id[d.person] for d in decided]
    # One statement each (arrays in, rows out): enrolment is set-based, also for thousands.
    session.execute(
        text(_INSERT_ASSIGNMENTS),
        {
            "exp": exp.id,
            "now": now,
            "users": [p["user_id"] for p in people_in],
            "arms": [arm_ids[d.arm] for d in decided],
            "strata": [d.stratum for d in decided],
            "positions": [d.position for d in decided],
            "steps": [p["ladder_step"] for p in people_in],
            "wellbeing": [p["wellbeing"] for p in people_in],
            "paused": [bool(p["paused"]) for p in people_in],
        },
    )
    session.execute(
        text(_AUDIT_ENROLMENT),
        {
            "exp": exp.id,
            "now": now,
            "mun": exp.municipality_id,
            "role": SYSTEM_ROLE,
            "name": SYSTEM_NAME,
            "purpose": N_("enrolled in an experiment by salted assignment"),  # its id: object_id
            "users": [p["user_id"] for p in people_in],
        },
    )
    rows = decided
    return len(rows)


@dataclass(frozen=True)
class ArmView:
    """What a planner needs of a person's arm."""

    experiment_id: uuid.UUID
    arm_id: uuid.UUID
    is_control: bool
    treatment: Treatment


def arms_for(session: Session, *, municipality_id: uuid.UUID) -> dict[uuid.UUID, ArmView]:
    """Enrolled people of running experiments who did not opt out, in an arm still going.

    Someone who opted out, or whose arm a guardrail stopped, gets the current policy (control).
    """
    rows = session.execute(
        select(
            Assignment.user_id,
            Assignment.experiment_id,
            Assignment.arm_id,
            ExperimentArm.is_control,
            ExperimentArm.treatment,
        )
        .join(Experiment, Experiment.id == Assignment.experiment_id)
        .join(ExperimentArm, ExperimentArm.id == Assignment.arm_id)
        .where(
            Experiment.municipality_id == municipality_id,
            Experiment.status == "running",
            Assignment.opted_out_at.is_(None),
            ExperimentArm.stopped_at.is_(None),
        )
    )
    return {
        uid: ArmView(eid, aid, control, Treatment.from_stored(treatment))
        for uid, eid, aid, control, treatment in rows
    }


def log_exposures(session: Session, rows: list[dict[str, Any]]) -> None:
    """Exposures (experiment_id, user_id, arm_id, kind, period, outcome, at), once per key."""
    if rows:
        session.execute(
            pg_insert(Exposure).on_conflict_do_nothing(
                index_elements=["experiment_id", "user_id", "kind", "period"]
            ),
            [{"id": uuid.uuid4(), **r} for r in rows],
        )
