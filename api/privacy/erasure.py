"""Erasure: the person and everything personal go; their matches stay as anonymous counts.

Asked by the person (DELETE /v1/me), at the desk (a coach or admin), or by the retention job.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Text,
    any_,
    bindparam,
    delete,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from api.audit.models import AuditEvent
from api.audit.service import audit_denied, record
from api.auth.security import Actor
from api.db import rows_changed, utcnow, uuid_array, uuid_text
from api.errors import Forbidden, NotFound
from api.experiments.treatment import COACH_PROMPT_KIND
from api.i18n import N_
from api.idempotency.models import IdempotencyKey
from api.matches.lifecycle import transition_many
from api.matches.models import Match, MatchEvent, MatchFeedback
from api.matches.status import OPEN_STATUSES, TAKES_A_PLACE, MatchStatus
from api.municipalities.policy import load_policy
from api.nudges.events import NAMES_THE_PERSON, Notice, Target, emit
from api.plans import service as plans
from api.privacy.replies import json_fragment
from api.profiles.models import RecipientProfile
from api.progress.models import CheckIn
from api.users.models import User

ERASED = "erased person"


def erase_person(session: Session, *, user_id: uuid.UUID) -> None:
    """Delete the person and everything personal; matches stay only as anonymous counts."""
    erase_people(session, user_ids=[user_id])


def erase_people(session: Session, *, user_ids: Iterable[uuid.UUID]) -> int:
    """`erase_person` for many people at once, in a dozen statements whatever their number.

    The same effects as erasing them one after another (the retention job erases thousands a
    night): open matches withdrawn through the lifecycle, messages naming them deleted, their
    stored replies forgotten, history anonymised, the accounts deleted. Returns how many.
    """
    ids = sorted(set(user_ids))
    if not ids:
        return 0
    everyone = uuid_array(ids)
    people = session.execute(
        select(
            User.id,
            User.municipality_id,
            User.coach_id,
            User.name,
            User.email,
            RecipientProfile.display_name,
        )
        .outerjoin(RecipientProfile, RecipientProfile.user_id == User.id)
        .where(User.id == any_(everyone))
    ).all()
    own_matches = list(
        session.scalars(
            select(Match)
            .where(Match.recipient_id == any_(uuid_array(ids)))
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
            text(
                "delete from nudges where kind = any(string_to_array(:kinds, ','))"
                " and period = any(string_to_array(:periods, ','))"
            ),
            {
                "kinds": ",".join(("request_waiting", "approved_not_started", *NAMES_THE_PERSON)),
                "periods": ",".join(str(m.id) for m in own_matches),
            },
        )
    named = [
        {"coach_id": str(p.coach_id), "name": name, "id": str(p.id)}
        for p in people
        if p.coach_id is not None
        for name in dict.fromkeys(n for n in (p.display_name, p.name) if n)
    ]
    if named:
        # As `params['people'].astext.contains(name)` per name: LIKE '%' || name || '%'; or by
        # the ids a digest keeps of the people it names (a name changed since, say).
        session.execute(
            text(
                "delete from nudges n using json_to_recordset(cast(:named as json))"
                " as v(coach_id uuid, name text, id text)"
                " where n.kind = 'coach_digest' and n.user_id = v.coach_id"
                " and ((n.params ->> 'people') like '%' || v.name || '%'"
                " or coalesce(n.params -> 'subjects', '[]') ? v.id)"
            ),
            {"named": json.dumps(named)},
        )
    # A weekly digest keeps the ids of the people it names: gone wherever the person is named
    # (a coach they have left, a name changed since).
    session.execute(
        text(
            "delete from nudges where kind = 'coach_digest'"
            " and coalesce(params -> 'subjects', '[]') ?| string_to_array(:ids, ',')"
        ),
        {"ids": ",".join(str(i) for i in ids)},
    )
    # A coach's prompt to get in touch (an experiment's arm) names the person too; its period
    # ends in the person's id.
    session.execute(
        text(
            "delete from nudges where kind = :kind"
            " and split_part(period, ':', 2) = any(string_to_array(:ids, ','))"
        ),
        {"kind": COACH_PROMPT_KIND, "ids": ",".join(str(i) for i in ids)},
    )
    _forget_replies_of(session, people, own_matches)
    plans.anonymise_steps_of(session, user_ids=ids)
    session.execute(
        update(AuditEvent).where(AuditEvent.actor_id == any_(everyone)).values(actor_name=ERASED)
    )
    match_ids = select(Match.id).where(Match.recipient_id == any_(everyone))
    session.execute(
        update(MatchEvent).where(MatchEvent.match_id.in_(match_ids)).values(reason=None)
    )
    session.execute(
        update(MatchEvent).where(MatchEvent.actor_id == any_(everyone)).values(actor_id=None)
    )
    # "Did it help?" stays as an anonymous count; the person's own words go.
    session.execute(
        update(MatchFeedback).where(MatchFeedback.match_id.in_(match_ids)).values(words=None)
    )
    session.execute(
        update(Match)
        .where(Match.recipient_id == any_(everyone))
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
        update(AuditEvent)
        .where(AuditEvent.object_id == any_(_texts(uuid_text(ids))))
        .values(object_id=None)
    )
    # Everything else that names the person goes with the account (ON DELETE CASCADE):
    # profile, check-ins, ladder, nudges, inbox, devices, idempotency keys, tokens, invitations.
    session.execute(delete(User).where(User.id == any_(everyone)))
    session.flush()
    return len(people)


# `stored_replies_about` (with the person's name, e-mail and display name) for many people at
# once: a reply kept by anyone of a person's municipality that holds the person's id or one of
# their matches' ids, or (ignoring case) one of their texts, or a reply under the person's own key.
_FORGET_REPLIES = text(
    "delete from idempotency_keys k using users ku"
    " where ku.id = k.user_id and k.body is not null"
    " and exists (select 1 from json_to_recordset(cast(:people as json))"
    "  as p(id uuid, municipality_id uuid, needles text[], texts text[])"
    "  where p.municipality_id = ku.municipality_id"
    "  and (k.user_id = p.id"
    "   or exists (select 1 from unnest(p.needles) n where strpos(k.body::text, n) > 0)"
    "   or exists (select 1 from unnest(p.texts) t"
    "    where strpos(lower(k.body::text), lower(t)) > 0)))"
)


def _forget_replies_of(session: Session, people: Sequence[Any], matches: Sequence[Match]) -> int:
    """Delete every stored reply that mentions any of these people (one statement)."""
    if not people or not session.scalar(
        select(IdempotencyKey.user_id).where(IdempotencyKey.body.is_not(None)).limit(1)
    ):
        return 0
    by_person: dict[uuid.UUID, list[str]] = {}
    for m in matches:
        if m.recipient_id is not None:
            by_person.setdefault(m.recipient_id, []).append(str(m.id))
    doc = [
        {
            "id": str(p.id),
            "municipality_id": str(p.municipality_id),
            "needles": [str(p.id), *by_person.get(p.id, ())],
            "texts": [
                json_fragment(t)
                for t in dict.fromkeys((p.name, p.email, p.display_name))
                if t and len(t) >= 3  # a very short name would match nearly every reply
            ],
        }
        for p in people
    ]
    result = session.execute(_FORGET_REPLIES, {"people": json.dumps(doc)})
    return int(cast("CursorResult[Any]", result).rowcount or 0)


def _texts(joined: str) -> ColumnElement[Any]:
    """A comma-joined text as text[] in SQL (one parameter, however many elements)."""
    return sql_cast(func.string_to_array(bindparam(None, joined), ","), ARRAY(Text))


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
    coach_id = person.coach_id
    erase_person(session, user_id=person.id)
    if coach_id is not None and coach_id != actor.user_id:
        # Someone else (an admin) did it at the desk: the coach hears, without a name.
        notice = Notice(coach_id, "person_erased", str(uuid.uuid4()), Target("caseload"), {})
        policy = load_policy(session, actor.municipality_id)
        emit(session, notice, municipality_id=actor.municipality_id, policy=policy, now=utcnow())


def apply_retention(
    session: Session,
    *,
    now: datetime,
    municipality_id: uuid.UUID,
    note_days: int,
    inactive_days: int,
) -> dict[str, int]:
    """Remove check-in notes and inactive accounts after the policy's periods."""
    notes = remove_old_notes(session, now=now, municipality_id=municipality_id, days=note_days)
    stale = stale_accounts(session, now=now, municipality_id=municipality_id, days=inactive_days)
    erase_people(session, user_ids=stale)
    forget_old_replies(session, now=now)
    return {"notes_removed": notes, "accounts_erased": len(stale)}


def remove_old_notes(
    session: Session, *, now: datetime, municipality_id: uuid.UUID, days: int
) -> int:
    """Blank check-in notes older than `days` in the municipality; how many."""
    return rows_changed(
        session,
        update(CheckIn)
        .where(
            CheckIn.municipality_id == municipality_id,
            CheckIn.note.is_not(None),
            CheckIn.created_at < now - timedelta(days=days),
        )
        .values(note=None),
    )


def stale_accounts(
    session: Session, *, now: datetime, municipality_id: uuid.UUID, days: int
) -> list[uuid.UUID]:
    """Recipients of the municipality with no sign-in, check-in or new account for `days`,
    and no place taken."""
    cutoff = now - timedelta(days=days)
    last_checkin = (
        select(func.max(CheckIn.created_at)).where(CheckIn.user_id == User.id).scalar_subquery()
    )
    return list(
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


def forget_old_replies(session: Session, *, now: datetime) -> None:
    """Stored replies to retried requests are only needed for a day; they hold personal data."""
    session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.created_at < now - timedelta(days=1))
    )
