"""The web side of the audit trail: tell the service each request's origin, flush its denials."""

from __future__ import annotations

from flask import Flask, current_app, request

from api.audit import service


def init_app(app: Flask) -> None:
    """Register before the database hooks, so denials are written after the request's rollback."""

    @app.before_request
    def _begin_audit() -> None:
        rule = request.url_rule.rule if request.url_rule else request.path
        service.begin_request(f"{request.method} {rule}")

    @app.teardown_request
    def _end_audit(_exc: BaseException | None) -> None:
        # Teardown runs in reverse order of registration: the request's session is closed by now.
        service.end_request(current_app.extensions["meedoen_sessionmaker"])
