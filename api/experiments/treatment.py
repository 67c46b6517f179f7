"""What an arm may change: only how nudges are given (pure; no Flask, no ORM).

Framing of the words (never money, never sanctions), the weekly cap, the day and hour, push or
inbox only, a kind of nudge on or off, and a prompt to the coach to make contact. Nothing else
can be expressed: rights, obligations, matching, approval and entitlements have no field here,
and the arm schema refuses every other key. The control arm is the municipality's current policy
(an empty treatment).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from api.core.time import AMSTERDAM

FRAMINGS = ("neutral", "social_norm", "gain", "loss_aversion")
CHANNELS = ("push", "inbox")  # push: as usual (inbox and push); inbox: inbox only
# Nudges to the person that an arm may reframe, time, cap or switch off.
PERSON_KINDS = ("weekly_suggestions", "new_opportunity", "checkin_prompt", "growth_suggestion")
COACH_PROMPT_KIND = "experiment_coach_prompt"
GUARDRAIL_KIND = "experiment_guardrail"
EARLIEST_HOUR, LATEST_HOUR = 8, 20


@dataclass(frozen=True)
class Treatment:
    """One arm's way of giving nudges; the defaults are the municipality's current policy."""

    framing: str = "neutral"
    max_per_week: int | None = None
    weekday: int | None = None  # 0 = Monday
    hour: int | None = None  # local hour, 8..20
    channel: str = "push"
    kinds_off: tuple[str, ...] = ()
    coach_prompt: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_stored(cls, stored: dict[str, Any] | None) -> Treatment:
        stored = stored or {}
        return cls(
            framing=stored.get("framing", "neutral"),
            max_per_week=stored.get("max_per_week"),
            weekday=stored.get("weekday"),
            hour=stored.get("hour"),
            channel=stored.get("channel", "push"),
            kinds_off=tuple(stored.get("kinds_off", ())),
            coach_prompt=bool(stored.get("coach_prompt", False)),
        )

    def stored(self) -> dict[str, Any]:
        """Only what differs from the current policy."""
        out: dict[str, Any] = {}
        if self.framing != "neutral":
            out["framing"] = self.framing
        for name in ("max_per_week", "weekday", "hour"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.channel != "push":
            out["channel"] = self.channel
        if self.kinds_off:
            out["kinds_off"] = sorted(self.kinds_off)
        if self.coach_prompt:
            out["coach_prompt"] = True
        return out

    @property
    def is_policy(self) -> bool:
        """Whether this is just the municipality's current policy (the control)."""
        return not self.stored()

    def changes(self) -> list[str]:
        """The parts that differ, as keys for texts: framing, cap, timing, channel, ..."""
        out = []
        if self.framing != "neutral":
            out.append("framing")
        if self.max_per_week is not None:
            out.append("cap")
        if self.weekday is not None or self.hour is not None:
            out.append("timing")
        if self.channel != "push":
            out.append("channel")
        if self.kinds_off:
            out.append("kinds_off")
        if self.coach_prompt:
            out.append("coach_prompt")
        return out

    def send_at(self, now: datetime) -> datetime | None:
        """The first moment from `now` on the arm's day and hour (local), or None: send now."""
        if self.weekday is None and self.hour is None:
            return None
        local = now.astimezone(AMSTERDAM)
        for days in range(8):
            day = local.date() + timedelta(days=days)
            if self.weekday is not None and day.weekday() != self.weekday:
                continue
            if self.hour is None:  # the day is the arm's; the hour is as usual
                if days == 0:
                    return now
                moment = datetime.combine(day, time(EARLIEST_HOUR + 1), tzinfo=AMSTERDAM)
            else:
                moment = datetime.combine(day, time(self.hour), tzinfo=AMSTERDAM)
            if moment >= local:
                return moment.astimezone(now.tzinfo)
        return None  # not reached: some day within a week matches
