"""Account bodies."""

from marshmallow import fields, validate

from api.auth.passwords import MAX_LENGTH, MIN_LENGTH
from api.invitations.models import ACTIVATE, RESET
from api.schemas import Schema
from api.users.models import ROLES
from matching.model import LANGUAGE_TAG


class NamedRefSchema(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)


class MyAccountSchema(Schema):
    id = fields.UUID(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    name = fields.String(required=True, metadata={"description": "The name to greet you by"})
    email = fields.String(
        required=True, allow_none=True, metadata={"description": "What you sign in with"}
    )
    municipality = fields.Nested(NamedRefSchema, required=True)
    team = fields.Nested(
        NamedRefSchema,
        required=True,
        allow_none=True,
        metadata={"description": "Organisers: the team you post activities for"},
    )
    coach = fields.Nested(
        NamedRefSchema,
        required=True,
        allow_none=True,
        metadata={"description": "Participants: your coach"},
    )
    language = fields.String(
        required=True,
        metadata={
            "pattern": LANGUAGE_TAG.pattern,
            "description": "The language messages and pushes are sent in (a language tag with "
            "texts on the server, e.g. nl or en)",
        },
    )
    last_login_at = fields.AwareDateTime(required=True, allow_none=True)
    created_at = fields.AwareDateTime(required=True)


class PasswordChangeSchema(Schema):
    old_password = fields.String(
        required=True,
        validate=validate.Length(min=1, max=MAX_LENGTH),
        metadata={"description": "Your current password"},
    )
    new_password = fields.String(
        required=True,
        validate=validate.Length(min=MIN_LENGTH, max=MAX_LENGTH),
        metadata={"description": "Not easy to guess, and not your name or e-mail address"},
    )


class ResetCodeSchema(Schema):
    code = fields.String(
        required=True,
        attribute="invite_code",
        metadata={"description": "Shown only once: print it or read it out"},
    )
    purpose = fields.String(
        required=True,
        validate=validate.OneOf((RESET, ACTIVATE)),
        metadata={
            "description": "reset: the person chooses a new password with POST /v1/auth/reset; "
            "activate: the account was never activated, so this is a new invitation code for "
            "POST /v1/auth/register"
        },
    )
    user_id = fields.UUID(required=True, attribute="recipient_id")
    expires_at = fields.AwareDateTime(required=True)
