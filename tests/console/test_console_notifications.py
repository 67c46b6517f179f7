"""Staff choose how they hear of events; the coach reads "did it help?" on the person's page."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from api.db import utcnow
from tests.console.test_console_http import _caseload, _sign_in, _token
from tests.factories import (
    auth_headers,
    create_match,
    create_opportunity,
    create_team,
    create_user,
)


def _checked(html: str, field: str) -> str | None:
    """The value of the checked radio button of a field on the page."""
    import re

    found = re.search(rf'name="{re.escape(field)}" value="(\w+)" checked', html)
    return found.group(1) if found else None


def test_a_coach_chooses_inbox_only_or_a_summary_per_kind(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    world = _caseload(session)
    coach = world["coach"]
    assert client.get("/console/meldingen").status_code == 302  # sign in first
    _sign_in(client, coach.email)
    page = client.get("/console/meldingen")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<h1 class="utrecht-heading-1">Meldingen</h1>' in html
    assert 'href="/console/meldingen" aria-current="page"' in html  # in the menu
    assert _checked(html, "mode.request_new") == "push"  # the default
    assert _checked(html, "mode.person_erased") == "push"
    assert "candidate_approved" not in html  # an organiser's kind

    saved = client.post(
        "/console/meldingen",
        data={
            "csrf_token": _token(html),
            "mode.request_new": "summary",
            "mode.person_erased": "inbox",
        },
    )
    assert saved.status_code == 303 and saved.headers["Location"] == "/console/meldingen"
    html = client.get("/console/meldingen").get_data(as_text=True)
    assert "Uw keuzes voor meldingen zijn opgeslagen." in html
    assert _checked(html, "mode.request_new") == "summary"
    assert _checked(html, "mode.person_erased") == "inbox"
    # the same choices the app and the dispatcher read through the API
    api = app.test_client().get(
        "/v1/me/notification-preferences", headers=auth_headers(app, session, coach)
    )
    assert api.get_json() == {
        "kinds": [
            {"kind": "request_new", "mode": "summary"},
            {"kind": "person_erased", "mode": "inbox"},
        ]
    }

    wrong = client.post(
        "/console/meldingen",
        data={"csrf_token": _token(html), "mode.request_new": "loud", "mode.person_erased": ""},
    )
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 400
    assert 'id="f-mode-request-new-error"' in html and 'id="f-mode-person-erased-error"' in html
    assert "Vul dit in." in html
    assert client.post("/console/meldingen", data={"mode.request_new": "push"}).status_code == 403


def test_an_organiser_sees_only_their_own_kinds(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    world = _caseload(session)
    team = create_team(session, municipality=world["mun"])
    organiser = create_user(session, municipality=world["mun"], role="organizer", team=team)
    _sign_in(client, organiser.email or "")
    html = client.get("/console/meldingen").get_data(as_text=True)
    assert _checked(html, "mode.candidate_approved") == "push"
    assert _checked(html, "mode.candidate_withdrew") == "push"
    assert "mode.request_new" not in html
    # a kind they do not receive is not theirs to set (the API's rule)
    client.post(
        "/console/meldingen",
        data={
            "csrf_token": _token(html),
            "mode.candidate_approved": "inbox",
            "mode.candidate_withdrew": "push",
            "mode.request_new": "summary",  # ignored: not on their page
        },
    )
    api = app.test_client().get(
        "/v1/me/notification-preferences", headers=auth_headers(app, session, organiser)
    )
    assert {c["kind"]: c["mode"] for c in api.get_json()["kinds"]} == {
        "candidate_approved": "inbox",
        "candidate_withdrew": "push",
    }


def test_the_coach_reads_did_it_help_only_for_their_own_people(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    world = _caseload(session)
    person, stranger = world["person"], world["stranger"]
    team = create_team(session, municipality=world["mun"])
    now = utcnow()
    story = [
        ("requested", now - timedelta(days=40)),
        ("approved", now - timedelta(days=39)),
        ("active", now - timedelta(days=35)),
        ("completed", now - timedelta(days=2)),
    ]
    done = create_match(
        session,
        person=person,
        opportunity=create_opportunity(session, team=team, title="Samen koken"),
        history=story,
    )
    theirs = create_match(
        session,
        person=stranger,
        opportunity=create_opportunity(session, team=team, title="Fietsles"),
        history=story,
    )
    api = app.test_client()
    for who, match, words in (
        (person, done, "Gezellig en ik leerde veel"),
        (stranger, theirs, "Te ver weg voor mij"),
    ):
        answered = api.put(
            f"/v1/me/matches/{match.id}/feedback",
            json={"helped": True, "again": False, "words": words},
            headers=auth_headers(app, session, who),
        )
        assert answered.status_code == 200, answered.get_json()

    _sign_in(client, world["coach"].email)
    html = client.get(f"/console/mensen/{person.id}").get_data(as_text=True)
    assert "Heeft het geholpen?" in html
    assert "“Gezellig en ik leerde veel”" in html
    assert "<dt>Geholpen</dt><dd>ja</dd>" in html
    assert "<dt>Zou het nog eens doen</dt><dd>nee</dd>" in html
    assert "Te ver weg voor mij" not in html
    # the open request of the same person has no answer: nothing is shown for it
    assert html.count("Heeft het geholpen?") == 1
    # another coach's person (and their answer) is not found
    foreign = client.get(f"/console/mensen/{stranger.id}")
    assert foreign.status_code == 404
    assert "Te ver weg voor mij" not in foreign.get_data(as_text=True)
    # in English when the coach chose English
    client.get("/console/taal/en")
    english = client.get(f"/console/mensen/{person.id}").get_data(as_text=True)
    assert "Did it help?" in english and "<dt>Helped</dt><dd>yes</dd>" in english
