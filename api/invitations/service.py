"""Invite a recipient onto a caseload; the person activates the account with the code."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.audit.service import audit_denied, record
from api.auth.passwords import check_password_strength, hash_password
from api.auth.security import Actor
from api.config import INVITATION_TTL, RESET_CODE_TTL
from api.db import utcnow
from api.errors import Conflict, InvalidInput, NotFound
from api.i18n import N_
from api.invitations.models import ACTIVATE, RESET, Invitation
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
    expires_at: datetime
    purpose: str = ACTIVATE


BAD_RESET_CODE = N_("This code is unknown, already used or expired. Ask your coach for a new one.")


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
    return _issue_audited(
        session,
        actor=actor,
        person=recipient,
        purpose=ACTIVATE,
        note=N_("invitation onto a caseload"),
    )


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
    return _issue_audited(
        session, actor=actor, person=person, purpose=ACTIVATE, note=N_("new invitation code")
    )


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
    return IssuedInvitation(_new_code(), uuid.uuid4(), utcnow() + INVITATION_TTL, ACTIVATE)


def issue_activation_code(session: Session, *, actor: Actor, user: User) -> IssuedInvitation:
    """A one-time, expiring code with which the person sets their own password."""
    return _issue(session, actor=actor, user=user, purpose=ACTIVATE)


def _issue(session: Session, *, actor: Actor, user: User, purpose: str) -> IssuedInvitation:
    """A one-time code for `user`; only its hash is kept."""
    ttl = RESET_CODE_TTL if purpose == RESET else INVITATION_TTL
    code = _new_code()
    invitation = Invitation(
        municipality_id=actor.municipality_id,
        recipient_id=user.id,
        created_by_id=actor.user_id,
        code_hash=_hash(code),
        purpose=purpose,
        expires_at=utcnow() + ttl,
    )
    session.add(invitation)
    session.flush()
    return IssuedInvitation(code, user.id, invitation.expires_at, purpose)


def _issue_audited(
    session: Session, *, actor: Actor, person: User, purpose: str, note: str
) -> IssuedInvitation:
    """A new code in place of the person's older unused ones of that kind, in the audit trail."""
    now = utcnow()
    session.execute(
        update(Invitation)
        .where(
            Invitation.recipient_id == person.id,
            Invitation.purpose == purpose,
            Invitation.used_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(expires_at=now)
    )
    issued = _issue(session, actor=actor, user=person, purpose=purpose)
    record(
        session,
        actor=actor,
        subject_id=person.id,
        action="create",
        object_type="invitation" if purpose == ACTIVATE else "reset_code",
        object_id=str(person.id),
        purpose=note,
    )
    return issued


def issue_login_code(
    session: Session, *, actor: Actor, recipient_id: uuid.UUID
) -> IssuedInvitation:
    """A coach gives someone on their caseload a new one-time code (forgot password, new phone).

    Someone who has chosen a password gets a reset code (POST /v1/auth/reset); someone who never
    activated the account gets a new invitation code (POST /v1/auth/register).
    """
    return issue_reset_code(session, actor=actor, user_id=recipient_id)


def issue_reset_code(session: Session, *, actor: Actor, user_id: uuid.UUID) -> IssuedInvitation:
    """A one-time code to choose a new password: a coach for their caseload, an admin for anyone
    of their municipality (anyone else does not exist for them: 404, audited)."""
    if actor.role == "coach":
        person = caseload_person(
            session, actor=actor, recipient_id=user_id, action="create", object_type="reset_code"
        )
    else:
        person = _municipality_user(session, actor=actor, user_id=user_id)
    return _code_for(session, actor=actor, person=person)


def _municipality_user(session: Session, *, actor: Actor, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None or user.municipality_id != actor.municipality_id:
        audit_denied(
            session,
            actor=actor,
            subject_id=user.id if user is not None else None,
            action="create",
            object_type="reset_code",
            object_id=user_id,
            purpose=N_("not in this municipality"),
        )
        raise NotFound()
    return user


def _code_for(session: Session, *, actor: Actor, person: User) -> IssuedInvitation:
    """A reset code for an account in use; a new invitation code for one never activated."""
    if person.password_hash is None:
        return _issue_audited(
            session, actor=actor, person=person, purpose=ACTIVATE, note=N_("new invitation code")
        )
    if not person.is_active:
        raise Conflict("This account has been closed.")
    return _issue_audited(
        session,
        actor=actor,
        person=person,
        purpose=RESET,
        note=N_("code to choose a new password"),
    )


def _spend(session: Session, *, code: str, purpose: str) -> tuple[Invitation, User] | None:
    """The valid, unused code of this kind and its account, locked; None for anything else.

    The row is found by the code's SHA-256 (an index lookup on a hash tells nothing about the
    code) and the hashes are compared in constant time before it counts.
    """
    wanted = _hash(code)
    invitation = session.scalar(
        select(Invitation).where(Invitation.code_hash == wanted).with_for_update()
    )
    if (
        invitation is None
        or not hmac.compare_digest(invitation.code_hash, wanted)
        or invitation.purpose != purpose
        or invitation.used_at is not None
        or invitation.expires_at <= utcnow()
    ):
        return None
    user = session.get(User, invitation.recipient_id)
    if user is None:
        return None
    return invitation, user


def reset_with_code(session: Session, *, code: str, password: str) -> User:
    """Spend a reset code once: the account gets the new password (the caller ends its sessions).

    A wrong, used or expired code is a 400 naming `resetCode`; a weak password a 400 naming
    `password` (and the code stays unspent, as the request changes nothing).
    """
    spent = _spend(session, code=code, purpose=RESET)
    if spent is None or not spent[1].is_active:
        raise InvalidInput.field("resetCode", BAD_RESET_CODE)
    invitation, user = spent
    check_password_strength(password, email=user.email, name=user.name)
    user.password_hash = hash_password(password)
    invitation.used_at = utcnow()
    session.flush()
    return user


def code_holder(session: Session, *, code: str) -> tuple[str, str | None] | None:
    """What a still valid code is for and its account's e-mail address, else None.

    For the console's one form that serves both kinds of code.
    """
    row = session.execute(
        select(Invitation.purpose, Invitation.used_at, Invitation.expires_at, User.email)
        .join(User, User.id == Invitation.recipient_id)
        .where(Invitation.code_hash == _hash(code))
    ).first()
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    return str(row.purpose), row.email


def register_with_invitation(session: Session, *, code: str, email: str, password: str) -> User:
    """Spend a valid code once: the account gets its e-mail and password and becomes active."""
    spent = _spend(session, code=code, purpose=ACTIVATE)
    if spent is None:
        raise NotFound("This invitation code is unknown, already used or expired.")
    invitation, user = spent
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
