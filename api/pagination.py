"""Opaque keyset cursors: the last row's sort key, base64url-encoded JSON."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from api.errors import InvalidInput
from api.jsonbody import strict_loads


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
