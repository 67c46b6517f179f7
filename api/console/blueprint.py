"""The /console blueprint: sign-in state per request, page rendering, headers and error pages."""

from __future__ import annotations

import logging
import secrets
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, g, render_template, request, url_for
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from api.console import web
from api.console.i18n import LANGUAGES, current_language, t
from api.core.time import AMSTERDAM
from api.db import get_session
from api.errors import DomainError

log = logging.getLogger(__name__)
_STATIC = Path(__file__).resolve().parent / "static"


class ConsoleBlueprint(Blueprint):
    """Vendored files are versioned in their URL, so browsers may keep them for a day."""

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        if filename and filename.startswith("vendor/"):
            return 86400
        return super().get_send_file_max_age(filename)


bp = ConsoleBlueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


def _asset_version(name: str) -> str:
    version = _STATIC / "vendor" / name / "VERSION"
    try:
        return version.read_text().split()[1]
    except (OSError, IndexError):
        return "0"


ASSET_VERSIONS = {
    n: _asset_version(n)
    for n in ("utrecht-component-library-css", "voorbeeld-design-tokens", "htmx")
}

# What each role finds in the menu: (endpoint, text key).
NAVIGATION: dict[str, list[tuple[str, str]]] = {
    "coach": [
        ("console.people", "nav.people"),
        ("console.requests", "nav.requests"),
        ("console.notification_settings", "nav.notifications"),
    ],
    "organizer": [
        ("console.activities", "nav.activities"),
        ("console.candidates", "nav.candidates"),
        ("console.notification_settings", "nav.notifications"),
    ],
    "admin": [
        ("console.policy", "nav.policy"),
        ("console.staff", "nav.staff"),
        ("console.funnel", "nav.funnel"),
        ("console.experiments_list", "nav.experiments"),
        ("console.audit", "nav.audit"),
        ("console.notification_settings", "nav.notifications"),
    ],
}
HOME = {"coach": "console.people", "organizer": "console.activities", "admin": "console.policy"}


@bp.before_request
def _load_session() -> None:
    g.csp_nonce = secrets.token_urlsafe(16)
    if request.endpoint == "console.static":
        g.console = None
        return
    g.console = web.load_signed_in(get_session())


@bp.after_request
def _headers(response: Response) -> Response:
    nonce = g.get("csp_nonce", "")
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; "
        "script-src 'self'; "
        f"style-src 'self' 'nonce-{nonce}'; "
        "img-src 'self' data:; "
        "font-src 'self'; "
        "connect-src 'self'; "
        "form-action 'self'; "
        "frame-ancestors 'none'; "
        "base-uri 'none'"
    )
    if request.endpoint != "console.static":
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Frame-Options"] = "DENY"
        response.vary.add("Cookie")
        web.set_pre_cookie(response)
    return response


def static_url(filename: str) -> str:
    """A vendored or own file, its version in the URL so caches refresh on a new version."""
    part = filename.split("/")
    version = ASSET_VERSIONS.get(part[1], "0") if part[0] == "vendor" and len(part) > 1 else "1"
    return url_for("console.static", filename=filename, v=version)


@bp.app_template_filter("console_date")
def _date(value: date | None) -> str:
    """dd-mm-jjjj; a moment as the date it was in the Netherlands."""
    if value is None:
        return ""
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(AMSTERDAM)
    return value.strftime("%d-%m-%Y")


@bp.app_template_filter("console_datetime")
def _datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")


def render(template: str, status: int = 200, **context: Any) -> Response:
    """A console page with everything every page needs."""
    signed: web.SignedIn | None = g.get("console")
    role = signed.actor.role if signed else None
    context.setdefault("errors", {})
    html = render_template(
        f"console/{template}",
        t=t,
        lang=current_language(),
        languages=LANGUAGES,
        csrf_token=web.csrf_token(),
        csrf_field=web.CSRF_FIELD,
        nonce=g.get("csp_nonce", ""),
        signed=signed,
        role=role,
        navigation=NAVIGATION.get(role or "", []),
        notices=web.pop_notices(),
        static_url=static_url,
        current_endpoint=request.endpoint,
        current_path=request.full_path.rstrip("?"),
        htmx=bool(request.headers.get("HX-Request")),
        **context,
    )
    return Response(html, status=status, mimetype="text/html")


def _error_page(status: int, key: str, headers: dict[str, str] | None = None) -> Response:
    resp = render(
        "error.html",
        status=status,
        status_code=status,
        title=t(f"error.page.{key}.title"),
        message=t(f"error.page.{key}.text"),
    )
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


@bp.errorhandler(DomainError)
def _domain(err: DomainError) -> Response:
    if isinstance(err, web.CsrfFailed):
        return _error_page(403, "csrf")
    keys = {401: "signin", 403: "forbidden", 404: "not_found", 409: "conflict", 429: "too_many"}
    key = keys.get(err.status, "bad_request")
    return _error_page(err.status, key, getattr(err, "headers", None))


@bp.errorhandler(HTTPException)
def _http(err: HTTPException) -> Response:
    status = err.code or 500
    if status == 429:
        retry = str(getattr(err, "retry_after", None) or 60)
        return _error_page(429, "too_many", {"Retry-After": retry})
    keys = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "bad_request"}
    if status >= 500:
        return _error_page(500, "server")
    return _error_page(status, keys.get(status, "bad_request"))


@bp.errorhandler(PoolTimeout)
@bp.errorhandler(OperationalError)
def _busy(_err: Exception) -> Response:
    log.warning("database unavailable for the console", exc_info=True)
    return _error_page(503, "busy", {"Retry-After": "5"})


@bp.errorhandler(Exception)
def _unexpected(err: Exception) -> Response:
    log.exception("unhandled error in the console", exc_info=err)
    return _error_page(500, "server")


# The pages register themselves on bp.
from api.console import (  # noqa: E402,F401
    admin,
    coach,
    experiments,
    organiser,
    pages,
    settings,
)
