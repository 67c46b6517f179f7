"""The admin's experiment pages: pre-register, see the power, start, read the report."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask import Flask
from sqlalchemy.orm import Session

from tests.console.test_console_http import _sign_in, _token
from tests.factories import create_municipality, create_profile, create_user


def test_admin_sets_up_starts_and_reads_an_experiment(app: Flask, session: Session) -> None:
    mun = create_municipality(session)
    admin = create_user(session, municipality=mun, role="admin")
    coach = create_user(session, municipality=mun, role="coach")
    for i in range(24):
        person = create_user(session, municipality=mun, coach=coach)
        create_profile(session, user=person, ladder_step=1 + i % 2)
    client = app.test_client()
    assert _sign_in(client, admin.email or "").status_code == 303
    page = client.get("/console/experimenten")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Nieuw experiment vooraf vastleggen" in html
    form = {
        "csrf_token": _token(html),
        "name": "Toon van de tips",
        "hypothesis": "Een sociale-normtoon helpt meer mensen op weg.",
        "primaryOutcome": "started_activity",
        "secondaryOutcomes": "hours_per_month",
        "horizonDays": "60",
        "strata": "ladder_step",
        "withCoach": "on",
        "arm0.name": "Zoals nu",
        "arm1.name": "Sociale norm",
        "arm1.framing": "social_norm",
        "arm1.channel": "inbox",
        "enrolUntil": (date.today() + timedelta(days=30)).isoformat(),
        "plannedEnd": (date.today() + timedelta(days=120)).isoformat(),
        "optOutLimit": "20",
        "dpiaReference": "DPIA-2026-07",
        "ethicsReference": "METC-2026-113",
    }
    bad = client.post("/console/experimenten", data={**form, "plannedEnd": "2001-01-01"})
    assert bad.status_code == 400
    made = client.post("/console/experimenten", data=form)
    assert made.status_code == 303, made.get_data(as_text=True)[:2000]
    detail = client.get(made.headers["Location"]).get_data(as_text=True)
    assert "Wat dit experiment kan aantonen" in detail and "24 mensen kunnen nu meedoen" in detail
    action = re.search(r'action="([^"]+/start)"', detail)
    assert action
    started = client.post(action.group(1), data={"csrf_token": _token(detail)})
    assert started.status_code == 303
    report = client.get(made.headers["Location"]).get_data(as_text=True)
    assert "Uitkomsten per ingedeelde groep" in report
    assert "Het experiment loopt nog" in report
    assert "Het experiment loopt." in report  # the notice after start
    assert re.search(r"Sociale norm</th><td[^>]*>1[0-4]</td>", report)
