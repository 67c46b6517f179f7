"""The console's sign-in, sessions, CSRF and authorisation through the Flask stack (rolled back)."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.app import create_app
from api.audit.models import AuditEvent
from api.auth.models import TokenFamily
from api.config import Settings
from api.console.models import ConsoleSession
from api.db import utcnow
from api.matches.models import Match
from api.profiles.models import RecipientProfile
from tests.conftest import TEST_DATABASE_URL, TEST_JWT_SECRET
from tests.factories import (
    PASSWORD,
    create_match,
    create_municipality,
    create_opportunity,
    create_profile,
    create_team,
    create_user,
)

CONSOLE = Path(__file__).resolve().parents[2] / "api" / "console"


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the form"
    return found.group(1)


def _sign_in(client: FlaskClient, email: str, password: str = PASSWORD, **kw: Any) -> Any:
    page = client.get("/console/inloggen", **kw)
    return client.post(
        "/console/inloggen",
        data={
            "csrf_token": _token(page.get_data(as_text=True)),
            "email": email,
            "password": password,
        },
        **kw,
    )


def _caseload(session: Session) -> dict[str, Any]:
    mun = create_municipality(session)
    coach = create_user(session, municipality=mun, role="coach")
    person = create_user(session, municipality=mun, coach=coach, name="Petra Persoon")
    create_profile(session, user=person)
    other_coach = create_user(session, municipality=mun, role="coach")
    stranger = create_user(session, municipality=mun, coach=other_coach)
    team = create_team(session, municipality=mun)
    opp = create_opportunity(session, team=team)
    now = utcnow()
    match = create_match(
        session, person=person, opportunity=opp, history=[("requested", now - timedelta(hours=2))]
    )
    return {"coach": coach, "person": person, "stranger": stranger, "match": match, "mun": mun}


def test_sign_in_sets_a_safe_cookie_and_rotates_it(client: FlaskClient, session: Session) -> None:
    world = _caseload(session)
    form = _token(client.get("/console/inloggen").get_data(as_text=True))
    login = {"csrf_token": form, "email": world["coach"].email, "password": PASSWORD}
    first = client.post("/console/inloggen", data=login)
    assert first.status_code == 303 and first.headers["Location"] == "/console/"
    cookie = next(
        c for c in first.headers.getlist("Set-Cookie") if c.startswith("meedoen_console=")
    )
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # plain http in tests; see the TLS test below
    token_one = cookie.split(";")[0].split("=", 1)[1]
    assert client.get("/console/mensen").status_code == 200

    second = client.post("/console/inloggen", data=login)  # again: a new session id
    cookie_two = next(
        c for c in second.headers.getlist("Set-Cookie") if c.startswith("meedoen_console=")
    )
    assert cookie_two.split(";")[0].split("=", 1)[1] != token_one
    rows = session.scalars(
        select(ConsoleSession).where(ConsoleSession.user_id == world["coach"].id)
    ).all()
    assert len(rows) == 1  # the old session was ended, not left behind
    assert token_one not in {r.token_hash for r in rows}  # only a hash is stored


def test_cookie_is_secure_under_tls(client: FlaskClient, session: Session) -> None:
    world = _caseload(session)
    resp = _sign_in(client, world["coach"].email, base_url="https://localhost")
    cookie = next(c for c in resp.headers.getlist("Set-Cookie") if c.startswith("meedoen_console="))
    assert "Secure" in cookie


def test_wrong_password_and_recipients(client: FlaskClient, session: Session) -> None:
    world = _caseload(session)
    wrong = _sign_in(client, world["coach"].email, "not the password")
    assert wrong.status_code == 401
    assert "Het e-mailadres of het wachtwoord klopt niet." in wrong.get_data(as_text=True)
    recipient = _sign_in(client, world["person"].email)
    assert recipient.status_code == 403
    assert "Gebruik de Meedoen-app" in recipient.get_data(as_text=True)
    assert (
        session.scalar(select(ConsoleSession).where(ConsoleSession.user_id == world["person"].id))
        is None
    )


def test_a_post_without_csrf_token_is_refused(client: FlaskClient, session: Session) -> None:
    world = _caseload(session)
    no_token = client.post(
        "/console/inloggen", data={"email": world["coach"].email, "password": PASSWORD}
    )
    assert no_token.status_code == 403
    assert "Het formulier is verlopen" in no_token.get_data(as_text=True)

    _sign_in(client, world["coach"].email)
    url = f"/console/aanvragen/{world['match'].id}/goedkeuren"
    assert client.post(url).status_code == 403
    assert client.post(url, data={"csrf_token": "forged"}).status_code == 403
    session.expire_all()
    assert session.get_one(Match, world["match"].id).status == "requested"  # nothing happened

    page = client.get("/console/aanvragen").get_data(as_text=True)
    ok = client.post(url, data={"csrf_token": _token(page)})
    assert ok.status_code == 303
    session.expire_all()
    assert session.get_one(Match, world["match"].id).status == "approved"


def test_person_page_is_in_their_access_log_and_foreign_is_404(
    client: FlaskClient, session: Session
) -> None:
    world = _caseload(session)
    _sign_in(client, world["coach"].email)
    page = client.get(f"/console/mensen/{world['person'].id}")
    assert page.status_code == 200 and "Petra Persoon" in page.get_data(as_text=True)
    logged = session.scalars(
        select(AuditEvent).where(
            AuditEvent.subject_id == world["person"].id, AuditEvent.object_type == "caseload_person"
        )
    ).all()
    assert [e.actor_id for e in logged] == [world["coach"].id]
    assert logged[0].origin == "GET /console/mensen/<uuid:recipient_id>"

    without_profile = create_user(session, municipality=world["mun"], coach=world["coach"])
    html = client.get(f"/console/mensen/{without_profile.id}").get_data(as_text=True)
    assert "Deze persoon heeft nog geen profiel ingevuld." in html
    assert session.get(RecipientProfile, without_profile.id) is None  # looking makes none

    foreign = client.get(f"/console/mensen/{world['stranger'].id}")
    assert foreign.status_code == 404
    assert foreign.content_type.startswith("text/html")
    assert "Niet gevonden" in foreign.get_data(as_text=True)
    assert client.get(f"/console/mensen/{uuid.uuid4()}").status_code == 404


def test_a_form_error_is_shown_next_to_the_field_in_words(
    client: FlaskClient, session: Session
) -> None:
    world = _caseload(session)
    _sign_in(client, world["coach"].email)
    page = client.get("/console/aanvragen").get_data(as_text=True)
    resp = client.post(
        f"/console/aanvragen/{world['match'].id}/afwijzen",
        data={"csrf_token": _token(page), "reason": "no"},
    )
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    field = f"f-reason-{world['match'].id}"
    error = re.search(rf'id="{field}-error">(.*?)</div>', html, re.S)
    assert error and "Gebruik 3 tot 500 tekens." in error.group(1)  # the API's rule, in Dutch
    assert f'aria-describedby="{field}-hint {field}-error"' in html
    # the coach's look at the queue is still in the access log although the form failed
    assert session.scalar(
        select(AuditEvent.id).where(
            AuditEvent.subject_id == world["person"].id, AuditEvent.purpose == "approval queue"
        )
    )


def test_roles_see_only_their_pages(client: FlaskClient, session: Session) -> None:
    mun = create_municipality(session)
    organizer = create_user(session, municipality=mun, role="organizer")
    assert organizer.email
    _sign_in(client, organizer.email)
    assert client.get("/console/").headers["Location"] == "/console/activiteiten"
    forbidden = client.get("/console/mensen")
    assert forbidden.status_code == 403 and "Geen toegang" in forbidden.get_data(as_text=True)
    assert client.get("/console/beleid").status_code == 403
    assert client.get("/console/bestaat-niet").status_code == 404


def test_idle_timeout_and_deactivation_end_the_session(
    client: FlaskClient, session: Session
) -> None:
    world = _caseload(session)
    _sign_in(client, world["coach"].email)
    row = session.scalars(
        select(ConsoleSession).where(ConsoleSession.user_id == world["coach"].id)
    ).one()
    family_id = row.family_id
    row.last_seen_at = utcnow() - timedelta(minutes=31)
    session.flush()
    resp = client.get("/console/mensen")
    assert resp.status_code == 302 and "/console/inloggen" in resp.headers["Location"]
    session.expire_all()
    assert session.get_one(TokenFamily, family_id).revoked_at is not None  # the API sign-in too
    assert "30 minuten" in client.get("/console/inloggen?verlopen=1").get_data(as_text=True)

    _sign_in(client, world["coach"].email)
    assert client.get("/console/mensen").status_code == 200
    world["coach"].is_active = False
    session.flush()
    assert client.get("/console/mensen").status_code == 302


def test_sign_out_ends_console_and_api_sign_in(client: FlaskClient, session: Session) -> None:
    world = _caseload(session)
    _sign_in(client, world["coach"].email)
    row = session.scalars(
        select(ConsoleSession).where(ConsoleSession.user_id == world["coach"].id)
    ).one()
    family_id, row_id = row.family_id, row.id
    page = client.get("/console/mensen").get_data(as_text=True)
    out = client.post("/console/uitloggen", data={"csrf_token": _token(page)})
    assert out.status_code == 303
    session.expire_all()
    assert session.get_one(TokenFamily, family_id).revoked_reason == "logout"
    assert session.scalar(select(ConsoleSession).where(ConsoleSession.id == row_id)) is None
    assert client.get("/console/mensen").status_code == 302


def test_next_is_only_a_console_path(client: FlaskClient, session: Session) -> None:
    world = _caseload(session)
    page = client.get("/console/inloggen?next=https://evil.example/console/x")
    resp = client.post(
        "/console/inloggen",
        data={
            "csrf_token": _token(page.get_data(as_text=True)),
            "email": world["coach"].email,
            "password": PASSWORD,
            "next": "//evil.example/console/",
        },
    )
    assert resp.headers["Location"] == "/console/"
    lang = client.get("/console/taal/en?next=https://evil.example/")
    assert lang.headers["Location"] == "/console/"


def test_pages_have_their_own_content_security_policy(
    client: FlaskClient, session: Session
) -> None:
    page = client.get("/console/inloggen")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert page.headers["Cache-Control"] == "no-store"
    api = client.get("/v1/health")
    assert api.headers["Content-Security-Policy"] == "frame-ancestors 'none'; default-src 'none'"


def test_sign_in_shares_the_apis_rate_limit(engine: Any) -> None:
    """Five wrong passwords in the console: the API's sign-in for that account is limited too."""
    settings = Settings.from_env(
        {"DATABASE_URL": TEST_DATABASE_URL, "RATE_LIMITS": "on", "JWT_SECRET_KEY": TEST_JWT_SECRET}
    )
    app: Flask = create_app(settings, engine=engine)
    client = app.test_client()
    here = {"REMOTE_ADDR": "198.51.100.77"}
    email = f"limit-{uuid.uuid4().hex[:8]}@example.org"
    for _ in range(5):
        assert _sign_in(client, email, "wrong-password", environ_overrides=here).status_code == 401
    limited = _sign_in(client, email, "wrong-password", environ_overrides=here)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert "Te veel pogingen" in limited.get_data(as_text=True)
    api = client.post(
        "/v1/auth/login",
        json={"email": email, "password": "wrong-password"},
        environ_overrides={"REMOTE_ADDR": "198.51.100.78"},
    )
    assert api.status_code == 429


def test_every_text_exists_in_dutch_and_english() -> None:
    nl = json.loads((CONSOLE / "messages" / "nl.json").read_text(encoding="utf-8"))
    en = json.loads((CONSOLE / "messages" / "en.json").read_text(encoding="utf-8"))
    assert set(nl) == set(en)
    assert all(v.strip() for v in [*nl.values(), *en.values()])
    used: set[str] = set()
    for path in [*(CONSOLE / "templates").rglob("*.html"), *CONSOLE.glob("*.py")]:
        used |= set(re.findall(r"""\bt\(\s*['"]([a-z_]+(?:\.[a-z_0-9]+)+)['"]""", path.read_text()))
    assert used - set(nl) == set()


def test_the_coach_sees_the_plan_proposes_and_agrees_steps(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    from datetime import date

    from api.plans.models import PlanStep
    from tests.factories import auth_headers

    world = _caseload(session)
    person = world["person"]
    _sign_in(client, world["coach"].email)
    page = client.get(f"/console/mensen/{person.id}").get_data(as_text=True)
    assert "Nog geen stappen." in page
    due = (date.today() + timedelta(days=10)).isoformat()
    # a form without what or kind: the error is next to the field, in the page
    bad = client.post(
        f"/console/mensen/{person.id}/stappen", data={"csrf_token": _token(page), "dueOn": due}
    )
    assert bad.status_code == 400 and 'id="f-what-error"' in bad.get_data(as_text=True)
    made = client.post(
        f"/console/mensen/{person.id}/stappen",
        data={"csrf_token": _token(page), "kind": "make_cv", "dueOn": due, "why": "Solliciteren"},
    )
    assert made.status_code == 303 and made.headers["Location"].endswith("#plan")
    html = client.get(f"/console/mensen/{person.id}").get_data(as_text=True)
    assert "Een cv maken" in html and "Wacht op het ja van de persoon." in html
    # the person proposes one in the app; the coach agrees on the page (htmx)
    mine = app.test_client().post(
        "/v1/me/steps",
        json={"what": "Kennismaken bij de bibliotheek", "dueOn": due},
        headers=auth_headers(app, session, person),
    )
    assert mine.status_code == 201
    step_id = mine.get_json()["id"]
    html = client.get(f"/console/mensen/{person.id}").get_data(as_text=True)
    assert f'hx-post="/console/mensen/{person.id}/stappen/{step_id}/akkoord"' in html
    agreed = client.post(
        f"/console/mensen/{person.id}/stappen/{step_id}/akkoord",
        data={"csrf_token": _token(html)},
        headers={"HX-Request": "true"},
    )
    assert agreed.status_code == 200
    assert "U bent akkoord met deze stap." in agreed.get_data(as_text=True)
    step = session.get(PlanStep, uuid.UUID(step_id))
    assert step is not None
    session.refresh(step)
    assert step.status == "agreed"
    # agreeing to their own proposal is not the coach's to do
    coach_step = session.scalars(
        select(PlanStep).where(PlanStep.recipient_id == person.id, PlanStep.kind == "make_cv")
    ).one()
    again = client.post(
        f"/console/mensen/{person.id}/stappen/{coach_step.id}/akkoord",
        data={"csrf_token": _token(html)},
        headers={"HX-Request": "true"},
    )
    assert 'role="alert"' in again.get_data(as_text=True)
    # someone else's person: not found
    stranger = client.post(
        f"/console/mensen/{world['stranger'].id}/stappen",
        data={"csrf_token": _token(html), "kind": "make_cv", "dueOn": due},
    )
    assert stranger.status_code == 404


def test_plan_rules_are_said_in_the_consoles_language(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    """The API's rules for a step, in Dutch (B1) from the catalogue, or in English when chosen."""
    from datetime import date

    world = _caseload(session)
    person = world["person"]
    _sign_in(client, world["coach"].email)
    page = client.get(f"/console/mensen/{person.id}").get_data(as_text=True)
    url = f"/console/mensen/{person.id}/stappen"
    due = (date.today() + timedelta(days=10)).isoformat()
    form = {"csrf_token": _token(page), "dueOn": due}

    nothing = client.post(url, data=form).get_data(as_text=True)
    assert "Zeg wat de stap is: kies een soort of schrijf het in je eigen woorden." in nothing
    assert "Say what" not in nothing
    past = (date.today() - timedelta(days=3)).isoformat()
    late = client.post(url, data={**form, "what": "Bellen", "dueOn": past})
    assert late.status_code == 400  # the service's rule, next to the field, not an error page
    assert re.search(
        r'id="f-dueOn-error">.*Kies een dag vanaf vandaag\.', late.get_data(as_text=True)
    )
    far = client.post(url, data={**form, "what": "Bellen", "dueOn": "2099-01-01"})
    assert re.search(
        r'id="f-dueOn-error">.*Kies \d{4}-\d\d-\d\d of eerder\.', far.get_data(as_text=True)
    )
    undated = client.post(url, data={**form, "what": "Bellen", "dueOn": ""})
    assert re.search(r'id="f-dueOn-error">.*Vul dit in\.', undated.get_data(as_text=True))
    for what in ("Bellen", "Mailen", "Langsgaan"):  # a plan holds at most 3 open steps
        assert client.post(url, data={**form, "what": what}).status_code == 303
    full = client.post(url, data={**form, "what": "Nog een"}, follow_redirects=True)
    assert "Een plan heeft hoogstens 3 open stappen." in full.get_data(as_text=True)

    client.get("/console/taal/en")
    english = client.post(url, data={**form, "dueOn": past}).get_data(as_text=True)
    assert "Say what the step is: a kind or plain words." in english
    full = client.post(url, data={**form, "what": "Another"}, follow_redirects=True)
    assert "A plan has at most 3 open steps." in full.get_data(as_text=True)


def _form_values(html: str) -> list[tuple[str, str]]:
    """What the browser would post: every text box as shown and every ticked box."""
    found = []
    for tag in re.findall(r"<input [^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name or (' type="checkbox"' in tag and " checked" not in tag):
            continue
        found.append((name.group(1), value.group(1) if value else ""))
    return found


def test_the_policy_form_edits_quiet_hours_as_one_object(
    client: FlaskClient, session: Session
) -> None:
    from werkzeug.datastructures import MultiDict

    from api.municipalities.policy import load_policy

    mun = create_municipality(session)
    admin = create_user(session, municipality=mun, role="admin")
    assert admin.email
    _sign_in(client, admin.email)
    page = client.get("/console/beleid").get_data(as_text=True)
    assert 'name="quietHours.start" type="text" value="21:00"' in page
    values = MultiDict(_form_values(page))
    values["quietHours.start"] = "9 uur"
    resp = client.post("/console/beleid", data=values)
    assert resp.status_code == 400
    error = re.search(
        r'id="f-quietHours-start-error">(.*?)</div>', resp.get_data(as_text=True), re.S
    )
    assert error, "no error next to the start of the quiet hours"
    values["quietHours.start"] = "22:30"
    assert client.post("/console/beleid", data=values).status_code == 303
    assert load_policy(session, mun.id).quiet_hours.start == "22:30"
    assert load_policy(session, mun.id).quiet_hours.end == "08:00"
