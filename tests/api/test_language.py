"""Accept-Language chooses the language of every text in an answer; Content-Language says it."""

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
    assert body["invalidParams"] == [{"name": "password", "reason": "Vul dit in."}]
    resp = client.post(
        "/v1/auth/login", json={"email": "a@example.org"}, headers={"Accept-Language": "en"}
    )
    assert resp.get_json()["invalidParams"] == [
        {"name": "password", "reason": "Missing data for required field."}
    ]


def test_unknown_route_in_dutch(client) -> None:
    body = client.get("/v1/nothing-here").get_json()
    assert body["title"] == "Niet gevonden"
    assert body["detail"] == "Dit adres bestaat niet in de API."
