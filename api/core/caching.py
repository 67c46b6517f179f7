"""Public, cacheable answers: ETag + Cache-Control: public, and 304 on a matching If-None-Match.

Only for data that is the same for everyone (the taxonomy, the API description); everything
personal keeps the app-wide `Cache-Control: no-store`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import make_response, request

from api.extensions import Blueprint

F = TypeVar("F", bound=Callable[..., Any])


def public_cache(max_age: int) -> Callable[[F], F]:
    """Mark a GET's 200 as public for `max_age` seconds, with a strong ETag of its body.

    Put it between `@blp.route` and `@blp.response`, so it sees the finished response.
    """

    def decorate(fn: F) -> F:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            resp = make_response(fn(*args, **kwargs))
            if resp.status_code != 200:
                return resp
            resp.set_etag(hashlib.sha256(resp.get_data()).hexdigest()[:32])
            resp.headers["Cache-Control"] = f"public, max-age={max_age}"
            resp.vary.add("Accept-Language")  # labels and texts may follow the language
            return resp.make_conditional(request)

        documented = Blueprint.doc(
            parameters=[
                {
                    "in": "header",
                    "name": "If-None-Match",
                    "required": False,
                    "schema": {"type": "string", "maxLength": 200},
                    "description": "The ETag you have; 304 when it is still current",
                }
            ],
            **{"x-public-cache": max_age},  # build_openapi documents the headers and the 304
        )(wrapper)
        return cast(F, documented)

    return decorate
