"""Admin bodies: the municipality's policy (every field of PolicySettings) and staff accounts."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from api.i18n import N_
from api.municipalities.policy import NUDGE_KINDS
from api.schemas import QuietHoursSchema, Schema, StrictFloat, StrictInt, Text, choice
from api.users.models import ROLES
from matching.model import KINDS


def _days(low: int, high: int) -> StrictInt:
    return StrictInt(required=True, minimum=low, maximum=high)


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
            raise ValidationError(N_("At least one weight must be above 0."))


class PolicySchema(Schema):
    """The effective policy: defaults plus what the municipality set."""

    weights = fields.Nested(WeightsSchema, required=True)
    allowance_cap_eur_month = StrictFloat(required=True, minimum=0, maximum=1000)
    request_expiry_days = _days(4, 90)
    recent_decline_days = _days(0, 365)
    auto_approve_kinds = fields.List(
        fields.String(validate=validate.OneOf(KINDS)),
        required=True,
        validate=validate.Length(max=len(KINDS)),
    )
    quiet_hours = fields.Nested(QuietHoursSchema, required=True)
    max_nudges_per_week = StrictInt(required=True, minimum=0, maximum=7)
    nudge_kinds = fields.List(
        fields.String(validate=validate.OneOf(NUDGE_KINDS)),
        required=True,
        validate=validate.Length(max=len(NUDGE_KINDS)),
    )
    request_waiting_days = _days(1, 30)
    approved_not_started_days = _days(1, 60)
    checkin_every_days = _days(7, 60)
    inactive_weeks = _days(1, 52)
    ladder_stalled_months = _days(1, 24)
    growth_after_weeks = _days(1, 104)
    new_opportunity_top_n = StrictInt(required=True, minimum=1, maximum=20)
    no_checkin_weeks = _days(1, 52)
    nudges_ignored_count = StrictInt(required=True, minimum=1, maximum=20)
    new_on_caseload_days = _days(1, 90)
    checkin_note_retention_days = _days(30, 3650)
    inactive_account_retention_days = _days(180, 3650)
    max_requests_per_day = StrictInt(required=True, minimum=1, maximum=50)
    step_due_days_before = _days(0, 14)
    step_late_weeks = _days(1, 26)
    no_agreed_step_weeks = _days(1, 52)


# Fields the policy form gained later: a PUT that leaves them out keeps their current value,
# so clients written before they existed keep working.
ADDED_LATER: tuple[str, ...] = (
    "no_checkin_weeks",
    "nudges_ignored_count",
    "new_on_caseload_days",
    "checkin_note_retention_days",
    "inactive_account_retention_days",
    "max_requests_per_day",
    "step_due_days_before",
    "step_late_weeks",
    "no_agreed_step_weeks",
)


class PolicyUpdateSchema(PolicySchema):
    """PUT body: every field, except that those added later may be left out."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("partial", ADDED_LATER)
        super().__init__(**kwargs)


class StaffUserCreateSchema(Schema):
    email = Text(required=True, max_length=254, validate=validate.Email())
    role = fields.String(required=True, validate=validate.OneOf(["organizer", "coach", "admin"]))
    name = Text(required=True, min_length=1, max_length=120)
    team_id = fields.UUID(load_default=None, allow_none=True)


class UserSchema(Schema):
    id = fields.UUID(required=True)
    email = fields.String(allow_none=True)
    role = choice(ROLES, required=True)
    name = fields.String(required=True)
    team_id = fields.UUID(allow_none=True)
    municipality_id = fields.UUID(required=True)


class StaffAccountSchema(UserSchema):
    """Dumps a StaffAccount: the code fields from its activation, the rest from its user."""

    invite_code = fields.String(
        required=True, metadata={"description": "One-time code to set a password; shown once"}
    )
    expires_at = fields.AwareDateTime(required=True)

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        source = obj.activation if attr in ("invite_code", "expires_at") else obj.user
        return super().get_attribute(source, attr, default)
