"""Reason texts: gettext catalogues in matching/locale, CLDR for day names, numbers and lists.

Msgids are English; `matching/locale/<language>/LC_MESSAGES/matching.po` translates them
(Dutch at B1: short, concrete, "je"-form). A language without a catalogue, or a text its
catalogue lacks, falls back to Dutch. Pure Babel: no Flask.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

from babel.dates import get_day_names
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.support import NullTranslations

from matching.model import DAYS
from matching.translations import DEFAULT_LANGUAGE, Catalogues, babel_locale

CATALOGUES = Catalogues(Path(__file__).resolve().parent / "locale", "matching")


def N_(msgid: str) -> str:  # noqa: N802 (the gettext convention)
    """Mark a text for the catalogue (gettext_noop)."""
    return msgid


MESSAGES: dict[str, str] = {
    "distance": N_("{km} km from home"),
    "time_slot": N_("fits your {slot}"),
    "interest_category": N_("close to what you like"),
    "ladder_growth": N_("a step further towards work"),
    "language_level": N_("course at your level ({level})"),
    "new": N_("new"),
}
PART_NAMES: dict[str, str] = {
    "morning": N_("morning"),
    "afternoon": N_("afternoon"),
    "evening": N_("evening"),
}
# "Tuesday morning"; a language may write it as one word ("dinsdagochtend").
SLOT_FORMAT = N_("{day} {part}")


@cache
def translations(language: str) -> NullTranslations:
    """The language's reason texts, Dutch for what it lacks."""
    return CATALOGUES.chain((language, DEFAULT_LANGUAGE))


def render(language: str, key: str, **values: str) -> str:
    """Fill one catalogue text so callers never build user-facing strings themselves."""
    if key == "interest":  # the labels themselves are the reason
        return values["labels"]
    return translations(language).gettext(MESSAGES[key]).format(**values)


def format_km(language: str, km: float) -> str:
    """One decimal, as the language writes it (Dutch: a comma)."""
    return format_decimal(round(km, 1), format="#,##0.0", locale=babel_locale(language))


def day_name(language: str, day: str) -> str:
    """CLDR's name of a weekday ("dinsdag", "Tuesday"), so a new language needs no list."""
    return str(get_day_names("wide", locale=babel_locale(language))[DAYS.index(day)])


def slot_label(language: str, slot: str) -> str:
    """Turn "tue-morning" into "dinsdagochtend" / "Tuesday morning"."""
    day, part = slot.split("-", 1)
    t = translations(language)
    return t.gettext(SLOT_FORMAT).format(
        day=day_name(language, day), part=t.gettext(PART_NAMES[part])
    )


def join_labels(language: str, labels: Sequence[str]) -> str:
    """Join labels as the language does (CLDR): "a", "a en b", "a, b en c"."""
    if not labels:
        return ""
    return format_list(list(labels), locale=babel_locale(language))


def interest_label(language: str, key: str, labels: Mapping[str, Mapping[str, str]]) -> str:
    """Prefer the person's language, then Dutch, then the raw key, so a text is never empty."""
    names = labels.get(key)
    if names:
        return names.get(language) or names.get(DEFAULT_LANGUAGE) or key
    return key
