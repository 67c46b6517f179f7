"""Check-ins, the ladder and the progress a person can be proud of."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from api.audit.service import record
from api.auth.security import Actor
from api.core.paging import Page, keyset_page
from api.core.time import local_date
from api.db import utcnow
from api.errors import Conflict, InvalidInput, NotFound
from api.i18n import N_, match_status
from api.ladder.service import ladder_history, record_ladder
from api.matches.models import Match
from api.matches.service import attach_history
from api.matches.status import TAKES_A_PLACE, MatchStatus
from api.opportunities.models import Opportunity
from api.plans import service as plans
from api.profiles.models import RecipientProfile
from api.progress.models import CORRECTION_DAYS, CheckIn

# A check-in tells how an activity went: one that started (or ended well), or none at all.
CHECKABLE = (MatchStatus.ACTIVE, MatchStatus.COMPLETED)


def _checkable_match(session: Session, *, actor: Actor, match_id: uuid.UUID) -> None:
    """A check-in belongs to one of the person's own started or finished activities.

    Someone else's match (or none) is a 400 naming `matchId`, exactly as an unknown id; the
    person's own match in another state is a 409 saying why.
    """
    status = session.scalar(
        select(Match.status).where(Match.id == match_id, Match.recipient_id == actor.user_id)
    )
    if status is None:
        raise InvalidInput.field("matchId", "This is not one of your matches.")
    if status not in CHECKABLE:
        raise Conflict(
            "A match that is {status} cannot get a check-in yet: "
            "tell how it went once you have started.",
            status=match_status(status),
        )


def _already(session: Session, *, match_id: uuid.UUID, day: date, but: uuid.UUID | None) -> None:
    """409 naming the check-in that already holds this match and day."""
    stmt = select(CheckIn.id).where(CheckIn.match_id == match_id, CheckIn.date == day)
    if but is not None:
        stmt = stmt.where(CheckIn.id != but)
    existing = session.scalar(stmt)
    if existing is not None:
        raise _duplicate(existing)


def _duplicate(existing: uuid.UUID) -> Conflict:
    return Conflict(
        "There is already a check-in for this activity on this day ({id}); "
        "change that one instead.",
        extra={"existingId": str(existing)},
        id=str(existing),
    )


@contextmanager
def _once_per_day(session: Session, *, match_id: uuid.UUID | None, day: date) -> Iterator[None]:
    """Write what the block adds or changes; if a concurrent check-in took this match and day
    first, this one loses with a 409 naming it.

    The unique index decides; the savepoint (opened before the block, as opening it flushes)
    keeps the request's transaction usable.
    """
    try:
        with session.begin_nested():
            yield
            session.flush()
    except IntegrityError as exc:
        if "uq_checkins_match_date" not in str(exc.orig) or match_id is None:
            raise
        existing = session.scalar(
            select(CheckIn.id).where(CheckIn.match_id == match_id, CheckIn.date == day)
        )
        if existing is None:
            raise
        raise _duplicate(existing) from None


def create_checkin(
    session: Session, *, actor: Actor, data: dict[str, Any], now: datetime | None = None
) -> CheckIn:
    """Store a check-in; a new self-assessed step also goes into the ladder history.

    With a match: one of the person's own active or completed matches, once per day.
    """
    now = now or utcnow()
    if data["date"] > local_date(now):
        raise InvalidInput.field("date", "The date cannot be in the future.")
    match_id = data.get("match_id")
    if match_id is not None:
        _checkable_match(session, actor=actor, match_id=match_id)
        _already(session, match_id=match_id, day=data["date"], but=None)
    data = dict(data)
    done_step_ids = data.pop("done_step_ids", None) or []
    checkin = CheckIn(
        user_id=actor.user_id, municipality_id=actor.municipality_id, created_at=now, **data
    )
    with _once_per_day(session, match_id=match_id, day=data["date"]):
        session.add(checkin)
    if data.get("ladder_step"):
        record_ladder(
            session,
            user_id=actor.user_id,
            municipality_id=actor.municipality_id,
            step=data["ladder_step"],
            source="self",
            actor_id=actor.user_id,
            at=now,
        )
        profile = session.get(RecipientProfile, actor.user_id)
        if profile is not None:
            profile.ladder_step = data["ladder_step"]
    session.flush()
    # Steps the person says they did are done; reported steps toward work, or a rung reached,
    # suggest a matching step done (the person confirms in their plan).
    plans.close_from_checkin(
        session,
        actor=actor,
        steps_toward_work=data.get("steps_toward_work") or [],
        done_step_ids=done_step_ids,
        now=now,
    )
    if data.get("ladder_step"):
        plans.suggest_closures(session, now=now, user_ids=[actor.user_id])
    return checkin


def _own_recent(session: Session, *, actor: Actor, checkin_id: uuid.UUID, now: datetime) -> CheckIn:
    """The person's own check-in, locked, if it is still young enough to change (else 409)."""
    checkin = session.scalar(
        select(CheckIn)
        .where(CheckIn.id == checkin_id, CheckIn.user_id == actor.user_id)
        .with_for_update()
    )
    if checkin is None:
        raise NotFound()
    if checkin.created_at < now - timedelta(days=CORRECTION_DAYS):
        raise Conflict(
            "A check-in can be changed for {days} days after you made it; this one is older.",
            days=CORRECTION_DAYS,
        )
    return checkin


def _audit_change(session: Session, actor: Actor, checkin_id: uuid.UUID, action: str) -> None:
    record(
        session,
        actor=actor,
        subject_id=actor.user_id,
        action=action,
        object_type="checkin",
        object_id=str(checkin_id),
        purpose=N_("own check-in corrected") if action == "update" else N_("own check-in removed"),
    )


def update_checkin(
    session: Session,
    *,
    actor: Actor,
    checkin_id: uuid.UUID,
    data: dict[str, Any],
    now: datetime | None = None,
) -> CheckIn:
    """Correct your own check-in within CORRECTION_DAYS of making it; audited."""
    now = now or utcnow()
    checkin = _own_recent(session, actor=actor, checkin_id=checkin_id, now=now)
    day = data.get("date", checkin.date)
    if day > local_date(now):
        raise InvalidInput.field("date", "The date cannot be in the future.")
    if checkin.match_id is not None and day != checkin.date:
        _already(session, match_id=checkin.match_id, day=day, but=checkin.id)
    with _once_per_day(session, match_id=checkin.match_id, day=day):
        for key, value in data.items():
            setattr(checkin, key, value)
    _audit_change(session, actor, checkin.id, "update")
    session.flush()
    return checkin


def delete_checkin(
    session: Session, *, actor: Actor, checkin_id: uuid.UUID, now: datetime | None = None
) -> None:
    """Remove your own check-in within CORRECTION_DAYS of making it; audited."""
    checkin = _own_recent(session, actor=actor, checkin_id=checkin_id, now=now or utcnow())
    session.delete(checkin)
    _audit_change(session, actor, checkin_id, "delete")
    session.flush()


def list_checkins(
    session: Session, *, user_id: uuid.UUID, limit: int = 20, cursor: str | None = None
) -> Page:
    """Newest first."""
    return keyset_page(
        session,
        select(CheckIn).where(CheckIn.user_id == user_id),
        order=(CheckIn.date.desc(), CheckIn.id.desc()),
        limit=limit,
        cursor=cursor,
    )


def progress(session: Session, *, user_id: uuid.UUID) -> dict[str, Any]:
    """Ladder, hours, steps toward work, wellbeing, matches, plan steps done: the way so far."""
    checkins = list(
        session.scalars(select(CheckIn).where(CheckIn.user_id == user_id).order_by(CheckIn.date))
    )
    hours: dict[str, dict[str, float]] = defaultdict(
        lambda: {"hours": 0.0, "informal_care_hours": 0.0}
    )
    steps: list[dict[str, Any]] = []
    for c in checkins:
        month = c.date.strftime("%Y-%m")
        key = "informal_care_hours" if c.informal_care else "hours"
        hours[month][key] += float(c.hours)
        steps.extend({"step": s, "date": c.date} for s in c.steps_toward_work or [])
    matches = list(
        session.scalars(
            select(Match)
            .options(joinedload(Match.opportunity).joinedload(Opportunity.team))
            .where(Match.recipient_id == user_id)
            .order_by(Match.created_at.desc())
        )
    )
    return {
        "ladder": ladder_history(session, user_id=user_id),
        "hours_per_month": [{"month": m, **v} for m, v in sorted(hours.items())],
        "steps_toward_work": steps,
        "wellbeing": [{"date": c.date, "wellbeing": c.wellbeing} for c in checkins[-20:]],
        "total_hours": round(sum(float(c.hours) for c in checkins), 1),
        "active_matches": [
            m for m in attach_history(session, matches) if m.status in TAKES_A_PLACE
        ],
        "past_matches": [m for m in matches if m.status == MatchStatus.COMPLETED],
        "steps_done_per_month": plans.steps_done_per_month(session, user_id=user_id),
        "plan": plans.step_counts(session, user_id=user_id),
    }
