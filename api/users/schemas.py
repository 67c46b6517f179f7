"""User bodies."""

from typing import Any

from marshmallow import fields, validate

from api.schemas import Schema, Text


class StaffUserCreateSchema(Schema):
    email = Text(required=True, max_length=254, validate=validate.Email())
    role = fields.String(required=True, validate=validate.OneOf(["organizer", "coach", "admin"]))
    name = Text(required=True, min_length=1, max_length=120)
    team_id = fields.UUID(load_default=None, allow_none=True)


class UserSchema(Schema):
    id = fields.UUID(required=True)
    email = fields.String(allow_none=True)
    role = fields.String(required=True)
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
