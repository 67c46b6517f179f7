"""Plan step bodies: what a person or coach sends, and a step as it comes back."""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from api.i18n import N_
from api.plans.status import ACTIONS, KINDS, SIDES, SUGGESTION_SOURCES, StepStatus
from api.schemas import (
    PageQuerySchema,
    PlausibleDate,
    QueryBool,
    Schema,
    StrictBool,
    Text,
    page_schema,
)

WEEK = validate.Regexp(r"^20[0-9]{2}-W(0[1-9]|[1-4][0-9]|5[0-3])$", error=N_("Use YYYY-Www."))
_DUE_ON = {"description": "By when: a day (or give dueWeek instead)"}
_DUE_WEEK = {"description": "By when: an ISO week like 2026-W49 (instead of dueOn)"}


def _valid_week(value: str) -> None:
    """A week that exists (53 only in long years); the shape is WEEK's to judge."""
    year, sep, week = value.partition("-W")
    if not sep or not (year.isdigit() and week.isdigit()):
        return  # marshmallow runs every validator: WEEK already said "Use YYYY-Www."
    try:
        date.fromisocalendar(int(year), int(week), 7)
    except ValueError as exc:
        raise ValidationError(N_("This week does not exist.")) from exc


class PlanStepCreateSchema(Schema):
    kind = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(KINDS),
        metadata={"description": "A kind from the list, or leave it out and say `what`"},
    )
    what = Text(
        max_length=200,
        min_length=1,
        load_default=None,
        allow_none=True,
        metadata={"description": "The step in plain words"},
    )
    why = Text(
        max_length=500,
        load_default=None,
        allow_none=True,
        metadata={"description": "Why it matters to the person (optional)"},
    )
    due_on = PlausibleDate(future_days=731, load_default=None, allow_none=True, metadata=_DUE_ON)
    due_week = fields.String(
        load_default=None,
        allow_none=True,
        validate=[WEEK, _valid_week],
        metadata=_DUE_WEEK,
    )
    with_coach = StrictBool(load_default=False, metadata={"description": "Done with the coach"})
    match_id = fields.UUID(load_default=None, allow_none=True)
    opportunity_id = fields.UUID(load_default=None, allow_none=True)

    @validates_schema
    def _kind_or_what(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("kind") and not data.get("what"):
            raise ValidationError(N_("Say what the step is: a kind or plain words."), "what")
        if data.get("due_on") and data.get("due_week"):
            raise ValidationError(N_("Give a day or a week, not both."), "dueWeek")


class PlanStepUpdateSchema(Schema):
    status = fields.String(
        validate=validate.OneOf([StepStatus.AGREED, StepStatus.DONE, StepStatus.DROPPED]),
        metadata={"description": "agreed (the other side says yes), done, or dropped"},
    )
    reason = Text(
        max_length=500,
        min_length=1,
        metadata={"description": "With dropped: why, in the person's own words"},
    )
    due_on = PlausibleDate(future_days=731, metadata=_DUE_ON)
    due_week = fields.String(validate=[WEEK, _valid_week], metadata=_DUE_WEEK)
    suggested_done = StrictBool(
        metadata={"description": "Answer a suggestion: true = yes, done; false = not yet"}
    )

    @validates_schema
    def _something(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ValidationError(N_("Say what changes."), "status")
        if data.get("due_on") and data.get("due_week"):
            raise ValidationError(N_("Give a day or a week, not both."), "dueWeek")
        if data.get("status") == StepStatus.DROPPED and not data.get("reason"):
            raise ValidationError(N_("Say in a few words why this step stops."), "reason")


class PlanStepQuerySchema(PageQuerySchema):
    open_only = QueryBool(
        load_default=False, data_key="open", metadata={"description": "Only proposed and agreed"}
    )


class PlanStepEventSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    from_status = fields.String(allow_none=True, required=True)
    to_status = fields.String(required=True)
    actor_role = fields.String(required=True)
    reason = fields.String(allow_none=True, required=True)
    due_on = fields.Date(allow_none=True, required=True)
    at = fields.AwareDateTime(required=True)


class StepSuggestionSchema(Schema):
    source = fields.String(
        required=True,
        validate=validate.OneOf(SUGGESTION_SOURCES),
        metadata={"description": "What suggests it: a match, the ladder or a check-in"},
    )
    at = fields.AwareDateTime(required=True)


class PlanStepSchema(Schema):
    id = fields.UUID(required=True)
    kind = fields.String(allow_none=True, required=True, validate=validate.OneOf(KINDS))
    what = fields.String(allow_none=True, required=True)
    why = fields.String(allow_none=True, required=True)
    due_on = fields.Date(required=True)
    due_week = fields.String(
        allow_none=True, required=True, metadata={"description": "Set when agreed by week"}
    )
    status = fields.String(required=True, validate=validate.OneOf(list(StepStatus)))
    late = fields.Boolean(
        required=True, metadata={"description": "Open and past its date (late, never failed)"}
    )
    late_days = fields.Integer(required=True)
    proposed_by = fields.String(required=True, validate=validate.OneOf(SIDES))
    waiting_for = fields.String(
        allow_none=True,
        required=True,
        validate=validate.OneOf(SIDES),
        metadata={"description": "Who still has to agree to a proposal"},
    )
    with_coach = fields.Boolean(required=True)
    match_id = fields.UUID(allow_none=True, required=True)
    opportunity_id = fields.UUID(allow_none=True, required=True)
    suggested_done = fields.Nested(
        StepSuggestionSchema,
        allow_none=True,
        required=True,
        attribute="suggestion",
        metadata={"description": "Something suggests this step is done; the person confirms"},
    )
    drop_reason = fields.String(allow_none=True, required=True)
    agreed_at = fields.AwareDateTime(allow_none=True, required=True)
    done_at = fields.AwareDateTime(allow_none=True, required=True)
    dropped_at = fields.AwareDateTime(allow_none=True, required=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)
    history = fields.List(fields.Nested(PlanStepEventSchema), required=True)


PlanStepPageSchema = page_schema(PlanStepSchema, "PlanStepPage")
