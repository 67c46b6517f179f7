"""Invite a recipient onto a caseload; the person activates the account with the code."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.audit.service import audit_denied, record
from api.auth.passwords import check_password_strength, hash_password
from api.auth.security import Actor
from api.config import INVITATION_TTL
from api.db import utcnow
from api.errors import Conflict, InvalidInput, NotFound
from api.i18n import N_
from api.invitations.models import Invitation
from api.profiles.service import caseload_person
from api.users.models import User

# No 0/O/1/I/L: codes are read aloud at a desk and typed on small phones.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").strip().upper().encode()).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


@dataclass(frozen=True)
class IssuedInvitation:
    """The code is shown once; only its hash is kept."""

    invite_code: str
    recipient_id: uuid.UUID
    expires_at: object


def create_invitation(
    session: Session,
    *,
    actor: Actor,
    recipient_name: str,
    email: str | None,
    coach_id: uuid.UUID | None,
) -> IssuedInvitation:
    """Create a not-yet-active recipient on a coach's caseload and a one-time code."""
    if actor.role == "coach":
        if coach_id is not None and coach_id != actor.user_id:
            raise InvalidInput.field("coachId", "A coach invites onto their own caseload.")
        coach_id = actor.user_id
    elif coach_id is None:
        raise InvalidInput.field("coachId", "Choose the coach whose caseload the person joins.")
    else:
        coach = session.get(User, coach_id)
        if coach is None or coach.role != "coach" or coach.municipality_id != actor.municipality_id:
            raise InvalidInput.field("coachId", "No such coach in your municipality.")
    if email:
        holder = session.scalar(select(User).where(User.email == email.lower()))
        if holder is not None and _pending_on_caseload(holder, actor, coach_id):
            return _invite_again(session, actor=actor, person=holder)
        if holder is not None:
            return _as_if_invited(session, actor=actor, holder=holder)
    recipient = User(
        municipality_id=actor.municipality_id,
        role="recipient",
        name=recipient_name,
        email=email.lower() if email else None,
        coach_id=coach_id,
        is_active=False,
    )
    session.add(recipient)
    session.flush()
    issued = issue_activation_code(session, actor=actor, user=recipient)
    record(
        session,
        actor=actor,
        subject_id=recipient.id,
        action="create",
        object_type="invitation",
        object_id=str(recipient.id),
        purpose=N_("invitation onto a caseload"),
    )
    return issued


def _pending_on_caseload(user: User, actor: Actor, coach_id: uuid.UUID) -> bool:
    """Invited onto this very caseload and never activated: the inviter knows of them already."""
    return (
        user.role == "recipient"
        and user.municipality_id == actor.municipality_id
        and user.coach_id == coach_id
        and not user.is_active
        and user.password_hash is None
    )


def _invite_again(session: Session, *, actor: Actor, person: User) -> IssuedInvitation:
    """A lost or expired code: a new one, and the older unused codes stop working."""
    now = utcnow()
    session.execute(
        update(Invitation)
        .where(
            Invitation.recipient_id == person.id,
            Invitation.used_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(expires_at=now)
    )
    issued = issue_activation_code(session, actor=actor, user=person)
    record(
        session,
        actor=actor,
        subject_id=person.id,
        action="create",
        object_type="invitation",
        object_id=str(person.id),
        purpose=N_("new invitation code"),
    )
    return issued


def _as_if_invited(session: Session, *, actor: Actor, holder: User) -> IssuedInvitation:
    """The e-mail address has an account (maybe in another municipality): answer as if invited.

    Nothing is created or changed and the code is valid for nothing, so the coach cannot learn
    that the address is in use; the attempt is audited as denied (subject only within reach).
    """
    audit_denied(
        session,
        actor=actor,
        subject_id=holder.id,
        action="create",
        object_type="invitation",
        purpose=N_("invitation refused: e-mail address already in use"),
    )
    return IssuedInvitation(_new_code(), uuid.uuid4(), utcnow() + INVITATION_TTL)


def issue_activation_code(session: Session, *, actor: Actor, user: User) -> IssuedInvitation:
    """A one-time, expiring code with which the person sets their own password."""
    code = _new_code()
    invitation = Invitation(
        municipality_id=actor.municipality_id,
        recipient_id=user.id,
        created_by_id=actor.user_id,
        code_hash=_hash(code),
        expires_at=utcnow() + INVITATION_TTL,
    )
    session.add(invitation)
    session.flush()
    return IssuedInvitation(code, user.id, invitation.expires_at)


def issue_login_code(
    session: Session, *, actor: Actor, recipient_id: uuid.UUID
) -> IssuedInvitation:
    """A coach gives someone on their caseload a new one-time code (forgot password, new phone).

    The person sets a new password with it (POST /v1/auth/register), as with an invitation.
    """
    person = caseload_person(session, actor=actor, recipient_id=recipient_id)
    issued = issue_activation_code(session, actor=actor, user=person)
    record(
        session,
        actor=actor,
        subject_id=person.id,
        action="create",
        object_type="activation_code",
        object_id=None,
        purpose=N_("new sign-in code for the person"),
    )
    return issued


def register_with_invitation(session: Session, *, code: str, email: str, password: str) -> User:
    """Spend a valid code once: the account gets its e-mail and password and becomes active."""
    invitation = session.scalar(
        select(Invitation).where(Invitation.code_hash == _hash(code)).with_for_update()
    )
    if invitation is None or invitation.used_at is not None or invitation.expires_at < utcnow():
        raise NotFound("This invitation code is unknown, already used or expired.")
    user = session.get(User, invitation.recipient_id)
    if user is None:
        raise NotFound("This invitation code is unknown, already used or expired.")
    email = email.strip().lower()
    if user.email and user.email != email:
        raise InvalidInput.field("email", "Use the e-mail address the invitation was made for.")
    taken = session.scalar(select(User.id).where(User.email == email, User.id != user.id))
    if taken:
        raise Conflict("This e-mail address is already in use.")
    check_password_strength(password, email=email, name=user.name)
    user.email = email
    user.password_hash = hash_password(password)
    user.is_active = True
    invitation.used_at = utcnow()
    session.flush()
    return user
