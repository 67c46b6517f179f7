"""Opaque keyset cursors: the last row's sort key, base64url-encoded JSON."""

from __future__ import annotations

import base64
import json
from typing import Any

from api.errors import InvalidInput


def encode_cursor(values: list[Any]) -> str:
    """Cursor for the next page after a row with these sort values."""
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, length: int) -> list[Any] | None:
    """The sort values in a cursor; a cursor that is not ours is a 400 on `cursor`."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, json.JSONDecodeError) as exc:
        raise InvalidInput.field("cursor", "Not a cursor from this API.") from exc
    if not isinstance(values, list) or len(values) != length:
        raise InvalidInput.field("cursor", "Not a cursor from this API.")
    return values
