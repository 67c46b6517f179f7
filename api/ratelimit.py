"""Rate limits (Flask-Limiter), counted in Redis so that every process and server shares them.

Who is counted: a signed-in caller by the account in their verified token (so people behind one
mobile-network address do not share a limit, and a made-up token does not earn a fresh one); an
anonymous caller by address. Sign-in counts per address and per account (e-mail).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis
from flask import Flask, Response, current_app, g, has_app_context, request
from flask_jwt_extended import decode_token
from flask_jwt_extended.exceptions import JWTExtendedException
from flask_limiter import Limiter
from jwt import PyJWTError

from api.config import Settings

log = logging.getLogger(__name__)

# Sign-in: strict, per address and per account.
LOGIN_PER_ADDRESS = "20 per minute"
LOGIN_PER_ACCOUNT = "5 per minute;30 per hour"
# Activating an invitation: anonymous, so per address.
REGISTER_PER_ADDRESS = "10 per minute"
# Spending a password-reset code: anonymous, so per address (codes carry ~59 bits besides).
RESET_PER_ADDRESS = "10 per minute"
# Changing one's password checks the old one: as strict as sign-in, per account.
PASSWORD_PER_ACCOUNT = LOGIN_PER_ACCOUNT
# Refreshing tokens: per account (the refresh token's user), per address without a valid one.
REFRESH_PER_ACCOUNT = "10 per minute"
# Every write (POST/PUT/PATCH/DELETE), per account or per address.
WRITES_PER_CALLER = "60 per minute"
# The personal feed runs the matching engine: per account.
FEED_PER_ACCOUNT = "30 per minute"

# Headers that only make sense on these statuses (RFC 9110 section 10.2.3).
RETRY_AFTER_STATUSES = frozenset({429, 503})


def client_address() -> str:
    """The client's address (ProxyFix makes this the real one behind known proxies)."""
    return request.remote_addr or "unknown"


def login_account() -> str:
    """The account being signed in to, so one account cannot be guessed at from many addresses."""
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    account = str(email or "").strip().lower()[:254]
    return "account:" + hashlib.sha256(account.encode()).hexdigest()[:32]  # no e-mail in Redis


def _verified_claims() -> dict[str, Any] | None:
    """The claims of the request's bearer token when its signature, expiry, iss and aud check out.

    Revocation is not looked up here (that needs the database): a revoked but genuine token still
    names its own account, which is all a counter needs.
    """
    if "meedoen_ratelimit_claims" not in g:
        claims = None
        auth = request.headers.get("Authorization", "")
        if auth[:7].lower() == "bearer ":
            try:
                claims = decode_token(auth[7:].strip())
            except (PyJWTError, JWTExtendedException, ValueError):
                claims = None
        g.meedoen_ratelimit_claims = claims
    found: dict[str, Any] | None = g.meedoen_ratelimit_claims
    return found


def caller() -> str:
    """The signed-in account (verified token, access or refresh), else the address."""
    claims = _verified_claims()
    if claims and claims.get("sub"):
        return "user:" + str(claims["sub"])
    return "ip:" + client_address()


def _is_read() -> bool:
    return request.method in ("GET", "HEAD", "OPTIONS")


class AppLimiter(Limiter):
    """One limiter for the routes, but on or off per app (config RATELIMIT_ENABLED)."""

    @property
    def enabled(self) -> bool:
        if has_app_context():
            return bool(current_app.config.get("RATELIMIT_ENABLED", True))
        return self._enabled_default

    @enabled.setter
    def enabled(self, value: bool) -> None:
        self._enabled_default = value


limiter = AppLimiter(
    key_func=caller,
    default_limits=[WRITES_PER_CALLER],
    default_limits_exempt_when=_is_read,
    headers_enabled=True,
)


def _redacted(url: str) -> str:
    """The URL without its password, for the log."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def storage_uri(settings: Settings) -> str:
    """Redis when REDIS_URL is set; says loudly when limits will not be shared."""
    if not settings.redis_url:
        log.warning(
            "RATE LIMITS ARE NOT SHARED: REDIS_URL is not set, so each process counts on its own "
            "(with 2 processes a limit of 5 lets 10 through). Set REDIS_URL (make run does)."
        )
        return "memory://"
    try:
        client = redis.Redis.from_url(
            settings.redis_url, socket_connect_timeout=1, socket_timeout=1
        )
        client.ping()
        client.close()
    except (redis.RedisError, OSError) as exc:
        log.warning(
            "RATE LIMITS ARE NOT SHARED: Redis at %s does not answer (%s). Counting in memory per "
            "process until it does; start Redis (scripts/ensure-redis.sh).",
            _redacted(settings.redis_url),
            exc.__class__.__name__,
        )
    return settings.redis_url


def _retry_after_only_when_meaningful(response: Response) -> Response:
    """Flask-Limiter adds Retry-After to every limited response; keep it on 429 and 503 only."""
    if response.status_code not in RETRY_AFTER_STATUSES:
        response.headers.pop("Retry-After", None)
    return response


def init_limiter(app: Flask, settings: Settings) -> None:
    """Shared Redis storage with an in-memory fallback while Redis is down."""
    app.config["RATELIMIT_ENABLED"] = settings.rate_limits_enabled
    app.config["RATELIMIT_STORAGE_URI"] = (
        storage_uri(settings) if settings.rate_limits_enabled else "memory://"
    )
    app.config["RATELIMIT_STORAGE_OPTIONS"] = (
        {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
        if app.config["RATELIMIT_STORAGE_URI"].startswith("redis")
        else {}
    )
    app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = True
    app.config["RATELIMIT_DEFAULTS_PER_METHOD"] = False
    # Registered before the limiter's own after_request, so it runs after it (Flask runs them
    # in reverse order) and sees the Retry-After the limiter added.
    app.after_request(_retry_after_only_when_meaningful)
    # One limiter serves every app made in this process (tests make several); Flask-Limiter keeps
    # the first app's key prefix and storage health, so both are set for this app here.
    limiter._key_prefix = settings.rate_limit_prefix
    limiter.init_app(app)
    limiter._storage_dead = False  # a storage just configured has not been seen failing yet
