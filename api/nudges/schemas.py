"""Inbox and device bodies."""

from marshmallow import fields, validate

from api.municipalities.policy import NUDGE_KINDS
from api.schemas import PageQuerySchema, QueryBool, Schema, Text, choice, page_schema

PLATFORMS: tuple[str, ...] = ("ios", "android", "web")


class InboxMessageSchema(Schema):
    id = fields.UUID(required=True)
    kind = choice(NUDGE_KINDS, required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    read_at = fields.AwareDateTime(allow_none=True)


class InboxQuerySchema(PageQuerySchema):
    unread = QueryBool()


class DeviceCreateSchema(Schema):
    platform = fields.String(required=True, validate=validate.OneOf(PLATFORMS))
    push_token = Text(required=True, min_length=8, max_length=400)


class DeviceSchema(Schema):
    id = fields.UUID(required=True)
    platform = choice(PLATFORMS, required=True)
    created_at = fields.AwareDateTime(required=True)


InboxPageSchema = page_schema(InboxMessageSchema, "InboxPage")
