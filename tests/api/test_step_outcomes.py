"""Results that carry more than one object (match + warnings, account + code) keep their JSON."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.factories import (
    auth_headers,
    create_match,
    create_municipality,
    create_opportunity,
    create_team,
    create_user,
)

MATCH_FIELDS = {
    "id",
    "status",
    "recipientId",
    "opportunity",
    "score",
    "reasons",
    "message",
    "coachNote",
    "decisionReason",
    "requestedAt",
    "createdAt",
    "updatedAt",
    "history",
    "feedback",
}


def test_approval_is_the_match_with_warnings_beside_it(app, client, session: Session) -> None:
    from datetime import UTC, datetime

    m = create_municipality(session)
    coach = create_user(session, municipality=m, role="coach")
    person = create_user(session, municipality=m, role="recipient", coach=coach)
    opp = create_opportunity(session, team=create_team(session, municipality=m))
    match = create_match(
        session, person=person, opportunity=opp, history=[("requested", datetime.now(UTC))]
    )
    resp = client.post(f"/v1/matches/{match.id}/approve", headers=auth_headers(app, session, coach))
    assert resp.status_code == 200
    body = resp.get_json()
    assert set(body) == MATCH_FIELDS | {"warnings"}
    assert body["id"] == str(match.id) and body["status"] == "approved"
    assert body["warnings"] == []
    assert [e["toStatus"] for e in body["history"]] == ["requested", "approved"]


def test_a_new_staff_account_is_the_user_with_its_one_time_code(
    app, client, session: Session
) -> None:
    m = create_municipality(session)
    admin = create_user(session, municipality=m, role="admin")
    resp = client.post(
        "/v1/admin/users",
        json={"email": "Coach@Example.org", "role": "coach", "name": "Nieuwe Coach"},
        headers=auth_headers(app, session, admin),
    )
    assert resp.status_code == 201
    body = resp.get_json()
    assert set(body) == {
        "id",
        "email",
        "role",
        "name",
        "teamId",
        "municipalityId",
        "inviteCode",
        "expiresAt",
    }
    assert body["email"] == "coach@example.org" and body["role"] == "coach"
    assert body["teamId"] is None and body["municipalityId"] == str(m.id)
    assert body["inviteCode"] and body["expiresAt"]
