"""The console's texts: one catalogue per language (Dutch B1 first, English), in messages/*.json.

The rules the API enforces (a service's or a schema's message) come from the API's gettext
catalogues (api/locale), in the console's language: `reason` and `explain`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from flask import g, request

from api.errors import DomainError
from api.errortexts import translate_reason
from api.i18n import texts_for

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
LANG_COOKIE = "meedoen_console_lang"
_DIR = Path(__file__).resolve().parent / "messages"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """All texts of one language, flat keys like "nav.people"."""
    with (_DIR / f"{lang}.json").open(encoding="utf-8") as f:
        texts: dict[str, str] = json.load(f)
    return texts


def current_language() -> str:
    """The language the person chose with the switch (a cookie); Dutch when they did not."""
    if "console_lang" not in g:
        chosen = request.cookies.get(LANG_COOKIE, DEFAULT_LANGUAGE)
        g.console_lang = chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE
    lang: str = g.console_lang
    return lang


def t(key: str, lang: str | None = None, **params: Any) -> str:
    """One text in the current language, Dutch when the English one is missing."""
    lang = lang or current_language()
    template = catalogue(lang).get(key) or catalogue(DEFAULT_LANGUAGE).get(key)
    if template is None:
        return key  # visible in a screenshot and caught by the catalogue test
    return template.format(**params) if params else template


# API validation messages (marshmallow's and our services') -> catalogue keys, so the console says
# the same rule in the person's language. Unknown messages are shown as they are.
_REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), k)
    for p, k in (
        (r"^Missing data for required field\.$", "error.required"),
        (r"^Field may not be null\.$", "error.required"),
        (r"^Length must be between (?P<min>\d+) and (?P<max>\d+)\.$", "error.length_between"),
        (r"^Shorter than minimum length (?P<min>\d+)\.$", "error.length_min"),
        (r"^Longer than maximum length (?P<max>\d+)\.$", "error.length_max"),
        (
            r"^Must be greater than or equal to (?P<min>[\d.]+) and less than or equal to "
            r"(?P<max>[\d.]+)\.$",
            "error.range",
        ),
        (r"^Not a valid integer\.$", "error.integer"),
        (r"^Not a valid number\.$", "error.number"),
        (r"^Not a valid email address\.$", "error.email"),
        (r"^Not a valid date\.$", "error.date"),
        (r"^Not a valid UUID\.$", "error.choice"),
        (r"^Not a valid datetime\.$", "error.date"),
        (r"^Must be one of: .*\.$", "error.choice"),
        (r"^Items must not repeat\.$", "error.choice"),
        (r"^Use HH:MM\.$", "error.hhmm"),
        (r"^Say by when: a day \(dueOn\) or a week", "error.required"),
        (r"^At least one weight must be above 0\.$", "error.weights"),
        (r"^The end date must not be before the start date\.$", "error.end_before_start"),
        (r"^A language course states the level it teaches\.$", "error.course_level"),
        (r"^Only a language course teaches a level\.$", "error.only_course_level"),
        (r"^Volunteer work may not replace paid work", "error.paid_work"),
        (r"^Unknown interest", "error.choice"),
        (r"^An organiser belongs to a team\.$", "error.team_required"),
        (r"^No such team in your municipality\.$", "error.choice"),
        (r"^Only organisers belong to a team\.$", "error.team_only_organiser"),
        (r"^Not a cursor from this API\.$", "error.cursor"),
        (r"^Invalid value in the address\.$", "error.cursor"),
        (r"^Use (a start time|an end time|a time) like", "error.time"),
        (r"^The end time must be at least", "error.time_order"),
        (r"^Two times on the same day overlap\.$", "error.times_overlap"),
        (r"^Give a phone number or an e-mail address\.$", "error.contact"),
        (r"^Use a phone number like", "error.phone"),
        (r"^Use a web address that starts with https://\.$", "error.https"),
        (r"^We cannot find this address\.", "error.address"),
        (r"^The day parts (do not match|follow) the times", "error.slots_schedule"),
        (r"^Give the times \(schedule\) or the day parts\.$", "error.times_needed"),
        (r"^At most (?P<n>\d+) decimals\.$", "error.decimals"),
        (r"^This opportunity is full\.$", "conflict.full"),
        (r"^A match that is (?P<status>\w+) cannot", "conflict.match_state"),
        (r"^An opportunity that is (?P<status>\w+) cannot be", "conflict.opportunity_state"),
        (r"^This opportunity is (?P<status>\w+) and takes no new matches\.$", "conflict.not_open"),
        (
            r"^Confirm that this opportunity does not replace paid work first\.$",
            "conflict.paid_work",
        ),
        (r"^A closed opportunity cannot be changed\.$", "conflict.closed"),
        (r"^(?P<taken>\d+) people already have a place", "conflict.capacity"),
        (r"^(This person already has|There is already) an open match", "conflict.open_match"),
        (r"^This e-mail address is already in use\.$", "conflict.email"),
        (r"^This code is unknown, already used or expired\.", "error.bad_code"),
        (r"^This password is too easy to guess\.", "error.password_weak"),
        (
            r"^Do not use your name or your e-mail address in your password\.$",
            "error.password_personal",
        ),
    )
)


# For a list (boxes to tick) a length is a number of choices, not of characters.
_LIST_KEYS = {
    "error.length_between": "error.count_between",
    "error.length_min": "error.count_min",
    "error.length_max": "error.count_max",
}


def _console_text(text: str, *, is_list: bool = False) -> str | None:
    for pattern, key in _REASONS:
        found = pattern.match(text)
        if found:
            if is_list:
                key = _LIST_KEYS.get(key, key)
            return t(key, **found.groupdict())
    return None


def reason(
    text: str,
    *,
    is_list: bool = False,
    template: tuple[str, Mapping[str, Any]] | None = None,
) -> str:
    """An API validation message in the person's language.

    The console's own words for the common form rules; any other rule as the API's catalogue
    says it (its English text when the catalogue lacks it).
    """
    own = _console_text(text, is_list=is_list)
    if own is not None:
        return own
    return translate_reason(texts_for(current_language()), text, template)


def explain(err: DomainError) -> str:
    """Why a service refused (a 409's or a 400's detail), in the person's language."""
    own = _console_text(err.detail)
    if own is not None:
        return own
    texts = texts_for(current_language())
    if texts.knows(err.message):
        return texts.gettext(err.message, **err.params)
    return err.detail
