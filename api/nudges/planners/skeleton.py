"""One skeleton for every planner: per municipality with the kind on, who gets what, once."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.municipalities.models import Municipality
from api.municipalities.policy import PolicySettings, load_policy
from api.nudges.outbox import Planned, PlanStats, enqueue_many
from api.nudges.planners.arms import experiment_arms, exposure, log_exposures, shape

Row = TypeVar("Row")

__all__ = ["Planned", "Planner", "Scope", "municipalities_with", "plan"]


@dataclass(frozen=True)
class Scope:
    """One planning run in one municipality: its policy and the moment planned for."""

    municipality_id: uuid.UUID
    policy: PolicySettings
    now: datetime


@dataclass(frozen=True)
class Planner(Generic[Row]):
    """A nudge kind: `who` finds the rows due in one municipality, `what` makes each a nudge."""

    kind: str  # the nudge kind, and the policy switch (`nudge_kinds`) that turns it on
    who: Callable[[Session, Scope], Iterable[Row]]
    what: Callable[[Row, Scope], Planned]
    capped: bool = True  # whether the weekly cap, pause and own quiet hours apply
    always: bool = False  # not a policy switch: runs in every municipality (experiments' own)


def municipalities_with(
    session: Session, kind: str, now: datetime, *, always: bool = False
) -> Iterator[Scope]:
    """The municipalities whose policy has this nudge kind on, in a stable order."""
    for mid in session.scalars(select(Municipality.id).order_by(Municipality.slug)).all():
        policy = load_policy(session, mid)
        if always or kind in policy.nudge_kinds:
            yield Scope(mid, policy, now)


def plan(
    session: Session,
    planner: Planner[Any],
    *,
    now: datetime,
    stats: PlanStats,
    checkpoint: Callable[[], None] | None = None,
) -> None:
    """Run one planner everywhere it is on: enqueue what it plans and count the outcomes.

    A person in a running experiment gets their arm's way of giving this kind of nudge
    (`shape`), and each nudge given or withheld that way is logged as exposure. `checkpoint`
    (the job's commit) runs after each municipality: its nudges can go out while the next is
    planned, and a failure later keeps what was planned (each key is taken once, so a rerun
    continues where this one stopped).
    """
    for scope in municipalities_with(session, planner.kind, now, always=planner.always):
        arms = experiment_arms(session, planner.kind, scope.municipality_id)
        planned = [
            shape(nudge, planner.kind, arms.get(nudge.subject_id or nudge.user_id), now)
            for nudge in (planner.what(row, scope) for row in planner.who(session, scope))
        ]
        outcomes = enqueue_many(
            session,
            policy=scope.policy,
            municipality_id=scope.municipality_id,
            kind=planner.kind,
            planned=planned,
            now=now,
            capped=planner.capped,
        )
        exposures: list[dict[str, Any]] = []
        for nudge, outcome in zip(planned, outcomes, strict=True):
            stats.add(planner.kind, outcome)
            arm = arms.get(nudge.subject_id or nudge.user_id)
            if arm is not None and outcome in ("created", "withheld"):
                exposures.append(exposure(arm, nudge, planner.kind, outcome, now))
        log_exposures(session, exposures)
        if checkpoint is not None:
            checkpoint()
