"""Queues: the coach's approval queue says whose request for what; an organiser's queue of approved
and active people across the team's opportunities; `team=mine` on the opportunity list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from api.audit.models import AuditEvent
from api.profiles.models import RecipientProfile
from api.users.models import User
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

START = datetime.now(UTC) - timedelta(days=3)


def _history(*statuses: str) -> list[tuple[str, datetime]]:
    return [(s, START + timedelta(hours=i)) for i, s in enumerate(statuses)]


def _person(session: Session, mun: Any, coach: User, name: str, *, profile: bool = True) -> User:
    person = create_user(session, municipality=mun, coach=coach, name=name)
    if profile:
        create_profile(session, user=person)
    return person


def test_coach_queue_items_name_the_person_and_the_opportunity(
    app: Flask, client: FlaskClient, session: Session, engine: Engine
) -> None:
    mun = create_municipality(session)
    team = create_team(session, municipality=mun)
    coach = create_user(session, municipality=mun, role="coach")
    other_coach = create_user(session, municipality=mun, role="coach")
    h = auth_headers(app, session, coach)
    url = "/v1/matches?status=requested"

    def queue() -> tuple[list[dict[str, Any]], int]:
        with statements_sent(engine, selects_only=True) as seen:
            resp = client.get(url, headers=h)
        assert resp.status_code == 200
        return resp.get_json()["items"], len(seen)

    opp = create_opportunity(session, team=team, title="Koken in De Meevaart")
    create_match(
        session,
        person=_person(session, mun, coach, "Fatima El Amrani"),
        opportunity=opp,
        history=_history("requested"),
    )
    items, one = queue()
    assert [(i["recipientName"], i["opportunity"]["title"]) for i in items] == [
        ("Fatima", "Koken in De Meevaart")
    ]
    # more people: not one query more (no call per person)
    for n in range(4):
        person = _person(session, mun, coach, f"Persoon{n} Achternaam", profile=n % 2 == 0)
        create_match(
            session,
            person=person,
            opportunity=create_opportunity(session, team=team, title=f"Klus {n}"),
            history=_history("requested"),
        )
    create_match(
        session,
        person=_person(session, mun, other_coach, "Niet Van Mij"),
        opportunity=opp,
        history=_history("requested"),
    )
    items, five = queue()
    assert five == one
    names = {i["recipientName"] for i in items}
    # display name when the person made a profile, the account's name when not
    assert names == {"Fatima", "Persoon0", "Persoon1 Achternaam", "Persoon2", "Persoon3 Achternaam"}
    assert all(i["opportunity"]["title"] for i in items)


def test_organiser_queue_spans_the_team_and_shows_only_first_name_and_contact(
    app: Flask, client: FlaskClient, session: Session, engine: Engine
) -> None:
    mun = create_municipality(session)
    team = create_team(session, municipality=mun, name="Wijkteam Oost")
    other_team = create_team(session, municipality=mun, name="Wijkteam West")
    organiser = create_user(session, municipality=mun, role="organizer", team=team)
    coach = create_user(session, municipality=mun, role="coach")
    cooking = create_opportunity(session, team=team, title="Koken")
    garden = create_opportunity(session, team=team, title="Tuinieren")
    elsewhere = create_opportunity(session, team=other_team, title="Elders")
    people = {}
    for name, opp, statuses in (
        ("Anna de Boer", cooking, ("requested", "approved")),
        ("Bram Bakker", garden, ("requested", "approved", "active")),
        ("Cor Visser", garden, ("requested",)),
        ("Dirk Smit", elsewhere, ("requested", "approved")),
        ("Eva Mulder", garden, ("requested", "approved")),
    ):
        person = _person(session, mun, coach, name)
        people[name] = person
        create_match(session, person=person, opportunity=opp, history=_history(*statuses))
    anna = session.get(RecipientProfile, people["Anna de Boer"].id)
    assert anna is not None
    anna.shared_contact = "06-12345678"  # the contact Anna chose to share
    session.flush()

    h = auth_headers(app, session, organiser)
    with statements_sent(engine, selects_only=True) as seen:
        resp = client.get("/v1/teams/mine/candidates", headers=h)
    assert resp.status_code == 200
    items = resp.get_json()["items"]
    assert {(i["firstName"], i["opportunityTitle"], i["status"]) for i in items} == {
        ("Anna", "Koken", "approved"),
        ("Bram", "Tuinieren", "active"),
        ("Eva", "Tuinieren", "approved"),
    }
    assert set(items[0]) == {
        "id",
        "matchId",
        "status",
        "firstName",
        "contact",
        "opportunityId",
        "opportunityTitle",
        "since",
    }
    assert next(i for i in items if i["firstName"] == "Anna")["contact"] == "06-12345678"
    text = resp.get_data(as_text=True)
    assert "de Boer" not in text and "Dirk" not in text and "Cor" not in text
    assert len([s for s in seen if "matches" in s]) == 1  # one query for all opportunities

    # each person whose first name the organiser saw finds it in their access log
    seen_by = session.scalars(
        select(AuditEvent.subject_id).where(
            AuditEvent.actor_id == organiser.id, AuditEvent.object_type == "candidate"
        )
    ).all()
    assert set(seen_by) == {people[n].id for n in ("Anna de Boer", "Bram Bakker", "Eva Mulder")}

    approved = client.get("/v1/teams/mine/candidates?status=approved", headers=h).get_json()
    assert {i["firstName"] for i in approved["items"]} == {"Anna", "Eva"}
    first = client.get("/v1/teams/mine/candidates?limit=2", headers=h).get_json()
    rest = client.get(
        f"/v1/teams/mine/candidates?limit=2&cursor={first['nextCursor']}", headers=h
    ).get_json()
    assert rest["nextCursor"] is None
    paged = [i["matchId"] for i in first["items"] + rest["items"]]
    assert sorted(paged) == sorted(i["matchId"] for i in items) and len(set(paged)) == 3
    bad = client.get("/v1/teams/mine/candidates?status=requested", headers=h)
    assert bad.status_code == 400 and bad.get_json()["invalidParams"][0]["name"] == "status"


def test_team_mine_lists_only_the_organisers_own_team(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    mun = create_municipality(session)
    team = create_team(session, municipality=mun)
    other_team = create_team(session, municipality=mun)
    organiser = create_user(session, municipality=mun, role="organizer", team=team)
    draft = create_opportunity(session, team=team, status="draft", title="Concept")
    published = create_opportunity(session, team=team, title="Gepubliceerd")
    create_opportunity(session, team=other_team, title="Van een ander team")
    h = auth_headers(app, session, organiser)

    everything = client.get("/v1/opportunities", headers=h).get_json()["items"]
    assert "Van een ander team" in {o["title"] for o in everything}
    mine = client.get("/v1/opportunities?team=mine", headers=h).get_json()["items"]
    assert {o["id"] for o in mine} == {str(draft.id), str(published.id)}
    drafts = client.get("/v1/opportunities?team=mine&status=draft", headers=h).get_json()
    assert [o["id"] for o in drafts["items"]] == [str(draft.id)]

    coach = create_user(session, municipality=mun, role="coach")
    refused = client.get("/v1/opportunities?team=mine", headers=auth_headers(app, session, coach))
    assert refused.status_code == 400
    assert refused.get_json()["invalidParams"][0]["name"] == "team"
    odd = client.get("/v1/opportunities?team=theirs", headers=h)
    assert odd.status_code == 400 and odd.get_json()["invalidParams"][0]["name"] == "team"
