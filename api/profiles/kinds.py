"""Which kinds of message a person (a recipient) receives: nudges planned for them and the
answers to what happened to their matches. Each can come with a push or to the inbox only."""

from __future__ import annotations

# The stable kinds an app switches on, by who receives them: answers to a person's matches.
PERSON_KINDS: tuple[str, ...] = (
    "match_suggested",  # a coach suggested something
    "match_approved",  # the coach said yes (or the municipality's auto-approval)
    "match_declined",  # the coach said no, with their reason
    "match_started",  # the organiser confirmed the start
    "match_rejected",  # the organiser has no place, with their reason
    "request_expired",  # nobody decided in time
    "did_it_help",  # after a match ended: one kind question
)
# Nudges the planners write for a person (the others go to staff: digests, waiting requests).
PERSON_NUDGE_KINDS: tuple[str, ...] = (
    "weekly_suggestions",
    "new_opportunity",
    "request_expired",
    "checkin_prompt",
    "growth_suggestion",
    "step_due",
)
# Every kind a person may choose "inbox only" for (no push on the phone).
RECIPIENT_KINDS: tuple[str, ...] = tuple(dict.fromkeys(PERSON_NUDGE_KINDS + PERSON_KINDS))
INBOX_ONLY = "inbox_only"  # the key in a profile's nudge preferences: kinds without a push


def inbox_only(prefs: dict[str, object] | None, kind: str) -> bool:
    """Whether the person chose to get this kind in their inbox only."""
    chosen = (prefs or {}).get(INBOX_ONLY)
    return isinstance(chosen, list) and kind in chosen
