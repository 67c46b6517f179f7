"""Who gets which nudge now: one Planner per kind, grouped as the scheduler runs them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from api.nudges.outbox import PlanStats
from api.nudges.planners.checkins import CHECKIN_PROMPT
from api.nudges.planners.coach import COACH_DIGEST
from api.nudges.planners.experiments import COACH_PROMPT, GUARDRAIL_NOTICE
from api.nudges.planners.matches import APPROVED_NOT_STARTED, REQUEST_WAITING
from api.nudges.planners.skeleton import Planned, Planner, Scope, plan
from api.nudges.planners.steps import STEP_DUE
from api.nudges.planners.suggestions import GROWTH_SUGGESTION, NEW_OPPORTUNITY, WEEKLY_SUGGESTIONS

# Planning runs by name (the name is also the run's advisory lock), in the order they run.
PLANNERS: dict[str, tuple[Planner[Any], ...]] = {
    # A request that expires is told with the expiry itself (api.nudges.events).
    "request_followups": (REQUEST_WAITING,),
    "approved_not_started": (APPROVED_NOT_STARTED,),
    "new_opportunity_alerts": (NEW_OPPORTUNITY,),
    "step_reminders": (STEP_DUE,),
    "checkin_prompts": (CHECKIN_PROMPT,),
    "growth_suggestions": (GROWTH_SUGGESTION,),
    "weekly_suggestions": (WEEKLY_SUGGESTIONS,),
    "coach_digests": (COACH_DIGEST,),
    "experiment_notes": (COACH_PROMPT, GUARDRAIL_NOTICE),
}


def run_planners(
    session: Session,
    name: str,
    *,
    now: datetime,
    stats: PlanStats,
    checkpoint: Callable[[], None] | None = None,
) -> None:
    """One planning run: each of its planners in turn (`checkpoint` after each municipality)."""
    for planner in PLANNERS[name]:
        plan(session, planner, now=now, stats=stats, checkpoint=checkpoint)


__all__ = ["PLANNERS", "Planned", "Planner", "Scope", "plan", "run_planners"]
