"""The one owner of a plan step's state: allowed changes, who makes them, and the history.

proposed -(the other side agrees)-> agreed -> done | dropped
A coach's proposal needs the person's yes; a person's proposal needs their coach's agreement
(a person without a coach agrees with themselves: there is nobody else, and it is their plan).
A proposal may also be turned down (dropped, with a reason) by either side, and a person who
already did a proposed step may say so (done). Dropping is never a penalty: the reason is kept
in the person's words. *Late* is not a state: it is derived from the date (see `late_days`).

Nothing else writes `PlanStep.status`, its date after creation, its suggestion marker or a
`PlanStepEvent`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.db import utcnow
from api.errors import Conflict, InvalidInput
from api.i18n import plan_step_status
from api.plans.models import PlanStep, PlanStepEvent
from api.plans.status import MAX_OPEN, OPEN, StepStatus
from api.users.models import User

S = StepStatus

# (from, to) -> the roles that may make that change.
ALLOWED: dict[tuple[StepStatus | None, StepStatus], tuple[str, ...]] = {
    (None, S.PROPOSED): ("recipient", "coach"),
    (S.PROPOSED, S.AGREED): ("recipient", "coach", "system"),  # only the other side (below)
    (S.PROPOSED, S.DROPPED): ("recipient", "coach"),
    (S.PROPOSED, S.DONE): ("recipient",),
    (S.AGREED, S.DONE): ("recipient", "coach"),
    (S.AGREED, S.DROPPED): ("recipient", "coach"),
}
ACTION = {S.PROPOSED: "proposed", S.AGREED: "agreed", S.DONE: "done", S.DROPPED: "dropped"}


def _current(step: PlanStep) -> StepStatus | None:
    return StepStatus(step.status) if step.status else None


def may(step: PlanStep, to: StepStatus, role: str) -> bool:
    """Whether `role` may move this step to `to` now."""
    frm = _current(step)
    if role not in ALLOWED.get((frm, to), ()):
        return False
    # The other side agrees, never the one who proposed.
    return not (to == S.AGREED and role == step.proposed_by)


def _refused(step: PlanStep, to: StepStatus, role: str) -> Conflict:
    frm = _current(step)
    if to == S.AGREED and frm == S.PROPOSED and role == step.proposed_by:
        return Conflict("The other side agrees to a proposal, not the one who made it.")
    if frm is None:
        return Conflict("A new step cannot start as {to}.", to=plan_step_status(to))
    return Conflict(
        "A step that is {current} cannot become {to}.",
        current=plan_step_status(frm),
        to=plan_step_status(to),
    )


def _guard(step: PlanStep, to: StepStatus, role: str) -> None:
    """Refuse (409) a change that `role` may not make now."""
    if not may(step, to, role):
        raise _refused(step, to, role)


def _record(
    session: Session,
    step: PlanStep,
    action: str,
    frm: str | None,
    *,
    role: str,
    actor_id: uuid.UUID | None,
    now: datetime,
    reason: str | None = None,
    due_on: date | None = None,
) -> PlanStep:
    """Every change to a step ends alike: touched now, one history event, flushed."""
    step.updated_at = now
    session.add(
        PlanStepEvent(
            step_id=step.id,
            action=action,
            from_status=frm,
            to_status=step.status,
            actor_id=actor_id,
            actor_role=role,
            reason=reason,
            due_on=due_on,
            at=now,
        )
    )
    session.flush()
    return step


def open_count(session: Session, recipient_id: uuid.UUID, *, lock: bool = False) -> int:
    """How many open steps the person has; with `lock`, writers of one person queue here."""
    if lock:
        session.execute(select(User.id).where(User.id == recipient_id).with_for_update())
    return int(
        session.scalar(
            select(func.count())
            .select_from(PlanStep)
            .where(PlanStep.recipient_id == recipient_id, PlanStep.status.in_(OPEN))
        )
        or 0
    )


def propose(
    session: Session,
    step: PlanStep,
    *,
    role: str,
    actor_id: uuid.UUID | None,
    now: datetime | None = None,
) -> PlanStep:
    """A new step, proposed by the person or their coach; at most MAX_OPEN open at once."""
    now = now or utcnow()
    _guard(step, S.PROPOSED, role)
    assert step.recipient_id is not None
    if open_count(session, step.recipient_id, lock=True) >= MAX_OPEN:
        raise Conflict(
            "A plan has at most {count} open steps. Finish or drop one before adding another.",
            count=MAX_OPEN,
        )
    step.id = step.id or uuid.uuid4()
    step.status = S.PROPOSED
    step.proposed_by = role
    step.proposed_by_id = actor_id
    step.created_at = step.updated_at = now
    session.add(step)
    session.flush()  # the step's row before its first event
    return _record(
        session, step, "proposed", None, role=role, actor_id=actor_id, now=now, due_on=step.due_on
    )


def transition(
    session: Session,
    step: PlanStep,
    to: StepStatus,
    *,
    role: str,
    actor_id: uuid.UUID | None,
    reason: str | None = None,
    now: datetime | None = None,
) -> PlanStep:
    """Agree, finish or drop a step (the caller loaded it FOR UPDATE)."""
    now = now or utcnow()
    to = StepStatus(to)
    _guard(step, to, role)
    if to == S.DROPPED and not (reason or "").strip():
        raise InvalidInput.field("reason", "Say in a few words why this step stops.")
    frm = step.status
    step.status = to
    if to == S.AGREED:
        step.agreed_at = now
    elif to == S.DONE:
        step.done_at = now
    elif to == S.DROPPED:
        step.dropped_at = now
        step.drop_reason = reason
    if to in (S.DONE, S.DROPPED):
        step.suggested_done_at, step.suggested_from = None, None
    return _record(
        session,
        step,
        ACTION[to],
        frm,
        role=role,
        actor_id=actor_id,
        now=now,
        reason=reason if to == S.DROPPED else None,
    )


def new_date(
    session: Session,
    step: PlanStep,
    due_on: date,
    *,
    is_week: bool,
    role: str,
    actor_id: uuid.UUID | None,
    now: datetime | None = None,
) -> PlanStep:
    """A new date for an open step; it stays as agreed (or proposed) as it was."""
    now = now or utcnow()
    if step.status not in OPEN:
        raise Conflict(
            "A step that is {current} has no date to change.",
            current=plan_step_status(step.status),
        )
    if role not in ("recipient", "coach"):
        raise _refused(step, StepStatus(step.status), role)
    step.due_on, step.due_is_week = due_on, is_week
    return _record(
        session, step, "new_date", step.status, role=role, actor_id=actor_id, now=now, due_on=due_on
    )


def suggest_done(session: Session, step: PlanStep, source: str, *, now: datetime) -> bool:
    """Mark an open step as probably done (the person confirms); False when nothing changed."""
    if step.status not in OPEN or step.suggested_done_at is not None:
        return False
    step.suggested_done_at, step.suggested_from = now, source
    _record(
        session,
        step,
        "suggested_done",
        step.status,
        role="system",
        actor_id=None,
        now=now,
        reason=source,
    )
    return True


def dismiss_suggestion(
    session: Session,
    step: PlanStep,
    *,
    role: str,
    actor_id: uuid.UUID | None,
    now: datetime | None = None,
) -> PlanStep:
    """ "Not yet": the suggestion goes; only news after this moment suggests it again."""
    now = now or utcnow()
    if step.suggested_done_at is None:
        raise Conflict("There is no suggestion to answer on this step.")
    step.suggested_done_at, step.suggested_from = None, None
    step.suggestion_dismissed_at = now
    return _record(
        session, step, "suggestion_dismissed", step.status, role=role, actor_id=actor_id, now=now
    )


def late_days(step: PlanStep, today: date) -> int:
    """Days an open step is past its date (0 when it is not): late, never failed."""
    if step.status not in OPEN or step.due_on >= today:
        return 0
    return (today - step.due_on).days
