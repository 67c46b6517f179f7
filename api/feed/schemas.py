"""Feed bodies."""

from marshmallow import fields, validate

from api.matches.schemas import ReasonSchema
from api.opportunities.schemas import OpportunitySchema
from api.schemas import PageQuerySchema, Schema
from matching.model import KINDS


class FeedQuerySchema(PageQuerySchema):
    kind = fields.String(validate=validate.OneOf(KINDS))


class FeedItemSchema(Schema):
    opportunity = fields.Nested(OpportunitySchema, required=True)
    score = fields.Float(required=True, metadata={"description": "Fit in [0, 1]"})
    distance_km = fields.Float(required=True)
    reasons = fields.List(fields.Nested(ReasonSchema), required=True)


class FeedPageSchema(Schema):
    items = fields.List(fields.Nested(FeedItemSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)
    profile_complete = fields.Boolean(
        required=True,
        metadata={"description": "False until a postcode and available times are filled in"},
    )
