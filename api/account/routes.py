"""GET /v1/me, POST /v1/me/password and the codes to choose a new password with."""

from __future__ import annotations

import uuid
from typing import Any

from flask_jwt_extended import get_jwt

from api.account import service
from api.account.schemas import MyAccountSchema, PasswordChangeSchema, ResetCodeSchema
from api.auth.security import current_actor, roles_required, signed_in
from api.db import get_session
from api.extensions import Blueprint
from api.invitations.service import IssuedInvitation
from api.ratelimit import PASSWORD_PER_ACCOUNT, caller, limiter

blp = Blueprint("account", __name__, url_prefix="/v1", description="Your account")

_404 = "Not found, or not yours to reach"


@blp.route("/me", methods=["GET"])
@signed_in
@blp.response(200, MyAccountSchema)
def me() -> dict[str, Any]:
    """Who you are signed in as: name, role, municipality, team or coach, language."""
    return service.account(get_session(), actor=current_actor())


@blp.route("/me/password", methods=["POST"])
@limiter.limit(PASSWORD_PER_ACCOUNT, key_func=caller)
@signed_in
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
@blp.alt_response(400, description="Wrong current password (oldPassword) or weak newPassword")
@blp.alt_response(429, description="Too many attempts; wait as Retry-After says")
def change_password(body: dict[str, Any]) -> None:
    """Choose a new password; your other sign-ins (other phones, the console) end."""
    service.change_password(
        get_session(),
        actor=current_actor(),
        family_id=uuid.UUID(str(get_jwt()["fam"])),
        old_password=body["old_password"],
        new_password=body["new_password"],
    )


@blp.route("/caseload/<uuid:recipient_id>/reset-codes", methods=["POST"])
@roles_required("coach")
@blp.response(201, ResetCodeSchema)
@blp.alt_response(404, description=_404)
def caseload_reset_code(recipient_id: uuid.UUID) -> IssuedInvitation:
    """A one-time code for someone on your caseload who forgot their password (shown once)."""
    return service.reset_code(get_session(), actor=current_actor(), user_id=recipient_id)


@blp.route("/admin/users/<uuid:user_id>/reset-codes", methods=["POST"])
@roles_required("admin")
@blp.response(201, ResetCodeSchema)
@blp.alt_response(404, description=_404)
def admin_reset_code(user_id: uuid.UUID) -> IssuedInvitation:
    """A one-time code for anyone of your municipality to choose a new password (shown once)."""
    return service.reset_code(get_session(), actor=current_actor(), user_id=user_id)
