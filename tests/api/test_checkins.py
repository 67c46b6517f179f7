"""Check-ins: only for the person's own started or finished activities (or none), once per
activity and day (also when two arrive at once), correctable and removable for 14 days, audited,
and the totals in progress follow every correction."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from api.audit.models import AuditEvent
from api.municipalities.models import Municipality
from api.progress import service as progress_service
from api.progress.models import CheckIn
from tests.factories import (
    auth_headers,
    create_match,
    create_municipality,
    create_opportunity,
    create_profile,
    create_team,
    create_user,
)

START = datetime.now(UTC) - timedelta(days=30)
TODAY = date.today()
STORIES = {
    "requested": ("requested",),
    "approved": ("requested", "approved"),
    "active": ("requested", "approved", "active"),
    "completed": ("requested", "approved", "active", "completed"),
    "withdrawn": ("requested", "withdrawn"),
}


def _match(session: Session, person: Any, team: Any, status: str) -> Any:
    opp = create_opportunity(session, team=team, title=f"Klus {status}")
    history = [(s, START + timedelta(days=i)) for i, s in enumerate(STORIES[status])]
    return create_match(session, person=person, opportunity=opp, history=history)


@pytest.fixture()
def w(app: Flask, session: Session) -> dict[str, Any]:
    m = create_municipality(session)
    team = create_team(session, municipality=m)
    coach = create_user(session, municipality=m, role="coach")
    person = create_user(session, municipality=m, coach=coach)
    other = create_user(session, municipality=m, coach=coach)
    create_profile(session, user=person)
    matches = {s: _match(session, person, team, s) for s in STORIES}
    return {
        "person": person,
        "matches": matches,
        "theirs": _match(session, other, team, "active"),
        "h": auth_headers(app, session, person),
        "other_h": auth_headers(app, session, other),
    }


def _post(client: FlaskClient, h: dict[str, str], **over: Any):
    body = {"date": TODAY.isoformat(), "hours": 3, "wellbeing": 4, **over}
    return client.post("/v1/me/checkins", json=body, headers=h)


def test_only_started_or_finished_own_matches_take_a_check_in(
    client: FlaskClient, w: dict[str, Any]
) -> None:
    for status in ("requested", "approved", "withdrawn"):
        resp = _post(client, w["h"], matchId=str(w["matches"][status].id))
        assert resp.status_code == 409, status
        assert resp.content_type == "application/problem+json"
        assert "als je begonnen bent" in resp.get_json()["detail"]  # Dutch unless asked otherwise
    english = _post(
        client,
        {**w["h"], "Accept-Language": "en"},
        matchId=str(w["matches"]["requested"].id),
    ).get_json()["detail"]
    assert "requested" in english and "once you have started" in english
    for status in ("active", "completed"):
        assert _post(client, w["h"], matchId=str(w["matches"][status].id)).status_code == 201
    assert _post(client, w["h"]).status_code == 201  # without an activity
    theirs = _post(client, w["h"], matchId=str(w["theirs"].id))
    assert theirs.status_code == 400
    assert theirs.get_json()["invalidParams"][0]["name"] == "matchId"


def test_one_check_in_per_match_and_day(client: FlaskClient, w: dict[str, Any]) -> None:
    match_id = str(w["matches"]["active"].id)
    first = _post(client, w["h"], matchId=match_id, hours=4)
    assert first.status_code == 201
    second = _post(client, w["h"], matchId=match_id, hours=4)
    assert second.status_code == 409
    assert second.get_json()["existingId"] == first.get_json()["id"]
    assert first.get_json()["id"] in second.get_json()["detail"]
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    assert _post(client, w["h"], matchId=match_id, date=yesterday).status_code == 201
    # without an activity several a day are fine (e.g. care at home and a walk-in)
    assert _post(client, w["h"]).status_code == _post(client, w["h"]).status_code == 201
    progress = client.get("/v1/me/progress", headers=w["h"]).get_json()
    assert progress["totalHours"] == 4 + 3 + 3 + 3


@pytest.fixture()
def committed(app: Flask, engine: Engine) -> Iterator[dict[str, Any]]:
    """An active match committed for real, so two requests in their own transactions see it."""
    with Session(engine, expire_on_commit=False) as s:
        m = create_municipality(s)
        team = create_team(s, municipality=m)
        person = create_user(s, municipality=m)
        match = _match(s, person, team, "active")
        headers = auth_headers(app, s, person)
        s.commit()
    yield {"m": m, "match": match, "headers": headers}
    with Session(engine) as s:
        s.delete(s.get(Municipality, m.id))
        s.commit()


def test_two_check_ins_for_one_match_and_day_at_once_give_one(
    app: Flask, engine: Engine, committed: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without the friendly look-up first, every request reaches the insert: the unique index
    # alone must let exactly one through and the others answer 409 naming it.
    monkeypatch.setattr(progress_service, "_already", lambda *a, **kw: None)
    body = {"date": TODAY.isoformat(), "hours": 2, "wellbeing": 3}
    body["matchId"] = str(committed["match"].id)
    barrier = threading.Barrier(4)
    results: list[Any] = [None] * 4

    def run(i: int) -> None:
        client = app.test_client()
        barrier.wait()
        resp = client.post("/v1/me/checkins", json=body, headers=committed["headers"])
        results[i] = (resp.status_code, resp.get_json())

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    statuses = sorted(r[0] for r in results)
    assert statuses == [201, 409, 409, 409], results
    made = next(r[1]["id"] for r in results if r[0] == 201)
    assert {r[1]["existingId"] for r in results if r[0] == 409} == {made}
    with Session(engine) as s:
        count = s.scalar(select(func.count()).where(CheckIn.match_id == committed["match"].id))
    assert count == 1


def test_correct_and_remove_within_14_days_audited_and_counted(
    client: FlaskClient, session: Session, w: dict[str, Any]
) -> None:
    match_id = str(w["matches"]["active"].id)
    made = _post(client, w["h"], matchId=match_id, hours=6, note="Eerste keer").get_json()
    other = _post(client, w["h"], hours=2).get_json()
    url = f"/v1/me/checkins/{made['id']}"
    assert made["changeableUntil"] > made["createdAt"]

    fixed = client.patch(url, json={"hours": 2.5, "note": None}, headers=w["h"])
    assert fixed.status_code == 200
    assert fixed.get_json()["hours"] == 2.5 and fixed.get_json()["note"] is None
    assert fixed.get_json()["matchId"] == match_id
    assert client.get("/v1/me/progress", headers=w["h"]).get_json()["totalHours"] == 4.5

    empty = client.patch(url, json={}, headers=w["h"])
    assert empty.status_code == 400
    unknown = client.patch(url, json={"matchId": match_id}, headers=w["h"])
    assert unknown.status_code == 400  # the activity of a check-in is not changed
    # moving it onto a day that already has a check-in for this activity
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    there = _post(client, w["h"], matchId=match_id, date=yesterday).get_json()
    clash = client.patch(url, json={"date": yesterday}, headers=w["h"])
    assert clash.status_code == 409 and clash.get_json()["existingId"] == there["id"]
    # someone else cannot touch it (404, as if it did not exist)
    assert client.patch(url, json={"hours": 1}, headers=w["other_h"]).status_code == 404
    assert client.delete(url, headers=w["other_h"]).status_code == 404

    assert client.delete(f"/v1/me/checkins/{other['id']}", headers=w["h"]).status_code == 204
    assert client.delete(f"/v1/me/checkins/{other['id']}", headers=w["h"]).status_code == 404
    progress = client.get("/v1/me/progress", headers=w["h"]).get_json()
    assert progress["totalHours"] == 2.5 + 3
    listed = client.get("/v1/me/checkins", headers=w["h"]).get_json()["items"]
    assert {c["id"] for c in listed} == {made["id"], there["id"]}

    audit = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.subject_id == w["person"].id, AuditEvent.object_type == "checkin")
        .order_by(AuditEvent.at)
    ).all()
    assert [(a.action, a.object_id, a.actor_id) for a in audit] == [
        ("update", made["id"], w["person"].id),
        ("delete", other["id"], w["person"].id),
    ]

    # after 14 days it stays as it is
    session.execute(
        update(CheckIn)
        .where(CheckIn.id == made["id"])
        .values(created_at=datetime.now(UTC) - timedelta(days=15))
    )
    late = client.patch(url, json={"hours": 8}, headers=w["h"])
    assert late.status_code == 409 and "14 dagen" in late.get_json()["detail"]
    assert client.delete(url, headers=w["h"]).status_code == 409
    assert client.get("/v1/me/progress", headers=w["h"]).get_json()["totalHours"] == 5.5
