"""Writing to the audit trail: successes ride the request's transaction, denials outlive it.

The service knows nothing of the web layer. The app opens a `RequestAudit` per request
(`begin_request(origin)`) and closes it after the request's own transaction has ended
(`end_request(session_factory)`); the origin ("GET /v1/caseload/<uuid:recipient_id>") comes in
that way. Denials are kept aside during the request and written afterwards in a short
transaction of their own, because a denied request answers 4xx and its transaction rolls back.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from api.audit.models import AuditEvent
from api.auth.security import Actor
from api.i18n import N_
from api.users.models import User

log = logging.getLogger(__name__)

SUCCESS = "success"
DENIED = "denied"
# Who "acts" in a failed sign-in: nobody we know.
ANONYMOUS_ROLE = "anonymous"
ANONYMOUS_NAME = "not signed in"
STAFF_ROLES = frozenset({"organizer", "coach", "admin"})


@dataclass
class RequestAudit:
    """What the audit trail knows about the request in flight."""

    origin: str | None
    deferred: list[dict[str, Any]] = field(default_factory=list)


_current: ContextVar[RequestAudit | None] = ContextVar("meedoen_request_audit", default=None)


def begin_request(origin: str | None) -> None:
    """Start auditing one request; `origin` is "METHOD route" as the router matched it."""
    _current.set(RequestAudit(origin[:80] if origin else None))


def end_request(session_factory: Callable[[], Session]) -> None:
    """Write the request's denials in a transaction of their own, after the request's ended."""
    ctx = _current.get()
    _current.set(None)
    if ctx is None or not ctx.deferred:
        return
    session = session_factory()
    try:
        session.execute(insert(AuditEvent), ctx.deferred)
        session.commit()
    except Exception:  # the answer has been given; a lost audit row is logged, never raised
        session.rollback()
        log.exception("could not write %d denied-access audit rows", len(ctx.deferred))
    finally:
        session.close()


def current_origin() -> str | None:
    """The origin of the request in flight (None in jobs and commands)."""
    ctx = _current.get()
    return ctx.origin if ctx else None


def _actor_name(session: Session, actor: Actor) -> str:
    user = session.get(User, actor.user_id)  # usually in the identity map already
    return user.name if user else "?"


def record_many(
    session: Session,
    *,
    actor: Actor,
    subject_ids: Iterable[uuid.UUID],
    action: str,
    object_type: str,
    purpose: str,
) -> None:
    """One audit row per person seen in a list, written in one statement."""
    ids = list(dict.fromkeys(subject_ids))
    if not ids:
        return
    name = _actor_name(session, actor)
    origin = current_origin()
    session.execute(
        insert(AuditEvent),
        [
            {
                "id": uuid.uuid4(),
                "municipality_id": actor.municipality_id,
                "actor_id": actor.user_id,
                "actor_role": actor.role,
                "actor_name": name,
                "subject_id": sid,
                "action": action,
                "object_type": object_type,
                "result": SUCCESS,
                "origin": origin,
                "purpose": purpose,
            }
            for sid in ids
        ],
    )


def record(
    session: Session,
    *,
    actor: Actor,
    subject_id: uuid.UUID | None,
    action: str,
    object_type: str,
    object_id: str | None = None,
    purpose: str | None = None,
    actor_name: str | None = None,
) -> None:
    """Note that an actor read or changed someone's personal data (in the request's transaction)."""
    session.add(
        AuditEvent(
            municipality_id=actor.municipality_id,
            actor_id=actor.user_id,
            actor_role=actor.role,
            actor_name=actor_name or _actor_name(session, actor),
            subject_id=subject_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            result=SUCCESS,
            origin=current_origin(),
            purpose=purpose,
        )
    )


def _write_denial(session: Session, row: dict[str, Any]) -> None:
    """Keep a denial aside until the request has ended; outside a request, join the caller's."""
    ctx = _current.get()
    if ctx is not None:
        ctx.deferred.append(row)
    else:
        session.execute(insert(AuditEvent), [row])


def audit_denied(
    session: Session,
    *,
    actor: Actor,
    subject_id: uuid.UUID | None,
    object_type: str,
    object_id: str | uuid.UUID | None = None,
    action: str = "read",
    purpose: str | None = None,
) -> None:
    """Note that `actor` was refused (404/403) an object that may belong to person `subject_id`.

    Call it where the refusal is decided, with the id the actor asked for as `object_id` and,
    when the object exists and belongs to a person, that person as `subject_id`. What is kept,
    so that the trail itself leaks nothing:

    - The row always goes to the ACTOR's municipality (the admins who answer for this actor),
      with who, when, the route (origin), the action and the kind of object.
    - Subject and object id are kept only when the actor is staff and the subject's account
      exists in the actor's own municipality. Then the person sees the attempt in their access
      log and the admin can follow it up; both may know of each other anyway.
    - Otherwise neither: a person or object of another municipality is never named in this
      municipality's trail (an admin cannot even tell it from an id that never existed), an
      erased person's old id does not come back, and a recipient who guessed at someone
      else's object is not shown by name in that person's access log.

    The row is written after the request's transaction has rolled back, in one of its own.
    """
    keep_subject = None
    if subject_id is not None and actor.role in STAFF_ROLES:
        home = session.scalar(select(User.municipality_id).where(User.id == subject_id))
        if home is not None and home == actor.municipality_id:
            keep_subject = subject_id
    _write_denial(
        session,
        {
            "id": uuid.uuid4(),
            "municipality_id": actor.municipality_id,
            "actor_id": actor.user_id,
            "actor_role": actor.role,
            "actor_name": _actor_name(session, actor),
            "subject_id": keep_subject,
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id)[:80] if keep_subject and object_id is not None else None,
            "result": DENIED,
            "origin": current_origin(),
            "purpose": purpose,
        },
    )


def audit_sign_in_denied(session: Session, *, account: User | None) -> None:
    """A failed sign-in: against the account when it is known (it sees it in its access log).

    Never the password, never the e-mail address that was typed: an unknown address may be a
    typo of someone else's, so that row has no subject and no municipality.
    """
    _write_denial(
        session,
        {
            "id": uuid.uuid4(),
            "municipality_id": account.municipality_id if account else None,
            "actor_id": None,
            "actor_role": ANONYMOUS_ROLE,
            "actor_name": ANONYMOUS_NAME,
            "subject_id": account.id if account else None,
            "action": "sign_in",
            "object_type": "account",
            "object_id": None,
            "result": DENIED,
            "origin": current_origin(),
            "purpose": N_("sign-in refused"),
        },
    )
