"""Interest bodies."""

from marshmallow import fields

from api.schemas import Schema


class TranslatedLabelSchema(Schema):
    nl = fields.String(required=True, metadata={"description": "Dutch label"})
    en = fields.String(required=True, metadata={"description": "English label"})


class InterestSchema(Schema):
    key = fields.String(required=True)
    category = fields.String(required=True, attribute="category_key")
    label = fields.String(
        required=True, metadata={"description": "The label in the language of the request"}
    )
    labels = fields.Nested(TranslatedLabelSchema, required=True)


class CategorySchema(Schema):
    key = fields.String(required=True)
    label = fields.String(
        required=True, metadata={"description": "The label in the language of the request"}
    )
    labels = fields.Nested(TranslatedLabelSchema, required=True)


class InterestListSchema(Schema):
    items = fields.List(fields.Nested(InterestSchema), required=True)
    categories = fields.List(fields.Nested(CategorySchema), required=True)
