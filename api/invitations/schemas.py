"""Invitation bodies."""

from marshmallow import fields, validate

from api.schemas import Schema, Text


class InvitationCreateSchema(Schema):
    recipient_name = Text(required=True, min_length=1, max_length=120)
    email = Text(max_length=254, validate=validate.Email(), load_default=None, allow_none=True)
    coach_id = fields.UUID(load_default=None, allow_none=True)


class InvitationSchema(Schema):
    invite_code = fields.String(required=True)
    recipient_id = fields.UUID(required=True)
    expires_at = fields.AwareDateTime(required=True)
