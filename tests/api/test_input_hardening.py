"""Issue #11, input findings: hostile or sloppy input is a named 400 or a 415, never a 500 or a
silent no-op. Every request body goes through one strict JSON parse (api/jsonbody.py) and the
strict field types of api/schemas.py."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import marshmallow as ma
import pytest
from flask import Flask
from flask.testing import FlaskClient
from marshmallow import fields as ma_fields
from marshmallow import validate as ma_validate
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api import schemas
from api.app import create_app
from api.config import Settings
from api.jsonbody import MAX_DEPTH, UnsafeJSON, strict_loads
from api.progress.models import CheckIn
from api.users.models import User
from tests.conftest import TEST_DATABASE_URL
from tests.factories import (
    PASSWORD,
    auth_headers,
    create_municipality,
    create_opportunity,
    create_profile,
    create_team,
    create_user,
)

PROBLEM = "application/problem+json"


def _problem(resp: Any, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    assert resp.content_type == PROBLEM
    body = resp.get_json()
    assert body["status"] == status
    assert "Traceback" not in resp.get_data(as_text=True)
    return body


def _names(body: dict[str, Any]) -> set[str]:
    return {p["name"] for p in body.get("invalidParams", [])}


@pytest.fixture()
def w(app: Flask, session: Session) -> dict[str, Any]:
    """A recipient with a profile and an organiser with an opportunity, both signed in."""
    mun = create_municipality(session)
    team = create_team(session, municipality=mun)
    recipient = create_user(session, municipality=mun, role="recipient")
    create_profile(session, user=recipient)
    organizer = create_user(session, municipality=mun, role="organizer", team=team)
    admin = create_user(session, municipality=mun, role="admin")
    return {
        "recipient": recipient,
        "opp": create_opportunity(session, team=team),
        "rh": auth_headers(app, session, recipient),
        "oh": auth_headers(app, session, organizer),
        "ah": auth_headers(app, session, admin),
    }


def _checkins(session: Session, user: User) -> int:
    return session.scalar(select(func.count()).where(CheckIn.user_id == user.id)) or 0


def _yesterday() -> str:
    return (date.today() - timedelta(days=1)).isoformat()


# --------------------------------------------------------------------------- medium: 500s


@pytest.mark.parametrize(
    "raw",
    [
        '{"email": "a\\ud800@example.org", "password": "x"}',
        '{"email": "a@example.org", "password": "\\ud800"}',
        '{"email": "a@example.org", "password": "\\udfff\\ud800"}',
        '{"email": "a@example.org", "\\ud800": "x", "password": "x"}',
    ],
    ids=["email", "password", "reversed-pair", "key"],
)
def test_lone_surrogate_at_login_is_400(client: FlaskClient, raw: str) -> None:
    body = _problem(client.post("/v1/auth/login", data=raw, content_type="application/json"), 400)
    # no Accept-Language: the reason is in Dutch (test_language.py checks English too)
    assert body["invalidParams"][0]["reason"].startswith("Hier staat een los UTF-16-teken")


def test_hostile_login_bodies_are_400_with_rate_limits_on(engine: Any) -> None:
    """The per-account limit reads the e-mail from the body before any handler runs."""
    settings = Settings.from_env({"DATABASE_URL": TEST_DATABASE_URL, "RATE_LIMITS": "on"})
    client = create_app(settings, engine=engine).test_client()
    address = {"REMOTE_ADDR": f"198.51.100.{uuid.uuid4().int % 200 + 20}"}
    for raw in (
        '{"email": "a\\ud800@example.org", "password": "x"}',
        '{"email": ' + "[" * 1_000 + "]" * 1_000 + ', "password": "x"}',
        '{"email": ' + "9" * 5_000 + ', "password": "x"}',
    ):
        resp = client.post(
            "/v1/auth/login", data=raw, content_type="application/json", environ_overrides=address
        )
        _problem(resp, 400)


def test_lone_surrogate_is_named_where_it_is(client: FlaskClient, w: dict[str, Any]) -> None:
    resp = client.patch(
        "/v1/me/profile",
        data='{"interests": ["koken", "x\\udc00"]}',
        content_type="application/json",
        headers=w["rh"],
    )
    assert _names(_problem(resp, 400)) == {"interests.1"}


def test_a_proper_surrogate_pair_is_fine(client: FlaskClient, w: dict[str, Any]) -> None:
    resp = client.patch(
        "/v1/me/profile",
        data='{"displayName": "Sam \\ud83d\\ude00"}',
        content_type="application/json",
        headers=w["rh"],
    )
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["displayName"] == "Sam \U0001f600"


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1_000, 100_000])
def test_deeply_nested_json_is_400(client: FlaskClient, depth: int) -> None:
    raw = '{"email": ' + "[" * depth + "]" * depth + ', "password": "x"}'
    resp = client.post("/v1/auth/login", data=raw, content_type="application/json")
    if len(raw) > 100_000:  # bigger than any request may be
        _problem(resp, 413)
        return
    body = _problem(resp, 400)
    assert body["invalidParams"][0]["reason"].startswith("Dit zit te diep in elkaar")


def test_nesting_up_to_the_limit_parses() -> None:
    assert strict_loads("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    with pytest.raises(UnsafeJSON):
        strict_loads("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))


@pytest.mark.parametrize(
    "number",
    ["9" * 5_000, "-" + "9" * 5_000, "1e400", "-1e400", "1" * 400 + ".5", "NaN", "Infinity"],
)
def test_absurd_numbers_are_400_naming_the_field(
    client: FlaskClient, w: dict[str, Any], number: str
) -> None:
    raw = '{"capacity": ' + number + "}"
    resp = client.patch(
        f"/v1/opportunities/{w['opp'].id}",
        data=raw,
        content_type="application/json",
        headers=w["oh"],
    )
    assert _names(_problem(resp, 400)) == {"capacity"}


def test_5000_digit_integer_at_login_is_400(client: FlaskClient) -> None:
    raw = '{"email": "a@example.org", "password": ' + "9" * 5_000 + "}"
    body = _problem(client.post("/v1/auth/login", data=raw, content_type="application/json"), 400)
    assert _names(body) == {"password"}


@pytest.mark.parametrize(
    "query",
    [
        "limit=" + "9" * 5_000,
        "limit=%ED%A0%80",
        "limit=1e400",
        "limit=NaN",
        "limit=%EF%BC%91",  # a full-width digit 1: int() would take it
        "radiusKm=1e400&near=52.37,4.89",
        "radiusKm=NaN&near=52.37,4.89",
        "near=NaN,NaN",
        "near=1e400,4.89",
        "interest=%ED%A0%80",
        "kind=%ED%A0%80",
        "cursor=%ED%A0%80",
    ],
)
def test_hostile_query_parameters_are_400(
    client: FlaskClient, w: dict[str, Any], query: str
) -> None:
    resp = client.get("/v1/opportunities?" + query, headers=w["rh"])
    assert resp.status_code in (200, 400), resp.get_data(as_text=True)[:300]
    if resp.status_code == 400:
        assert _names(resp.get_json()) <= {
            "limit",
            "radiusKm",
            "near",
            "interest",
            "kind",
            "cursor",
        }


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "raw",
    [
        '["\\ud800", "' + str(uuid.uuid4()) + '"]',
        "[" * 300 + "]" * 300,
        "[" + "9" * 600 + ', "x"]',
        '[NaN, "x"]',
    ],
    ids=["surrogate", "deep", "digits", "nan"],
)
def test_hostile_cursors_are_400(client: FlaskClient, w: dict[str, Any], raw: str) -> None:
    for path in ("/v1/me/checkins", "/v1/me/inbox", "/v1/me/matches"):
        resp = client.get(f"{path}?cursor={_cursor(raw)}", headers=w["rh"])
        assert _names(_problem(resp, 400)) == {"cursor"}, path


def test_hostile_path_values_are_404(client: FlaskClient, w: dict[str, Any]) -> None:
    for tail in ("%ED%A0%80", "9" * 5_000, "%00"):
        resp = client.get(f"/v1/opportunities/{tail}", headers=w["rh"])
        _problem(resp, 404)


# --------------------------------------------------------------------------- low: silent no-ops


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("text/plain", '{"displayName": "Nieuw"}'),
        ("application/x-www-form-urlencoded", "displayName=Nieuw"),
        (
            "multipart/form-data; boundary=x",
            '--x\r\nContent-Disposition: form-data; name="displayName"\r\n\r\nNieuw\r\n--x--\r\n',
        ),
        (None, '{"displayName": "Nieuw"}'),
    ],
    ids=["text", "form", "multipart", "no-content-type"],
)
def test_non_json_body_is_415_and_changes_nothing(
    client: FlaskClient, w: dict[str, Any], content_type: str | None, data: str
) -> None:
    before = client.get("/v1/me/profile", headers=w["rh"]).get_json()
    headers = dict(w["rh"])
    kwargs: dict[str, Any] = {"data": data.encode(), "headers": headers}
    if content_type:
        kwargs["content_type"] = content_type
    body = _problem(client.patch("/v1/me/profile", **kwargs), 415)
    assert "application/json" in body["detail"]
    assert client.get("/v1/me/profile", headers=w["rh"]).get_json() == before


def test_415_names_what_is_accepted(client: FlaskClient, w: dict[str, Any]) -> None:
    resp = client.post(
        "/v1/me/checkins", data="hours=2", content_type="text/plain", headers=w["rh"]
    )
    _problem(resp, 415)
    assert resp.headers["Accept-Post"] == "application/json"
    resp = client.patch("/v1/me/profile", data="x", content_type="text/plain", headers=w["rh"])
    assert resp.headers["Accept-Patch"] == "application/json"


def test_text_plain_check_in_is_415_and_writes_nothing(
    client: FlaskClient, session: Session, w: dict[str, Any]
) -> None:
    raw = '{"date": "%s", "hours": 2, "wellbeing": 4}' % _yesterday()  # noqa: UP031
    _problem(
        client.post("/v1/me/checkins", data=raw, content_type="text/plain", headers=w["rh"]), 415
    )
    assert _checkins(session, w["recipient"]) == 0
    ok = client.post("/v1/me/checkins", data=raw, content_type="application/json", headers=w["rh"])
    assert ok.status_code == 201, ok.get_json()


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "application/merge-patch+json"],
)
def test_json_media_types_are_accepted(
    client: FlaskClient, w: dict[str, Any], content_type: str
) -> None:
    resp = client.patch(
        "/v1/me/profile", data='{"goals": "Werk"}', content_type=content_type, headers=w["rh"]
    )
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["goals"] == "Werk"


@pytest.mark.parametrize("content_type", ["application/json", None, "text/plain"])
@pytest.mark.parametrize("data", ["", "  \r\n "])
def test_empty_body_is_400_naming_the_body(
    client: FlaskClient, w: dict[str, Any], content_type: str | None, data: str
) -> None:
    kwargs: dict[str, Any] = {"data": data, "headers": w["rh"]}
    if content_type:
        kwargs["content_type"] = content_type
    body = _problem(client.patch("/v1/me/profile", **kwargs), 400)
    assert body["invalidParams"] == [{"name": "body", "reason": "Stuur de gegevens mee als JSON."}]


@pytest.mark.parametrize("raw", ["null", "[]", "5", '"x"', "true"])
def test_a_body_that_is_not_an_object_is_400(
    client: FlaskClient, w: dict[str, Any], raw: str
) -> None:
    resp = client.patch(
        "/v1/me/profile", data=raw, content_type="application/json", headers=w["rh"]
    )
    assert "body" in _names(_problem(resp, 400))


def test_operations_without_a_body_ignore_one(
    client: FlaskClient, session: Session, w: dict[str, Any]
) -> None:
    """No JSON body is read where none is documented, so nothing there can be a 415."""
    resp = client.post(
        f"/v1/opportunities/{w['opp'].id}/pause",
        data="x",
        content_type="text/plain",
        headers=w["oh"],
    )
    assert resp.status_code == 200, resp.get_json()


def test_unauthenticated_text_plain_is_still_401(client: FlaskClient) -> None:
    resp = client.post("/v1/invitations", data="x", content_type="text/plain")
    _problem(resp, 401)


def test_wrong_role_text_plain_is_still_403(client: FlaskClient, w: dict[str, Any]) -> None:
    resp = client.post("/v1/invitations", data="x", content_type="text/plain", headers=w["rh"])
    _problem(resp, 403)


# --------------------------------------------------------------------------- low: lax types


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"wellbeing": "5"}, "wellbeing"),
        ({"wellbeing": 2.5}, "wellbeing"),
        ({"wellbeing": 4.0}, "wellbeing"),
        ({"wellbeing": True}, "wellbeing"),
        ({"wellbeing": 9}, "wellbeing"),
        ({"wellbeing": -(10**30)}, "wellbeing"),
        ({"hours": "2"}, "hours"),
        ({"hours": True}, "hours"),
        ({"hours": 2.25}, "hours"),
        ({"hours": 81}, "hours"),
        ({"ladderStep": "3"}, "ladderStep"),
        ({"informalCare": "yes"}, "informalCare"),
        ({"informalCare": 1}, "informalCare"),
        ({"date": "0001-01-01"}, "date"),
        ({"date": "1999-12-31"}, "date"),
        ({"date": "2025-1-6"}, "date"),
        ({"date": "２０２５-01-06"}, "date"),
        ({"date": 20250106}, "date"),
        ({"date": (date.today() + timedelta(days=3)).isoformat()}, "date"),
    ],
)
def test_lax_check_in_values_are_400_and_write_nothing(
    client: FlaskClient, session: Session, w: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    payload = {"date": _yesterday(), "hours": 2, "wellbeing": 4, **body}
    resp = client.post("/v1/me/checkins", json=payload, headers=w["rh"])
    assert _names(_problem(resp, 400)) == {field}
    assert _checkins(session, w["recipient"]) == 0


def test_check_in_dated_0001_01_01_is_400(
    client: FlaskClient, session: Session, w: dict[str, Any]
) -> None:
    resp = client.post(
        "/v1/me/checkins", json={"date": "0001-01-01", "hours": 2, "wellbeing": 4}, headers=w["rh"]
    )
    body = _problem(resp, 400)
    assert body["invalidParams"] == [{"name": "date", "reason": "Kies 2000-01-01 of later."}]
    english = client.post(
        "/v1/me/checkins",
        json={"date": "0001-01-01", "hours": 2, "wellbeing": 4},
        headers={**w["rh"], "Accept-Language": "en"},
    )
    assert _problem(english, 400)["invalidParams"] == [
        {"name": "date", "reason": "Must be on or after 2000-01-01."}
    ]
    assert _checkins(session, w["recipient"]) == 0


def test_strict_values_still_work(client: FlaskClient, session: Session, w: dict[str, Any]) -> None:
    payload = {
        "date": "2000-01-01",
        "hours": 2.5,
        "wellbeing": 5,
        "ladderStep": None,
        "informalCare": True,
    }
    resp = client.post("/v1/me/checkins", json=payload, headers=w["rh"])
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["hours"] == 2.5
    resp = client.post("/v1/me/checkins", json={**payload, "hours": 3}, headers=w["rh"])
    assert resp.status_code == 201, resp.get_json()
    assert _checkins(session, w["recipient"]) == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"capacity": "5"}, "capacity"),
        ({"capacity": 2.5}, "capacity"),
        ({"capacity": 10**12}, "capacity"),
        ({"ladderStep": False}, "ladderStep"),
        ({"location": {"lat": "52.37", "lon": 4.89}}, "location.lat"),
        ({"location": {"lat": True, "lon": 4.89}}, "location.lat"),
        ({"monthlyAllowanceEur": "10"}, "monthlyAllowanceEur"),
        ({"monthlyAllowanceEur": 10.005}, "monthlyAllowanceEur"),
        ({"notReplacingPaidWork": "true"}, "notReplacingPaidWork"),
        ({"startDate": "0001-01-01"}, "startDate"),
        ({"endDate": "9999-12-31"}, "endDate"),
    ],
)
def test_lax_opportunity_values_are_400_and_change_nothing(
    client: FlaskClient, w: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    path = f"/v1/opportunities/{w['opp'].id}"
    before = client.get(path, headers=w["oh"]).get_json()
    resp = client.patch(path, json=body, headers=w["oh"])
    assert _names(_problem(resp, 400)) == {field}
    assert client.get(path, headers=w["oh"]).get_json() == before


def test_opportunity_numbers_in_range_still_work(client: FlaskClient, w: dict[str, Any]) -> None:
    path = f"/v1/opportunities/{w['opp'].id}"
    start = date.today() + timedelta(days=30)
    resp = client.patch(
        path,
        json={
            "capacity": 7,
            "location": {"lat": 52, "lon": 4.9},
            "monthlyAllowanceEur": 12.5,
            "startDate": start.isoformat(),
        },
        headers=w["oh"],
    )
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert (body["capacity"], body["monthlyAllowanceEur"], body["location"]["lat"]) == (7, 12.5, 52)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"maxDistanceKm": "5"}, "maxDistanceKm"),
        ({"ladderStep": 2.5}, "ladderStep"),
        ({"nudgePreferences": {"maxPerWeek": "3"}}, "nudgePreferences.maxPerWeek"),
        ({"nudgePreferences": {"paused": 0}}, "nudgePreferences.paused"),
    ],
)
def test_lax_profile_values_are_400(
    client: FlaskClient, w: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    before = client.get("/v1/me/profile", headers=w["rh"]).get_json()
    assert _names(_problem(client.patch("/v1/me/profile", json=body, headers=w["rh"]), 400)) == {
        field
    }
    assert client.get("/v1/me/profile", headers=w["rh"]).get_json() == before


def test_lax_policy_values_are_400(client: FlaskClient, w: dict[str, Any]) -> None:
    policy = client.get("/v1/admin/policy", headers=w["ah"]).get_json()
    for field, value in (("requestExpiryDays", "14"), ("requestExpiryDays", 14.5)):
        resp = client.put("/v1/admin/policy", json={**policy, field: value}, headers=w["ah"])
        assert _names(_problem(resp, 400)) == {field}
    weights = {**policy["weights"], "interest": "0.5"}
    resp = client.put("/v1/admin/policy", json={**policy, "weights": weights}, headers=w["ah"])
    assert _names(_problem(resp, 400)) == {"weights.interest"}
    assert client.put("/v1/admin/policy", json=policy, headers=w["ah"]).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "limit=5.0",
        "limit=+5",
        "limit=%205",
        "limit=0",
        "limit=101",
        "limit=true",
    ],
)
def test_lax_query_integers_are_400(client: FlaskClient, w: dict[str, Any], query: str) -> None:
    resp = client.get("/v1/opportunities?" + query, headers=w["rh"])
    assert _names(_problem(resp, 400)) == {"limit"}


def test_query_values_that_are_plain_still_work(client: FlaskClient, w: dict[str, Any]) -> None:
    assert client.get("/v1/opportunities?limit=5", headers=w["rh"]).status_code == 200
    near = "/v1/opportunities?near=52.37,4.89&radiusKm=2.5"
    assert client.get(near, headers=w["rh"]).status_code == 200
    assert client.get("/v1/me/inbox?unread=true", headers=w["rh"]).status_code == 200
    assert client.get("/v1/me/inbox?unread=false", headers=w["rh"]).status_code == 200
    resp = client.get("/v1/me/inbox?unread=yes", headers=w["rh"])
    assert _names(_problem(resp, 400)) == {"unread"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("since=0001-01-01T00:00:00%2B00:00", "since"),
        ("since=0001-01-01T00:00:00%2B14:00", "since"),
        ("until=9999-12-31T23:59:59-14:00", "until"),
        ("until=1999-12-31T23:59:59%2B00:00", "until"),
    ],
)
def test_implausible_filter_times_are_400(
    client: FlaskClient, w: dict[str, Any], query: str, field: str
) -> None:
    resp = client.get("/v1/admin/audit?" + query, headers=w["ah"])
    assert _names(_problem(resp, 400)) == {field}


def test_plausible_filter_times_still_work(client: FlaskClient, w: dict[str, Any]) -> None:
    since = (datetime.now(UTC) - timedelta(days=30)).isoformat().replace("+", "%2B")
    resp = client.get(f"/v1/admin/audit?since={since}", headers=w["ah"])
    assert resp.status_code == 200, resp.get_json()


def test_login_still_works_with_a_plain_body(client: FlaskClient, w: dict[str, Any]) -> None:
    resp = client.post("/v1/auth/login", json={"email": w["recipient"].email, "password": PASSWORD})
    assert resp.status_code == 200, resp.get_json()


# --------------------------------------------------------------------------- guards for new code

# Marshmallow's own classes convert ("5" -> 5, 2.5 -> 2, "yes" -> True) and take any date; a
# request schema uses the strict ones from api/schemas.py instead.
LAX = (
    ma_fields.Integer,
    ma_fields.Float,
    ma_fields.Decimal,
    ma_fields.Boolean,
    ma_fields.Date,
    ma_fields.DateTime,
    ma_fields.AwareDateTime,
    ma_fields.NaiveDateTime,
)
STRICT = (
    schemas.StrictInt,
    schemas.StrictFloat,
    schemas.StrictDecimal,
    schemas.StrictBool,
    schemas.PlausibleDate,
)
QUERY = (schemas.QueryInt, schemas.QueryFloat, schemas.QueryBool, schemas.QueryDateTime)


def _request_schemas(app: Flask) -> list[tuple[str, str, ma.Schema]]:
    """(endpoint, location, schema) for every @blp.arguments in the app."""
    found = []
    for endpoint, view in app.view_functions.items():
        for param in getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", []):
            schema = param["schema"]
            found.append((endpoint, param["in"], schema() if isinstance(schema, type) else schema))
    return found


def _leaf_fields(schema: ma.Schema, prefix: str = "") -> list[tuple[str, ma_fields.Field]]:
    leaves: list[tuple[str, ma_fields.Field]] = []
    for name, field in schema.fields.items():
        while isinstance(field, ma_fields.List):
            field = field.inner
        if isinstance(field, ma_fields.Nested):
            leaves.extend(_leaf_fields(field.schema, f"{prefix}{name}."))
        else:
            leaves.append((prefix + name, field))
    return leaves


def test_request_schemas_use_strict_field_types(app: Flask) -> None:
    found = _request_schemas(app)
    assert len(found) >= 20
    lax = []
    for endpoint, location, schema in found:
        allowed = QUERY if location == "query" else STRICT
        for name, field in _leaf_fields(schema):
            if isinstance(field, LAX) and not isinstance(field, allowed):
                lax.append(f"{endpoint} {location} {name}: {type(field).__name__}")
    assert lax == []


def test_every_number_in_a_request_has_a_range(app: Flask) -> None:
    unbounded = []
    for endpoint, _location, schema in _request_schemas(app):
        for name, field in _leaf_fields(schema):
            if isinstance(field, ma_fields.Number):
                ranges = [v for v in field.validators if isinstance(v, ma_validate.Range)]
                if not ranges or any(r.min is None or r.max is None for r in ranges):
                    unbounded.append(f"{endpoint} {name}")
    assert unbounded == []


def test_json_bodies_are_required_and_document_415(client: FlaskClient) -> None:
    """The parser answers 400 to an empty body, so every documented body must be required."""
    spec = client.get("/v1/openapi.json").get_json()
    with_body = 0
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            body = op.get("requestBody")
            if not body:
                assert "415" not in op.get("responses", {}), (method, path)
                continue
            with_body += 1
            assert body.get("required") is True, (method, path)
            assert list(body["content"]) == ["application/json"], (method, path)
            resp = op["responses"]["415"]
            assert list(resp["content"]) == [PROBLEM], (method, path)
    assert with_body >= 15
