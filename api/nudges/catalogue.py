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
    # An experiment arm's wording, chosen by params["framing"]: (title, body); other words for
    # the same message, never money, never a threat.
    framings: dict[str, tuple[str, str | Plural]] = field(default_factory=dict)


MESSAGES: dict[str, Message] = {
    "weekly_suggestions": Message(
        N_("New ideas for this week"),
        N_plural(
            "Hi {name}, we found an activity that suits you: {first}. "
            "Have a look and see if you like it.",
            "Hi {name}, we found {count} activities that suit you. For example: {first}. "
            "Have a look and see if you like something.",
        ),
        framings={
            "social_norm": (
                N_("People near you are taking part"),
                N_plural(
                    "Hi {name}, many people near you already take part in something that "
                    "suits them. We found an activity for you: {first}. Have a look.",
                    "Hi {name}, many people near you already take part in something that "
                    "suits them. We found {count} activities for you, such as {first}. "
                    "Have a look.",
                ),
            ),
            "gain": (
                N_("Something that gives you something"),
                N_plural(
                    "Hi {name}, taking part brings you new contacts, routine and experience. "
                    "We found an activity for you: {first}. Have a look.",
                    "Hi {name}, taking part brings you new contacts, routine and experience. "
                    "We found {count} activities for you, such as {first}. Have a look.",
                ),
            ),
            "loss_aversion": (
                N_("Not to be missed this week"),
                N_plural(
                    "Hi {name}, it would be a pity to miss this chance. "
                    "We found an activity for you: {first}. Have a look.",
                    "Hi {name}, it would be a pity to miss these chances. "
                    "We found {count} activities for you, such as {first}. Have a look.",
                ),
            ),
        },
    ),
    "new_opportunity": Message(
        N_("Something new near you"),
        N_(
            "Hi {name}, there is something new that suits you well: {title}. "
            "Does it sound good? Take your time to look."
        ),
        framings={
            "social_norm": (
                N_("Something new neighbours already join"),
                N_(
                    "Hi {name}, there is something new near you: {title}. Many people near you "
                    "already take part in things like this. Does it appeal to you?"
                ),
            ),
            "gain": (
                N_("Something new that gives you something"),
                N_(
                    "Hi {name}, there is something new near you: {title}. It brings you new "
                    "contacts and experience. Does it appeal to you?"
                ),
            ),
            "loss_aversion": (
                N_("Something new, not to be missed"),
                N_(
                    "Hi {name}, there is something new near you: {title}. It would be a pity "
                    "to miss it. Does it appeal to you?"
                ),
            ),
        },
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
        framings={
            "social_norm": (
                N_("How are things going?"),
                N_(
                    "Hi {name}, most people tell us every two weeks how things are going. "
                    "How is {title} going? It only takes a few taps."
                ),
            ),
            "gain": (
                N_("How are things going?"),
                N_(
                    "Hi {name}, how is {title} going? When you tell us, you see for yourself "
                    "how far you have come. It only takes a few taps."
                ),
            ),
            "loss_aversion": (
                N_("How are things going?"),
                N_(
                    "Hi {name}, how is {title} going? A pity if your coach does not know what "
                    "goes well. It only takes a few taps."
                ),
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
        framings={
            "social_norm": (
                N_("Ready for a next step?"),
                N_plural(
                    "Hi {name}, you have taken part for {weeks} week. Many people take a next "
                    "step after a while, such as: {title}. Only if you want to.",
                    "Hi {name}, you have taken part for {weeks} weeks. Many people take a next "
                    "step after a while, such as: {title}. Only if you want to.",
                ),
            ),
            "gain": (
                N_("Ready for a next step?"),
                N_plural(
                    "Hi {name}, you have taken part for {weeks} week. A next step brings you "
                    "new experience: {title}. Only if you want to.",
                    "Hi {name}, you have taken part for {weeks} weeks. A next step brings you "
                    "new experience: {title}. Only if you want to.",
                ),
            ),
            "loss_aversion": (
                N_("Ready for a next step?"),
                N_plural(
                    "Hi {name}, you have taken part for {weeks} week. It would be a pity to "
                    "let this chance go: {title}. Only if you want to.",
                    "Hi {name}, you have taken part for {weeks} weeks. It would be a pity to "
                    "let this chance go: {title}. Only if you want to.",
                ),
            ),
        },
    ),
    # An experiment's arm asks the coach to get in touch (once per person and experiment).
    "experiment_coach_prompt": Message(
        N_("Get in touch with {person}"),
        N_(
            "{person} takes part in a study of the municipality about messages. Could you get "
            "in touch this week? A short talk about how things are going is enough."
        ),
    ),
    # The admins hear that a guardrail stopped an arm of an experiment.
    "experiment_guardrail": Message(
        N_("A group in an experiment has stopped"),
        N_(
            "In the experiment {experiment} the group {arm} has stopped because a safety limit "
            "was crossed ({metric}). Those people get messages as usual again."
        ),
    ),
    "step_due": Message(
        N_("A small reminder"),
        N_(
            "Hi {name}, you planned to do this: {step}. The date is {date}. "
            "Not working out? Feel free to pick a new date, that is perfectly fine."
        ),
    ),
    # Event notifications (api.nudges.events): answers to what someone did.
    "match_suggested": Message(
        N_("Your coach has an idea for you"),
        N_(
            "Hi {name}, your coach thinks {title} could suit you. Take your time to look. "
            "You choose whether you want it."
        ),
    ),
    "match_approved": Message(
        N_("You can join!"),
        N_(
            "Hi {name}, good news: you can join {title}. "
            "The organisation will contact you about the start."
        ),
    ),
    "match_declined": Message(
        N_("About your request"),
        N_(
            "Hi {name}, your coach thinks {title} is not the best step right now. "
            "Your coach wrote: “{reason}”. This says nothing about you. "
            "Together you will find something that suits you better."
        ),
    ),
    "match_started": Message(
        N_("You have started!"),
        N_(
            "Hi {name}, {title} let us know you have started. "
            "Great that you are taking part! Enjoy it."
        ),
    ),
    "match_rejected": Message(
        N_("About {title}"),
        N_(
            "Hi {name}, {title} has no place for you right now. They wrote: “{reason}”. "
            "This is not your fault. Your coach is happy to help you find something else."
        ),
    ),
    "did_it_help": Message(
        N_("Did it help you?"),
        N_(
            "Hi {name}, you took part in {title}. Did it help you? Would you like to do "
            "something like it again? Two taps is enough. You may add a few words."
        ),
    ),
    "request_new": Message(
        N_("New request"),
        N_("{person} would like to join {title}. The request is waiting for your decision."),
    ),
    "person_erased": Message(
        N_("Someone left your caseload"),
        N_(
            "Someone on your caseload asked at the desk to erase all their data. That has been "
            "done. You no longer see this person in your overview."
        ),
    ),
    "candidate_approved": Message(
        N_("New candidate"),
        N_("{person} may join {title}. Could you get in touch to plan the start?"),
    ),
    "candidate_withdrew": Message(
        N_("A candidate stepped back"),
        N_("A candidate no longer takes part in {title}. The place is free again."),
    ),
    "daily_summary": Message(
        N_("Your overview"),
        N_plural(
            "Since your last overview there is {count} message for you. {lines}. "
            "See your overview for more.",
            "Since your last overview there are {count} messages for you. {lines}. "
            "See your overview for more.",
        ),
    ),
}

# One line per staff event kind in a daily summary, e.g. "new requests: 2".
SUMMARY_LINES: dict[str, Plural] = {
    "request_new": N_plural("{n} new request", "{n} new requests"),
    "person_erased": N_plural("{n} person's data erased", "{n} people's data erased"),
    "candidate_approved": N_plural("{n} new candidate", "{n} new candidates"),
    "candidate_withdrew": N_plural("{n} candidate stepped back", "{n} candidates stepped back"),
}

LANGUAGES = languages()


def placeholders(text: str) -> set[str]:
    """The {names} a text needs."""
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def summary_line(kind: str, language: str, n: int) -> str:
    """One line of a staff member's daily summary: how many of one kind."""
    line = SUMMARY_LINES[kind]
    return texts_for(language).ngettext(line.singular, line.plural, n, n=n)


def render(kind: str, language: str, params: dict[str, Any]) -> tuple[str, str]:
    """Title and body in the person's language (Dutch for what we lack in theirs)."""
    message = MESSAGES[kind]
    texts = texts_for(language)
    title_id: str = message.title
    text = message.variants.get(str(params.get("variant")), message.body)
    framing = message.framings.get(str(params.get("framing")))
    if framing is not None and "variant" not in params:
        title_id, text = framing
    title = texts.gettext(title_id, **params)
    if isinstance(text, Plural):
        n = int(params.get(message.count, 0))
        body = texts.ngettext(text.singular, text.plural, n, **params)
    else:
        body = texts.gettext(text, **params)
    return title, body
