"""Keyset paging for every list: one page type, opaque cursors and one query helper.

A cursor is the last row's sort key as base64url-encoded JSON. Sort keys are never personal
data (no names): cursors end up in URLs and so in access logs.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression

from api.errors import InvalidInput
from api.jsonbody import strict_loads


@dataclass(frozen=True)
class Page:
    """One page of a keyset-paginated list."""

    items: list[Any]
    next_cursor: str | None


def encode_cursor(values: list[Any]) -> str:
    """Cursor for the next page after a row with these sort values."""
    raw = json.dumps(values, separators=(",", ":"), default=str, ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def as_uuid(value: Any) -> uuid.UUID:
    """A cursor part that must be a UUID."""
    return uuid.UUID(str(value))


def as_datetime(value: Any) -> datetime:
    """A cursor part that must be an ISO 8601 time with a zone."""
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError("naive time")
    return moment


def as_date(value: Any) -> date:
    """A cursor part that must be an ISO date."""
    return date.fromisoformat(str(value))


def as_int(value: Any) -> int:
    """A cursor part that must be a whole number (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("not an int")
    return value


def as_float(value: Any) -> float:
    """A cursor part that must be a finite number."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise ValueError("not a number")
    return float(value)


def as_text(value: Any) -> str:
    """A cursor part that must be a string."""
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value


def decode_cursor(cursor: str | None, *parsers: Callable[[Any], Any]) -> tuple[Any, ...] | None:
    """The typed sort values in a cursor; anything that is not ours is a 400 on `cursor`."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = strict_loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != len(parsers):
            raise ValueError("wrong shape")
        return tuple(parse(v) for parse, v in zip(parsers, values, strict=True))
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError) as exc:
        raise InvalidInput.field("cursor", "Not a cursor from this API.") from exc


# Parser per Python type of a sort column; datetime before date (a datetime is a date).
_PARSERS: tuple[tuple[type, Callable[[Any], Any]], ...] = (
    (uuid.UUID, as_uuid),
    (datetime, as_datetime),
    (date, as_date),
    (int, as_int),
    (float, as_float),
    (str, as_text),
)


def _parser_for(column: ColumnElement[Any]) -> Callable[[Any], Any]:
    """How to read this column's value back from a cursor, by its SQL type."""
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        python_type = None
    for kind, parse in _PARSERS:
        if python_type is not None and issubclass(python_type, kind):
            return parse
    raise TypeError(f"no cursor parser for {column!r}; pass parsers=")


def _json_value(value: Any) -> Any:
    """A sort value as it is written into a cursor."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _first(row: Any) -> Any:
    return row[0]


def keyset_page(
    session: Session,
    stmt: Select[Any],
    *,
    order: Sequence[UnaryExpression[Any]],
    limit: int,
    cursor: str | None,
    parsers: Sequence[Callable[[Any], Any]] | None = None,
    item: Callable[[Any], Any] = _first,
) -> Page:
    """One page of `stmt` in `order` (all ascending or all descending, ending in a unique key).

    The sort keys are selected after the statement's own columns; `item(row)` makes an item of
    a row (default: the first column, e.g. the entity) and may read the keys at the end, so an
    expensive key such as a distance is computed once.
    """
    directions = {o.modifier for o in order}
    if not order or len(directions) != 1 or directions - {operators.asc_op, operators.desc_op}:
        raise ValueError("order must be all .asc() or all .desc() column expressions")
    keys = [o.element for o in order]
    after = decode_cursor(cursor, *(parsers or [_parser_for(k) for k in keys]))
    if after is not None:
        if directions == {operators.desc_op}:
            stmt = stmt.where(tuple_(*keys) < tuple_(*after))
        else:
            stmt = stmt.where(tuple_(*keys) > tuple_(*after))
    stmt = stmt.add_columns(*keys).order_by(*order).limit(limit + 1)
    rows = session.execute(stmt).all()
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        next_cursor = encode_cursor([_json_value(v) for v in page[-1][-len(keys) :]])
    return Page([item(row) for row in page], next_cursor)
