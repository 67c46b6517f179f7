"""GET /v1/caseload, GET /v1/caseload/{recipientId}, POST .../ladder-assessments."""

from __future__ import annotations

import uuid
from typing import Any

from api.auth.security import current_actor, roles_required
from api.caseload import service
from api.caseload.schemas import CaseloadPageSchema, CaseloadPersonSchema, CaseloadQuerySchema
from api.db import get_session
from api.extensions import Blueprint
from api.progress.schemas import LadderAssessmentCreateSchema, LadderEntrySchema

blp = Blueprint("caseload", __name__, url_prefix="/v1/caseload", description="Caseload")


@blp.route("", methods=["GET"])
@roles_required("coach")
@blp.arguments(CaseloadQuerySchema, location="query")
@blp.response(200, CaseloadPageSchema)
def caseload(query: dict[str, Any]) -> service.CaseloadPage:
    """Your people, who needs attention first, with counts per flag."""
    return service.caseload(get_session(), actor=current_actor(), **query)


@blp.route("/<uuid:recipient_id>", methods=["GET"])
@roles_required("coach")
@blp.response(200, CaseloadPersonSchema)
@blp.alt_response(404, description="Not on your caseload")
def person(recipient_id: uuid.UUID) -> dict[str, Any]:
    """One person's profile, matches, check-ins and ladder (this read is logged for them)."""
    return service.person_detail(get_session(), actor=current_actor(), recipient_id=recipient_id)


@blp.route("/<uuid:recipient_id>/ladder-assessments", methods=["POST"])
@roles_required("coach")
@blp.arguments(LadderAssessmentCreateSchema)
@blp.response(201, LadderEntrySchema)
@blp.alt_response(404, description="Not on your caseload")
def assess(body: dict[str, Any], recipient_id: uuid.UUID) -> Any:
    """Record your own ladder assessment, with a note."""
    return service.assess_ladder(
        get_session(), actor=current_actor(), recipient_id=recipient_id, **body
    )
