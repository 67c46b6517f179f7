"""Opportunity bodies and query parameters."""

from __future__ import annotations

import re
import urllib.parse
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from api.core.geo import NL_BBOX, in_netherlands
from api.i18n import N_
from api.opportunities.schedule import MAX_BLOCKS, TIME_RE, block_problem, overlap_problem
from api.schemas import (
    Computed,
    PageQuerySchema,
    PlausibleDate,
    QueryFloat,
    Schema,
    StrictBool,
    StrictDecimal,
    StrictFloat,
    StrictInt,
    Text,
    choice,
    page_schema,
)
from matching.model import ACCESSIBILITY, CEFR_LEVELS, DAYS, KINDS, SLOTS

MAX_ALLOWANCE_EUR = Decimal("250")  # above the Dutch tax-free volunteer allowance
FUTURE_DAYS = 5 * 366  # an opportunity is planned at most about five years ahead
_NEAR = r"^-?[0-9]{1,3}(\.[0-9]{1,8})?,-?[0-9]{1,3}(\.[0-9]{1,8})?$"
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{7,18}$")
MAX_HOURS_PER_WEEK = Decimal("40")


class PointSchema(Schema):
    lat = StrictFloat(required=True, minimum=NL_BBOX[0], maximum=NL_BBOX[2])
    lon = StrictFloat(required=True, minimum=NL_BBOX[1], maximum=NL_BBOX[3])


def _unique_list(
    inner: fields.Field, *, max_items: int, min_items: int = 0, **kwargs: Any
) -> fields.List:
    return fields.List(
        inner,
        validate=[
            validate.Length(min=min_items, max=max_items),
            lambda v: len(set(v)) == len(v) or _raise(N_("Items must not repeat.")),
        ],
        **kwargs,
    )


def _raise(message: str) -> bool:
    raise ValidationError(message)


def _check_dates_and_levels(data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    start, end = data.get("start_date"), data.get("end_date")
    if start and end and end < start:
        errors["endDate"] = [N_("The end date must not be before the start date.")]
    kind = data.get("kind")
    if kind == "language_course" and "teaches_level" in data and not data.get("teaches_level"):
        errors["teachesLevel"] = [N_("A language course states the level it teaches.")]
    if kind is not None and kind != "language_course" and data.get("teaches_level"):
        errors["teachesLevel"] = [N_("Only a language course teaches a level.")]
    if data.get("replaces_no_paid_work") is False:
        errors["notReplacingPaidWork"] = [
            N_("Volunteer work may not replace paid work; confirm that it does not.")
        ]
    if errors:
        raise ValidationError(errors)


class TimeBlockSchema(Schema):
    """One weekly block of concrete time, local time in the Netherlands."""

    day = fields.String(
        required=True,
        validate=validate.OneOf(DAYS),
        metadata={"description": "Day of the week", "example": "tue"},
    )
    start = fields.String(
        required=True,
        validate=validate.Regexp(TIME_RE, error=N_("Use a time like 09:30.")),
        metadata={"description": "Start time, HH:MM (24 hours)", "example": "09:30"},
    )
    end = fields.String(
        required=True,
        validate=validate.Regexp(TIME_RE, error=N_("Use a time like 12:00.")),
        metadata={"description": "End time, HH:MM (24 hours), after the start", "example": "12:00"},
    )

    @validates_schema
    def _in_order(self, data: dict[str, Any], **_: Any) -> None:
        if TIME_RE.match(data.get("start", "")) and TIME_RE.match(data.get("end", "")):
            problem = block_problem(data)
            if problem:
                raise ValidationError({"end": [problem]})


class ContactInSchema(Schema):
    """Who to ask at the place: a name and at least one way to reach them."""

    name = Text(required=True, min_length=2, max_length=80)
    phone = Text(
        max_length=20,
        allow_none=True,
        validate=validate.Regexp(_PHONE, error=N_("Use a phone number like 020-1234567.")),
    )
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))

    @validates_schema
    def _reachable(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("phone") and not data.get("email"):
            raise ValidationError(N_("Give a phone number or an e-mail address."))
        phone = data.get("phone")
        if phone and not 9 <= sum(c.isdigit() for c in phone) <= 15:
            raise ValidationError({"phone": [N_("Use a phone number like 020-1234567.")]})


class ContactSchema(Schema):
    name = fields.String(required=True, metadata={"description": "Contact person's name"})
    phone = fields.String(
        required=True, allow_none=True, metadata={"description": "Phone number to call"}
    )
    email = fields.String(
        required=True, allow_none=True, metadata={"description": "E-mail address to write to"}
    )


def _https_url(value: str) -> bool:
    parts = urllib.parse.urlsplit(value)
    if (
        parts.scheme != "https"
        or not parts.hostname
        or "." not in parts.hostname
        or parts.username is not None
        or parts.password is not None
        or any(c.isspace() for c in value)
    ):
        raise ValidationError(N_("Use a web address that starts with https://."))
    return True


class OpportunityWriteSchema(Schema):
    """Fields shared by create and update."""

    kind = fields.String(validate=validate.OneOf(KINDS))
    title = Text(min_length=3, max_length=120)
    description = Text(min_length=10, max_length=4000)
    address = Text(
        min_length=3,
        max_length=200,
        metadata={
            "description": "Public address: street, number, postcode, place. Without `location`"
            " the server places it with its geocoder (400 naming address if it cannot)."
        },
    )
    location = fields.Nested(
        PointSchema, metadata={"description": "Optional: the point; else the address is geocoded"}
    )
    interests = _unique_list(Text(max_length=40), min_items=1, max_items=8)
    slots = _unique_list(
        fields.String(validate=validate.OneOf(SLOTS)),
        min_items=1,
        max_items=21,
        metadata={
            "description": "Day parts for matching; derived from schedule when that is given"
            " (if both are sent they must agree)"
        },
    )
    schedule = fields.List(
        fields.Nested(TimeBlockSchema),
        validate=validate.Length(max=MAX_BLOCKS),
        metadata={"description": "Concrete weekly times, e.g. Tuesday 09:30-12:00"},
    )
    hours_per_week = StrictDecimal(
        places=1,
        allow_none=True,
        minimum=Decimal("0.5"),
        maximum=MAX_HOURS_PER_WEEK,
        metadata={"description": "Hours a week; computed from schedule when not given"},
    )
    organisation = Text(
        min_length=2,
        max_length=120,
        allow_none=True,
        metadata={"description": "Who runs it, when that is not the team itself"},
    )
    contact = fields.Nested(ContactInSchema, allow_none=True)
    directions = Text(
        max_length=1000,
        allow_none=True,
        metadata={"description": "How to get there: entrance, bus stop, parking"},
    )
    image_url = Text(
        max_length=500,
        allow_none=True,
        validate=[validate.Length(max=500), _https_url],
        metadata={"description": "An https:// address of a picture of the place or activity"},
    )
    start_date = PlausibleDate(allow_none=True, future_days=FUTURE_DAYS)
    end_date = PlausibleDate(allow_none=True, future_days=FUTURE_DAYS)
    capacity = StrictInt(minimum=1, maximum=500)
    min_dutch_level = fields.String(validate=validate.OneOf(CEFR_LEVELS))
    teaches_level = fields.String(validate=validate.OneOf(CEFR_LEVELS), allow_none=True)
    accessibility = _unique_list(
        fields.String(validate=validate.OneOf(ACCESSIBILITY)), max_items=len(ACCESSIBILITY)
    )
    ladder_step = StrictInt(minimum=1, maximum=6)
    monthly_allowance_eur = StrictDecimal(
        places=2, allow_none=True, minimum=Decimal("0"), maximum=MAX_ALLOWANCE_EUR
    )
    not_replacing_paid_work = StrictBool(
        attribute="replaces_no_paid_work",
        metadata={"description": "The organiser states this does not replace paid work"},
    )

    @validates_schema
    def _rules(self, data: dict[str, Any], **_: Any) -> None:
        _check_dates_and_levels(data)
        blocks = data.get("schedule")
        if blocks:
            problem = overlap_problem(blocks)
            if problem:
                raise ValidationError({"schedule": [problem]})

    @post_load
    def _to_model_fields(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if "monthly_allowance_eur" in data:
            eur = data.pop("monthly_allowance_eur")
            data["monthly_allowance_cents"] = None if eur is None else int(eur * 100)
        if "contact" in data:
            contact = data.pop("contact") or {}
            data["contact_name"] = contact.get("name")
            data["contact_phone"] = contact.get("phone") or None
            data["contact_email"] = contact.get("email") or None
        return data


class OpportunityCreateSchema(OpportunityWriteSchema):
    class Meta(OpportunityWriteSchema.Meta):
        pass

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        super().on_bind_field(field_name, field_obj)
        optional = {
            "start_date",
            "end_date",
            "teaches_level",
            "accessibility",
            "monthly_allowance_eur",
            "min_dutch_level",
            "location",
            "slots",
            "schedule",
            "hours_per_week",
            "organisation",
            "contact",
            "directions",
            "image_url",
        }
        if field_name not in optional:
            field_obj.required = True

    @validates_schema
    def _course_level(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("kind") == "language_course" and not data.get("teaches_level"):
            raise ValidationError(
                {"teachesLevel": [N_("A language course states the level it teaches.")]}
            )

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _times(self, data: dict[str, Any], original: Any, **_: Any) -> None:
        sent = original if isinstance(original, dict) else {}
        if not sent.get("slots") and not sent.get("schedule"):
            raise ValidationError({"slots": [N_("Give the times (schedule) or the day parts.")]})


class OpportunityUpdateSchema(OpportunityWriteSchema):
    """Every field optional; the service checks the combination with stored values."""


class TeamRefSchema(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)


OPPORTUNITY_STATUSES: tuple[str, ...] = ("draft", "published", "paused", "closed")


class OpportunitySchema(Schema):
    id = fields.UUID(required=True)
    kind = choice(KINDS, required=True)
    status = choice(OPPORTUNITY_STATUSES, required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    team = fields.Nested(TeamRefSchema, required=True)
    address = fields.String(required=True)
    location = Computed("_location", returns=fields.Nested(PointSchema), required=True)
    interests = fields.List(fields.String(), required=True)
    slots = fields.List(choice(SLOTS), required=True)
    schedule = fields.List(
        fields.Nested(TimeBlockSchema),
        required=True,
        metadata={"description": "Concrete weekly times, Monday first; empty when not given"},
    )
    hours_per_week = fields.Float(
        required=True, allow_none=True, metadata={"description": "Hours a week, one decimal"}
    )
    organisation = fields.String(
        required=True,
        attribute="organisation_name",
        metadata={"description": "Who runs it: the organisation given, else the team's name"},
    )
    contact = fields.Nested(
        ContactSchema,
        required=True,
        allow_none=True,
        metadata={"description": "Who to ask at the place; null when not given"},
    )
    directions = fields.String(
        required=True, allow_none=True, metadata={"description": "How to get there"}
    )
    image_url = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "https:// address of a picture", "format": "uri"},
    )
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    capacity = fields.Integer(required=True)
    places_left = fields.Integer(
        required=True, metadata={"description": "Places not yet held by approved or active people"}
    )
    min_dutch_level = choice(CEFR_LEVELS, required=True)
    teaches_level = choice(CEFR_LEVELS, allow_none=True)
    accessibility = fields.List(choice(ACCESSIBILITY), required=True)
    ladder_step = fields.Integer(required=True)
    monthly_allowance_eur = Computed("_allowance", returns=fields.Float(), allow_none=True)
    not_replacing_paid_work = fields.Boolean(attribute="replaces_no_paid_work")
    distance_km = fields.Float(
        metadata={
            "description": "Distance in km, one decimal: when listing with near, in the feed,"
            " and on one opportunity read by a recipient who gave a postcode (from home)"
        }
    )
    published_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)

    def _location(self, obj: Any) -> dict[str, float]:
        return {"lat": round(obj.lat, 6), "lon": round(obj.lon, 6)}

    def _allowance(self, obj: Any) -> float | None:
        cents = obj.monthly_allowance_cents
        return None if cents is None else cents / 100


class OpportunityDetailSchema(OpportunitySchema):
    """One opportunity; for a recipient with a postcode also distance and reasons, as the feed."""

    reasons = fields.List(
        fields.Nested("ReasonSchema"),
        metadata={
            "description": "Only for a recipient who gave a postcode: why it may suit you,"
            " the same reasons as in the feed"
        },
    )


class OpportunityQuerySchema(PageQuerySchema):
    near = fields.String(
        validate=validate.Regexp(_NEAR, error=N_("Use lat,lon, e.g. 52.37,4.89.")),
        metadata={"description": "lat,lon; with radiusKm, only opportunities within reach"},
    )
    radius_km = QueryFloat(load_default=10.0, minimum=0.1, maximum=100)
    kind = fields.String(validate=validate.OneOf(KINDS))
    interest = Text(max_length=40)
    status = fields.String(
        validate=validate.OneOf(OPPORTUNITY_STATUSES),
        metadata={"description": "Organisers and admins may list other statuses"},
    )
    team = fields.String(
        validate=validate.OneOf(("mine",)),
        metadata={"description": "mine: only your own team's opportunities, in every status"},
    )

    @validates_schema
    def _near(self, data: dict[str, Any], **_: Any) -> None:
        raw = data.get("near")
        if raw is None:
            return
        try:
            lat_s, lon_s = raw.split(",")
            lat, lon = float(lat_s), float(lon_s)
        except ValueError as exc:
            raise ValidationError({"near": [N_("Use lat,lon, e.g. 52.37,4.89.")]}) from exc
        if not in_netherlands(lat, lon):
            raise ValidationError({"near": [N_("The point must lie in the Netherlands.")]})

    @post_load
    def _parse_near(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if data.get("near"):
            lat_s, lon_s = data["near"].split(",")
            data["near"] = (float(lat_s), float(lon_s))
        return data


OpportunityPageSchema = page_schema(OpportunitySchema, "OpportunityPage")
