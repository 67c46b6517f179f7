"""Event notifications: each decision reaches the right people, once, with a target to open.

The done-when walk: request -> approve -> confirm -> check-in through the API; every party's
inbox holds exactly the right messages, and each push reaches the local stand-in of its
provider (FCM for Android, APNs for iPhones) exactly once, also with two dispatchers at once
and a provider that fails twice.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from api.auth.security import Actor
from api.db import utcnow
from api.matches import service as matches
from api.matches.jobs import expire_requests
from api.matches.models import MatchFeedback
from api.municipalities.models import Municipality, Policy
from api.nudges.catalogue import render
from api.nudges.dispatcher import dispatch_batch
from api.nudges.events import plan_daily_summaries
from api.nudges.models import Device, InboxMessage, Nudge
from api.nudges.outbox import PlanStats
from api.nudges.providers import (
    ApnsKey,
    ApnsPushProvider,
    FcmPushProvider,
    PlatformPushProvider,
    PushProvider,
    ServiceAccount,
)
from api.users.models import User
from tests.factories import (
    auth_headers,
    create_match,
    create_municipality,
    create_opportunity,
    create_profile,
    create_team,
    create_user,
)
from tests.push_standins import Apns, Fcm

IPHONE = "c0ffee" * 10 + "beef"
ANDROID_PERSON = "fcm-person-android-token"
ANDROID_ORGANISER = "fcm-organiser-android-token"


def later() -> datetime:
    """Past any quiet hours a push written now may wait for."""
    return utcnow() + timedelta(hours=13)


@pytest.fixture()
def standins(tmp_path: Path) -> Iterator[tuple[Fcm, Apns]]:
    fcm, apns = Fcm(), Apns()
    fcm.credentials_file(tmp_path)
    apns.key_file(tmp_path)
    yield fcm, apns
    fcm.close()
    apns.close()


def provider_for(fcm: Fcm, apns: Apns, folder: Path) -> PushProvider:
    """The configured providers as the app builds them: iPhones to APNs, the rest to FCM."""
    account = ServiceAccount.from_file(folder / "service-account.json")
    key = ApnsKey.from_file(
        folder / f"AuthKey_{apns.key_id}.p8",
        key_id=apns.key_id,
        team_id=apns.team_id,
        topic=apns.topic,
    )
    return PlatformPushProvider(
        {"ios": ApnsPushProvider(key, base_url=apns.base_url)},
        FcmPushProvider(account, base_url=fcm.base_url),
    )


def _world(session: Session) -> dict[str, Any]:
    m = create_municipality(session)
    team = create_team(session, municipality=m)
    coach = create_user(session, municipality=m, role="coach", name="Carla Coach")
    organiser = create_user(session, municipality=m, role="organizer", team=team)
    person = create_user(session, municipality=m, role="recipient", name="Amina Bakr", coach=coach)
    profile = create_profile(session, user=person)
    opp = create_opportunity(session, team=team, title="Koken in De Meevaart")
    return {
        "m": m,
        "team": team,
        "coach": coach,
        "org": organiser,
        "person": person,
        "profile": profile,
        "opp": opp,
    }


@pytest.fixture()
def w(app: Flask, session: Session) -> dict[str, Any]:
    world = _world(session)
    for who in ("coach", "org", "person"):
        world[f"h_{who}"] = auth_headers(app, session, world[who])
    return world


def inbox(client: FlaskClient, headers: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    resp = client.get("/v1/me/inbox?limit=50", headers=headers)
    assert resp.status_code == 200, resp.json
    return [(m["kind"], m["target"]) for m in resp.get_json()["items"]]


def on_match(match_id: str) -> dict[str, Any]:
    return {"type": "match", "id": match_id}


def test_request_approve_confirm_checkin_tells_each_party_once(
    client: FlaskClient, session: Session, w, standins, tmp_path: Path
) -> None:
    fcm, apns = standins
    for who, platform, token in (
        ("person", "android", ANDROID_PERSON),
        ("coach", "ios", IPHONE),
        ("org", "android", ANDROID_ORGANISER),
    ):
        resp = client.post(
            "/v1/me/devices",
            json={"platform": platform, "pushToken": token},
            headers=w[f"h_{who}"],
        )
        assert resp.status_code == 201
    resp = client.post(
        "/v1/me/matches", json={"opportunityId": str(w["opp"].id)}, headers=w["h_person"]
    )
    assert resp.status_code == 201, resp.json
    match_id = resp.get_json()["id"]
    assert inbox(client, w["h_coach"]) == [("request_new", on_match(match_id))]
    assert inbox(client, w["h_person"]) == []
    assert client.post(f"/v1/matches/{match_id}/approve", headers=w["h_coach"]).status_code == 200
    assert client.post(f"/v1/matches/{match_id}/confirm", headers=w["h_org"]).status_code == 200
    resp = client.post(
        "/v1/me/checkins",
        json={"date": date.today().isoformat(), "hours": 3, "wellbeing": 4, "matchId": match_id},
        headers=w["h_person"],
    )
    assert resp.status_code == 201, resp.json
    # exactly the right messages, newest first, each about the match
    assert inbox(client, w["h_person"]) == [
        ("match_started", on_match(match_id)),
        ("match_approved", on_match(match_id)),
    ]
    assert inbox(client, w["h_coach"]) == [("request_new", on_match(match_id))]
    assert inbox(client, w["h_org"]) == [("candidate_approved", on_match(match_id))]
    texts = client.get("/v1/me/inbox", headers=w["h_person"]).get_json()["items"]
    assert "Koken in De Meevaart" in texts[1]["body"] and texts[1]["title"] == "Je mag meedoen!"
    # the pushes: each once, to the provider of each phone
    provider = provider_for(fcm, apns, tmp_path)
    assert dispatch_batch(session, now=later(), provider=provider).delivered == 4
    assert dispatch_batch(session, now=later() + timedelta(hours=1), provider=provider).handled == 0
    assert fcm.problems == [] and apns.problems == []
    pushed = sorted((m["token"], m["data"]["kind"]) for m in fcm.accepted)
    assert pushed == [
        (ANDROID_ORGANISER, "candidate_approved"),
        (ANDROID_PERSON, "match_approved"),
        (ANDROID_PERSON, "match_started"),
    ]
    assert all(m["data"]["targetId"] == match_id for m in fcm.accepted)
    (coach_push,) = apns.accepted
    assert coach_push["token"] == IPHONE and coach_push["body"]["kind"] == "request_new"
    assert coach_push["body"]["aps"]["thread-id"] == f"match:{match_id}"


@pytest.fixture()
def committed(engine: Engine) -> Iterator[dict[str, Any]]:
    """The same walk, committed through the services, so separate dispatchers see it."""
    with Session(engine, expire_on_commit=False) as s:
        world = _world(s)
        s.add_all(
            [
                Device(user_id=world["person"].id, platform="android", push_token=ANDROID_PERSON),
                Device(user_id=world["coach"].id, platform="ios", push_token=IPHONE),
                Device(user_id=world["org"].id, platform="android", push_token=ANDROID_ORGANISER),
            ]
        )
        s.commit()

        def actor(user: User) -> Actor:
            return Actor(user.id, user.role, user.municipality_id, user.team_id)

        match = matches.request_match(
            s, actor=actor(world["person"]), opportunity_id=world["opp"].id, message=None
        )
        s.commit()
        matches.approve_match(s, actor=actor(world["coach"]), match_id=match.id)
        s.commit()
        matches.confirm_match(s, actor=actor(world["org"]), match_id=match.id)
        s.commit()
        world["match_id"] = match.id
    yield world
    with Session(engine) as s:
        s.delete(s.get(Municipality, world["m"].id))
        s.commit()


def test_two_dispatchers_and_a_provider_failing_twice_push_each_message_once(
    engine: Engine, committed, standins, tmp_path: Path
) -> None:
    fcm, apns = standins
    fcm.fail_first = 2
    start = later()
    moments = [start + timedelta(minutes=n) for n in (0, 1, 2, 5, 15, 60)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def dispatcher() -> None:
        provider = provider_for(fcm, apns, tmp_path)  # each its own clients, as two processes
        try:
            for moment in moments:
                barrier.wait(timeout=30)
                with Session(engine) as s:
                    dispatch_batch(s, now=moment, provider=provider)
                    s.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert fcm.problems == [] and apns.problems == []
    keys = [(m["token"], m["data"]["nudgeId"]) for m in fcm.accepted]
    assert len(keys) == 3 and len(set(keys)) == 3  # person twice, organiser once: each once
    assert len(fcm.sends) == 3 + 2  # the two refused, then each accepted exactly once
    assert [a["token"] for a in apns.accepted] == [IPHONE]
    with Session(engine) as s:
        statuses = s.execute(
            select(Nudge.kind, Nudge.status, Nudge.attempts)
            .join(User, User.id == Nudge.user_id)
            .where(User.municipality_id == committed["m"].id)
            .order_by(Nudge.kind)
        ).all()
    assert [(k, st) for k, st, _ in statuses] == [
        ("candidate_approved", "delivered"),
        ("match_approved", "delivered"),
        ("match_started", "delivered"),
        ("request_new", "delivered"),
    ]
    assert sum(a for *_, a in statuses) == 2  # the two failures, counted as attempts


def test_declines_and_rejections_quote_the_reason_kindly(client: FlaskClient, session, w) -> None:
    resp = client.post(
        "/v1/me/matches", json={"opportunityId": str(w["opp"].id)}, headers=w["h_person"]
    )
    match_id = resp.get_json()["id"]
    client.post(
        f"/v1/matches/{match_id}/decline",
        json={"reason": "Past nu niet goed naast je taalles"},
        headers=w["h_coach"],
    )
    (msg,) = client.get("/v1/me/inbox", headers=w["h_person"]).get_json()["items"]
    assert msg["kind"] == "match_declined" and msg["target"] == on_match(match_id)
    assert "“Past nu niet goed naast je taalles”" in msg["body"]
    assert "Dat zegt niets over jou" in msg["body"]
    other = create_opportunity(session, team=w["team"], title="Tuin")
    resp = client.post(
        "/v1/me/matches", json={"opportunityId": str(other.id)}, headers=w["h_person"]
    )
    second = resp.get_json()["id"]
    client.post(f"/v1/matches/{second}/approve", headers=w["h_coach"])
    client.post(
        f"/v1/matches/{second}/reject", json={"reason": "De groep is vol"}, headers=w["h_org"]
    )
    kinds = [k for k, _ in inbox(client, w["h_person"])]
    assert kinds == ["match_rejected", "match_approved", "match_declined"]
    rejected = client.get("/v1/me/inbox", headers=w["h_person"]).get_json()["items"][0]
    assert "“De groep is vol”" in rejected["body"] and "niet aan jou" in rejected["body"]


def test_suggestion_reaches_a_paused_person_in_the_inbox_without_a_push(
    client: FlaskClient, session, w
) -> None:
    w["profile"].nudge_preferences = {"paused": True, "max_per_week": 0}
    session.flush()
    resp = client.post(
        f"/v1/caseload/{w['person'].id}/suggestions",
        json={"opportunityId": str(w["opp"].id), "note": "Iets voor jou?"},
        headers=w["h_coach"],
    )
    assert resp.status_code == 201, resp.json
    assert inbox(client, w["h_person"]) == [("match_suggested", on_match(resp.get_json()["id"]))]
    (nudge,) = session.scalars(select(Nudge).where(Nudge.user_id == w["person"].id))
    assert nudge.push is False and nudge.channel == "event"
    # an answer is not a nudge: with a cap of 0 the approval is still pushed
    client.post("/v1/me/matches", json={"opportunityId": str(w["opp"].id)}, headers=w["h_person"])
    client.post(f"/v1/matches/{resp.get_json()['id']}/approve", headers=w["h_coach"])
    approved = session.scalar(select(Nudge).where(Nudge.kind == "match_approved"))
    assert approved is not None and approved.push and approved.status == "pending"


def test_a_coach_gets_one_request_push_an_hour_and_the_rest_in_the_inbox(
    client: FlaskClient, session, w
) -> None:
    people = []
    for _ in range(3):
        p = create_user(session, municipality=w["m"], role="recipient", coach=w["coach"])
        create_profile(session, user=p)
        people.append(p)
    actor = [Actor(p.id, "recipient", p.municipality_id, None) for p in people]
    t0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    for i, moment in enumerate((t0, t0 + timedelta(minutes=20), t0 + timedelta(minutes=70))):
        matches.request_match(
            session, actor=actor[i], opportunity_id=w["opp"].id, message=None, now=moment
        )
    rows = session.scalars(
        select(Nudge).where(Nudge.user_id == w["coach"].id).order_by(Nudge.created_at)
    ).all()
    assert [(n.kind, n.push) for n in rows] == [
        ("request_new", True),
        ("request_new", False),  # within the hour: inbox only
        ("request_new", True),  # an hour after the first push
    ]
    assert len(inbox(client, w["h_coach"])) == 3


def test_auto_approval_tells_the_person_and_organiser_but_not_the_coach(
    client: FlaskClient, session, w
) -> None:
    session.merge(
        Policy(municipality_id=w["m"].id, settings={"auto_approve_kinds": ["language_course"]})
    )
    course = create_opportunity(session, team=w["team"], kind="language_course", title="Taalcursus")
    resp = client.post(
        "/v1/me/matches", json={"opportunityId": str(course.id)}, headers=w["h_person"]
    )
    assert resp.get_json()["status"] == "approved"
    assert inbox(client, w["h_coach"]) == []
    assert inbox(client, w["h_person"]) == [("match_approved", on_match(resp.get_json()["id"]))]
    assert inbox(client, w["h_org"]) == [("candidate_approved", on_match(resp.get_json()["id"]))]


def test_an_expiry_at_night_is_in_the_inbox_at_once_and_pushed_in_the_morning(
    client: FlaskClient, session, w
) -> None:
    t0 = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
    match = create_match(
        session, person=w["person"], opportunity=w["opp"], history=[("requested", t0)]
    )
    night = datetime(2026, 11, 25, 21, 30, tzinfo=UTC)  # 22:30 in Amsterdam
    expire_requests(session, now=night)
    (nudge,) = session.scalars(select(Nudge).where(Nudge.user_id == w["person"].id))
    assert nudge.kind == "request_expired" and nudge.created_at == night
    assert nudge.due_at == datetime(2026, 11, 26, 7, 0, tzinfo=UTC)  # 08:00 local
    assert inbox(client, w["h_person"]) == [("request_expired", on_match(str(match.id)))]


def test_withdrawing_and_completing_tell_the_organiser_and_ask_did_it_help(
    client: FlaskClient, session, w
) -> None:
    ids = []
    for title in ("Koken", "Tuin"):
        opp = create_opportunity(session, team=w["team"], title=title)
        match_id = client.post(
            "/v1/me/matches", json={"opportunityId": str(opp.id)}, headers=w["h_person"]
        ).get_json()["id"]
        client.post(f"/v1/matches/{match_id}/approve", headers=w["h_coach"])
        client.post(f"/v1/matches/{match_id}/confirm", headers=w["h_org"])
        ids.append((match_id, str(opp.id)))
    (done, _), (left, left_opp) = ids
    assert client.post(f"/v1/matches/{done}/complete", headers=w["h_org"]).status_code == 200
    assert client.post(f"/v1/me/matches/{left}/withdraw", headers=w["h_person"]).status_code == 200
    person = inbox(client, w["h_person"])
    assert person[:2] == [("did_it_help", on_match(left)), ("did_it_help", on_match(done))]
    assert inbox(client, w["h_org"])[0] == (
        "candidate_withdrew",
        {"type": "opportunity", "id": left_opp},
    )
    # two taps and a few words; the coach sees the answer with the match
    resp = client.put(
        f"/v1/me/matches/{done}/feedback",
        json={"helped": True, "again": True, "words": "Gezellig en ik leerde veel"},
        headers=w["h_person"],
    )
    assert resp.status_code == 200, resp.json
    assert resp.get_json()["feedback"]["helped"] is True
    view = client.get(f"/v1/caseload/{w['person'].id}", headers=w["h_coach"]).get_json()
    shown = {m["id"]: m["feedback"] for m in view["matches"]}
    assert shown[done]["words"] == "Gezellig en ik leerde veel" and shown[left] is None
    # only after taking part; not someone else's match
    open_match = client.post(
        "/v1/me/matches", json={"opportunityId": str(w["opp"].id)}, headers=w["h_person"]
    ).get_json()["id"]
    body = {"helped": False, "again": False}
    assert (
        client.put(f"/v1/me/matches/{open_match}/feedback", json=body, headers=w["h_person"])
    ).status_code == 409
    other = create_user(session, municipality=w["m"], role="recipient")
    other_headers = auth_headers(client.application, session, other)
    assert (
        client.put(f"/v1/me/matches/{done}/feedback", json=body, headers=other_headers)
    ).status_code == 404


def test_staff_choose_inbox_only_or_a_daily_summary(client: FlaskClient, session, w) -> None:
    assert client.get("/v1/me/notification-preferences", headers=w["h_coach"]).get_json() == {
        "kinds": [
            {"kind": "request_new", "mode": "push"},
            {"kind": "person_erased", "mode": "push"},
        ]
    }
    resp = client.put(
        "/v1/me/notification-preferences",
        json={"kinds": [{"kind": "request_new", "mode": "summary"}]},
        headers=w["h_coach"],
    )
    assert resp.status_code == 200 and resp.get_json()["kinds"][0]["mode"] == "summary"
    bad = client.put(
        "/v1/me/notification-preferences",
        json={"kinds": [{"kind": "request_new", "mode": "push"}]},
        headers=w["h_org"],
    )
    assert bad.status_code == 400
    assert client.get("/v1/me/notification-preferences", headers=w["h_person"]).status_code == 403
    client.put(
        "/v1/me/notification-preferences",
        json={"kinds": [{"kind": "candidate_approved", "mode": "inbox"}]},
        headers=w["h_org"],
    )
    match_id = client.post(
        "/v1/me/matches", json={"opportunityId": str(w["opp"].id)}, headers=w["h_person"]
    ).get_json()["id"]
    client.post(f"/v1/matches/{match_id}/approve", headers=w["h_coach"])
    assert inbox(client, w["h_coach"]) == []  # held for the summary
    assert inbox(client, w["h_org"]) == [("candidate_approved", on_match(match_id))]
    org_nudge = session.scalar(select(Nudge).where(Nudge.user_id == w["org"].id))
    assert org_nudge is not None and org_nudge.push is False and org_nudge.status == "delivered"
    stats = PlanStats.empty()
    morning = utcnow() + timedelta(days=1)
    morning = morning.replace(hour=9, minute=0)  # 10:00 in Amsterdam
    plan_daily_summaries(session, now=morning, stats=stats)
    plan_daily_summaries(session, now=morning + timedelta(minutes=15), stats=stats)
    assert stats.created == {"daily_summary": 1}
    (summary,) = client.get("/v1/me/inbox", headers=w["h_coach"]).get_json()["items"]
    assert summary["kind"] == "daily_summary" and summary["target"] == {"type": "inbox", "id": None}
    assert "er 1 bericht voor je. 1 nieuwe aanvraag." in summary["body"]


def test_inbox_unread_count_read_all_and_changes_since(client: FlaskClient, session, w) -> None:
    match_id = client.post(
        "/v1/me/matches", json={"opportunityId": str(w["opp"].id)}, headers=w["h_person"]
    ).get_json()["id"]
    client.post(f"/v1/matches/{match_id}/approve", headers=w["h_coach"])
    client.post(f"/v1/matches/{match_id}/confirm", headers=w["h_org"])
    h = w["h_person"]
    assert client.get("/v1/me/inbox/unread-count", headers=h).get_json() == {
        "unread": 2,
        "marked": 0,
    }
    first = client.get("/v1/me/inbox", headers=h).get_json()["items"]
    newest = max(m["updatedAt"] for m in first)
    changed = client.get("/v1/me/inbox", query_string={"updatedSince": newest}, headers=h)
    assert changed.status_code == 200 and changed.get_json()["items"] == []
    assert client.post("/v1/me/inbox/read-all", headers=h).get_json() == {"unread": 0, "marked": 2}
    changes = client.get(
        "/v1/me/inbox", query_string={"updatedSince": newest}, headers=h
    ).get_json()
    assert sorted(m["id"] for m in changes["items"]) == sorted(m["id"] for m in first)
    assert all(m["readAt"] for m in changes["items"])
    assert client.get("/v1/me/inbox/unread-count", headers=h).get_json()["unread"] == 0


def test_devices_list_remove_move_and_go_at_sign_out(
    app: Flask, client: FlaskClient, session, w
) -> None:
    h = w["h_person"]
    phone = client.post(
        "/v1/me/devices", json={"platform": "android", "pushToken": "token-phone-1"}, headers=h
    ).get_json()
    tablet = client.post(
        "/v1/me/devices", json={"platform": "ios", "pushToken": "token-tablet-1"}, headers=h
    ).get_json()
    listed = client.get("/v1/me/devices", headers=h).get_json()["items"]
    assert sorted(d["id"] for d in listed) == sorted([phone["id"], tablet["id"]])
    # another's device is not yours to remove
    assert client.delete(f"/v1/me/devices/{phone['id']}", headers=w["h_coach"]).status_code == 404
    assert client.delete(f"/v1/me/devices/{tablet['id']}", headers=h).status_code == 204
    assert client.delete(f"/v1/me/devices/{tablet['id']}", headers=h).status_code == 404
    # the phone handed on: the token belongs to the account that registered it last
    other = create_user(session, municipality=w["m"], role="recipient")
    h_other = auth_headers(app, session, other)
    client.post(
        "/v1/me/devices",
        json={"platform": "android", "pushToken": "token-phone-1"},
        headers=h_other,
    )
    assert client.get("/v1/me/devices", headers=h).get_json()["items"] == []
    assert len(client.get("/v1/me/devices", headers=h_other).get_json()["items"]) == 1
    # signing out removes the device registered under that sign-in
    assert client.post("/v1/auth/logout", headers=h_other).status_code == 204
    assert (
        session.scalar(select(func.count()).select_from(Device).where(Device.user_id == other.id))
        == 0
    )
    # ... and the one the app names at sign-out, registered under another sign-in
    dev = client.post(
        "/v1/me/devices", json={"platform": "ios", "pushToken": "token-ipad-9999"}, headers=h
    ).get_json()
    h_again = auth_headers(app, session, w["person"])
    assert client.post(f"/v1/auth/logout?deviceId={dev['id']}", headers=h_again).status_code == 204
    assert session.get(Device, uuid.UUID(dev["id"])) is None


def test_invalid_tokens_remove_devices_and_permanent_failures_are_dead_letters(
    client: FlaskClient, session, w, standins, tmp_path: Path
) -> None:
    fcm, apns = standins
    fcm.unregistered.add("fcm-gone-token-1")
    apns.gone.add("0" * 64)
    session.add_all(
        [
            Device(user_id=w["person"].id, platform="android", push_token="fcm-gone-token-1"),
            Device(user_id=w["person"].id, platform="ios", push_token="0" * 64),
            Device(user_id=w["person"].id, platform="android", push_token=ANDROID_PERSON),
        ]
    )
    session.flush()
    client.post("/v1/me/matches", json={"opportunityId": str(w["opp"].id)}, headers=w["h_person"])
    match_id = session.scalar(select(Nudge.period).where(Nudge.kind == "request_new"))
    client.post(f"/v1/matches/{match_id}/approve", headers=w["h_coach"])
    provider = provider_for(fcm, apns, tmp_path)
    stats = dispatch_batch(session, now=later(), provider=provider)
    assert stats.devices_removed == 2
    tokens = session.scalars(select(Device.push_token).where(Device.user_id == w["person"].id))
    assert list(tokens) == [ANDROID_PERSON]
    assert [m["token"] for m in fcm.accepted] == [ANDROID_PERSON]
    # a message the provider refuses for good (APNs: payload too large) is a dead letter
    session.add(Device(user_id=w["org"].id, platform="ios", push_token="a" * 64))
    nudge = session.scalar(select(Nudge).where(Nudge.kind == "candidate_approved"))
    assert nudge is not None and nudge.status == "delivered"  # the organiser had no phone then
    nudge.status, nudge.params = "pending", {**nudge.params, "title": "x" * 5000}
    session.flush()
    assert dispatch_batch(session, now=later(), provider=provider).dead == 1
    session.refresh(nudge)
    assert nudge.status == "dead" and "413" in (nudge.last_error or "")
    # the inbox still has it
    assert (
        session.scalar(
            select(func.count()).select_from(InboxMessage).where(InboxMessage.nudge_id == nudge.id)
        )
        == 1
    )


def test_the_answer_is_exported_counted_and_only_the_taps_survive_erasure(
    app: Flask, client: FlaskClient, session, w
) -> None:
    admin = create_user(session, municipality=w["m"], role="admin")
    h_admin = auth_headers(app, session, admin)
    now = utcnow()
    people = []
    for _ in range(10):  # the funnel withholds cells under 10
        p = create_user(session, municipality=w["m"], role="recipient", coach=w["coach"])
        create_profile(session, user=p)
        story = [("requested", now - timedelta(hours=4)), ("approved", now - timedelta(hours=3))]
        story += [("active", now - timedelta(hours=2)), ("completed", now - timedelta(hours=1))]
        match = create_match(session, person=p, opportunity=w["opp"], history=story)
        people.append((p, match))
    for i, (p, match) in enumerate(people):
        resp = client.put(
            f"/v1/me/matches/{match.id}/feedback",
            json={"helped": i < 7, "again": True, "words": f"Mijn woorden {i}"},
            headers=auth_headers(app, session, p),
        )
        assert resp.status_code == 200
    month = client.get("/v1/admin/reports/funnel?months=1", headers=h_admin).get_json()["items"]
    assert month[-1]["answeredDidItHelp"] == 10 and month[-1]["helped"] is None  # 7 < 10
    first, match = people[0]
    h_first = auth_headers(app, session, first)
    exported = client.get("/v1/me/export", headers=h_first).get_json()
    assert exported["matches"][0]["feedback"]["words"] == "Mijn woorden 0"
    # erased at the desk by an admin: the words go, the taps stay; the coach hears, nameless
    assert client.delete(f"/v1/admin/users/{first.id}", headers=h_admin).status_code == 204
    answer = session.get(MatchFeedback, match.id)
    session.refresh(answer)
    assert answer.words is None and answer.helped is True
    (told,) = client.get("/v1/me/inbox", headers=w["h_coach"]).get_json()["items"]
    assert told["kind"] == "person_erased" and told["target"] == {"type": "caseload", "id": None}
    assert first.name not in told["body"]


class _Recorder:
    """A push provider that remembers what it pushed (kind in the data, tokens)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, list[str]]] = []

    def send(self, devices: Any, message: Any) -> Any:
        from api.nudges.providers import PushOutcome

        self.sent.append((message.title, [d.token for d in devices]))
        return PushOutcome(delivered=[d.token for d in devices])


def test_a_person_chooses_per_kind_push_or_inbox_only(client: FlaskClient, session, w) -> None:
    h = w["h_person"]
    profile = client.get("/v1/me/profile", headers=h).get_json()
    assert profile["nudgePreferences"]["inboxOnly"] == []  # everything pushed, as before
    wrong = client.patch(
        "/v1/me/profile", json={"nudgePreferences": {"inboxOnly": ["request_new"]}}, headers=h
    )
    assert wrong.status_code == 400  # a coach's kind is not the person's to choose
    assert wrong.get_json()["invalidParams"][0]["name"].startswith("nudgePreferences.inboxOnly")
    chosen = client.patch(
        "/v1/me/profile",
        json={"nudgePreferences": {"inboxOnly": ["match_approved", "step_due"], "maxPerWeek": 3}},
        headers=h,
    )
    assert chosen.status_code == 200, chosen.json
    assert chosen.get_json()["nudgePreferences"]["inboxOnly"] == ["step_due", "match_approved"]
    # another change keeps the choice
    kept = client.patch("/v1/me/profile", json={"nudgePreferences": {"paused": False}}, headers=h)
    assert kept.get_json()["nudgePreferences"]["inboxOnly"] == ["step_due", "match_approved"]
    phone = client.post(
        "/v1/me/devices", json={"platform": "android", "pushToken": ANDROID_PERSON}, headers=h
    )
    assert phone.status_code == 201, phone.json

    # an answer of that kind: in the inbox at once, no push
    made = client.post("/v1/me/matches", json={"opportunityId": str(w["opp"].id)}, headers=h)
    client.post(f"/v1/matches/{made.get_json()['id']}/approve", headers=w["h_coach"])
    approved = session.scalar(select(Nudge).where(Nudge.kind == "match_approved"))
    assert approved is not None and approved.push is False and approved.status == "delivered"
    assert ("match_approved", on_match(made.get_json()["id"])) in inbox(client, h)

    # planned nudges: the dispatcher pushes the kinds not chosen, and not the chosen one
    now = utcnow()
    for kind, params in (
        ("step_due", {"name": "Amina", "step": "een cv maken", "date": "3 maart"}),
        ("request_expired", {"name": "Amina", "title": "Koken", "days": 14}),
    ):
        session.add(
            Nudge(
                id=uuid.uuid4(),
                municipality_id=w["m"].id,
                user_id=w["person"].id,
                kind=kind,
                period=f"test-{kind}",
                language="nl",
                params=params,
                status="pending",
                due_at=now - timedelta(minutes=1),
                created_at=now - timedelta(minutes=1),
                push=True,
            )
        )
    session.flush()
    recorder = _Recorder()
    dispatch_batch(session, now=now, provider=recorder, limit=50)
    expired_title = render("request_expired", "nl", {"name": "Amina", "title": "Koken", "days": 14})
    assert recorder.sent == [(expired_title[0], [ANDROID_PERSON])]  # not the step reminder
    delivered = session.scalars(
        select(Nudge.kind).where(Nudge.user_id == w["person"].id, Nudge.status == "delivered")
    ).all()
    assert {"step_due", "request_expired"} <= set(delivered)
    assert "step_due" in [k for k, _ in inbox(client, h)]
