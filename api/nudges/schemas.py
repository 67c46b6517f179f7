"""Inbox, device and notification-preference bodies."""

from marshmallow import fields, validate

from api.municipalities.policy import NUDGE_KINDS
from api.nudges.events import EVENT_KINDS, MODES, STAFF_KINDS
from api.nudges.targets import TARGET_TYPES
from api.schemas import (
    PageQuerySchema,
    QueryBool,
    QueryDateTime,
    Schema,
    Text,
    choice,
    page_schema,
)

PLATFORMS: tuple[str, ...] = ("ios", "android", "web")
# Every kind a nudge or inbox message can have: planned nudges and events.
MESSAGE_KINDS: tuple[str, ...] = tuple(dict.fromkeys((*NUDGE_KINDS, *EVENT_KINDS)))


class MessageTargetSchema(Schema):
    type = fields.String(
        required=True,
        validate=validate.OneOf(TARGET_TYPES),
        metadata={"description": "What the message is about: the screen the app opens"},
    )
    id = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Its id (a UUID); null for a list (feed, caseload, inbox)"},
    )


class InboxMessageSchema(Schema):
    id = fields.UUID(required=True)
    kind = choice(
        MESSAGE_KINDS,
        required=True,
        metadata={"description": "What the message is about (a nudge or an event), stable"},
    )
    title = fields.String(required=True)
    body = fields.String(required=True)
    target = fields.Nested(MessageTargetSchema, required=True)
    created_at = fields.AwareDateTime(required=True)
    read_at = fields.AwareDateTime(allow_none=True, required=True)
    updated_at = fields.AwareDateTime(required=True)


class InboxQuerySchema(PageQuerySchema):
    unread = QueryBool()
    updated_since = QueryDateTime(
        metadata={
            "description": "Only what changed (written or read) after this moment, oldest change"
            " first: pass the newest updatedAt you hold (less a minute) and merge by id"
        }
    )


class InboxCountSchema(Schema):
    unread = fields.Integer(required=True)
    marked = fields.Integer(required=True, metadata={"description": "Messages just marked read"})


class DeviceCreateSchema(Schema):
    platform = fields.String(required=True, validate=validate.OneOf(PLATFORMS))
    push_token = Text(required=True, min_length=8, max_length=400)


class DeviceSchema(Schema):
    id = fields.UUID(required=True)
    platform = choice(PLATFORMS, required=True)
    created_at = fields.AwareDateTime(required=True)


class DeviceListSchema(Schema):
    items = fields.List(fields.Nested(DeviceSchema), required=True)


class KindChoiceSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(STAFF_KINDS))
    mode = fields.String(
        required=True,
        validate=validate.OneOf(MODES),
        metadata={"description": "push (inbox and phone), inbox only, or summary (daily)"},
    )


class NotificationPreferencesSchema(Schema):
    kinds = fields.List(fields.Nested(KindChoiceSchema), required=True)


InboxPageSchema = page_schema(InboxMessageSchema, "InboxPage")
