"""The inbox (list, change feed, unread count, read), push devices, staff preferences."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import any_, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from api.audit.service import STAFF_ROLES, audit_denied, record_many
from api.auth.security import Actor
from api.core.paging import Page, keyset_page
from api.db import rows_changed, utcnow, uuid_array
from api.errors import Forbidden, InvalidInput, NotFound
from api.i18n import N_
from api.matches.models import Match
from api.nudges.events import COACH_KINDS, DEFAULT_MODE, MODES, ORGANISER_KINDS, STAFF_KINDS
from api.nudges.models import Device, InboxMessage, NotificationPreference, Nudge
from api.users.models import User


def list_inbox(
    session: Session,
    *,
    actor: Actor,
    limit: int = 20,
    cursor: str | None = None,
    unread: bool | None = None,
    updated_since: datetime | None = None,
) -> Page:
    """Newest first; with `updated_since`, what changed after it, oldest change first (sync)."""
    stmt = select(InboxMessage).where(InboxMessage.user_id == actor.user_id)
    if unread:
        stmt = stmt.where(InboxMessage.read_at.is_(None))
    if updated_since is not None:
        page = keyset_page(
            session,
            stmt.where(InboxMessage.updated_at > updated_since),
            order=(InboxMessage.updated_at.asc(), InboxMessage.id.asc()),
            limit=limit,
            cursor=cursor,
        )
    else:
        page = keyset_page(
            session,
            stmt,
            order=(InboxMessage.created_at.desc(), InboxMessage.id.desc()),
            limit=limit,
            cursor=cursor,
        )
    _audit_staff_reading(session, actor, page.items)
    return page


def _audit_staff_reading(session: Session, actor: Actor, messages: list[InboxMessage]) -> None:
    """Staff messages name people ("Bram would like to join ..."): reading them is a read of
    those people's data, so it is in their access log as any other staff read."""
    if actor.role not in STAFF_ROLES:
        return
    matches = [m.target_id for m in messages if m.target_type == "match" and m.target_id]
    people = [
        uuid.UUID(m.target_id)
        for m in messages
        if m.target_type == "caseload_person" and m.target_id
    ]
    digests = [m.nudge_id for m in messages if m.kind == "coach_digest" and m.nudge_id]
    if digests:  # a weekly digest names up to five people: their ids are kept with it
        for named in session.scalars(
            select(Nudge.params["subjects"]).where(Nudge.id == any_(uuid_array(digests)))
        ):
            people += [uuid.UUID(i) for i in named or []]
    if matches:
        people += session.scalars(
            select(Match.recipient_id).where(
                Match.id == any_(uuid_array(uuid.UUID(i) for i in matches)),
                Match.recipient_id.is_not(None),
            )
        )
    named = list(dict.fromkeys(p for p in people if p is not None))
    if not named:
        return
    # Only people who still exist, in the staff member's municipality (a stale id in an old
    # message must neither break the inbox nor name anyone else).
    existing = set(
        session.scalars(
            select(User.id).where(
                User.id == any_(uuid_array(named)), User.municipality_id == actor.municipality_id
            )
        )
    )
    record_many(
        session,
        actor=actor,
        subject_ids=[p for p in named if p in existing],
        action="read",
        object_type="inbox_message",
        purpose=N_("a message about you in their inbox"),
    )


def mark_read(session: Session, *, actor: Actor, message_id: uuid.UUID) -> InboxMessage:
    """Mark one of your own messages read (idempotent)."""
    msg = session.get(InboxMessage, message_id)
    if msg is None or msg.user_id != actor.user_id:
        audit_denied(
            session,
            actor=actor,
            subject_id=msg.user_id if msg else None,
            action="update",
            object_type="inbox_message",
            object_id=message_id,
            purpose=N_("not their own message"),
        )
        raise NotFound()
    if msg.read_at is None:
        msg.read_at = msg.updated_at = utcnow()
        session.flush()
    _audit_staff_reading(session, actor, [msg])
    return msg


@dataclass(frozen=True)
class InboxCount:
    unread: int
    marked: int = 0


def unread_count(session: Session, *, actor: Actor) -> InboxCount:
    """How many of your messages are unread (the app's badge)."""
    found = session.scalar(
        select(func.count())
        .select_from(InboxMessage)
        .where(InboxMessage.user_id == actor.user_id, InboxMessage.read_at.is_(None))
    )
    return InboxCount(unread=found or 0)


def mark_all_read(session: Session, *, actor: Actor) -> InboxCount:
    """Mark every unread message of yours read at once."""
    now = utcnow()
    marked = rows_changed(
        session,
        update(InboxMessage)
        .where(InboxMessage.user_id == actor.user_id, InboxMessage.read_at.is_(None))
        .values(read_at=now, updated_at=now)
        .execution_options(synchronize_session=False),
    )
    return InboxCount(unread=0, marked=marked)


def register_device(
    session: Session,
    *,
    actor: Actor,
    platform: str,
    push_token: str,
    family_id: uuid.UUID | None = None,
) -> Device:
    """Register (or re-register) this phone for push, under the sign-in that registers it.

    A token belongs to one account: registered by another account before (a phone handed
    on, or a second account on it), it moves to the one registering it now.
    """
    session.execute(
        insert(Device)
        .values(
            id=uuid.uuid4(),
            user_id=actor.user_id,
            platform=platform,
            push_token=push_token,
            family_id=family_id,
        )
        .on_conflict_do_update(
            index_elements=["push_token"],
            set_={
                "user_id": actor.user_id,
                "platform": platform,
                "family_id": family_id,
                "created_at": func.now(),
            },
        )
    )
    device = session.scalar(
        select(Device)
        .where(Device.push_token == push_token)
        .execution_options(populate_existing=True)
    )
    assert device is not None
    return device


def list_devices(session: Session, *, actor: Actor) -> list[Device]:
    """Your registered phones, oldest first."""
    return list(
        session.scalars(
            select(Device)
            .where(Device.user_id == actor.user_id)
            .order_by(Device.created_at, Device.id)
        )
    )


def remove_device(session: Session, *, actor: Actor, device_id: uuid.UUID) -> None:
    """Stop pushes to one of your phones; another's device is 404."""
    removed = rows_changed(
        session, delete(Device).where(Device.id == device_id, Device.user_id == actor.user_id)
    )
    if not removed:
        raise NotFound()


def remove_all_devices(session: Session, *, user_id: uuid.UUID) -> int:
    """Every phone of an account (erasure, deactivation)."""
    return rows_changed(session, delete(Device).where(Device.user_id == user_id))


@dataclass(frozen=True)
class KindChoice:
    kind: str
    mode: str


def _staff_kinds(actor: Actor) -> tuple[str, ...]:
    if actor.role == "coach":
        return COACH_KINDS
    if actor.role == "organizer":
        return ORGANISER_KINDS
    if actor.role == "admin":
        return STAFF_KINDS
    raise Forbidden("Notification choices are for staff; your app settings hold yours.")


def notification_preferences(session: Session, *, actor: Actor) -> list[KindChoice]:
    """Per event kind you receive: 'push', 'inbox' or 'summary' (a daily summary instead)."""
    kinds = _staff_kinds(actor)
    row = session.get(NotificationPreference, actor.user_id)
    stored = row.kinds if row else {}
    return [KindChoice(k, stored.get(k, DEFAULT_MODE)) for k in kinds]


def set_notification_preferences(
    session: Session, *, actor: Actor, choices: list[dict[str, str]]
) -> list[KindChoice]:
    """Change some of your choices; kinds you do not receive are a 400."""
    kinds = _staff_kinds(actor)
    update_: dict[str, str] = {}
    for i, choice in enumerate(choices):
        if choice["kind"] not in kinds:
            raise InvalidInput.field(f"kinds.{i}.kind", "You do not receive this kind.")
        if choice["mode"] not in MODES:  # also checked by the schema
            raise InvalidInput.field(f"kinds.{i}.mode", "Use push, inbox or summary.")
        update_[choice["kind"]] = choice["mode"]
    row = session.get(NotificationPreference, actor.user_id, with_for_update=True)
    if row is None:
        row = NotificationPreference(user_id=actor.user_id, kinds={})
        session.add(row)
    row.kinds = {**(row.kinds or {}), **update_}
    session.flush()
    return notification_preferences(session, actor=actor)
