"""Stored idempotent replies that mention a person: shown in their export, deleted on erasure."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import Select, Text, or_, select

from api.idempotency.models import IdempotencyKey
from api.users.models import User


def json_fragment(value: str) -> str:
    """How a string looks inside PostgreSQL's text form of a JSON document."""
    return json.dumps(value, ensure_ascii=False)[1:-1]


def stored_replies_about(
    *,
    person: User,
    match_ids: list[uuid.UUID],
    texts: tuple[str | None, ...] = (),
) -> Select[tuple[IdempotencyKey]]:
    """Stored idempotent replies (anyone's, in the person's municipality) that mention the person.

    A reply mentions them when it holds their id or one of their matches' ids (e.g. a coach's
    approve reply carries the match with the person's message), or, with `texts`, their name or
    e-mail (a safety net for erasure: deleting a reply too many only makes a retry act anew).
    """
    body = IdempotencyKey.body.cast(Text)
    needles = [str(person.id), *(str(m) for m in match_ids)]
    conditions = [body.contains(n) for n in needles]
    conditions += [
        body.icontains(json_fragment(t), autoescape=True)
        for t in dict.fromkeys(texts)
        if t and len(t) >= 3  # a very short name would match nearly every reply
    ]
    in_municipality = select(User.id).where(User.municipality_id == person.municipality_id)
    return (
        select(IdempotencyKey)
        .where(
            IdempotencyKey.body.is_not(None),
            IdempotencyKey.user_id.in_(in_municipality),
            or_(IdempotencyKey.user_id == person.id, *conditions),
        )
        .order_by(IdempotencyKey.created_at)
    )
