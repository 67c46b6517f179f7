"""Event notifications: answers to what someone did, written through the nudge outbox.

Every live match step (`api.matches.lifecycle` hands them to `on_match_steps`) tells whoever
should hear of it, in the same transaction as the step: the inbox message is written at once
(always), the push goes through the outbox and the dispatcher (by preference, after quiet
hours). The outbox key (person, kind, period = the match) makes each one happen once.

Events are answers, not nudges: they never count toward the weekly cap, and the person's pause
holds back only the push of a coach's suggestion.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import any_, delete, func, select, text, update
from sqlalchemy.orm import Session

from api.core.time import AMSTERDAM, local_date
from api.db import uuid_array
from api.matches.lifecycle import Step
from api.matches.status import TAKES_A_PLACE, MatchStatus
from api.municipalities.models import Municipality
from api.municipalities.policy import NUDGE_KINDS, PolicySettings, load_policy
from api.nudges.catalogue import DEFAULT_LANGUAGE, render, summary_line
from api.nudges.clock import next_allowed, parse_hhmm
from api.nudges.inbox import InboxRow, write_inbox
from api.nudges.models import NotificationPreference, Nudge
from api.nudges.outbox import PlanStats
from api.nudges.targets import TARGET_TYPES, Target
from api.opportunities.models import Opportunity
from api.profiles.kinds import PERSON_KINDS, inbox_only
from api.profiles.models import RecipientProfile
from api.users.models import User

S = MatchStatus

# The stable kinds an app switches on, by who receives them (a person's: api.profiles.kinds).
COACH_KINDS: tuple[str, ...] = (
    "request_new",  # someone on the caseload asked for something
    "person_erased",  # someone on the caseload had their data erased at the desk (by an admin)
)
ORGANISER_KINDS: tuple[str, ...] = (
    "candidate_approved",  # a new approved candidate for the team's opportunity
    "candidate_withdrew",  # an approved or active candidate stepped back
)
STAFF_KINDS: tuple[str, ...] = COACH_KINDS + ORGANISER_KINDS
SUMMARY_KIND = "daily_summary"  # staff who chose a daily summary instead
EVENT_KINDS: tuple[str, ...] = PERSON_KINDS + STAFF_KINDS + (SUMMARY_KIND,)

# How a staff member hears of an event kind.
MODES: tuple[str, ...] = ("push", "inbox", "summary")
DEFAULT_MODE = "push"

# A coach gets at most one push about new requests per this long; the rest go to the inbox.
REQUEST_PUSH_EVERY = timedelta(hours=1)
# Messages that name the person to staff: they go when the person is erased.
NAMES_THE_PERSON: tuple[str, ...] = ("request_new", "candidate_approved")
REASON_CHARS = 100
__all__ = [
    "EVENT_KINDS",
    "TARGET_TYPES",
    "Notice",
    "Target",
    "Emission",
    "emit",
    "emit_many",
    "on_match_steps",
]  # a coach's or organiser's reason as quoted to the person


@dataclass(frozen=True)
class Notice:
    """One message some step owes someone."""

    user_id: uuid.UUID
    kind: str
    period: str
    target: Target
    params: dict[str, Any]
    language: str = DEFAULT_LANGUAGE
    prefs: dict[str, Any] | None = None  # a person's nudge preferences (quiet hours, pause)


def _first_name(name: str | None) -> str:
    return (name or "").split(" ")[0] or "daar"


def _quote(reason: str | None) -> str:
    words = " ".join((reason or "").split())
    return words if len(words) <= REASON_CHARS else words[: REASON_CHARS - 1].rstrip() + "…"


class _Profile(NamedTuple):
    display_name: str
    preferred_language: str
    nudge_preferences: dict[str, Any] | None


class _Person(NamedTuple):
    name: str | None
    coach_id: uuid.UUID | None


class _Opportunity(NamedTuple):
    id: uuid.UUID
    title: str
    team_id: uuid.UUID


@dataclass
class _Context:
    """What the steps' messages need, loaded once for a batch of steps: only the columns read,
    not whole rows (an expiry run over the country spent a fifth of its time loading them)."""

    profiles: dict[uuid.UUID, _Profile]
    people: dict[uuid.UUID, _Person]
    opportunities: dict[uuid.UUID, _Opportunity]
    organisers: dict[uuid.UUID, list[uuid.UUID]]  # team -> active organisers


def _context(session: Session, steps: Sequence[Step]) -> _Context:
    people_ids = {s.match.recipient_id for s in steps if s.match.recipient_id is not None}
    opp_ids = {s.match.opportunity_id for s in steps}
    p = RecipientProfile
    profiles = {
        user_id: _Profile(*rest)
        for user_id, *rest in session.execute(
            select(p.user_id, p.display_name, p.preferred_language, p.nudge_preferences).where(
                p.user_id == any_(uuid_array(people_ids))
            )
        )
    }
    people = {
        user_id: _Person(name, coach_id)
        for user_id, name, coach_id in session.execute(
            select(User.id, User.name, User.coach_id).where(User.id == any_(uuid_array(people_ids)))
        )
    }
    o = Opportunity
    opportunities = {
        oid: _Opportunity(oid, title, team_id)
        for oid, title, team_id in session.execute(
            select(o.id, o.title, o.team_id).where(o.id == any_(uuid_array(opp_ids)))
        )
    }
    organisers: dict[uuid.UUID, list[uuid.UUID]] = {}
    if any(s.to in (S.APPROVED, S.WITHDRAWN) for s in steps):
        teams = {o.team_id for o in opportunities.values()}
        for team_id, user_id in session.execute(
            select(User.team_id, User.id)
            .where(User.team_id.in_(teams), User.role == "organizer", User.is_active.is_(True))
            .order_by(User.id)
        ).tuples():
            if team_id is not None:
                organisers.setdefault(team_id, []).append(user_id)
    return _Context(profiles, people, opportunities, organisers)


def notices_for(step: Step, ctx: _Context, policy: PolicySettings) -> list[Notice]:
    """Who hears of one step, with what: the rules of the event notifications in one place."""
    match = step.match
    person_id = match.recipient_id
    opp = ctx.opportunities[match.opportunity_id]
    period = str(match.id)
    on_match = Target("match", str(match.id))
    out: list[Notice] = []
    if person_id is None:
        return out
    profile = ctx.profiles.get(person_id)
    person = ctx.people.get(person_id)
    name = profile.display_name if profile else _first_name(person.name if person else None)

    def to_person(kind: str, **params: Any) -> None:
        out.append(
            Notice(
                person_id,
                kind,
                period,
                on_match,
                {"name": name, "title": opp.title, **params},
                profile.preferred_language if profile else DEFAULT_LANGUAGE,
                profile.nudge_preferences if profile else None,
            )
        )

    def to_organisers(kind: str, target: Target, **params: Any) -> None:
        for organiser_id in ctx.organisers.get(opp.team_id, []):
            out.append(Notice(organiser_id, kind, period, target, {"title": opp.title, **params}))

    if step.to == S.SUGGESTED:
        to_person("match_suggested")
    elif step.to == S.REQUESTED:
        if person is not None and person.coach_id is not None:
            out.append(
                Notice(
                    person.coach_id,
                    "request_new",
                    period,
                    on_match,
                    {"person": _first_name(person.name), "title": opp.title},
                )
            )
    elif step.to == S.APPROVED:
        to_person("match_approved")
        to_organisers("candidate_approved", on_match, person=name)
    elif step.to == S.DECLINED:
        to_person("match_declined", reason=_quote(step.reason or match.decision_reason))
    elif step.to == S.ACTIVE:
        to_person("match_started")
    elif step.to == S.REJECTED:
        to_person("match_rejected", reason=_quote(step.reason or match.decision_reason))
    elif step.to == S.EXPIRED:
        to_person("request_expired", days=policy.request_expiry_days)
    elif step.to == S.COMPLETED:
        to_person("did_it_help")
    elif step.to == S.WITHDRAWN:
        if step.frm in TAKES_A_PLACE:
            # No name: the person may be leaving altogether (erasure withdraws for them).
            to_organisers("candidate_withdrew", Target("opportunity", str(opp.id)))
        if step.frm == S.ACTIVE and step.role == "recipient":
            to_person("did_it_help")
    return out


def on_match_steps(session: Session, steps: Sequence[Step]) -> None:
    """The lifecycle's step listener: write every message the steps owe, once each."""
    live = [s for s in steps if s.match.recipient_id is not None]
    if not live:
        return
    ctx = _context(session, live)
    policies: dict[uuid.UUID, PolicySettings] = {}
    emissions: list[Emission] = []
    for step in live:
        mid = step.match.municipality_id
        policy = policies.get(mid) or policies.setdefault(mid, load_policy(session, mid))
        if step.to == S.APPROVED and step.role == "system":
            # Approved by the municipality's policy at once: the coach has nothing to decide.
            _take_back(session, step.match.id, "request_new")
        emissions.extend(
            Emission(notice, mid, policy, step.at) for notice in notices_for(step, ctx, policy)
        )
    emit_many(session, emissions)


def _take_back(session: Session, match_id: uuid.UUID, kind: str) -> None:
    """Remove a message written earlier in this same transaction (its inbox row goes along)."""
    session.execute(delete(Nudge).where(Nudge.kind == kind, Nudge.period == str(match_id)))


def staff_mode(session: Session, user_id: uuid.UUID, kind: str) -> str:
    """'push', 'inbox' or 'summary': the staff member's choice for this kind."""
    prefs = session.get(NotificationPreference, user_id)
    mode = (prefs.kinds if prefs else {}).get(kind, DEFAULT_MODE)
    return mode if mode in MODES else DEFAULT_MODE


def _request_push_taken(session: Session, coach_id: uuid.UUID, now: datetime) -> bool:
    """Whether this coach already had a request push within the hour (serialised per coach)."""
    session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('request_new:' || :coach))"),
        {"coach": str(coach_id)},
    )
    found = session.scalar(
        select(func.count())
        .select_from(Nudge)
        .where(
            Nudge.user_id == coach_id,
            Nudge.kind == "request_new",
            Nudge.push.is_(True),
            Nudge.created_at > now - REQUEST_PUSH_EVERY,
        )
    )
    return bool(found)


# Set-based statements, compiled once: an expiry run writes thousands of events, and an ORM
# insert per event cost ~5 ms of Python each (compiling, coercing every value), a statement
# per event another round trip. Arrays in; RETURNING says which were new.
_EVENT_ROWS = text(
    """
    insert into nudges (id, municipality_id, user_id, kind, period, language, params, status,
                        drop_reason, due_at, delivered_at, attempts, created_at, channel, push,
                        target_type, target_id)
    select r.id, r.municipality_id, r.user_id, r.kind, r.period, r.language, r.params::jsonb,
           r.status, r.drop_reason, r.due_at, r.delivered_at, 0, r.created_at, 'event', r.push,
           r.target_type, r.target_id
    from unnest(cast(:ids as uuid[]), cast(:municipalities as uuid[]), cast(:users as uuid[]),
                cast(:kinds as text[]), cast(:periods as text[]), cast(:languages as text[]),
                cast(:params as text[]), cast(:statuses as text[]), cast(:drop_reasons as text[]),
                cast(:due as timestamptz[]), cast(:delivered as timestamptz[]),
                cast(:created as timestamptz[]), cast(:pushes as boolean[]),
                cast(:target_types as text[]), cast(:target_ids as text[]))
      as r(id, municipality_id, user_id, kind, period, language, params, status, drop_reason,
           due_at, delivered_at, created_at, push, target_type, target_id)
    order by r.user_id, r.kind, r.period
    on conflict (user_id, kind, period) do nothing
    returning id
    """
)


@dataclass(frozen=True)
class Emission:
    """A notice with where and when it is sent (a municipality's policy decides how)."""

    notice: Notice
    municipality_id: uuid.UUID
    policy: PolicySettings
    now: datetime


def emit(
    session: Session,
    notice: Notice,
    *,
    municipality_id: uuid.UUID,
    policy: PolicySettings,
    now: datetime,
) -> str:
    """Write one event message: 'created', 'summary', 'existing' or 'off'."""
    return emit_many(session, [Emission(notice, municipality_id, policy, now)])[0]


def emit_many(session: Session, emissions: Sequence[Emission]) -> list[str]:
    """Write event messages, each 'created', 'summary', 'existing' or 'off' (in order).

    The inbox gets each at once; a push waits in the outbox until quiet hours end. Two
    statements for any number: the outbox rows (a message already there is 'existing'),
    then the inbox rows of the new ones.
    """
    outcomes = ["off"] * len(emissions)
    rows: list[dict[str, Any]] = []
    pushed_coaches: set[uuid.UUID] = set()
    for n, e in enumerate(emissions):
        notice, policy, now = e.notice, e.policy, e.now
        if notice.kind in NUDGE_KINDS and notice.kind not in policy.nudge_kinds:
            continue  # the municipality switched this message off
        prefs = notice.prefs or {}
        mode = "push"
        if notice.kind in STAFF_KINDS:
            mode = staff_mode(session, notice.user_id, notice.kind)
        elif notice.kind == "match_suggested" and prefs.get("paused"):
            mode = "inbox"  # a pause is about suggestions: into the inbox, no push
        elif inbox_only(prefs, notice.kind):
            mode = "inbox"  # the person chose this kind without a push
        if mode == "push" and notice.kind == "request_new":
            # Bundled: one push an hour per coach, the rest in the inbox (this batch included).
            if notice.user_id in pushed_coaches or _request_push_taken(
                session, notice.user_id, now
            ):
                mode = "inbox"
            else:
                pushed_coaches.add(notice.user_id)
        quiet = prefs.get("quiet_hours") or {}
        start = parse_hhmm(quiet.get("start", policy.quiet_hours.start))
        end = parse_hhmm(quiet.get("end", policy.quiet_hours.end))
        push = mode == "push"
        rows.append(
            {
                "n": n,
                "mode": mode,
                "id": uuid.uuid4(),
                "municipality": e.municipality_id,
                "status": "pending" if push else ("dropped" if mode == "summary" else "delivered"),
                "drop_reason": "daily_summary" if mode == "summary" else None,
                "due": next_allowed(now, start, end) if push else now,
                "delivered": None if push or mode == "summary" else now,
                "push": push,
            }
        )
        outcomes[n] = "existing"
    if not rows:
        return outcomes
    notices = [emissions[r["n"]].notice for r in rows]
    created = set(
        session.scalars(
            _EVENT_ROWS,
            {
                "ids": [r["id"] for r in rows],
                "municipalities": [r["municipality"] for r in rows],
                "users": [x.user_id for x in notices],
                "kinds": [x.kind for x in notices],
                "periods": [x.period for x in notices],
                "languages": [x.language for x in notices],
                "params": [json.dumps(x.params) for x in notices],
                "statuses": [r["status"] for r in rows],
                "drop_reasons": [r["drop_reason"] for r in rows],
                "due": [r["due"] for r in rows],
                "delivered": [r["delivered"] for r in rows],
                "created": [emissions[r["n"]].now for r in rows],
                "pushes": [r["push"] for r in rows],
                "target_types": [x.target.type for x in notices],
                "target_ids": [x.target.id for x in notices],
            },
        )
    )
    inbox: list[InboxRow] = []
    for r, notice in zip(rows, notices, strict=True):
        if r["id"] not in created:
            continue  # the same message was written before: once is enough
        if r["mode"] == "summary":
            outcomes[r["n"]] = "summary"
            continue
        outcomes[r["n"]] = "created"
        title, body = render(notice.kind, notice.language, notice.params)
        at = emissions[r["n"]].now
        inbox.append(
            InboxRow(
                notice.user_id,
                r["id"],
                notice.kind,
                title,
                body,
                notice.target.type,
                notice.target.id,
                created_at=at,
                updated_at=at,
            )
        )
    write_inbox(session, inbox)
    return outcomes


def plan_daily_summaries(session: Session, *, now: datetime, stats: PlanStats) -> None:
    """Staff who chose a daily summary get one message a day, in the morning, about the rest.

    The events held for it are marked summarised once their summary is written; one written
    earlier the same day leaves later events for tomorrow's.
    """
    local = now.astimezone(AMSTERDAM)
    for mid in session.scalars(select(Municipality.id).order_by(Municipality.slug)).all():
        policy = load_policy(session, mid)
        if local.time() < parse_hhmm(policy.quiet_hours.end):
            continue  # summaries come in the morning
        held = session.execute(
            select(Nudge.user_id, Nudge.kind, func.count())
            .where(
                Nudge.municipality_id == mid,
                Nudge.drop_reason == "daily_summary",
                Nudge.created_at <= now,
            )
            .group_by(Nudge.user_id, Nudge.kind)
            .order_by(Nudge.user_id, Nudge.kind)
        ).tuples()
        counts: dict[uuid.UUID, dict[str, int]] = {}
        for user_id, kind, n in held:
            counts.setdefault(user_id, {})[kind] = n
        for user_id, kinds in counts.items():
            lines = "; ".join(summary_line(k, DEFAULT_LANGUAGE, n) for k, n in kinds.items())
            notice = Notice(
                user_id,
                SUMMARY_KIND,
                local_date(now).isoformat(),
                Target("inbox"),
                {"count": sum(kinds.values()), "lines": lines},
            )
            outcome = emit(session, notice, municipality_id=mid, policy=policy, now=now)
            stats.add(SUMMARY_KIND, outcome if outcome != "existing" else "existing")
            if outcome == "created":
                session.execute(
                    update(Nudge)
                    .where(
                        Nudge.user_id == user_id,
                        Nudge.drop_reason == "daily_summary",
                        Nudge.created_at <= now,
                    )
                    .values(drop_reason="summarised")
                    .execution_options(synchronize_session=False)
                )
