"""Schema base: camelCase on the wire, unknown fields refused, shared list envelope."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import RAISE, ValidationError, fields, validate


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

    def __init__(self, *, max_length: int, min_length: int = 0, **kwargs: object) -> None:
        kwargs.setdefault("validate", validate.Length(min=min_length, max=max_length))
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def _deserialize(self, value, attr, data, **kwargs):  # type: ignore[no-untyped-def]
        result = super()._deserialize(value, attr, data, **kwargs)
        if isinstance(result, str) and "\x00" in result:
            raise ValidationError("Must not contain NUL characters.")
        return result.strip() if isinstance(result, str) else result


class PageQuerySchema(Schema):
    """Cursor pagination for every list."""

    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
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
