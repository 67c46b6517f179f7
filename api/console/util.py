"""Small helpers the console's pages share: calling a service safely, query arguments."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import marshmallow as ma
from flask import request
from werkzeug.wrappers import Response

from api.console import web
from api.errors import InvalidInput
from api.schemas import PageQuerySchema
from matching.model import LADDER_MAX, LADDER_MIN

T = TypeVar("T")

# The participatieladder's steps, for choices and chart labels.
LADDER_STEPS: tuple[int, ...] = tuple(range(LADDER_MIN, LADDER_MAX + 1))


def attempt(fn: Callable[..., T], /, **kwargs: Any) -> T:
    """Call a service in a savepoint: if it refuses, none of its half-done changes remain.

    The page can then still commit what it did itself (e.g. the audit entry of a read).
    """
    session = web.db()
    with session.begin_nested():
        return fn(session, **kwargs)


def commit_and(response: Response) -> Response:
    """Keep this request's reads in the audit trail although the page answers 400."""
    web.db().commit()
    return response


def page_args(
    schema: ma.Schema | None,
    names: Iterable[str],
    *,
    limit: int | None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Query arguments checked by the API's own query schema; anything odd is a 400 page."""
    raw = {n: request.args.get(n) for n in names if request.args.get(n)}
    raw.update(extra or {})
    if limit is not None:
        raw["limit"] = str(limit)
    try:
        loaded: dict[str, Any] = (schema or PageQuerySchema()).load(raw)
        return loaded
    except ma.ValidationError as exc:
        name = next(iter(exc.messages), "query") if isinstance(exc.messages, dict) else "query"
        raise InvalidInput.field(str(name), "Invalid value in the address.") from None
