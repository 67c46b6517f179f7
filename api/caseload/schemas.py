"""Caseload bodies."""

from marshmallow import fields, validate

from api.caseload.service import FLAGS
from api.matches.schemas import MatchSchema
from api.plans.schemas import PlanStepSchema
from api.profiles.schemas import ProfileSchema
from api.progress.schemas import CheckInSchema, LadderHistorySchema
from api.schemas import PageQuerySchema, Schema


class CaseloadQuerySchema(PageQuerySchema):
    flag = fields.String(validate=validate.OneOf(list(FLAGS)))


class CaseloadItemSchema(Schema):
    recipient_id = fields.UUID(required=True)
    display_name = fields.String(required=True)
    ladder_step = fields.Integer(allow_none=True)
    need = fields.Integer(required=True, metadata={"description": "Higher needs attention sooner"})
    flags = fields.List(fields.String(), required=True)
    last_checkin_at = fields.AwareDateTime(allow_none=True)
    waiting_requests = fields.Integer(required=True)


# How many of your people have each flag: one field per flag in FLAGS.
FlagCountsSchema = type(
    "FlagCountsSchema", (Schema,), {name: fields.Integer(required=True) for name in FLAGS}
)


class CaseloadPageSchema(Schema):
    items = fields.List(fields.Nested(CaseloadItemSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)
    counts = fields.Nested(FlagCountsSchema, required=True)
    total = fields.Integer(required=True)


class CaseloadPersonSchema(Schema):
    recipient_id = fields.UUID(required=True)
    name = fields.String(required=True)
    profile = fields.Nested(ProfileSchema, allow_none=True)
    matches = fields.List(fields.Nested(MatchSchema), required=True)
    checkins = fields.List(fields.Nested(CheckInSchema), required=True)
    ladder = fields.Nested(LadderHistorySchema, required=True)
    steps = fields.List(
        fields.Nested(PlanStepSchema), required=True, metadata={"description": "Their plan"}
    )
