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
from api.plans.status import StepStatus
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
        session, step, StepStatus.AGREED, role="recipient", actor_id=w["person"].id, now=past
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


def _agreed(session: Session, w: dict[str, Any], kind: str, **more: Any) -> PlanStep:
    """A step the coach proposed and the person agreed to a while ago."""
    at = datetime.now(UTC) - timedelta(days=3)
    step = PlanStep(
        municipality_id=w["m"].id,
        recipient_id=w["person"].id,
        kind=kind,
        due_on=date.today() + timedelta(days=10),
        due_is_week=False,
        with_coach=False,
        **more,
    )
    lifecycle.propose(session, step, role="coach", actor_id=w["coach"].id, now=at)
    lifecycle.transition(
        session,
        step,
        StepStatus.AGREED,
        role="recipient",
        actor_id=w["person"].id,
        now=at + timedelta(minutes=5),
    )
    return step


def test_a_finished_match_suggests_its_step_done_and_the_person_confirms(
    app, client, session: Session
) -> None:
    from api.plans.jobs import suggest_step_closures

    w = _people(app, session)
    opp = create_opportunity(session, team=create_team(session, municipality=w["m"]))
    t0 = datetime.now(UTC) - timedelta(days=5)
    match = create_match(
        session,
        person=w["person"],
        opportunity=opp,
        history=[("requested", t0), ("approved", t0 + timedelta(hours=1))],
    )
    step = _agreed(session, w, "visit_activity", match_id=match.id)
    assert suggest_step_closures(session, now=datetime.now(UTC))["suggested_done"] == 0
    org = create_user(session, municipality=w["m"], role="organizer", team=None)
    org.team_id = opp.team_id
    session.flush()
    org_h = auth_headers(app, session, org)
    assert client.post(f"/v1/matches/{match.id}/confirm", headers=org_h).status_code == 200
    assert client.post(f"/v1/matches/{match.id}/complete", headers=org_h).status_code == 200
    assert suggest_step_closures(session, now=datetime.now(UTC))["suggested_done"] == 1
    assert suggest_step_closures(session, now=datetime.now(UTC))["suggested_done"] == 0
    item = client.get("/v1/me/steps", headers=w["person_h"]).get_json()["items"][0]
    assert item["status"] == "agreed"  # only a suggestion: the person says
    assert item["suggestedDone"]["source"] == "match"
    yes = client.patch(
        f"/v1/me/steps/{step.id}", json={"suggestedDone": True}, headers=w["person_h"]
    )
    assert yes.status_code == 200
    assert yes.get_json()["status"] == "done" and yes.get_json()["suggestedDone"] is None


def test_a_checkin_suggests_a_step_and_not_yet_is_respected(app, client, session: Session) -> None:
    w = _people(app, session)
    step = _agreed(session, w, "make_cv")
    today = date.today().isoformat()
    checkin = {"date": today, "hours": 2, "wellbeing": 4, "stepsTowardWork": ["cv_made"]}
    assert client.post("/v1/me/checkins", json=checkin, headers=w["person_h"]).status_code == 201
    item = client.get("/v1/me/steps", headers=w["person_h"]).get_json()["items"][0]
    assert item["suggestedDone"]["source"] == "checkin"
    not_yet = client.patch(
        f"/v1/me/steps/{step.id}", json={"suggestedDone": False}, headers=w["person_h"]
    )
    assert not_yet.status_code == 200
    body = not_yet.get_json()
    assert body["suggestedDone"] is None and body["status"] == "agreed"
    assert body["history"][-1]["action"] == "suggestion_dismissed"
    # a check-in that says the step is done closes it, in the person's own act
    done = {"date": today, "hours": 1, "wellbeing": 4, "doneStepIds": [str(step.id)]}
    assert client.post("/v1/me/checkins", json=done, headers=w["person_h"]).status_code == 201
    session.refresh(step)
    assert step.status == "done"


def test_a_checkin_cannot_close_someone_elses_step(app, client, session: Session) -> None:
    w = _people(app, session)
    v = _people(app, session)
    theirs = _agreed(session, v, "make_cv")
    body = {"date": date.today().isoformat(), "hours": 1, "wellbeing": 3}
    resp = client.post(
        "/v1/me/checkins", json={**body, "doneStepIds": [str(theirs.id)]}, headers=w["person_h"]
    )
    assert resp.status_code == 400
    assert resp.get_json()["invalidParams"][0]["name"] == "doneStepIds"
    session.refresh(theirs)
    assert theirs.status == "agreed"


def test_a_rung_reached_suggests_paid_work_done(app, client, session: Session) -> None:
    w = _people(app, session)
    _agreed(session, w, "start_paid_work")
    resp = client.post(
        f"/v1/caseload/{w['person'].id}/ladder-assessments",
        json={"step": 5, "note": "Werkt sinds maandag"},
        headers=w["coach_h"],
    )
    assert resp.status_code == 201
    item = client.get("/v1/me/steps", headers=w["person_h"]).get_json()["items"][0]
    assert item["suggestedDone"]["source"] == "ladder" and item["status"] == "agreed"


def test_export_holds_the_plan_and_the_funnel_counts_steps(app, client, session: Session) -> None:
    w = _people(app, session)
    step = _agreed(session, w, "make_cv")
    export = client.get("/v1/me/export", headers=w["person_h"]).get_json()
    assert [s["id"] for s in export["steps"]] == [str(step.id)]
    assert [e["action"] for e in export["steps"][0]["history"]] == ["proposed", "agreed"]
    admin = create_user(session, municipality=w["m"], role="admin")
    for i in range(10):
        p = create_user(session, municipality=w["m"], role="recipient", coach=w["coach"])
        s = _agreed(session, {**w, "person": p}, "visit_activity")
        if i < 3:
            lifecycle.transition(session, s, StepStatus.DONE, role="recipient", actor_id=p.id)
    report = client.get(
        "/v1/admin/reports/funnel?months=1", headers=auth_headers(app, session, admin)
    ).get_json()
    month = report["items"][-1]
    assert month["withAgreedStep"] == 11  # open at some moment of the month, done or not
    assert month["stepsDone"] is None and "stepsDone" in month["suppressed"]  # 3 < 10


def test_demo_plans_in_every_municipality_some_late_some_done(app, session: Session) -> None:
    from sqlalchemy import func

    from api.municipalities.models import Municipality
    from seeds.demo import _PLAN_STORIES, load_demo

    load_demo(app)
    session.expire_all()
    demo = list(session.scalars(select(Municipality.id).where(Municipality.cbs_code.is_not(None))))
    assert len(demo) == 7
    today = date.today()
    for mun in demo:
        steps = list(session.scalars(select(PlanStep).where(PlanStep.municipality_id == mun)))
        assert len(steps) == len(_PLAN_STORIES)
        assert any(s.status == "done" for s in steps)
        assert any(s.status == "agreed" and s.due_on < today for s in steps)  # late
        assert any(s.status == "proposed" for s in steps)
    load_demo(app)  # a second load finds what the first made
    again = session.scalar(
        select(func.count()).select_from(PlanStep).where(PlanStep.municipality_id.in_(demo))
    )
    assert again == len(_PLAN_STORIES) * len(demo)
