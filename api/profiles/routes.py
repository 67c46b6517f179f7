"""GET/PATCH /v1/me/profile."""

from __future__ import annotations

from typing import Any

from flask import current_app

from api.auth.security import current_actor, roles_required
from api.db import get_session
from api.extensions import Blueprint
from api.profiles import service
from api.profiles.models import RecipientProfile
from api.profiles.schemas import ProfileSchema, ProfileUpdateSchema

blp = Blueprint("profile", __name__, url_prefix="/v1/me/profile", description="My profile")


@blp.route("", methods=["GET"])
@roles_required("recipient")
@blp.response(200, ProfileSchema)
def get_profile() -> RecipientProfile:
    """Your profile."""
    return service.get_profile(get_session(), actor=current_actor())


@blp.route("", methods=["PATCH"])
@roles_required("recipient")
@blp.arguments(ProfileUpdateSchema)
@blp.response(200, ProfileSchema)
@blp.alt_response(503, description="The postcode lookup is unavailable")
def update_profile(body: dict[str, Any]) -> RecipientProfile:
    """Change your profile; a postcode is kept only as its area (the first four digits)."""
    return service.update_profile(
        get_session(),
        actor=current_actor(),
        data=body,
        geocoder=current_app.extensions["meedoen_geocoder"],
    )
