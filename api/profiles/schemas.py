"""Profile bodies."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from api.i18n import N_, Msg, Term
from api.opportunities.schemas import PointSchema
from api.profiles.kinds import RECIPIENT_KINDS, inbox_only
from api.schemas import (
    Computed,
    QuietHoursSchema,
    Schema,
    StrictBool,
    StrictFloat,
    StrictInt,
    Text,
    choice,
    offered_language,
)
from matching.model import (
    ACCESSIBILITY,
    CEFR_LEVELS,
    LANGUAGE_TAG,
    MAX_DISTANCE_KM,
    SLOTS,
    TRAVEL_MODES,
)


def _unique(max_items: int) -> list[Any]:
    return [validate.Length(max=max_items), _no_repeats]


def _no_repeats(values: list[Any]) -> bool:
    if len(set(values)) != len(values):
        raise ValidationError(N_("Items must not repeat."))
    return True


_LANGUAGE_TEXT = (
    "The language of the app's texts and of pushes: a language tag (e.g. nl, en, ti) that has "
    "texts on the server. Which ones are offered grows when a language is added; an unknown one "
    "is a 400."
)


class NudgePreferencesSchema(Schema):
    paused = StrictBool()
    max_per_week = StrictInt(minimum=0, maximum=7)
    quiet_hours = fields.Nested(QuietHoursSchema, allow_none=True)
    inbox_only = fields.List(
        fields.String(validate=validate.OneOf(RECIPIENT_KINDS)),
        validate=_unique(len(RECIPIENT_KINDS)),
    )


class NudgeSettingsSchema(Schema):
    """The nudge preferences as they are now (every field present)."""

    paused = fields.Boolean(required=True)
    max_per_week = fields.Integer(required=True)
    quiet_hours = fields.Nested(QuietHoursSchema, required=True, allow_none=True)
    inbox_only = fields.List(choice(RECIPIENT_KINDS), required=True)


class ProfileUpdateSchema(Schema):
    display_name = Text(min_length=1, max_length=80)
    preferred_language = fields.String(
        validate=offered_language,
        metadata={"pattern": LANGUAGE_TAG.pattern, "description": _LANGUAGE_TEXT},
    )
    postcode = Text(
        max_length=7,
        allow_none=True,
        metadata={"description": "Dutch postcode; only its area (PC4) is kept"},
    )
    travel_mode = fields.String(validate=validate.OneOf(TRAVEL_MODES))
    max_distance_km = StrictFloat(minimum=0.5, maximum=max(MAX_DISTANCE_KM.values()))
    interests = fields.List(Text(max_length=40), validate=_unique(20))
    availability = fields.List(fields.String(validate=validate.OneOf(SLOTS)), validate=_unique(21))
    accessibility_needs = fields.List(
        fields.String(validate=validate.OneOf(ACCESSIBILITY)), validate=_unique(len(ACCESSIBILITY))
    )
    dutch_level = fields.String(validate=validate.OneOf(CEFR_LEVELS))
    ladder_step = StrictInt(minimum=1, maximum=6, allow_none=True)
    goals = Text(max_length=1000, allow_none=True)
    shared_contact = Text(
        max_length=120,
        allow_none=True,
        metadata={"description": "What an organiser may use to reach you (phone or e-mail)"},
    )
    nudge_preferences = fields.Nested(NudgePreferencesSchema)

    @validates_schema
    def _distance_for_mode(self, data: dict[str, Any], **_: Any) -> None:
        mode, km = data.get("travel_mode"), data.get("max_distance_km")
        if mode and km and km > MAX_DISTANCE_KM[mode]:
            raise ValidationError(
                {
                    "maxDistanceKm": [
                        Msg(
                            "At most {km} km for {mode}.",
                            km=MAX_DISTANCE_KM[mode],
                            mode=Term("travel mode", mode),
                        )
                    ]
                }
            )


class ProfileSchema(Schema):
    id = fields.UUID(required=True, attribute="user_id")
    display_name = fields.String(required=True)
    preferred_language = fields.String(
        required=True, metadata={"pattern": LANGUAGE_TAG.pattern, "description": _LANGUAGE_TEXT}
    )
    postcode = fields.String(allow_none=True, attribute="postcode_area")
    home_area = Computed("_area", returns=fields.Nested(PointSchema), allow_none=True)
    travel_mode = choice(TRAVEL_MODES, required=True)
    max_distance_km = fields.Float(required=True)
    interests = fields.List(fields.String(), required=True)
    availability = fields.List(choice(SLOTS), required=True)
    accessibility_needs = fields.List(choice(ACCESSIBILITY), required=True)
    dutch_level = choice(CEFR_LEVELS, required=True)
    ladder_step = fields.Integer(allow_none=True)
    goals = fields.String(allow_none=True)
    shared_contact = fields.String(allow_none=True)
    nudge_preferences = Computed(
        "_nudges", returns=fields.Nested(NudgeSettingsSchema), required=True
    )

    def _area(self, obj: Any) -> dict[str, float] | None:
        if obj.home_lat is None:
            return None
        return {"lat": round(obj.home_lat, 4), "lon": round(obj.home_lon, 4)}

    def _nudges(self, obj: Any) -> dict[str, Any]:
        prefs = obj.nudge_preferences or {}
        return {
            "paused": bool(prefs.get("paused", False)),
            "maxPerWeek": prefs.get("max_per_week", 2),
            "quietHours": prefs.get("quiet_hours"),
            "inboxOnly": [k for k in RECIPIENT_KINDS if inbox_only(prefs, k)],
        }
