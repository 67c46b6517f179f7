"""The one strict JSON parse every request body, cursor and `request.get_json()` goes through.

Python's json module happily returns lone UTF-16 surrogates (which then break encoding deep in a
handler), recurses until RecursionError on deep nesting, raises on 4,300-digit integers and
accepts NaN/Infinity. Here each of those is an `UnsafeJSON` (a ValueError) that names where in the
document it is, so the API answers 400 naming the field instead of 500.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from flask import Request
from flask.json.provider import DefaultJSONProvider

from api.errors import InvalidInput, UnsupportedMediaType
from api.i18n import N_, Msg

MAX_DEPTH = 32  # our deepest body (profile.nudgePreferences.quietHours) is 3
MAX_NUMBER_CHARS = 32  # no field takes a number anywhere near this long
_SURROGATE = re.compile("[\ud800-\udfff]")


class UnsafeJSON(ValueError):
    """Well-formed JSON we refuse; `name` is the dotted path of the value (or 'body')."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


class _Refused:
    """Stands in for a number the parser refused, until the walk knows its path."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


_TOO_LONG = _Refused(N_("Too many digits."))
_NOT_FINITE = _Refused(N_("Must be a finite number (no NaN or Infinity)."))


def _parse_int(token: str) -> int | _Refused:
    return _TOO_LONG if len(token) > MAX_NUMBER_CHARS else int(token)


def _parse_float(token: str) -> float | _Refused:
    if len(token) > MAX_NUMBER_CHARS:
        return _TOO_LONG
    value = float(token)
    return value if math.isfinite(value) else _NOT_FINITE


def _parse_constant(_token: str) -> _Refused:
    return _NOT_FINITE


def strict_loads(data: str | bytes) -> Any:
    """Parse JSON text (UTF-8 when bytes); raise UnsafeJSON or another ValueError if refused."""
    text = data.decode("utf-8") if isinstance(data, bytes | bytearray) else data
    try:
        value = json.loads(
            text,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_parse_constant,
        )
    except RecursionError as exc:
        raise UnsafeJSON("body", _too_deep()) from exc
    _check(value)
    return value


def _join(path: str, part: str | int) -> str:
    return f"{path}.{part}" if path else str(part)


def _check(root: Any) -> None:
    """Walk the parsed document once (without recursion) for what the parser let through."""
    stack: list[tuple[Any, str, int]] = [(root, "", 0)]
    while stack:
        node, path, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth >= MAX_DEPTH:  # named by its top-level field; the full path is 32 long
                top = path.split(".", 1)[0] or "body"
                raise UnsafeJSON(top, _too_deep())
            if isinstance(node, dict):
                for key, value in node.items():
                    if _SURROGATE.search(key):
                        raise UnsafeJSON(path or "body", _SURROGATE_IN_KEY)
                    stack.append((value, _join(path, key), depth + 1))
            else:
                stack.extend((value, _join(path, i), depth + 1) for i, value in enumerate(node))
        elif isinstance(node, str):
            if _SURROGATE.search(node):
                raise UnsafeJSON(path or "body", _SURROGATE_IN_TEXT)
        elif isinstance(node, _Refused):
            raise UnsafeJSON(path or "body", node.reason)


def _too_deep() -> Msg:
    return Msg("Nested too deep (at most {levels} levels).", levels=MAX_DEPTH)


_SURROGATE_IN_KEY = N_(
    "Contains a lone UTF-16 surrogate (U+D800 to U+DFFF), which is not text. "
    "A key must be valid Unicode."
)
_SURROGATE_IN_TEXT = N_(
    "Contains a lone UTF-16 surrogate (U+D800 to U+DFFF), which is not text. "
    "The text must be valid Unicode."
)


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider with the strict parse, so `request.get_json()` is strict too."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return strict_loads(s)


def is_json_media_type(mimetype: str) -> bool:
    """application/json or any application/*+json (e.g. merge-patch+json)."""
    return mimetype == "application/json" or (
        mimetype.startswith("application/") and mimetype.endswith("+json")
    )


def load_json_body(req: Request) -> Any:
    """The JSON body of a request that requires one: 400 when empty or refused, 415 when not JSON.

    Runs inside the argument parser, i.e. after the token and role checks, so an anonymous caller
    still gets 401 and a wrong role 403 first, and before any object is looked up (no 404 leak).
    """
    data = req.get_data(cache=True)
    if not data.strip():
        raise InvalidInput(
            "The request needs a JSON body.",
            invalid_params=[{"name": "body", "reason": N_("A JSON body is required.")}],
        )
    if not is_json_media_type(req.mimetype):
        sent = req.mimetype or "no Content-Type"
        raise UnsupportedMediaType(
            "Send the body as JSON with Content-Type: application/json. This request sent {sent}.",
            method=req.method,
            sent=sent,
        )
    charset = req.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(
            "Send the body as JSON with Content-Type: application/json. JSON is always UTF-8.",
            method=req.method,
        )
    try:
        return strict_loads(data)
    except UnsafeJSON as exc:
        raise InvalidInput(
            "Invalid value for {name}.",
            invalid_params=[{"name": exc.name, "reason": exc.reason}],
            name=exc.name,
        ) from exc
    except ValueError as exc:  # also UnicodeDecodeError
        raise InvalidInput(
            "The body is not valid JSON.",
            invalid_params=[{"name": "body", "reason": N_("Not valid JSON.")}],
        ) from exc
