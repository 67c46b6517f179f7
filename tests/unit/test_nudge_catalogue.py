"""Every nudge renders in every language, kindly, without a word about sanctions."""

import re

import pytest

from api.municipalities.policy import PolicySettings
from api.nudges.catalogue import LANGUAGES, catalogue, placeholders, render
from api.nudges.events import EVENT_KINDS, STAFF_KINDS

# Planned nudges and event notifications (minus the retired planner kinds already counted).
KINDS = tuple(dict.fromkeys((*PolicySettings().nudge_kinds, *EVENT_KINDS)))
SAMPLE = {
    "name": "Amina",
    "count": 3,
    "first": "Koken in de buurt",
    "title": "Taalmaatje",
    "person": "Piet",
    "days": 4,
    "people": "Amina, Piet",
    "weeks": 12,
    "reason": "Het past nu niet goed naast je taalles op dinsdag",
    "lines": "nieuwe aanvragen: 2; nieuwe kandidaten: 1",
}
FORBIDDEN = re.compile(
    r"sanctie|maatregel|korting|boete|verplicht|uitkering stop|moet je|"
    r"sanction|penalt|benefit cut|obligat|you must|mandatory",
    re.IGNORECASE,
)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_kind_renders_in_every_language(language: str) -> None:
    assert set(catalogue(language)) == set(KINDS)
    for kind in KINDS:
        title, body = render(kind, language, SAMPLE)
        assert title and body and "{" not in title + body
        assert not FORBIDDEN.search(title + " " + body), (language, kind)
        assert len(body) <= 240, "short enough for a lock screen and a cheap phone"


def test_languages_need_the_same_placeholders() -> None:
    for kind in KINDS:
        needs = {lang: placeholders(catalogue(lang)[kind]["body"]) for lang in LANGUAGES}
        assert needs["nl"] == needs["en"], kind


def test_staff_kinds_have_a_summary_line_in_every_language() -> None:
    for kind in STAFF_KINDS:
        for lang in LANGUAGES:
            assert catalogue(lang)[kind]["summary"].format(n=2)


def test_unknown_language_falls_back_to_dutch() -> None:
    assert render("checkin_prompt", "pl", SAMPLE) == render("checkin_prompt", "nl", SAMPLE)


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_is_not_plural(language: str) -> None:
    for kind in ("weekly_suggestions", "coach_digest", "daily_summary"):
        _, body = render(kind, language, {**SAMPLE, "count": 1})
        assert not re.search(r"\b1 (activiteiten|mensen|activities|people)\b", body), body
        assert not FORBIDDEN.search(body)
