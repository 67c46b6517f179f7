"""Accept-Language chooses the language of every text in an answer; Content-Language says it."""

from datetime import date, timedelta

import pytest


def _problem(client, language: str | None):
    headers = {"Accept-Language": language} if language is not None else {}
    return client.post("/v1/invitations", json={"recipientName": "A"}, headers=headers)


@pytest.mark.parametrize(
    ("header", "chosen", "detail"),
    [
        (None, "nl", "Log eerst in."),
        ("en", "en", "Sign in first."),
        ("en-GB,en;q=0.9", "en", "Sign in first."),
        ("nl;q=0.4, en;q=0.8", "en", "Sign in first."),
        ("fr, de;q=0.8", "nl", "Log eerst in."),  # languages we do not have: Dutch
        ("en;q=0, nl", "nl", "Log eerst in."),
        ("*", "nl", "Log eerst in."),
        ("fr, en;q=0.5", "en", "Sign in first."),
    ],
)
def test_accept_language_chooses(client, header, chosen, detail) -> None:
    resp = _problem(client, header)
    assert resp.status_code == 401
    assert resp.headers["Content-Language"] == chosen
    assert "Accept-Language" in resp.headers["Vary"]
    assert resp.get_json()["detail"] == detail


def test_validation_reasons_are_translated(client) -> None:
    resp = client.post(
        "/v1/auth/login", json={"email": "a@example.org"}, headers={"Accept-Language": "nl"}
    )
    body = resp.get_json()
    assert body["title"] == "Kijk nog eens naar wat je hebt ingevuld"
    assert body["detail"] == "Niet alle velden kloppen. Bij elk veld staat wat er niet goed is."
    assert body["invalidParams"] == [{"name": "password", "reason": "Vul dit in."}]
    resp = client.post(
        "/v1/auth/login", json={"email": "a@example.org"}, headers={"Accept-Language": "en"}
    )
    assert resp.get_json()["detail"] == "The request has invalid fields; see invalidParams."
    assert resp.get_json()["invalidParams"] == [
        {"name": "password", "reason": "Missing data for required field."}
    ]


def test_unknown_route_in_dutch(client) -> None:
    body = client.get("/v1/nothing-here").get_json()
    assert body["title"] == "Niet gevonden"
    assert body["detail"] == "Dit adres bestaat niet in de API."


def _recipient(app, session):
    from tests.factories import auth_headers, create_municipality, create_user

    user = create_user(session, municipality=create_municipality(session), role="recipient")
    return auth_headers(app, session, user)


def _reasons(resp) -> dict[str, str]:
    assert resp.status_code == 400, resp.get_json()
    return {p["name"]: p["reason"] for p in resp.get_json()["invalidParams"]}


def test_schema_reasons_with_values_are_translated(app, client, session) -> None:
    """Reasons built from values (a number, a date, a travel mode) come from the catalogue."""
    h = _recipient(app, session)
    body = {"travelMode": "walk", "maxDistanceKm": 12}
    nl = client.patch("/v1/me/profile", json=body, headers={**h, "Accept-Language": "nl"})
    en = client.patch("/v1/me/profile", json=body, headers={**h, "Accept-Language": "en"})
    assert _reasons(nl)["maxDistanceKm"] == "Met lopen hoogstens 5 km."
    assert _reasons(en)["maxDistanceKm"] == "At most 5 km for walk."
    quiet = {"nudgePreferences": {"quietHours": {"start": "9 uur", "end": "08:00"}}}
    nl = client.patch("/v1/me/profile", json=quiet, headers={**h, "Accept-Language": "nl"})
    assert _reasons(nl)["nudgePreferences.quietHours.start"] == (
        "Schrijf de tijd als uu:mm, bijvoorbeeld 21:00."
    )
    old = {"date": "1999-12-31", "hours": 2, "wellbeing": 3}
    nl = client.post("/v1/me/checkins", json=old, headers={**h, "Accept-Language": "nl"})
    en = client.post("/v1/me/checkins", json=old, headers={**h, "Accept-Language": "en"})
    assert _reasons(nl)["date"] == "Kies 2000-01-01 of later."
    assert _reasons(en)["date"] == "Must be on or after 2000-01-01."


def test_input_hardening_reasons_are_translated(client) -> None:
    deep = '{"email": ' + "[" * 40 + "]" * 40 + ', "password": "x"}'
    for language, reason in (
        ("nl", "Dit zit te diep in elkaar (hoogstens 32 lagen)."),
        ("en", "Nested too deep (at most 32 levels)."),
    ):
        resp = client.post(
            "/v1/auth/login",
            data=deep,
            content_type="application/json",
            headers={"Accept-Language": language},
        )
        assert _reasons(resp) == {"email": reason}
    digits = '{"email": "a@example.org", "password": ' + "9" * 40 + "}"
    resp = client.post("/v1/auth/login", data=digits, content_type="application/json")
    assert _reasons(resp) == {"password": "Dit getal heeft te veel cijfers."}


def test_plan_step_conflicts_name_the_states_in_the_language(app, client, session) -> None:
    h = _recipient(app, session)
    soon = (date.today() + timedelta(days=30)).isoformat()
    for i in range(3):
        step = {"what": f"Stap {i}", "dueOn": soon}
        assert client.post("/v1/me/steps", json=step, headers=h).status_code == 201
    one_more = {"what": "Nog een stap", "dueOn": soon}
    nl = client.post("/v1/me/steps", json=one_more, headers={**h, "Accept-Language": "nl"})
    assert nl.status_code == 409
    assert nl.get_json()["detail"].startswith("Een plan heeft hoogstens 3 open stappen.")
    en = client.post("/v1/me/steps", json=one_more, headers={**h, "Accept-Language": "en"})
    assert en.get_json()["detail"].startswith("A plan has at most 3 open steps.")


def test_http_level_errors_are_problems_in_the_language(client) -> None:
    wrong = client.delete("/v1/health", headers={"Accept-Language": "nl"})
    assert wrong.status_code == 405 and wrong.mimetype == "application/problem+json"
    assert wrong.get_json()["title"] == "Dit kan hier niet"
    assert wrong.get_json()["code"] == "method_not_allowed"
    big = client.post(
        "/v1/auth/login",
        data=b'{"email": "' + b"a" * 70_000 + b'"}',
        content_type="application/json",
        headers={"Accept-Language": "nl"},
    )
    assert big.status_code == 413 and big.mimetype == "application/problem+json"
    assert (big.get_json()["detail"], big.get_json()["code"]) == (
        "Het verzoek is te groot.",
        "too_large",
    )
    english = client.get("/v1/nothing-here", headers={"Accept-Language": "en"}).get_json()
    assert (english["title"], english["code"]) == ("Not found", "not_found")
