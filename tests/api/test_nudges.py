"""Each nudge fires when due and not before; caps, pause and quiet hours hold; once per key."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.matches.jobs import expire_requests
from api.nudges.dispatcher import dispatch_batch
from api.nudges.models import InboxMessage, Nudge
from api.nudges.outbox import PlanStats
from api.nudges.planners import run_planners
from api.nudges.providers import LogPushProvider
from tests.factories import (
    auth_headers,
    create_match,
    create_municipality,
    create_opportunity,
    create_profile,
    create_team,
    create_user,
)

# Wednesday 25 Nov 2026, 10:00 in Amsterdam
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def plan(session: Session, name: str, now: datetime) -> PlanStats:
    stats = PlanStats.empty()
    run_planners(session, name, now=now, stats=stats)
    session.flush()
    return stats


def nudges(session: Session, **where: Any) -> list[Nudge]:
    stmt = select(Nudge).order_by(Nudge.created_at, Nudge.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(Nudge, key) == value)
    return list(session.scalars(stmt))


@pytest.fixture()
def w(session: Session) -> dict[str, Any]:
    m = create_municipality(session)
    team = create_team(session, municipality=m)
    coach = create_user(session, municipality=m, role="coach")
    org = create_user(session, municipality=m, role="organizer", team=team)
    person = create_user(session, municipality=m, role="recipient", name="Amina B", coach=coach)
    profile = create_profile(session, user=person)
    opp = create_opportunity(
        session, team=team, lat=52.381, lon=4.851, title="Koken in De Meevaart"
    )
    return {
        "m": m,
        "team": team,
        "coach": coach,
        "org": org,
        "person": person,
        "profile": profile,
        "opp": opp,
    }


def test_request_waiting_tells_the_coach_after_three_days_then_expires(session: Session, w) -> None:
    match = create_match(
        session, person=w["person"], opportunity=w["opp"], history=[("requested", T0)]
    )
    plan(session, "request_followups", T0 + timedelta(days=2, hours=23))
    assert nudges(session, kind="request_waiting") == []
    plan(session, "request_followups", T0 + timedelta(days=3, hours=1))
    plan(session, "request_followups", T0 + timedelta(days=4))
    waiting = nudges(session, kind="request_waiting")
    assert [n.user_id for n in waiting] == [w["coach"].id]
    assert waiting[0].params["person"] == "Amina" and waiting[0].params["days"] == 3
    assert nudges(session, kind="request_expired") == []
    # the matches' own job expires it (as run-due and the scheduler do, before the planners)
    assert expire_requests(session, now=T0 + timedelta(days=13)) == {"requests_expired": 0}
    assert expire_requests(session, now=T0 + timedelta(days=14, hours=1)) == {"requests_expired": 1}
    session.refresh(match)
    assert match.status == "expired"
    plan(session, "request_followups", T0 + timedelta(days=14, hours=1))
    expired = nudges(session, kind="request_expired")
    assert [n.user_id for n in expired] == [w["person"].id]
    assert expired[0].params == {
        "name": w["profile"].display_name,
        "title": "Koken in De Meevaart",
        "days": 14,
    }
    # told once: later runs neither tell again nor count it
    again = plan(session, "request_followups", T0 + timedelta(days=15))
    assert again.created == {} and again.skipped_existing == 0
    assert len(nudges(session, kind="request_expired")) == 1


def test_expired_request_is_told_with_the_expiry_itself(session: Session, w) -> None:
    match = create_match(
        session, person=w["person"], opportunity=w["opp"], history=[("requested", T0)]
    )
    expire_requests(session, now=T0 + timedelta(days=14, hours=1))
    # written in the same transaction as the expiry, an event: never capped, about the match
    (told,) = nudges(session, kind="request_expired")
    assert told.channel == "event" and told.created_at == T0 + timedelta(days=14, hours=1)
    assert (told.target_type, told.target_id) == ("match", str(match.id))
    (inbox,) = session.scalars(
        select(InboxMessage).where(InboxMessage.user_id == w["person"].id)
    ).all()
    assert inbox.kind == "request_expired" and inbox.target_id == str(match.id)
    # the planners later add nothing
    plan(session, "request_followups", T0 + timedelta(days=21, hours=2))
    assert len(nudges(session, kind="request_expired")) == 1


def test_requests_expire_also_where_the_expired_message_is_off(session: Session, w) -> None:
    from api.municipalities.models import Policy
    from api.municipalities.policy import PolicySettings

    kinds = [k for k in PolicySettings().nudge_kinds if k != "request_expired"]
    session.merge(Policy(municipality_id=w["m"].id, settings={"nudge_kinds": kinds}))
    match = create_match(
        session, person=w["person"], opportunity=w["opp"], history=[("requested", T0)]
    )
    assert expire_requests(session, now=T0 + timedelta(days=13)) == {"requests_expired": 0}
    assert expire_requests(session, now=T0 + timedelta(days=30))["requests_expired"] >= 1
    session.refresh(match)
    assert match.status == "expired"
    # nobody is told, since the municipality switched that message off
    stats = PlanStats.empty()
    run_planners(session, "request_followups", now=T0 + timedelta(days=30), stats=stats)
    session.flush()
    assert (
        session.scalars(select(InboxMessage).where(InboxMessage.user_id == w["person"].id)).all()
        == []
    )


def test_run_due_expires_then_tells_and_delivers(app, session: Session, w) -> None:
    match = create_match(
        session, person=w["person"], opportunity=w["opp"], history=[("requested", T0)]
    )
    at = T0 + timedelta(days=14, hours=1)  # a Wednesday
    # weekly suggestions on Mondays: not on this run (else on one person in five by their id)
    w["profile"].nudge_preferences = {"day": 0}
    session.flush()
    out = app.test_cli_runner().invoke(args=["nudges", "run-due", "--at", at.isoformat()])
    assert out.exit_code == 0, out.output
    done = json.loads(out.output)
    assert list(done) == [
        "at",
        "expiry",
        "step_closures",
        "experiments",
        "planned",
        "retention",
        "dispatched",
    ]
    assert done["experiments"] == {"finished": 0, "enrolled": 0, "arms_stopped": 0, "stopped": 0}
    assert done["expiry"] == {"requests_expired": 1}
    assert done["planned"]["request_followups"]["created"] == {}  # told with the expiry
    assert set(done["retention"]) == {"notes_removed", "accounts_erased"}
    session.refresh(match)
    assert match.status == "expired"
    # (on one day in five it is also the person's day for weekly suggestions: not this test's)
    [msg] = session.scalars(
        select(InboxMessage).where(
            InboxMessage.user_id == w["person"].id, InboxMessage.kind == "request_expired"
        )
    )
    assert "Koken in De Meevaart" in msg.body


def test_approved_not_started_reminds_the_organiser_after_a_week(session: Session, w) -> None:
    create_match(
        session,
        person=w["person"],
        opportunity=w["opp"],
        history=[("requested", T0 - timedelta(days=1)), ("approved", T0)],
    )
    plan(session, "approved_not_started", T0 + timedelta(days=6))
    assert nudges(session, kind="approved_not_started") == []
    plan(session, "approved_not_started", T0 + timedelta(days=7, hours=1))
    plan(session, "approved_not_started", T0 + timedelta(days=9))
    assert [n.user_id for n in nudges(session, kind="approved_not_started")] == [w["org"].id]


def test_checkin_prompt_every_fourteen_days_for_active_people(session: Session, w) -> None:
    other = create_user(session, municipality=w["m"], role="recipient", coach=w["coach"])
    create_profile(session, user=other)
    create_match(
        session,
        person=w["person"],
        opportunity=w["opp"],
        history=[
            ("requested", T0 - timedelta(days=20)),
            ("approved", T0 - timedelta(days=19)),
            ("active", T0 - timedelta(days=18)),
        ],
    )
    plan(session, "checkin_prompts", T0)
    plan(session, "checkin_prompts", T0 + timedelta(days=1))
    assert [n.user_id for n in nudges(session, kind="checkin_prompt")] == [w["person"].id]
    plan(session, "checkin_prompts", T0 + timedelta(days=14))
    assert len(nudges(session, kind="checkin_prompt")) == 2


def test_growth_suggestion_after_twelve_weeks_offers_a_step_up(session: Session, w) -> None:
    step_up = create_opportunity(
        session,
        team=w["team"],
        lat=52.382,
        lon=4.852,
        ladder_step=3,
        title="Werkervaring in de keuken",
    )
    create_opportunity(
        session, team=w["team"], lat=52.382, lon=4.852, ladder_step=5, title="Te grote stap"
    )
    start = T0 - timedelta(weeks=12)
    create_match(
        session,
        person=w["person"],
        opportunity=w["opp"],
        history=[
            ("requested", start - timedelta(days=2)),
            ("approved", start - timedelta(days=1)),
            ("active", start),
        ],
    )
    plan(session, "growth_suggestions", T0 - timedelta(days=1))
    assert nudges(session, kind="growth_suggestion") == []
    plan(session, "growth_suggestions", T0 + timedelta(hours=1))
    got = nudges(session, kind="growth_suggestion")
    assert len(got) == 1
    assert got[0].params["opportunity_ids"] == [str(step_up.id)]
    assert got[0].params["weeks"] == 12


def test_weekly_suggestions_on_the_persons_day_once_a_week(session: Session, w) -> None:
    w["profile"].nudge_preferences = {"day": 2}  # Wednesday
    session.flush()
    plan(session, "weekly_suggestions", T0 - timedelta(days=1))  # Tuesday
    assert nudges(session, kind="weekly_suggestions") == []
    plan(session, "weekly_suggestions", T0)
    plan(session, "weekly_suggestions", T0 + timedelta(hours=3))
    got = nudges(session, kind="weekly_suggestions")
    assert len(got) == 1
    assert got[0].params["opportunity_ids"] == [str(w["opp"].id)]
    # next week: nothing new to show, so no message at all (no empty nagging), only a note
    # that this week was looked at, so later runs do not rank again
    quiet = plan(session, "weekly_suggestions", T0 + timedelta(days=7))
    assert quiet.created == {} and quiet.dropped == {}  # a note, not a message: not counted
    assert len(nudges(session, kind="weekly_suggestions", status="pending")) == 1
    [mark] = nudges(session, kind="weekly_suggestions", status="dropped")
    assert mark.drop_reason == "nothing_new"


def test_new_opportunity_alert_only_for_fresh_ones(session: Session, w) -> None:
    w["opp"].published_at = T0 - timedelta(days=2)
    fresh = create_opportunity(
        session, team=w["team"], lat=52.3805, lon=4.8505, title="Nieuw: tuin"
    )
    fresh.published_at = T0 - timedelta(hours=2)
    session.flush()
    plan(session, "new_opportunity_alerts", T0)
    plan(session, "new_opportunity_alerts", T0 + timedelta(hours=1))
    got = nudges(session, kind="new_opportunity")
    assert [(n.user_id, n.period) for n in got] == [(w["person"].id, str(fresh.id))]


def test_coach_digest_weekly_for_quiet_people(session: Session, w) -> None:
    w["person"].created_at = T0 - timedelta(weeks=10)
    busy = create_user(
        session, municipality=w["m"], role="recipient", name="Bram", coach=w["coach"]
    )
    create_profile(session, user=busy)
    busy.created_at = T0 - timedelta(weeks=10)
    busy.last_login_at = T0 - timedelta(days=2)
    session.flush()
    plan(session, "coach_digests", T0)
    plan(session, "coach_digests", T0 + timedelta(days=1))
    got = nudges(session, kind="coach_digest")
    assert [n.user_id for n in got] == [w["coach"].id]
    assert got[0].params == {"count": 1, "people": "Amina", "subjects": [str(w["person"].id)]}


def test_weekly_cap_drops_and_counts_and_pause_holds(session: Session, w) -> None:
    from api.municipalities.policy import load_policy
    from api.nudges.outbox import enqueue

    policy = load_policy(session, w["m"].id)
    args = {
        "policy": policy,
        "municipality_id": w["m"].id,
        "user_id": w["person"].id,
        "language": "nl",
        "params": {"name": "Amina", "title": "x"},
        "now": T0,
    }
    outcomes = [enqueue(session, kind="checkin_prompt", period=f"p{i}", **args) for i in range(3)]
    assert outcomes == ["created", "created", "dropped"]
    assert nudges(session, status="dropped")[0].drop_reason == "weekly_cap"
    # a new week, a fresh allowance; the person's own lower limit wins
    later = {**args, "now": T0 + timedelta(days=7)}
    assert (
        enqueue(session, kind="checkin_prompt", period="q1", prefs={"max_per_week": 1}, **later)
        == "created"
    )
    assert (
        enqueue(session, kind="checkin_prompt", period="q2", prefs={"max_per_week": 1}, **later)
        == "dropped"
    )
    assert (
        enqueue(
            session,
            kind="checkin_prompt",
            period="q3",
            prefs={"paused": True},
            **{**args, "now": T0 + timedelta(days=14)},
        )
        == "dropped"
    )
    assert nudges(session, period="q3")[0].drop_reason == "paused"
    # the same key again changes nothing
    assert enqueue(session, kind="checkin_prompt", period="p0", **args) == "existing"


def test_quiet_hours_hold_delivery_until_morning(session: Session, w) -> None:
    late = datetime(2026, 11, 25, 22, 0, tzinfo=UTC)  # 23:00 in Amsterdam
    create_match(
        session,
        person=w["person"],
        opportunity=w["opp"],
        history=[("requested", late - timedelta(days=3, hours=1))],
    )
    plan(session, "request_followups", late)
    [n] = nudges(session, kind="request_waiting")
    assert n.due_at == datetime(2026, 11, 26, 7, 0, tzinfo=UTC)  # 08:00 next morning
    provider = LogPushProvider()
    assert (
        dispatch_batch(session, now=late + timedelta(minutes=30), provider=provider).delivered == 0
    )
    assert dispatch_batch(session, now=n.due_at, provider=provider).delivered == 1
    assert session.scalar(select(func.count()).select_from(InboxMessage)) == 1


def test_inbox_shows_the_message_in_the_persons_language(app, client, session: Session, w) -> None:
    w["profile"].preferred_language = "en"
    session.flush()
    create_match(
        session,
        person=w["person"],
        opportunity=w["opp"],
        history=[
            ("requested", T0 - timedelta(days=20)),
            ("approved", T0 - timedelta(days=19)),
            ("active", T0 - timedelta(days=18)),
        ],
    )
    plan(session, "checkin_prompts", T0)
    dispatch_batch(session, now=T0, provider=LogPushProvider())
    h = auth_headers(app, session, w["person"])
    inbox = client.get("/v1/me/inbox", headers=h)
    assert inbox.status_code == 200
    [msg] = inbox.get_json()["items"]
    assert msg["title"] == "How are things going?"
    assert "Koken in De Meevaart" in msg["body"] and msg["readAt"] is None
    read = client.post(f"/v1/me/inbox/{msg['id']}/read", headers=h)
    assert read.status_code == 200 and read.get_json()["readAt"]
    coach_h = auth_headers(app, session, w["coach"])
    assert client.post(f"/v1/me/inbox/{msg['id']}/read", headers=coach_h).status_code == 404
    assert client.get("/v1/me/inbox", headers=coach_h).get_json()["items"] == []
    assert client.get("/v1/me/inbox?unread=true", headers=h).get_json()["items"] == []


def test_devices_and_policy_endpoints(app, client, session: Session, w) -> None:
    h = auth_headers(app, session, w["person"])
    ok = client.post(
        "/v1/me/devices", json={"platform": "android", "pushToken": "tok-1234567"}, headers=h
    )
    assert ok.status_code == 201
    again = client.post(
        "/v1/me/devices", json={"platform": "android", "pushToken": "tok-1234567"}, headers=h
    )
    assert again.get_json()["id"] == ok.get_json()["id"]
    bad = client.post("/v1/me/devices", json={"platform": "nokia", "pushToken": "x"}, headers=h)
    assert bad.status_code == 400
    assert {p["name"] for p in bad.get_json()["invalidParams"]} == {"platform", "pushToken"}
    admin = create_user(session, municipality=w["m"], role="admin")
    ah = auth_headers(app, session, admin)
    policy = client.get("/v1/admin/policy", headers=ah).get_json()
    assert policy["quietHours"]["start"] == "21:00" and policy["maxNudgesPerWeek"] == 2
    policy.update({"quietHours": {"start": "20:00", "end": "08:00"}, "maxNudgesPerWeek": 1})
    assert client.put("/v1/admin/policy", json=policy, headers=ah).status_code == 200
    stored = client.get("/v1/admin/policy", headers=ah).get_json()
    assert stored["quietHours"] == {"start": "20:00", "end": "08:00"}
    late = {"start": "20:00", "end": "8 uur"}
    broken = client.put("/v1/admin/policy", json={**policy, "quietHours": late}, headers=ah)
    assert (
        broken.status_code == 400
        and broken.get_json()["invalidParams"][0]["name"] == "quietHours.end"
    )
    assert (
        client.get("/v1/admin/policy", headers=auth_headers(app, session, w["coach"])).status_code
        == 403
    )


def test_the_inbox_pages_newest_first_each_message_once(app, client, session: Session, w) -> None:
    person, other = w["person"], w["coach"]
    same_moment = T0 + timedelta(hours=1)
    times = [T0, T0 + timedelta(minutes=5), same_moment, same_moment, T0 + timedelta(hours=2)]
    for i, at in enumerate(times):
        session.add(
            InboxMessage(
                user_id=person.id,
                kind="message",
                title=f"Bericht {i}",
                body=".",
                created_at=at,
                read_at=at if i == 1 else None,
            )
        )
    session.add(InboxMessage(user_id=other.id, kind="message", title="Niet voor jou", body="."))
    session.flush()
    headers = auth_headers(app, session, person)

    def titles(query: str) -> list[str]:
        seen, cursor = [], None
        while True:
            url = f"/v1/me/inbox?limit=2{query}" + (f"&cursor={cursor}" if cursor else "")
            page = client.get(url, headers=headers).get_json()
            assert len(page["items"]) <= 2
            seen += [item["title"] for item in page["items"]]
            cursor = page["nextCursor"]
            if cursor is None:
                return seen

    everything = titles("")
    assert sorted(everything) == [f"Bericht {i}" for i in range(5)]  # once each, only theirs
    assert everything[0] == "Bericht 4" and everything[-2:] == ["Bericht 1", "Bericht 0"]
    assert set(everything[1:3]) == {"Bericht 2", "Bericht 3"}  # same moment: by id
    assert titles("&unread=true") == [t for t in everything if t != "Bericht 1"]
