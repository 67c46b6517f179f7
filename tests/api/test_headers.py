"""Transport headers: CORS only for the app's own origins, HSTS over TLS, ProxyFix by config."""

from __future__ import annotations

from api.app import create_app
from api.config import ConfigError, Settings
from tests.conftest import TEST_DATABASE_URL


def _app(engine, **env: str):
    return create_app(Settings.from_env({"DATABASE_URL": TEST_DATABASE_URL, **env}), engine=engine)


def test_cors_only_for_configured_origins(engine) -> None:
    client = _app(engine, CORS_ORIGINS="https://app.meedoen.example.org").test_client()
    ok = client.get("/v1/health", headers={"Origin": "https://app.meedoen.example.org"})
    assert ok.headers["Access-Control-Allow-Origin"] == "https://app.meedoen.example.org"
    evil = client.get("/v1/health", headers={"Origin": "https://evil.example.com"})
    assert "Access-Control-Allow-Origin" not in evil.headers
    # the API description is open to all
    assert client.get("/v1/openapi.json").headers["Access-Control-Allow-Origin"] == "*"


def test_hsts_only_over_tls_and_proxyfix_trusts_configured_proxies(engine) -> None:
    plain = _app(engine).test_client()
    assert "Strict-Transport-Security" not in plain.get("/v1/health").headers
    assert (
        "Strict-Transport-Security" in plain.get("/v1/health", base_url="https://localhost").headers
    )
    behind = _app(engine, PROXY_COUNT="1").test_client()
    resp = behind.get(
        "/v1/health", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5"}
    )
    assert "Strict-Transport-Security" in resp.headers
    # without a configured proxy, a forged header is ignored
    assert (
        "Strict-Transport-Security"
        not in plain.get("/v1/health", headers={"X-Forwarded-Proto": "https"}).headers
    )


def test_production_refuses_a_default_secret() -> None:
    import pytest

    with pytest.raises(ConfigError):
        Settings.from_env({"MEEDOEN_ENV": "production"})
    with pytest.raises(ConfigError):
        Settings.from_env({"MEEDOEN_ENV": "production", "JWT_SECRET_KEY": "short"})
    ok = Settings.from_env({"MEEDOEN_ENV": "production", "JWT_SECRET_KEY": "x" * 40})
    assert ok.env == "production"


def test_no_flask_session_cookie_and_the_session_refuses_writes(engine) -> None:
    """Stateless: a client sends a cookie Flask's session would read; nothing reads or sets one."""
    import flask
    import pytest

    app = _app(engine)
    client = app.test_client()
    client.set_cookie("session", "eyJ4IjoxfQ.forged.signature")
    resp = client.get("/v1/health")
    assert resp.status_code == 200
    assert "Set-Cookie" not in resp.headers
    with app.test_request_context("/v1/health"):
        assert not flask.session  # the null session: empty, whatever the request carried
        with pytest.raises(RuntimeError, match="no Flask session"):
            flask.session["who"] = "someone"
