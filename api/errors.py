"""Problem details (RFC 9457) for every error, as the NL API Design Rules ask."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, json, request
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from api.errortexts import WERKZEUG_DETAILS, problem_title, translate_reason
from api.i18n import N_, request_texts

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://meedoen.nl/problems/"

# Every machine-readable `code` a problem can carry, with what an app should do about it. The
# OpenAPI document lists these as the enum of Problem.code; a new kind of error adds a line here.
PROBLEM_CODES: dict[str, str] = {
    "invalid_input": "A field is missing or wrong; invalidParams names each one. Fix and resend.",
    "invalid_credentials": "E-mail address or password is not right. Let the person try again.",
    "token_missing": "No access token was sent. Sign in.",
    "token_expired": "The access token has expired. Refresh it with the refresh token.",
    "token_revoked": "The sign-in has ended (signed out, reused or revoked). Sign in again.",
    "token_invalid": "The token is not one of ours or is damaged. Sign in again.",
    "fresh_token_required": "This needs a fresh sign-in. Ask for the password again.",
    "account_inactive": "The account is not active. The person should contact their coach.",
    "forbidden": "Your role may not do this.",
    "not_found": "It does not exist, or it is not yours to see.",
    "invitation_invalid": "The invitation code is unknown, already used or expired.",
    "method_not_allowed": "This path does not take this method; see the Allow header.",
    "wrong_state": "Not possible in the current state (of the match or opportunity).",
    "full": "The opportunity has no places left.",
    "already_exists": "This already exists (an open match for the same person and opportunity).",
    "email_taken": "This e-mail address is already in use.",
    "idempotency_conflict": "This Idempotency-Key was used for a different request.",
    "request_timeout": "The request took too long to arrive. Try again.",
    "too_large": "The request body is too large.",
    "uri_too_long": "The path and query are too long.",
    "headers_too_large": "The request headers are too large.",
    "unsupported_media_type": "The body is not JSON; send Content-Type: application/json.",
    "daily_limit": "The daily number of requests is reached; wait as Retry-After says.",
    "rate_limited": "Too many requests; wait as Retry-After says.",
    "internal_error": "Something went wrong on our side. Try again later.",
    "not_implemented": "The request uses something this server does not support.",
    "http_version": "Use HTTP/1.1.",
    "unavailable": "Temporarily unavailable; try again as Retry-After says.",
}

# The code of a problem whose raiser named none, by HTTP status.
_CODE_BY_STATUS: dict[int, str] = {
    400: "invalid_input",
    401: "token_invalid",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    409: "wrong_state",
    413: "too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    429: "rate_limited",
    431: "headers_too_large",
    500: "internal_error",
    501: "not_implemented",
    503: "unavailable",
    505: "http_version",
}


def code_for_status(status: int) -> str:
    """The default code of a status (a 4xx without its own code is invalid input)."""
    if status in _CODE_BY_STATUS:
        return _CODE_BY_STATUS[status]
    return "internal_error" if status >= 500 else "invalid_input"


class DomainError(Exception):
    """An expected failure that a service raises and the API turns into a problem.

    `detail` is an English text from the catalogue (api/locale), with `{name}` placeholders
    filled from `params`; the problem shows it in the request's language. `self.detail` is the
    filled English text (logs, the console).
    """

    status = 400
    slug = "bad-request"
    code = "invalid_input"  # machine-readable, from PROBLEM_CODES; subclasses and raisers set it

    def __init__(
        self,
        detail: str,
        *,
        invalid_params: list[dict[str, str]] | None = None,
        code: str | None = None,
        extra: Mapping[str, str] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(detail)
        if code is not None:
            self.code = code
        self.message = detail
        self.params = params
        self.detail = detail.format(**params) if params else detail
        self.invalid_params = invalid_params
        # For invalid_params[i]: the catalogue text and its values, when they had any.
        self.reason_params: dict[int, tuple[str, dict[str, Any]]] = {}
        # More members of the problem (RFC 9457 extensions), e.g. the id of what is in the way.
        self.extra = dict(extra or {})


class InvalidInput(DomainError):
    """Input is well-formed but breaks a rule; names each field."""

    status = 400
    slug = "invalid-input"

    @classmethod
    def field(cls, name: str, reason: str, **params: Any) -> InvalidInput:
        """One invalid field; `reason` is a catalogue text, filled from `params`."""
        filled = reason.format(**params) if params else reason
        err = cls(
            "Invalid value for {name}.",
            invalid_params=[{"name": name, "reason": filled}],
            name=name,
        )
        if params:
            err.reason_params[0] = (reason, params)
        return err


class Unauthorized(DomainError):
    status = 401
    slug = "unauthorized"
    code = "token_invalid"


class Forbidden(DomainError):
    status = 403
    slug = "forbidden"
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    slug = "not-found"
    code = "not_found"

    def __init__(
        self,
        detail: str = N_("The resource does not exist or is not yours."),
        *,
        code: str | None = None,
    ) -> None:
        super().__init__(detail, code=code)


class Conflict(DomainError):
    status = 409
    slug = "conflict"
    code = "wrong_state"


class UnsupportedMediaType(DomainError):
    """A body that is not JSON where the operation takes JSON; says what is accepted."""

    status = 415
    slug = "unsupported-media-type"
    code = "unsupported_media_type"

    def __init__(self, detail: str, *, method: str = "POST", **params: Any) -> None:
        super().__init__(detail, **params)
        header = {"POST": "Accept-Post", "PATCH": "Accept-Patch"}.get(method)  # RFC 9110 / 5789
        self.headers = {header: "application/json"} if header else {}


class TooManyRequests(DomainError):
    """A per-person cap (e.g. interest requests per day) was reached."""

    status = 429
    slug = "too-many-requests"
    code = "daily_limit"

    def __init__(self, detail: str, *, retry_after: int, **params: Any) -> None:
        super().__init__(detail, **params)
        self.headers = {"Retry-After": str(max(1, retry_after))}


class ServiceUnavailable(DomainError):
    status = 503
    slug = "service-unavailable"
    code = "unavailable"


def problem(
    status: int,
    detail: str | None = None,
    *,
    slug: str | None = None,
    code: str | None = None,
    invalid_params: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, Any] | None = None,
    reason_params: Mapping[int, tuple[str, Mapping[str, Any]]] | None = None,
    extra: Mapping[str, str] | None = None,
) -> Response:
    """Build one problem+json response, its title and texts in the request's language.

    `detail` and each invalid parameter's `reason` are catalogue texts (English msgids);
    `params` fills the detail's placeholders, `reason_params` those of a reason. `code` (from
    PROBLEM_CODES) tells apps what happened; it defaults by status.
    """
    code = code or code_for_status(status)
    if code not in PROBLEM_CODES:
        raise ValueError(f"unknown problem code {code!r}: add it to PROBLEM_CODES")
    texts = request_texts()
    phrase = HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": TYPE_BASE + (slug or phrase.lower().replace(" ", "-").replace("'", "")),
        "title": problem_title(texts, status, slug),
        "status": status,
        "detail": texts.gettext(detail, **(params or {}))
        if detail
        else problem_title(texts, status),
        "instance": request.path if request else "",
        "code": code,
    }
    if status == 400 and not invalid_params:  # a 400 always names what to fix
        invalid_params = [{"name": "body", "reason": detail or "Invalid input."}]
    if invalid_params:
        body["invalidParams"] = [
            {**p, "reason": translate_reason(texts, p["reason"], (reason_params or {}).get(i))}
            for i, p in enumerate(invalid_params)
        ]
    for key, value in (extra or {}).items():
        body.setdefault(key, value)
    resp = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def flatten_messages(messages: Any, prefix: str = "") -> Iterable[dict[str, str]]:
    """Turn marshmallow's nested error dict into invalidParams entries with dotted names."""
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            if key == "_schema":
                name = prefix or "body"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, Mapping | list) and not _is_message_list(value):
                yield from flatten_messages(value, name)
            else:
                yield {"name": name, "reason": _join(value)}
    elif isinstance(messages, list):
        yield {"name": prefix or "body", "reason": _join(messages)}
    else:
        yield {"name": prefix or "body", "reason": str(messages)}


def _is_message_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


class Joined(str):
    """A field's messages joined by spaces, keeping each one (a `Msg` keeps its values)."""

    parts: tuple[str, ...]

    def __new__(cls, parts: list[str]) -> Joined:
        """One text of several messages."""
        text = super().__new__(cls, " ".join(str(p) for p in parts))
        text.parts = tuple(parts)
        return text


def _join(value: Any) -> str:
    if isinstance(value, list):
        if len(value) == 1 and isinstance(value[0], str):
            return value[0]  # a Msg stays a Msg
        return Joined([v if isinstance(v, str) else str(v) for v in value])
    return value if isinstance(value, str) else str(value)


def _validation_params(error: HTTPException) -> list[dict[str, str]] | None:
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if not messages:
        return None
    params: list[dict[str, str]] = []
    for _location, fields in messages.items():  # webargs groups by location (json, query, ...)
        params.extend(flatten_messages(fields))
    return params


def register_error_handlers(app: Flask) -> None:
    """Every error leaves as problem+json; a 500 never shows internals."""

    @app.errorhandler(DomainError)
    def _domain(err: DomainError) -> Response:
        return problem(
            err.status,
            err.message,
            slug=err.slug,
            code=err.code,
            invalid_params=err.invalid_params,
            headers=getattr(err, "headers", None),
            params=err.params,
            reason_params=err.reason_params,
            extra=err.extra,
        )

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException) -> Response:
        status = err.code or 500
        params = _validation_params(err)
        if status == 422 or params is not None:
            return problem(
                400,
                "The request has invalid fields; see invalidParams.",
                slug="invalid-input",
                invalid_params=params or [{"name": "body", "reason": N_("Invalid input.")}],
            )
        headers = {}
        if isinstance(err, MethodNotAllowed) and err.valid_methods:
            headers["Allow"] = ", ".join(err.valid_methods)
        if status == 429:
            retry = getattr(err, "retry_after", None) or "60"
            headers["Retry-After"] = str(retry)
        detail = err.description if status < 500 else None
        # werkzeug's own English, or the limiter's ("5 per 1 minute"): our catalogue's instead
        if detail == type(err).description or status == 429:
            detail = WERKZEUG_DETAILS.get(status)
        if status == 400 and detail and "decode JSON" in detail:
            return problem(
                400,
                "The body is not valid JSON.",
                slug="invalid-input",
                invalid_params=[{"name": "body", "reason": N_("Not valid JSON.")}],
            )
        return problem(status, detail, headers=headers)

    @app.errorhandler(DataError)
    def _bad_data(_err: Exception) -> Response:
        # A value the database cannot store (e.g. NUL in text) that slipped past a schema.
        return problem(
            400,
            "A value in the request cannot be stored.",
            slug="invalid-input",
            invalid_params=[
                {"name": "body", "reason": N_("Contains a value that cannot be stored.")}
            ],
        )

    @app.errorhandler(PoolTimeout)
    def _pool(_err: Exception) -> Response:
        log.warning("database pool exhausted")
        return problem(
            503, "The service is busy. Please try again shortly.", headers={"Retry-After": "2"}
        )

    @app.errorhandler(OperationalError)
    def _db_down(_err: Exception) -> Response:
        log.warning("database unavailable", exc_info=True)
        return problem(
            503,
            "The service is temporarily unavailable. Please try again shortly.",
            headers={"Retry-After": "5"},
        )

    @app.errorhandler(Exception)
    def _unexpected(err: Exception) -> Response:
        log.exception("unhandled error", exc_info=err)
        return problem(500, N_("Something went wrong on our side. Please try again later."))
