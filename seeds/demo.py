"""Demo data for seven municipalities; deterministic ids and values make loading idempotent."""

from __future__ import annotations

import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from api.auth.passwords import hash_password
from api.db import session_scope
from api.interests.service import sync_taxonomy
from api.matches.lifecycle import replay
from api.matches.models import Match
from api.matches.status import MatchStatus
from api.municipalities.models import Municipality, Policy, Team
from api.opportunities.models import Opportunity
from api.plans import lifecycle as plan_lifecycle
from api.plans.models import PlanStep
from api.plans.status import StepStatus
from api.profiles.models import RecipientProfile
from api.users.models import User
from matching.model import DEFAULT_DISTANCE_KM, SLOTS

DEMO_PASSWORD = "meedoen-demo"  # noqa: S105 - documented demo password
NAMESPACE = uuid.UUID("6d1f3c1e-7c39-4f57-9a0e-6a3f3b1c0d11")
RECIPIENTS_PER_MUNICIPALITY = 60
OPPORTUNITIES_PER_MUNICIPALITY = 45
# A fixed anchor keeps the data the same on every load; dates are spread around it.
ANCHOR = date(2026, 11, 1)


def demo_id(*parts: object) -> uuid.UUID:
    """Stable id for a demo object, so a second load finds what the first made."""
    return uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts))


def load_demo(app: Flask) -> str:
    """Load (or refresh) the demo data; returns a one-line summary."""
    from seeds.data.municipalities import MUNICIPALITIES
    from seeds.experiments import load_experiments

    started = time.perf_counter()
    counts = {"municipalities": 0, "teams": 0, "users": 0, "opportunities": 0, "profiles": 0}
    with session_scope(app) as session:
        sync_taxonomy(session)
        password_hash = _existing_hash(session) or hash_password(DEMO_PASSWORD)
        for spec in MUNICIPALITIES:
            _load_municipality(session, spec, password_hash, counts)
        counts["enrolled in experiments"] = load_experiments(session, demo_id, _ewkt)
    took = time.perf_counter() - started
    return ", ".join(f"{k}: {v}" for k, v in counts.items()) + f" (in {took:.1f} s)"


def _existing_hash(session: Session) -> str | None:
    """Reuse the stored hash so a reload does not rehash (same password for every demo account)."""
    return session.scalar(
        select(User.password_hash).where(User.email == "admin.amsterdam@example.org")
    )


def _upsert(
    session: Session, model: type, rows: list[dict[str, Any]], *, keep: tuple[str, ...] = ()
) -> None:
    """Insert rows or update them in place; columns in `keep` keep their first value."""
    if not rows:
        return
    table = model.__table__  # type: ignore[attr-defined]
    pk = [c.name for c in table.primary_key.columns]
    stmt = insert(table).values(rows)
    update = {k: stmt.excluded[k] for k in rows[0] if k not in pk and k not in keep}
    session.execute(stmt.on_conflict_do_update(index_elements=pk, set_=update))


def _ewkt(lat: float, lon: float) -> str:
    return f"SRID=4326;POINT({lon:.6f} {lat:.6f})"


def _load_municipality(
    session: Session, spec: dict, password_hash: str, counts: dict[str, int]
) -> None:
    from api.geocoding.postcodes import POSTCODES

    slug = spec["slug"]
    rng = random.Random(f"meedoen-demo-{slug}")  # noqa: S311 - demo data, not security
    mun_id = demo_id("municipality", slug)
    _upsert(
        session,
        Municipality,
        [{"id": mun_id, "slug": slug, "name": spec["name"], "cbs_code": spec["cbs_code"]}],
    )
    session.execute(
        insert(Policy).values(municipality_id=mun_id, settings={}).on_conflict_do_nothing()
    )
    counts["municipalities"] += 1

    teams = [
        {
            "id": demo_id("team", slug, t["key"]),
            "municipality_id": mun_id,
            "name": t["name"],
            "kind": t["kind"],
        }
        for t in spec["teams"]
    ]
    _upsert(session, Team, teams)
    counts["teams"] += len(teams)
    team_ids = [t["id"] for t in teams]

    city = spec["name"]
    staff = [
        ("admin", "admin", f"Functioneel beheer {city}", None),
        ("coach1", "coach", "Sanne de Wit", None),
        ("coach2", "coach", "Mehmet Yıldız", None),
        ("organizer1", "organizer", f"Organisator {teams[0]['name']}", team_ids[0]),
        ("organizer2", "organizer", f"Organisator {teams[1]['name']}", team_ids[1]),
    ]
    users = [
        _user_row(slug, mun_id, key, role, name, password_hash, team_id=team)
        for key, role, name, team in staff
    ]
    _upsert(session, User, users, keep=("password_hash",))
    coach1, coach2 = demo_id("user", slug, "coach1"), demo_id("user", slug, "coach2")

    people, profiles = _recipients(
        rng, slug, mun_id, spec, POSTCODES, password_hash, coach1, coach2
    )
    _upsert(session, User, people, keep=("password_hash",))
    _upsert(session, RecipientProfile, profiles)
    counts["users"] += len(users) + len(people)
    counts["profiles"] += len(profiles)

    opportunities = _opportunities(rng, slug, mun_id, spec, team_ids, coach1)
    _upsert(session, Opportunity, opportunities, keep=("created_at",))
    counts["opportunities"] += len(opportunities)
    session.flush()
    counts["matches"] = counts.get("matches", 0) + _matches(session, slug, mun_id, opportunities)
    session.flush()
    counts["plan_steps"] = counts.get("plan_steps", 0) + _plans(session, slug, mun_id)
    session.flush()


def _user_row(
    slug: str,
    mun_id: uuid.UUID,
    key: str,
    role: str,
    name: str,
    password_hash: str,
    *,
    team_id: uuid.UUID | None = None,
    coach_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    return {
        "id": demo_id("user", slug, key),
        "municipality_id": mun_id,
        "email": f"{key}.{slug}@example.org",
        "role": role,
        "name": name,
        "password_hash": password_hash,
        "is_active": True,
        "team_id": team_id,
        "coach_id": coach_id,
    }


def _recipients(
    rng: random.Random,
    slug: str,
    mun_id: uuid.UUID,
    spec: dict,
    postcodes: dict,
    password_hash: str,
    coach1: uuid.UUID,
    coach2: uuid.UUID,
) -> tuple[list, list]:
    from api.interests.taxonomy import INTERESTS
    from seeds.data.people import FIRST_NAMES, GOALS, LAST_NAMES

    interest_keys = [i["key"] for i in INTERESTS]
    people, profiles = [], []
    for n in range(1, RECIPIENTS_PER_MUNICIPALITY + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        key = f"recipient{n}"
        uid = demo_id("user", slug, key)
        people.append(
            _user_row(
                slug,
                mun_id,
                key,
                "recipient",
                f"{first} {last}",
                password_hash,
                coach_id=coach1 if n <= 30 else coach2,
            )
        )
        hood = rng.choice(spec["neighbourhoods"])
        pc4 = rng.choice(hood["postcodes"])
        lat, lon = postcodes[pc4]
        mode = rng.choices(["walk", "bike", "transit"], weights=[3, 5, 2])[0]
        base_slots = rng.sample(SLOTS, rng.randint(3, 9))
        profiles.append(
            {
                "user_id": uid,
                "municipality_id": mun_id,
                "display_name": first,
                "preferred_language": "en" if rng.random() < 0.15 else "nl",
                "postcode_area": pc4,
                "home_area": _ewkt(lat, lon),
                "travel_mode": mode,
                "max_distance_km": DEFAULT_DISTANCE_KM[mode] * rng.choice([1.0, 1.0, 1.5]),
                "interests": rng.sample(interest_keys, rng.randint(2, 4)),
                "availability": sorted(base_slots, key=SLOTS.index),
                "accessibility_needs": ["wheelchair"] if rng.random() < 0.05 else [],
                "dutch_level": rng.choices(
                    ["A0", "A1", "A2", "B1", "B2", "C1"], weights=[1, 3, 4, 4, 2, 1]
                )[0],
                "ladder_step": rng.choices([1, 2, 3, 4], weights=[2, 4, 3, 1])[0],
                "goals": rng.choice(GOALS),
                "shared_contact": f"06-{rng.randint(10_000_000, 99_999_999)}"
                if rng.random() < 0.6
                else None,
                "nudge_preferences": {},
            }
        )
    return people, profiles


_TEAM_KINDS_FOR = {
    "language_course": ("library", "volunteer_centre"),
    "informal_care": ("carer_support", "wijkteam"),
    "volunteer": ("volunteer_centre", "wijkteam", "organisation"),
}


def _team_for(kind: str, n: int, team_ids: list[uuid.UUID], team_kinds: list[str]) -> uuid.UUID:
    """A team that fits the kind of opportunity, alternating when several fit."""
    fitting = [t for t, k in zip(team_ids, team_kinds, strict=True) if k in _TEAM_KINDS_FOR[kind]]
    pool = fitting or team_ids
    return pool[n % len(pool)]


# Concrete times per day part: the part's slot follows from each of them.
_TIMES: dict[str, list[tuple[str, str]]] = {
    "morning": [("09:00", "11:30"), ("09:30", "12:00"), ("10:00", "12:00")],
    "afternoon": [("13:00", "15:30"), ("13:30", "16:00"), ("14:00", "16:30")],
    "evening": [("18:30", "20:30"), ("19:00", "21:00"), ("19:30", "21:30")],
}


def _schedule(rng: random.Random, slots: list[str]) -> list[dict[str, str]]:
    """Concrete weekly times for a template's day parts (one block per part)."""
    blocks = []
    for slot in sorted(slots, key=SLOTS.index):
        day, part = slot.split("-", 1)
        start, end = rng.choice(_TIMES[part])
        blocks.append({"day": day, "start": start, "end": end})
    return blocks


def _contact(slug: str, venue_no: int, venue: dict[str, Any]) -> dict[str, str]:
    """An invented contact person per venue, reachable by an example.org address."""
    from seeds.data.people import LAST_NAMES
    from seeds.data.venues import FIRST_NAMES

    first = FIRST_NAMES[(venue_no * 7 + len(slug)) % len(FIRST_NAMES)]
    last = LAST_NAMES[(venue_no * 11 + len(slug) * 3) % len(LAST_NAMES)]
    host = "".join(c for c in venue["name"].lower() if c.isascii() and c.isalnum())
    return {"name": f"{first} {last}", "email": f"{first.lower()}@{host}.example.org"}


def _opportunities(
    rng: random.Random,
    slug: str,
    mun_id: uuid.UUID,
    spec: dict,
    team_ids: list[uuid.UUID],
    creator: uuid.UUID,
) -> list[dict[str, Any]]:
    from api.opportunities.schedule import hours_of
    from seeds.data.opportunities import TEMPLATES
    from seeds.data.venues import VENUES, address_of, directions_of

    by_kind: dict[str, list[dict]] = {}
    for t in TEMPLATES:
        by_kind.setdefault(t["kind"], []).append(t)
    plan = ["volunteer"] * 27 + ["language_course"] * 9 + ["informal_care"] * 9
    # Every venue gets its share; the order differs per municipality.
    venues = list(enumerate(VENUES[slug]))
    rng.shuffle(venues)
    team_kinds = [t["kind"] for t in spec["teams"]]
    rows = []
    used: dict[str, int] = {}
    for n, kind in enumerate(plan):
        pool = by_kind[kind]
        tpl = pool[(used.get(kind, 0) + rng.randrange(len(pool))) % len(pool)]
        used[kind] = used.get(kind, 0) + 1
        venue_no, venue = venues[n % len(venues)]
        title = tpl["title"].format(wijk=venue["wijk"], plek=venue["name"])[:120]
        description = tpl["description"].format(wijk=venue["wijk"], plek=venue["name"])
        status = "published" if n % 10 not in (7,) else ("draft" if n % 20 == 7 else "paused")
        start = ANCHOR - timedelta(days=rng.randint(0, 120)) if rng.random() < 0.8 else None
        end = ANCHOR + timedelta(days=rng.randint(120, 400)) if rng.random() < 0.5 else None
        allowance = tpl.get("monthly_allowance_eur")
        team = _team_for(kind, n, team_ids, team_kinds)
        schedule = _schedule(rng, tpl["slots"])
        contact = _contact(slug, venue_no, venue)
        rows.append(
            {
                "id": demo_id("opportunity", slug, n),
                "municipality_id": mun_id,
                "team_id": team,
                "created_by_id": None,
                "kind": kind,
                "status": status,
                "title": title,
                "description": description,
                "address": address_of(venue, spec["name"]),
                "location": _ewkt(venue["lat"], venue["lon"]),
                "interests": tpl["interests"],
                "slots": sorted(tpl["slots"], key=SLOTS.index),
                "schedule": schedule,
                "hours_per_week": hours_of(schedule),
                "organisation": venue["name"],
                "contact_name": contact["name"],
                "contact_phone": None,
                "contact_email": contact["email"],
                "directions": directions_of(venue),
                "image_url": None,
                "start_date": start,
                "end_date": end,
                "capacity": tpl["capacity"],
                "min_dutch_level": tpl["min_dutch_level"],
                "teaches_level": tpl.get("teaches_level"),
                "accessibility": tpl.get("accessibility") or [],
                "ladder_step": tpl["ladder_step"],
                "monthly_allowance_cents": None if allowance is None else int(allowance * 100),
                "replaces_no_paid_work": True,
                "published_at": None
                if status == "draft"
                else datetime.combine(
                    ANCHOR - timedelta(days=rng.randint(0, 60)), datetime.min.time(), UTC
                ),
            }
        )
    return rows


S = MatchStatus
# (recipient number, story of the match as [(status, days after ANCHOR)], reason)
_MATCH_STORIES: list[tuple[int, list[tuple[MatchStatus, int]], str | None]] = [
    (1, [(S.REQUESTED, 19)], None),
    (2, [(S.REQUESTED, 21)], None),
    (3, [(S.SUGGESTED, 22)], "Dit past bij wat je vertelde over koken."),
    (4, [(S.REQUESTED, 5), (S.APPROVED, 8)], None),
    (5, [(S.REQUESTED, 6), (S.APPROVED, 9)], None),
    (6, [(S.REQUESTED, -100), (S.APPROVED, -98), (S.ACTIVE, -92)], None),
    (7, [(S.REQUESTED, -60), (S.APPROVED, -58), (S.ACTIVE, -55)], None),
    (8, [(S.REQUESTED, -30), (S.APPROVED, -29), (S.ACTIVE, -25)], None),
    (9, [(S.REQUESTED, -200), (S.APPROVED, -198), (S.ACTIVE, -190), (S.COMPLETED, -20)], None),
    (
        10,
        [(S.REQUESTED, 2), (S.DECLINED, 4)],
        "Deze plek vraagt meer Nederlands; we zoeken samen iets anders.",
    ),
    (31, [(S.REQUESTED, 20)], None),
    (32, [(S.REQUESTED, -40), (S.APPROVED, -38), (S.ACTIVE, -35)], None),
]


def _matches(
    session: Session, slug: str, mun_id: uuid.UUID, opportunities: list[dict[str, Any]]
) -> int:
    """A few matches in every state, so queues, nudges and progress show something real.

    Each story is played through the match lifecycle (history and places taken included).
    A match that exists already keeps the state demo users gave it.
    """
    published = [o for o in opportunities if o["status"] == "published"]
    ids = [demo_id("match", slug, person, n) for n, (person, _, _) in enumerate(_MATCH_STORIES)]
    existing = set(session.scalars(select(Match.id).where(Match.id.in_(ids))))
    for n, (person, story, reason) in enumerate(_MATCH_STORIES):
        if ids[n] in existing:
            continue
        steps = [
            (
                status,
                datetime.combine(ANCHOR + timedelta(days=d), datetime.min.time(), UTC).replace(
                    hour=10
                ),
            )
            for status, d in story
        ]
        final = steps[-1][0]
        match = Match(
            id=ids[n],
            municipality_id=mun_id,
            recipient_id=demo_id("user", slug, f"recipient{person}"),
            opportunity_id=published[(n * 7) % len(published)]["id"],
            reasons=[],
            coach_note=reason if final == MatchStatus.SUGGESTED else None,
            decision_reason=reason if final == MatchStatus.DECLINED else None,
            requested_at=next((at for st, at in steps if st == MatchStatus.REQUESTED), None),
            created_at=steps[0][1],
        )
        reasons = {MatchStatus.DECLINED: reason, MatchStatus.SUGGESTED: reason} if reason else {}
        replay(session, match, steps, reasons=reasons)
    return len(ids)


# Plans: (person, kind, own words, why, who proposed, [(status, day)], due day, dropped because)
# Days count from ANCHOR; steps due long after it stay "not late" for a good while, those due
# before it are late (some by weeks: the coach's flag), some are done, one is dropped.
P = StepStatus
_PLAN_STORIES: list[tuple[int, str | None, str | None, str | None, str, list, int, str | None]] = [
    (1, "make_cv", None, "Dan kan ik straks solliciteren", "coach", [(P.AGREED, -20)], 90, None),
    (
        2,
        "visit_activity",
        "Een keer meedoen bij het taalcafé",
        "Nederlands oefenen met anderen",
        "recipient",
        [(P.AGREED, -25)],
        -10,
        None,
    ),
    (
        3,
        "language_course_level",
        "Taalniveau A2 halen",
        None,
        "coach",
        [(P.AGREED, -60), (P.DONE, -5)],
        -3,
        None,
    ),
    (4, "talk_to_employer", None, "Kijken wat een baan in de zorg vraagt", "coach", [], 60, None),
    (5, "apply_for_job", "Solliciteren bij de supermarkt", None, "recipient", [], 45, None),
    (6, "training", "Cursus omgaan met de computer", None, "coach", [(P.AGREED, -70)], -35, None),
    (
        7,
        "trial_placement",
        None,
        None,
        "coach",
        [(P.AGREED, -50), (P.DROPPED, -12)],
        20,
        "Mijn dochter is ziek, ik pak het later weer op",
    ),
    (
        8,
        "start_activity",
        "Beginnen bij de moestuin",
        "Buiten zijn doet me goed",
        "recipient",
        [(P.AGREED, -45), (P.DONE, -15)],
        -14,
        None,
    ),
    (31, "make_cv", None, None, "coach", [(P.AGREED, -40)], -21, None),
    (
        32,
        "visit_activity",
        "Langs bij het buurthuis",
        None,
        "recipient",
        [(P.AGREED, -30), (P.DONE, -8)],
        -7,
        None,
    ),
    (
        33,
        "talk_to_employer",
        "Gesprek met de werkgeversdienst",
        "Weten wat er kan",
        "coach",
        [(P.AGREED, -6)],
        75,
        None,
    ),
]


def _plans(session: Session, slug: str, mun_id: uuid.UUID) -> int:
    """Small plans for a few people on both caseloads, played through the plan lifecycle.

    A step that exists already keeps what demo users did with it.
    """
    ids = [demo_id("plan_step", slug, n) for n in range(len(_PLAN_STORIES))]
    existing = set(session.scalars(select(PlanStep.id).where(PlanStep.id.in_(ids))))

    def at(day: int) -> datetime:
        return datetime.combine(ANCHOR + timedelta(days=day), datetime.min.time(), UTC).replace(
            hour=11
        )

    for n, (person, kind, what, why, by, story, due, dropped) in enumerate(_PLAN_STORIES):
        if ids[n] in existing:
            continue
        person_id = demo_id("user", slug, f"recipient{person}")
        coach_id = demo_id("user", slug, "coach1" if person <= 30 else "coach2")
        other = "recipient" if by == "coach" else "coach"
        actor = {"coach": coach_id, "recipient": person_id}
        step = PlanStep(
            id=ids[n],
            municipality_id=mun_id,
            recipient_id=person_id,
            kind=kind,
            what=what,
            why=why,
            due_on=ANCHOR + timedelta(days=due),
            due_is_week=False,
            with_coach=False,
        )
        first = min([d for _, d in story], default=0) - 3
        plan_lifecycle.propose(session, step, role=by, actor_id=actor[by], now=at(first))
        for status, day in story:
            role = other if status == P.AGREED else "recipient"
            reason = dropped if status == P.DROPPED else None
            plan_lifecycle.transition(
                session, step, status, role=role, actor_id=actor[role], reason=reason, now=at(day)
            )
    return len(ids)
