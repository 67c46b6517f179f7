"""Who is asking: the actor from the token, role guards and ownership checks reused everywhere."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask_jwt_extended import get_jwt, verify_jwt_in_request

from api.errors import Forbidden, NotFound
from api.extensions import Blueprint

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class Actor:
    """The signed-in user as the token describes them."""

    user_id: uuid.UUID
    role: str
    municipality_id: uuid.UUID
    team_id: uuid.UUID | None

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Actor:
        """Build from verified JWT claims."""
        team = claims.get("team")
        return cls(
            user_id=uuid.UUID(claims["sub"]),
            role=claims["role"],
            municipality_id=uuid.UUID(claims["mun"]),
            team_id=uuid.UUID(team) if team else None,
        )


def current_actor() -> Actor:
    """The actor of this request (the token has been verified already)."""
    return Actor.from_claims(get_jwt())


def roles_required(*roles: str) -> Callable[[F], F]:
    """Allow only these roles; any other signed-in role gets 403."""

    def decorator(fn: F) -> F:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            verify_jwt_in_request()
            if roles and get_jwt().get("role") not in roles:
                raise Forbidden("Your role may not do this.")
            return fn(*args, **kwargs)

        wrapper._meedoen_roles = roles  # type: ignore[attr-defined]
        return Blueprint.doc(security=[{"bearerAuth": []}], **{"x-roles": list(roles)})(wrapper)  # type: ignore[return-value]

    return decorator


def signed_in(fn: F) -> F:
    """Any signed-in role."""
    return roles_required()(fn)


def ensure_same_municipality(actor: Actor, obj: Any) -> None:
    """A foreign municipality's object does not exist for this actor (404, never 403)."""
    if obj is None or getattr(obj, "municipality_id", None) != actor.municipality_id:
        raise NotFound()


def ensure_owner(actor: Actor, obj: Any, owner_attr: str = "user_id") -> None:
    """An object that is not the actor's own does not exist for them (404)."""
    ensure_same_municipality(actor, obj)
    if getattr(obj, owner_attr) != actor.user_id:
        raise NotFound()
