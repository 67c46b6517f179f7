"""Organisers give times, contact, organisation, directions and a picture in the console too;
the address is placed by the geocoder when no postcode is given."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.geocoding.postcodes import POSTCODES
from api.opportunities.models import Opportunity
from tests.console.test_console_http import _sign_in, _token
from tests.factories import create_municipality, create_team, create_user


def _form(token: str, **over: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "csrf_token": token,
        "kind": "volunteer",
        "title": "Koken in De Meevaart",
        "description": "Samen koken voor buren. Ervaring is niet nodig.",
        "address": "Balistraat 48A, 1094 JN Amsterdam",
        "postcode": "",
        "interests": ["koken"],
        "capacity": "4",
        "minDutchLevel": "A1",
        "ladderStep": "3",
        "notReplacingPaidWork": "on",
        "schedule.0.day": "tue",
        "schedule.0.start": "09:30",
        "schedule.0.end": "12:00",
        "schedule.2.day": "thu",
        "schedule.2.start": "13:00",
        "schedule.2.end": "16:00",
        "organisation": "Buurthuis De Meevaart",
        "contact.name": "Fatima Amrani",
        "contact.email": "fatima@meevaart.example.org",
        "directions": "Ingang aan de achterkant.",
        "imageUrl": "https://example.org/meevaart.jpg",
    }
    data.update(over)
    return data


def _error(html: str, field: str) -> str:
    found = re.search(rf'id="{field}-error">(.*?)</div>', html, re.S)
    assert found, f"no error shown for {field}"
    return found.group(1)


def test_organiser_enters_the_detail_a_screen_needs(client: FlaskClient, session: Session) -> None:
    mun = create_municipality(session)
    team = create_team(session, municipality=mun)
    org = create_user(session, municipality=mun, role="organizer", team=team)
    _sign_in(client, str(org.email))
    page = client.get("/console/activiteiten/nieuw").get_data(as_text=True)
    assert 'id="f-schedule-0-start"' in page and 'id="f-contact-email"' in page

    resp = client.post("/console/activiteiten/nieuw", data=_form(_token(page)))
    assert resp.status_code == 303, resp.get_data(as_text=True)
    opp = session.scalars(select(Opportunity).where(Opportunity.team_id == team.id)).one()
    assert opp.schedule == [
        {"day": "tue", "start": "09:30", "end": "12:00"},
        {"day": "thu", "start": "13:00", "end": "16:00"},
    ]
    assert opp.slots == ["tue-morning", "thu-afternoon"]
    assert float(opp.hours_per_week or 0) == 5.5
    assert (opp.contact_name, opp.contact_email, opp.contact_phone) == (
        "Fatima Amrani",
        "fatima@meevaart.example.org",
        None,
    )
    assert opp.organisation == "Buurthuis De Meevaart"
    assert opp.image_url == "https://example.org/meevaart.jpg"
    assert (round(opp.lat, 4), round(opp.lon, 4)) == POSTCODES["1094"]  # placed by its address

    edit = client.get(f"/console/activiteiten/{opp.id}").get_data(as_text=True)
    for shown in ("09:30", "16:00", "Fatima Amrani", "Buurthuis De Meevaart", "5.5"):
        assert f'value="{shown}"' in edit, shown
    assert "Ingang aan de achterkant." in edit


def test_times_and_address_errors_are_named_in_words(client: FlaskClient, session: Session) -> None:
    mun = create_municipality(session)
    team = create_team(session, municipality=mun)
    org = create_user(session, municipality=mun, role="organizer", team=team)
    _sign_in(client, str(org.email))
    token = _token(client.get("/console/activiteiten/nieuw").get_data(as_text=True))

    bad_time = _form(token, **{"schedule.2.end": "13:05"})
    resp = client.post("/console/activiteiten/nieuw", data=bad_time)
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "kwartier" in _error(html, "f-schedule-2-end")  # the third row, as on the screen

    no_contact = _form(token, **{"contact.email": ""})
    html = client.post("/console/activiteiten/nieuw", data=no_contact).get_data(as_text=True)
    assert "telefoonnummer of een e-mailadres" in _error(html, "f-contact")

    nowhere = _form(token, address="Balistraat 48A, Amsterdam")
    resp = client.post("/console/activiteiten/nieuw", data=nowhere)
    assert resp.status_code == 400
    assert "adres niet vinden" in _error(resp.get_data(as_text=True), "f-address")
    assert session.scalars(select(Opportunity).where(Opportunity.team_id == team.id)).all() == []


def test_coach_sees_who_when_and_whom_to_ask(client: FlaskClient, session: Session) -> None:
    from datetime import timedelta
    from decimal import Decimal

    from api.db import utcnow
    from tests.factories import create_match, create_opportunity, create_profile

    mun = create_municipality(session)
    coach = create_user(session, municipality=mun, role="coach")
    person = create_user(session, municipality=mun, coach=coach, name="Petra Persoon")
    create_profile(session, user=person)
    opp = create_opportunity(session, team=create_team(session, municipality=mun))
    opp.schedule = [{"day": "tue", "start": "09:30", "end": "12:00"}]
    opp.hours_per_week = Decimal("2.5")
    opp.organisation = "Buurthuis De Meevaart"
    opp.contact_name, opp.contact_email = "Fatima Amrani", "fatima@meevaart.example.org"
    session.flush()
    create_match(
        session, person=person, opportunity=opp, history=[("requested", utcnow() - timedelta(1))]
    )
    _sign_in(client, str(coach.email))
    html = client.get(f"/console/mensen/{person.id}").get_data(as_text=True)
    assert "Buurthuis De Meevaart" in html
    assert "dinsdag 09:30–12:00" in html
    assert "2,5 uur per week" in html
    assert "Contact: Fatima Amrani (fatima@meevaart.example.org)" in html
