"""Adding a language is adding a .po file: it is picked up, and what it lacks falls back."""

import shutil

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from api import i18n
from api.nudges.catalogue import render


@pytest.fixture
def polish(tmp_path, monkeypatch):
    """The real catalogues plus a Polish one that translates a single message."""
    shutil.copytree(i18n.LOCALE_DIR, tmp_path / "locale")
    catalog = Catalog(locale="pl", domain="messages")
    catalog.add("This opportunity is full.", "Ta aktywność jest pełna.")
    catalog.add(
        (
            "This week {count} person on your caseload could use extra attention: {people}. "
            "See your overview for more.",
            "This week {count} people on your caseload could use extra attention: {people}. "
            "See your overview for more.",
        ),
        (
            "W tym tygodniu {count} osoba potrzebuje uwagi: {people}.",
            "W tym tygodniu {count} osoby potrzebują uwagi: {people}.",
            "W tym tygodniu {count} osób potrzebuje uwagi: {people}.",
        ),
    )
    folder = tmp_path / "locale" / "pl" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.po").open("wb") as po:
        write_po(po, catalog)
    monkeypatch.setattr(i18n.CATALOGUES, "directory", tmp_path / "locale")
    i18n.forget_catalogues()
    yield
    monkeypatch.undo()
    i18n.forget_catalogues()


def _not_found(client, language):
    return client.get("/v1/nothing-here", headers={"Accept-Language": language})


def test_a_new_po_file_is_a_new_language(polish, client) -> None:
    assert "pl" in i18n.languages()
    # Polish plural rules come from CLDR with the file: one, few, many
    for n, text in ((1, "1 osoba"), (3, "3 osoby"), (5, "5 osób"), (22, "22 osoby")):
        _, body = render("coach_digest", "pl", {"count": n, "people": "Amina"})
        assert body.startswith(f"W tym tygodniu {text}"), body
    # what Polish lacks falls back to Dutch
    assert render("checkin_prompt", "pl", {"name": "A", "title": "B"})[0] == "Hoe gaat het?"
    resp = _not_found(client, "pl")
    assert resp.headers["Content-Language"] == "pl"
    assert resp.get_json()["title"] == "Niet gevonden"
    # ... or to English when the person also reads English
    assert _not_found(client, "pl, en;q=0.5").get_json()["title"] == "Not found"


def test_a_translated_message_is_used(polish, client) -> None:
    texts = i18n.texts_for("pl")
    assert texts.gettext("This opportunity is full.") == "Ta aktywność jest pełna."
    assert texts.gettext("Not found") == "Niet gevonden"
    assert texts.number(1234.5) == "1\xa0234,5"  # CLDR: Polish groups with a space


def test_without_the_file_the_language_is_unknown(client) -> None:
    assert "pl" not in i18n.languages()
    resp = _not_found(client, "pl")
    assert resp.headers["Content-Language"] == "nl"


def _person(app, session):
    from tests.factories import auth_headers, create_municipality, create_user

    user = create_user(session, municipality=create_municipality(session), role="recipient")
    return auth_headers(app, session, user)


def test_a_profile_can_choose_the_new_language(polish, app, client, session) -> None:
    h = _person(app, session)
    resp = client.patch("/v1/me/profile", json={"preferredLanguage": "pl"}, headers=h)
    assert resp.status_code == 200, resp.get_json()
    assert client.get("/v1/me/profile", headers=h).get_json()["preferredLanguage"] == "pl"
    assert client.get("/v1/me", headers=h).get_json()["language"] == "pl"


def test_without_the_file_a_profile_cannot_choose_it(app, client, session) -> None:
    h = _person(app, session)
    resp = client.patch(
        "/v1/me/profile",
        json={"preferredLanguage": "pl"},
        headers={**h, "Accept-Language": "en"},
    )
    assert resp.status_code == 400
    assert resp.get_json()["invalidParams"] == [
        {"name": "preferredLanguage", "reason": "Choose one of these languages: nl, en."}
    ]
    dutch = client.patch("/v1/me/profile", json={"preferredLanguage": "pl"}, headers=h)
    assert dutch.get_json()["invalidParams"][0]["reason"] == "Kies een van deze talen: nl, en."
