"""Who is asking: the actor as the database knows them, and role guards reused everywhere."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from flask import request
from flask_jwt_extended import get_current_user, jwt_required, verify_jwt_in_request
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from api.auth.models import TokenFamily
from api.errors import Forbidden
from api.extensions import Blueprint
from api.users.models import User

F = TypeVar("F", bound=Callable[..., Any])

# Every token we issue carries these; a token without them (e.g. without exp) is refused.
REQUIRED_CLAIMS = ("exp", "iat", "sub", "fam")


@dataclass(frozen=True, slots=True)
class Actor:
    """The signed-in user, read from the database on each request (never from the token)."""

    user_id: uuid.UUID
    role: str
    municipality_id: uuid.UUID
    team_id: uuid.UUID | None


def has_required_claims(claims: Mapping[str, Any]) -> bool:
    """A signed token still needs an expiry and a sign-in (family) to be accepted."""
    return all(claims.get(name) is not None for name in REQUIRED_CLAIMS)


# Built once: constructing the statement on every request cost more than running it.
_ACTOR = (
    select(User.role, User.municipality_id, User.team_id)
    .join(TokenFamily, TokenFamily.user_id == User.id)
    .where(
        TokenFamily.id == bindparam("fam"),
        TokenFamily.revoked_at.is_(None),
        User.id == bindparam("uid"),
        User.is_active,
    )
)


def resolve_actor(session: Session, *, claims: Mapping[str, Any]) -> Actor | None:
    """The token's user if they are active, its sign-in is theirs and open, and its claims agree.

    One indexed lookup (two primary keys); None means 401.
    """
    try:
        user_id = uuid.UUID(str(claims["sub"]))
        family_id = uuid.UUID(str(claims["fam"]))
    except (KeyError, ValueError):
        return None
    row = session.execute(_ACTOR, {"fam": family_id, "uid": user_id}).first()
    if row is None:
        return None
    actor = Actor(user_id, row.role, row.municipality_id, row.team_id)
    team = str(actor.team_id) if actor.team_id else None
    if (claims.get("role"), claims.get("mun"), claims.get("team")) != (
        actor.role,
        str(actor.municipality_id),
        team,
    ):
        return None  # the role, municipality or team changed since sign-in, or was forged
    return actor


def request_actor(session: Session, claims: Mapping[str, Any]) -> Actor | None:
    """resolve_actor, once per request even when the token is verified twice.

    Kept in the request's WSGI environ, not in flask.g: an app context may outlive one request.
    """
    key = json.dumps(claims, sort_keys=True, default=str)
    cache: dict[str, Actor | None] = request.environ.setdefault("meedoen.actors", {})
    if key not in cache:
        cache[key] = resolve_actor(session, claims=claims)
    return cache[key]


def current_actor() -> Actor:
    """The actor of this request (the token and its user have been verified already)."""
    actor = get_current_user()
    if not isinstance(actor, Actor):
        raise RuntimeError("current_actor() needs a verified token")
    return actor


def roles_required(*roles: str) -> Callable[[F], F]:
    """Allow only these roles; any other signed-in role gets 403."""

    def decorator(fn: F) -> F:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            verify_jwt_in_request()
            if roles and current_actor().role not in roles:
                raise Forbidden("Your role may not do this.")
            return fn(*args, **kwargs)

        documented = Blueprint.doc(security=[{"bearerAuth": []}], **{"x-roles": list(roles)})
        return cast(F, documented(wrapper))

    return decorator


def signed_in(fn: F) -> F:
    """Any signed-in role."""
    return roles_required()(fn)


def token_required(*, refresh: bool = False, verify_type: bool = True) -> Callable[[F], F]:
    """flask-jwt-extended's `jwt_required` with a type (the library leaves it untyped)."""
    return cast("Callable[[F], F]", jwt_required(refresh=refresh, verify_type=verify_type))
