"""A person's plan: who may see and change which steps, and what closes a step.

The state changes themselves (allowed moves, the other side's agreement, at most three open
steps, the history) belong to `api.plans.lifecycle`.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, any_, case, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from api.audit.service import record
from api.auth.security import Actor
from api.core.paging import Page, keyset_page
from api.core.time import local_date
from api.db import utcnow, uuid_array
from api.errors import InvalidInput, NotFound
from api.i18n import N_
from api.ladder.models import LadderEntry
from api.matches.models import Match, MatchEvent
from api.matches.status import MatchStatus
from api.opportunities.models import Opportunity
from api.plans import lifecycle
from api.plans.models import PlanStep, PlanStepEvent
from api.plans.status import (
    CHECKIN_EVIDENCE,
    LADDER_EVIDENCE,
    MAX_OPEN,
    OPEN,
    StepStatus,
)
from api.profiles.service import caseload_person
from api.users.models import User

# Why a coach touched a step, as the person reads it in their access log (one text per state).
STEP_PURPOSES: dict[StepStatus, str] = {
    StepStatus.PROPOSED: N_("step proposed"),
    StepStatus.AGREED: N_("step agreed"),
    StepStatus.DONE: N_("step done"),
    StepStatus.DROPPED: N_("step dropped"),
}

__all__ = [
    "MAX_OPEN",
    "all_steps",
    "anonymise_steps",
    "caseload_steps",
    "close_from_checkin",
    "create_caseload_step",
    "create_my_step",
    "current_step",
    "my_steps",
    "step_counts",
    "steps_done_per_month",
    "suggest_closures",
    "update_caseload_step",
    "update_my_step",
    "week_end",
]

# Kinds a match that *started* (not only finished) suggests done.
STARTED_BY_MATCH = ("visit_activity", "start_activity", "trial_placement")


def week_end(week: str) -> date:
    """'2026-W49' -> the Sunday that ends that ISO week (a step "by week 49")."""
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 7)


# --------------------------------------------------------------------------- reading


def _decorate(session: Session, steps: Sequence[PlanStep], today: date) -> list[PlanStep]:
    """Attach each step's history (one query) and how late it is."""
    events: dict[uuid.UUID, list[PlanStepEvent]] = defaultdict(list)
    if steps:
        for event in session.scalars(
            select(PlanStepEvent)
            .where(PlanStepEvent.step_id.in_([s.id for s in steps]))
            .order_by(PlanStepEvent.at, PlanStepEvent.id)
        ):
            events[event.step_id].append(event)
    for step in steps:
        step.history = events[step.id]
        step.late_days = lifecycle.late_days(step, today)
        step.late = step.late_days > 0
        year, week, _ = step.due_on.isocalendar()
        step.due_week = f"{year}-W{week:02d}" if step.due_is_week else None
        step.waiting_for = None
        if step.status == StepStatus.PROPOSED:
            step.waiting_for = "coach" if step.proposed_by == "recipient" else "recipient"
        step.suggestion = None
        if step.suggested_done_at is not None:
            step.suggestion = {"source": step.suggested_from, "at": step.suggested_done_at}
    return list(steps)


def _list(
    session: Session,
    *,
    recipient_id: uuid.UUID,
    open_only: bool,
    limit: int,
    cursor: str | None,
    now: datetime,
) -> Page:
    stmt = select(PlanStep).where(PlanStep.recipient_id == recipient_id)
    if open_only:
        stmt = stmt.where(PlanStep.status.in_(OPEN))
    page = keyset_page(
        session,
        stmt,
        order=(PlanStep.created_at.desc(), PlanStep.id.desc()),
        limit=limit,
        cursor=cursor,
    )
    _decorate(session, page.items, local_date(now))
    return page


def my_steps(
    session: Session,
    *,
    actor: Actor,
    open_only: bool = False,
    limit: int = 20,
    cursor: str | None = None,
    now: datetime | None = None,
) -> Page:
    """The person's own plan, newest first."""
    return _list(
        session,
        recipient_id=actor.user_id,
        open_only=open_only,
        limit=limit,
        cursor=cursor,
        now=now or utcnow(),
    )


def caseload_steps(
    session: Session,
    *,
    actor: Actor,
    recipient_id: uuid.UUID,
    open_only: bool = False,
    limit: int = 20,
    cursor: str | None = None,
    now: datetime | None = None,
) -> Page:
    """The plan of someone on the coach's caseload; the read is in the person's access log."""
    person = caseload_person(session, actor=actor, recipient_id=recipient_id, object_type="plan")
    record(
        session,
        actor=actor,
        subject_id=person.id,
        action="read",
        object_type="plan",
        object_id=str(person.id),
        purpose=N_("plan follow-up"),
    )
    return _list(
        session,
        recipient_id=person.id,
        open_only=open_only,
        limit=limit,
        cursor=cursor,
        now=now or utcnow(),
    )


def all_steps(session: Session, *, user_id: uuid.UUID, now: datetime) -> list[PlanStep]:
    """Every step of the person with its history, oldest first (for their export)."""
    steps = session.scalars(
        select(PlanStep)
        .where(PlanStep.recipient_id == user_id)
        .order_by(PlanStep.created_at, PlanStep.id)
    ).all()
    return _decorate(session, steps, local_date(now))


def anonymise_steps(session: Session, *, user_id: uuid.UUID) -> None:
    """Erasure: the person and their words go; the steps stay only as anonymous counts."""
    anonymise_steps_of(session, user_ids=[user_id])


def anonymise_steps_of(session: Session, *, user_ids: Sequence[uuid.UUID]) -> None:
    """`anonymise_steps` for many people at once (the retention job erases thousands)."""
    if not user_ids:
        return
    everyone = uuid_array(user_ids)
    mine = select(PlanStep.id).where(PlanStep.recipient_id == any_(everyone))
    session.execute(
        update(PlanStepEvent).where(PlanStepEvent.step_id.in_(mine)).values(reason=None)
    )
    session.execute(
        update(PlanStep)
        .where(PlanStep.recipient_id == any_(uuid_array(user_ids)))
        .values(recipient_id=None, what=None, why=None, drop_reason=None)
        .execution_options(synchronize_session=False)
    )


def current_step(session: Session, *, user_id: uuid.UUID) -> PlanStep | None:
    """The agreed step due first: what a check-in asks about."""
    return session.scalar(
        select(PlanStep)
        .where(PlanStep.recipient_id == user_id, PlanStep.status == StepStatus.AGREED)
        .order_by(PlanStep.due_on, PlanStep.id)
        .limit(1)
    )


def steps_done_per_month(session: Session, *, user_id: uuid.UUID) -> list[dict[str, Any]]:
    """How many steps the person finished each month (local time), oldest first."""
    month = func.to_char(func.timezone("Europe/Amsterdam", PlanStep.done_at), "YYYY-MM")
    rows = session.execute(
        select(month, func.count())
        .where(PlanStep.recipient_id == user_id, PlanStep.status == StepStatus.DONE)
        .group_by(month)
        .order_by(month)
    ).all()
    return [{"month": m, "count": int(n)} for m, n in rows]


def step_counts(session: Session, *, user_id: uuid.UUID) -> dict[str, int]:
    """Open, done and dropped steps of the person (for the progress page)."""
    rows = session.execute(
        select(PlanStep.status, func.count())
        .where(PlanStep.recipient_id == user_id)
        .group_by(PlanStep.status)
    ).all()
    counts = {str(s): int(n) for s, n in rows}
    return {
        "open": counts.get(StepStatus.PROPOSED, 0) + counts.get(StepStatus.AGREED, 0),
        "done": counts.get(StepStatus.DONE, 0),
        "dropped": counts.get(StepStatus.DROPPED, 0),
    }


# --------------------------------------------------------------------------- writing


def _due(data: dict[str, Any], today: date) -> tuple[date, bool] | None:
    """The date asked for (a day, or the Sunday of a week); None when neither was given."""
    if data.get("due_week"):
        due, is_week, name = week_end(data["due_week"]), True, "dueWeek"
    elif data.get("due_on"):
        due, is_week, name = data["due_on"], False, "dueOn"
    else:
        return None
    if due < today:
        raise InvalidInput.field(name, "Pick a day from today on.")
    return due, is_week


def _links(session: Session, person: User, data: dict[str, Any]) -> None:
    """A match must be the person's own, an opportunity one of their municipality (else 400)."""
    match_id = data.get("match_id")
    if match_id is not None:
        owner = session.scalar(select(Match.recipient_id).where(Match.id == match_id))
        if owner != person.id:
            raise InvalidInput.field("matchId", "This is not one of the person's matches.")
    opportunity_id = data.get("opportunity_id")
    if opportunity_id is not None:
        found = session.scalar(
            select(Opportunity.id).where(
                Opportunity.id == opportunity_id,
                Opportunity.municipality_id == person.municipality_id,
                Opportunity.status != "draft",
            )
        )
        if found is None:
            raise InvalidInput.field("opportunityId", "We do not know this opportunity.")


def _create(
    session: Session, *, actor: Actor, person: User, data: dict[str, Any], now: datetime
) -> PlanStep:
    due = _due(data, local_date(now))
    if due is None:
        raise InvalidInput.field("dueOn", "Say by when: a day (dueOn) or a week (dueWeek).")
    _links(session, person, data)
    step = PlanStep(
        id=uuid.uuid4(),
        municipality_id=person.municipality_id,
        recipient_id=person.id,
        kind=data.get("kind"),
        what=data.get("what"),
        why=data.get("why"),
        due_on=due[0],
        due_is_week=due[1],
        with_coach=data.get("with_coach", False),
        match_id=data.get("match_id"),
        opportunity_id=data.get("opportunity_id"),
    )
    lifecycle.propose(session, step, role=actor.role, actor_id=actor.user_id, now=now)
    if actor.role == "recipient" and person.coach_id is None:
        # Nobody else to agree: a person without a coach keeps their own plan.
        lifecycle.transition(
            session, step, StepStatus.AGREED, role="system", actor_id=None, now=now
        )
    return step


def _update(
    session: Session, *, actor: Actor, step: PlanStep, data: dict[str, Any], now: datetime
) -> PlanStep:
    if not data:
        raise InvalidInput.field(
            "status", "Say what changes: status, dueOn, dueWeek or suggestedDone."
        )
    due = _due(data, local_date(now))
    if due is not None:
        lifecycle.new_date(
            session, step, due[0], is_week=due[1], role=actor.role, actor_id=actor.user_id, now=now
        )
    status = data.get("status")
    answer = data.get("suggested_done")
    if answer is False:
        lifecycle.dismiss_suggestion(
            session, step, role=actor.role, actor_id=actor.user_id, now=now
        )
    elif answer is True:
        if step.suggested_done_at is None:
            raise InvalidInput.field("suggestedDone", "There is no suggestion on this step.")
        status = status or StepStatus.DONE
    if status is not None:
        lifecycle.transition(
            session,
            step,
            StepStatus(status),
            role=actor.role,
            actor_id=actor.user_id,
            reason=data.get("reason"),
            now=now,
        )
    elif data.get("reason"):
        raise InvalidInput.field("reason", "A reason goes with status dropped.")
    return _decorate(session, [step], local_date(now))[0]


def _locked(session: Session, step_id: uuid.UUID, recipient_id: uuid.UUID) -> PlanStep:
    """The person's step, locked for the change; anyone else's does not exist (404)."""
    step = session.scalar(
        select(PlanStep)
        .where(PlanStep.id == step_id, PlanStep.recipient_id == recipient_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if step is None:
        raise NotFound()
    return step


def create_my_step(
    session: Session, *, actor: Actor, data: dict[str, Any], now: datetime | None = None
) -> PlanStep:
    """The person proposes a step; their coach agrees to it."""
    now = now or utcnow()
    person = session.get(User, actor.user_id)
    if person is None:
        raise NotFound()
    return _decorate(
        session, [_create(session, actor=actor, person=person, data=data, now=now)], local_date(now)
    )[0]


def update_my_step(
    session: Session,
    *,
    actor: Actor,
    step_id: uuid.UUID,
    data: dict[str, Any],
    now: datetime | None = None,
) -> PlanStep:
    """Agree, finish, drop (in your own words), a new date, or answer a suggestion."""
    step = _locked(session, step_id, actor.user_id)
    return _update(session, actor=actor, step=step, data=data, now=now or utcnow())


def create_caseload_step(
    session: Session,
    *,
    actor: Actor,
    recipient_id: uuid.UUID,
    data: dict[str, Any],
    now: datetime | None = None,
) -> PlanStep:
    """The coach proposes a step to someone on their caseload; the person says yes (or not)."""
    now = now or utcnow()
    person = caseload_person(
        session, actor=actor, recipient_id=recipient_id, action="create", object_type="plan_step"
    )
    step = _create(session, actor=actor, person=person, data=data, now=now)
    record(
        session,
        actor=actor,
        subject_id=person.id,
        action="create",
        object_type="plan_step",
        object_id=str(step.id),
        purpose=STEP_PURPOSES[StepStatus.PROPOSED],
    )
    return _decorate(session, [step], local_date(now))[0]


def update_caseload_step(
    session: Session,
    *,
    actor: Actor,
    recipient_id: uuid.UUID,
    step_id: uuid.UUID,
    data: dict[str, Any],
    now: datetime | None = None,
) -> PlanStep:
    """The coach agrees to the person's proposal, records it done or dropped, or a new date."""
    person = caseload_person(
        session, actor=actor, recipient_id=recipient_id, action="update", object_type="plan_step"
    )
    step = _locked(session, step_id, person.id)
    updated = _update(session, actor=actor, step=step, data=data, now=now or utcnow())
    record(
        session,
        actor=actor,
        subject_id=person.id,
        action="update",
        object_type="plan_step",
        object_id=str(step.id),
        purpose=STEP_PURPOSES[StepStatus(updated.status)],
    )
    return updated


# --------------------------------------------------------------------------- closing


def _lock_open(session: Session, ids: Iterable[uuid.UUID]) -> list[PlanStep]:
    wanted = sorted(set(ids))
    if not wanted:
        return []
    return list(
        session.scalars(
            select(PlanStep)
            .where(PlanStep.id.in_(wanted), PlanStep.status.in_(OPEN))
            .order_by(PlanStep.id)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
    )


def close_from_checkin(
    session: Session,
    *,
    actor: Actor,
    steps_toward_work: Sequence[str],
    done_step_ids: Sequence[uuid.UUID],
    now: datetime,
) -> None:
    """A check-in: steps the person says they did are done; steps toward work that match an
    open step's kind suggest it done (the person confirms in their plan)."""
    if done_step_ids:
        steps = _lock_open(session, done_step_ids)
        mine = {s.id: s for s in steps if s.recipient_id == actor.user_id}
        if set(done_step_ids) - set(mine):
            raise InvalidInput.field("doneStepIds", "This is not one of your open steps.")
        for step in mine.values():
            lifecycle.transition(
                session, step, StepStatus.DONE, role="recipient", actor_id=actor.user_id, now=now
            )
    kinds = {k for s in steps_toward_work for k in CHECKIN_EVIDENCE.get(s, ())}
    if kinds:
        ids = session.scalars(
            select(PlanStep.id).where(
                PlanStep.recipient_id == actor.user_id,
                PlanStep.status.in_(OPEN),
                PlanStep.kind.in_(sorted(kinds)),
                PlanStep.suggested_done_at.is_(None),
            )
        ).all()
        for step in _lock_open(session, ids):
            lifecycle.suggest_done(session, step, "checkin", now=now)


def suggest_closures(
    session: Session,
    *,
    now: datetime,
    user_ids: Sequence[uuid.UUID] | None = None,
    municipality_id: uuid.UUID | None = None,
) -> int:
    """Open steps that a finished match or a reached ladder rung suggests done (news after the
    step was made, or after the person last said "not yet"); how many were marked."""
    since = func.coalesce(PlanStep.suggestion_dismissed_at, PlanStep.created_at)
    scope: list[ColumnElement[bool]] = [
        PlanStep.status.in_(OPEN),
        PlanStep.suggested_done_at.is_(None),
    ]
    if user_ids is not None:
        scope.append(PlanStep.recipient_id.in_(list(user_ids)))
    if municipality_id is not None:
        scope.append(PlanStep.municipality_id == municipality_id)
    by_match = session.scalars(
        select(PlanStep.id)
        .join(
            Match,
            and_(
                Match.recipient_id == PlanStep.recipient_id,
                or_(
                    Match.id == PlanStep.match_id,
                    and_(
                        PlanStep.match_id.is_(None),
                        Match.opportunity_id == PlanStep.opportunity_id,
                    ),
                ),
            ),
        )
        .join(MatchEvent, MatchEvent.match_id == Match.id)
        .where(
            *scope,
            or_(
                MatchEvent.to_status == MatchStatus.COMPLETED,
                and_(
                    MatchEvent.to_status == MatchStatus.ACTIVE,
                    PlanStep.kind.in_(STARTED_BY_MATCH),
                ),
            ),
            MatchEvent.at > since,
            MatchEvent.at <= now,
        )
        .distinct()
    ).all()
    rung = case(LADDER_EVIDENCE, value=PlanStep.kind)
    by_ladder = session.scalars(
        select(PlanStep.id)
        .join(LadderEntry, LadderEntry.user_id == PlanStep.recipient_id)
        .where(
            *scope,
            PlanStep.kind.in_(list(LADDER_EVIDENCE)),
            LadderEntry.step >= rung,
            LadderEntry.at > since,
            LadderEntry.at <= now,
        )
        .distinct()
    ).all()
    marked = 0
    sources = {**dict.fromkeys(by_ladder, "ladder"), **dict.fromkeys(by_match, "match")}
    for step in _lock_open(session, sources):
        marked += lifecycle.suggest_done(session, step, sources[step.id], now=now)
    return marked
