"""The message catalogue: every text renders in every supported language."""

from __future__ import annotations

from string import Formatter

import pytest

from matching.messages import (
    DAY_NAMES,
    MESSAGES,
    PART_NAMES,
    format_km,
    join_labels,
    render,
    slot_label,
)
from matching.model import DAYS, LANGUAGES, PARTS, SLOTS

SAMPLE_VALUES = {"km": "1,2", "slot": "dinsdagochtend", "labels": "koken", "level": "A2"}
ALL_KEYS = sorted({key for texts in MESSAGES.values() for key in texts})


def placeholders(template: str) -> set[str]:
    """Names used in a format string."""
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def test_every_supported_language_has_a_catalogue() -> None:
    assert set(MESSAGES) == set(LANGUAGES) == set(DAY_NAMES) == set(PART_NAMES)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("key", ALL_KEYS)
def test_every_key_renders_in_every_language(language: str, key: str) -> None:
    template = MESSAGES[language][key]
    assert placeholders(template) <= set(SAMPLE_VALUES)
    text = render(language, key, **SAMPLE_VALUES)
    assert text.strip()
    assert "{" not in text and "}" not in text


@pytest.mark.parametrize("key", ALL_KEYS)
def test_languages_use_the_same_placeholders(key: str) -> None:
    assert placeholders(MESSAGES["nl"][key]) == placeholders(MESSAGES["en"][key])


def test_reason_codes_have_texts() -> None:
    expected = {"distance", "time_slot", "interest", "ladder_growth", "language_level", "new"}
    assert expected <= set(ALL_KEYS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_slot_has_a_label(language: str) -> None:
    assert set(DAY_NAMES[language]) == set(DAYS)
    assert set(PART_NAMES[language]) == set(PARTS)
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


def test_join_labels() -> None:
    assert join_labels("nl", []) == ""
    assert join_labels("nl", ["koken"]) == "koken"
    assert join_labels("nl", ["koken", "tuinieren"]) == "koken en tuinieren"
    assert join_labels("en", ["a", "b", "c"]) == "a, b and c"
