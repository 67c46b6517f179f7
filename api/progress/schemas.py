"""Check-in and progress bodies."""

from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from api.i18n import N_
from api.interests.schemas import TranslatedLabelSchema
from api.ladder.models import LadderEntry
from api.matches.schemas import MatchSchema
from api.plans.status import MAX_OPEN
from api.progress.models import STEPS_TOWARD_WORK
from api.schemas import (
    Computed,
    PageQuerySchema,
    PlausibleDate,
    Schema,
    StrictBool,
    StrictDecimal,
    StrictInt,
    Text,
    choice,
    page_schema,
)

LADDER_NAMES = {
    1: {"nl": "geïsoleerd", "en": "isolated"},
    2: {"nl": "sociale contacten buitenshuis", "en": "social contacts outside the home"},
    3: {"nl": "deelname aan georganiseerde activiteiten", "en": "organised activities"},
    4: {"nl": "onbetaald werk", "en": "unpaid work"},
    5: {"nl": "betaald werk met ondersteuning", "en": "paid work with support"},
    6: {"nl": "betaald werk", "en": "paid work"},
}


class CheckInCreateSchema(Schema):
    date = PlausibleDate(required=True, future_days=1)
    hours = StrictDecimal(required=True, places=1, minimum=Decimal(0), maximum=Decimal(80))
    match_id = fields.UUID(load_default=None, allow_none=True)
    wellbeing = StrictInt(required=True, minimum=1, maximum=5)
    ladder_step = StrictInt(load_default=None, allow_none=True, minimum=1, maximum=6)
    steps_toward_work = fields.List(
        fields.String(validate=validate.OneOf(STEPS_TOWARD_WORK)),
        load_default=list,
        validate=validate.Length(max=len(STEPS_TOWARD_WORK)),
    )
    informal_care = StrictBool(
        load_default=False,
        metadata={"description": "These hours were informal care at home (mantelzorg counts)"},
    )
    note = Text(
        max_length=1000,
        load_default=None,
        allow_none=True,
        metadata={"description": "Private: only you and your coach see it"},
    )
    done_step_ids = fields.List(
        fields.UUID(),
        load_default=list,
        validate=validate.Length(max=MAX_OPEN),
        metadata={
            "description": "Steps of your plan you did (the prompt asks about the current one)"
        },
    )


class CheckInUpdateSchema(Schema):
    """A correction: only the fields sent change (the match and the ladder step stay)."""

    date = PlausibleDate(future_days=1)
    hours = StrictDecimal(places=1, minimum=Decimal(0), maximum=Decimal(80))
    wellbeing = StrictInt(minimum=1, maximum=5)
    steps_toward_work = fields.List(
        fields.String(validate=validate.OneOf(STEPS_TOWARD_WORK)),
        validate=validate.Length(max=len(STEPS_TOWARD_WORK)),
    )
    informal_care = StrictBool()
    note = Text(max_length=1000, allow_none=True)

    @validates_schema
    def _something(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ValidationError(N_("Send at least one field to change."), "body")


class CheckInSchema(Schema):
    id = fields.UUID(required=True)
    date = fields.Date(required=True)
    hours = fields.Float(required=True)
    match_id = fields.UUID(allow_none=True)
    wellbeing = fields.Integer(required=True)
    ladder_step = fields.Integer(allow_none=True)
    steps_toward_work = fields.List(choice(STEPS_TOWARD_WORK), required=True)
    informal_care = fields.Boolean(required=True)
    note = fields.String(allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    changeable_until = fields.AwareDateTime(
        required=True,
        metadata={"description": "Until when you can correct or remove this check-in"},
    )


class LadderEntrySchema(Schema):
    step = fields.Integer(required=True)
    name = Computed("_name", returns=fields.Nested(TranslatedLabelSchema), required=True)
    note = fields.String(allow_none=True)
    at = fields.AwareDateTime(required=True)

    def _name(self, obj: LadderEntry) -> dict[str, str]:
        return LADDER_NAMES[obj.step]


class LadderHistorySchema(Schema):
    self_reported = fields.List(
        fields.Nested(LadderEntrySchema), attribute="self", data_key="selfReported"
    )
    coach_assessed = fields.List(
        fields.Nested(LadderEntrySchema), attribute="coach", data_key="coachAssessed"
    )


class MonthHoursSchema(Schema):
    month = fields.String(required=True)
    hours = fields.Float(required=True)
    informal_care_hours = fields.Float(required=True)


class WorkStepSchema(Schema):
    step = fields.String(required=True)
    date = fields.Date(required=True)


class WellbeingPointSchema(Schema):
    date = fields.Date(required=True)
    wellbeing = fields.Integer(required=True)


class MonthStepsSchema(Schema):
    month = fields.String(required=True, metadata={"description": "YYYY-MM (local time)"})
    count = fields.Integer(required=True, metadata={"description": "Plan steps done that month"})


class PlanCountsSchema(Schema):
    open = fields.Integer(required=True, metadata={"description": "Proposed or agreed"})
    done = fields.Integer(required=True)
    dropped = fields.Integer(required=True)


class ProgressSchema(Schema):
    ladder = fields.Nested(LadderHistorySchema, required=True)
    hours_per_month = fields.List(fields.Nested(MonthHoursSchema), required=True)
    total_hours = fields.Float(required=True)
    steps_toward_work = fields.List(fields.Nested(WorkStepSchema), required=True)
    wellbeing = fields.List(fields.Nested(WellbeingPointSchema), required=True)
    active_matches = fields.List(fields.Nested(MatchSchema), required=True)
    past_matches = fields.List(fields.Nested(MatchSchema), required=True)
    steps_done_per_month = fields.List(fields.Nested(MonthStepsSchema), required=True)
    plan = fields.Nested(PlanCountsSchema, required=True)


class LadderAssessmentCreateSchema(Schema):
    step = StrictInt(required=True, minimum=1, maximum=6)
    note = Text(max_length=1000, load_default=None, allow_none=True)


CheckInPageSchema = page_schema(CheckInSchema, "CheckInPage")
CheckInQuerySchema = PageQuerySchema
