"""The application factory: configuration, extensions, blueprints, headers."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, request
from flask.sessions import NullSession, SessionInterface
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from api import db, i18n
from api.audit.web import init_app as init_audit
from api.config import API_VERSION, Settings
from api.errors import problem, register_error_handlers
from api.extensions import Api, jwt
from api.feed.service import explain
from api.geocoding.geocoders import build_geocoder
from api.jsonbody import StrictJSONProvider
from api.matches.lifecycle import listen
from api.nudges.events import on_match_steps
from api.nudges.providers import build_push_provider
from api.opportunities.seen import EXTENSION as EXPLAIN
from api.ratelimit import init_limiter


class _NoSession(NullSession):
    """What `flask.session` is here: empty, and a write says why (not "no secret key")."""

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            "Meedoen keeps no Flask session: the API is stateless and the console signs its own"
            " cookie (api/console/web.py)."
        )

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _fail


class NoCookieSession(SessionInterface):
    """No Flask session: the API is stateless and the console signs its own cookie, so no request
    pays for a cookie serializer (2% of a feed), and a write to `flask.session` fails loudly."""

    null_session_class = _NoSession

    def open_session(self, app: Flask, request: Any) -> None:
        return None  # Flask then hands out `_NoSession`, which refuses writes

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        return None


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> Flask:
    """Build the Flask app; tests pass their own engine bound to a rolled-back connection."""
    settings = settings or Settings.from_env()
    app = Flask("meedoen")
    app.config.update(settings.flask_config())
    app.url_map.strict_slashes = True
    app.json = StrictJSONProvider(app)  # request.get_json() refuses surrogates, depth, huge numbers
    app.json.sort_keys = False
    app.session_interface = NoCookieSession()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    proxies = settings.proxy_count
    if proxies:
        # Wrapping wsgi_app is Flask's documented way to add WSGI middleware; mypy sees a method.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]

    init_audit(app)  # before db: its teardown must run after the request's rollback
    db.init_app(
        app,
        engine
        or db.make_engine(
            settings.database_url,
            pool_size=settings.db_pool_size,
            pool_timeout=settings.db_pool_timeout,
        ),
    )
    app.extensions["meedoen_geocoder"] = build_geocoder(settings.geocoder, settings.pdok_url)
    app.extensions[EXPLAIN] = explain  # an opportunity's detail as the feed sees it
    app.extensions["meedoen_push"] = build_push_provider(
        settings.push_provider, settings.push_webhook_url, settings.push_settings
    )
    listen(on_match_steps)  # every live match step tells whoever should hear of it
    _init_jwt(app)
    init_limiter(app, settings)
    api = Api(app)
    app.extensions["meedoen_api"] = api
    register_error_handlers(app)  # after Api(): replaces flask-smorest's JSON error handler
    i18n.init_app(app)  # Accept-Language -> the request's texts; Content-Language
    _register_blueprints(api)
    _register_console(app)
    _register_headers(app, settings)
    _register_cli(app)
    return app


def _register_blueprints(api: Api) -> None:
    from api.account.routes import blp as account_blp
    from api.admin.routes import blp as policy_blp
    from api.admin.routes import users_blp
    from api.caseload.routes import blp as caseload_blp
    from api.experiments.routes import blp as experiments_blp
    from api.experiments.routes import me_blp as my_experiments_blp
    from api.feed.routes import blp as feed_blp
    from api.health.routes import blp as health_blp
    from api.interests.routes import blp as interests_blp
    from api.invitations.routes import blp as invitations_blp
    from api.matches.routes import blp as matches_blp
    from api.meta.routes import blp as meta_blp
    from api.nudges.routes import blp as inbox_blp
    from api.opportunities.routes import blp as opportunities_blp
    from api.plans.routes import blp as plans_blp
    from api.privacy.routes import blp as privacy_blp
    from api.profiles.routes import blp as profile_blp
    from api.progress.routes import blp as progress_blp
    from api.reports.routes import blp as reports_blp
    from api.signin.routes import blp as auth_blp

    for blp in (
        health_blp,
        meta_blp,
        auth_blp,
        account_blp,
        invitations_blp,
        users_blp,
        interests_blp,
        opportunities_blp,
        profile_blp,
        feed_blp,
        matches_blp,
        inbox_blp,
        policy_blp,
        progress_blp,
        caseload_blp,
        plans_blp,
        reports_blp,
        experiments_blp,
        my_experiments_blp,
        privacy_blp,
    ):
        api.register_blueprint(blp)


def _register_console(app: Flask) -> None:
    """The staff web console at /console (server-rendered pages on the same services)."""
    from api.console.blueprint import bp as console_bp

    app.register_blueprint(console_bp)


def _init_jwt(app: Flask) -> None:
    from flask_jwt_extended import JWTManager

    from api.auth.security import Actor, has_required_claims, request_actor

    jwt.init_app(app)
    manager: JWTManager = jwt

    def _unauthorized(detail: str, code: str) -> Response:
        resp = problem(401, detail, slug="unauthorized", code=code)
        resp.headers["WWW-Authenticate"] = 'Bearer realm="meedoen"'
        return resp

    @manager.token_verification_loader
    def _complete(_header: dict[str, Any], payload: dict[str, Any]) -> bool:
        return has_required_claims(payload)  # e.g. a token without exp never expires: refuse it

    @manager.user_lookup_loader
    def _actor(_header: dict[str, Any], payload: dict[str, Any]) -> Actor | None:
        return request_actor(db.get_session(), payload)  # None: user or sign-in no longer valid

    @manager.unauthorized_loader
    def _missing(reason: str) -> Response:
        return _unauthorized("Sign in first.", "token_missing")  # the code says what was missing

    @manager.invalid_token_loader
    def _invalid(reason: str) -> Response:
        return _unauthorized("The token is not valid.", "token_invalid")

    @manager.expired_token_loader
    def _expired(_h: dict[str, Any], _p: dict[str, Any]) -> Response:
        return _unauthorized("The token has expired.", "token_expired")

    @manager.needs_fresh_token_loader
    def _fresh(_h: dict[str, Any], _p: dict[str, Any]) -> Response:
        return _unauthorized("Please sign in again.", "fresh_token_required")

    @manager.user_lookup_error_loader
    def _lookup(_h: dict[str, Any], _p: dict[str, Any]) -> Response:
        return _unauthorized(
            "This sign-in is no longer valid. Please sign in again.", "token_revoked"
        )

    @manager.token_verification_failed_loader
    def _claims_failed(_h: dict[str, Any], _p: dict[str, Any]) -> Response:
        return _unauthorized("The token is not valid.", "token_invalid")


def _register_headers(app: Flask, settings: Settings) -> None:
    allowed_origins = set(settings.cors_origins)

    @app.after_request
    def _headers(response: Response) -> Response:
        h = response.headers
        origin = request.headers.get("Origin")
        if origin and origin in allowed_origins:  # only the app's own web origins
            h["Access-Control-Allow-Origin"] = origin
            h["Access-Control-Allow-Headers"] = "Authorization, Content-Type, Idempotency-Key"
            h["Access-Control-Allow-Methods"] = "GET, POST, PUT, PATCH, DELETE"
            h.add("Vary", "Origin")
        h["API-Version"] = API_VERSION
        h.setdefault("Cache-Control", "no-store")
        h["X-Content-Type-Options"] = "nosniff"
        # The console sets its own policy (its pages load their own styles and scripts).
        h.setdefault("Content-Security-Policy", "frame-ancestors 'none'; default-src 'none'")
        h["Referrer-Policy"] = "no-referrer"
        if request.is_secure:
            h["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        h.add("Vary", "Authorization")
        return response


def _register_cli(app: Flask) -> None:
    from api.cli import register_commands

    register_commands(app)
