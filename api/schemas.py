"""Schema base: camelCase on the wire, unknown fields refused, strict field types, list envelope.

Request schemas use the field classes here instead of marshmallow's lax ones: a JSON number
field takes a JSON number only (no "5", no true, never 2.5 silently made 2), every number has a
range, dates are plausible, and query strings take plain ASCII digits only.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import marshmallow as ma
from marshmallow import RAISE, ValidationError, fields, validate

from api.i18n import N_, Msg, languages, request_texts

EARLIEST_DATE = date(2000, 1, 1)  # nothing in Meedoen happened before this
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_QUERY_INT = re.compile(r"-?[0-9]{1,9}")
_QUERY_NUMBER = re.compile(r"-?[0-9]{1,6}(\.[0-9]{1,6})?")


def camelcase(name: str) -> str:
    """snake_case -> camelCase."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


class Schema(ma.Schema):
    """Fields are snake_case in Python and camelCase in JSON."""

    class Meta:
        unknown = RAISE

    def on_bind_field(self, field_name: str, field_obj: ma.fields.Field) -> None:
        field_obj.data_key = camelcase(field_obj.data_key or field_name)


class Text(fields.String):
    """A string that is trimmed and bounded."""

    def __init__(self, *, max_length: int, min_length: int = 0, **kwargs: Any) -> None:
        kwargs.setdefault("validate", validate.Length(min=min_length, max=max_length))
        super().__init__(**kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Any:
        result = super()._deserialize(value, attr, data, **kwargs)
        if isinstance(result, str) and "\x00" in result:
            raise ValidationError(N_("Must not contain NUL characters."))
        return result.strip() if isinstance(result, str) else result


def _validators(
    minimum: float | decimal.Decimal, maximum: float | decimal.Decimal, extra: Any
) -> list[Callable[[Any], Any]]:
    """The field's range first, then any validators the caller adds."""
    if extra is None:
        more: list[Callable[[Any], Any]] = []
    elif callable(extra):
        more = [extra]
    else:
        more = list(extra)
    return [validate.Range(min=minimum, max=maximum), *more]


def _is_number(value: Any) -> bool:
    """A JSON number: int or float, but not a bool (which Python counts as an int)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


class StrictInt(fields.Integer):
    """A whole JSON number in a range; refuses "5", true, 2.5 and 2.0 instead of converting."""

    def __init__(self, *, minimum: int, maximum: int, **kwargs: Any) -> None:
        validators = _validators(minimum, maximum, kwargs.pop("validate", None))
        super().__init__(strict=True, validate=validators, **kwargs)

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid", input=value)
        return value


class StrictFloat(fields.Float):
    """A finite JSON number (whole or not) in a range; refuses strings and booleans."""

    def __init__(self, *, minimum: float, maximum: float, **kwargs: Any) -> None:
        validators = _validators(minimum, maximum, kwargs.pop("validate", None))
        super().__init__(validate=validators, **kwargs)

    def _validated(self, value: Any) -> float:
        if not _is_number(value):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


class StrictDecimal(fields.Decimal):
    """A JSON number with at most `places` decimals, in a range; never rounded silently."""

    def __init__(
        self, *, places: int, minimum: decimal.Decimal, maximum: decimal.Decimal, **kwargs: Any
    ) -> None:
        validators = _validators(minimum, maximum, kwargs.pop("validate", None))
        super().__init__(places=places, as_string=False, validate=validators, **kwargs)
        self.decimals = places

    def _validated(self, value: Any) -> decimal.Decimal:
        if not _is_number(value):
            raise self.make_error("invalid", input=value)
        exact = decimal.Decimal(str(value))  # str(float) is the shortest exact repr
        exponent = exact.as_tuple().exponent  # a letter for NaN and infinity, else an int
        if isinstance(exponent, int) and -exponent > self.decimals:
            raise ValidationError(Msg("At most {count} decimals.", count=self.decimals))
        return super()._validated(value)


class StrictBool(fields.Boolean):
    """JSON true or false only; not "yes", "true", 1 or 0."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if value is True or value is False:
            return value
        raise self.make_error("invalid", input=value)


def _date_bounds(earliest: date, future_days: int) -> tuple[date, date]:
    """Earliest and latest plausible date; a day of grace for clients ahead of UTC."""
    return earliest, datetime.now(UTC).date() + timedelta(days=future_days)


class PlausibleDate(fields.Date):
    """A YYYY-MM-DD date from `earliest` (2000-01-01) to `future_days` after today (UTC)."""

    def __init__(self, *, future_days: int, earliest: date = EARLIEST_DATE, **kwargs: Any) -> None:
        metadata = dict(kwargs.pop("metadata", None) or {})
        metadata.setdefault(
            "description",
            f"From {earliest.isoformat()} until {future_days} day(s) after today",
        )
        super().__init__(metadata=metadata, **kwargs)
        self.earliest, self.future_days = earliest, future_days

    def _deserialize(  # type: ignore[override]  # a Date field returns a date, not a datetime
        self, value: Any, attr: Any, data: Any, **kwargs: Any
    ) -> date:
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE)
        result: date = super()._deserialize(value, attr, data, **kwargs)
        earliest, latest = _date_bounds(self.earliest, self.future_days)
        if result < earliest:
            raise ValidationError(Msg("Must be on or after {date}.", date=earliest.isoformat()))
        if result > latest:
            raise ValidationError(Msg("Must not be after {date}.", date=latest.isoformat()))
        return result


class QueryDateTime(fields.AwareDateTime):
    """An ISO 8601 time with offset in a query, from 2000-01-01 to `future_days` after today."""

    def __init__(self, *, future_days: int = 366, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.future_days = future_days

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        if not isinstance(value, str) or not value.isascii():
            raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE)
        result: datetime = super()._deserialize(value, attr, data, **kwargs)
        earliest, latest = _date_bounds(EARLIEST_DATE, self.future_days)
        if result < datetime.combine(earliest, datetime.min.time(), UTC):
            raise ValidationError(Msg("Must be on or after {date}.", date=earliest.isoformat()))
        if result > datetime.combine(latest, datetime.max.time(), UTC):
            raise ValidationError(Msg("Must not be after {date}.", date=latest.isoformat()))
        return result


class QueryInt(fields.Integer):
    """A whole number in a query string: plain ASCII digits (no "+5", "5.0", " 5"), in a range."""

    def __init__(self, *, minimum: int, maximum: int, **kwargs: Any) -> None:
        validators = _validators(minimum, maximum, kwargs.pop("validate", None))
        super().__init__(strict=True, validate=validators, **kwargs)

    def _validated(self, value: Any) -> int:
        if isinstance(value, str) and _QUERY_INT.fullmatch(value):
            return int(value)
        raise self.make_error("invalid", input=value)


class QueryFloat(fields.Float):
    """A number in a query string: ASCII digits with an optional decimal point, in a range."""

    def __init__(self, *, minimum: float, maximum: float, **kwargs: Any) -> None:
        validators = _validators(minimum, maximum, kwargs.pop("validate", None))
        super().__init__(validate=validators, **kwargs)

    def _validated(self, value: Any) -> float:
        if isinstance(value, str) and _QUERY_NUMBER.fullmatch(value):
            return float(value)
        raise self.make_error("invalid", input=value)


class QueryBool(fields.Boolean):
    """`true` or `false` in a query string."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if value in ("true", "false"):
            return bool(value == "true")
        raise self.make_error("invalid", input=value)


class Computed(fields.Method):
    """A value a schema method computes, documented as the `returns` field describes it.

    A plain `fields.Method` has no type in the OpenAPI document (generated clients see `Any`);
    `returns` gives it one, e.g. `Computed("_location", returns=fields.Nested(PointSchema))`.
    """

    def __init__(self, serialize: str, *, returns: fields.Field, **kwargs: Any) -> None:
        super().__init__(serialize, **kwargs)
        returns.allow_none = self.allow_none
        self.returns = returns


def choice(values: Iterable[str], **kwargs: Any) -> fields.String:
    """An output string from a fixed vocabulary: documented as an enum (dumping never checks)."""
    metadata = dict(kwargs.pop("metadata", None) or {})
    metadata["enum"] = list(values)
    return fields.String(metadata=metadata, **kwargs)


def offered_language(value: str) -> bool:
    """A language that has a catalogue (api/locale): adding a .po file adds a choice."""
    offered = languages()
    if value not in offered:
        raise ValidationError(
            Msg("Choose one of these languages: {choices}.", choices=", ".join(offered))
        )
    return True


HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class QuietHoursSchema(Schema):
    """Local times between which no push is sent (may wrap midnight): one shape everywhere."""

    start = fields.String(required=True, validate=validate.Regexp(HHMM, error=N_("Use HH:MM.")))
    end = fields.String(required=True, validate=validate.Regexp(HHMM, error=N_("Use HH:MM.")))


class PageQuerySchema(Schema):
    """Cursor pagination for every list."""

    limit = QueryInt(minimum=1, maximum=100, load_default=20)
    cursor = Text(max_length=1000, load_default=None)


def page_schema(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    """The `{items, nextCursor}` envelope around an item schema."""
    return type(
        name,
        (Schema,),
        {
            "items": fields.List(fields.Nested(item), required=True),
            "next_cursor": fields.String(allow_none=True, required=True),
        },
    )


class CatalogueText(fields.String):
    """A stored catalogue text (e.g. an access-log purpose), shown in the request's language.

    Texts the catalogue does not know (older rows, free text) are shown as they are.
    """

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        texts = request_texts()
        if isinstance(value, Msg):  # a text made with values (api.i18n.Msg)
            return texts.gettext(value.msgid, **value.params)
        return texts.gettext(value) if texts.knows(value) else str(value)
