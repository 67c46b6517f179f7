"""A step of the plan coming due: one kind reminder per step and date, never about failing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from api.core.time import local_date
from api.i18n import texts_for
from api.nudges.models import Nudge
from api.nudges.planners.skeleton import Planned, Planner, Scope
from api.plans.models import PlanStep
from api.plans.status import StepStatus, label
from api.profiles.models import RecipientProfile
from api.users.models import User


def day_in_words(day: date, language: str) -> str:
    """'5 december' / '5 December': a date a person reads without thinking (CLDR month names)."""
    return texts_for(language).date(day, "d MMMM")


def step_period(step: PlanStep) -> str:
    """One reminder per step and date: a new date may bring one new reminder, never more."""
    return f"{step.id}:{step.due_on.isoformat()}"


def _due_who(session: Session, scope: Scope) -> Sequence[Any]:
    """Agreed steps due within the policy's days, not suggested done, not yet reminded."""
    today = local_date(scope.now)
    period = func.concat(cast(PlanStep.id, String), ":", cast(PlanStep.due_on, String))
    told = select(Nudge.id).where(
        Nudge.user_id == PlanStep.recipient_id,
        Nudge.kind == "step_due",
        Nudge.period == period,
    )
    return session.execute(
        select(PlanStep, RecipientProfile)
        .join(RecipientProfile, RecipientProfile.user_id == PlanStep.recipient_id)
        .join(User, User.id == PlanStep.recipient_id)
        .where(
            PlanStep.municipality_id == scope.municipality_id,
            PlanStep.status == StepStatus.AGREED,
            PlanStep.due_on >= today,
            PlanStep.due_on <= today + timedelta(days=scope.policy.step_due_days_before),
            PlanStep.suggested_done_at.is_(None),
            User.is_active.is_(True),
            ~told.exists(),
        )
        .order_by(PlanStep.due_on, PlanStep.id)
    ).all()


def _due_what(row: tuple[PlanStep, RecipientProfile], scope: Scope) -> Planned:
    step, profile = row
    lang = profile.preferred_language
    params = {
        "name": profile.display_name,
        "step": label(step.kind, step.what, lang),
        "date": day_in_words(step.due_on, lang),
        "step_id": str(step.id),
    }
    return Planned.for_person(profile, step_period(step), params)


# A few days before an agreed step's date: one kind reminder (under the weekly cap, pause and
# quiet hours like every nudge to a person).
STEP_DUE = Planner("step_due", _due_who, _due_what)
