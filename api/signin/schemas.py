"""Sign-in request and response bodies."""

from marshmallow import fields, validate

from api.auth.passwords import MAX_LENGTH, MIN_LENGTH
from api.schemas import Schema, Text
from api.users.models import ROLES


class LoginSchema(Schema):
    email = Text(required=True, max_length=254, validate=validate.Email())
    password = fields.String(required=True, validate=validate.Length(min=1, max=MAX_LENGTH))


class AccountRefSchema(Schema):
    id = fields.UUID(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    name = fields.String(required=True, metadata={"description": "The name to greet the person by"})


class TokenPairSchema(Schema):
    access_token = fields.String(required=True)
    refresh_token = fields.String(required=True)
    role = fields.String(
        required=True,
        validate=validate.OneOf(ROLES),
        metadata={"description": "The same as account.role (kept for older apps)"},
    )
    expires_in = fields.Integer(
        required=True,
        metadata={"description": "Seconds until the access token expires; refresh before then"},
    )
    account = fields.Nested(AccountRefSchema, required=True)


class RegisterSchema(Schema):
    invite_code = Text(required=True, min_length=6, max_length=64)
    email = Text(required=True, max_length=254, validate=validate.Email())
    password = fields.String(
        required=True, validate=validate.Length(min=MIN_LENGTH, max=MAX_LENGTH)
    )


class LogoutSchema(Schema):
    device_id = fields.UUID(
        metadata={
            "description": "This phone's device id (from POST /v1/me/devices), removed too; the"
            " device registered under this sign-in always goes"
        }
    )


class ResetSchema(Schema):
    reset_code = Text(
        required=True,
        min_length=6,
        max_length=64,
        metadata={"description": "The one-time code from your coach or admin"},
    )
    password = fields.String(
        required=True, validate=validate.Length(min=MIN_LENGTH, max=MAX_LENGTH)
    )


class SetPasswordSchema(Schema):
    """The console's form for any one-time code (a new account or a new password)."""

    code = Text(required=True, min_length=6, max_length=64)
    email = Text(required=True, max_length=254, validate=validate.Email())
    password = fields.String(
        required=True, validate=validate.Length(min=MIN_LENGTH, max=MAX_LENGTH)
    )
