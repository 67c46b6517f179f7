"""Texts of experiments (what differs for a person, the report's summary), from the gettext
catalogues (api/locale): English msgids, Dutch (B1) first. `say(language, key, **params)`."""

from __future__ import annotations

from typing import Any

from api.i18n import N_, texts_for

LANGUAGES = ("nl", "en")

TEXTS: dict[str, str] = {
    "me.about": N_(
        "Your municipality is finding out which messages help people best to take part. Your "
        "rights, your benefit and your agreements stay exactly the same."
    ),
    "me.control": N_("Nothing changes for you. You get messages as usual."),
    "me.framing": N_("Our messages to you are worded differently."),
    "me.cap": N_("You get at most {count} messages a week."),
    "me.cap_zero": N_("You get no tips or reminders from us."),
    "me.timing": N_("You get our messages on a set day or time."),
    "me.channel": N_("Our messages only go to your inbox, not as a notification on your phone."),
    "me.kinds_off": N_("You get fewer kinds of messages from us."),
    "me.coach_prompt": N_("Your coach gets a reminder to get in touch with you."),
    "me.opted_out": N_("You no longer take part. You get messages as usual."),
    "me.opt_out_hint": N_(
        "Don't want to take part? That's fine. Nothing changes to your rights or your benefit."
    ),
    "me.ended": N_("This study has ended. You get messages as usual."),
    "outcome.started_activity": N_("started an activity"),
    "outcome.ladder_step_up": N_("a step up the participation ladder"),
    "outcome.hours_per_month": N_("hours per month"),
    "outcome.wellbeing_change": N_("change in how things are going (1-5)"),
    "outcome.started_paid_work": N_("started paid work"),
    "outcome.nudge_response": N_("read a message"),
    "unit.pp": N_("percentage points"),
    "unit.hours": N_("hours"),
    "unit.points": N_("points"),
    "analysis": N_(
        "Intention to treat by assigned arm. Rates: difference from control with the "
        "Agresti-Caffo 95% interval and test; means: Welch's t. Holm correction across arms per "
        "outcome. Sample-ratio check: chi-square against the weights, flagged below p = 0.001. "
        "Cells under 10 people are withheld."
    ),
    "summary.running": N_("The experiment is still running: these figures may still change."),
    "summary.srm": N_(
        "Warning: the groups are not the size that was planned (p = {p}). Trust the results "
        "only once the cause is known."
    ),
    "summary.withheld": N_(
        "{arm}: too few people to show {outcome} (groups under 10 are withheld)."
    ),
    "summary.no_difference": N_(
        "{arm} against control, {outcome}: difference {diff} {unit} (95% interval {low} to "
        "{high}). The interval includes zero: there is no clear difference, so no winner."
    ),
    "summary.difference": N_(
        "{arm} against control, {outcome}: {direction} by {diff} {unit} (95% interval {low} "
        "to {high}, Holm-adjusted p = {p})."
    ),
    "summary.higher": N_("higher"),
    "summary.lower": N_("lower"),
    "summary.guardrail": N_("{arm} was stopped because a safety limit was crossed ({metric})."),
    "guardrail.opt_out": N_("opt-outs"),
    "guardrail.nudge_mute": N_("messages switched off"),
    "guardrail.wellbeing_drop": N_("feeling worse"),
    "summary.not_after_holm": N_(
        "{arm} against control, {outcome}: difference {diff} {unit} (95% interval {low} to "
        "{high}), but after Holm correction for comparing several groups p = {p}. That is not"
        " clear enough: no winner."
    ),
}


def say(language: str, key: str, **params: Any) -> str:
    """One text in the language (Dutch for what we lack in it)."""
    return texts_for(language if language in LANGUAGES else "nl").gettext(TEXTS[key], **params)
