"""An admin sees and sets every policy field; what a PUT leaves out of the later ones stays."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest
from sqlalchemy.orm import Session

from api.municipalities.policy import PolicySettings, load_policy
from api.schemas import camelcase
from matching.model import Weights
from tests.factories import auth_headers, create_municipality, create_user

ADDED_LATER = {
    "noCheckinWeeks": 5,
    "nudgesIgnoredCount": 4,
    "newOnCaseloadDays": 21,
    "checkinNoteRetentionDays": 730,
    "inactiveAccountRetentionDays": 1460,
    "maxRequestsPerDay": 2,
}


@pytest.fixture()
def admin(app, session: Session) -> dict[str, Any]:
    m = create_municipality(session)
    user = create_user(session, municipality=m, role="admin")
    return {"m": m, "h": auth_headers(app, session, user)}


def test_every_policy_field_is_shown_with_its_default(client, admin) -> None:
    policy = client.get("/v1/admin/policy", headers=admin["h"]).get_json()
    defaults = PolicySettings()
    assert set(policy) == {camelcase(f.name) for f in fields(PolicySettings)}
    assert set(policy["weights"]) == {f.name for f in fields(Weights)}
    assert policy["maxRequestsPerDay"] == defaults.max_requests_per_day == 5
    assert policy["inactiveAccountRetentionDays"] == defaults.inactive_account_retention_days
    assert policy["weights"]["interest"] == Weights().interest


def test_the_fields_added_later_can_be_set_and_are_used(client, session: Session, admin) -> None:
    policy = client.get("/v1/admin/policy", headers=admin["h"]).get_json()
    resp = client.put("/v1/admin/policy", json={**policy, **ADDED_LATER}, headers=admin["h"])
    assert resp.status_code == 200, resp.get_json()
    for key, value in ADDED_LATER.items():
        assert resp.get_json()[key] == value
    effective = load_policy(session, admin["m"].id)
    assert effective.max_requests_per_day == 2 and effective.no_checkin_weeks == 5


def test_a_put_without_the_later_fields_keeps_them(client, admin) -> None:
    policy = client.get("/v1/admin/policy", headers=admin["h"]).get_json()
    client.put("/v1/admin/policy", json={**policy, "maxRequestsPerDay": 3}, headers=admin["h"])
    older_client = {k: v for k, v in policy.items() if k not in ADDED_LATER}
    older_client["quietHours"] = {"start": "22:00", "end": "07:00"}
    resp = client.put("/v1/admin/policy", json=older_client, headers=admin["h"])
    assert resp.status_code == 200, resp.get_json()
    again = client.get("/v1/admin/policy", headers=admin["h"]).get_json()
    assert again["maxRequestsPerDay"] == 3
    assert again["quietHours"] == {"start": "22:00", "end": "07:00"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("maxRequestsPerDay", 0),
        ("checkinNoteRetentionDays", 1),
        ("inactiveAccountRetentionDays", 7),
        ("nudgesIgnoredCount", "many"),
    ],
)
def test_an_out_of_range_value_is_a_400_naming_the_field(client, admin, field, value) -> None:
    policy = client.get("/v1/admin/policy", headers=admin["h"]).get_json()
    resp = client.put("/v1/admin/policy", json={**policy, field: value}, headers=admin["h"])
    assert resp.status_code == 400
    assert [p["name"] for p in resp.get_json()["invalidParams"]] == [field]
    assert client.get("/v1/admin/policy", headers=admin["h"]).get_json()[field] == policy[field]


def test_the_fields_shown_from_the_start_stay_required(client, admin) -> None:
    policy = client.get("/v1/admin/policy", headers=admin["h"]).get_json()
    del policy["quietHours"]
    resp = client.put("/v1/admin/policy", json=policy, headers=admin["h"])
    assert resp.status_code == 400
    assert [p["name"] for p in resp.get_json()["invalidParams"]] == ["quietHours"]


def test_quiet_hours_have_one_shape_in_policy_and_profile(client, app, admin) -> None:
    """The policy's default quiet hours and a person's own are the same object, {start, end}."""
    policy = client.get("/v1/admin/policy", headers=admin["h"]).get_json()
    assert policy["quietHours"] == {"start": "21:00", "end": "08:00"}
    assert "quietHoursStart" not in policy and "quietHoursEnd" not in policy
    flat = {**policy, "quietHoursStart": "22:00"}
    resp = client.put("/v1/admin/policy", json=flat, headers=admin["h"])
    assert resp.status_code == 400  # the old flat fields are gone
    assert [p["name"] for p in resp.get_json()["invalidParams"]] == ["quietHoursStart"]
    half = {**policy, "quietHours": {"start": "22:00"}}
    resp = client.put("/v1/admin/policy", json=half, headers=admin["h"])
    assert [p["name"] for p in resp.get_json()["invalidParams"]] == ["quietHours.end"]
    with app.test_client() as c:
        schemas = c.get("/v1/openapi.json").get_json()["components"]["schemas"]
    ref = {"$ref": "#/components/schemas/QuietHours"}
    assert schemas["Policy"]["properties"]["quietHours"]["allOf"] == [ref]
    assert ref in schemas["NudgeSettings"]["properties"]["quietHours"]["anyOf"]
