"""National-scale data for benchmarks: cities in proportion to population, loaded with COPY."""

from __future__ import annotations

import math
import random
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from psycopg.types.json import Jsonb
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.auth.passwords import hash_password
from api.db import session_scope
from api.interests.service import sync_taxonomy
from api.matches.lifecycle import History, copy_histories
from api.matches.status import TAKES_A_PLACE, MatchStatus
from matching.model import CEFR_LEVELS, DEFAULT_DISTANCE_KM, SLOTS

SCALE_PREFIX = "scale-"
CASELOAD = 350
SCALE_PASSWORD = "meedoen-scale"
SCALE_NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)  # the data's "today", fixed for repeatability  # noqa: S105 - benchmark accounts only


def _slug(name: str) -> str:
    return SCALE_PREFIX + "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _split(total: int, weights: list[int]) -> list[int]:
    """Distribute `total` in proportion to weights, exactly (largest remainders)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [math.floor(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)[
        : total - sum(out)
    ]:
        out[i] += 1
    return out


def load_scale(
    app: Flask, *, recipients: int, opportunities: int, seed: int = 42
) -> dict[str, Any]:
    """Replace earlier scale data with a fresh national-scale set; returns timings and sizes."""
    from api.interests.taxonomy import INTERESTS
    from seeds.data.cities import CITIES
    from seeds.data.opportunities import TEMPLATES

    rng = random.Random(seed)  # noqa: S311 - benchmark data
    started = time.perf_counter()
    interest_keys = [i["key"] for i in INTERESTS]
    staff_hash = hash_password(SCALE_PASSWORD)
    rec_split = _split(recipients, [c[3] for c in CITIES])
    opp_split = _split(opportunities, [c[3] for c in CITIES])

    with session_scope(app) as session:
        sync_taxonomy(session)
        session.execute(
            text("delete from municipalities where slug like :p"), {"p": SCALE_PREFIX + "%"}
        )
        conn = session.connection().connection.driver_connection  # psycopg 3 connection
        assert conn is not None
        cities: list[dict[str, Any]] = []
        with conn.cursor() as cur:
            for (name, lat, lon, pop), n_rec, n_opp in zip(
                CITIES, rec_split, opp_split, strict=True
            ):
                mid = _uuid(rng)
                teams = [_uuid(rng), _uuid(rng)]
                coaches = [_uuid(rng) for _ in range(max(1, math.ceil(n_rec / CASELOAD)))]
                cities.append(
                    {
                        "id": mid,
                        "slug": _slug(name),
                        "name": name,
                        "lat": lat,
                        "lon": lon,
                        "pop": pop,
                        "teams": teams,
                        "coaches": coaches,
                        "n_rec": n_rec,
                        "n_opp": n_opp,
                    }
                )
            with cur.copy("COPY municipalities (id, slug, name) FROM STDIN") as cp:
                for c in cities:
                    cp.write_row((c["id"], c["slug"], f"{c['name']} (schaal)"))
            with cur.copy("COPY policies (municipality_id, settings) FROM STDIN") as cp:
                for c in cities:
                    cp.write_row((c["id"], Jsonb({})))
            with cur.copy("COPY teams (id, municipality_id, name, kind) FROM STDIN") as cp:
                for c in cities:
                    cp.write_row((c["teams"][0], c["id"], f"Wijkteam {c['name']}", "wijkteam"))
                    cp.write_row(
                        (c["teams"][1], c["id"], f"Vrijwilligers {c['name']}", "volunteer_centre")
                    )
            with cur.copy(
                "COPY users (id, municipality_id, email, password_hash, role, name, team_id,"
                " coach_id, is_active, created_at) FROM STDIN"
            ) as cp:
                for c in cities:
                    s = c["slug"]
                    for i, coach in enumerate(c["coaches"], 1):
                        cp.write_row(
                            (
                                coach,
                                c["id"],
                                f"coach{i}.{s}@scale.example.org",
                                staff_hash,
                                "coach",
                                f"Coach {i} {c['name']}",
                                None,
                                None,
                                True,
                                SCALE_NOW - timedelta(days=730),
                            )
                        )
                    for i, team in enumerate(c["teams"], 1):
                        cp.write_row(
                            (
                                _uuid(rng),
                                c["id"],
                                f"organizer{i}.{s}@scale.example.org",
                                staff_hash,
                                "organizer",
                                f"Organisator {i}",
                                team,
                                None,
                                True,
                                SCALE_NOW - timedelta(days=730),
                            )
                        )
                    cp.write_row(
                        (
                            _uuid(rng),
                            c["id"],
                            f"admin.{s}@scale.example.org",
                            staff_hash,
                            "admin",
                            f"Beheer {c['name']}",
                            None,
                            None,
                            True,
                            SCALE_NOW - timedelta(days=730),
                        )
                    )
                    c["recipient_ids"] = []
                    for i in range(c["n_rec"]):
                        rid = _uuid(rng)
                        c["recipient_ids"].append(rid)
                        cp.write_row(
                            (
                                rid,
                                c["id"],
                                f"r{i + 1}.{s}@scale.example.org",
                                None,
                                "recipient",
                                f"Deelnemer {i + 1}",
                                None,
                                c["coaches"][i // CASELOAD],
                                True,
                                SCALE_NOW - timedelta(days=rng.randint(1, 1100)),
                            )
                        )
            with cur.copy(
                "COPY recipient_profiles (user_id, municipality_id, display_name,"
                " preferred_language, postcode_area, home_area, travel_mode, max_distance_km,"
                " interests, availability,"
                " accessibility_needs, dutch_level, ladder_step, nudge_preferences) FROM STDIN"
            ) as cp:
                for c in cities:
                    spread = 0.02 + 0.00004 * math.sqrt(c["pop"])
                    for i, rid in enumerate(c["recipient_ids"]):
                        lat, lon = _near(rng, c["lat"], c["lon"], spread)
                        lat, lon = round(lat / 0.0025) * 0.0025, round(lon / 0.0035) * 0.0035
                        mode = rng.choice(("walk", "bike", "bike", "transit"))
                        cp.write_row(
                            (
                                rid,
                                c["id"],
                                f"Deelnemer {i + 1}",
                                "nl",
                                None,
                                f"SRID=4326;POINT({lon:.6f} {lat:.6f})",
                                mode,
                                DEFAULT_DISTANCE_KM[mode],
                                rng.sample(interest_keys, 3),
                                sorted(rng.sample(SLOTS, 6), key=SLOTS.index),
                                [],
                                rng.choice(CEFR_LEVELS[1:5]),
                                rng.randint(1, 4),
                                Jsonb({}),
                            )
                        )
            with cur.copy(
                "COPY opportunities (id, municipality_id, team_id, kind, status, title,"
                " description, address, location, interests, slots, capacity, min_dutch_level,"
                " teaches_level,"
                " accessibility, ladder_step, replaces_no_paid_work, published_at) FROM STDIN"
            ) as cp:
                for c in cities:
                    spread = 0.02 + 0.00004 * math.sqrt(c["pop"])
                    c["opps"] = []
                    for i in range(c["n_opp"]):
                        t = TEMPLATES[rng.randrange(len(TEMPLATES))]
                        lat, lon = _near(rng, c["lat"], c["lon"], spread)
                        oid = _uuid(rng)
                        c["opps"].append([oid, t["capacity"]])
                        cp.write_row(
                            (
                                oid,
                                c["id"],
                                c["teams"][i % 2],
                                t["kind"],
                                "published",
                                t["title"].format(wijk=c["name"], plek="het buurthuis")[:120],
                                t["description"].format(wijk=c["name"], plek="het buurthuis"),
                                f"Dorpsstraat {i % 200 + 1}, {c['name']}",
                                f"SRID=4326;POINT({lon:.6f} {lat:.6f})",
                                t["interests"],
                                t["slots"],
                                t["capacity"],
                                t["min_dutch_level"],
                                t.get("teaches_level"),
                                t.get("accessibility") or [],
                                t["ladder_step"],
                                True,
                                "2026-11-01T00:00:00Z",
                            )
                        )
            _copy_activity(session, cur, rng, cities)
        loaded = time.perf_counter() - started
    with session_scope(app) as session:
        session.execute(
            text(
                "analyze users; analyze recipient_profiles; analyze opportunities;"
                " analyze matches; analyze match_events; analyze checkins"
            )
        )
        sizes = dict(
            session.execute(
                text(
                    "select relname, pg_size_pretty(pg_total_relation_size(oid)) from pg_class"
                    " where relname in ('users', 'recipient_profiles', 'opportunities',"
                    " 'matches', 'match_events', 'checkins')"
                )
            ).all()
        )
    return {
        "cities": len(cities),
        "recipients": recipients,
        "opportunities": opportunities,
        "seconds": round(loaded, 1),
        "sizes": sizes,
    }


def _near(rng: random.Random, lat: float, lon: float, spread: float) -> tuple[float, float]:
    return lat + rng.gauss(0, spread), lon + rng.gauss(0, spread * 1.6)


def iter_scale_slugs() -> Iterator[str]:
    """Slugs the scale data uses (for benchmarks)."""
    from seeds.data.cities import CITIES

    for name, *_ in CITIES:
        yield _slug(name)


# Share of recipients with a match in each state, and how long ago it started (days).
_ACTIVITY = (
    (MatchStatus.REQUESTED, 0.03, 1, 20),
    (MatchStatus.APPROVED, 0.02, 3, 30),
    (MatchStatus.ACTIVE, 0.08, 14, 200),
    (MatchStatus.COMPLETED, 0.02, 120, 360),
)
# The way to each final state, in order (the lifecycle checks every step).
_PATH = (MatchStatus.REQUESTED, MatchStatus.APPROVED, MatchStatus.ACTIVE, MatchStatus.COMPLETED)


def _copy_activity(
    session: Session, cur: Any, rng: random.Random, cities: list[dict[str, Any]]
) -> None:
    """Matches in every state with their history (through the lifecycle's bulk load), and
    check-ins for active people (COPY)."""
    now = SCALE_NOW
    histories: list[History] = []
    checkins = []
    for c in cities:
        if not c["opps"]:
            continue
        for rid in c["recipient_ids"]:
            roll = rng.random()
            for status, share, min_days, max_days in _ACTIVITY:
                if roll >= share:
                    roll -= share
                    continue
                opp = c["opps"][rng.randrange(len(c["opps"]))]
                if status in TAKES_A_PLACE and opp[1] <= 0:
                    break
                if status in TAKES_A_PLACE:
                    opp[1] -= 1
                start = now - timedelta(
                    days=rng.randint(min_days, max_days), hours=rng.randint(0, 9)
                )
                mid = _uuid(rng)
                story = _PATH[: _PATH.index(status) + 1]
                steps = [(st, start + timedelta(days=2 * i)) for i, st in enumerate(story)]
                event_ids = [_uuid(rng) for _ in steps]
                histories.append(History(mid, c["id"], rid, opp[0], steps, event_ids))
                if status == MatchStatus.ACTIVE:
                    for k in range(rng.randint(1, 6)):
                        when = now - timedelta(days=7 * k + rng.randint(0, 6))
                        day = when.date()
                        checkins.append(
                            (
                                _uuid(rng),
                                rid,
                                c["id"],
                                mid,
                                day,
                                rng.choice((2, 3, 4, 6)),
                                rng.randint(2, 5),
                                None,
                                [],
                                False,
                                when,
                            )
                        )
                break
    copy_histories(session, histories)
    with cur.copy(
        "COPY checkins (id, user_id, municipality_id, match_id, date, hours, wellbeing,"
        " ladder_step, steps_toward_work, informal_care, created_at) FROM STDIN"
    ) as cp:
        for row in checkins:
            cp.write_row(row)
