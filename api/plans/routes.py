"""A person's plan: /v1/me/steps for the person, /v1/caseload/{recipientId}/steps for the coach."""

from __future__ import annotations

import uuid
from typing import Any

from api.auth.security import current_actor, roles_required
from api.core.paging import Page
from api.db import get_session
from api.extensions import Blueprint
from api.idempotency.service import idempotent
from api.plans import service
from api.plans.models import PlanStep
from api.plans.schemas import (
    PlanStepCreateSchema,
    PlanStepPageSchema,
    PlanStepQuerySchema,
    PlanStepSchema,
    PlanStepUpdateSchema,
)

blp = Blueprint("plans", __name__, url_prefix="/v1", description="Plan: small concrete steps")

_409 = "Not possible in the step's current state, or already 3 open steps"


@blp.route("/me/steps", methods=["GET"])
@roles_required("recipient")
@blp.arguments(PlanStepQuerySchema, location="query")
@blp.response(200, PlanStepPageSchema)
def my_steps(query: dict[str, Any]) -> Page:
    """Your plan: small steps, newest first, each with its history."""
    return service.my_steps(get_session(), actor=current_actor(), **query)


@blp.route("/me/steps", methods=["POST"])
@idempotent
@roles_required("recipient")
@blp.arguments(PlanStepCreateSchema)
@blp.response(201, PlanStepSchema)
@blp.alt_response(409, description="Already 3 open steps")
def propose_step(body: dict[str, Any]) -> PlanStep:
    """Propose a small step; your coach agrees to it."""
    return service.create_my_step(get_session(), actor=current_actor(), data=body)


@blp.route("/me/steps/<uuid:step_id>", methods=["PATCH"])
@roles_required("recipient")
@blp.arguments(PlanStepUpdateSchema)
@blp.response(200, PlanStepSchema)
@blp.alt_response(404, description="Not found, or not yours")
@blp.alt_response(409, description=_409)
def change_step(body: dict[str, Any], step_id: uuid.UUID) -> PlanStep:
    """Say yes to your coach's proposal, mark it done, stop it (in your words), or a new date."""
    return service.update_my_step(get_session(), actor=current_actor(), step_id=step_id, data=body)


@blp.route("/caseload/<uuid:recipient_id>/steps", methods=["GET"])
@roles_required("coach")
@blp.arguments(PlanStepQuerySchema, location="query")
@blp.response(200, PlanStepPageSchema)
@blp.alt_response(404, description="Not on your caseload")
def caseload_steps(query: dict[str, Any], recipient_id: uuid.UUID) -> Page:
    """This person's plan (this read is logged for them)."""
    return service.caseload_steps(
        get_session(), actor=current_actor(), recipient_id=recipient_id, **query
    )


@blp.route("/caseload/<uuid:recipient_id>/steps", methods=["POST"])
@idempotent
@roles_required("coach")
@blp.arguments(PlanStepCreateSchema)
@blp.response(201, PlanStepSchema)
@blp.alt_response(404, description="Not on your caseload")
@blp.alt_response(409, description="Already 3 open steps")
def propose_caseload_step(body: dict[str, Any], recipient_id: uuid.UUID) -> PlanStep:
    """Propose a small step to someone on your caseload; they say yes in the app."""
    return service.create_caseload_step(
        get_session(), actor=current_actor(), recipient_id=recipient_id, data=body
    )


@blp.route("/caseload/<uuid:recipient_id>/steps/<uuid:step_id>", methods=["PATCH"])
@roles_required("coach")
@blp.arguments(PlanStepUpdateSchema)
@blp.response(200, PlanStepSchema)
@blp.alt_response(404, description="Not on your caseload, or not their step")
@blp.alt_response(409, description=_409)
def change_caseload_step(
    body: dict[str, Any], recipient_id: uuid.UUID, step_id: uuid.UUID
) -> PlanStep:
    """Agree to the person's proposal, record it done or dropped, or a new date."""
    return service.update_caseload_step(
        get_session(), actor=current_actor(), recipient_id=recipient_id, step_id=step_id, data=body
    )
