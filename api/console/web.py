"""Who is signed in to the console: server-side sessions, CSRF tokens and the same Actor as the API.

The cookie holds only a random token; the database keeps its hash, the CSRF secret and the
API sign-in (token family) it belongs to. The actor is resolved exactly as for a bearer token
(api.auth.security.resolve_actor), so a deactivated account, a revoked sign-in or a changed role
ends the console session at the next request too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import current_app, g, make_response, redirect, request, url_for
from flask_jwt_extended import decode_token
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from api.auth.security import Actor, resolve_actor
from api.console.models import ConsoleSession
from api.db import get_session, utcnow
from api.errors import DomainError, Forbidden
from api.municipalities.models import Municipality
from api.signin import service as signin
from api.users.models import User

F = TypeVar("F", bound=Callable[..., Any])

COOKIE = "meedoen_console"
PRE_COOKIE = "meedoen_console_pre"  # before sign-in: the sign-in form's CSRF (double submit)
COOKIE_PATH = "/console"
IDLE_TIMEOUT = timedelta(minutes=30)
TOUCH_EVERY = timedelta(seconds=60)  # last_seen_at is written at most this often
CSRF_FIELD = "csrf_token"
STAFF_ROLES = ("coach", "organizer", "admin")


class CsrfFailed(DomainError):
    """A form came without this session's token (another site, or an old page)."""

    status = 403
    slug = "csrf"


class RecipientAccount(DomainError):
    """Recipients use the app; the console is for staff."""

    status = 403
    slug = "use-the-app"


@dataclass(frozen=True)
class SignedIn:
    """The console session of this request and the actor it stands for."""

    row: ConsoleSession
    actor: Actor
    name: str
    municipality: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _claims(row: ConsoleSession) -> dict[str, Any]:
    """What the sign-in was made for, in the shape resolve_actor checks for tokens."""
    return {
        "sub": str(row.user_id),
        "fam": str(row.family_id),
        "role": row.role,
        "mun": str(row.municipality_id),
        "team": str(row.team_id) if row.team_id else None,
    }


def load_signed_in(session: Session) -> SignedIn | None:
    """The session the cookie points at, if it is open, recent and its account still agrees."""
    token = request.cookies.get(COOKIE)
    if not token or len(token) > 100:
        return None
    row = session.scalar(select(ConsoleSession).where(ConsoleSession.token_hash == _hash(token)))
    if row is None:
        return None
    now = utcnow()
    if row.last_seen_at < now - IDLE_TIMEOUT:
        g.console_timed_out = True
        _end(session, row)
        return None
    actor = resolve_actor(session, claims=_claims(row))
    if actor is None or actor.role not in STAFF_ROLES:
        _end(session, row)
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    names = session.execute(
        select(User.name, Municipality.name)
        .join(Municipality, Municipality.id == User.municipality_id)
        .where(User.id == actor.user_id)
    ).one()
    return SignedIn(row, actor, names[0], names[1])


def _end(session: Session, row: ConsoleSession) -> None:
    """Close the console session and the API sign-in behind it."""
    signin.logout(session, family_id=row.family_id, user_id=row.user_id)
    session.delete(row)
    session.flush()


def sign_in(session: Session, *, email: str, password: str) -> str:
    """Check the password as the API does, open a new session and return its cookie value.

    A new token every time (rotation): whatever session this browser had before is ended.
    """
    pair = signin.login(session, email=email, password=password)  # argon2 check, 401 when wrong
    claims = decode_token(pair.access_token)
    user_id, family_id = uuid.UUID(claims["sub"]), uuid.UUID(claims["fam"])
    if claims["role"] not in STAFF_ROLES:
        signin.logout(session, family_id=family_id, user_id=user_id)
        raise RecipientAccount("Recipients use the Meedoen app.")
    now = utcnow()
    old = request.cookies.get(COOKIE)
    if old:
        previous = session.scalar(
            select(ConsoleSession).where(ConsoleSession.token_hash == _hash(old))
        )
        if previous is not None:
            _end(session, previous)
    session.execute(  # sessions nobody used for the idle time are dead anyway
        delete(ConsoleSession).where(ConsoleSession.last_seen_at < now - IDLE_TIMEOUT)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        ConsoleSession(
            token_hash=_hash(token),
            user_id=user_id,
            family_id=family_id,
            role=claims["role"],
            municipality_id=uuid.UUID(claims["mun"]),
            team_id=uuid.UUID(claims["team"]) if claims.get("team") else None,
            csrf_secret=secrets.token_urlsafe(32),
            last_seen_at=now,
            notices=[],
        )
    )
    session.flush()
    return token


def sign_out(session: Session) -> None:
    """End this browser's session (and its API sign-in)."""
    signed = g.get("console")
    if signed is not None:
        _end(session, signed.row)
        g.console = None


def set_session_cookie(response: Response, token: str) -> None:
    """HttpOnly, SameSite=Lax, Secure under TLS; no expiry: the server ends it after 30 idle min."""
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
        path=COOKIE_PATH,
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(
        COOKIE, path=COOKIE_PATH, httponly=True, samesite="Lax", secure=request.is_secure
    )


# --- CSRF -----------------------------------------------------------------------------------


def _pre_token(value: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"console-pre:" + value.encode(), hashlib.sha256).hexdigest()


def csrf_token() -> str:
    """The token every form carries: the session's secret, or before sign-in a signed nonce."""
    signed: SignedIn | None = g.get("console")
    if signed is not None:
        return signed.row.csrf_secret
    value = request.cookies.get(PRE_COOKIE) or g.get("console_pre_new")
    if not value or len(value) > 100:
        value = secrets.token_urlsafe(24)
        g.console_pre_new = value  # set as a cookie after the request
    return _pre_token(value)


def check_csrf(*, before_sign_in: bool = False) -> None:
    """Refuse a form post that does not carry the right token (403)."""
    sent = request.form.get(CSRF_FIELD) or request.headers.get("X-CSRF-Token") or ""
    if before_sign_in:
        value = request.cookies.get(PRE_COOKIE) or ""
        expected = _pre_token(value) if value else ""
    else:
        signed: SignedIn | None = g.get("console")
        expected = signed.row.csrf_secret if signed is not None else ""
    if not expected or not sent or not hmac.compare_digest(sent, expected):
        raise CsrfFailed("This form has expired. Please try again.")


def set_pre_cookie(response: Response) -> None:
    value = g.get("console_pre_new")
    if value:
        response.set_cookie(
            PRE_COOKIE,
            value,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
            path=COOKIE_PATH,
        )


# --- guards and notices -----------------------------------------------------------------------


def current() -> SignedIn:
    """The signed-in staff member of this request (the guard has run)."""
    signed: SignedIn | None = g.get("console")
    if signed is None:
        raise RuntimeError("current() needs a signed-in request")
    return signed


def actor() -> Actor:
    return current().actor


def staff(*roles: str) -> Callable[[F], F]:
    """Pages for these roles; not signed in -> the sign-in page, another role -> 403."""

    def decorator(fn: F) -> F:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            signed: SignedIn | None = g.get("console")
            if signed is None:
                target = url_for("console.login", next=safe_next(request.full_path))
                if request.headers.get("HX-Request"):
                    resp = make_response("", 401)
                    resp.headers["HX-Redirect"] = target
                    return resp
                return redirect(target)
            if request.method == "POST":
                check_csrf()
            if roles and signed.actor.role not in roles:
                raise Forbidden("Your role may not see this page.")
            return fn(*args, **kwargs)

        return cast(F, wrapper)  # wraps() keeps the wrapped view's signature

    return decorator


def safe_next(target: str | None) -> str | None:
    """Only a path inside the console may be a redirect target (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith(COOKIE_PATH + "/"):
        return None
    if "\\" in target or target.startswith("//"):
        return None
    return target.rstrip("?")


def notify(key: str, kind: str = "ok", **params: Any) -> None:
    """A message for the next page this person sees (after the redirect)."""
    row = current().row
    row.notices = [*(row.notices or []), {"key": key, "kind": kind, "params": params}]


def pop_notices() -> list[dict[str, Any]]:
    signed: SignedIn | None = g.get("console")
    if signed is None or not signed.row.notices:
        return []
    notices = list(signed.row.notices)
    signed.row.notices = []
    return notices


def db() -> Session:
    return get_session()
