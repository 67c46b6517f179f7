"""Every nudge renders in every language, kindly, without a word about sanctions."""

import re

import pytest

from api.experiments.treatment import COACH_PROMPT_KIND, FRAMINGS, GUARDRAIL_KIND, PERSON_KINDS
from api.municipalities.policy import PolicySettings
from api.nudges.catalogue import MESSAGES, placeholders, render, summary_line
from api.nudges.events import EVENT_KINDS, STAFF_KINDS

# Planned nudges and event notifications (request_expired is both: counted once).
KINDS = tuple(
    dict.fromkeys((*PolicySettings().nudge_kinds, *EVENT_KINDS, COACH_PROMPT_KIND, GUARDRAIL_KIND))
)
LANGUAGES = ("nl", "en")
SAMPLE = {
    "name": "Amina",
    "count": 3,
    "first": "Koken in de buurt",
    "title": "Taalmaatje",
    "person": "Piet",
    "days": 4,
    "people": "Amina, Piet",
    "weeks": 12,
    "step": "Een cv maken",
    "date": "5 december",
    "experiment": "Toon van de tips",
    "arm": "Sociale norm",
    "metric": "afmeldingen",
    "reason": "Het past nu niet goed naast je taalles op dinsdag",
    "lines": "2 nieuwe aanvragen; 1 nieuwe kandidaat",
}
FORBIDDEN = re.compile(
    r"sanctie|maatregel|korting|boete|verplicht|uitkering stop|moet je|"
    r"sanction|penalt|benefit cut|obligat|you must|mandatory|€|euro|geld|money|premie|bonus",
    re.IGNORECASE,
)


def test_every_kind_has_a_message() -> None:
    assert set(MESSAGES) == set(KINDS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_kind_renders_in_every_language(language: str) -> None:
    for kind in KINDS:
        for n in (1, 2, 5):
            params = {**SAMPLE, "count": n, "days": n, "weeks": n}
            title, body = render(kind, language, params)
            assert title and body and "{" not in title + body
            assert not FORBIDDEN.search(title + " " + body), (language, kind)
            assert len(body) <= 240, "short enough for a lock screen and a cheap phone"


def test_languages_say_the_same_things() -> None:
    for kind in KINDS:
        for n in (1, 5):
            params = {**SAMPLE, "count": n, "days": n, "weeks": n}
            _, nl = render(kind, "nl", params)
            _, en = render(kind, "en", params)
            assert nl != en, kind
            for value in ("Amina", "Koken in de buurt", "Taalmaatje", "Piet", "Amina, Piet"):
                assert (value in nl) == (value in en), (kind, value)


def test_dutch_and_english_texts() -> None:
    assert render("checkin_prompt", "nl", SAMPLE) == (
        "Hoe gaat het?",
        "Hoi Amina, hoe gaat het met Taalmaatje? Vertel in een paar tikken hoe het gaat. "
        "Dat helpt jou en je coach.",
    )
    assert render("checkin_prompt", "en", SAMPLE)[0] == "How are things going?"


def test_unknown_language_falls_back_to_dutch() -> None:
    assert render("checkin_prompt", "pl", SAMPLE) == render("checkin_prompt", "nl", SAMPLE)
    assert render("checkin_prompt", "xx", SAMPLE) == render("checkin_prompt", "nl", SAMPLE)


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_is_not_plural(language: str) -> None:
    for kind in ("weekly_suggestions", "coach_digest"):
        _, body = render(kind, language, {**SAMPLE, "count": 1})
        assert not re.search(r"\b1 (activiteiten|mensen|activities|people)\b", body), body
        assert not FORBIDDEN.search(body)
    for kind in ("request_waiting", "request_expired", "approved_not_started"):
        _, body = render(kind, language, {**SAMPLE, "days": 1})
        assert re.search(r"\b1 (dag|day)\b", body), body
        _, body = render(kind, language, {**SAMPLE, "days": 3})
        assert re.search(r"\b3 (dagen|days)\b", body), body


def test_numbers_are_written_the_dutch_way() -> None:
    _, body = render("coach_digest", "nl", {**SAMPLE, "count": 1200})
    assert "1.200 mensen" in body
    _, body = render("coach_digest", "en", {**SAMPLE, "count": 1200})
    assert "1,200 people" in body


def test_placeholders_are_the_parameters_planners_give() -> None:
    for message in MESSAGES.values():
        texts = [message.title]
        framed = [t for title_body in message.framings.values() for t in title_body]
        for body in [message.body, *message.variants.values(), *framed]:
            texts += [body] if isinstance(body, str) else list(body)
        for text in texts:
            assert placeholders(text) <= set(SAMPLE), text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_checkin_prompt_asks_about_the_current_step(language: str) -> None:
    for variant in ("step", "title_step"):
        _, body = render("checkin_prompt", language, {**SAMPLE, "variant": variant})
        assert "Een cv maken" in body and "{" not in body
        assert not FORBIDDEN.search(body) and len(body) <= 240


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("framing", [f for f in FRAMINGS if f != "neutral"])
def test_every_framing_is_other_words_for_the_same_message(language: str, framing: str) -> None:
    """An experiment's framing changes the wording only: no money, no threat, same facts."""
    for kind in PERSON_KINDS:
        assert framing in MESSAGES[kind].framings, kind
        for n in (1, 3):
            params = {**SAMPLE, "count": n, "weeks": n}
            title, body = render(kind, language, {**params, "framing": framing})
            _, plain = render(kind, language, params)
            assert body != plain, (kind, framing)
            assert "{" not in title + body and len(body) <= 240
            assert not FORBIDDEN.search(title + " " + body), (language, kind, framing)
            for value in ("Amina", "Koken in de buurt", "Taalmaatje"):
                assert (value in body) == (value in plain), (kind, framing, value)


@pytest.mark.parametrize("language", LANGUAGES)
def test_staff_kinds_have_a_summary_line(language: str) -> None:
    for kind in STAFF_KINDS:
        one, five = summary_line(kind, language, 1), summary_line(kind, language, 5)
        assert "1" in one and "5" in five and one.replace("1", "5") != five, (kind, one, five)


def test_a_declined_request_quotes_the_coach_kindly() -> None:
    _, body = render("match_declined", "nl", SAMPLE)
    assert "“Het past nu niet goed naast je taalles op dinsdag”" in body
    assert "Dat zegt niets over jou" in body
