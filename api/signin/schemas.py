"""Sign-in request and response bodies."""

from marshmallow import fields, validate

from api.auth.passwords import MAX_LENGTH, MIN_LENGTH
from api.schemas import Schema, Text


class LoginSchema(Schema):
    email = Text(required=True, max_length=254, validate=validate.Email())
    password = fields.String(required=True, validate=validate.Length(min=1, max=MAX_LENGTH))


class TokenPairSchema(Schema):
    access_token = fields.String(required=True)
    refresh_token = fields.String(required=True)
    role = fields.String(required=True)


class RegisterSchema(Schema):
    invite_code = Text(required=True, min_length=6, max_length=64)
    email = Text(required=True, max_length=254, validate=validate.Email())
    password = fields.String(
        required=True, validate=validate.Length(min=MIN_LENGTH, max=MAX_LENGTH)
    )
