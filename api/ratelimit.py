"""Rate limits (Flask-Limiter): sign-in per account and per address, and every write."""

from __future__ import annotations

import hashlib

from flask import Flask, current_app, has_app_context, request
from flask_limiter import Limiter

from api.config import Settings


def client_address() -> str:
    """The client's address (ProxyFix makes this the real one behind known proxies)."""
    return request.remote_addr or "unknown"


def login_account() -> str:
    """The account being signed in to, so one account cannot be guessed at from many addresses."""
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    account = str(email or "").strip().lower()[:254]
    return "account:" + hashlib.sha256(account.encode()).hexdigest()[:32]  # no e-mail in Redis


def caller() -> str:
    """Per token when there is one (hashed; never stored), else per address."""
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        return "token:" + hashlib.sha256(auth.encode()).hexdigest()[:32]
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
    key_func=client_address,
    default_limits=["60 per minute"],
    default_limits_exempt_when=_is_read,
    headers_enabled=True,
)

# Sign-in and token endpoints: strict, per address and per account.
LOGIN_PER_ADDRESS = "20 per minute"
LOGIN_PER_ACCOUNT = "5 per minute;30 per hour"
TOKEN_PER_ADDRESS = "10 per minute"  # noqa: S105 - a rate, not a secret


def init_limiter(app: Flask, settings: Settings) -> None:
    """Redis storage when REDIS_URL is set (shared by all instances), memory otherwise."""
    app.config["RATELIMIT_ENABLED"] = settings.rate_limits_enabled
    app.config["RATELIMIT_STORAGE_URI"] = settings.redis_url or "memory://"
    app.config["RATELIMIT_KEY_PREFIX"] = "meedoen"
    app.config["RATELIMIT_DEFAULTS_PER_METHOD"] = False
    limiter.init_app(app)
