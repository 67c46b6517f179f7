"""The one owner of a match's state: allowed steps, the history and the places they take.

suggested -(recipient)-> requested -(coach)-> approved -(organiser)-> active -> completed
side exits: declined (coach), withdrawn (recipient at any open stage; the system when the
person is erased), rejected (organiser), expired (system, stale requests).

Nothing else writes `Match.status` or `MatchEvent` rows, and every step that takes or frees a
place moves `Opportunity.places_taken` in the same transaction. Every live step is also handed
to the step listeners (the app registers `api.nudges.events.on_match_steps`), so whoever should
hear of it does, in the same transaction, whichever path (API, console, job) made the step.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.db import utcnow
from api.errors import Conflict
from api.i18n import match_status
from api.matches.models import Match, MatchEvent
from api.matches.status import OPEN_STATUSES, TAKES_A_PLACE, MatchStatus
from api.opportunities.models import Opportunity

S = MatchStatus

# How a match starts, and who may start it.
FIRST: dict[MatchStatus, tuple[str, ...]] = {
    S.SUGGESTED: ("coach",),
    S.REQUESTED: ("recipient",),
}

# (from, to) -> the roles that may make that step; the first one is who usually does.
ALLOWED: dict[tuple[MatchStatus, MatchStatus], tuple[str, ...]] = {
    (S.SUGGESTED, S.REQUESTED): ("recipient",),
    (S.REQUESTED, S.APPROVED): ("coach", "system"),  # system: the municipality's auto-approve
    (S.REQUESTED, S.DECLINED): ("coach",),
    (S.APPROVED, S.ACTIVE): ("organizer",),
    (S.APPROVED, S.REJECTED): ("organizer",),
    (S.ACTIVE, S.COMPLETED): ("organizer", "coach"),
    # The person steps back at any open stage; the system does it for them when they are
    # erased, since an erased person takes no place and waits for no decision.
    **{(s, S.WITHDRAWN): ("recipient", "system") for s in OPEN_STATUSES},
    (S.REQUESTED, S.EXPIRED): ("system",),
}


@dataclass(frozen=True)
class Step:
    """One step as made: the match (already in its new state), from where, by whom, when."""

    match: Match
    frm: MatchStatus | None
    to: MatchStatus
    role: str
    actor_id: uuid.UUID | None
    reason: str | None
    at: datetime


StepListener = Callable[[Session, Sequence[Step]], None]
_LISTENERS: list[StepListener] = []


def listen(listener: StepListener) -> None:
    """Have `listener` called, in the step's transaction, after every live step (once each)."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def listeners() -> tuple[StepListener, ...]:
    return tuple(_LISTENERS)


def _current(match: Match) -> MatchStatus | None:
    """None for a match that has no state yet (being created)."""
    return MatchStatus(match.status) if match.status else None


def may(frm: MatchStatus | None, to: MatchStatus, role: str) -> bool:
    """Whether `role` may move a match from `frm` (None: a new match) to `to`."""
    allowed = FIRST.get(to, ()) if frm is None else ALLOWED.get((frm, to), ())
    return role in allowed


def usual_role(frm: MatchStatus | None, to: MatchStatus) -> str:
    """Who normally makes a step (seeds and tests replay stories with it)."""
    allowed = FIRST.get(to, ()) if frm is None else ALLOWED.get((frm, to), ())
    if not allowed:
        raise _refused(frm, to)
    return allowed[0]


def _refused(frm: MatchStatus | None, to: MatchStatus) -> Conflict:
    if frm is None:
        return Conflict("A new match cannot start as {to}.", to=match_status(to))
    return Conflict(
        "A match that is {status} cannot become {to}.",
        status=match_status(frm),
        to=match_status(to),
    )


def _holds(status: MatchStatus | None) -> int:
    return 1 if status in TAKES_A_PLACE else 0


def transition(
    session: Session,
    match: Match,
    to: MatchStatus,
    *,
    role: str,
    actor_id: uuid.UUID | None = None,
    reason: str | None = None,
    now: datetime | None = None,
    notify: bool = True,
) -> Match:
    """Move one match (or give a new one its first state); see `transition_many`."""
    transition_many(
        session, [match], to, role=role, actor_id=actor_id, reason=reason, now=now, notify=notify
    )
    return match


def transition_many(
    session: Session,
    matches: Sequence[Match],
    to: MatchStatus,
    *,
    role: str,
    actor_id: uuid.UUID | None = None,
    reason: str | None = None,
    now: datetime | None = None,
    notify: bool = True,
) -> list[Match]:
    """The only writer of match states: allowed steps only, history kept, places counted.

    Existing matches must have been loaded FOR UPDATE by the caller, so their status is the
    committed one. A new match (no status yet) is inserted in its first state; a twin made at
    the same moment is a 409, not a 500. With `notify` (all live steps) the step listeners
    write their messages in the same transaction; a replayed story (seeds) is no news.
    """
    now = now or utcnow()
    to = MatchStatus(to)
    steps = [(m, _current(m)) for m in matches]
    for _, frm in steps:
        if not may(frm, to, role):
            raise _refused(frm, to)
    places: Counter[uuid.UUID] = Counter()
    for m, frm in steps:
        places[m.opportunity_id] += _holds(to) - _holds(frm)
        m.status = to
        m.updated_at = now
    new = [m for m, frm in steps if frm is None]
    if new:
        try:
            with session.begin_nested():
                session.add_all(new)
                session.flush()
        except IntegrityError as exc:
            raise Conflict(
                "There is already an open match for this person and opportunity."
            ) from exc
    session.add_all(
        [
            MatchEvent(
                match_id=m.id,
                from_status=frm,
                to_status=to,
                actor_id=actor_id,
                actor_role=role,
                reason=reason,
                at=now,
            )
            for m, frm in steps
        ]
    )
    _count_places(session, places)
    session.flush()
    if notify and steps:
        made = [Step(m, frm, to, role, actor_id, reason, now) for m, frm in steps]
        for listener in _LISTENERS:
            listener(session, made)
    return list(matches)


def _count_places(session: Session, deltas: Mapping[uuid.UUID, int]) -> None:
    """Move each opportunity's counter, in id order so concurrent steps cannot deadlock."""
    for opportunity_id in sorted(oid for oid, d in deltas.items() if d):
        session.execute(
            update(Opportunity)
            .where(Opportunity.id == opportunity_id)
            .values(places_taken=Opportunity.places_taken + deltas[opportunity_id])
            .execution_options(synchronize_session="fetch")
        )


def lock_free_place(session: Session, opportunity_id: uuid.UUID) -> bool:
    """Lock the opportunity and say whether a place is left: the last place goes once."""
    left = session.scalar(
        select(Opportunity.places_left)
        .where(Opportunity.id == opportunity_id)
        .with_for_update(of=Opportunity)
    )
    return bool(left)


def replay(
    session: Session,
    match: Match,
    steps: Sequence[tuple[MatchStatus | str, datetime]],
    *,
    reasons: Mapping[MatchStatus, str] | None = None,
) -> Match:
    """Walk a new match through a story [(status, at)], each step by its usual role (seeds)."""
    for status, at in steps:
        to = MatchStatus(status)
        reason = (reasons or {}).get(to)
        role = usual_role(_current(match), to)
        transition(session, match, to, role=role, reason=reason, now=at, notify=False)
    return match


@dataclass(frozen=True)
class History:
    """A whole match story for bulk loading: the match's ids and each (status, moment)."""

    id: uuid.UUID
    municipality_id: uuid.UUID
    recipient_id: uuid.UUID
    opportunity_id: uuid.UUID
    steps: Sequence[tuple[MatchStatus, datetime]]
    event_ids: Sequence[uuid.UUID] = ()  # one per step for repeatable seeds; random otherwise


def copy_histories(session: Session, histories: Iterable[History]) -> int:
    """Many finished stories at once with COPY (national-scale seeds); places recounted after.

    Every step is checked against the same rules as `transition_many`.
    """
    match_rows, event_rows, municipalities = [], [], set()
    for h in histories:
        frm: MatchStatus | None = None
        event_ids = list(h.event_ids) or [uuid.uuid4() for _ in h.steps]
        for (status, at), event_id in zip(h.steps, event_ids, strict=True):
            to = MatchStatus(status)
            role = usual_role(frm, to)  # refuses a step the lifecycle does not know
            event_rows.append((event_id, h.id, str(frm) if frm else None, str(to), role, at))
            frm = to
        requested = next((at for s, at in h.steps if s == S.REQUESTED), None)
        start, end = h.steps[0][1], h.steps[-1][1]
        row = (h.id, h.municipality_id, h.recipient_id, h.opportunity_id, str(frm), Jsonb([]))
        match_rows.append((*row, start, end, requested))
        municipalities.add(h.municipality_id)
    driver = session.connection().connection.driver_connection
    if not isinstance(driver, psycopg.Connection):
        raise RuntimeError("COPY needs a psycopg connection")
    with driver.cursor() as cursor:
        with cursor.copy(
            "COPY matches (id, municipality_id, recipient_id, opportunity_id, status, reasons,"
            " created_at, updated_at, requested_at) FROM STDIN"
        ) as cp:
            for match_row in match_rows:
                cp.write_row(match_row)
        with cursor.copy(
            "COPY match_events (id, match_id, from_status, to_status, actor_role, at) FROM STDIN"
        ) as cp:
            for event_row in event_rows:
                cp.write_row(event_row)
    recount_places(session, municipality_ids=sorted(municipalities))
    return len(match_rows)


def recount_places(session: Session, *, municipality_ids: Sequence[uuid.UUID]) -> None:
    """Set each opportunity's counter from its approved and active matches (after bulk loads)."""
    taken = (
        select(func.count())
        .where(Match.opportunity_id == Opportunity.id, Match.status.in_(TAKES_A_PLACE))
        .correlate(Opportunity)
        .scalar_subquery()
    )
    session.execute(
        update(Opportunity)
        .where(Opportunity.municipality_id.in_(list(municipality_ids)))
        .values(places_taken=taken)
        .execution_options(synchronize_session=False)
    )
