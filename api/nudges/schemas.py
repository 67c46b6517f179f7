"""Inbox and device bodies."""

from marshmallow import fields, validate

from api.schemas import PageQuerySchema, QueryBool, Schema, Text, page_schema


class InboxMessageSchema(Schema):
    id = fields.UUID(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    read_at = fields.AwareDateTime(allow_none=True)


class InboxQuerySchema(PageQuerySchema):
    unread = QueryBool()


class DeviceCreateSchema(Schema):
    platform = fields.String(required=True, validate=validate.OneOf(("ios", "android", "web")))
    push_token = Text(required=True, min_length=8, max_length=400)


class DeviceSchema(Schema):
    id = fields.UUID(required=True)
    platform = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)


InboxPageSchema = page_schema(InboxMessageSchema, "InboxPage")
