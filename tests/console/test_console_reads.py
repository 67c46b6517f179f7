"""What the console's lists show, read through the domain services (rolled back, Flask stack)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audit.models import AuditEvent
from api.auth.security import Actor
from api.db import utcnow
from api.invitations.models import Invitation
from api.opportunities.models import Opportunity
from api.profiles.service import caseload_names
from tests.console.test_console_http import _sign_in, _token
from tests.factories import (
    auth_headers,
    create_match,
    create_municipality,
    create_opportunity,
    create_profile,
    create_team,
    create_user,
)


def _with_allowance(session: Session, opp: Opportunity, euros: int) -> Opportunity:
    opp.monthly_allowance_cents = euros * 100
    session.flush()
    return opp


def test_activities_are_the_teams_own_with_places_left(
    client: FlaskClient, session: Session
) -> None:
    mun = create_municipality(session)
    team, other_team = (
        create_team(session, municipality=mun),
        create_team(session, municipality=mun),
    )
    organiser = create_user(session, municipality=mun, role="organizer", team=team)
    ours = create_opportunity(session, team=team, capacity=3, title="Koken in het buurthuis")
    newer = create_opportunity(session, team=team, status="draft", title="Fietsen repareren")
    newer.created_at = ours.created_at + timedelta(minutes=1)  # one transaction: same now()
    create_opportunity(session, team=other_team, title="Voorlezen op school")
    coach = create_user(session, municipality=mun, role="coach")
    now = utcnow()
    for story in (["requested", "approved"], ["requested"]):  # one place taken, one asked for
        person = create_user(session, municipality=mun, coach=coach)
        history = [(s, now - timedelta(hours=5 - i)) for i, s in enumerate(story)]
        create_match(session, person=person, opportunity=ours, history=history)

    assert organiser.email
    _sign_in(client, organiser.email)
    html = client.get("/console/activiteiten").get_data(as_text=True)
    assert "Koken in het buurthuis" in html and "Fietsen repareren" in html
    assert "Voorlezen op school" not in html  # another team's
    assert "2 van 3" in html
    # newest first
    assert html.index("Fietsen repareren") < html.index("Koken in het buurthuis")


def test_candidates_of_all_the_teams_activities_audited_as_in_the_api(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    mun = create_municipality(session)
    team, other_team = (
        create_team(session, municipality=mun),
        create_team(session, municipality=mun),
    )
    organiser = create_user(session, municipality=mun, role="organizer", team=team)
    coach = create_user(session, municipality=mun, role="coach")
    now = utcnow()
    approved = [("requested", now - timedelta(hours=3)), ("approved", now - timedelta(hours=2))]
    cooking = create_opportunity(session, team=team, title="Koken in het buurthuis")
    garden = create_opportunity(session, team=team, title="Tuinieren bij de moestuin")
    theirs = create_opportunity(session, team=other_team, title="Voorlezen op school")
    anna = create_user(session, municipality=mun, coach=coach, name="Anna de Vries")
    bram = create_user(session, municipality=mun, coach=coach, name="Bram Jansen")
    create_profile(session, user=bram)
    carla = create_user(session, municipality=mun, coach=coach, name="Carla Smit")
    waiting = create_user(session, municipality=mun, coach=coach, name="Wim Wachter")
    create_match(session, person=anna, opportunity=cooking, history=approved)
    create_match(session, person=bram, opportunity=garden, history=approved)
    create_match(session, person=carla, opportunity=theirs, history=approved)
    create_match(session, person=waiting, opportunity=cooking, history=approved[:1])

    assert organiser.email
    _sign_in(client, organiser.email)
    html = client.get("/console/kandidaten").get_data(as_text=True)
    assert "Anna" in html and "Bram" in html and "Tuinieren bij de moestuin" in html
    assert "de Vries" not in html and "Jansen" not in html  # first names only
    assert "Carla" not in html and "Wim" not in html  # another team's; not approved

    def seen() -> set[tuple[Any, ...]]:
        rows = session.execute(
            select(AuditEvent.subject_id, AuditEvent.object_type, AuditEvent.purpose).where(
                AuditEvent.actor_id == organiser.id, AuditEvent.action == "read"
            )
        ).all()
        return {tuple(r) for r in rows}

    console_entries = seen()
    assert {r[0] for r in console_entries} == {anna.id, bram.id}
    # the API's list of one opportunity writes the very same entries
    headers = auth_headers(app, session, organiser)
    api = client.get(f"/v1/opportunities/{cooking.id}/matches", headers=headers)
    assert [c["firstName"] for c in api.get_json()["items"]] == ["Anna"]
    assert seen() == console_entries


def test_requests_warn_before_approving_as_approving_warns_after(
    client: FlaskClient, session: Session
) -> None:
    mun = create_municipality(session)
    team = create_team(session, municipality=mun)
    coach = create_user(session, municipality=mun, role="coach")
    busy = create_user(session, municipality=mun, coach=coach, name="Petra Persoon")
    free = create_user(session, municipality=mun, coach=coach, name="Frank Vrij")
    now = utcnow()
    asked = [("requested", now - timedelta(hours=3))]
    held = _with_allowance(session, create_opportunity(session, team=team, title="Koken"), 150)
    garden = _with_allowance(session, create_opportunity(session, team=team, title="Tuin"), 100)
    create_match(
        session,
        person=busy,
        opportunity=held,
        history=[*asked, ("approved", now - timedelta(hours=2))],
    )
    over = create_match(session, person=busy, opportunity=garden, history=asked)
    under = create_match(session, person=free, opportunity=garden, history=asked)

    assert coach.email
    _sign_in(client, coach.email)
    html = client.get("/console/aanvragen").get_data(as_text=True)
    assert "Petra Persoon" in html and "Frank Vrij" in html
    # default cap EUR 210: 150 + 100 is over it, 100 alone is not
    assert html.count("Het maximum van de gemeente is € 210.00") == 1
    card = re.search(rf'id="aanvraag-{over.id}".*?</article>', html, re.S)
    assert card and "€ 250.00 per maand" in card.group(0)

    warning = "samen komen de vrijwilligersvergoedingen van deze persoon boven het maximum"
    for match, warned in ((over, True), (under, False)):
        page = client.get("/console/aanvragen").get_data(as_text=True)
        done = client.post(
            f"/console/aanvragen/{match.id}/goedkeuren", data={"csrf_token": _token(page)}
        )
        assert done.status_code == 303
        after = client.get("/console/aanvragen").get_data(as_text=True)
        assert (warning in after) is warned


def test_caseload_names_leave_out_other_coaches_people(session: Session) -> None:
    mun = create_municipality(session)
    coach, other = (create_user(session, municipality=mun, role="coach") for _ in range(2))
    mine = create_user(session, municipality=mun, coach=coach, name="Petra Persoon")
    theirs = create_user(session, municipality=mun, coach=other, name="Olaf Ander")
    actor = Actor(coach.id, "coach", mun.id, None)
    names = caseload_names(session, actor=actor, recipient_ids=[mine.id, theirs.id])
    assert names == {mine.id: "Petra Persoon"}
    assert caseload_names(session, actor=actor, recipient_ids=[]) == {}


def test_a_new_sign_in_code_works_once_and_only_for_the_coachs_people(
    client: FlaskClient, session: Session
) -> None:
    mun = create_municipality(session)
    coach, other = (create_user(session, municipality=mun, role="coach") for _ in range(2))
    person = create_user(session, municipality=mun, coach=coach, name="Petra Persoon")
    stranger = create_user(session, municipality=mun, coach=other)

    assert coach.email and person.email
    _sign_in(client, coach.email)
    page = client.get(f"/console/mensen/{person.id}").get_data(as_text=True)
    shown = client.post(f"/console/mensen/{person.id}/code", data={"csrf_token": _token(page)})
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    assert "Petra Persoon" in html
    found = re.search(r"\b[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}\b", html)
    assert found
    entry = session.scalars(
        select(AuditEvent).where(
            AuditEvent.subject_id == person.id, AuditEvent.object_type == "reset_code"
        )
    ).one()
    assert (entry.actor_id, entry.action) == (coach.id, "create")

    # the person has a password already: the code chooses a new one (POST /v1/auth/reset)
    body = {"resetCode": found.group(0), "password": "Fiets-Molen-Regen-42"}
    assert client.post("/v1/auth/reset", json=body).status_code == 200
    assert client.post("/v1/auth/reset", json=body).status_code == 400  # once

    foreign = client.post(f"/console/mensen/{stranger.id}/code", data={"csrf_token": _token(page)})
    assert foreign.status_code == 404
    assert (
        session.scalar(select(Invitation.id).where(Invitation.recipient_id == stranger.id)) is None
    )


def test_staff_list_has_this_municipalitys_staff_only(
    client: FlaskClient, session: Session
) -> None:
    mun, elsewhere = create_municipality(session), create_municipality(session)
    admin = create_user(session, municipality=mun, role="admin", name="Ada Beheer")
    team = create_team(session, municipality=mun, name="Team Noord")
    create_user(session, municipality=mun, role="organizer", team=team, name="Olga Organisator")
    coach = create_user(session, municipality=mun, role="coach", name="Cor Coach")
    create_user(session, municipality=mun, coach=coach, name="Petra Persoon")
    create_user(session, municipality=elsewhere, role="coach", name="Cas Elders")

    assert admin.email
    _sign_in(client, admin.email)
    html = client.get("/console/medewerkers").get_data(as_text=True)
    for name in ("Ada Beheer", "Olga Organisator", "Cor Coach", "Team Noord"):
        assert name in html
    assert "Petra Persoon" not in html and "Cas Elders" not in html


def test_form_text_becomes_the_numbers_the_api_schema_takes(app: Flask) -> None:
    """The API's strict number fields take JSON numbers; a form sends text."""
    from api.admin.schemas import PolicySchema
    from api.console import forms
    from api.progress.schemas import LadderAssessmentCreateSchema

    with app.test_request_context("/console/"):
        assert forms.load(LadderAssessmentCreateSchema(), {"step": "4"}) == {
            "step": 4,
            "note": None,
        }
        for text in ("2.5", "4 ", "vier", "nan", "٤"):
            try:
                forms.load(LadderAssessmentCreateSchema(), {"step": text})
            except forms.FormInvalid as exc:
                assert exc.errors == {"step": "Vul een heel getal in, bijvoorbeeld 3."}
            else:
                raise AssertionError(f"{text!r} was taken as a step")
        weights = {
            "interest": "0.5",
            "distance": "0",
            "time": "0.25",
            "ladder": "1",
            "language": "0",
            "freshness": "0",
        }
        body = forms.as_json(PolicySchema(), {"weights": weights, "maxNudgesPerWeek": "2"})
        assert body["weights"]["time"] == 0.25 and body["weights"]["ladder"] == 1.0
        assert body["maxNudgesPerWeek"] == 2
