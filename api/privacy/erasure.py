"""Erasure: the person and everything personal go; their matches stay as anonymous counts.

Asked by the person (DELETE /v1/me), at the desk (a coach or admin), or by the retention job.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, tuple_, update
from sqlalchemy.orm import Session

from api.audit.models import AuditEvent
from api.audit.service import audit_denied, record
from api.auth.security import Actor
from api.db import rows_changed
from api.errors import Forbidden, NotFound
from api.experiments.treatment import COACH_PROMPT_KIND
from api.i18n import N_
from api.idempotency.models import IdempotencyKey
from api.matches.lifecycle import transition_many
from api.matches.models import Match, MatchEvent
from api.matches.status import OPEN_STATUSES, TAKES_A_PLACE, MatchStatus
from api.nudges.models import Nudge
from api.plans import service as plans
from api.privacy.replies import stored_replies_about
from api.profiles.models import RecipientProfile
from api.progress.models import CheckIn
from api.users.models import User

ERASED = "erased person"


def erase_person(session: Session, *, user_id: uuid.UUID) -> None:
    """Delete the person and everything personal; matches stay only as anonymous counts."""
    person = session.get(User, user_id)
    profile = session.get(RecipientProfile, user_id)
    own_matches = list(
        session.scalars(
            select(Match)
            .where(Match.recipient_id == user_id)
            .order_by(Match.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    # An erased person takes no place and waits for no decision.
    transition_many(
        session,
        [m for m in own_matches if m.status in OPEN_STATUSES],
        MatchStatus.WITHDRAWN,
        role="system",
    )
    # Messages to coaches and organisers that name the person go too.
    if own_matches:
        session.execute(
            delete(Nudge).where(
                Nudge.kind.in_(("request_waiting", "approved_not_started")),
                Nudge.period.in_([str(m.id) for m in own_matches]),
            )
        )
    if person is not None and person.coach_id is not None:
        names = {n for n in (profile.display_name if profile else None, person.name) if n}
        for name in names:
            session.execute(
                delete(Nudge).where(
                    Nudge.kind == "coach_digest",
                    Nudge.user_id == person.coach_id,
                    Nudge.params["people"].astext.contains(name),
                )
            )
    # A coach's prompt to get in touch (an experiment's arm) names the person too.
    session.execute(
        delete(Nudge).where(Nudge.kind == COACH_PROMPT_KIND, Nudge.period.like(f"%:{user_id}"))
    )
    forget_stored_replies(session, user_id=user_id)
    plans.anonymise_steps(session, user_id=user_id)
    session.execute(
        update(AuditEvent).where(AuditEvent.actor_id == user_id).values(actor_name=ERASED)
    )
    match_ids = select(Match.id).where(Match.recipient_id == user_id).scalar_subquery()
    session.execute(
        update(MatchEvent).where(MatchEvent.match_id.in_(match_ids)).values(reason=None)
    )
    session.execute(update(MatchEvent).where(MatchEvent.actor_id == user_id).values(actor_id=None))
    session.execute(
        update(Match)
        .where(Match.recipient_id == user_id)
        .values(
            recipient_id=None,
            reasons=[],
            message=None,
            coach_note=None,
            decision_reason=None,
            score=None,
        )
    )
    session.execute(
        update(AuditEvent).where(AuditEvent.object_id == str(user_id)).values(object_id=None)
    )
    # Everything else that names the person goes with the account (ON DELETE CASCADE):
    # profile, check-ins, ladder, nudges, inbox, devices, idempotency keys, tokens, invitations.
    session.execute(delete(User).where(User.id == user_id))
    session.flush()


def forget_stored_replies(session: Session, *, user_id: uuid.UUID) -> int:
    """Delete every stored idempotent reply that mentions the person, whoever's key it is.

    A retry with such a key then acts anew (and finds the person gone) instead of replaying
    their data. Runs before the person's matches are anonymised: their ids find the replies.
    """
    person = session.get(User, user_id)
    if person is None:
        return 0
    profile = session.get(RecipientProfile, user_id)
    match_ids = list(session.scalars(select(Match.id).where(Match.recipient_id == user_id)))
    texts = (person.name, person.email, profile.display_name if profile else None)
    about = stored_replies_about(person=person, match_ids=match_ids, texts=texts)
    keys = about.with_only_columns(IdempotencyKey.user_id, IdempotencyKey.key).order_by(None)
    return rows_changed(
        session,
        delete(IdempotencyKey)
        .where(tuple_(IdempotencyKey.user_id, IdempotencyKey.key).in_(keys))
        .execution_options(synchronize_session=False),
    )


def erase_self(session: Session, *, actor: Actor) -> None:
    """DELETE /v1/me."""
    record(
        session,
        actor=actor,
        subject_id=None,
        action="delete",
        object_type="person",
        object_id=None,
        purpose=N_("erasure asked by the person"),
        actor_name=ERASED,
    )
    erase_person(session, user_id=actor.user_id)


def erase_for_person(session: Session, *, actor: Actor, recipient_id: uuid.UUID) -> None:
    """A coach (own caseload) or admin (own municipality) erases a person who asked at the desk."""
    person = session.get(User, recipient_id)
    if (
        person is None
        or person.role != "recipient"
        or person.municipality_id != actor.municipality_id
        or (actor.role == "coach" and person.coach_id != actor.user_id)
    ):
        audit_denied(
            session,
            actor=actor,
            subject_id=person.id if person is not None and person.role == "recipient" else None,
            action="delete",
            object_type="person",
            object_id=recipient_id,
            purpose=N_("erasure refused: not within reach"),
        )
        raise NotFound()
    if actor.role not in ("coach", "admin"):
        raise Forbidden("Your role may not do this.")
    record(
        session,
        actor=actor,
        subject_id=None,
        action="delete",
        object_type="person",
        object_id=None,
        purpose=N_("erasure asked at the desk"),
    )
    erase_person(session, user_id=person.id)


def apply_retention(
    session: Session,
    *,
    now: datetime,
    municipality_id: uuid.UUID,
    note_days: int,
    inactive_days: int,
) -> dict[str, int]:
    """Remove check-in notes and inactive accounts after the policy's periods."""
    notes = rows_changed(
        session,
        update(CheckIn)
        .where(
            CheckIn.municipality_id == municipality_id,
            CheckIn.note.is_not(None),
            CheckIn.created_at < now - timedelta(days=note_days),
        )
        .values(note=None),
    )
    cutoff = now - timedelta(days=inactive_days)
    last_checkin = (
        select(func.max(CheckIn.created_at)).where(CheckIn.user_id == User.id).scalar_subquery()
    )
    stale = list(
        session.scalars(
            select(User.id).where(
                User.municipality_id == municipality_id,
                User.role == "recipient",
                User.created_at < cutoff,
                or_(User.last_login_at.is_(None), User.last_login_at < cutoff),
                or_(last_checkin.is_(None), last_checkin < cutoff),
                ~select(Match.id)
                .where(Match.recipient_id == User.id, Match.status.in_(TAKES_A_PLACE))
                .exists(),
            )
        )
    )
    for user_id in stale:
        erase_person(session, user_id=user_id)
    # Stored replies to retried requests are only needed for a day; they hold personal data.
    session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.created_at < now - timedelta(days=1))
    )
    return {"notes_removed": notes, "accounts_erased": len(stale)}
