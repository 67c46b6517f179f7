"""POST/GET /v1/me/checkins and GET /v1/me/progress."""

from __future__ import annotations

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
    ProgressSchema,
)

blp = Blueprint("progress", __name__, url_prefix="/v1/me", description="My progress")


@blp.route("/checkins", methods=["POST"])
@idempotent
@roles_required("recipient")
@blp.arguments(CheckInCreateSchema)
@blp.response(201, CheckInSchema)
def create_checkin(body: dict[str, Any]) -> CheckIn:
    """Tell how it went: hours, how you feel, steps you made."""
    return service.create_checkin(get_session(), actor=current_actor(), data=body)


@blp.route("/checkins", methods=["GET"])
@roles_required("recipient")
@blp.arguments(CheckInQuerySchema, location="query")
@blp.response(200, CheckInPageSchema)
def list_checkins(query: dict[str, Any]) -> Page:
    """Your check-ins, newest first."""
    return service.list_checkins(get_session(), user_id=current_actor().user_id, **query)


@blp.route("/progress", methods=["GET"])
@roles_required("recipient")
@blp.response(200, ProgressSchema)
def my_progress() -> dict[str, Any]:
    """The way you came: ladder, hours per month, steps toward work, wellbeing, matches."""
    return service.progress(get_session(), user_id=current_actor().user_id)
