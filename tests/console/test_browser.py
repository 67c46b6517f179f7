"""Each role does its main task in a real headless Chromium; axe-core checks every page.

Screenshots of every page go to artifacts/screenshots/ (kept by CI), axe results to
artifacts/axe-results.json.
"""

from __future__ import annotations

import re
import urllib.error
from datetime import date, timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from api.audit.models import AuditEvent
from api.db import utcnow
from api.matches.models import Match
from api.municipalities.models import Team
from api.opportunities.models import Opportunity
from tests.console.conftest import Console, World, api_call, api_token
from tests.factories import create_match, create_opportunity


def _wait_for(console: Console, css: str, timeout: float = 10) -> None:
    WebDriverWait(console.driver, timeout).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, css))
    )


def _text(console: Console) -> str:
    return console.driver.find_element(By.TAG_NAME, "main").text


def test_sign_in_page_and_a_recipient_is_sent_to_the_app(console: Console, world: World) -> None:
    console.driver.delete_all_cookies()
    console.open("/console")
    assert console.driver.current_url.endswith("/console/inloggen")
    console.check_page("01-inloggen")
    console.sign_in(world.recipient.email)
    assert "Gebruik de Meedoen-app" in _text(console)
    console.check_page("02-inloggen-deelnemer")
    console.sign_in(world.coach.email, "wrong password")
    assert "klopt niet" in _text(console)
    console.check_page("03-inloggen-fout")


def test_coach_approves_a_request_made_through_the_api(
    console: Console, world: World, live_server: str, engine: Engine
) -> None:
    token = api_token(live_server, world.asker.email)
    made = api_call(
        live_server,
        "POST",
        "/v1/me/matches",
        {"opportunityId": str(world.opportunity.id), "message": "Ik kook graag!"},
        token,
    )
    assert made["status"] == "requested"

    console.sign_in(world.coach.email)
    assert console.driver.current_url.endswith("/console/mensen")
    assert "Mijn mensen" in console.driver.title
    console.check_page("10-coach-mijn-mensen")

    console.open("/console/aanvragen")
    card = console.driver.find_element(By.ID, f"aanvraag-{made['id']}")
    assert "Bram de Vries" in card.text and "Koken in het buurthuis" in card.text
    console.check_page("11-coach-aanvragen")
    card.find_element(By.XPATH, ".//button[normalize-space()='Goedkeuren']").click()
    _wait_for(console, f"#aanvraag-{made['id']}.console-decided")  # htmx swapped the outcome in
    assert "Goedgekeurd" in console.driver.find_element(By.ID, f"aanvraag-{made['id']}").text

    mine = api_call(live_server, "GET", "/v1/me/matches", token=token)
    assert [m["status"] for m in mine["items"] if m["id"] == made["id"]] == ["approved"]


def test_coach_person_page_with_charts_assessment_and_suggestion(
    console: Console, world: World, engine: Engine
) -> None:
    console.sign_in(world.coach.email)
    console.open(f"/console/mensen/{world.person.id}")
    main = _text(console)
    assert "Fatima Yilmaz" in main
    svgs = console.driver.find_elements(By.CSS_SELECTOR, "svg[role=img]")
    assert len(svgs) == 3  # ladder, hours, wellbeing: each with a table beside it
    assert all(svg.find_element(By.TAG_NAME, "title").get_attribute("textContent") for svg in svgs)
    console.check_page("12-coach-persoon")
    with Session(engine) as s:  # this read is in the person's own access log
        logged = s.scalars(
            select(AuditEvent).where(
                AuditEvent.subject_id == world.person.id,
                AuditEvent.object_type == "caseload_person",
                AuditEvent.actor_id == world.coach.id,
            )
        ).all()
    assert logged

    # an empty assessment shows the error next to the field, in words
    console.submit(
        console.driver.find_element(By.XPATH, "//button[normalize-space()='Inschatting opslaan']")
    )
    error = console.driver.find_element(By.ID, "f-step-error")
    assert "Vul dit in" in error.text
    console.check_page("13-coach-persoon-fout")

    console.driver.find_element(By.ID, "f-step-4").click()
    console.driver.find_element(By.ID, "f-note").send_keys("Doet vrijwilligerswerk")
    console.submit(
        console.driver.find_element(By.XPATH, "//button[normalize-space()='Inschatting opslaan']")
    )
    assert "Uw inschatting is opgeslagen: trede 4" in _text(console)

    suggestion = console.driver.find_elements(
        By.XPATH, "//article[.//button[normalize-space()='Voorstellen']]"
    )
    assert suggestion, "reverse matching offered nothing"
    title = suggestion[0].find_element(By.TAG_NAME, "h3").text
    console.submit(
        suggestion[0].find_element(By.XPATH, ".//button[normalize-space()='Voorstellen']")
    )
    assert f"Voorstel verstuurd: {title}" in _text(console)

    console.submit(
        console.driver.find_element(By.XPATH, "//button[normalize-space()='Nieuwe code maken']")
    )
    code = console.driver.find_element(By.CSS_SELECTOR, ".console-code").text
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", code)
    console.check_page("14-coach-inlogcode")


def test_coach_invites_a_person_and_sees_english(console: Console, world: World) -> None:
    console.sign_in(world.coach.email)
    console.open("/console/mensen/nieuw")
    console.check_page("15-coach-uitnodigen")
    console.driver.find_element(By.ID, "f-recipientName").send_keys("Nieuwe Deelnemer")
    console.submit(
        console.driver.find_element(By.XPATH, "//button[normalize-space()='Uitnodiging maken']")
    )
    assert console.driver.find_element(By.CSS_SELECTOR, ".console-code").text
    console.open("/console/mensen")
    console.submit(console.driver.find_element(By.LINK_TEXT, "English"))
    assert "My people" in console.driver.title
    console.check_page("16-coach-my-people-english")
    console.submit(console.driver.find_element(By.LINK_TEXT, "Nederlands"))
    assert "Mijn mensen" in console.driver.title


def test_foreign_person_is_not_found(console: Console, world: World) -> None:
    console.sign_in(world.coach.email)
    console.open(f"/console/mensen/{world.stranger.id}")
    assert "Niet gevonden" in console.driver.title
    console.check_page("17-niet-gevonden")


def test_organiser_creates_publishes_and_confirms(
    console: Console, world: World, engine: Engine
) -> None:
    console.sign_in(world.organizer.email)
    assert console.driver.current_url.endswith("/console/activiteiten")
    console.check_page("20-organisatie-activiteiten")
    console.submit(console.driver.find_element(By.LINK_TEXT, "Nieuwe activiteit"))
    console.check_page("21-organisatie-nieuw")
    find = console.driver.find_element
    find(By.ID, "f-title").send_keys("Taalmaatje in de bibliotheek")
    console.submit(find(By.XPATH, "//button[normalize-space()='Opslaan als concept']"))
    assert "Vul dit in." in find(By.ID, "f-description-error").text
    console.check_page("22-organisatie-nieuw-fouten")

    find(By.CSS_SELECTOR, "#f-kind option[value=volunteer]").click()
    find(By.ID, "f-description").send_keys("Samen Nederlands praten met iemand die de taal leert.")
    find(By.ID, "f-address").send_keys("Bibliotheekplein 3")
    find(By.ID, "f-postcode").send_keys("1055 AB")
    find(By.ID, "f-interests-taal").click()
    find(By.ID, "f-slots-thu-afternoon").click()
    capacity = find(By.ID, "f-capacity")
    capacity.clear()
    capacity.send_keys("3")
    find(By.ID, "f-notReplacingPaidWork").click()
    console.submit(find(By.XPATH, "//button[normalize-space()='Opslaan als concept']"))
    assert "Opgeslagen als concept: Taalmaatje in de bibliotheek" in _text(console)
    row = find(By.XPATH, "//tr[.//a[normalize-space()='Taalmaatje in de bibliotheek']]")
    assert "concept" in row.text and "3 van 3" in row.text
    console.submit(row.find_element(By.XPATH, ".//button[normalize-space()='Publiceren']"))
    assert "Gepubliceerd: Taalmaatje in de bibliotheek" in _text(console)
    with Session(engine) as s:
        opp = s.scalars(
            select(Opportunity).where(
                Opportunity.municipality_id == world.municipality_id,
                Opportunity.title == "Taalmaatje in de bibliotheek",
            )
        ).one()
        assert opp.status == "published" and opp.lat == pytest.approx(52.38, abs=0.01)

    console.open("/console/kandidaten")
    card = find(By.XPATH, "//article[contains(., 'Chantal')]")
    console.check_page("23-organisatie-kandidaten")
    console.submit(card.find_element(By.XPATH, ".//button[normalize-space()='Start bevestigen']"))
    assert "Start bevestigd: Koken in het buurthuis" in _text(console)
    card = find(By.XPATH, "//article[contains(., 'Chantal')]")
    assert "bezig" in card.text
    console.submit(card.find_element(By.XPATH, ".//button[normalize-space()='Afronden']"))
    assert "Afgerond: Koken in het buurthuis" in _text(console)
    with Session(engine) as s:
        status = s.scalar(
            select(Match.status).where(
                Match.recipient_id == world.candidate.id,
                Match.opportunity_id == world.opportunity.id,
            )
        )
    assert status == "completed"


def test_organiser_edits_only_their_own_team_opportunities(console: Console, world: World) -> None:
    console.sign_in(world.organizer.email)
    console.open(f"/console/activiteiten/{world.opportunity.id}")
    assert console.driver.find_element(By.ID, "f-title").get_attribute("value") == (
        "Koken in het buurthuis"
    )
    console.check_page("24-organisatie-bewerken")
    console.open(f"/console/activiteiten/{world.other_team_opportunity.id}")
    assert "Niet gevonden" in console.driver.title
    console.open("/console/mensen")  # a coach's page
    assert "Geen toegang" in console.driver.title
    console.check_page("25-geen-toegang")


def test_a_form_without_its_csrf_token_is_refused_in_the_browser(
    console: Console, world: World, engine: Engine
) -> None:
    console.sign_in(world.organizer.email)
    console.open(f"/console/activiteiten/{world.opportunity.id}")
    console.driver.execute_script(
        "document.querySelectorAll('input[name=csrf_token]').forEach(e => e.remove())"
    )
    title = console.driver.find_element(By.ID, "f-title")
    title.clear()
    title.send_keys("Gekaapte titel")
    console.submit(
        console.driver.find_element(By.XPATH, "//button[normalize-space()='Wijzigingen opslaan']")
    )
    assert "Het formulier is verlopen" in console.driver.title
    console.check_page("26-formulier-verlopen")
    with Session(engine) as s:
        assert s.get_one(Opportunity, world.opportunity.id).title == "Koken in het buurthuis"


def test_admin_changes_policy_and_it_takes_effect(
    console: Console, world: World, live_server: str
) -> None:
    console.sign_in(world.admin.email)
    assert console.driver.current_url.endswith("/console/beleid")
    console.check_page("30-beheer-beleid")
    find = console.driver.find_element
    find(By.ID, "f-autoApproveKinds-language_course").click()
    cap = find(By.ID, "f-allowanceCapEurMonth")
    cap.clear()
    cap.send_keys("veel")
    console.submit(find(By.XPATH, "//button[normalize-space()='Beleid opslaan']"))
    assert "Vul een getal in" in find(By.ID, "f-allowanceCapEurMonth-error").text
    cap = find(By.ID, "f-allowanceCapEurMonth")
    cap.clear()
    cap.send_keys("150")
    console.submit(find(By.XPATH, "//button[normalize-space()='Beleid opslaan']"))
    assert "Het beleid is opgeslagen" in _text(console)
    assert find(By.ID, "f-autoApproveKinds-language_course").is_selected()

    token = api_token(live_server, world.admin.email)
    policy = api_call(live_server, "GET", "/v1/admin/policy", token=token)
    assert policy["allowanceCapEurMonth"] == 150
    assert policy["autoApproveKinds"] == ["language_course"]
    # in effect: a request for a language course is now approved without a coach
    asker = api_token(live_server, world.asker.email)
    course = str(world.extra["course"].id)
    made = api_call(live_server, "POST", "/v1/me/matches", {"opportunityId": course}, asker)
    assert made["status"] == "approved"

    console.open("/console/medewerkers")
    console.check_page("31-beheer-medewerkers")
    console.open("/console/rapportage")
    assert console.driver.find_elements(By.CSS_SELECTOR, "svg[role=img]")
    assert "< 10" in _text(console)  # small cells are withheld, as in the API
    console.check_page("32-beheer-rapportage")
    console.open("/console/audit?action=read")
    console.check_page("33-beheer-audit")
    assert world.coach.name in _text(console)


def test_keyboard_only_decline_with_a_reason(
    console: Console, world: World, live_server: str
) -> None:
    """Tab to the form, type, submit with Enter: no mouse anywhere."""
    token = api_token(live_server, world.asker.email)
    others = api_call(live_server, "GET", "/v1/opportunities?limit=50", token=token)["items"]
    target = next(o for o in others if o["title"] == "Moestuin aan de dijk")
    made = api_call(live_server, "POST", "/v1/me/matches", {"opportunityId": target["id"]}, token)
    console.sign_in(world.coach.email)
    console.open("/console/aanvragen")
    driver = console.driver
    body = driver.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    assert driver.switch_to.active_element.text == "Ga naar de inhoud"  # the skip link comes first
    field_id = f"f-reason-{made['id']}"
    for _ in range(60):
        driver.switch_to.active_element.send_keys(Keys.TAB)
        if driver.switch_to.active_element.get_attribute("id") == field_id:
            break
    else:
        pytest.fail("the reason field cannot be reached with Tab")
    outline = driver.execute_script("return getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
    driver.switch_to.active_element.send_keys(Keys.TAB)  # to Afwijzen, without a reason
    assert driver.switch_to.active_element.text == "Afwijzen"
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    _wait_for(console, f"#{field_id}-error")  # htmx put the form back with the error
    assert "Vul dit in." in driver.find_element(By.ID, f"{field_id}-error").text
    assert driver.switch_to.active_element.get_attribute("id") == field_id  # focus on the field
    console.check_page("18-coach-afwijzen-fout")
    driver.switch_to.active_element.send_keys("Past nu niet bij je doelen, we zoeken verder.")
    driver.switch_to.active_element.send_keys(Keys.TAB)  # to Afwijzen
    assert driver.switch_to.active_element.text == "Afwijzen"
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    _wait_for(console, f"#aanvraag-{made['id']}.console-decided")
    assert "Afgewezen" in driver.find_element(By.ID, f"aanvraag-{made['id']}").text
    assert driver.switch_to.active_element.get_attribute("id") == f"aanvraag-{made['id']}"
    mine = api_call(live_server, "GET", "/v1/me/matches", token=token)["items"]
    declined = next(m for m in mine if m["id"] == made["id"])
    assert declined["status"] == "declined"
    assert declined["decisionReason"].startswith("Past nu niet")


def test_sign_out_ends_the_session(console: Console, world: World) -> None:
    console.sign_in(world.coach.email)
    console.submit(console.driver.find_element(By.XPATH, "//button[normalize-space()='Uitloggen']"))
    assert "U bent uitgelogd" in _text(console)
    console.open("/console/mensen")
    assert console.driver.current_url.split("?")[0].endswith("/console/inloggen")


def test_api_still_refuses_what_the_console_refuses(live_server: str, world: World) -> None:
    """The same rule in both: a coach cannot read another coach's person."""
    token = api_token(live_server, world.coach.email)
    with pytest.raises(urllib.error.HTTPError) as exc:
        api_call(live_server, "GET", f"/v1/caseload/{world.stranger.id}", token=token)
    assert exc.value.code == 404


def test_admin_gives_a_new_colleague_a_code_and_they_choose_a_password(
    console: Console, world: World
) -> None:
    console.sign_in(world.admin.email)
    console.open("/console/medewerkers")
    console.driver.find_element(By.ID, "f-name").send_keys("Nina Nieuw")
    console.driver.find_element(By.ID, "f-email").send_keys("nina.nieuw@example.org")
    console.driver.find_element(By.XPATH, "//select[@id='f-role']/option[@value='coach']").click()
    console.submit(
        console.driver.find_element(By.XPATH, "//button[normalize-space()='Account maken']")
    )
    code = console.driver.find_element(By.CSS_SELECTOR, ".console-code").text
    assert "/console/wachtwoord" in _text(console)
    console.check_page("34-beheer-code-nieuw-account")

    console.driver.delete_all_cookies()
    console.open("/console/inloggen")
    console.submit(
        console.driver.find_element(By.XPATH, "//a[contains(., 'Kies hier uw wachtwoord')]")
    )
    console.check_page("04-wachtwoord-kiezen")
    console.driver.find_element(By.ID, "f-code").send_keys(code)
    console.driver.find_element(By.ID, "f-email").send_keys("nina.nieuw@example.org")
    console.driver.find_element(By.ID, "f-password").send_keys("welkom01")
    console.submit(console.driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    assert "te makkelijk te raden" in _text(console)
    console.check_page("05-wachtwoord-kiezen-fout")
    console.driver.find_element(By.ID, "f-password").send_keys("Tulpen-Langs-De-Vaart-8")
    console.submit(console.driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    assert "Uw wachtwoord is ingesteld" in _text(console)
    console.check_page("06-wachtwoord-ingesteld")
    console.sign_in("nina.nieuw@example.org", "Tulpen-Langs-De-Vaart-8")
    assert console.driver.current_url.split("?")[0].endswith("/console/mensen")


def _set_value(console: Console, element_id: str, value: str) -> None:
    """A date field's value as the form sends it (typing into it depends on the browser's locale)."""
    field = console.driver.find_element(By.ID, element_id)
    console.driver.execute_script("arguments[0].value = arguments[1]", field, value)


def test_coach_proposes_a_step_agrees_to_one_and_reads_did_it_help(
    console: Console, world: World, live_server: str, engine: Engine
) -> None:
    """The plan on a person's page: a rule in Dutch, a proposal, an agreement (htmx); beside
    it the person's "did it help?" answer to an activity that ended."""
    with Session(engine, expire_on_commit=False) as s:
        team = s.get_one(Team, s.get_one(Opportunity, world.opportunity.id).team_id)
        ended = create_opportunity(s, team=team, title="Fietsen opknappen", capacity=3)
        now = utcnow()
        done = create_match(
            s,
            person=world.person,
            opportunity=ended,
            history=[
                ("requested", now - timedelta(days=30)),
                ("approved", now - timedelta(days=29)),
                ("active", now - timedelta(days=25)),
                ("completed", now - timedelta(days=1)),
            ],
        )
        s.commit()
    token = api_token(live_server, world.person.email)
    api_call(
        live_server,
        "PUT",
        f"/v1/me/matches/{done.id}/feedback",
        {"helped": True, "again": True, "words": "Ik heb twee fietsen gemaakt"},
        token,
    )
    due = (date.today() + timedelta(days=14)).isoformat()
    mine = api_call(
        live_server, "POST", "/v1/me/steps", {"what": "Langs bij het taalcafé", "dueOn": due}, token
    )

    console.sign_in(world.coach.email)
    console.open(f"/console/mensen/{world.person.id}#plan")
    find = console.driver.find_element
    card = find(By.XPATH, f"//article[.//h3[@id='match-{done.id}']]")
    assert "Ik heb twee fietsen gemaakt" in card.text and "Heeft het geholpen?" in card.text
    # no kind and no words: the API's rule, in Dutch, next to the field
    _set_value(console, "f-dueOn", due)
    console.submit(find(By.XPATH, "//button[normalize-space()='Stap voorstellen']"))
    assert "Zeg wat de stap is" in find(By.ID, "f-what-error").text
    console.check_page("19a-coach-plan-fout")
    find(By.CSS_SELECTOR, "#f-kind option[value=make_cv]").click()
    _set_value(console, "f-dueOn", due)
    find(By.ID, "f-why").send_keys("Dan kan ik solliciteren")
    console.submit(find(By.XPATH, "//button[normalize-space()='Stap voorstellen']"))
    assert "De stap is voorgesteld" in _text(console)
    step = find(By.XPATH, "//article[.//h3[contains(., 'Een cv maken')]]")
    assert "Wacht op het ja van de persoon." in step.text
    # the person's own proposal: the coach agrees, htmx swaps in the outcome
    find(By.ID, f"akkoord-{mine['id']}").find_element(By.TAG_NAME, "button").click()
    _wait_for(console, f"#akkoord-{mine['id']}.console-decided")
    assert "U bent akkoord met deze stap." in find(By.ID, f"akkoord-{mine['id']}").text
    assert find(By.ID, f"stap-status-{mine['id']}").text == "afgesproken"  # swapped too
    console.check_page("19b-coach-plan")
    steps = api_call(live_server, "GET", "/v1/me/steps", token=token)["items"]
    assert {s["id"]: s["status"] for s in steps}[mine["id"]] == "agreed"
    assert any(s["kind"] == "make_cv" and s["waitingFor"] == "recipient" for s in steps)


def test_coach_chooses_how_they_hear_of_new_requests(
    console: Console, world: World, live_server: str
) -> None:
    console.sign_in(world.coach.email)
    console.submit(console.driver.find_element(By.LINK_TEXT, "Meldingen"))
    console.driver.find_element(By.ID, "f-mode-request-new-inbox").click()
    console.submit(
        console.driver.find_element(By.XPATH, "//button[normalize-space()='Keuzes opslaan']")
    )
    assert "Uw keuzes voor meldingen zijn opgeslagen." in _text(console)
    assert console.driver.find_element(By.ID, "f-mode-request-new-inbox").is_selected()
    console.check_page("19c-coach-meldingen")
    token = api_token(live_server, world.coach.email)
    prefs = api_call(live_server, "GET", "/v1/me/notification-preferences", token=token)
    assert {"kind": "request_new", "mode": "inbox"} in prefs["kinds"]


def test_admin_preregisters_starts_reads_and_stops_an_experiment(
    console: Console, world: World
) -> None:
    """Last in this file: the experiment enrols the browser world's people."""
    console.sign_in(world.admin.email)
    console.submit(console.driver.find_element(By.LINK_TEXT, "Experimenten"))
    console.check_page("35-beheer-experimenten")
    find = console.driver.find_element
    find(By.ID, "f-name").send_keys("Tips in de inbox")
    find(By.ID, "f-hypothesis").send_keys("Tips in de inbox helpen evenveel als een melding.")
    find(By.CSS_SELECTOR, "#f-primaryOutcome option[value=started_activity]").click()
    find(By.ID, "f-arm1-name").send_keys("Alleen inbox")
    find(By.CSS_SELECTOR, "#f-arm1-channel option[value=inbox]").click()
    _set_value(console, "f-enrolUntil", (date.today() + timedelta(days=30)).isoformat())
    _set_value(console, "f-plannedEnd", (date.today() + timedelta(days=150)).isoformat())
    find(By.ID, "f-dpiaReference").send_keys("DPIA-2026-09")
    find(By.ID, "f-ethicsReference").send_keys("METC-2026-140")
    console.submit(find(By.XPATH, "//button[normalize-space()='Experiment vastleggen']"))
    assert "Tips in de inbox" in find(By.TAG_NAME, "h1").text
    assert "Wat dit experiment kan aantonen" in _text(console)
    console.check_page("36-beheer-experiment-concept")
    console.submit(find(By.XPATH, "//button[normalize-space()='Start (vastleggen)']"))
    assert "Het experiment loopt." in _text(console)
    assert "Uitkomsten per ingedeelde groep" in _text(console)
    assert "Het experiment loopt nog" in _text(console)  # the summary, in Dutch
    assert console.driver.find_elements(By.CSS_SELECTOR, "svg[role=img]") or (
        "Nog geen grafiek" in _text(console)
    )
    console.check_page("37-beheer-experiment-rapport")
    console.submit(find(By.XPATH, "//button[normalize-space()='Stoppen']"))
    assert "Het experiment is gestopt." in _text(console)
    console.open("/console/experimenten")
    row = find(By.XPATH, "//tr[.//a[normalize-space()='Tips in de inbox']]")
    assert "gestopt" in row.text.lower()
