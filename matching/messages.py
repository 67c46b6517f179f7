"""Catalogue of reason texts per language, kept apart so translators never touch logic."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

# Dutch texts are written at B1 level: short, concrete, "je"-form.
MESSAGES: dict[str, dict[str, str]] = {
    "nl": {
        "distance": "{km} km van huis",
        "time_slot": "past bij je {slot}",
        "interest": "{labels}",
        "interest_category": "lijkt op wat je leuk vindt",
        "ladder_growth": "een stap verder richting werk",
        "language_level": "cursus op jouw niveau ({level})",
        "new": "nieuw",
    },
    "en": {
        "distance": "{km} km from home",
        "time_slot": "fits your {slot}",
        "interest": "{labels}",
        "interest_category": "close to what you like",
        "ladder_growth": "a step further towards work",
        "language_level": "course at your level ({level})",
        "new": "new",
    },
}

DAY_NAMES: dict[str, dict[str, str]] = {
    "nl": {
        "mon": "maandag",
        "tue": "dinsdag",
        "wed": "woensdag",
        "thu": "donderdag",
        "fri": "vrijdag",
        "sat": "zaterdag",
        "sun": "zondag",
    },
    "en": {
        "mon": "Monday",
        "tue": "Tuesday",
        "wed": "Wednesday",
        "thu": "Thursday",
        "fri": "Friday",
        "sat": "Saturday",
        "sun": "Sunday",
    },
}

PART_NAMES: dict[str, dict[str, str]] = {
    "nl": {"morning": "ochtend", "afternoon": "middag", "evening": "avond"},
    "en": {"morning": "morning", "afternoon": "afternoon", "evening": "evening"},
}

# Dutch writes "dinsdagochtend" as one word, English "Tuesday morning" as two.
SLOT_FORMAT: dict[str, str] = {"nl": "{day}{part}", "en": "{day} {part}"}
CONJUNCTION: dict[str, str] = {"nl": "en", "en": "and"}
DECIMAL_SEPARATOR: dict[str, str] = {"nl": ",", "en": "."}


def render(language: str, key: str, **values: str) -> str:
    """Fill one catalogue text so callers never build user-facing strings themselves."""
    return MESSAGES[language][key].format(**values)


def format_km(language: str, km: float) -> str:
    """Show one decimal with the local decimal mark (Dutch uses a comma)."""
    text = f"{round(km, 1):.1f}"
    separator = DECIMAL_SEPARATOR[language]
    return text if separator == "." else text.replace(".", separator)


def slot_label(language: str, slot: str) -> str:
    """Turn "tue-morning" into "dinsdagochtend" / "Tuesday morning"."""
    day, part = slot.split("-", 1)
    return SLOT_FORMAT[language].format(
        day=DAY_NAMES[language][day], part=PART_NAMES[language][part]
    )


def join_labels(language: str, labels: Sequence[str]) -> str:
    """Join labels the way people write them: "a", "a en b", "a, b en c"."""
    if not labels:
        return ""
    if len(labels) == 1:
        return labels[0]
    return f"{', '.join(labels[:-1])} {CONJUNCTION[language]} {labels[-1]}"


def interest_label(language: str, key: str, labels: Mapping[str, Mapping[str, str]]) -> str:
    """Prefer the person's language, then Dutch, then the raw key, so a text is never empty."""
    names = labels.get(key)
    if names:
        return names.get(language) or names.get("nl") or key
    return key
