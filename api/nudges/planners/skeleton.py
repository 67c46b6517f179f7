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
from api.nudges.catalogue import DEFAULT_LANGUAGE
from api.nudges.outbox import PlanStats, enqueue
from api.profiles.models import RecipientProfile

Row = TypeVar("Row")


@dataclass(frozen=True)
class Scope:
    """One planning run in one municipality: its policy and the moment planned for."""

    municipality_id: uuid.UUID
    policy: PolicySettings
    now: datetime


@dataclass(frozen=True)
class Planned:
    """One nudge a planner wants written; the outbox decides whether and when it goes out."""

    user_id: uuid.UUID
    period: str
    params: dict[str, Any]
    language: str = DEFAULT_LANGUAGE  # staff have no language of their own
    prefs: dict[str, Any] | None = None  # the person's own nudge preferences (cap, pause, quiet)
    drop_reason: str | None = None  # only take the key, send nothing (e.g. nothing new)

    @classmethod
    def for_person(
        cls, profile: RecipientProfile, period: str, params: dict[str, Any], **more: Any
    ) -> Planned:
        """A nudge to a person: in their own language, under their own preferences."""
        return cls(
            profile.user_id,
            period,
            params,
            profile.preferred_language,
            profile.nudge_preferences,
            **more,
        )


@dataclass(frozen=True)
class Planner(Generic[Row]):
    """A nudge kind: `who` finds the rows due in one municipality, `what` makes each a nudge."""

    kind: str  # the nudge kind, and the policy switch (`nudge_kinds`) that turns it on
    who: Callable[[Session, Scope], Iterable[Row]]
    what: Callable[[Row, Scope], Planned]
    capped: bool = True  # whether the weekly cap, pause and own quiet hours apply


def municipalities_with(session: Session, kind: str, now: datetime) -> Iterator[Scope]:
    """The municipalities whose policy has this nudge kind on, in a stable order."""
    for mid in session.scalars(select(Municipality.id).order_by(Municipality.slug)).all():
        policy = load_policy(session, mid)
        if kind in policy.nudge_kinds:
            yield Scope(mid, policy, now)


def plan(session: Session, planner: Planner[Any], *, now: datetime, stats: PlanStats) -> None:
    """Run one planner everywhere it is on: enqueue what it plans and count the outcomes."""
    for scope in municipalities_with(session, planner.kind, now):
        for row in planner.who(session, scope):
            nudge = planner.what(row, scope)
            outcome = enqueue(
                session,
                policy=scope.policy,
                municipality_id=scope.municipality_id,
                user_id=nudge.user_id,
                kind=planner.kind,
                period=nudge.period,
                language=nudge.language,
                params=nudge.params,
                now=now,
                prefs=nudge.prefs,
                capped=planner.capped,
                drop_reason=nudge.drop_reason,
            )
            stats.add(planner.kind, outcome)
