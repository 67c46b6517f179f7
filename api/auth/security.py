"""Who is asking: the actor as the database knows them, and role guards reused everywhere."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, request
from flask_jwt_extended import get_current_user, get_jwt, jwt_required, verify_jwt_in_request
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from api.auth.models import TokenFamily
from api.db import get_session
from api.errors import Forbidden, Unauthorized
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
    # Set only in a view that confirms the sign-in in its own query (`confirms_sign_in`): the
    # token's sign-in, not yet checked against the database. `current_actor()` refuses it.
    unconfirmed_sign_in: uuid.UUID | None = None


class SignInEnded(Unauthorized):
    """The token's sign-in was ended, or its user changed since: as the token check answers."""

    code = "token_revoked"
    headers = {"WWW-Authenticate": 'Bearer realm="meedoen"'}

    def __init__(self) -> None:
        super().__init__("This sign-in is no longer valid. Please sign in again.")


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


CONFIRMS_SIGN_IN = "_meedoen_confirms_sign_in"

# SQL: the sign-in (:fam) is open and its user (:uid) active with the role, municipality and
# team the token claims: what `resolve_actor` checks, for a view's own query to include.
SIGNED_IN_SQL = """exists(
    select 1 from users u join token_families f on f.user_id = u.id
    where f.id = cast(:fam as uuid) and f.revoked_at is null and u.id = cast(:uid as uuid)
      and u.is_active and u.role = cast(:role as text) and u.municipality_id = cast(:mid as uuid)
      and u.team_id is not distinct from cast(:team as uuid))"""


def confirms_sign_in(view: F) -> F:
    """Mark a view whose first query confirms the sign-in itself (`SIGNED_IN_SQL`, then
    `SignInEnded` when it does not hold): one round trip per request instead of two. Until
    then its actor is the verified token's claim, handed out only by `claimed_actor()`."""
    setattr(view, CONFIRMS_SIGN_IN, True)
    return view


def _canonical_uuid(value: Any) -> uuid.UUID:
    """A UUID claim exactly as we write it (resolve_actor compares the text)."""
    found = uuid.UUID(str(value))
    if str(found) != value:
        raise ValueError(value)
    return found


def actor_from_claims(claims: Mapping[str, Any]) -> Actor | None:
    """The actor a verified token claims, to be confirmed by the view's own query."""
    try:
        user_id = uuid.UUID(str(claims["sub"]))
        family_id = uuid.UUID(str(claims["fam"]))
        municipality_id = _canonical_uuid(claims.get("mun"))
        team = claims.get("team")
        team_id = None if team is None else _canonical_uuid(team)
        role = claims["role"]
    except (KeyError, ValueError, TypeError):
        return None
    if not isinstance(role, str):
        return None
    return Actor(user_id, role, municipality_id, team_id, unconfirmed_sign_in=family_id)


def sign_in_params(actor: Actor) -> dict[str, Any]:
    """The values `SIGNED_IN_SQL` checks, from a claimed actor."""
    return {
        "fam": actor.unconfirmed_sign_in,
        "uid": actor.user_id,
        "role": actor.role,
        "mid": actor.municipality_id,
        "team": actor.team_id,
    }


def request_actor(session: Session, claims: Mapping[str, Any]) -> Actor | None:
    """resolve_actor, once per request even when the token is verified twice (in a view that
    `confirms_sign_in`: the claimed actor, no database).

    Kept in the request's WSGI environ, not in flask.g: an app context may outlive one request.
    """
    key = json.dumps(claims, sort_keys=True, default=str)
    cache: dict[str, Actor | None] = request.environ.setdefault("meedoen.actors", {})
    if key not in cache:
        view = current_app.view_functions.get(request.endpoint or "")
        if getattr(view, CONFIRMS_SIGN_IN, False):
            cache[key] = actor_from_claims(claims)
        else:
            cache[key] = resolve_actor(session, claims=claims)
    return cache[key]


def _token_actor() -> Actor:
    actor = get_current_user()
    if not isinstance(actor, Actor):
        raise RuntimeError("current_actor() needs a verified token")
    return actor


def current_actor() -> Actor:
    """The actor of this request (the token and its user have been verified already)."""
    actor = _token_actor()
    if actor.unconfirmed_sign_in is not None:
        raise RuntimeError("this view confirms the sign-in itself: use claimed_actor()")
    return actor


def claimed_actor() -> Actor:
    """In a view that `confirms_sign_in`: the token's actor, for its own query to confirm."""
    return _token_actor()


def roles_required(*roles: str) -> Callable[[F], F]:
    """Allow only these roles; any other signed-in role gets 403."""

    def decorator(fn: F) -> F:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            verify_jwt_in_request()
            actor = _token_actor()
            if roles and actor.role not in roles:
                if actor.unconfirmed_sign_in is not None and (
                    resolve_actor(get_session(), claims=get_jwt()) is None
                ):
                    raise SignInEnded()  # an ended sign-in is a 401 before it is a 403
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
