"""Check-ins and progress for the person; flags, order and audit for the coach; a safe report."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.audit.models import AuditEvent
from api.matches.lifecycle import transition
from api.matches.status import MatchStatus
from api.nudges.models import InboxMessage
from api.progress.models import CheckIn
from tests.conftest import statements_sent
from tests.factories import (
    auth_headers,
    create_match,
    create_municipality,
    create_opportunity,
    create_profile,
    create_team,
    create_user,
)

NOW = datetime.now(UTC)


@pytest.fixture()
def w(app, session: Session) -> dict[str, Any]:
    m = create_municipality(session)
    team = create_team(session, municipality=m)
    coach = create_user(session, municipality=m, role="coach", name="Sanne Coach")
    coach2 = create_user(session, municipality=m, role="coach")
    person = create_user(session, municipality=m, role="recipient", name="Amina B", coach=coach)
    create_profile(session, user=person)
    opp = create_opportunity(session, team=team, title="Koken in De Meevaart")
    return {
        "m": m,
        "team": team,
        "coach": coach,
        "coach2": coach2,
        "person": person,
        "opp": opp,
        "h": auth_headers(app, session, person),
        "ch": auth_headers(app, session, coach),
        "ch2": auth_headers(app, session, coach2),
    }


def checkin(client, h, **over: Any):
    body = {"date": date.today().isoformat(), "hours": 4, "wellbeing": 4, **over}
    return client.post("/v1/me/checkins", json=body, headers=h)


def test_checkins_show_in_progress_and_in_the_coach_view(client, session: Session, w) -> None:
    match = create_match(
        session,
        person=w["person"],
        opportunity=w["opp"],
        history=[
            ("requested", NOW - timedelta(days=40)),
            ("approved", NOW - timedelta(days=39)),
            ("active", NOW - timedelta(days=38)),
        ],
    )
    first = checkin(
        client,
        w["h"],
        matchId=str(match.id),
        hours=6.5,
        ladderStep=3,
        stepsTowardWork=["cv_made"],
        note="Ging goed, leuke collega's",
    )
    assert first.status_code == 201, first.get_json()
    checkin(
        client,
        w["h"],
        hours=3,
        informalCare=True,
        ladderStep=4,
        stepsTowardWork=["applied_for_job"],
    )
    progress = client.get("/v1/me/progress", headers=w["h"]).get_json()
    month = date.today().strftime("%Y-%m")
    assert progress["hoursPerMonth"] == [{"month": month, "hours": 6.5, "informalCareHours": 3.0}]
    assert progress["totalHours"] == 9.5
    assert [s["step"] for s in progress["stepsTowardWork"]] == ["cv_made", "applied_for_job"]
    assert [e["step"] for e in progress["ladder"]["selfReported"]] == [3, 4]
    assert progress["ladder"]["selfReported"][1]["name"]["nl"] == "onbetaald werk"
    assert progress["ladder"]["coachAssessed"] == []
    assert [m["id"] for m in progress["activeMatches"]] == [str(match.id)]
    # the coach records their own view, kept apart
    assess = client.post(
        f"/v1/caseload/{w['person'].id}/ladder-assessments",
        json={"step": 3, "note": "Nog wat steun nodig"},
        headers=w["ch"],
    )
    assert assess.status_code == 201
    detail = client.get(f"/v1/caseload/{w['person'].id}", headers=w["ch"])
    assert detail.status_code == 200
    body = detail.get_json()
    assert [c["hours"] for c in body["checkins"]] == [6.5, 3.0] or [
        c["hours"] for c in body["checkins"]
    ] == [3.0, 6.5]
    assert "Ging goed, leuke collega's" in [c["note"] for c in body["checkins"]]
    assert [e["step"] for e in body["ladder"]["coachAssessed"]] == [3]
    assert [e["step"] for e in body["ladder"]["selfReported"]] == [3, 4]
    assert (
        client.get("/v1/me/progress", headers=w["h"]).get_json()["ladder"]["coachAssessed"][0][
            "note"
        ]
        == "Nog wat steun nodig"
    )
    # every detail read is in the audit trail
    reads = session.scalars(
        select(AuditEvent).where(
            AuditEvent.subject_id == w["person"].id, AuditEvent.action == "read"
        )
    ).all()
    assert (
        len(reads) == 1
        and reads[0].actor_name == "Sanne Coach"
        and (reads[0].origin or "").startswith("GET ")
    )


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"date": (date.today() + timedelta(days=2)).isoformat()}, "date"),
        ({"hours": 81}, "hours"),
        ({"hours": -1}, "hours"),
        ({"wellbeing": 0}, "wellbeing"),
        ({"ladderStep": 7}, "ladderStep"),
        ({"stepsTowardWork": ["won_the_lottery"]}, "stepsTowardWork.0"),
        ({"matchId": "00000000-0000-4000-8000-000000000000"}, "matchId"),
        ({"note": "x" * 1001}, "note"),
        ({"mood": "good"}, "mood"),
    ],
)
def test_bad_checkins_are_400_and_write_nothing(client, session: Session, w, over, field) -> None:
    resp = checkin(client, w["h"], **over)
    assert resp.status_code == 400, resp.get_json()
    assert field in [p["name"] for p in resp.get_json()["invalidParams"]]
    assert session.scalar(select(func.count()).select_from(CheckIn)) == 0


def test_checkin_idempotency_key(client, session: Session, w) -> None:
    h = {**w["h"], "Idempotency-Key": "checkin-1"}
    a = client.post(
        "/v1/me/checkins",
        json={"date": date.today().isoformat(), "hours": 2, "wellbeing": 3},
        headers=h,
    )
    b = client.post(
        "/v1/me/checkins",
        json={"date": date.today().isoformat(), "hours": 2, "wellbeing": 3},
        headers=h,
    )
    assert a.status_code == b.status_code == 201 and a.get_json()["id"] == b.get_json()["id"]
    other = client.post(
        "/v1/me/checkins",
        json={"date": date.today().isoformat(), "hours": 5, "wellbeing": 3},
        headers=h,
    )
    assert other.status_code == 409
    assert session.scalar(select(func.count()).select_from(CheckIn)) == 1


def test_refusals(app, client, session: Session, w) -> None:
    assert client.get(f"/v1/caseload/{w['person'].id}", headers=w["ch2"]).status_code == 404
    assert (
        client.post(
            f"/v1/caseload/{w['person'].id}/ladder-assessments", json={"step": 2}, headers=w["ch2"]
        ).status_code
        == 404
    )
    assert client.get("/v1/caseload", headers=w["h"]).status_code == 403
    assert client.get(f"/v1/caseload/{w['person'].id}", headers=w["h"]).status_code == 403
    assert client.get("/v1/me/checkins", headers=w["ch"]).status_code == 403
    other_mun = create_municipality(session)
    foreign_coach = create_user(session, municipality=other_mun, role="coach")
    assert (
        client.get(
            f"/v1/caseload/{w['person'].id}", headers=auth_headers(app, session, foreign_coach)
        ).status_code
        == 404
    )
    assert client.get("/v1/caseload?flag=lazy", headers=w["ch"]).status_code == 400
    # nothing was read or written; the refused attempts on the person are kept as denied
    # (only this test's rows: denied sign-ins of other tests are committed and have no municipality)
    rows = session.execute(
        select(AuditEvent.result, AuditEvent.action, AuditEvent.object_type).where(
            AuditEvent.municipality_id.in_([w["m"].id, other_mun.id])
        )
    )
    assert sorted(rows) == [
        ("denied", "create", "ladder_assessment"),
        ("denied", "read", "caseload_person"),
        ("denied", "read", "caseload_person"),
    ]


def test_checkins_page_newest_first_each_once(client, w) -> None:
    today = date.today()
    for days_ago in (3, 0, 1, 1, 2, 0, 5):
        made = checkin(client, w["h"], date=(today - timedelta(days=days_ago)).isoformat())
        assert made.status_code == 201
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = client.get(
            "/v1/me/checkins?limit=3" + (f"&cursor={cursor}" if cursor else ""), headers=w["h"]
        ).get_json()
        seen += page["items"]
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert len(seen) == len({c["id"] for c in seen}) == 7
    assert [c["date"] for c in seen] == sorted((c["date"] for c in seen), reverse=True)


def _flags(client, w) -> dict[str, list[str]]:
    items = client.get("/v1/caseload?limit=100", headers=w["ch"]).get_json()["items"]
    return {i["displayName"]: i["flags"] for i in items}


def test_flags_appear_and_disappear_as_data_changes(client, session: Session, w) -> None:
    person = w["person"]
    person.created_at = NOW - timedelta(weeks=20)
    person.last_login_at = NOW - timedelta(weeks=6)
    session.flush()
    # on the caseload for weeks without an agreed step of a plan
    assert _flags(client, w)["Amina"] == ["inactive_weeks", "no_agreed_step"]
    # a request waiting for 4 days
    match = create_match(
        session,
        person=person,
        opportunity=w["opp"],
        history=[("requested", NOW - timedelta(days=4))],
    )
    assert "request_waiting" in _flags(client, w)["Amina"]
    assert client.post(f"/v1/matches/{match.id}/approve", headers=w["ch"]).status_code == 200
    assert "request_waiting" not in _flags(client, w)["Amina"]
    # active for four weeks without a check-in
    session.refresh(match)  # approved by the request's session
    transition(session, match, MatchStatus.ACTIVE, role="organizer", now=NOW - timedelta(weeks=4))
    assert "no_checkin_weeks" in _flags(client, w)["Amina"]
    for wellbeing in (4, 4, 4):
        checkin(client, w["h"], wellbeing=wellbeing)
    flags = _flags(client, w)["Amina"]
    assert "no_checkin_weeks" not in flags and "inactive_weeks" not in flags
    assert "wellbeing_dropping" not in flags
    checkin(client, w["h"], wellbeing=3)
    checkin(client, w["h"], wellbeing=2)
    assert "wellbeing_dropping" in _flags(client, w)["Amina"]
    checkin(client, w["h"], wellbeing=4)
    checkin(client, w["h"], wellbeing=5)
    assert "wellbeing_dropping" not in _flags(client, w)["Amina"]
    # three messages unread
    msgs = [
        InboxMessage(
            user_id=person.id,
            kind="checkin_prompt",
            title="t",
            body="b",
            created_at=NOW - timedelta(days=d),
        )
        for d in (1, 8, 15)
    ]
    session.add_all(msgs)
    session.flush()
    assert "nudges_ignored" in _flags(client, w)["Amina"]
    client.post(f"/v1/me/inbox/{msgs[0].id}/read", headers=w["h"])
    assert "nudges_ignored" not in _flags(client, w)["Amina"]


def test_ladder_stalled_and_new_on_caseload(client, session: Session, w) -> None:
    w["person"].created_at = NOW - timedelta(days=300)
    w["person"].last_login_at = NOW
    newcomer = create_user(
        session, municipality=w["m"], role="recipient", name="Nieuw Iemand", coach=w["coach"]
    )
    create_profile(session, user=newcomer)
    session.flush()
    flags = _flags(client, w)
    assert flags["Amina"] == ["ladder_stalled", "no_agreed_step"]
    assert flags["Nieuw"] == ["new_on_caseload"]  # new: no plan expected yet
    client.patch("/v1/me/profile", json={"ladderStep": 3}, headers=w["h"])
    assert _flags(client, w)["Amina"] == ["no_agreed_step"]


def test_sorted_by_need_filterable_paginated_with_counts(client, session: Session, w) -> None:
    names = []
    for i in range(7):
        p = create_user(
            session, municipality=w["m"], role="recipient", name=f"Persoon{i} X", coach=w["coach"]
        )
        create_profile(session, user=p)
        p.created_at = NOW - timedelta(weeks=30)
        p.last_login_at = NOW
        names.append(p)
        if i % 2 == 0:
            create_match(
                session,
                person=p,
                opportunity=w["opp"],
                history=[("requested", NOW - timedelta(days=5))],
            )
    create_user(session, municipality=w["m"], role="recipient", coach=w["coach2"])  # not mine
    session.flush()
    seen, cursor, needs = [], None, []
    while True:
        page = client.get(
            "/v1/caseload?limit=3" + (f"&cursor={cursor}" if cursor else ""), headers=w["ch"]
        ).get_json()
        seen += [i["displayName"] for i in page["items"]]
        needs += [i["need"] for i in page["items"]]
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 8
    assert needs == sorted(needs, reverse=True)
    assert seen[:4] == ["Persoon0", "Persoon2", "Persoon4", "Persoon6"]
    assert page["total"] == 8 and page["counts"]["requestWaiting"] == 4
    only = client.get("/v1/caseload?flag=request_waiting", headers=w["ch"]).get_json()
    assert [i["displayName"] for i in only["items"]] == [
        "Persoon0",
        "Persoon2",
        "Persoon4",
        "Persoon6",
    ]
    assert only["counts"]["requestWaiting"] == 4


def _all_pages(client, w, limit: int) -> tuple[list[dict[str, Any]], list[str]]:
    items: list[dict[str, Any]] = []
    cursors: list[str] = []
    cursor = None
    while True:
        page = client.get(
            f"/v1/caseload?limit={limit}" + (f"&cursor={cursor}" if cursor else ""),
            headers=w["ch"],
        ).get_json()
        items += page["items"]
        cursor = page["nextCursor"]
        if not cursor:
            return items, cursors
        cursors.append(cursor)


def test_caseload_cursor_holds_nothing_personal_and_pages_cover_everyone_once(
    client, session: Session, w
) -> None:
    people = [w["person"]]
    for i in range(10):  # five share a display name (and a need): the id breaks the tie
        name = "Sam de Vries" if i < 5 else f"Noor{i} Bakker"
        p = create_user(session, municipality=w["m"], role="recipient", name=name, coach=w["coach"])
        create_profile(session, user=p)
        people.append(p)
        if i % 3 == 0:
            create_match(
                session,
                person=p,
                opportunity=w["opp"],
                history=[("requested", NOW - timedelta(days=5))],
            )
    session.flush()
    items, cursors = _all_pages(client, w, limit=2)
    ids = [i["recipientId"] for i in items]
    assert len(ids) == len(set(ids)) == len(people)
    assert set(ids) == {str(p.id) for p in people}
    needs = [i["need"] for i in items]
    assert needs == sorted(needs, reverse=True)
    name_parts = {part.lower() for p in people for part in p.name.split() if len(part) > 2}
    for cursor, last in zip(cursors, items[1::2], strict=False):
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        assert decoded == [last["need"], last["recipientId"]]  # a score and an id, no name
        assert not any(part in json.dumps(decoded).lower() for part in name_parts)


def test_paging_goes_on_when_the_last_person_shown_left_the_caseload(
    client, session: Session, w
) -> None:
    for i in range(4):
        p = create_user(
            session, municipality=w["m"], role="recipient", name=f"Lid{i} X", coach=w["coach"]
        )
        create_profile(session, user=p)
    session.flush()
    first = client.get("/v1/caseload?limit=2", headers=w["ch"]).get_json()
    mine = {i["recipientId"] for i in _all_pages(client, w, limit=100)[0]}
    gone = first["items"][-1]["recipientId"]
    moved = session.get(type(w["person"]), gone)
    assert moved is not None
    moved.coach_id = w["coach2"].id
    session.flush()
    rest = client.get(f"/v1/caseload?limit=100&cursor={first['nextCursor']}", headers=w["ch"])
    assert rest.status_code == 200
    shown = {i["recipientId"] for i in first["items"]} | {
        i["recipientId"] for i in rest.get_json()["items"]
    }
    assert shown >= mine - {gone}  # nobody is skipped


def test_caseload_page_is_one_query_whatever_its_size(
    app, client, session: Session, engine, w
) -> None:
    def count_queries(n_people: int) -> int:
        for i in range(n_people):
            p = create_user(session, municipality=w["m"], role="recipient", coach=w["coach"])
            create_profile(session, user=p)
            create_match(
                session,
                person=p,
                opportunity=w["opp"],
                history=[("requested", NOW - timedelta(days=i))],
            )
            session.add(
                CheckIn(
                    user_id=p.id, municipality_id=w["m"].id, date=date.today(), hours=2, wellbeing=3
                )
            )
        session.flush()
        with statements_sent(engine) as statements:
            resp = client.get("/v1/caseload?limit=100", headers=w["ch"])
        assert resp.status_code == 200
        return len([s for s in statements if "SAVEPOINT" not in s.upper()])

    few = count_queries(3)
    many = count_queries(30)
    assert few == many
    # token check, policy, the caseload query itself, and the audit of who was seen (one insert)
    assert many <= 5


def test_funnel_report_suppresses_small_cells(app, client, session: Session, w) -> None:
    admin = create_user(session, municipality=w["m"], role="admin")
    for i in range(12):
        p = create_user(session, municipality=w["m"], role="recipient", coach=w["coach"])
        create_profile(session, user=p)
        story = [("requested", NOW - timedelta(hours=2))]
        if i < 3:
            story.append(("approved", NOW - timedelta(hours=1)))
        create_match(session, person=p, opportunity=w["opp"], history=story)
    resp = client.get(
        "/v1/admin/reports/funnel?months=2", headers=auth_headers(app, session, admin)
    )
    assert resp.status_code == 200
    this_month = resp.get_json()["items"][-1]
    assert this_month["requested"] == 12
    assert this_month["withProfile"] == 13
    assert this_month["approved"] is None and "approved" in this_month["suppressed"]
    assert resp.get_json()["minCell"] == 10
    assert client.get("/v1/admin/reports/funnel", headers=w["ch"]).status_code == 403
