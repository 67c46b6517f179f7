"""GET/PUT /v1/admin/policy: an admin sets their municipality's policy."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema
from sqlalchemy.orm import Session

from api.auth.security import Actor, current_actor, roles_required
from api.db import get_session
from api.domain import KINDS
from api.extensions import Blueprint
from api.municipalities.models import Policy
from api.municipalities.policy import PolicySettings
from api.schemas import Schema, StrictFloat, StrictInt

blp = Blueprint("admin-policy", __name__, url_prefix="/v1/admin/policy", description="Policy")

NUDGE_KINDS = PolicySettings().nudge_kinds
HHMM = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="Use HH:MM.")


class WeightsSchema(Schema):
    interest = StrictFloat(required=True, minimum=0, maximum=1)
    distance = StrictFloat(required=True, minimum=0, maximum=1)
    time = StrictFloat(required=True, minimum=0, maximum=1)
    ladder = StrictFloat(required=True, minimum=0, maximum=1)
    language = StrictFloat(required=True, minimum=0, maximum=1)
    freshness = StrictFloat(required=True, minimum=0, maximum=1)

    @validates_schema
    def _some_weight(self, data: dict[str, float], **_: Any) -> None:
        if sum(data.values()) <= 0:
            raise ValidationError("At least one weight must be above 0.")


class PolicySchema(Schema):
    weights = fields.Nested(WeightsSchema, required=True)
    allowance_cap_eur_month = StrictFloat(required=True, minimum=0, maximum=1000)
    request_expiry_days = StrictInt(required=True, minimum=4, maximum=90)
    recent_decline_days = StrictInt(required=True, minimum=0, maximum=365)
    auto_approve_kinds = fields.List(
        fields.String(validate=validate.OneOf(KINDS)),
        required=True,
        validate=validate.Length(max=3),
    )
    quiet_hours_start = fields.String(required=True, validate=HHMM)
    quiet_hours_end = fields.String(required=True, validate=HHMM)
    max_nudges_per_week = StrictInt(required=True, minimum=0, maximum=7)
    nudge_kinds = fields.List(
        fields.String(validate=validate.OneOf(NUDGE_KINDS)),
        required=True,
        validate=validate.Length(max=len(NUDGE_KINDS)),
    )
    request_waiting_days = StrictInt(required=True, minimum=1, maximum=30)
    approved_not_started_days = StrictInt(required=True, minimum=1, maximum=60)
    checkin_every_days = StrictInt(required=True, minimum=7, maximum=60)
    inactive_weeks = StrictInt(required=True, minimum=1, maximum=52)
    ladder_stalled_months = StrictInt(required=True, minimum=1, maximum=24)
    growth_after_weeks = StrictInt(required=True, minimum=1, maximum=104)
    new_opportunity_top_n = StrictInt(required=True, minimum=1, maximum=20)


def get_policy(session: Session, *, actor: Actor) -> dict[str, Any]:
    """The effective policy (defaults plus what the municipality set)."""
    row = session.get(Policy, actor.municipality_id)
    return asdict(PolicySettings.from_stored(row.settings if row else None))


def put_policy(session: Session, *, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Replace the municipality's policy as a whole."""
    row = session.get(Policy, actor.municipality_id)
    if row is None:
        row = Policy(municipality_id=actor.municipality_id, settings={})
        session.add(row)
    # Fields this form does not show (e.g. retention periods) keep their stored value.
    row.settings = {**(row.settings or {}), **data}
    session.flush()
    return get_policy(session, actor=actor)


@blp.route("", methods=["GET"])
@roles_required("admin")
@blp.response(200, PolicySchema)
def read_policy() -> dict[str, Any]:
    """Your municipality's policy."""
    return get_policy(get_session(), actor=current_actor())


@blp.route("", methods=["PUT"])
@roles_required("admin")
@blp.arguments(PolicySchema)
@blp.response(200, PolicySchema)
def replace_policy(body: dict[str, Any]) -> dict[str, Any]:
    """Replace your municipality's policy (all fields)."""
    return put_policy(get_session(), actor=current_actor(), data=body)
