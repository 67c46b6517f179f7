"""Every error class leaves as problem+json, never as HTML or a stack trace."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from api.extensions import Blueprint
from tests.factories import auth_headers, create_municipality, create_user

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def _assert_problem(resp, status: int) -> dict:
    assert resp.status_code == status
    assert resp.content_type == "application/problem+json"
    body = resp.get_json()
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status
    assert resp.headers["API-Version"]
    return body


def test_400_malformed_json(client) -> None:
    resp = client.post("/v1/auth/login", data="{nope", content_type="application/json")
    body = _assert_problem(resp, 400)
    assert body["invalidParams"][0]["name"] == "body"


def test_400_unknown_and_missing_fields_are_named(client) -> None:
    resp = client.post("/v1/auth/login", json={"email": "a@example.org", "colour": "red"})
    body = _assert_problem(resp, 400)
    assert {p["name"] for p in body["invalidParams"]} == {"password", "colour"}


def test_401_without_token(client) -> None:
    body = _assert_problem(client.post("/v1/invitations", json={"recipientName": "A"}), 401)
    assert body["detail"] == "Log eerst in."  # Dutch when the request names no language
    assert body["title"] == "Log eerst in"


def test_403_wrong_role(app, client, session: Session) -> None:
    user = create_user(session, municipality=create_municipality(session), role="organizer")
    resp = client.post(
        "/v1/admin/users",
        json={"email": "a@example.org", "role": "coach", "name": "A"},
        headers=auth_headers(app, session, user),
    )
    _assert_problem(resp, 403)


def test_404_unknown_path_and_trailing_slash_is_not_a_redirect(client) -> None:
    _assert_problem(client.get("/v1/nothing-here"), 404)
    _assert_problem(client.get("/v1/health/"), 404)


def test_405_wrong_method(client) -> None:
    resp = client.delete("/v1/health")
    _assert_problem(resp, 405)
    assert "GET" in resp.headers["Allow"]


def test_409_conflict(app, client, session: Session) -> None:
    m = create_municipality(session)
    admin = create_user(session, municipality=m, role="admin")
    create_user(session, municipality=m, role="coach", email="taken@example.org")
    resp = client.post(
        "/v1/admin/users",
        json={"email": "taken@example.org", "role": "coach", "name": "Dubbel"},
        headers=auth_headers(app, session, admin),
    )
    _assert_problem(resp, 409)


def test_413_body_too_large(client) -> None:
    resp = client.post(
        "/v1/auth/login", data="{" + " " * 100_000 + "}", content_type="application/json"
    )
    _assert_problem(resp, 413)


def test_415_body_not_json(client) -> None:
    resp = client.post("/v1/auth/login", data="email=a@example.org", content_type="text/plain")
    body = _assert_problem(resp, 415)
    assert "application/json" in body["detail"]
    assert resp.headers["Accept-Post"] == "application/json"


def test_400_empty_body_is_named(client) -> None:
    body = _assert_problem(client.post("/v1/auth/login"), 400)  # no Accept-Language: Dutch
    assert body["invalidParams"] == [{"name": "body", "reason": "Stuur de gegevens mee als JSON."}]
    resp = client.post("/v1/auth/login", headers={"Accept-Language": "en"})
    body = _assert_problem(resp, 400)
    assert body["invalidParams"] == [{"name": "body", "reason": "A JSON body is required."}]


def test_500_shows_no_internals(engine) -> None:
    from api.app import create_app
    from api.config import Settings

    app: Flask = create_app(Settings.from_env(), engine=engine)
    blp = Blueprint("boom", __name__)

    @blp.route("/v1/boom")
    def boom():
        raise RuntimeError("secret internals at /srv/app.py line 42")

    app.register_blueprint(blp)
    resp = app.test_client().get("/v1/boom")
    body = _assert_problem(resp, 500)
    assert "secret" not in resp.get_data(as_text=True)
    assert "Traceback" not in body["detail"]


def test_429_has_retry_after(engine) -> None:
    from werkzeug.exceptions import TooManyRequests

    from api.app import create_app
    from api.config import Settings

    app: Flask = create_app(Settings.from_env(), engine=engine)
    blp = Blueprint("limited", __name__)

    @blp.route("/v1/limited")
    def limited():
        raise TooManyRequests(retry_after=30)

    app.register_blueprint(blp)
    resp = app.test_client().get("/v1/limited")
    _assert_problem(resp, 429)
    assert resp.headers["Retry-After"] == "30"


def test_security_headers_on_every_response(client) -> None:
    for resp in (client.get("/v1/health"), client.get("/v1/nope")):
        assert resp.headers["API-Version"] == "1.0.0"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
        assert resp.headers["Cache-Control"] == "no-store"


def test_health_checks_database(client) -> None:
    resp = client.get("/v1/health")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok", "database": "ok"}
