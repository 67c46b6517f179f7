"""Match bodies."""

from typing import Any

from marshmallow import fields, validate

from api.matches.status import MatchStatus
from api.opportunities.schemas import OPPORTUNITY_STATUSES, TeamRefSchema
from api.schemas import (
    CatalogueText,
    PageQuerySchema,
    Schema,
    StrictBool,
    Text,
    choice,
    page_schema,
)
from api.users.models import ROLES
from matching.model import KINDS

# Why an opportunity suits the person (matching/reasons.py); `text` says it in their language.
REASON_CODES: tuple[str, ...] = (
    "interest",
    "distance",
    "time_slot",
    "language_level",
    "ladder_growth",
    "new",
)
# What a coach should know before approving (api/matches/rules.py).
WARNING_CODES: tuple[str, ...] = ("allowance_over_cap",)
STATUSES: tuple[str, ...] = tuple(s.value for s in MatchStatus)
# Who moved a match: a person in a role, or the system (auto-approve, expiry, erasure).
ACTOR_ROLES: tuple[str, ...] = (*ROLES, "system")


class ReasonSchema(Schema):
    code = choice(REASON_CODES, required=True)
    text = fields.String(required=True)


class OpportunitySummarySchema(Schema):
    id = fields.UUID(required=True)
    title = fields.String(required=True)
    kind = choice(KINDS, required=True)
    status = choice(OPPORTUNITY_STATUSES, required=True)
    address = fields.String(required=True)
    team = fields.Nested(TeamRefSchema, required=True)


class MatchEventSchema(Schema):
    from_status = choice(STATUSES, allow_none=True)
    to_status = choice(STATUSES, required=True)
    actor_role = choice(ACTOR_ROLES, required=True)
    reason = fields.String(allow_none=True)
    at = fields.AwareDateTime(required=True)


class MatchWarningSchema(Schema):
    code = choice(WARNING_CODES, required=True)
    text = CatalogueText(required=True)


class FeedbackSchema(Schema):
    """The person's answer to "did it help?" after the match ended."""

    helped = fields.Boolean(required=True)
    again = fields.Boolean(required=True, metadata={"description": "Would like something like it"})
    words = fields.String(allow_none=True, required=True)
    answered_at = fields.AwareDateTime(required=True)


class FeedbackCreateSchema(Schema):
    helped = StrictBool(required=True)
    again = StrictBool(required=True)
    words = Text(max_length=500, allow_none=True, load_default=None)


class MatchSchema(Schema):
    id = fields.UUID(required=True)
    status = choice(STATUSES, required=True)
    recipient_id = fields.UUID(required=True)
    opportunity = fields.Nested(OpportunitySummarySchema, required=True)
    score = fields.Float(allow_none=True)
    reasons = fields.List(fields.Nested(ReasonSchema), required=True)
    message = fields.String(allow_none=True)
    coach_note = fields.String(allow_none=True)
    decision_reason = fields.String(allow_none=True)
    requested_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)
    history = fields.List(fields.Nested(MatchEventSchema))
    feedback = fields.Nested(FeedbackSchema, allow_none=True)


class CoachMatchSchema(MatchSchema):
    """A match on the coach's queue: also the person's name, so no call per person is needed."""

    recipient_name = fields.String(
        required=True,
        metadata={"description": "The name the person goes by (display name, else account name)"},
    )


class MatchDecisionSchema(MatchSchema):
    """The match as MatchSchema shows it, plus warnings for the coach beside it."""

    warnings = fields.List(fields.Nested(MatchWarningSchema), required=True)

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        """Dumps a MatchOutcome: `warnings` from the outcome, every other field from its match."""
        source = obj if attr == "warnings" else obj.match
        return super().get_attribute(source, attr, default)


class OrganizerMatchSchema(Schema):
    """What an organiser learns from acting on a match: its state, nothing about the person."""

    id = fields.UUID(required=True)
    status = choice(STATUSES, required=True)
    opportunity = fields.Nested(OpportunitySummarySchema, required=True)
    updated_at = fields.AwareDateTime(required=True)


class MatchCreateSchema(Schema):
    opportunity_id = fields.UUID(required=True)
    message = Text(max_length=500, allow_none=True, load_default=None)


class SuggestionCreateSchema(Schema):
    opportunity_id = fields.UUID(required=True)
    note = Text(max_length=500, allow_none=True, load_default=None)


class ReasonBodySchema(Schema):
    reason = Text(required=True, min_length=3, max_length=500)


class MatchQuerySchema(PageQuerySchema):
    status = fields.String(validate=validate.OneOf(STATUSES))


class CandidateSchema(Schema):
    id = fields.UUID(required=True, attribute="match_id", dump_only=True)
    match_id = fields.UUID(
        required=True,
        metadata={"deprecated": True, "description": "The same as id (kept for older apps)"},
    )
    status = choice(STATUSES, required=True)
    first_name = fields.String(required=True)
    contact = fields.String(
        allow_none=True, metadata={"description": "What the person chose to share"}
    )


class TeamCandidateSchema(CandidateSchema):
    opportunity_id = fields.UUID(required=True)
    opportunity_title = fields.String(required=True)
    since = fields.AwareDateTime(
        required=True, metadata={"description": "When the match reached its current state"}
    )


class TeamCandidateQuerySchema(PageQuerySchema):
    status = fields.String(
        validate=validate.OneOf([MatchStatus.APPROVED.value, MatchStatus.ACTIVE.value]),
        metadata={"description": "approved: waiting for you to confirm the start; active: started"},
    )


class CandidateListSchema(Schema):
    items = fields.List(fields.Nested(CandidateSchema), required=True)


MatchPageSchema = page_schema(MatchSchema, "MatchPage")
CoachMatchPageSchema = page_schema(CoachMatchSchema, "CoachMatchPage")
TeamCandidatePageSchema = page_schema(TeamCandidateSchema, "TeamCandidatePage")
