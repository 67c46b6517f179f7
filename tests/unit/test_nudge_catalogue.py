"""Every nudge renders in every language, kindly, without a word about sanctions."""

import re

import pytest

from api.experiments.treatment import COACH_PROMPT_KIND, FRAMINGS, GUARDRAIL_KIND, PERSON_KINDS
from api.municipalities.policy import PolicySettings
from api.nudges.catalogue import LANGUAGES, catalogue, placeholders, render

KINDS = (*PolicySettings().nudge_kinds, COACH_PROMPT_KIND, GUARDRAIL_KIND)
SAMPLE = {
    "name": "Amina",
    "count": 3,
    "first": "Koken in de buurt",
    "title": "Taalmaatje",
    "person": "Piet",
    "days": 4,
    "people": "Amina, Piet",
    "weeks": 12,
    "experiment": "Toon van de tips",
    "arm": "Sociale norm",
    "metric": "afmeldingen",
}
FORBIDDEN = re.compile(
    r"sanctie|maatregel|korting|boete|verplicht|uitkering stop|moet je|"
    r"sanction|penalt|benefit cut|obligat|you must|mandatory|€|euro|geld|money|premie|bonus",
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


def test_unknown_language_falls_back_to_dutch() -> None:
    assert render("checkin_prompt", "pl", SAMPLE) == render("checkin_prompt", "nl", SAMPLE)


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_is_not_plural(language: str) -> None:
    for kind in ("weekly_suggestions", "coach_digest"):
        _, body = render(kind, language, {**SAMPLE, "count": 1})
        assert not re.search(r"\b1 (activiteiten|mensen|activities|people)\b", body), body
        assert not FORBIDDEN.search(body)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("framing", [f for f in FRAMINGS if f != "neutral"])
def test_every_framing_is_other_words_for_the_same_message(language: str, framing: str) -> None:
    """An experiment's framing changes the wording only: same placeholders, no money, no threat."""
    for kind in PERSON_KINDS:
        entry = catalogue(language)[kind]
        assert placeholders(entry[f"body@{framing}"]) == placeholders(entry["body"]), kind
        for count in (1, 3):
            title, body = render(kind, language, {**SAMPLE, "count": count, "framing": framing})
            plain = render(kind, language, {**SAMPLE, "count": count})
            assert (title, body) != plain or kind == "checkin_prompt"
            assert body != plain[1], (kind, framing)
            assert "{" not in title + body and len(body) <= 240
            assert not FORBIDDEN.search(title + " " + body), (language, kind, framing)
