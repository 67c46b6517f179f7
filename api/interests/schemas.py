"""Interest bodies."""

from marshmallow import fields

from api.schemas import Schema


class LabelSchema(Schema):
    nl = fields.String(required=True)
    en = fields.String(required=True)


class InterestSchema(Schema):
    key = fields.String(required=True)
    category = fields.String(required=True, attribute="category_key")
    labels = fields.Nested(LabelSchema, required=True)


class InterestListSchema(Schema):
    items = fields.List(fields.Nested(InterestSchema), required=True)
