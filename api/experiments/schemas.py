"""Experiment bodies: the pre-registration, arms that can only change how nudges are given."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from api.core.time import AMSTERDAM
from api.experiments.enrolment import STRATA
from api.experiments.outcomes import GUARDRAILS, OUTCOMES
from api.experiments.treatment import (
    CHANNELS,
    EARLIEST_HOUR,
    FRAMINGS,
    LATEST_HOUR,
    PERSON_KINDS,
    Treatment,
)
from api.i18n import N_
from api.schemas import (
    PageQuerySchema,
    PlausibleDate,
    Schema,
    StrictBool,
    StrictFloat,
    StrictInt,
    Text,
    camelcase,
    offered_language,
    page_schema,
)
from matching.model import LANGUAGE_TAG


def camel_keys(value: Any) -> Any:
    """Stored snake_case keys as the API spells them (recursively)."""
    if isinstance(value, dict):
        return {camelcase(str(k)): camel_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel_keys(v) for v in value]
    return value


_KEY = validate.Regexp(r"^[a-z0-9_-]{1,20}$", error=N_("Lower-case letters, digits, - and _ only."))


class TreatmentSchema(Schema):
    """Everything an arm may change; any other key is refused (400)."""

    framing = fields.String(
        validate=validate.OneOf(FRAMINGS),
        metadata={"description": "Wording of the person's nudges; never money or sanctions"},
    )
    max_per_week = StrictInt(minimum=0, maximum=7, allow_none=True)
    weekday = StrictInt(
        minimum=0, maximum=6, allow_none=True, metadata={"description": "0 = Monday"}
    )
    hour = StrictInt(minimum=EARLIEST_HOUR, maximum=LATEST_HOUR, allow_none=True)
    channel = fields.String(
        validate=validate.OneOf(CHANNELS), metadata={"description": "inbox: no push"}
    )
    kinds_off = fields.List(
        fields.String(validate=validate.OneOf(PERSON_KINDS)), validate=validate.Length(max=4)
    )
    coach_prompt = StrictBool(metadata={"description": "The coach is asked to make contact"})


class ArmSchema(Schema):
    key = fields.String(required=True, validate=_KEY)
    name = Text(required=True, min_length=1, max_length=80)
    weight = StrictInt(required=True, minimum=1, maximum=10)
    is_control = StrictBool(load_default=False)
    treatment = fields.Nested(TreatmentSchema, load_default=dict)


class EligibilitySchema(Schema):
    ladder_steps = fields.List(StrictInt(minimum=1, maximum=6), validate=validate.Length(max=6))
    languages = fields.List(
        fields.String(validate=offered_language, metadata={"pattern": LANGUAGE_TAG.pattern})
    )
    with_coach = StrictBool()


class GuardrailSchema(Schema):
    metric = fields.String(required=True, validate=validate.OneOf(tuple(GUARDRAILS)))
    threshold = StrictFloat(
        required=True,
        minimum=0,
        maximum=4,
        metadata={"description": "opt_out, nudge_mute: a share (0-1); wellbeing_drop: points"},
    )


def _check_arms(arms: list[dict[str, Any]]) -> None:
    controls = [a for a in arms if a.get("is_control")]
    if len(controls) != 1:
        raise ValidationError(N_("Exactly one arm is the control."), "arms")
    if not Treatment(**controls[0].get("treatment", {})).is_policy:
        raise ValidationError(
            N_("The control arm is the current policy: it changes nothing."), "arms"
        )
    keys = [a["key"] for a in arms]
    if len(set(keys)) != len(keys):
        raise ValidationError(N_("Arm keys must differ."), "arms")


class ExperimentCreateSchema(Schema):
    name = Text(required=True, min_length=1, max_length=120)
    hypothesis = Text(required=True, min_length=1, max_length=4000)
    arms = fields.List(
        fields.Nested(ArmSchema), required=True, validate=validate.Length(min=2, max=5)
    )
    eligibility = fields.Nested(EligibilitySchema, load_default=dict)
    strata = fields.List(
        fields.String(validate=validate.OneOf(STRATA)),
        load_default=list,
        validate=validate.Length(max=2),
    )
    primary_outcome = fields.String(required=True, validate=validate.OneOf(tuple(OUTCOMES)))
    horizon_days = StrictInt(required=True, minimum=1, maximum=730)
    secondary_outcomes = fields.List(
        fields.String(validate=validate.OneOf(tuple(OUTCOMES))), load_default=list
    )
    guardrails = fields.List(fields.Nested(GuardrailSchema), load_default=list)
    enrol_until = PlausibleDate(
        required=True,
        future_days=1100,
        metadata={"description": "Last day newcomers are enrolled (local date, inclusive)"},
    )
    planned_end = PlausibleDate(
        required=True,
        future_days=1100,
        metadata={"description": "The experiment stops at the end of this day (local date)"},
    )
    dpia_reference = Text(required=True, min_length=1, max_length=120)
    ethics_reference = Text(required=True, min_length=1, max_length=120)

    @post_load
    def _end_of_day(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        """A day means until its end, Amsterdam time."""
        for name in ("enrol_until", "planned_end"):
            if isinstance(data.get(name), date):
                data[name] = datetime.combine(data[name], time(23, 59, 59), tzinfo=AMSTERDAM)
        return data

    @validates_schema
    def _rules(self, data: dict[str, Any], **_: Any) -> None:
        if "arms" in data:
            _check_arms(data["arms"])


class ExperimentUpdateSchema(ExperimentCreateSchema):
    """Any of the fields of a new experiment (a draft only); routes load it with partial=True."""


class TreatmentOutSchema(Schema):
    framing = fields.String()
    max_per_week = fields.Integer(allow_none=True)
    weekday = fields.Integer(allow_none=True)
    hour = fields.Integer(allow_none=True)
    channel = fields.String()
    kinds_off = fields.List(fields.String())
    coach_prompt = fields.Boolean()


class ArmOutSchema(Schema):
    id = fields.UUID(required=True)
    key = fields.String(required=True)
    name = fields.String(required=True)
    weight = fields.Integer(required=True)
    is_control = fields.Boolean(required=True)
    treatment = fields.Nested(TreatmentOutSchema, required=True)
    stopped_at = fields.AwareDateTime(allow_none=True)
    stop_reason = fields.String(allow_none=True)


class PowerCalculationSchema(Schema):
    outcome = fields.String()
    kind = fields.String()
    eligible = fields.Integer()
    per_arm = fields.Dict(keys=fields.String(), values=fields.Integer())
    baseline_n = fields.Integer()
    baseline = fields.Float(allow_none=True)
    sd = fields.Float(allow_none=True)
    alpha = fields.Float()
    power = fields.Float()
    mde = fields.Float(
        allow_none=True,
        metadata={"description": "Minimum detectable effect: a share for rates, units for means"},
    )
    planned_sample_size = fields.Integer()
    computed_at = fields.String()


class RegisteredArmSchema(Schema):
    key = fields.String(required=True, metadata={"description": "Key of the arm"})
    weight = fields.Integer(required=True, metadata={"description": "Allocation weight"})
    is_control = fields.Boolean(required=True, metadata={"description": "The control arm"})
    treatment = fields.Nested(
        TreatmentOutSchema, required=True, metadata={"description": "What differs in this arm"}
    )


class RegistrationSchema(Schema):
    """The pre-registration as it froze at start."""

    frozen_at = fields.String(required=True, metadata={"description": "When it froze (ISO 8601)"})
    hypothesis = fields.String(required=True, metadata={"description": "The hypothesis"})
    primary_outcome = fields.String(required=True, metadata={"description": "Primary outcome"})
    secondary_outcomes = fields.List(
        fields.String(), required=True, metadata={"description": "Secondary outcomes"}
    )
    horizon_days = fields.Integer(required=True, metadata={"description": "Horizon in days"})
    strata = fields.List(fields.String(), required=True, metadata={"description": "Strata"})
    eligibility = fields.Nested(
        EligibilitySchema, required=True, metadata={"description": "Who may take part"}
    )
    guardrails = fields.List(
        fields.Nested(GuardrailSchema), required=True, metadata={"description": "Guardrails"}
    )
    arms = fields.List(
        fields.Nested(RegisteredArmSchema), required=True, metadata={"description": "The arms"}
    )
    analysis = fields.String(required=True, metadata={"description": "The planned analysis"})
    planned_sample_size = fields.Integer(
        required=True, metadata={"description": "People the experiment plans to enrol"}
    )
    power = fields.Nested(
        PowerCalculationSchema,
        required=True,
        metadata={"description": "The power calculation at start"},
    )


class ExperimentSchema(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    hypothesis = fields.String(required=True)
    status = fields.String(required=True)
    arms = fields.List(fields.Nested(ArmOutSchema), required=True)
    eligibility = fields.Nested(EligibilitySchema, required=True)
    strata = fields.List(fields.String())
    primary_outcome = fields.String(required=True)
    horizon_days = fields.Integer(required=True)
    secondary_outcomes = fields.List(fields.String())
    guardrails = fields.List(fields.Nested(GuardrailSchema))
    enrol_until = fields.AwareDateTime(required=True)
    planned_end = fields.AwareDateTime(required=True)
    dpia_reference = fields.String(required=True)
    ethics_reference = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    started_at = fields.AwareDateTime(allow_none=True)
    stopped_at = fields.AwareDateTime(allow_none=True)
    stop_reason = fields.String(allow_none=True)
    registration = fields.Nested(
        "RegistrationSchema",
        allow_none=True,
        metadata={"description": "What froze at start (null before)"},
    )
    power = fields.Nested(PowerCalculationSchema, allow_none=True)
    enrolled = fields.Integer()


class ExperimentListItemSchema(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True)
    primary_outcome = fields.String(required=True)
    arms = fields.List(fields.Nested(ArmOutSchema), required=True)
    created_at = fields.AwareDateTime(required=True)
    started_at = fields.AwareDateTime(allow_none=True)
    planned_end = fields.AwareDateTime(required=True)


ExperimentPageSchema = page_schema(ExperimentListItemSchema, "ExperimentPage")


class ExperimentQuerySchema(PageQuerySchema):
    pass


class ReportArmSchema(Schema):
    key = fields.String(required=True)
    name = fields.String(required=True)
    is_control = fields.Boolean(required=True)
    weight = fields.Integer(required=True)
    n = fields.Integer(allow_none=True)
    expected_share = fields.Float()
    share = fields.Float(allow_none=True)
    opted_out = fields.Integer(allow_none=True)
    opt_out_rate = fields.Float(allow_none=True)
    exposed = fields.Integer(allow_none=True)
    exposure_rate = fields.Float(allow_none=True)
    stopped_at = fields.AwareDateTime(allow_none=True)
    stop_reason = fields.String(allow_none=True)


class ReportCellSchema(Schema):
    arm = fields.String(required=True)
    n = fields.Integer(allow_none=True)
    value = fields.Float(allow_none=True, metadata={"description": "Rate (0-1) or mean"})
    events = fields.Integer(allow_none=True)
    sd = fields.Float(allow_none=True)
    difference = fields.Float(allow_none=True, metadata={"description": "Arm minus control"})
    ci_low = fields.Float(allow_none=True)
    ci_high = fields.Float(allow_none=True)
    p_value = fields.Float(allow_none=True)
    p_holm = fields.Float(allow_none=True)
    withheld = fields.Boolean(required=True)


class ReportOutcomeSchema(Schema):
    outcome = fields.String(required=True)
    kind = fields.String(required=True)
    primary = fields.Boolean(required=True)
    arms = fields.List(fields.Nested(ReportCellSchema), required=True)


class SampleRatioSchema(Schema):
    chi2 = fields.Float(required=True)
    p_value = fields.Float(required=True)
    flagged = fields.Boolean(required=True)
    threshold = fields.Float(required=True)


class ExperimentReportSchema(Schema):
    experiment_id = fields.UUID(required=True)
    status = fields.String(required=True)
    as_of = fields.AwareDateTime(required=True)
    min_cell = fields.Integer(required=True)
    people = fields.Integer(allow_none=True)
    arms = fields.List(fields.Nested(ReportArmSchema), required=True)
    sample_ratio = fields.Nested(SampleRatioSchema, required=True)
    outcomes = fields.List(fields.Nested(ReportOutcomeSchema), required=True)
    analysis = fields.String(required=True)
    summary = fields.List(fields.String(), required=True)


class ExperimentExportRowSchema(Schema):
    person = fields.String(required=True, metadata={"description": "Pseudonym, per experiment"})
    arm = fields.String(required=True)
    stratum = fields.String(required=True)
    opted_out = fields.Boolean(required=True)
    exposed = fields.Boolean(required=True)
    outcomes = fields.Dict(
        keys=fields.String(),
        values=fields.Float(allow_none=True),
        required=True,
        metadata={"description": "Per outcome: 1 or 0 for yes/no outcomes, the value for means"},
    )


class ExperimentExportSchema(Schema):
    experiment_id = fields.UUID(required=True)
    rows = fields.List(fields.Nested(ExperimentExportRowSchema), required=True)


class MyExperimentSchema(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True)
    about = fields.String(required=True)
    what_differs = fields.List(fields.String(), required=True)
    enrolled_at = fields.AwareDateTime(required=True)
    opted_out_at = fields.AwareDateTime(allow_none=True)
    can_opt_out = fields.Boolean(required=True)
    opt_out_hint = fields.String(allow_none=True)


class MyExperimentsSchema(Schema):
    items = fields.List(fields.Nested(MyExperimentSchema), required=True)
