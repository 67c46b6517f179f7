"""A person's plan of small steps: proposed, agreed by the other side, done or dropped; late is
only a date passed; at most three open; every coach read in the person's access log."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audit.models import AuditEvent
from api.plans import lifecycle
from api.plans.models import PlanStep
from tests.factories import (
    auth_headers,
    create_match,
    create_municipality,
    create_opportunity,
    create_profile,
    create_team,
    create_user,
)


def _people(app, session: Session) -> dict[str, Any]:
    m = create_municipality(session)
    coach = create_user(session, municipality=m, role="coach")
    person = create_user(session, municipality=m, role="recipient", coach=coach)
    create_profile(session, user=person)
    return {
        "m": m,
        "coach": coach,
        "person": person,
        "coach_h": auth_headers(app, session, coach),
        "person_h": auth_headers(app, session, person),
        "case": f"/v1/caseload/{person.id}/steps",
    }


def _soon(days: int = 7) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def test_coach_proposes_and_the_person_says_yes(app, client, session: Session) -> None:
    w = _people(app, session)
    resp = client.post(
        w["case"],
        json={"kind": "make_cv", "dueOn": _soon(), "why": "Dan kun je solliciteren"},
        headers=w["coach_h"],
    )
    assert resp.status_code == 201, resp.get_json()
    step = resp.get_json()
    assert step["status"] == "proposed" and step["proposedBy"] == "coach"
    assert step["waitingFor"] == "recipient" and step["late"] is False
    # the coach cannot agree to their own proposal
    own = client.patch(f"{w['case']}/{step['id']}", json={"status": "agreed"}, headers=w["coach_h"])
    assert own.status_code == 409
    mine = client.get("/v1/me/steps", headers=w["person_h"]).get_json()["items"]
    assert [s["id"] for s in mine] == [step["id"]]
    yes = client.patch(
        f"/v1/me/steps/{step['id']}", json={"status": "agreed"}, headers=w["person_h"]
    )
    assert yes.status_code == 200
    body = yes.get_json()
    assert body["status"] == "agreed" and body["waitingFor"] is None
    assert [e["action"] for e in body["history"]] == ["proposed", "agreed"]
    assert [e["actorRole"] for e in body["history"]] == ["coach", "recipient"]


def test_a_persons_proposal_needs_the_coach(app, client, session: Session) -> None:
    w = _people(app, session)
    resp = client.post(
        "/v1/me/steps",
        json={"what": "Langs bij de taalcafé", "dueWeek": "2030-W10"},
        headers=w["person_h"],
    )
    assert resp.status_code == 201, resp.get_json()
    step = resp.get_json()
    assert step["waitingFor"] == "coach" and step["dueWeek"] == "2030-W10"
    assert step["dueOn"] == "2030-03-10"  # the Sunday ending that week
    self_agree = client.patch(
        f"/v1/me/steps/{step['id']}", json={"status": "agreed"}, headers=w["person_h"]
    )
    assert self_agree.status_code == 409
    ok = client.patch(f"{w['case']}/{step['id']}", json={"status": "agreed"}, headers=w["coach_h"])
    assert ok.status_code == 200 and ok.get_json()["status"] == "agreed"


def test_a_person_without_a_coach_keeps_their_own_plan(app, client, session: Session) -> None:
    m = create_municipality(session)
    alone = create_user(session, municipality=m, role="recipient")
    resp = client.post(
        "/v1/me/steps",
        json={"kind": "visit_activity", "dueOn": _soon()},
        headers=auth_headers(app, session, alone),
    )
    assert resp.status_code == 201
    assert resp.get_json()["status"] == "agreed"


def test_at_most_three_open_steps(app, client, session: Session) -> None:
    w = _people(app, session)
    for i in range(3):
        r = client.post(
            "/v1/me/steps", json={"what": f"Stap {i}", "dueOn": _soon()}, headers=w["person_h"]
        )
        assert r.status_code == 201
    fourth = client.post(
        w["case"], json={"what": "Nog een", "dueOn": _soon()}, headers=w["coach_h"]
    )
    assert fourth.status_code == 409
    assert fourth.content_type == "application/problem+json"
    first = client.get("/v1/me/steps", headers=w["person_h"]).get_json()["items"][0]
    drop = client.patch(
        f"/v1/me/steps/{first['id']}",
        json={"status": "dropped", "reason": "Past nu niet, ik zorg voor mijn moeder"},
        headers=w["person_h"],
    )
    assert drop.status_code == 200
    assert drop.get_json()["dropReason"] == "Past nu niet, ik zorg voor mijn moeder"
    again = client.post(w["case"], json={"what": "Nog een", "dueOn": _soon()}, headers=w["coach_h"])
    assert again.status_code == 201


def test_bad_input_names_the_field(app, client, session: Session) -> None:
    w = _people(app, session)
    cases = [
        ({"dueOn": _soon()}, "what"),
        ({"kind": "fly_to_the_moon", "dueOn": _soon()}, "kind"),
        ({"kind": "make_cv"}, "dueOn"),
        ({"kind": "make_cv", "dueOn": "2020-01-01"}, "dueOn"),
        ({"kind": "make_cv", "dueWeek": "2030-W60"}, "dueWeek"),
        ({"kind": "make_cv", "dueOn": _soon(), "withCoach": "yes"}, "withCoach"),
        ({"kind": "make_cv", "dueOn": _soon(), "extra": 1}, "extra"),
    ]
    for body, field in cases:
        resp = client.post("/v1/me/steps", json=body, headers=w["person_h"])
        assert resp.status_code == 400, (body, resp.get_json())
        assert resp.content_type == "application/problem+json"
        names = [p["name"] for p in resp.get_json()["invalidParams"]]
        assert field in names, (body, names)
    step = client.post(
        "/v1/me/steps", json={"kind": "make_cv", "dueOn": _soon()}, headers=w["person_h"]
    ).get_json()
    no_reason = client.patch(
        f"/v1/me/steps/{step['id']}", json={"status": "dropped"}, headers=w["person_h"]
    )
    assert no_reason.status_code == 400
    assert [p["name"] for p in no_reason.get_json()["invalidParams"]] == ["reason"]
    empty = client.patch(f"/v1/me/steps/{step['id']}", json={}, headers=w["person_h"])
    assert empty.status_code == 400


def test_a_link_to_someone_elses_match_is_refused_like_a_missing_one(
    app, client, session: Session
) -> None:
    w = _people(app, session)
    other = create_user(session, municipality=w["m"], role="recipient", coach=w["coach"])
    opp = create_opportunity(session, team=create_team(session, municipality=w["m"]))
    theirs = create_match(
        session, person=other, opportunity=opp, history=[("requested", datetime.now(UTC))]
    )
    body = {"kind": "visit_activity", "dueOn": _soon(), "matchId": str(theirs.id)}
    resp = client.post("/v1/me/steps", json=body, headers=w["person_h"])
    assert resp.status_code == 400
    assert resp.get_json()["invalidParams"][0]["name"] == "matchId"


def test_late_is_derived_from_the_date_and_a_new_date_ends_it(
    app, client, session: Session
) -> None:
    w = _people(app, session)
    past = datetime.now(UTC) - timedelta(days=20)
    step = PlanStep(
        municipality_id=w["m"].id,
        recipient_id=w["person"].id,
        kind="make_cv",
        due_on=(past + timedelta(days=6)).date(),
        due_is_week=False,
        with_coach=False,
    )
    lifecycle.propose(session, step, role="coach", actor_id=w["coach"].id, now=past)
    lifecycle.transition(
        session, step, "agreed", role="recipient", actor_id=w["person"].id, now=past
    )
    item = client.get("/v1/me/steps", headers=w["person_h"]).get_json()["items"][0]
    assert item["status"] == "agreed" and item["late"] is True and item["lateDays"] >= 13
    moved = client.patch(f"/v1/me/steps/{step.id}", json={"dueOn": _soon(3)}, headers=w["person_h"])
    assert moved.status_code == 200
    body = moved.get_json()
    assert body["late"] is False and body["status"] == "agreed"
    assert body["history"][-1]["action"] == "new_date"


def test_foreign_steps_do_not_exist_and_coach_reads_are_logged(
    app, client, session: Session
) -> None:
    w = _people(app, session)
    v = _people(app, session)  # another municipality
    step = client.post(
        "/v1/me/steps", json={"kind": "make_cv", "dueOn": _soon()}, headers=w["person_h"]
    ).get_json()
    other = create_user(session, municipality=w["m"], role="recipient", coach=w["coach"])
    other_h = auth_headers(app, session, other)
    assert (
        client.patch(
            f"/v1/me/steps/{step['id']}", json={"status": "done"}, headers=other_h
        ).status_code
        == 404
    )
    # the coach reaches it only under the person's own id
    wrong = f"/v1/caseload/{other.id}/steps/{step['id']}"
    assert client.patch(wrong, json={"status": "agreed"}, headers=w["coach_h"]).status_code == 404
    assert client.get(w["case"], headers=v["coach_h"]).status_code == 404
    assert client.get(w["case"], headers=w["coach_h"]).status_code == 200
    reads = session.scalars(
        select(AuditEvent.object_type).where(
            AuditEvent.subject_id == w["person"].id, AuditEvent.action == "read"
        )
    ).all()
    assert "plan" in reads
    log = client.get("/v1/me/access-log", headers=w["person_h"]).get_json()["items"]
    assert log
