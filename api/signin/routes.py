"""POST /v1/auth/login, /refresh, /logout and /register."""

from __future__ import annotations

import uuid
from typing import Any

from flask_jwt_extended import get_jwt

from api.auth.security import token_required
from api.db import get_session
from api.extensions import Blueprint
from api.ratelimit import (
    LOGIN_PER_ACCOUNT,
    LOGIN_PER_ADDRESS,
    REFRESH_PER_ACCOUNT,
    REGISTER_PER_ADDRESS,
    RESET_PER_ADDRESS,
    caller,
    client_address,
    limiter,
    login_account,
)
from api.signin import service
from api.signin.schemas import (
    LoginSchema,
    LogoutSchema,
    RegisterSchema,
    ResetSchema,
    TokenPairSchema,
)

blp = Blueprint("auth", __name__, url_prefix="/v1/auth", description="Sign in and tokens")


@blp.route("/login", methods=["POST"])
@limiter.limit(LOGIN_PER_ADDRESS, key_func=client_address)
@limiter.limit(LOGIN_PER_ACCOUNT, key_func=login_account)
@blp.arguments(LoginSchema)
@blp.response(200, TokenPairSchema)
@blp.alt_response(401, description="Wrong e-mail address or password")
@blp.alt_response(429, description="Too many attempts; wait as Retry-After says")
def login(body: dict[str, Any]) -> service.TokenPair:
    """Sign in with e-mail and password."""
    return service.login(get_session(), email=body["email"], password=body["password"])


@blp.route("/refresh", methods=["POST"])
@limiter.limit(REFRESH_PER_ACCOUNT, key_func=caller)
@token_required(refresh=True)
@blp.response(200, TokenPairSchema)
@blp.alt_response(401, description="Refresh token unknown, spent or revoked")
@blp.doc(security=[{"refreshToken": []}])
def refresh() -> service.TokenPair:
    """Exchange the refresh token for a new pair; the old one stops working."""
    session = get_session()
    try:
        return service.refresh(session, claims=get_jwt())
    except service.RefreshReuse:
        session.commit()  # the revocation must stick although the request fails
        raise


@blp.route("/logout", methods=["POST"])
@token_required(verify_type=False)
@blp.arguments(LogoutSchema, location="query")
@blp.response(204)
@blp.alt_response(401, description="Not signed in")
@blp.doc(security=[{"bearerAuth": []}, {"refreshToken": []}])
def logout(query: dict[str, Any]) -> None:
    """Sign out: the tokens of this sign-in stop working and its device is removed."""
    claims = get_jwt()
    service.logout(
        get_session(),
        family_id=uuid.UUID(claims["fam"]),
        user_id=uuid.UUID(claims["sub"]),
        device_id=query.get("device_id"),
    )


@blp.route("/register", methods=["POST"])
@limiter.limit(REGISTER_PER_ADDRESS, key_func=client_address)
@blp.arguments(RegisterSchema)
@blp.response(201, TokenPairSchema)
@blp.alt_response(404, description="Invitation code unknown, used or expired")
@blp.alt_response(409, description="E-mail address already in use")
def register(body: dict[str, Any]) -> service.TokenPair:
    """Activate an invited recipient account and sign in."""
    return service.register(
        get_session(), code=body["invite_code"], email=body["email"], password=body["password"]
    )


@blp.route("/reset", methods=["POST"])
@limiter.limit(RESET_PER_ADDRESS, key_func=client_address)
@blp.arguments(ResetSchema)
@blp.response(200, TokenPairSchema)
@blp.alt_response(400, description="Code unknown, used or expired (resetCode), or weak password")
@blp.alt_response(429, description="Too many attempts; wait as Retry-After says")
def reset(body: dict[str, Any]) -> service.TokenPair:
    """Choose a new password with the one-time code from your coach or admin.

    Every earlier sign-in of the account ends; you are signed in anew.
    """
    return service.reset(get_session(), code=body["reset_code"], password=body["password"])
