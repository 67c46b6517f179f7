"""Experiments' own nudges: a coach asked to make contact (an arm's strategy), and the admin
told when a guardrail stopped an arm. Neither is a policy switch: they run wherever needed."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from api.experiments.models import Assignment, Experiment, ExperimentArm
from api.experiments.texts import say
from api.experiments.treatment import COACH_PROMPT_KIND, GUARDRAIL_KIND
from api.nudges.models import Nudge
from api.nudges.outbox import Planned
from api.nudges.planners.skeleton import Planner, Scope
from api.profiles.models import RecipientProfile
from api.users.models import User


def _prompt_who(session: Session, scope: Scope) -> Sequence[Any]:
    """People in a running arm with a coach prompt whose coach was not yet asked."""
    period = cast(Assignment.experiment_id, String) + ":" + cast(Assignment.user_id, String)
    asked = select(Nudge.id).where(
        Nudge.user_id == User.coach_id, Nudge.kind == COACH_PROMPT_KIND, Nudge.period == period
    )
    return session.execute(
        select(Assignment.experiment_id, User.id, User.coach_id, RecipientProfile.display_name)
        .join(Experiment, Experiment.id == Assignment.experiment_id)
        .join(ExperimentArm, ExperimentArm.id == Assignment.arm_id)
        .join(User, User.id == Assignment.user_id)
        .join(RecipientProfile, RecipientProfile.user_id == User.id)
        .where(
            Experiment.municipality_id == scope.municipality_id,
            Experiment.status == "running",
            ExperimentArm.stopped_at.is_(None),
            ExperimentArm.treatment["coach_prompt"].astext == "true",
            Assignment.opted_out_at.is_(None),
            User.coach_id.is_not(None),
            User.is_active.is_(True),
            ~asked.exists(),
        )
        .order_by(User.id)
    ).all()


def _prompt_what(row: tuple[uuid.UUID, uuid.UUID, uuid.UUID, str], scope: Scope) -> Planned:
    experiment_id, person_id, coach_id, name = row
    return Planned(coach_id, f"{experiment_id}:{person_id}", {"person": name}, subject_id=person_id)


# Once per person and experiment: the coach is asked to get in touch (an arm's strategy).
COACH_PROMPT = Planner(COACH_PROMPT_KIND, _prompt_who, _prompt_what, capped=False, always=True)


def _guardrail_who(session: Session, scope: Scope) -> Sequence[Any]:
    """(admin, arm, experiment name) for arms a guardrail stopped, not yet told to that admin."""
    told = select(Nudge.id).where(
        Nudge.user_id == User.id,
        Nudge.kind == GUARDRAIL_KIND,
        Nudge.period == cast(ExperimentArm.id, String),
    )
    return session.execute(
        select(User.id, ExperimentArm, Experiment.name)
        .join(Experiment, Experiment.id == ExperimentArm.experiment_id)
        .join(User, User.municipality_id == Experiment.municipality_id)
        .where(
            Experiment.municipality_id == scope.municipality_id,
            ExperimentArm.stop_reason.like("guardrail:%"),
            User.role == "admin",
            User.is_active.is_(True),
            ~told.exists(),
        )
        .order_by(User.id, ExperimentArm.id)
    ).all()


def _guardrail_what(row: tuple[uuid.UUID, ExperimentArm, str], scope: Scope) -> Planned:
    admin_id, arm, experiment = row
    metric = (arm.stop_reason or "").split(":", 1)[-1]
    params = {"experiment": experiment, "arm": arm.name, "metric": say("nl", f"guardrail.{metric}")}
    return Planned(admin_id, str(arm.id), params)


# The municipality's admins hear when a guardrail stopped an arm.
GUARDRAIL_NOTICE = Planner(
    GUARDRAIL_KIND, _guardrail_who, _guardrail_what, capped=False, always=True
)
