"""The reason catalogue: every text renders in every complete language (gettext + CLDR)."""

from __future__ import annotations

from string import Formatter

import pytest

from matching.messages import (
    CATALOGUES,
    MESSAGES,
    PART_NAMES,
    format_km,
    join_labels,
    render,
    slot_label,
    translations,
)
from matching.model import SLOTS

LANGUAGES = ("nl", "en")
SAMPLE_VALUES = {"km": "1,2", "slot": "dinsdagochtend", "labels": "koken", "level": "A2"}
ALL_KEYS = sorted(MESSAGES)


def placeholders(template: str) -> set[str]:
    """Names used in a format string."""
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def test_every_complete_language_has_a_catalogue() -> None:
    assert set(LANGUAGES) <= set(CATALOGUES.languages())
    assert CATALOGUES.languages()[0] == "nl"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("key", [*ALL_KEYS, "interest"])
def test_every_key_renders_in_every_language(language: str, key: str) -> None:
    text = render(language, key, **SAMPLE_VALUES)
    assert text.strip()
    assert "{" not in text and "}" not in text


@pytest.mark.parametrize("key", ALL_KEYS)
def test_languages_use_the_same_placeholders(key: str) -> None:
    nl = translations("nl").gettext(MESSAGES[key])
    assert nl != MESSAGES[key], "Dutch is translated"
    assert placeholders(nl) == placeholders(MESSAGES[key])


def test_dutch_texts() -> None:
    assert render("nl", "distance", km="1,2") == "1,2 km van huis"
    assert render("nl", "new") == "nieuw"
    assert render("en", "new") == "new"
    assert render("pl", "new") == "nieuw", "a language without a catalogue falls back to Dutch"


def test_reason_codes_have_texts() -> None:
    expected = {"distance", "time_slot", "ladder_growth", "language_level", "new"}
    assert expected <= set(ALL_KEYS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_slot_has_a_label(language: str) -> None:
    assert set(PART_NAMES) == {"morning", "afternoon", "evening"}
    labels = {slot_label(language, slot) for slot in SLOTS}
    assert len(labels) == len(SLOTS)


def test_slot_label_examples() -> None:
    assert slot_label("nl", "tue-morning") == "dinsdagochtend"
    assert slot_label("nl", "wed-afternoon") == "woensdagmiddag"
    assert slot_label("nl", "fri-evening") == "vrijdagavond"
    assert slot_label("en", "sun-evening") == "Sunday evening"


def test_format_km() -> None:
    assert format_km("nl", 1.25) == "1,2"  # binary 1.25 rounds half to even
    assert format_km("nl", 12.345) == "12,3"
    assert format_km("en", 0.06) == "0.1"
    assert format_km("nl", 1234.5) == "1.234,5"


def test_join_labels() -> None:
    assert join_labels("nl", []) == ""
    assert join_labels("nl", ["koken"]) == "koken"
    assert join_labels("nl", ["koken", "tuinieren"]) == "koken en tuinieren"
    assert join_labels("en", ["a", "b", "c"]) == "a, b and c"
