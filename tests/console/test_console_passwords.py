"""The console's password pages: an admin makes a code for a staff member, and staff with a
one-time code (a new account or a forgotten password) choose their password themselves."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audit.models import AuditEvent
from api.auth.models import TokenFamily
from tests.console.test_console_http import _sign_in, _token
from tests.factories import create_municipality, create_team, create_user

NEW_PASSWORD = "Zeilboot-Op-De-Amstel-31"
CODE = re.compile(r"\b[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}\b")


def _set_password(client: FlaskClient, **fields: str):
    page = client.get("/console/wachtwoord")
    assert page.status_code == 200
    return client.post(
        "/console/wachtwoord", data={"csrf_token": _token(page.get_data(as_text=True)), **fields}
    )


def test_admin_makes_a_code_and_the_staff_member_chooses_a_new_password(
    client: FlaskClient, session: Session
) -> None:
    mun = create_municipality(session)
    admin = create_user(session, municipality=mun, role="admin")
    coach = create_user(session, municipality=mun, role="coach", name="Karin de Vries")
    other = create_user(session, municipality=create_municipality(session), role="coach")
    assert admin.email and coach.email
    coach_sign_in = _sign_in(client.application.test_client(), coach.email)
    assert coach_sign_in.status_code == 303

    _sign_in(client, admin.email)
    page = client.get("/console/medewerkers").get_data(as_text=True)
    assert f"/console/medewerkers/{coach.id}/code" in page
    shown = client.post(f"/console/medewerkers/{coach.id}/code", data={"csrf_token": _token(page)})
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    assert "Karin de Vries" in html and "/console/wachtwoord" in html
    found = CODE.search(html)
    assert found
    across = client.post(f"/console/medewerkers/{other.id}/code", data={"csrf_token": _token(page)})
    assert across.status_code == 404
    entry = session.scalars(
        select(AuditEvent).where(
            AuditEvent.subject_id == coach.id, AuditEvent.object_type == "reset_code"
        )
    ).one()
    assert entry.actor_id == admin.id

    fresh = client.application.test_client()
    weak = _set_password(fresh, code=found.group(0), email=coach.email, password="wachtwoord1")
    assert weak.status_code == 400 and 'id="f-password' in weak.get_data(as_text=True)
    wrong_mail = _set_password(
        fresh, code=found.group(0), email="iemand@example.org", password=NEW_PASSWORD
    )
    assert wrong_mail.status_code == 400
    done = _set_password(fresh, code=found.group(0), email=coach.email, password=NEW_PASSWORD)
    assert done.status_code == 303 and done.headers["Location"].endswith("wachtwoord=1")
    assert "Uw wachtwoord is ingesteld" in fresh.get(done.headers["Location"]).get_data(
        as_text=True
    )
    # every earlier sign-in (also the console session) ended; the new password works
    open_families = session.scalars(
        select(TokenFamily).where(TokenFamily.user_id == coach.id, TokenFamily.revoked_at.is_(None))
    ).all()
    assert open_families == []
    assert _sign_in(fresh, coach.email, NEW_PASSWORD).status_code == 303
    again = _set_password(
        client.application.test_client(),
        code=found.group(0),
        email=coach.email,
        password=NEW_PASSWORD,
    )
    assert again.status_code == 400  # once


def test_a_new_staff_member_activates_the_account_with_the_code(
    client: FlaskClient, session: Session
) -> None:
    mun = create_municipality(session)
    create_team(session, municipality=mun)
    admin = create_user(session, municipality=mun, role="admin")
    assert admin.email
    _sign_in(client, admin.email)
    page = client.get("/console/medewerkers").get_data(as_text=True)
    made = client.post(
        "/console/medewerkers",
        data={
            "csrf_token": _token(page),
            "name": "Nieuwe Coach",
            "email": "nieuwe.coach@example.org",
            "role": "coach",
        },
    )
    assert made.status_code == 200
    code = CODE.search(made.get_data(as_text=True))
    assert code
    fresh = client.application.test_client()
    done = _set_password(
        fresh, code=code.group(0), email="nieuwe.coach@example.org", password=NEW_PASSWORD
    )
    assert done.status_code == 303
    assert _sign_in(fresh, "nieuwe.coach@example.org", NEW_PASSWORD).status_code == 303


def test_the_sign_in_page_points_to_the_code_page(client: FlaskClient) -> None:
    page = client.get("/console/inloggen").get_data(as_text=True)
    assert 'href="/console/wachtwoord"' in page
    unknown = _set_password(
        client, code="AAAA-BBBB-CCCC", email="a@example.org", password=NEW_PASSWORD
    )
    assert unknown.status_code == 400
    assert "Deze code kennen we niet" in unknown.get_data(as_text=True)
