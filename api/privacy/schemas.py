"""Access log, audit and export bodies."""

from marshmallow import fields, validate

from api.experiments.schemas import MyExperimentSchema
from api.matches.schemas import MatchSchema
from api.nudges.schemas import MESSAGE_KINDS, InboxMessageSchema
from api.plans.schemas import PlanStepSchema
from api.profiles.schemas import ProfileSchema
from api.progress.schemas import CheckInSchema, LadderHistorySchema
from api.schemas import (
    CatalogueText,
    PageQuerySchema,
    QueryDateTime,
    Schema,
    choice,
    page_schema,
)
from api.users.models import ROLES


class AccessLogEntrySchema(Schema):
    at = fields.AwareDateTime(required=True)
    actor_role = fields.String(required=True)
    actor_name = fields.String(required=True)
    action = fields.String(required=True)
    object_type = fields.String(required=True)
    purpose = CatalogueText(
        allow_none=True, metadata={"description": "Why, in the language of the request"}
    )
    result = choice(
        ("success", "denied"),
        required=True,
        metadata={"description": "success, or denied when access was refused"},
    )


class AuditEntrySchema(AccessLogEntrySchema):
    id = fields.UUID(required=True)
    actor_id = fields.UUID(allow_none=True)
    subject_id = fields.UUID(allow_none=True)
    object_id = fields.String(allow_none=True)
    origin = fields.String(allow_none=True)


class AuditQuerySchema(PageQuerySchema):
    actor_id = fields.UUID()
    subject_id = fields.UUID()
    action = fields.String(
        validate=validate.OneOf(("read", "create", "update", "delete", "sign_in"))
    )
    result = fields.String(validate=validate.OneOf(("success", "denied")))
    since = QueryDateTime()
    until = QueryDateTime()


class ExportAccountSchema(Schema):
    id = fields.UUID(required=True)
    email = fields.String(allow_none=True)
    name = fields.String(required=True)
    role = choice(ROLES, required=True)
    created_at = fields.AwareDateTime(required=True)
    last_login_at = fields.AwareDateTime(allow_none=True)


# A value a nudge's text was made from: a name or title, a number of days, a list of ids, ...
NUDGE_PARAM_VALUE = {
    "anyOf": [
        {"type": "string", "nullable": True},
        {"type": "number"},
        {"type": "boolean"},
        {"type": "array", "items": {"type": "string"}},
    ],
    "description": "A name, title, date, number or list of ids used in the text",
}


class ExportNudgeSchema(Schema):
    kind = choice(MESSAGE_KINDS, required=True)
    status = choice(("pending", "delivered", "dropped", "dead"), required=True)
    created_at = fields.AwareDateTime(required=True)
    params = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(metadata=NUDGE_PARAM_VALUE),
        required=True,
        metadata={"description": "What its text was made from, by name (as stored)"},
    )


class ExportDeviceSchema(Schema):
    platform = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    push_token = fields.String(
        required=True, metadata={"description": "Masked: only the last characters"}
    )


class ExportCoachSchema(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)


class ExportInvitationSchema(Schema):
    created_at = fields.AwareDateTime(required=True)
    created_by_name = fields.String(allow_none=True)
    created_by_role = fields.String(allow_none=True)
    expires_at = fields.AwareDateTime(required=True)
    used_at = fields.AwareDateTime(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(("open", "used", "expired")))


class ExportSessionSchema(Schema):
    created_at = fields.AwareDateTime(required=True)
    last_used_at = fields.AwareDateTime(required=True)
    revoked_at = fields.AwareDateTime(allow_none=True)
    revoked_reason = fields.String(allow_none=True)


class ExportStoredReplySchema(Schema):
    key = fields.String(allow_none=True, metadata={"description": "Only for your own requests"})
    yours = fields.Boolean(required=True)
    created_at = fields.AwareDateTime(required=True)
    status_code = fields.Integer(allow_none=True)
    body = fields.Dict(
        keys=fields.String(),
        allow_none=True,
        metadata={
            "additionalProperties": True,
            "description": "The answer as it was given: the JSON object that operation returns",
        },
    )


class DataExportSchema(Schema):
    exported_at = fields.AwareDateTime(required=True)
    account = fields.Nested(ExportAccountSchema, required=True)
    coach = fields.Nested(ExportCoachSchema, allow_none=True)
    invitations = fields.List(fields.Nested(ExportInvitationSchema), required=True)
    sessions = fields.List(fields.Nested(ExportSessionSchema), required=True)
    profile = fields.Nested(ProfileSchema, allow_none=True)
    matches = fields.List(fields.Nested(MatchSchema), required=True)
    checkins = fields.List(fields.Nested(CheckInSchema), required=True)
    ladder = fields.Nested(LadderHistorySchema, required=True)
    experiments = fields.List(
        fields.Nested(MyExperimentSchema),
        required=True,
        metadata={"description": "Experiments you are in, what differs for you, opt-out"},
    )
    steps = fields.List(
        fields.Nested(PlanStepSchema),
        required=True,
        metadata={"description": "Your plan: every step with its history"},
    )
    nudges = fields.List(fields.Nested(ExportNudgeSchema), required=True)
    inbox = fields.List(fields.Nested(InboxMessageSchema), required=True)
    devices = fields.List(fields.Nested(ExportDeviceSchema), required=True)
    stored_replies = fields.List(
        fields.Nested(ExportStoredReplySchema),
        required=True,
        metadata={"description": "Kept answers to retried requests that mention you (1 day)"},
    )
    access_log = fields.List(fields.Nested(AccessLogEntrySchema), required=True)


AccessLogPageSchema = page_schema(AccessLogEntrySchema, "AccessLogPage")
AuditPageSchema = page_schema(AuditEntrySchema, "AuditPage")
