"""Nudge texts: one entry per kind, English msgids, translated by the gettext catalogues.

To add a kind: add an entry to MESSAGES (title with `N_`, body with `N_` or, when it says a
number, `N_plural(singular, plural)` and `count=` naming the number's parameter), then add the
msgids with their Dutch (B1) and English texts to `api/locale/{nl,en}/LC_MESSAGES/messages.po`.
`render(kind, language, params)` is the one way in; the catalogue test checks the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from string import Formatter
from typing import Any

from api.i18n import N_, N_plural, Plural, languages, texts_for

DEFAULT_LANGUAGE = "nl"  # staff have no language of their own; people without a profile


@dataclass(frozen=True)
class Message:
    """One kind of nudge: its title and body (a plural pair when it counts something)."""

    title: str
    body: str | Plural
    count: str = "count"  # the parameter that chooses between singular and plural
    # Other bodies chosen by params["variant"] (e.g. a check-in prompt that also asks about a step).
    variants: dict[str, str | Plural] = field(default_factory=dict)


MESSAGES: dict[str, Message] = {
    "weekly_suggestions": Message(
        N_("New ideas for this week"),
        N_plural(
            "Hi {name}, we found an activity that suits you: {first}. "
            "Have a look and see if you like it.",
            "Hi {name}, we found {count} activities that suit you. For example: {first}. "
            "Have a look and see if you like something.",
        ),
    ),
    "new_opportunity": Message(
        N_("Something new near you"),
        N_(
            "Hi {name}, there is something new that suits you well: {title}. "
            "Does it sound good? Take your time to look."
        ),
    ),
    "request_waiting": Message(
        N_("A request is waiting for you"),
        N_plural(
            "{person} would like to join {title}. "
            "The request has been waiting {days} day for your decision.",
            "{person} would like to join {title}. "
            "The request has been waiting {days} days for your decision.",
        ),
        count="days",
    ),
    "request_expired": Message(
        N_("Your request has stopped"),
        N_plural(
            "Hi {name}, your request for {title} stopped after {days} day. "
            "This is not your fault. You can choose again or ask your coach for help.",
            "Hi {name}, your request for {title} stopped after {days} days. "
            "This is not your fault. You can choose again or ask your coach for help.",
        ),
        count="days",
    ),
    "approved_not_started": Message(
        N_("Someone is waiting to start"),
        N_plural(
            "{person} was approved {days} day ago for {title} but has not started yet. "
            "Could you get in touch to plan a first meeting?",
            "{person} was approved {days} days ago for {title} but has not started yet. "
            "Could you get in touch to plan a first meeting?",
        ),
        count="days",
    ),
    "checkin_prompt": Message(
        N_("How are things going?"),
        N_("Hi {name}, how is {title} going? Tell us in a few taps. It helps you and your coach."),
        variants={
            "step": N_(
                "Hi {name}, how is your step going: {step}? Tell us in a few taps. "
                "It helps you and your coach."
            ),
            "title_step": N_(
                "Hi {name}, how is {title} going? And your step: {step}? "
                "Tell us in a few taps. It helps you and your coach."
            ),
        },
    ),
    "coach_digest": Message(
        N_("Who needs attention this week"),
        N_plural(
            "This week {count} person on your caseload could use extra attention: {people}. "
            "See your overview for more.",
            "This week {count} people on your caseload could use extra attention: {people}. "
            "See your overview for more.",
        ),
    ),
    "growth_suggestion": Message(
        N_("Ready for a next step?"),
        N_plural(
            "Hi {name}, you have been taking part for {weeks} week. Well done! "
            "This could be a nice next step: {title}. Only if you want to.",
            "Hi {name}, you have been taking part for {weeks} weeks. Well done! "
            "This could be a nice next step: {title}. Only if you want to.",
        ),
        count="weeks",
    ),
    "step_due": Message(
        N_("A small reminder"),
        N_(
            "Hi {name}, you planned to do this: {step}. The date is {date}. "
            "Not working out? Feel free to pick a new date, that is perfectly fine."
        ),
    ),
}

LANGUAGES = languages()


def placeholders(text: str) -> set[str]:
    """The {names} a text needs."""
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def render(kind: str, language: str, params: dict[str, Any]) -> tuple[str, str]:
    """Title and body in the person's language (Dutch for what we lack in theirs)."""
    message = MESSAGES[kind]
    texts = texts_for(language)
    title = texts.gettext(message.title, **params)
    text = message.variants.get(str(params.get("variant")), message.body)
    if isinstance(text, Plural):
        n = int(params.get(message.count, 0))
        body = texts.ngettext(text.singular, text.plural, n, **params)
    else:
        body = texts.gettext(text, **params)
    return title, body
