"""Forms validated by the API's own schemas, so a rule is the same in the app, the API and here.

Form fields carry the API's (camelCase) field names; errors come back per field, in words, in
the person's language (i18n.reason).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import marshmallow as ma
from werkzeug.datastructures import MultiDict

from api.console.i18n import explain, reason
from api.errors import DomainError, flatten_messages
from api.schemas import StrictDecimal, StrictFloat, StrictInt

Errors = dict[str, str]
# What a form's text must look like to count as a number (ASCII digits, a point for decimals).
_WHOLE = re.compile(r"-?[0-9]{1,9}")
_NUMBER = re.compile(r"-?[0-9]{1,9}(\.[0-9]{1,9})?")


class FormInvalid(Exception):
    """The form has errors; the page is shown again with them next to the fields."""

    def __init__(self, errors: Errors) -> None:
        super().__init__("form invalid")
        self.errors = errors


def collect(
    form: MultiDict[str, str],
    *,
    fields: Iterable[str],
    lists: Iterable[str] = (),
    nullable: Iterable[str] = (),
    checkboxes: Iterable[str] = (),
    nested: Mapping[str, Iterable[str]] | None = None,
) -> dict[str, Any]:
    """The posted values in the API's JSON shape.

    An empty field is left out (so a required one is reported as missing), or None for fields
    that may be empty; a checkbox is true or false; a list comes from repeated fields.
    """
    data: dict[str, Any] = {}
    nullable = set(nullable)
    for name in fields:
        value = (form.get(name) or "").strip()
        if value:
            data[name] = value
        elif name in nullable:
            data[name] = None
    for name in lists:
        data[name] = [v for v in form.getlist(name) if v]
    for name in checkboxes:
        data[name] = form.get(name) in ("on", "true", "1", "yes")
    for group, names in (nested or {}).items():
        inner = {n: (form.get(f"{group}.{n}") or "").strip() for n in names}
        data[group] = {k: v for k, v in inner.items() if v}
    return data


def load(schema: ma.Schema, data: dict[str, Any]) -> dict[str, Any]:
    """Validate with the API's schema; FormInvalid carries every field's error in words."""
    try:
        loaded: dict[str, Any] = schema.load(as_json(schema, data))
        return loaded
    except ma.ValidationError as exc:
        lists = {k for k, v in data.items() if isinstance(v, list)}
        raise FormInvalid(errors_from_messages(exc.messages, lists=lists)) from None


def as_json(schema: ma.Schema, data: dict[str, Any]) -> dict[str, Any]:
    """Form text as the JSON numbers the API's strict number fields take ("4" -> 4).

    Text that is no plain number stays text, so the schema reports the field as it would in the
    API ("Not a valid integer.").
    """
    out = dict(data)
    for name, field in schema.fields.items():
        key = field.data_key or name
        value = out.get(key)
        if isinstance(field, ma.fields.Nested) and isinstance(value, dict):
            inner = field.schema
            if isinstance(inner, ma.Schema):
                out[key] = as_json(inner, value)
        elif isinstance(value, str):
            if isinstance(field, StrictInt) and _WHOLE.fullmatch(value):
                out[key] = int(value)
            elif isinstance(field, StrictFloat | StrictDecimal) and _NUMBER.fullmatch(value):
                out[key] = float(value)
    return out


def errors_from_messages(messages: Any, *, lists: Iterable[str] = ()) -> Errors:
    """marshmallow's nested messages -> {"field" or "group.field": text}."""
    out: Errors = {}
    lists = set(lists)
    for item in flatten_messages(messages):
        name = item["name"]
        # list items come back as "slots.3": the error belongs to the whole group of boxes
        head, _, tail = name.rpartition(".")
        if tail.isdigit():
            name = head
        out.setdefault(name, reason(item["reason"], is_list=name in lists))
    return out


def errors_from_domain(err: DomainError, *, fallback: str = "body") -> Errors:
    """A service's InvalidInput (400 naming the field) as form errors."""
    if err.invalid_params:
        return {
            p["name"]: reason(p["reason"], template=err.reason_params.get(i))
            for i, p in enumerate(err.invalid_params)
        }
    return {fallback: explain(err)}
