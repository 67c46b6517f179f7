"""A person sees who looked at their data, exports it, erases it; afterwards nobody finds them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from api.auth.security import Actor
from api.invitations.service import issue_activation_code
from api.matches.models import Match
from api.privacy.service import apply_retention
from api.progress.models import CheckIn
from api.users.models import User
from tests.factories import (
    PASSWORD,
    auth_headers,
    create_match,
    create_municipality,
    create_opportunity,
    create_profile,
    create_team,
    create_user,
)

NOW = datetime.now(UTC)
PERSONAL_TABLES = (
    ("recipient_profiles", "user_id"),
    ("checkins", "user_id"),
    ("ladder_entries", "user_id"),
    ("nudges", "user_id"),
    ("inbox_messages", "user_id"),
    ("devices", "user_id"),
    ("idempotency_keys", "user_id"),
    ("token_families", "user_id"),
    ("invitations", "recipient_id"),
    ("matches", "recipient_id"),
    ("audit_events", "subject_id"),
    ("audit_events", "actor_id"),
    ("match_events", "actor_id"),
    ("users", "id"),
)


@pytest.fixture()
def w(app, client, session: Session) -> dict[str, Any]:
    m = create_municipality(session)
    team = create_team(session, municipality=m)
    coach = create_user(session, municipality=m, role="coach", name="Sanne de Wit")
    admin = create_user(session, municipality=m, role="admin")
    org = create_user(session, municipality=m, role="organizer", team=team)
    person = create_user(
        session,
        municipality=m,
        role="recipient",
        name="Amina Benali",
        email="amina@example.org",
        coach=coach,
    )
    create_profile(session, user=person)
    opp = create_opportunity(session, team=team, title="Koken in De Meevaart", capacity=5)
    h = auth_headers(app, session, person)
    return {
        "m": m,
        "team": team,
        "coach": coach,
        "admin": admin,
        "org": org,
        "person": person,
        "opp": opp,
        "h": h,
        "ch": auth_headers(app, session, coach),
        "ah": auth_headers(app, session, admin),
        "oh": auth_headers(app, session, org),
    }


def _fill(client, session: Session, w) -> str:
    """Give the person a real history through the API."""
    mid = client.post(
        "/v1/me/matches",
        json={"opportunityId": str(w["opp"].id), "message": "Ik kook graag"},
        headers={**w["h"], "Idempotency-Key": "k1"},
    ).get_json()["id"]
    approved = client.post(
        f"/v1/matches/{mid}/approve", headers={**w["ch"], "Idempotency-Key": "coach-approve-1"}
    )
    assert approved.status_code == 200
    assert client.post(f"/v1/matches/{mid}/confirm", headers=w["oh"]).status_code == 200
    client.post(
        "/v1/me/checkins",
        json={
            "date": date.today().isoformat(),
            "hours": 3,
            "wellbeing": 4,
            "note": "Privé notitie",
            "ladderStep": 3,
        },
        headers=w["h"],
    )
    client.post(
        "/v1/me/devices", json={"platform": "ios", "pushToken": "apns-token-123"}, headers=w["h"]
    )
    assert client.get(f"/v1/caseload/{w['person'].id}", headers=w["ch"]).status_code == 200
    return mid


def test_access_log_shows_who_looked_when_and_why(client, session: Session, w) -> None:
    _fill(client, session, w)
    log = client.get("/v1/me/access-log", headers=w["h"])
    assert log.status_code == 200 and log.headers["Cache-Control"] == "no-store"
    entries = log.get_json()["items"]
    seen = {(e["actorRole"], e["action"], e["objectType"]) for e in entries}
    assert {
        ("coach", "update", "match"),  # approved the request
        ("organizer", "update", "match"),  # confirmed the start
        ("coach", "read", "caseload_person"),  # opened the person's page
    } <= seen
    assert all(e["purpose"] and e["result"] == "success" for e in entries)
    assert {e["actorName"] for e in entries if e["actorRole"] == "coach"} == {"Sanne de Wit"}
    # an organiser looking at the candidates is visible too
    looked = client.get(f"/v1/opportunities/{w['opp'].id}/matches", headers=w["oh"])
    assert looked.status_code == 200, looked.get_json()
    roles = [
        e["actorRole"] for e in client.get("/v1/me/access-log", headers=w["h"]).get_json()["items"]
    ]
    assert "organizer" in roles
    admin_view = client.get(
        f"/v1/admin/audit?subjectId={w['person'].id}&action=read", headers=w["ah"]
    )
    assert admin_view.status_code == 200
    assert {e["objectType"] for e in admin_view.get_json()["items"]} >= {
        "caseload_person",
        "candidate",
    }
    assert client.get("/v1/admin/audit", headers=w["ch"]).status_code == 403


def _pages(client, url: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        resp = client.get(url + (f"&cursor={cursor}" if cursor else ""), headers=headers)
        assert resp.status_code == 200, resp.get_json()
        items += resp.get_json()["items"]
        cursor = resp.get_json()["nextCursor"]
        if not cursor:
            return items


def test_access_log_and_audit_pages_show_every_event_once_newest_first(
    client, session: Session, w
) -> None:
    for _ in range(5):  # in one transaction these share a time: the id keeps the order
        assert client.get(f"/v1/caseload/{w['person'].id}", headers=w["ch"]).status_code == 200
    mine = _pages(client, "/v1/me/access-log?limit=2", w["h"])
    assert len(mine) == 5
    assert [e["at"] for e in mine] == sorted((e["at"] for e in mine), reverse=True)
    audit = _pages(client, f"/v1/admin/audit?limit=2&subjectId={w['person'].id}", w["ah"])
    assert len(audit) == len({e["id"] for e in audit}) == 5
    everything = client.get("/v1/admin/audit?limit=100", headers=w["ah"]).get_json()["items"]
    assert [e["id"] for e in audit] == [
        e["id"] for e in everything if e["id"] in {a["id"] for a in audit}
    ]


def test_export_holds_everything(app, client, session: Session, w) -> None:
    mid = _fill(client, session, w)
    coach = Actor(w["coach"].id, "coach", w["m"].id, None)
    invited = issue_activation_code(session, actor=coach, user=w["person"])
    # someone else's reply on the same caseload is not theirs to see
    other = create_user(session, municipality=w["m"], role="recipient", coach=w["coach"])
    create_profile(session, user=other)
    other_mid = client.post(
        "/v1/me/matches",
        json={"opportunityId": str(w["opp"].id), "message": "Iemand anders"},
        headers=auth_headers(app, session, other),
    ).get_json()["id"]
    assert (
        client.post(
            f"/v1/matches/{other_mid}/approve", headers={**w["ch"], "Idempotency-Key": "c-other"}
        ).status_code
        == 200
    )
    resp = client.get("/v1/me/export", headers=w["h"])
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    data = resp.get_json()
    text_ = resp.get_data(as_text=True)
    assert data["account"]["email"] == "amina@example.org"
    assert data["profile"]["displayName"] == "Amina"
    [match] = data["matches"]
    assert match["message"] == "Ik kook graag" and match["reasons"]
    assert [e["toStatus"] for e in match["history"]] == ["requested", "approved", "active"]
    assert data["checkins"][0]["note"] == "Privé notitie"
    assert data["ladder"]["selfReported"][0]["step"] == 3
    # push devices: the platform and when, the token masked
    [device] = data["devices"]
    assert device["platform"] == "ios" and device["createdAt"]
    assert device["pushToken"] == "****-123" and "apns-token" not in text_
    assert data["accessLog"][0]["actorRole"] == "coach"
    # who their coach is
    assert data["coach"] == {"id": str(w["coach"].id), "name": "Sanne de Wit"}
    # the invitation: when, by whom, what became of it; never the code
    [inv] = data["invitations"]
    assert inv["createdByName"] == "Sanne de Wit" and inv["createdByRole"] == "coach"
    assert inv["status"] == "open" and inv["usedAt"] is None and inv["expiresAt"]
    assert invited.invite_code not in text_ and invited.invite_code.replace("-", "") not in text_
    # sign-ins: started, last used, ended; never a token
    [sign_in] = data["sessions"]
    assert sign_in["createdAt"] and sign_in["lastUsedAt"] and sign_in["revokedAt"] is None
    assert w["h"]["Authorization"].split(" ")[1] not in text_
    # kept replies to retried requests: their own, and the coach's reply about their match
    replies = data["storedReplies"]
    own = [r for r in replies if r["yours"]]
    theirs = [r for r in replies if not r["yours"]]
    assert [r["key"] for r in own] == ["k1"] and own[0]["body"]["message"] == "Ik kook graag"
    assert [r["key"] for r in theirs] == [None]
    assert theirs[0]["statusCode"] == 200 and theirs[0]["body"]["id"] == mid
    assert other_mid not in text_ and "Iemand anders" not in text_


def test_erasure_leaves_nothing_that_names_the_person(client, session: Session, w) -> None:
    mid = _fill(client, session, w)
    pid = w["person"].id
    assert client.delete("/v1/me", headers=w["h"]).status_code == 204
    # the old token and the password no longer work
    assert client.get("/v1/me/profile", headers=w["h"]).status_code == 401
    assert (
        client.post(
            "/v1/auth/login", json={"email": "amina@example.org", "password": PASSWORD}
        ).status_code
        == 401
    )
    # no role finds them
    assert client.get(f"/v1/caseload/{pid}", headers=w["ch"]).status_code == 404
    assert str(pid) not in client.get("/v1/caseload", headers=w["ch"]).get_data(as_text=True)
    assert (
        client.get(f"/v1/opportunities/{w['opp'].id}/matches", headers=w["oh"]).get_json()["items"]
        == []
    )
    assert str(pid) not in client.get("/v1/admin/audit?limit=100", headers=w["ah"]).get_data(
        as_text=True
    )
    assert "Amina" not in client.get("/v1/matches?limit=100", headers=w["ch"]).get_data(
        as_text=True
    )
    # nothing in any table
    for table, column in PERSONAL_TABLES:
        count = session.execute(
            text(f"select count(*) from {table} where {column} = :id"), {"id": pid}
        ).scalar()  # noqa: S608
        assert count == 0, table
    for table, column in (("users", "email"), ("users", "name")):
        assert (
            session.execute(
                text(f"select count(*) from {table} where {column} ilike '%amina%'")
            ).scalar()
            == 0
        )  # noqa: S608
    # the match stays only as an anonymous count
    match = session.get(Match, mid)
    assert (
        match is not None
        and match.recipient_id is None
        and match.message is None
        and match.reasons == []
    )
    erased = session.execute(
        text("select actor_role, purpose from audit_events where action = 'delete'")
    ).all()
    assert [tuple(row) for row in erased] == [("recipient", "erasure asked by the person")]


def test_coach_or_admin_erases_at_the_desk_only_within_reach(
    app, client, session: Session, w
) -> None:
    other_coach = create_user(session, municipality=w["m"], role="coach")
    assert (
        client.delete(
            f"/v1/caseload/{w['person'].id}", headers=auth_headers(app, session, other_coach)
        ).status_code
        == 404
    )
    foreign_admin = create_user(session, municipality=create_municipality(session), role="admin")
    assert (
        client.delete(
            f"/v1/admin/users/{w['person'].id}", headers=auth_headers(app, session, foreign_admin)
        ).status_code
        == 404
    )
    assert client.delete(f"/v1/admin/users/{w['coach'].id}", headers=w["ah"]).status_code == 404
    assert client.delete(f"/v1/caseload/{w['person'].id}", headers=w["ch"]).status_code == 204
    assert (
        session.scalar(select(func.count()).select_from(User).where(User.id == w["person"].id)) == 0
    )


def test_retention_removes_old_notes_and_inactive_accounts(session: Session, w) -> None:
    old = CheckIn(
        user_id=w["person"].id,
        municipality_id=w["m"].id,
        date=date(2025, 1, 1),
        hours=2,
        wellbeing=3,
        note="oud",
        created_at=NOW - timedelta(days=400),
    )
    new = CheckIn(
        user_id=w["person"].id,
        municipality_id=w["m"].id,
        date=date.today(),
        hours=2,
        wellbeing=3,
        note="nieuw",
        created_at=NOW,
    )
    session.add_all([old, new])
    gone = create_user(session, municipality=w["m"], role="recipient", coach=w["coach"])
    gone.created_at = NOW - timedelta(days=1500)
    gone.last_login_at = NOW - timedelta(days=1200)
    busy = create_user(session, municipality=w["m"], role="recipient", coach=w["coach"])
    busy.created_at = NOW - timedelta(days=1500)
    create_match(
        session,
        person=busy,
        opportunity=w["opp"],
        history=[
            ("requested", NOW - timedelta(days=1302)),
            ("approved", NOW - timedelta(days=1301)),
            ("active", NOW - timedelta(days=1300)),
        ],
    )
    session.flush()
    done = apply_retention(
        session, now=NOW, municipality_id=w["m"].id, note_days=365, inactive_days=1095
    )
    assert done == {"notes_removed": 1, "accounts_erased": 1}
    session.refresh(old)
    session.refresh(new)
    assert old.note is None and new.note == "nieuw"
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(User).where(User.id == gone.id)) == 0
    assert session.scalar(select(func.count()).select_from(User).where(User.id == busy.id)) == 1
    assert (
        session.scalar(select(func.count()).select_from(User).where(User.id == w["person"].id)) == 1
    )
