"""POST/GET /v1/me/checkins and GET /v1/me/progress."""

from __future__ import annotations

import uuid
from typing import Any

from api.auth.security import current_actor, roles_required
from api.core.paging import Page
from api.db import get_session
from api.extensions import Blueprint
from api.idempotency.service import idempotent
from api.progress import service
from api.progress.models import CheckIn
from api.progress.schemas import (
    CheckInCreateSchema,
    CheckInPageSchema,
    CheckInQuerySchema,
    CheckInSchema,
    CheckInUpdateSchema,
    ProgressSchema,
)

blp = Blueprint("progress", __name__, url_prefix="/v1/me", description="My progress")


@blp.route("/checkins", methods=["POST"])
@idempotent
@roles_required("recipient")
@blp.arguments(CheckInCreateSchema)
@blp.response(201, CheckInSchema)
@blp.alt_response(400, description="Invalid field, or matchId is not one of your matches")
@blp.alt_response(
    409,
    description="The match has not started (only active or completed ones), or there is already "
    "a check-in for this match on this day (existingId names it)",
)
def create_checkin(body: dict[str, Any]) -> CheckIn:
    """Tell how it went: hours, how you feel, steps you made (once per activity and day)."""
    return service.create_checkin(get_session(), actor=current_actor(), data=body)


@blp.route("/checkins", methods=["GET"])
@roles_required("recipient")
@blp.arguments(CheckInQuerySchema, location="query")
@blp.response(200, CheckInPageSchema)
def list_checkins(query: dict[str, Any]) -> Page:
    """Your check-ins, newest first."""
    return service.list_checkins(get_session(), user_id=current_actor().user_id, **query)


@blp.route("/checkins/<uuid:checkin_id>", methods=["PATCH"])
@roles_required("recipient")
@blp.arguments(CheckInUpdateSchema)
@blp.response(200, CheckInSchema)
@blp.alt_response(404, description="Not found, or not yours")
@blp.alt_response(
    409,
    description="Older than 14 days, or the new date already has a check-in for this match",
)
def update_checkin(body: dict[str, Any], checkin_id: uuid.UUID) -> CheckIn:
    """Correct one of your check-ins (within 14 days of making it)."""
    return service.update_checkin(
        get_session(), actor=current_actor(), checkin_id=checkin_id, data=body
    )


@blp.route("/checkins/<uuid:checkin_id>", methods=["DELETE"])
@roles_required("recipient")
@blp.response(204)
@blp.alt_response(404, description="Not found, or not yours")
@blp.alt_response(409, description="Older than 14 days")
def delete_checkin(checkin_id: uuid.UUID) -> None:
    """Remove one of your check-ins (within 14 days of making it)."""
    service.delete_checkin(get_session(), actor=current_actor(), checkin_id=checkin_id)


@blp.route("/progress", methods=["GET"])
@roles_required("recipient")
@blp.response(200, ProgressSchema)
def my_progress() -> dict[str, Any]:
    """The way you came: ladder, hours per month, steps toward work, wellbeing, matches."""
    return service.progress(get_session(), user_id=current_actor().user_id)
