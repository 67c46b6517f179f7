"""The check-in prompt: people with an active match or an agreed step are asked how it goes,
every N days; the prompt names their current step (the agreed one due first)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select, union
from sqlalchemy.orm import Session

from api.matches.models import Match
from api.matches.status import MatchStatus
from api.nudges.clock import fortnight
from api.nudges.planners.skeleton import Planned, Planner, Scope
from api.opportunities.models import Opportunity
from api.plans.models import PlanStep
from api.plans.status import StepStatus, label
from api.profiles.models import RecipientProfile


def _checkin_who(session: Session, scope: Scope) -> Sequence[Any]:
    """Each person with an active match or an agreed step: one match title, the current step."""
    title = (
        select(func.min(Opportunity.title))
        .join(Match, Match.opportunity_id == Opportunity.id)
        .where(Match.recipient_id == RecipientProfile.user_id, Match.status == MatchStatus.ACTIVE)
        .correlate(RecipientProfile)
        .scalar_subquery()
    )
    current = (
        select(PlanStep.id)
        .where(
            PlanStep.recipient_id == RecipientProfile.user_id,
            PlanStep.status == StepStatus.AGREED,
        )
        .order_by(PlanStep.due_on, PlanStep.id)
        .limit(1)
        .correlate(RecipientProfile)
        .scalar_subquery()
    )
    # Only people with an active match or an agreed step (a few thousand of a city's tens of
    # thousands) are looked at: the subqueries then run for them alone.
    taking_part = union(
        select(Match.recipient_id).where(
            Match.municipality_id == scope.municipality_id, Match.status == MatchStatus.ACTIVE
        ),
        select(PlanStep.recipient_id).where(
            PlanStep.municipality_id == scope.municipality_id,
            PlanStep.status == StepStatus.AGREED,
        ),
    ).subquery()
    rows = session.execute(
        select(RecipientProfile, title, current)
        .where(
            RecipientProfile.municipality_id == scope.municipality_id,
            RecipientProfile.user_id.in_(select(taking_part.c[0])),
            or_(title.is_not(None), current.is_not(None)),
        )
        .order_by(RecipientProfile.user_id)
    ).all()
    steps = {
        s.id: s
        for s in session.scalars(
            select(PlanStep).where(PlanStep.id.in_([r[2] for r in rows if r[2] is not None]))
        )
    }
    return [(profile, t, steps.get(step_id)) for profile, t, step_id in rows]


def _checkin_what(
    row: tuple[RecipientProfile, str | None, PlanStep | None], scope: Scope
) -> Planned:
    profile, title, step = row
    period = fortnight(scope.now, scope.policy.checkin_every_days)
    params: dict[str, Any] = {"name": profile.display_name, "title": title or ""}
    if step is not None:
        params["step"] = label(step.kind, step.what, profile.preferred_language)
        params["step_id"] = str(step.id)
        params["variant"] = "title_step" if title else "step"
    return Planned.for_person(profile, period, params)


# Every N days (policy, default 14), people taking part are asked how it goes.
CHECKIN_PROMPT = Planner("checkin_prompt", _checkin_who, _checkin_what)
